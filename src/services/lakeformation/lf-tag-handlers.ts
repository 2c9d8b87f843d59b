/**
 * LF-Tag operations: the tag catalog (Create/Get/List/Update/DeleteLFTag), assignment to databases, tables and
 * columns (Add/Remove/GetResourceLFTags), search, and RAM sharing of what an LFTagPolicy grant reaches in another
 * account. The permission model that honours the grants is in access.ts.
 */
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { keysetPage } from '../../core/pagination.js';
import type { GlueTable } from '../glue/index.js';
import { columnNames, principalIds, type Access } from './access.js';
import type { LakeFormationOperations, LFTagError, LFTagPair, Resource } from './api.gen.js';
import { MAX_TAGS_PER_RESOURCE, MAX_VALUES_PER_KEY, columnTags, matches, normaliseExpression, pairs, tableTags, type TagExpression } from './lf-tags.js';
import type { GrantResource, StoredAssignment, StoredGrant } from './model.js';
import type { Sharing } from './sharing.js';
import type { Handlers } from '../../core/service.js';

const invalid = (m: string) => new AwsError('InvalidInputException', m);
const notFound = (m: string) => new AwsError('EntityNotFoundException', m);
const denied = (m: string) => new AwsError('AccessDeniedException', m);
const badToken = () => invalid('Invalid NextToken');

export const TAG_KEY_NOT_FOUND = 'Tag key does not exist';
const ONE_VALUE = 'Tag value wild card was found or input tag value list has size not equal to 1';

type TagOps = 'CreateLFTag' | 'GetLFTag' | 'ListLFTags' | 'UpdateLFTag' | 'DeleteLFTag' | 'AddLFTagsToResource' | 'RemoveLFTagsFromResource' | 'GetResourceLFTags' | 'SearchTablesByLFTags' | 'SearchDatabasesByLFTags';

/** The tagged thing a `Resource` names (a database, a table, or columns of a table). */
interface Target {
  readonly catalogId: string;
  readonly database: string;
  readonly table?: GlueTable;
  readonly columns?: readonly string[];
}

