import type { Database, Migration } from '../../persistence/db.js';
import { createDocumentTable, documentMigration } from '../../persistence/documents.js';
import type { DataLakeSettings } from './api.gen.js';
import { IAM_ALLOWED_PRINCIPALS, grantKey, type StoredAssignment, type StoredFilter, type StoredGrant, type StoredLFTag, type StoredLocation, type StoredOptIn, type StoredTagExpression } from './model.js';

export const lakeFormationMigrations: Migration[] = [documentMigration('lakeformation-001-documents', 'lakeformation_documents')];

/** Everything is scoped by the account whose Lake Formation holds it (grants: the granting account). */
export interface LakeFormationStore {
  settings(account: string): Promise<DataLakeSettings | undefined>;
  putSettings(account: string, s: DataLakeSettings): Promise<void>;
  /**
   * The account's grants. Until it is revoked, an account's catalog holds the grant every fresh account starts
   * with: IAM_ALLOWED_PRINCIPALS may CREATE_DATABASE ("database creators"), so IAM alone decides who creates databases.
   */
  grants(account: string): Promise<StoredGrant[]>;
  /**
   * Grants of every account on resources of `catalogId` (consumers' grants on shared tables included). The default
   * catalog grant of `grants` is not listed: this is for grants on databases, tables and what they share.
   */
  allGrants(): Promise<{ account: string; grant: StoredGrant }[]>;
  putGrant(account: string, g: StoredGrant): Promise<void>;
  deleteGrant(account: string, g: StoredGrant): Promise<void>;
  locations(account: string): Promise<StoredLocation[]>;
  allLocations(): Promise<StoredLocation[]>;
  insertLocation(account: string, l: StoredLocation): Promise<boolean>;
  putLocation(account: string, l: StoredLocation): Promise<void>;
  deleteLocation(account: string, arn: string): Promise<boolean>;
  filters(account: string): Promise<StoredFilter[]>;
  filter(account: string, database: string, table: string, name: string): Promise<StoredFilter | undefined>;
  insertFilter(account: string, f: StoredFilter): Promise<boolean>;
  putFilter(account: string, f: StoredFilter): Promise<void>;
  deleteFilter(account: string, database: string, table: string, name: string): Promise<boolean>;
  /** LF-Tag keys of the catalog `account` with their values. */
  lfTags(account: string): Promise<StoredLFTag[]>;
  lfTag(account: string, key: string): Promise<StoredLFTag | undefined>;
  insertLFTag(account: string, t: StoredLFTag): Promise<boolean>;
  putLFTag(account: string, t: StoredLFTag): Promise<void>;
  deleteLFTag(account: string, key: string): Promise<boolean>;
  /** Named LF-Tag expressions of the catalog `account`. */
  tagExpressions(account: string): Promise<StoredTagExpression[]>;
  tagExpression(account: string, name: string): Promise<StoredTagExpression | undefined>;
  insertTagExpression(account: string, e: StoredTagExpression): Promise<boolean>;
  putTagExpression(account: string, e: StoredTagExpression): Promise<void>;
  deleteTagExpression(account: string, name: string): Promise<boolean>;
  /** LF-Tags assigned to the resources of the catalog `account` (databases, tables, columns). */
  tagAssignments(account: string): Promise<StoredAssignment[]>;
  /** Writes the resource's tags; an empty set removes the record. */
  putTagAssignment(account: string, a: StoredAssignment): Promise<void>;
  /** Hybrid access mode opt-ins of the catalog `account`, keyed by principal and resource. */
  optIns(account: string): Promise<StoredOptIn[]>;
  putOptIn(account: string, o: StoredOptIn): Promise<void>;
  deleteOptIn(account: string, o: Pick<StoredOptIn, 'principal' | 'resource'>): Promise<boolean>;
}

/** The default "database creators" grant of a fresh account, held until revoked (then a marker records that). */
const defaultCreators = (account: string): StoredGrant => ({
  principal: IAM_ALLOWED_PRINCIPALS,
  resource: { kind: 'catalog', catalogId: account },
  permissions: ['CREATE_DATABASE'],
  grantOption: [],
  updated: 0,
  updatedBy: '',
});
const DEFAULT_GRANT_GONE = 'grant-default-revoked';

