import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../db.js';
import { isSerializationFailure } from '../errors.js';
import { ConnectionGuard } from '../connection-guard.js';

/** Options of {@link openPostgres}. Only `connectionString` is required. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (any form `pg` accepts). */
  readonly connectionString: string;
  /**
   * Schema that holds every table, created if missing and set as `search_path` on each pooled
   * connection. Lower-case letters, digits and `_`. Tests use a fresh `mlzone_test_<random>` schema
   * and drop it afterwards. Default: the server's `search_path` (normally `public`).
   */
  readonly schema?: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** Times `transaction` runs `fn` when PostgreSQL reports a serialization failure or deadlock. Default 20. */
  readonly maxTransactionAttempts?: number;
  /** Errors of idle pooled connections (server restart, network); the pool drops the connection. Default: `process.emitWarning`. */
  readonly onIdleConnectionError?: (err: Error) => void;
}

const INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a PostgreSQL metadata database over a `pg` pool. Connecting is lazy: connection errors
 * surface on the first query (normally `runMigrations`).
 *
 * - `bigint` (int8) columns, `count(*)` included, come back as JS numbers as on SQLite (epoch
 *   milliseconds fit); a value beyond ±2^53 fails the query instead of losing precision. `numeric`
 *   (e.g. `sum` of a bigint column) stays a string.
 * - `transaction` runs at SERIALIZABLE isolation and re-runs `fn` (with a short random backoff) when
 *   PostgreSQL reports a serialization failure or deadlock. That gives services the same guarantee as
 *   SQLite's one-at-a-time transactions: read-then-write code never loses updates. `fn` may therefore
 *   run more than once: keep side effects other than writes through `trx` out of it.
 *
 * @example
 * const db = openPostgres({ connectionString: process.env.MLZONE_DATABASE_URL! });
 * await runMigrations(db, migrations);
 */
export function openPostgres(options: PostgresOptions): Database {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name \`${schema}\`: use lower-case letters, digits and _ (at most 63)`);
  }
  const maxAttempts = Math.max(1, options.maxTransactionAttempts ?? 20);
  const onIdleError = options.onIdleConnectionError ?? ((err: Error) => process.emitWarning(err));

  const guard = new ConnectionGuard();
  const dialect = new PostgresDialect({
    pool: async () => {
      // Loaded here, not imported at the top: the bundle hoists imports of external packages, so `pg` (~45 ms)
      // would load on every SQLite start-up too. require(), not import(): the bundle runs as a vm.Script
      // (bin/mlzone.js), where a dynamic import() has no loader.
      const pgModule = createRequire(import.meta.url)('pg') as typeof pg;
      const pool = new pgModule.Pool({
        connectionString: options.connectionString,
        max: options.maxConnections ?? 10,
        // Per pool, not pg.types.setTypeParser: that would change every pg user in the process.
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === INT8_OID && format !== 'binary' ? parseInt8 : pgModule.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
        },
      });
      // Without a listener an idle connection's error would crash the process.
      pool.on('error', onIdleError);
      if (schema !== undefined) {
        try {
          await pool.query(`create schema if not exists "${schema}"`);
        } catch (err) {
          // Two processes creating the same schema at once: the loser sees a duplicate key.
          if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P06') {
            await pool.end();
            throw err;
          }
        }
      }
      return pool;
    },
    onCreateConnection:
      schema === undefined
        ? undefined
        : async (connection) => {
            await connection.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`));
          },
  });
  const kysely = new Kysely<any>({ dialect: guard.wrapDialect(dialect) });

  return {
    dialect: 'postgres',
    kysely,
    async transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
      guard.assertOutside();
      for (let attempt = 1; ; attempt++) {
        try {
          return await kysely
            .transaction()
            .setIsolationLevel('serializable')
            .execute((trx) => guard.run(() => fn(trx)));
        } catch (err) {
          if (attempt >= maxAttempts || !isSerializationFailure(err)) throw err;
          // Random backoff growing to ~100 ms spreads the retries of transactions that collided.
          await sleep(Math.random() * Math.min(100, 2 ** attempt));
        }
      }
    },
    async close() {
      guard.close();
      await kysely.destroy();
    },
  };
}

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`bigint value ${value} does not fit a JS number exactly; mlzone stores only values within ±2^53`);
  }
  return n;
}
