/**
 * Lake Formation's side of Glue: the creator's implicit permissions and the default IAM_ALLOWED_PRINCIPALS grants
 * on creation (§5.4), grants dropped with their resource, and what the caller may see of the catalog.
 */
import type { RequestContext } from '../../core/context.js';
import type { GlueGovernance, WriteNeed } from '../glue/index.js';
import { principalIds, type Access } from './access.js';
import { matches } from './lf-tags.js';
import { IAM_ALLOWED_PRINCIPALS, type GrantResource, type StoredGrant } from './model.js';
import type { Sharing } from './sharing.js';

export function createGovernance(access: Access, sharing: Sharing): GlueGovernance {
  const { store, glue } = access;
  const creator = (ctx: RequestContext) => ctx.principal.roleArn ?? ctx.principal.arn;

  async function put(account: string, principal: string, resource: GrantResource, permissions: string[], grantOption: string[], ctx: RequestContext) {
    const g: StoredGrant = { principal, resource, permissions, grantOption, updated: ctx.now, updatedBy: ctx.principal.arn };
    await store.putGrant(account, g);
  }

  /** Whether `grants` give one of `principals` the permission `need` names (ALL included). */
  async function holds(account: string, principals: readonly string[], catalogId: string, need: WriteNeed): Promise<boolean> {
    const has = (g: StoredGrant) => principals.includes(g.principal) && (g.permissions.includes(need.permission) || g.permissions.includes('ALL'));
    if (need.permission === 'CREATE_DATABASE') return (await store.grants(account)).some((g) => has(g) && g.resource.kind === 'catalog' && g.resource.catalogId === catalogId);
    if (need.table !== undefined) {
      if (await access.iamModeFor(principals, catalogId, need.database, need.table)) return true;
      return (await access.grantsFor(account, principals, catalogId, need.database, need.table)).some((g) => has(g) && g.resource.kind === 'table');
    }
    const grants = (await store.grants(account)).filter(has);
    if (grants.some((g) => g.resource.kind === 'database' && g.resource.catalogId === catalogId && g.resource.database === need.database)) return true;
    // An LF-Tag policy on databases whose tags match this one's.
    const policies = grants.filter((g) => g.resource.kind === 'tagpolicy' && g.resource.resourceType === 'DATABASE' && g.resource.catalogId === catalogId);
    if (!policies.length) return false;
    const tags = (await access.assignedTags(catalogId, need.database)).database;
    return policies.some((g) => g.resource.kind === 'tagpolicy' && matches(g.resource.expression, tags));
  }

  return {
    async permits(ctx, catalogId, need) {
      // Another account's catalog: only where the owner left IAM to decide (its resource policy, checked by IAM).
      // Whether a consumer's CREATE_TABLE/ALTER/DROP grant on a shared database lets it write there is not modelled.
      if (catalogId !== ctx.accountId) return holds(catalogId, [IAM_ALLOWED_PRINCIPALS], catalogId, need);
      // A data lake admin may create databases and tables, but alters and drops others' tables only when granted.
      if ((need.permission === 'CREATE_DATABASE' || need.permission === 'CREATE_TABLE') && (await access.isAdmin(ctx, catalogId))) return true;
      return holds(catalogId, [...principalIds(ctx), IAM_ALLOWED_PRINCIPALS], catalogId, need);
    },
    tableDefaults: async (catalogId) => (await access.settings(catalogId)).CreateTableDefaultPermissions ?? [],
    async created(ctx, catalogId, database, table) {
      const settings = await access.settings(catalogId);
      if (table === undefined) {
        const resource: GrantResource = { kind: 'database', catalogId, database };
        await put(catalogId, creator(ctx), resource, ['ALL'], ['ALL'], ctx);
        if ((settings.CreateDatabaseDefaultPermissions ?? []).some((p) => p.Principal?.DataLakePrincipalIdentifier === IAM_ALLOWED_PRINCIPALS)) await put(catalogId, IAM_ALLOWED_PRINCIPALS, resource, ['ALL'], [], ctx);
        return;
      }
      const resource: GrantResource = { kind: 'table', catalogId, database, table };
      await put(catalogId, creator(ctx), resource, ['ALL'], ['ALL'], ctx);
      const db = await glue.database(catalogId, database);
      const defaults = db?.CreateTableDefaultPermissions ?? settings.CreateTableDefaultPermissions ?? [];
      if (defaults.some((p) => p.Principal?.DataLakePrincipalIdentifier === IAM_ALLOWED_PRINCIPALS)) await put(catalogId, IAM_ALLOWED_PRINCIPALS, resource, ['ALL'], [], ctx);
      // A table in a tagged database may match an LF-Tag policy granted to another account: RAM carries it now.
      await sharing.syncShares(catalogId, ctx.region, ctx.now);
    },
    async dropped(ctx, catalogId, database, table) {
      for (const { account, grant } of await store.allGrants()) {
        const r = grant.resource;
        if (r.catalogId !== catalogId || !('database' in r) || r.database !== database) continue;
        if (table !== undefined && (!('table' in r) || r.table !== table)) continue;
        await store.deleteGrant(account, grant);
      }
      // Opt-ins go with their database or table.
      for (const o of await store.optIns(catalogId)) {
        if (o.resource.database !== database || (table !== undefined && (o.resource.kind !== 'table' || o.resource.table !== table))) continue;
        await store.deleteOptIn(catalogId, o);
      }
      await sharing.syncShares(catalogId, ctx.region, ctx.now);
    },
    async databaseVisible(ctx, catalogId, database) {
      if (catalogId === ctx.accountId) {
        if (await access.isAdmin(ctx, catalogId)) return true;
        const ids = [...principalIds(ctx), IAM_ALLOWED_PRINCIPALS];
        if ((await store.grants(catalogId)).some((g) => ids.includes(g.principal) && g.resource.catalogId === catalogId && 'database' in g.resource && g.resource.database === database)) return true;
        return access.tagVisibleDatabase(catalogId, ids, catalogId, database);
      }
      // IAM access control on the owner's database: IAM (with the catalog's resource policy) already decided.
      if ((await store.grants(catalogId)).some((g) => g.principal === IAM_ALLOWED_PRINCIPALS && g.resource.kind === 'database' && g.resource.database === database)) return true;
      if (!(await access.shareAccepted(ctx, catalogId, database))) return false;
      if (await access.isAdmin(ctx, ctx.accountId)) return true;
      const ids = principalIds(ctx);
      if ((await store.grants(ctx.accountId)).some((g) => ids.includes(g.principal) && g.resource.catalogId === catalogId && 'database' in g.resource && g.resource.database === database)) return true;
      return access.tagVisibleDatabase(ctx.accountId, ids, catalogId, database);
    },
    async tableVisibility(ctx, catalogId, database, table) {
      const t = await glue.table(catalogId, database, table);
      if (!t) return 'hidden';
      // IAM mode first: across accounts the catalog's resource policy (checked by IAM) is then the whole story.
      if (await access.iamModeFor(principalIds(ctx), catalogId, database, table)) return 'all';
      if (catalogId !== ctx.accountId && !(await access.shareAccepted(ctx, catalogId, database, table))) return 'hidden';
      const admin = await access.isAdmin(ctx, ctx.accountId);
      // A resource link has no columns: its creator, admins and grantees see it.
      if (t.TargetTable) return admin || (await access.anyPermission(ctx, catalogId, database, table)) ? 'all' : 'hidden';
      if (catalogId === ctx.accountId) {
        if (admin) return 'all';
        const grants = await access.grantsFor(ctx.accountId, principalIds(ctx), catalogId, database, table);
        // A table permission other than SELECT shows every column, unless it comes from an LF-Tag policy: then the
        // columns whose tags do not match stay hidden (the SELECT cells below name the matching ones).
        if (grants.some((g) => g.resource.kind === 'table' && !g.someColumnsUnmatched && g.permissions.some((p) => p !== 'SELECT'))) return 'all';
        const cells = await access.cells(grants, ctx.accountId, t);
        if (cells.length) return new Set(cells.flatMap((c) => c.columns));
        return grants.length ? new Set() : 'hidden';
      }
      const owner = await access.ownerLevel(ctx, t);
      // The consumer's admin sees what the owner shared with its account.
      if (admin) return owner.anyGrant ? new Set([...owner.account, ...owner.direct].flatMap((c) => c.columns)) : 'hidden';
      const eff = await access.effective(ctx, t);
      if (eff.iam) return 'all';
      if (eff.cells.length) return new Set(eff.cells.flatMap((c) => c.columns));
      return (await access.anyPermission(ctx, catalogId, database, table)) ? new Set() : 'hidden';
    },
    async foreignDatabases(ctx) {
      const seen = new Map<string, { catalogId: string; database: string }>();
      for (const arn of await access.ram.acceptedResources(ctx.accountId)) {
        const m = /^arn:aws:glue:[^:]*:(\d{12}):(?:database\/([^/]+)|table\/([^/]+)\/)/.exec(arn);
        if (!m || m[1] === ctx.accountId) continue;
        const database = m[2] ?? m[3]!;
        seen.set(`${m[1]}/${database}`, { catalogId: m[1]!, database });
      }
      return [...seen.values()];
    },
    registered: (location) => access.registered(location),
  };
}
