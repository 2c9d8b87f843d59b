/**
 * A keyed table of JSON documents: `(scope, kind, key) → doc`. For services whose records are small, read whole
 * and filtered in memory (the Glue catalog, Lake Formation grants, RAM shares): one portable schema instead of a
 * table per record type. `scope` is the owning account; `kind` the record type; `key` sorts listings.
 */
import type { Kysely } from 'kysely';
import type { Database, Migration } from './db.js';
import { binaryText } from './portable-sql.js';

export interface DocumentTable {
  get<T>(scope: string, kind: string, key: string): Promise<T | undefined>;
  /** Documents of one kind in one scope (every scope when `scope` is undefined), sorted by key. */
  list<T>(scope: string | undefined, kind: string, keyPrefix?: string): Promise<{ scope: string; key: string; doc: T }[]>;
  put(scope: string, kind: string, key: string, doc: unknown): Promise<void>;
  /** True when a document was deleted. */
  delete(scope: string, kind: string, key: string): Promise<boolean>;
  /** Inserts only when absent; false when the key was taken. */
  insert(scope: string, kind: string, key: string, doc: unknown): Promise<boolean>;
}

export function documentMigration(name: string, table: string): Migration {
  return {
    name,
    async up(db: Kysely<any>) {
      await db.schema
        .createTable(table)
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', binaryText(db), (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['scope', 'kind', 'key'])
        .execute();
      await db.schema.createIndex(`${table}_kind`).on(table).columns(['kind', 'key']).execute();
    },
  };
}

export function createDocumentTable(db: Database, table: string): DocumentTable {
  const k = db.kysely;
  return {
    async get<T>(scope: string, kind: string, key: string) {
      const row = await k.selectFrom(table).select('doc').where('scope', '=', scope).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
      return row ? (JSON.parse(row.doc as string) as T) : undefined;
    },
    async list<T>(scope: string | undefined, kind: string, keyPrefix?: string) {
      let q = k.selectFrom(table).select(['scope', 'key', 'doc']).where('kind', '=', kind);
      if (scope !== undefined) q = q.where('scope', '=', scope);
      const rows = await q.orderBy('key').orderBy('scope').execute();
      return rows
        .filter((r) => keyPrefix === undefined || (r.key as string).startsWith(keyPrefix))
        .map((r) => ({ scope: r.scope as string, key: r.key as string, doc: JSON.parse(r.doc as string) as T }));
    },
    async put(scope, kind, key, doc) {
      const text = JSON.stringify(doc);
      await k
        .insertInto(table)
        .values({ scope, kind, key, doc: text })
        .onConflict((oc) => oc.columns(['scope', 'kind', 'key']).doUpdateSet({ doc: text }))
        .execute();
    },
    async delete(scope, kind, key) {
      const r = await k.deleteFrom(table).where('scope', '=', scope).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async insert(scope, kind, key, doc) {
      const r = await k
        .insertInto(table)
        .values({ scope, kind, key, doc: JSON.stringify(doc) })
        .onConflict((oc) => oc.columns(['scope', 'kind', 'key']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
