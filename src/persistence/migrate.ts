import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, Migration } from './db.js';

/** Bookkeeping table: one row per applied migration, `applied_at` in epoch milliseconds. */
export const MIGRATIONS_TABLE = 'mlzone_migrations';

/** First key of the PostgreSQL advisory lock that serializes migration runs (second key: the schema). */
const PG_LOCK_KEY = 0x6d6c7a6e; // 'mlzn'

const SAVEPOINT = 'mlzone_migration';

/**
 * Brings the schema up to date: applies, in name order, every migration of `migrations` that the
 * database has not applied yet, and returns the names applied by this call.
 *
 * All pending migrations run in one transaction, each inside its own savepoint, and their bookkeeping
 * rows are written with them: a fresh database (tens of migrations) pays for one commit instead of one
 * per migration. A failing migration is rolled back to its savepoint; the ones before it are committed
 * and recorded, the error names it, nothing of it is left behind and the next start retries it.
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
      return pending.length === 0 ? [] : await applyAll(conn, pending);
    } finally {
      if (db.dialect === 'postgres') await sql`select pg_advisory_unlock(${lockKey})`.execute(conn);
    }
  });
}

async function applyAll(conn: Kysely<any>, pending: readonly Migration[]): Promise<string[]> {
  const trx = await conn.startTransaction().execute();
  let failure: Error | undefined;
  const done: string[] = [];
  try {
    // Another process may have applied some since we read the table (SQLite: several processes on one
    // file); the transaction now holds the write lock, so this answer stays true until the commit.
    const applied = new Set((await trx.selectFrom(MIGRATIONS_TABLE).select('name').execute()).map((r) => r.name as string));
    for (const migration of pending) {
      if (applied.has(migration.name)) continue;
      const sp = await trx.savepoint(SAVEPOINT).execute();
      try {
        await migration.up(sp);
      } catch (err) {
        await sp.rollbackToSavepoint(SAVEPOINT).execute();
        failure = new Error(`migration ${migration.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        break;
      }
      await sp.releaseSavepoint(SAVEPOINT).execute();
      done.push(migration.name);
    }
    if (done.length > 0) {
      const appliedAt = Date.now();
      await trx.insertInto(MIGRATIONS_TABLE).values(done.map((name) => ({ name, applied_at: appliedAt }))).execute();
    }
    await trx.commit().execute();
  } catch (err) {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    throw err;
  }
  if (failure) throw failure;
  return done;
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
