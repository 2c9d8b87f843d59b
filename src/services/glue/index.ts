/**
 * AWS Glue Data Catalog for mlzone: databases, tables (with versions and resource links), partitions and the
 * catalog resource policy, per account. Lake Formation filters what callers see through the `GlueGovernance` hook
 * that `app/` binds (Glue never imports Lake Formation).
 *
 * Published ports:
 * - `definition`, `migrations`.
 * - `catalog`: read access to the stored records for Lake Formation and the query engine (no authorization).
 * - `policies.resourcePolicy(arn)`: the catalog's resource policy for the IAM authorizer, with the statements the
 *   accepted Lake Formation shares imply (consumer accounts may read the shared catalog's metadata; Lake Formation
 *   then decides what each caller sees).
 */
import type { ServiceDefinition } from '../../core/service.js';
import type { Database as Db, Migration } from '../../persistence/db.js';
import type { Database, Partition, Table } from './api.gen.js';
import { glueAuthz } from './authz.js';
import type { GlueGovernance } from './governance.js';
import { glueHandlers } from './handlers.js';
import { createGlueStore, glueMigrations } from './store.js';

export type { GlueGovernance, WriteNeed } from './governance.js';
export type { Database as GlueDatabase, Table as GlueTable, Partition as GluePartition } from './api.gen.js';

export interface GlueCatalog {
  database(catalogId: string, name: string): Promise<Database | undefined>;
  databases(catalogId: string): Promise<Database[]>;
  table(catalogId: string, database: string, name: string): Promise<Table | undefined>;
  tables(catalogId: string, database: string): Promise<Table[]>;
  partitions(catalogId: string, database: string, table: string): Promise<Partition[]>;
  /** Whether the catalog, database or table an ARN names exists (for RAM's shares). */
  exists(arn: string): Promise<boolean>;
}

export interface GluePolicies {
  resourcePolicy(resourceArn: string): Promise<{ id: string; document: string } | undefined>;
}

export interface GlueService {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  readonly catalog: GlueCatalog;
  readonly policies: GluePolicies;
  /** Binds Lake Formation (late: it is created after Glue, with Glue's catalog). */
  govern(governance: GlueGovernance, sharedWith: (catalogId: string) => Promise<readonly string[]>): void;
}

export interface GlueDeps {
  readonly db: Db;
  /** The policy's problem in IAM's words, or undefined when it is valid (Glue answers InvalidInputException). */
  readonly validatePolicy: (doc: string) => string | undefined | void;
}

const GLUE_ARN = /^arn:aws:glue:([^:]*):(\d{12}):/;

export function createGlueService(deps: GlueDeps): GlueService {
  const store = createGlueStore(deps.db);
  let governance: GlueGovernance | undefined;
  let sharedWith: ((catalogId: string) => Promise<readonly string[]>) | undefined;
  const catalog: GlueCatalog = {
    database: (c, n) => store.database(c, n.toLowerCase()),
    databases: (c) => store.databases(c),
    table: async (c, d, n) => (await store.table(c, d.toLowerCase(), n.toLowerCase()))?.table,
    tables: async (c, d) => (await store.tables(c, d.toLowerCase())).map((t) => t.table),
    partitions: (c, d, t) => store.partitions(c, d.toLowerCase(), t.toLowerCase()),
    async exists(arn) {
      const m = /^arn:aws:glue:[^:]*:(\d{12}):(catalog|database\/([^/]+)|table\/([^/]+)\/([^/]+))$/.exec(arn);
      if (!m) return false;
      const [, c, kind, db, tdb, t] = m;
      if (kind === 'catalog') return true;
      if (db !== undefined) return (await store.database(c!, db.toLowerCase())) !== undefined;
      return (await store.table(c!, tdb!.toLowerCase(), t!.toLowerCase())) !== undefined;
    },
  };
  return {
    definition: { name: 'glue', handlers: glueHandlers({ store, governance: () => governance, validatePolicy: deps.validatePolicy }), authz: glueAuthz },
    migrations: glueMigrations,
    catalog,
    policies: {
      async resourcePolicy(resourceArn) {
        const m = GLUE_ARN.exec(resourceArn);
        if (!m) return undefined;
        const [, region, account] = m;
        const stored = await store.policy(account!);
        const statements: unknown[] = stored ? ((JSON.parse(stored.policy) as { Statement?: unknown }).Statement as unknown[] | undefined) ?? [] : [];
        const readers = (await sharedWith?.(account!)) ?? [];
        // What RAM attaches for Lake Formation shares (AWSRAMLFEnabledGlue… permissions): metadata reads only.
        if (readers.length) {
          statements.push({
            Sid: 'LakeFormationShares',
            Effect: 'Allow',
            Principal: { AWS: readers.map((a) => `arn:aws:iam::${a}:root`) },
            Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetTableVersions', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition', 'glue:SearchTables'],
            Resource: `arn:aws:glue:${region}:${account}:*`,
          });
        }
        if (!statements.length) return undefined;
        return { id: `arn:aws:glue:${region}:${account}:catalog`, document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
      },
    },
    govern(g, shared) {
      governance = g;
      sharedWith = shared;
    },
  };
}
