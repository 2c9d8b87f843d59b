/**
 * The effective permission model (reference §3.2, §5.3, §5.4): who is a data lake admin, which grants apply to a
 * principal on a table, IAM mode (IAM_ALLOWED_PRINCIPALS), cross-account intersection with what the owner shared
 * with the consumer's account, and registered locations. Used by the catalog port, Glue's metadata filtering and
 * the grant checks of the Lake Formation API.
 */
import type { RequestContext } from '../../core/context.js';
import type { CellGrant } from '../../core/data-catalog.js';
import type { GlueCatalog, GlueTable } from '../glue/index.js';
import type { LakeShares } from '../ram/index.js';
import type { DataLakeSettings } from './api.gen.js';
import { columnTags, expressionText, matches, tableTags, type AssignedTags, type TagSet } from './lf-tags.js';
import { IAM_ALLOWED_PRINCIPALS, type GrantResource, type StoredGrant } from './model.js';
import type { LakeFormationStore } from './store.js';

export interface AccessDeps {
  readonly store: LakeFormationStore;
  readonly glue: GlueCatalog;
  readonly ram: LakeShares;
}

/** A grant turned into rows × columns for one table, with the sentence that names it. */
export interface DecidedCells extends CellGrant {
  readonly by: string;
}

export const DEFAULT_SETTINGS: DataLakeSettings = {
  DataLakeAdmins: [],
  ReadOnlyAdmins: [],
  CreateDatabaseDefaultPermissions: [{ Principal: { DataLakePrincipalIdentifier: IAM_ALLOWED_PRINCIPALS }, Permissions: ['ALL'] }],
  CreateTableDefaultPermissions: [{ Principal: { DataLakePrincipalIdentifier: IAM_ALLOWED_PRINCIPALS }, Permissions: ['ALL'] }],
  Parameters: { CROSS_ACCOUNT_VERSION: '4' },
  TrustedResourceOwners: [],
  AllowExternalDataFiltering: false,
  AllowFullTableExternalDataAccess: false,
};

/** The identities Lake Formation knows the caller by: its role (for a session) or user ARN. */
export function principalIds(ctx: RequestContext): string[] {
  const p = ctx.principal;
  const out = [p.arn];
  if (p.roleArn) out.push(p.roleArn);
  return out;
}

export const columnNames = (t: GlueTable): string[] => [...(t.StorageDescriptor?.Columns ?? []), ...(t.PartitionKeys ?? [])].map((c) => c.Name);

function describe(g: StoredGrant, account: string): string {
  const r = g.resource;
  const name = 'database' in r ? `${r.catalogId}:${r.database}${'table' in r ? `.${r.table}` : ''}` : r.catalogId;
  const what = r.kind === 'columns' ? (r.include ? `columns (${r.include.join(', ')}) of ` : `all columns except (${(r.exclude ?? []).join(', ')}) of `) : r.kind === 'filter' ? `data cells filter ${r.name} on ` : '';
  const through = g.tagPolicy ? ` through ${g.tagPolicy}` : '';
  return `${g.permissions.join('+')} on ${what}${name}${through} granted to ${g.principal} in ${account}`;
}

const TABLE_PERMISSIONS_BUT_SELECT = ['ALTER', 'DROP', 'DELETE', 'INSERT', 'DESCRIBE'];
const isTablePolicy = (g: StoredGrant, catalogId: string) => g.resource.kind === 'tagpolicy' && g.resource.resourceType === 'TABLE' && g.resource.catalogId === catalogId;

/**
 * The store as the permission model reads it: an LFTagPolicy grant by ExpressionName carries the saved expression's
 * current body (a grant naming an expression that no longer exists matches nothing and is left out).
 */
function resolvingStore(raw: LakeFormationStore): LakeFormationStore {
  async function resolve<T>(rows: T[], grantOf: (row: T) => StoredGrant, withGrant: (row: T, g: StoredGrant) => T): Promise<T[]> {
    const out: T[] = [];
    for (const row of rows) {
      const g = grantOf(row);
      const r = g.resource;
      if (r.kind !== 'tagpolicy' || r.expressionName === undefined) {
        out.push(row);
        continue;
      }
      const saved = await raw.tagExpression(r.catalogId, r.expressionName);
      if (saved) out.push(withGrant(row, { ...g, resource: { ...r, expression: saved.expression } }));
    }
    return out;
  }
  return {
    ...raw,
    grants: async (a) => resolve(await raw.grants(a), (g) => g, (_g, g) => g),
    allGrants: async () => resolve(await raw.allGrants(), (x) => x.grant, (x, grant) => ({ ...x, grant })),
  };
}

