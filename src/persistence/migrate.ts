import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, Migration } from './db.js';

/** Bookkeeping table: one row per applied migration, `applied_at` in epoch milliseconds. */
export const MIGRATIONS_TABLE = 'mlzone_migrations';

/** First key of the PostgreSQL advisory lock that serializes migration runs (second key: the schema). */
const PG_LOCK_KEY = 0x6d6c7a6e; // 'mlzn'

/**
 * Brings the schema up to date: applies, in name order, every migration of `migrations` that the
 * database has not applied yet, and returns the names applied by this call.
 *
 * All pending migrations first run in one transaction with their bookkeeping rows: a fresh database (a
 * migration per service) pays for one commit. If any fails, that transaction is rolled back and they run
 * again one transaction each, so the ones before the failing migration stay applied, the error names
 * it, nothing of it is left behind and the next start retries it. (A migration may thus run twice
 * before it is committed; `up` must use only the `db` it is given, so a rolled-back run leaves nothing.)
 *
 * Refuses to start (throws before applying anything) when the database records a migration that is
 * not in `migrations`: it was written by a newer build, and this one would misread it.
 *
 * Migrations from different services interleave by name, so a migration that sorts before
 * already-applied ones is still applied. Several processes may call this at once (PostgreSQL
 * replicas): an advisory lock on PostgreSQL and `BEGIN IMMEDIATE` plus a re-check on SQLite make
 * each migration run exactly once. `up` must use the `db` it is given (the migration's transaction).
 */
export async function runMigrations(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  const ordered = validate(migrations);
  const known = new Set(ordered.map((m) => m.name));

  return db.kysely.connection().execute(async (conn) => {
    const lockKey = sql`${PG_LOCK_KEY}::int4, hashtext(current_schema())`;
    if (db.dialect === 'postgres') await sql`select pg_advisory_lock(${lockKey})`.execute(conn);
    try {
      await conn.schema
        .createTable(MIGRATIONS_TABLE)
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();

      const rows = await conn.selectFrom(MIGRATIONS_TABLE).select('name').execute();
      const applied = new Set(rows.map((r) => r.name as string));
      const unknown = [...applied].filter((name) => !known.has(name)).sort(byCodeUnit);
      if (unknown.length > 0) {
        throw new Error(
          `refusing to start: the database has ${unknown.length === 1 ? 'a migration' : 'migrations'} this build does not know ` +
            `(${unknown.join(', ')}); it was migrated by a newer mlzone: run that version or restore a backup`,
        );
      }

      const pending = ordered.filter((m) => !applied.has(m.name));
      if (pending.length === 0) return [];
      const together = await applyTogether(conn, pending);
      if (together) return together;
      const done: string[] = [];
      for (const migration of pending) {
        if (await apply(conn, migration)) done.push(migration.name);
      }
      return done;
    } finally {
      if (db.dialect === 'postgres') await sql`select pg_advisory_unlock(${lockKey})`.execute(conn);
    }
  });
}

/** Applies `pending` in one transaction; undefined (and nothing applied) when any of them fails. */
async function applyTogether(conn: Kysely<any>, pending: readonly Migration[]): Promise<string[] | undefined> {
  try {
    return await conn.transaction().execute(async (trx) => {
      // Another process may have applied some since we read the table (SQLite: several processes on one file).
      const applied = new Set((await trx.selectFrom(MIGRATIONS_TABLE).select('name').execute()).map((r) => r.name as string));
      const todo = pending.filter((m) => !applied.has(m.name));
      for (const migration of todo) await migration.up(trx);
      if (todo.length > 0) {
        const appliedAt = Date.now();
        await trx.insertInto(MIGRATIONS_TABLE).values(todo.map((m) => ({ name: m.name, applied_at: appliedAt }))).execute();
      }
      return todo.map((m) => m.name);
    });
  } catch {
    // The one-at-a-time path runs them again and reports the failing one with its error.
    return undefined;
  }
}

async function apply(conn: Kysely<any>, migration: Migration): Promise<boolean> {
  try {
    return await conn.transaction().execute(async (trx) => {
      // Another process may have applied it since we read the table (SQLite: several processes on one file).
      const already = await trx.selectFrom(MIGRATIONS_TABLE).select('name').where('name', '=', migration.name).executeTakeFirst();
      if (already) return false;
      await migration.up(trx);
      await trx.insertInto(MIGRATIONS_TABLE).values({ name: migration.name, applied_at: Date.now() }).execute();
      return true;
    });
  } catch (err) {
    throw new Error(`migration ${migration.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function validate(migrations: readonly Migration[]): Migration[] {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (typeof m.name !== 'string' || m.name.length === 0) throw new Error('a migration has an empty name');
    if (seen.has(m.name)) throw new Error(`two migrations are named ${m.name}`);
    seen.add(m.name);
  }
  return [...migrations].sort((a, b) => byCodeUnit(a.name, b.name));
}

/** Plain code-unit order, the same everywhere (localeCompare depends on the ICU locale). */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
