import type { Kysely } from 'kysely';

/**
 * The metadata database port. Services get a `Database`, never a concrete driver; only `app/` chooses
 * SQLite (`persistence/sqlite/`) or PostgreSQL (`persistence/postgres/`).
 *
 * Each service store types its own tables with `db.kysely.withTables<MyTables>()` and ships its schema
 * as `Migration`s, which `app/` collects and `runMigrations` applies in order. SQL must stay portable
 * between SQLite and PostgreSQL: text, integer (use `bigint`-safe numbers: epoch milliseconds fit),
 * JSON stored as text, no RETURNING-only features without a fallback.
 */
export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  readonly kysely: Kysely<any>;
  /**
   * Runs `fn` in one transaction; everything it wrote becomes visible together or not at all.
   * - `fn` must use `trx`, never this database (that is refused: on SQLite it would wait on itself).
   * - On PostgreSQL `fn` runs SERIALIZABLE and may be retried, so it must have no effects outside `trx`.
   * - A failed statement aborts the transaction on both backends (use `on conflict do nothing`, not catch).
   * - SQLite has one connection: keep `fn` short and free of network I/O.
   */
  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A named, forward-only schema step. Names sort lexically: prefix with the service and a number (`iam-001-users`). */
export interface Migration {
  readonly name: string;
  up(db: Kysely<any>): Promise<void>;
}