export function createAccess(deps: AccessDeps) {
  const { glue, ram } = deps;
  const store = resolvingStore(deps.store);

  async function settings(account: string): Promise<DataLakeSettings> {
    return (await store.settings(account)) ?? DEFAULT_SETTINGS;
  }

  async function isAdmin(ctx: RequestContext, account: string): Promise<boolean> {
    if (ctx.accountId !== account) return false;
    const ids = principalIds(ctx);
    return ((await settings(account)).DataLakeAdmins ?? []).some((a) => ids.includes(a.DataLakePrincipalIdentifier ?? ''));
  }

  const onTable = (r: GrantResource, catalogId: string, database: string, table: string): boolean =>
    r.catalogId === catalogId && 'database' in r && r.database === database && 'table' in r && (r.table === table || (r.kind === 'table' && r.table === '*'));

  /** IAM mode: the table (or every table of its database, by wildcard) keeps its IAM_ALLOWED_PRINCIPALS grant. */
  async function iamMode(catalogId: string, database: string, table: string): Promise<boolean> {
    return (await store.grants(catalogId)).some((g) => g.principal === IAM_ALLOWED_PRINCIPALS && onTable(g.resource, catalogId, database, table));
  }

  /**
   * Hybrid access mode: one of `principals` is opted in (CreateLakeFormationOptIn) for the table or its database,
   * and the table's data lies in a location `catalogId` registered with HybridAccessEnabled. Then the
   * IAM_ALLOWED_PRINCIPALS grant does not apply to it: its own grants decide. Elsewhere an opt-in changes nothing.
   */
  async function optedIn(principals: readonly string[], catalogId: string, database: string, table: string): Promise<boolean> {
    const opts = (await store.optIns(catalogId)).filter((o) => principals.includes(o.principal) && o.resource.database === database && (o.resource.kind === 'database' || o.resource.table === table || o.resource.table === '*'));
    if (!opts.length) return false;
    const t = await glue.table(catalogId, database, table);
    return t !== undefined && (await registered(t.StorageDescriptor?.Location, catalogId, true));
  }

  /** IAM mode as it applies to `principals`: IAM_ALLOWED_PRINCIPALS holds the table and none of them is opted in. */
  async function iamModeFor(principals: readonly string[], catalogId: string, database: string, table: string): Promise<boolean> {
    return (await iamMode(catalogId, database, table)) && !(await optedIn(principals, catalogId, database, table));
  }

  /** The LF-Tags on a table of `catalogId`, its database and its columns (column names lower case). */
  async function assignedTags(catalogId: string, database: string, table?: string): Promise<AssignedTags> {
    const list = (await store.tagAssignments(catalogId)).filter((a) => a.database === database);
    const columns: Record<string, TagSet> = {};
    for (const a of list) if (table !== undefined && a.table === table && a.column !== undefined) columns[a.column] = a.tags;
    return {
      database: list.find((a) => a.table === undefined)?.tags ?? {},
      table: (table !== undefined && list.find((a) => a.table === table && a.column === undefined)?.tags) || {},
      columns,
    };
  }

  /**
   * LFTagPolicy TABLE grants among `grants` turned into grants on table `t` (reference §3.7: expand tags to named
   * resources first): the whole table when it and all its columns match; else its non-SELECT permissions when the
   * table matches, and SELECT on the columns whose own (inherited) tags match.
   */
  async function tagGrantsOnTable(grants: readonly StoredGrant[], t: GlueTable): Promise<StoredGrant[]> {
    const owner = t.CatalogId!;
    const policies = grants.filter((g) => isTablePolicy(g, owner));
    if (!policies.length) return [];
    const tags = await assignedTags(owner, t.DatabaseName!, t.Name);
    const all = columnNames(t);
    const out: StoredGrant[] = [];
    const table: GrantResource = { kind: 'table', catalogId: owner, database: t.DatabaseName!, table: t.Name };
    for (const g of policies) {
      const e = (g.resource as Extract<GrantResource, { kind: 'tagpolicy' }>).expression;
      const named = (g.resource as Extract<GrantResource, { kind: 'tagpolicy' }>).expressionName;
      const derived = { principal: g.principal, updated: g.updated, updatedBy: g.updatedBy, tagPolicy: `LF-Tag policy TABLE ${named !== undefined ? `${named} = ` : ''}${expressionText(e)}` };
      const tableMatch = matches(e, tableTags(tags));
      const cols = all.filter((c) => matches(e, columnTags(tags, c.toLowerCase())));
      if (tableMatch && cols.length === all.length) {
        out.push({ ...derived, resource: table, permissions: [...g.permissions], grantOption: [...g.grantOption] });
        continue;
      }
      const reads = g.permissions.includes('SELECT') || g.permissions.includes('ALL');
      const others = (g.permissions.includes('ALL') ? TABLE_PERMISSIONS_BUT_SELECT : g.permissions).filter((p) => p !== 'SELECT');
      if (tableMatch && others.length) out.push({ ...derived, resource: table, permissions: others, grantOption: g.grantOption.filter((p) => others.includes(p)), someColumnsUnmatched: true });
      if (reads && cols.length) out.push({ ...derived, resource: { ...table, kind: 'columns', include: cols }, permissions: ['SELECT'], grantOption: [] });
    }
    return out;
  }

  /** Grants of `principals` in `account` on a table, those derived from LF-Tag policies included. */
  async function grantsFor(account: string, principals: readonly string[], catalogId: string, database: string, table: string): Promise<StoredGrant[]> {
    const mine = (await store.grants(account)).filter((g) => principals.includes(g.principal));
    return withTagGrants(mine, catalogId, database, table);
  }

  async function withTagGrants(grants: readonly StoredGrant[], catalogId: string, database: string, table: string): Promise<StoredGrant[]> {
    const direct = grants.filter((g) => onTable(g.resource, catalogId, database, table));
    if (!grants.some((g) => isTablePolicy(g, catalogId))) return direct;
    const t = await glue.table(catalogId, database, table);
    if (!t || t.TargetTable) return direct;
    return [...direct, ...(await tagGrantsOnTable(grants, t))];
  }

  /**
   * A database of `catalogId` is visible through LF-Tags: an LFTagPolicy DATABASE grant matches its tags, or an
   * LFTagPolicy TABLE grant matches one of its tables or columns.
   */
  async function tagVisibleDatabase(account: string, principals: readonly string[], catalogId: string, database: string): Promise<boolean> {
    const policies = (await store.grants(account)).filter((g) => principals.includes(g.principal) && g.resource.kind === 'tagpolicy' && g.resource.catalogId === catalogId);
    if (!policies.length) return false;
    const assignments = (await store.tagAssignments(catalogId)).filter((a) => a.database === database);
    const dbTags = assignments.find((a) => a.table === undefined)?.tags ?? {};
    const tableNames = [...new Set(assignments.flatMap((a) => (a.table !== undefined ? [a.table] : [])))];
    for (const g of policies) {
      const r = g.resource as Extract<GrantResource, { kind: 'tagpolicy' }>;
      if (matches(r.expression, dbTags)) return true;
      if (r.resourceType !== 'TABLE') continue;
      for (const table of tableNames) {
        const tags = await assignedTags(catalogId, database, table);
        if (matches(r.expression, tableTags(tags)) || Object.keys(tags.columns).some((c) => matches(r.expression, columnTags(tags, c)))) return true;
      }
    }
    return false;
  }

  /** The SELECT grants among `grants` as cells over the table's columns. */
  async function cells(grants: readonly StoredGrant[], account: string, t: GlueTable): Promise<DecidedCells[]> {
    const all = columnNames(t);
    const out: DecidedCells[] = [];
    for (const g of grants) {
      if (!g.permissions.includes('SELECT') && !g.permissions.includes('ALL')) continue;
      const r = g.resource;
      const by = describe(g, account);
      if (r.kind === 'table') out.push({ columns: all, by });
      else if (r.kind === 'columns') out.push({ columns: r.include ? all.filter((c) => r.include!.includes(c)) : all.filter((c) => !(r.exclude ?? []).includes(c)), by });
      else if (r.kind === 'filter') {
        const f = await store.filter(r.catalogId, r.database, r.table, r.name);
        if (!f) continue;
        const cols = f.ColumnNames ? all.filter((c) => f.ColumnNames!.map((x) => x.toLowerCase()).includes(c)) : all.filter((c) => !(f.ColumnWildcard?.ExcludedColumnNames ?? []).map((x) => x.toLowerCase()).includes(c));
        out.push({ columns: cols, ...(f.RowFilter?.FilterExpression !== undefined && !f.RowFilter.AllRowsWildcard ? { rowFilter: f.RowFilter.FilterExpression } : {}), by });
      }
    }
    return out.filter((c) => c.columns.length > 0);
  }

  function intersect(consumer: readonly DecidedCells[], owner: readonly DecidedCells[]): DecidedCells[] {
    const out: DecidedCells[] = [];
    for (const c of consumer) {
      for (const o of owner) {
        const columns = c.columns.filter((x) => o.columns.includes(x));
        if (!columns.length) continue;
        const rowFilter = c.rowFilter && o.rowFilter ? `(${c.rowFilter}) AND (${o.rowFilter})` : (c.rowFilter ?? o.rowFilter);
        out.push({ columns, ...(rowFilter !== undefined ? { rowFilter } : {}), by: `${c.by}, within ${o.by}` });
      }
    }
    return out;
  }

  const tableArn = (region: string, c: string, d: string, t: string) => `arn:aws:glue:${region}:${c}:table/${d}/${t}`;
  const databaseArn = (region: string, c: string, d: string) => `arn:aws:glue:${region}:${c}:database/${d}`;

  async function shareAccepted(ctx: RequestContext, catalogId: string, database: string, table?: string): Promise<boolean> {
    if (catalogId === ctx.accountId) return true;
    if (table !== undefined && (await ram.accepted(ctx.accountId, tableArn(ctx.region, catalogId, database, table)))) return true;
    if (await ram.accepted(ctx.accountId, databaseArn(ctx.region, catalogId, database))) return true;
    if (table === undefined) {
      const prefix = `arn:aws:glue:${ctx.region}:${catalogId}:table/${database}/`;
      return (await ram.acceptedResources(ctx.accountId)).some((a) => a.startsWith(prefix));
    }
    return false;
  }

  /** What the owner granted the consumer's account (or, cross-account version 3+, the caller directly). */
  async function ownerLevel(ctx: RequestContext, t: GlueTable): Promise<{ account: DecidedCells[]; direct: DecidedCells[]; anyGrant: boolean }> {
    const owner = t.CatalogId!;
    const grants = await withTagGrants(await store.grants(owner), owner, t.DatabaseName!, t.Name);
    const toAccount = grants.filter((g) => g.principal === ctx.accountId || g.principal.startsWith('arn:aws:organizations::'));
    const direct = grants.filter((g) => principalIds(ctx).includes(g.principal));
    return { account: await cells(toAccount, owner, t), direct: await cells(direct, owner, t), anyGrant: toAccount.length + direct.length > 0 };
  }

  /**
   * The caller's effective cells on an owner's table (never a link): undefined in IAM mode, else the list (empty:
   * no access). Cross-account: the consumer account's grants intersected with the owner's grant to the account.
   */
  async function effective(ctx: RequestContext, t: GlueTable): Promise<{ iam: true; by: string } | { iam: false; cells: DecidedCells[] }> {
    const owner = t.CatalogId!;
    if (await iamModeFor(principalIds(ctx), owner, t.DatabaseName!, t.Name)) return { iam: true, by: `IAM_ALLOWED_PRINCIPALS on ${owner}:${t.DatabaseName}.${t.Name} (IAM access control)` };
    const mine = await cells(await grantsFor(ctx.accountId, principalIds(ctx), owner, t.DatabaseName!, t.Name), ctx.accountId, t);
    if (owner === ctx.accountId) return { iam: false, cells: mine };
    const level = await ownerLevel(ctx, t);
    return { iam: false, cells: [...intersect(mine, level.account), ...level.direct] };
  }

  /** Any permission at all on a table by the caller (for metadata: DESCRIBE, ALTER … count). */
  async function anyPermission(ctx: RequestContext, catalogId: string, database: string, table: string): Promise<boolean> {
    return (await grantsFor(ctx.accountId, principalIds(ctx), catalogId, database, table)).length > 0;
  }

  /** `location` lies in a registered location (of `owner`, if given; with HybridAccessEnabled, if `hybrid`). */
  async function registered(location: string | undefined, owner?: string, hybrid = false): Promise<boolean> {
    if (!location) return false;
    const s3 = location.replace(/^s3a?:\/\//, '');
    const locs = owner ? await store.locations(owner) : await store.allLocations();
    return locs.some((l) => {
      if (hybrid && !l.hybrid) return false;
      const base = l.arn.replace(/^arn:aws:s3:::/, '').replace(/\/$/, '');
      return s3 === base || s3.startsWith(`${base}/`);
    });
  }

  return { settings, isAdmin, iamMode, iamModeFor, optedIn, grantsFor, assignedTags, tagVisibleDatabase, cells, intersect, effective, anyPermission, shareAccepted, ownerLevel, registered, glue, store, ram };
}

export type Access = ReturnType<typeof createAccess>;