export function createLFTags(access: Access, sharing: Sharing) {
  const { store, glue } = access;
  const { syncShares } = sharing;

  /** Throws unless `key` is an LF-Tag of `catalogId` holding every value (`*` stands for all of them). */
  async function definedValues(catalogId: string, key: string, values: readonly string[]): Promise<string[]> {
    const t = await store.lfTag(catalogId, key.toLowerCase());
    if (!t) throw notFound(TAG_KEY_NOT_FOUND);
    const missing = values.map((v) => v.toLowerCase()).filter((v) => v !== '*' && !t.values.includes(v));
    if (missing.length) throw invalid(`Tag value(s) ${missing.join(', ')} do not exist for tag key ${t.key}`);
    return t.values;
  }

  const myGrants = async (ctx: RequestContext, account: string): Promise<StoredGrant[]> => {
    const ids = principalIds(ctx);
    return (await store.grants(account)).filter((g) => ids.includes(g.principal));
  };

  /**
   * The values of `key` the caller may see: all for a data lake admin, else those of its LFTag grants and of the
   * LFTagPolicy grants that name the key. A consumer account sees the owner's tags granted to it.
   */
  async function visibleValues(ctx: RequestContext, catalogId: string, key: string, all: readonly string[]): Promise<string[]> {
    if (catalogId === ctx.accountId && (await access.isAdmin(ctx, catalogId))) return [...all];
    const grants = [...(await myGrants(ctx, ctx.accountId))];
    if (catalogId !== ctx.accountId) grants.push(...(await store.grants(catalogId)).filter((g) => g.principal === ctx.accountId || principalIds(ctx).includes(g.principal)));
    const seen = new Set<string>();
    for (const g of grants) {
      const r = g.resource;
      if (r.catalogId !== catalogId) continue;
      const values = r.kind === 'lftag' && r.key === key ? r.values : r.kind === 'tagpolicy' ? (r.expression.find((t) => t.key === key)?.values ?? []) : [];
      for (const v of values) for (const x of v === '*' ? all : [v]) if (all.includes(x)) seen.add(x);
    }
    return all.filter((v) => seen.has(v));
  }

  /** A data lake admin of the catalog, or a holder of `permission` on the tag key (for all of `values`). */
  async function mayOnTag(ctx: RequestContext, catalogId: string, key: string, values: readonly string[], permission: string): Promise<boolean> {
    if (catalogId === ctx.accountId && (await access.isAdmin(ctx, catalogId))) return true;
    const held = (await myGrants(ctx, ctx.accountId)).filter((g) => g.resource.kind === 'lftag' && g.resource.catalogId === catalogId && g.resource.key === key && g.permissions.includes(permission));
    return values.every((v) => held.some((g) => (g.resource as Extract<GrantResource, { kind: 'lftag' }>).values.some((x) => x === '*' || x === v)));
  }

  async function target(ctx: RequestContext, r: Resource, catalogId: string | undefined): Promise<Target> {
    const account = catalogId ?? ctx.accountId;
    const named = [r.Database, r.Table, r.TableWithColumns].filter((x) => x !== undefined);
    if (named.length !== 1 || r.Catalog || r.DataLocation || r.DataCellsFilter || r.LFTag || r.LFTagPolicy || r.LFTagExpression) throw invalid('Resource parameter must have exactly 1 resource specified: a Database, a Table or a TableWithColumns.');
    if (r.Database) {
      const owner = r.Database.CatalogId ?? account;
      const d = await glue.database(owner, r.Database.Name.toLowerCase());
      if (!d) throw notFound(`Database ${r.Database.Name} not found.`);
      return { catalogId: owner, database: d.Name };
    }
    const t = r.Table ?? r.TableWithColumns!;
    if (r.Table && r.Table.Name === undefined) throw invalid('LF-Tags cannot be assigned through a table wildcard; name the table.');
    const owner = t.CatalogId ?? account;
    if (!(await glue.database(owner, t.DatabaseName.toLowerCase()))) throw notFound(`Database ${t.DatabaseName} not found.`);
    const table = await glue.table(owner, t.DatabaseName.toLowerCase(), t.Name!.toLowerCase());
    if (!table) throw notFound(`Table ${t.Name} not found.`);
    if (!r.TableWithColumns) return { catalogId: owner, database: table.DatabaseName!, table };
    if (!r.TableWithColumns.ColumnNames?.length) throw invalid('LF-Tags are assigned to columns named in ColumnNames.');
    const all = columnNames(table).map((c) => c.toLowerCase());
    const columns = [...new Set(r.TableWithColumns.ColumnNames.map((c) => c.toLowerCase()))];
    for (const c of columns) if (!all.includes(c)) throw invalid(`Column ${c} not found in table ${table.DatabaseName}.${table.Name}.`);
    return { catalogId: owner, database: table.DatabaseName!, table, columns };
  }

  /** The caller may read the resource's tags: an admin of its catalog, or a holder of some permission on it. */
  async function mayDescribe(ctx: RequestContext, t: Target): Promise<boolean> {
    if (t.catalogId !== ctx.accountId && !(await access.shareAccepted(ctx, t.catalogId, t.database, t.table?.Name))) return false;
    if (await access.isAdmin(ctx, ctx.accountId)) return true;
    const ids = principalIds(ctx);
    if (t.table) return (await access.grantsFor(ctx.accountId, ids, t.catalogId, t.database, t.table.Name)).length > 0;
    const direct = (await store.grants(ctx.accountId)).some((g) => ids.includes(g.principal) && g.resource.catalogId === t.catalogId && 'database' in g.resource && g.resource.database === t.database);
    return direct || (await access.tagVisibleDatabase(ctx.accountId, ids, t.catalogId, t.database));
  }

  /** The assignment records `t` names (one per column, or the database's or table's). */
  async function records(t: Target): Promise<StoredAssignment[]> {
    const existing = (await store.tagAssignments(t.catalogId)).filter((a) => a.database === t.database);
    const find = (table?: string, column?: string) => existing.find((a) => a.table === table && a.column === column) ?? { database: t.database, ...(table !== undefined ? { table } : {}), ...(column !== undefined ? { column } : {}), tags: {} };
    if (!t.table) return [find()];
    if (!t.columns) return [find(t.table.Name)];
    return t.columns.map((c) => find(t.table!.Name, c));
  }

  function checkPairs(list: readonly LFTagPair[]): void {
    const keys = list.map((p) => p.TagKey.toLowerCase());
    if (new Set(keys).size !== keys.length) throw invalid('Provided list of tags contains duplicate tag key');
    for (const p of list) if (p.TagValues.length !== 1 || p.TagValues[0] === '*') throw invalid(ONE_VALUE);
  }

  /** Adds (or removes) the pairs on every record; per-pair failures as Lake Formation reports them. */
  async function change(ctx: RequestContext, input: { CatalogId?: string; Resource: Resource; LFTags: LFTagPair[] }, adding: boolean): Promise<{ Failures: LFTagError[] }> {
    checkPairs(input.LFTags);
    const t = await target(ctx, input.Resource, input.CatalogId);
    const recs = await records(t);
    const failures: LFTagError[] = [];
    const fail = (p: LFTagPair, code: string, message: string) => failures.push({ LFTag: { CatalogId: p.CatalogId ?? t.catalogId, TagKey: p.TagKey, TagValues: p.TagValues }, Error: { ErrorCode: code, ErrorMessage: message } });
    for (const p of input.LFTags) {
      const key = p.TagKey.toLowerCase();
      const value = p.TagValues[0]!.toLowerCase();
      if ((p.CatalogId ?? t.catalogId) !== t.catalogId) {
        fail(p, 'InvalidInputException', 'The LF-Tag must belong to the catalog of the resource.');
        continue;
      }
      const def = await store.lfTag(t.catalogId, key);
      if (!def) {
        fail(p, 'EntityNotFoundException', TAG_KEY_NOT_FOUND);
        continue;
      }
      if (!def.values.includes(value)) {
        fail(p, 'InvalidInputException', `Tag value ${value} does not exist for tag key ${key}`);
        continue;
      }
      if (!(await mayOnTag(ctx, t.catalogId, key, [value], 'ASSOCIATE'))) {
        fail(p, 'AccessDeniedException', `Insufficient Lake Formation permission(s): Required Associate on ${key}`);
        continue;
      }
      for (const rec of recs) {
        if (adding) {
          if (rec.tags[key] === undefined && Object.keys(rec.tags).length >= MAX_TAGS_PER_RESOURCE) {
            fail(p, 'ResourceNumberLimitExceededException', `A resource can have at most ${MAX_TAGS_PER_RESOURCE} LF-Tags.`);
            break;
          }
          rec.tags = { ...rec.tags, [key]: value };
        } else if (rec.tags[key] === value) {
          const { [key]: _gone, ...rest } = rec.tags;
          rec.tags = rest;
        } else {
          fail(p, 'EntityNotFoundException', `Tag ${key}=${value} is not assigned to the resource.`);
          break;
        }
      }
    }
    for (const rec of recs) await store.putTagAssignment(t.catalogId, rec);
    if (t.catalogId === ctx.accountId) await syncShares(t.catalogId, ctx.region, ctx.now);
    return { Failures: failures };
  }

  async function searchExpression(catalogId: string, expression: Parameters<typeof normaliseExpression>[0]): Promise<TagExpression> {
    const e = normaliseExpression(expression);
    for (const t of e) await definedValues(catalogId, t.key, t.values);
    return e;
  }

  const handlers: Handlers<Pick<LakeFormationOperations, TagOps>> = {
    CreateLFTag: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      if (account !== ctx.accountId || !(await access.isAdmin(ctx, account))) throw denied('Insufficient Lake Formation permission(s): Required Create Tag on Catalog');
      const values = [...new Set(input.TagValues.map((v) => v.toLowerCase()))];
      if (values.includes('*')) throw invalid(ONE_VALUE);
      if (values.length > MAX_VALUES_PER_KEY) throw new AwsError('ResourceNumberLimitExceededException', `A tag key can have at most ${MAX_VALUES_PER_KEY} values.`);
      if (!(await store.insertLFTag(account, { key: input.TagKey.toLowerCase(), values }))) throw invalid('Tag key already exists');
      return {};
    },
    GetLFTag: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const t = await store.lfTag(catalogId, input.TagKey.toLowerCase());
      if (!t) throw notFound(TAG_KEY_NOT_FOUND);
      const values = await visibleValues(ctx, catalogId, t.key, t.values);
      if (!values.length) throw denied(`Insufficient Lake Formation permission(s): Required Describe on ${t.key}`);
      return { CatalogId: catalogId, TagKey: t.key, TagValues: values };
    },
    ListLFTags: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const catalogs = input.ResourceShareType === 'FOREIGN' || input.ResourceShareType === 'ALL' ? await foreignCatalogs(ctx) : [];
      if (input.ResourceShareType !== 'FOREIGN') catalogs.unshift(catalogId);
      const out: { CatalogId: string; TagKey: string; TagValues: string[] }[] = [];
      for (const c of catalogs) {
        for (const t of await store.lfTags(c)) {
          const values = await visibleValues(ctx, c, t.key, t.values);
          if (values.length) out.push({ CatalogId: c, TagKey: t.key, TagValues: values });
        }
      }
      const key = (t: { CatalogId: string; TagKey: string }) => `${t.CatalogId}/${t.TagKey}`;
      out.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      const page = keysetPage(out, key, `ListLFTags:${catalogId}:${input.ResourceShareType ?? ''}`, input.MaxResults ?? 1000, input.NextToken, badToken);
      return { LFTags: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    UpdateLFTag: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      const key = input.TagKey.toLowerCase();
      const t = await store.lfTag(account, key);
      if (!t) throw notFound(TAG_KEY_NOT_FOUND);
      if (account !== ctx.accountId || !(await mayOnTag(ctx, account, key, ['*'], 'ALTER'))) throw denied(`Insufficient Lake Formation permission(s): Required Alter on ${key}`);
      const add = (input.TagValuesToAdd ?? []).map((v) => v.toLowerCase());
      const drop = (input.TagValuesToDelete ?? []).map((v) => v.toLowerCase());
      if (!add.length && !drop.length) throw invalid('Either TagValuesToAdd or TagValuesToDelete must be specified.');
      if (add.includes('*')) throw invalid(ONE_VALUE);
      const missing = drop.filter((v) => !t.values.includes(v));
      if (missing.length) throw notFound(`Tag value(s) ${missing.join(', ')} do not exist for tag key ${key}`);
      const values = [...new Set([...t.values.filter((v) => !drop.includes(v)), ...add])];
      if (!values.length) throw invalid('A tag key must keep at least one value.');
      if (values.length > MAX_VALUES_PER_KEY) throw new AwsError('ResourceNumberLimitExceededException', `A tag key can have at most ${MAX_VALUES_PER_KEY} values.`);
      await store.putLFTag(account, { key, values });
      // A deleted value leaves the resources it was assigned to.
      if (drop.length) for (const a of await store.tagAssignments(account)) if (a.tags[key] !== undefined && drop.includes(a.tags[key]!)) await dropKey(account, a, key);
      if (drop.length) await syncShares(account, ctx.region, ctx.now);
      return {};
    },
    DeleteLFTag: async (input, ctx) => {
      const account = input.CatalogId ?? ctx.accountId;
      const key = input.TagKey.toLowerCase();
      if (!(await store.lfTag(account, key))) throw notFound(TAG_KEY_NOT_FOUND);
      if (account !== ctx.accountId || !(await mayOnTag(ctx, account, key, ['*'], 'DROP'))) throw denied(`Insufficient Lake Formation permission(s): Required Drop on ${key}`);
      await store.deleteLFTag(account, key);
      for (const a of await store.tagAssignments(account)) if (a.tags[key] !== undefined) await dropKey(account, a, key);
      // Grants on the key, and LF-Tag policies that name it, can no longer match anything.
      for (const { account: holder, grant } of await store.allGrants()) {
        const r = grant.resource;
        // A policy by expression name stays: the saved expression no longer matches anything through this key.
        if (r.catalogId === account && ((r.kind === 'lftag' && r.key === key) || (r.kind === 'tagpolicy' && r.expressionName === undefined && r.expression.some((t) => t.key === key)))) await store.deleteGrant(holder, grant);
      }
      await syncShares(account, ctx.region, ctx.now);
      return {};
    },
    AddLFTagsToResource: (input, ctx) => change(ctx, input, true),
    RemoveLFTagsFromResource: (input, ctx) => change(ctx, input, false),
    GetResourceLFTags: async (input, ctx) => {
      const t = await target(ctx, input.Resource, input.CatalogId);
      if (!(await mayDescribe(ctx, t))) throw denied('Insufficient Lake Formation permission(s) on the resource.');
      const tags = await access.assignedTags(t.catalogId, t.database, t.table?.Name);
      const assigned = input.ShowAssignedLFTags === true;
      const list = (set: Readonly<Record<string, string>>) => pairs(t.catalogId, set);
      const nonEmpty = <K extends string, V extends unknown[]>(k: K, v: V) => (v.length ? { [k]: v } : {}) as Partial<Record<K, V>>;
      if (!t.table) return nonEmpty('LFTagOnDatabase', list(tags.database));
      const columns = (t.columns ?? columnNames(t.table).map((c) => c.toLowerCase()))
        .map((c) => ({ Name: c, LFTags: list(assigned ? (tags.columns[c] ?? {}) : columnTags(tags, c)) }))
        .filter((c) => c.LFTags.length);
      return {
        ...nonEmpty('LFTagOnDatabase', list(tags.database)),
        ...(t.columns ? {} : nonEmpty('LFTagsOnTable', list(assigned ? tags.table : tableTags(tags)))),
        ...nonEmpty('LFTagsOnColumns', columns),
      };
    },
    SearchTablesByLFTags: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const e = await searchExpression(catalogId, input.Expression);
      const admin = catalogId === ctx.accountId && (await access.isAdmin(ctx, catalogId));
      const found: { key: string; Table: { CatalogId: string; DatabaseName: string; Name: string }; tags: Awaited<ReturnType<typeof access.assignedTags>>; columns: string[] }[] = [];
      for (const d of await glue.databases(catalogId)) {
        if (d.TargetDatabase) continue;
        for (const t of await glue.tables(catalogId, d.Name)) {
          if (t.TargetTable) continue;
          const tags = await access.assignedTags(catalogId, d.Name, t.Name);
          const columns = columnNames(t).map((c) => c.toLowerCase());
          if (!matches(e, tableTags(tags)) && !columns.some((c) => matches(e, columnTags(tags, c)))) continue;
          if (!admin && !(await mayDescribe(ctx, { catalogId, database: d.Name, table: t }))) continue;
          found.push({ key: `${d.Name}/${t.Name}`, Table: { CatalogId: catalogId, DatabaseName: d.Name, Name: t.Name }, tags, columns });
        }
      }
      found.sort((a, b) => (a.key < b.key ? -1 : 1));
      const page = keysetPage(found, (f) => f.key, `SearchTablesByLFTags:${catalogId}:${JSON.stringify(e)}`, input.MaxResults ?? 100, input.NextToken, badToken);
      return {
        TableList: page.items.map((f) => ({
          Table: f.Table,
          LFTagOnDatabase: pairs(catalogId, f.tags.database),
          LFTagsOnTable: pairs(catalogId, tableTags(f.tags)),
          LFTagsOnColumns: f.columns.map((c) => ({ Name: c, LFTags: pairs(catalogId, columnTags(f.tags, c)) })),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
    SearchDatabasesByLFTags: async (input, ctx) => {
      const catalogId = input.CatalogId ?? ctx.accountId;
      const e = await searchExpression(catalogId, input.Expression);
      const admin = catalogId === ctx.accountId && (await access.isAdmin(ctx, catalogId));
      const found: { name: string; tags: Readonly<Record<string, string>> }[] = [];
      for (const d of await glue.databases(catalogId)) {
        if (d.TargetDatabase) continue;
        const tags = (await access.assignedTags(catalogId, d.Name)).database;
        if (!matches(e, tags)) continue;
        if (!admin && !(await mayDescribe(ctx, { catalogId, database: d.Name }))) continue;
        found.push({ name: d.Name, tags });
      }
      found.sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = keysetPage(found, (f) => f.name, `SearchDatabasesByLFTags:${catalogId}:${JSON.stringify(e)}`, input.MaxResults ?? 100, input.NextToken, badToken);
      return { DatabaseList: page.items.map((f) => ({ Database: { CatalogId: catalogId, Name: f.name }, LFTags: pairs(catalogId, f.tags) })), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  };

  async function dropKey(account: string, a: StoredAssignment, key: string): Promise<void> {
    const { [key]: _gone, ...rest } = a.tags;
    await store.putTagAssignment(account, { ...a, tags: rest });
  }

  /** Catalogs whose owners granted LF-Tag permissions to the caller's account or to the caller. */
  async function foreignCatalogs(ctx: RequestContext): Promise<string[]> {
    const ids = [ctx.accountId, ...principalIds(ctx)];
    const out = new Set<string>();
    for (const { account, grant } of await store.allGrants()) {
      if (account !== ctx.accountId && ids.includes(grant.principal) && (grant.resource.kind === 'lftag' || grant.resource.kind === 'tagpolicy' || grant.resource.kind === 'tagexpression')) out.add(account);
    }
    return [...out].sort();
  }

  /** A consumer account re-grants LF-Tag resources of `owner` only when the owner granted it some. */
  async function grantedByOwner(ctx: RequestContext, owner: string): Promise<boolean> {
    const ids = [ctx.accountId, ...principalIds(ctx)];
    return (await store.grants(owner)).some((g) => ids.includes(g.principal) && (g.resource.kind === 'lftag' || g.resource.kind === 'tagpolicy' || g.resource.kind === 'tagexpression'));
  }

  return { handlers, definedValues, grantedByOwner, mayOnTag };
}
