import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../db.js';
import { ConnectionGuard } from '../connection-guard.js';
import { withStatementCache } from './statement-cache.js';

/** Options of {@link openSqlite}. Only `file` is required. */
export interface SqliteOptions {
  /** Database file (its directory is created if missing), or `':memory:'` for a private in-memory database. */
  readonly file: string;
  /**
   * When a commit is flushed to disk.
   * - `'normal'` (default): WAL is fsynced at checkpoints, not at each commit. A commit is written to
   *   the WAL (in the kernel's page cache) before it is acknowledged, so it survives the process
   *   being killed (`kill -9`, OOM, crash); an OS crash or power cut may roll back the last commits,
   *   never corrupt the file.
   * - `'full'`: also fsync the WAL at every commit, so commits survive power loss too; costs one
   *   fsync per write transaction (see bench/persistence.bench.ts).
   */
  readonly synchronous?: 'normal' | 'full';
  /** How long a statement waits for another process's lock before failing with SQLITE_BUSY. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Prepared statements kept per database, keyed by SQL text; 0 disables the cache. Default 500. */
  readonly statementCacheSize?: number;
}

/**
 * Opens (creating if needed) a SQLite metadata database over better-sqlite3.
 *
 * Pragmas: `journal_mode=WAL` (readers never block the writer; commits append to the WAL),
 * `synchronous=NORMAL` unless `synchronous: 'full'` (see {@link SqliteOptions.synchronous}),
 * `foreign_keys=ON`, `busy_timeout`, `case_sensitive_like=ON` (LIKE is case-sensitive, as on
 * PostgreSQL), `journal_size_limit` (the WAL shrinks back after a large transaction), `mmap_size` (reads
 * of the first 256 MiB of the file come from the page cache without a system call per page: a scan over large
 * rows, such as FilterLogEvents over a million events, halves in CPU; the mapped pages show in RSS as shared file
 * pages, which the kernel reclaims under pressure).
 *
 * Transactions start with `BEGIN IMMEDIATE`: they take the write lock up front, so a second process
 * on the same file waits `busy_timeout` instead of failing when a reading transaction starts writing.
 * There is one connection: transactions (and queries) run one at a time, so keep `fn` short and free
 * of network I/O. As on PostgreSQL, a statement that fails inside a transaction aborts it: later
 * statements fail (SQLSTATE 25P02) and it rolls back even if `fn` caught the error.
 * Use `insert … on conflict do nothing` to tolerate duplicates inside a transaction.
 *
 * better-sqlite3 is synchronous: each query blocks the event loop for its duration (µs for indexed
 * queries), and awaited queries never give timers or I/O a turn by themselves. So that a long run
 * of queries (a scheduler sweep, a batch import) cannot starve HTTP, a query yields to the event
 * loop when the previous yield is 10 ms old.
 *
 * @example
 * const db = openSqlite({ file: join(dataDir, 'mlzone.db') });
 * await runMigrations(db, migrations);
 */
export function openSqlite(options: SqliteOptions): Database {
  const { file } = options;
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true });

  const raw = new BetterSqlite3(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    configure(raw, inMemory, options.synchronous ?? 'normal');
  } catch (err) {
    raw.close();
    throw err;
  }

  const guard = new ConnectionGuard();
  const dialect = new SqliteDialect({ database: withStatementCache(raw, options.statementCacheSize ?? 500) });
  const kysely = new Kysely<any>({
    dialect: guard.wrapDialect(dialect, {
      begin: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      },
      abortTransactionOnError: true,
      yieldEveryMs: 10,
    }),
  });

  return {
    dialect: 'sqlite',
    kysely,
    async transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
      guard.assertOutside();
      return kysely.transaction().execute((trx) => guard.run(() => fn(trx)));
    },
    async close() {
      guard.close();
      await kysely.destroy();
      // destroy() skips a driver that never ran a query; the handle was opened eagerly above.
      if (raw.open) raw.close();
    },
  };
}

function configure(raw: BetterSqlite3.Database, inMemory: boolean, synchronous: 'normal' | 'full'): void {
  if (!inMemory) {
    const mode = raw.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new Error(`could not switch ${raw.name} to WAL journal mode (got ${String(mode)}); is it on a network file system?`);
    }
    raw.pragma('journal_size_limit = 67108864');
    raw.pragma('mmap_size = 268435456');
  }
  raw.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('case_sensitive_like = ON');
}
