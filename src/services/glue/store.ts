/**
 * The Glue Data Catalog's records, per catalog (account): databases, tables (with their versions), partitions and
 * the catalog resource policy, as JSON documents (`persistence/documents`). Names are stored lower-cased, as Glue
 * folds them.
 */
import type { Database as Db, Migration } from '../../persistence/db.js';
import { createDocumentTable, documentMigration } from '../../persistence/documents.js';
import type { Database, Partition, Table } from './api.gen.js';

export const glueMigrations: Migration[] = [documentMigration('glue-001-documents', 'glue_documents')];

/** A stored table: the Glue shape plus every earlier version (newest last). */
export interface StoredTable {
  readonly table: Table;
  readonly versions: Table[];
}

export interface StoredPolicy {
  readonly policy: string;
  readonly hash: string;
  readonly created: number;
  readonly updated: number;
}

export interface GlueStore {
  database(catalogId: string, name: string): Promise<Database | undefined>;
  databases(catalogId: string): Promise<Database[]>;
  putDatabase(catalogId: string, db: Database): Promise<void>;
  insertDatabase(catalogId: string, db: Database): Promise<boolean>;
  deleteDatabase(catalogId: string, name: string): Promise<void>;
  table(catalogId: string, database: string, name: string): Promise<StoredTable | undefined>;
  tables(catalogId: string, database: string): Promise<StoredTable[]>;
  insertTable(catalogId: string, t: StoredTable): Promise<boolean>;
  putTable(catalogId: string, t: StoredTable): Promise<void>;
  deleteTable(catalogId: string, database: string, name: string): Promise<void>;
  partitions(catalogId: string, database: string, table: string): Promise<Partition[]>;
  partition(catalogId: string, database: string, table: string, values: readonly string[]): Promise<Partition | undefined>;
  insertPartition(catalogId: string, p: Partition): Promise<boolean>;
  deletePartition(catalogId: string, database: string, table: string, values: readonly string[]): Promise<boolean>;
  policy(catalogId: string): Promise<StoredPolicy | undefined>;
  putPolicy(catalogId: string, p: StoredPolicy): Promise<void>;
  deletePolicy(catalogId: string): Promise<boolean>;
}

// A separator no Glue name may contain (names are printable; the unit separator is not).
const SEP = '\u001f';
const tableKey = (database: string, name: string) => `${database}${SEP}${name}`;
const partitionKey = (database: string, table: string, values: readonly string[]) => `${database}${SEP}${table}${SEP}${JSON.stringify(values)}`;

export function createGlueStore(db: Db): GlueStore {
  const docs = createDocumentTable(db, 'glue_documents');
  return {
    database: (c, name) => docs.get<Database>(c, 'database', name),
    databases: async (c) => (await docs.list<Database>(c, 'database')).map((r) => r.doc),
    putDatabase: (c, d) => docs.put(c, 'database', d.Name, d),
    insertDatabase: (c, d) => docs.insert(c, 'database', d.Name, d),
    async deleteDatabase(c, name) {
      for (const t of await docs.list<StoredTable>(c, 'table', `${name}${SEP}`)) await this.deleteTable(c, name, t.doc.table.Name);
      await docs.delete(c, 'database', name);
    },
    table: (c, d, n) => docs.get<StoredTable>(c, 'table', tableKey(d, n)),
    tables: async (c, d) => (await docs.list<StoredTable>(c, 'table', `${d}${SEP}`)).map((r) => r.doc),
    insertTable: (c, t) => docs.insert(c, 'table', tableKey(t.table.DatabaseName!, t.table.Name), t),
    putTable: (c, t) => docs.put(c, 'table', tableKey(t.table.DatabaseName!, t.table.Name), t),
    async deleteTable(c, d, n) {
      for (const p of await docs.list<Partition>(c, 'partition', `${tableKey(d, n)}${SEP}`)) await docs.delete(c, 'partition', p.key);
      await docs.delete(c, 'table', tableKey(d, n));
    },
    partitions: async (c, d, t) => (await docs.list<Partition>(c, 'partition', `${tableKey(d, t)}${SEP}`)).map((r) => r.doc),
    partition: (c, d, t, v) => docs.get<Partition>(c, 'partition', partitionKey(d, t, v)),
    insertPartition: (c, p) => docs.insert(c, 'partition', partitionKey(p.DatabaseName!, p.TableName!, p.Values ?? []), p),
    deletePartition: (c, d, t, v) => docs.delete(c, 'partition', partitionKey(d, t, v)),
    policy: (c) => docs.get<StoredPolicy>(c, 'policy', 'catalog'),
    putPolicy: (c, p) => docs.put(c, 'policy', 'catalog', p),
    deletePolicy: (c) => docs.delete(c, 'policy', 'catalog'),
  };
}