const assignmentKey = (a: StoredAssignment) => JSON.stringify([a.database, a.table ?? null, a.column ?? null]);
const filterKey = (d: string, t: string, n: string) => JSON.stringify([d, t, n]);

export function createLakeFormationStore(db: Database): LakeFormationStore {
  const docs = createDocumentTable(db, 'lakeformation_documents');
  return {
    settings: (a) => docs.get<DataLakeSettings>(a, 'settings', 'settings'),
    putSettings: (a, s) => docs.put(a, 'settings', 'settings', s),
    grants: async (a) => {
      const list = (await docs.list<StoredGrant>(a, 'grant')).map((r) => r.doc);
      const d = defaultCreators(a);
      const key = grantKey(d.principal, d.resource);
      if (list.some((g) => grantKey(g.principal, g.resource) === key) || (await docs.get(a, DEFAULT_GRANT_GONE, key))) return list;
      return [...list, d];
    },
    allGrants: async () => (await docs.list<StoredGrant>(undefined, 'grant')).map((r) => ({ account: r.scope, grant: r.doc })),
    putGrant: (a, g) => docs.put(a, 'grant', grantKey(g.principal, g.resource), g),
    deleteGrant: async (a, g) => {
      const key = grantKey(g.principal, g.resource);
      await docs.delete(a, 'grant', key);
      const d = defaultCreators(a);
      if (key === grantKey(d.principal, d.resource)) await docs.put(a, DEFAULT_GRANT_GONE, key, { revoked: true });
    },
    locations: async (a) => (await docs.list<StoredLocation>(a, 'location')).map((r) => r.doc),
    allLocations: async () => (await docs.list<StoredLocation>(undefined, 'location')).map((r) => r.doc),
    insertLocation: (a, l) => docs.insert(a, 'location', l.arn, l),
    putLocation: (a, l) => docs.put(a, 'location', l.arn, l),
    deleteLocation: (a, arn) => docs.delete(a, 'location', arn),
    filters: async (a) => (await docs.list<StoredFilter>(a, 'filter')).map((r) => r.doc),
    filter: (a, d, t, n) => docs.get<StoredFilter>(a, 'filter', filterKey(d, t, n)),
    insertFilter: (a, f) => docs.insert(a, 'filter', filterKey(f.DatabaseName, f.TableName, f.Name), f),
    putFilter: (a, f) => docs.put(a, 'filter', filterKey(f.DatabaseName, f.TableName, f.Name), f),
    deleteFilter: (a, d, t, n) => docs.delete(a, 'filter', filterKey(d, t, n)),
    lfTags: async (a) => (await docs.list<StoredLFTag>(a, 'lftag')).map((r) => r.doc),
    lfTag: (a, k) => docs.get<StoredLFTag>(a, 'lftag', k),
    insertLFTag: (a, t) => docs.insert(a, 'lftag', t.key, t),
    putLFTag: (a, t) => docs.put(a, 'lftag', t.key, t),
    deleteLFTag: (a, k) => docs.delete(a, 'lftag', k),
    tagExpressions: async (a) => (await docs.list<StoredTagExpression>(a, 'lftag-expression')).map((r) => r.doc),
    tagExpression: (a, n) => docs.get<StoredTagExpression>(a, 'lftag-expression', n),
    insertTagExpression: (a, e) => docs.insert(a, 'lftag-expression', e.name, e),
    putTagExpression: (a, e) => docs.put(a, 'lftag-expression', e.name, e),
    deleteTagExpression: (a, n) => docs.delete(a, 'lftag-expression', n),
    tagAssignments: async (a) => (await docs.list<StoredAssignment>(a, 'lftag-assignment')).map((r) => r.doc),
    putTagAssignment: async (a, x) => {
      const key = assignmentKey(x);
      if (Object.keys(x.tags).length) await docs.put(a, 'lftag-assignment', key, x);
      else await docs.delete(a, 'lftag-assignment', key);
    },
    optIns: async (a) => (await docs.list<StoredOptIn>(a, 'optin')).map((r) => r.doc),
    putOptIn: (a, o) => docs.put(a, 'optin', grantKey(o.principal, o.resource), o),
    deleteOptIn: (a, o) => docs.delete(a, 'optin', grantKey(o.principal, o.resource)),
  };
}
