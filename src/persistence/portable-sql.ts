import { sql } from 'kysely';
import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely';

/**
 * Helpers for SQL that behaves the same on SQLite and PostgreSQL, for migrations and stores.
 *
 * Text comparison. SQLite compares text with the BINARY collation (byte order of UTF-8, i.e. code
 * point order, case-sensitive). PostgreSQL compares with the database's collation: `=` is exact on
 * both, but with a linguistic collation such as `en_US.UTF-8` ORDER BY puts `a` before `B` and
 * ignores punctuation at first, so keyset pagination would walk names in a different order than on
 * SQLite. Declare every text column that is sorted, paginated or range-compared with
 * {@link binaryText}: `collate "C"` on PostgreSQL (byte order) and `collate binary` on SQLite.
 *
 * LIKE. SQLite's LIKE is case-insensitive for ASCII by default and has no escape character unless
 * the query names one; PostgreSQL's is case-sensitive with `\` as escape. `openSqlite` turns on
 * `case_sensitive_like` and {@link startsWith} / {@link contains} always say `escape '\'`, so both
 * backends match the same rows. PostgreSQL's ILIKE does not exist on SQLite: don't use it.
 */

/** Which backend a Kysely instance (a `Database.kysely`, a transaction, a migration's `db`) talks to. */
export function dialectOf(db: Kysely<any>): 'sqlite' | 'postgres' {
  // Uses only public API: the PostgreSQL compiler numbers parameters ($1), SQLite's writes `?`.
  const compiled = db.selectNoFrom(sql<number>`${1}`.as('probe')).compile().sql;
  return compiled.includes('$1') ? 'postgres' : 'sqlite';
}

/**
 * Column type `text` compared in byte (code point) order on both backends.
 *
 * @example
 * await db.schema.createTable('iam_roles')
 *   .addColumn('name', binaryText(db), (c) => c.primaryKey())
 *   .execute();
 */
export function binaryText(db: Kysely<any>): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`text collate "C"` : sql`text collate binary`;
}

/** Column type for bytes: `bytea` on PostgreSQL, `blob` on SQLite; both drivers hand back a Buffer. */
export function binaryBlob(db: Kysely<any>): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`bytea` : sql`blob`;
}

/** Escapes `\`, `%` and `_` so that `value` matches itself literally in a LIKE pattern with `escape '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `column like 'prefix%' escape '\'`: case-sensitive prefix match on both backends (IAM `PathPrefix`). */
export function startsWith(column: string, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape '\\'`;
}

/** `column like '%infix%' escape '\'`: case-sensitive substring match on both backends. */
export function contains(column: string, infix: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`%${escapeLike(infix)}%`} escape '\\'`;
}
