import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../../core/context.js';
import { keysetPage } from '../../core/pagination.js';
import type { Handlers } from '../../core/service.js';
import type { BatchPermissionsFailureEntry, BatchPermissionsRequestEntry, DataCellsFilter, GrantPermissionsRequest, LakeFormationOperations, PrincipalResourcePermissions, ResourceInfo } from './api.gen.js';
import { columnNames, principalIds, type Access } from './access.js';
import { IAM_ALLOWED_PRINCIPALS, grantKey, validPermissions, normaliseResource, resourceView, sharedArn, type GrantResource, type StoredGrant, type StoredLocation } from './model.js';
import type { RoleCredentialsPort } from '../../core/role-credentials.js';
import { createLFTags } from './lf-tag-handlers.js';
import { createLFTagExpressions } from './lf-tag-expressions.js';
import { createVending } from './vending.js';
import { createOptIns } from './opt-ins.js';
import { validateRowFilter } from './row-filter.js';
import { createSharing, externalRecipient } from './sharing.js';

export const lfErrors = {
  invalid: (m: string) => new AwsError('InvalidInputException', m),
  notFound: (m: string) => new AwsError('EntityNotFoundException', m),
  exists: (m: string) => new AwsError('AlreadyExistsException', m),
  denied: (m = 'Resource does not exist or requester is not authorized to access requested permissions.') => new AwsError('AccessDeniedException', m),
  badToken: () => new AwsError('InvalidInputException', 'Invalid NextToken'),
};

export function lakeFormationHandlers(access: Access, roles: RoleCredentialsPort): Handlers<LakeFormationOperations> {
  const { store, glue } = access;
  const sharing = createSharing(access);
  const tags = createLFTags(access, sharing);
  const expressions = createLFTagExpressions(access, tags, sharing);
  const vending = createVending(access, roles);

  function sameAccount(ctx: RequestContext, catalogId: string | undefined): string {
    const account = catalogId ?? ctx.accountId;
    if (account !== ctx.accountId) throw lfErrors.denied(`Cross account access to the Lake Formation settings of ${account} is not allowed.`);
    return account;
  }

  async function resourceExists(r: GrantResource): Promise<void> {
    if (r.kind === 'catalog') return;
    if (r.kind === 'lftag') return void (await tags.definedValues(r.catalogId, r.key, r.values));
    if (r.kind === 'tagpolicy') {
      if (r.expressionName !== undefined) return void (await expressions.require(r.catalogId, r.expressionName));
      for (const t of r.expression) await tags.definedValues(r.catalogId, t.key, t.values);
      return;
    }
    if (r.kind === 'tagexpression') return void (await expressions.require(r.catalogId, r.name));
    if (r.kind === 'location') {
      if (!(await store.locations(r.catalogId)).some((l) => l.arn === r.arn)) throw lfErrors.notFound(`Location ${r.arn} is not registered.`);
      return;
    }
    if (!(await glue.database(r.catalogId, r.database))) throw lfErrors.notFound(`Database ${r.database} not found.`);
    if (r.kind === 'database' || (r.kind === 'table' && r.table === '*')) return;
    const t = await glue.table(r.catalogId, r.database, r.table);
    if (!t) throw lfErrors.notFound(`Table ${r.table} not found.`);
    if (r.kind === 'columns') {
      const all = columnNames(t);
      for (const c of r.include ?? r.exclude ?? []) if (!all.includes(c)) throw lfErrors.invalid(`Column ${c} not found in table ${r.database}.${r.table}.`);
    }
    if (r.kind === 'filter' && !(await store.filter(r.catalogId, r.database, r.table, r.name))) throw lfErrors.notFound(`Data cells filter ${r.name} not found.`);
  }

  /** Grant option on the resource itself, or on the whole table for columns and filters of it. */
  async function holdsGrantOption(ctx: RequestContext, account: string, r: GrantResource, perms: readonly string[]): Promise<boolean> {
    const ids = principalIds(ctx);
    const mine = (await store.grants(account)).filter((g) => ids.includes(g.principal));
    const covers = (g: StoredGrant) =>
      grantKey('', g.resource) === grantKey('', r) ||
      ((r.kind === 'columns' || r.kind === 'filter' || r.kind === 'table') && g.resource.kind === 'table' && g.resource.catalogId === r.catalogId && g.resource.database === r.database && (g.resource.table === r.table || g.resource.table === '*'));
    return perms.every((p) => mine.some((g) => covers(g) && (g.grantOption.includes(p) || g.grantOption.includes('ALL'))));
  }

  async function grant(ctx: RequestContext, input: GrantPermissionsRequest | BatchPermissionsRequestEntry): Promise<void> {
    const account = sameAccount(ctx, 'CatalogId' in input ? input.CatalogId : undefined);
    if (!input.Principal?.DataLakePrincipalIdentifier || !input.Resource) throw lfErrors.invalid('Principal and Resource are required.');
    const principal = input.Principal.DataLakePrincipalIdentifier;
    const r = normaliseResource(input.Resource, account);
    const perms = [...new Set(input.Permissions ?? [])];
    const withGrant = [...new Set(input.PermissionsWithGrantOption ?? [])];
    if (!perms.length) throw lfErrors.invalid('Permissions cannot be empty.');
    for (const p of perms) if (!validPermissions(r).includes(p)) throw lfErrors.invalid(`Permission ${p} is not valid for this resource type.`);
    if (withGrant.some((p) => !perms.includes(p))) throw lfErrors.invalid('Permissions with grant option must be a subset of permissions.');
    if (r.kind === 'columns' && r.exclude && withGrant.includes('SELECT')) throw lfErrors.invalid('Grantable permissions with column filtering must use an include list of columns.');
    await resourceExists(r);
    // A consumer account re-grants a shared resource only when the owner shared it with that account.
    if (r.catalogId !== account) {
      const t = 'table' in r && r.table !== '*' ? r.table : undefined;
      const byTags = r.kind === 'lftag' || r.kind === 'tagpolicy' || r.kind === 'tagexpression';
      const shared = byTags ? await tags.grantedByOwner(ctx, r.catalogId) : await access.shareAccepted(ctx, r.catalogId, 'database' in r ? r.database : '', t);
      if (!shared) throw lfErrors.denied();
    }
    if (!(await access.isAdmin(ctx, account)) && !(await expressions.mayGrant(ctx, account, r, [...perms, ...withGrant])) && !(await holdsGrantOption(ctx, account, r, [...perms, ...withGrant]))) throw lfErrors.denied();
    const recipient = externalRecipient(principal, account);
    const shares = recipient !== undefined && r.catalogId === account && r.kind !== 'lftag' && r.kind !== 'tagexpression';
    if (shares && r.kind !== 'tagpolicy' && !sharedArn(r, ctx.region)) throw lfErrors.invalid('This resource cannot be shared with another account.');
    const old = (await store.grants(account)).find((g) => grantKey(g.principal, g.resource) === grantKey(principal, r));
    const g: StoredGrant = {
      principal,
      resource: r,
      permissions: [...new Set([...(old?.permissions ?? []), ...perms])],
      grantOption: [...new Set([...(old?.grantOption ?? []), ...withGrant])],
      ...(old?.shareArn ? { shareArn: old.shareArn } : {}),
      updated: ctx.now,
      updatedBy: ctx.principal.arn,
    };
    await store.putGrant(account, g);
    // What the grant reaches goes out through RAM (an LF-Tag policy: what matches now; retagging shares what matches later).
    if (shares) await sharing.syncShares(account, ctx.region, ctx.now, recipient);
  }

  async function revoke(ctx: RequestContext, input: GrantPermissionsRequest | BatchPermissionsRequestEntry): Promise<void> {
    const account = sameAccount(ctx, 'CatalogId' in input ? input.CatalogId : undefined);
    if (!input.Principal?.DataLakePrincipalIdentifier || !input.Resource) throw lfErrors.invalid('Principal and Resource are required.');
    const principal = input.Principal.DataLakePrincipalIdentifier;
    const r = normaliseResource(input.Resource, account);
    const old = (await store.grants(account)).find((g) => grantKey(g.principal, g.resource) === grantKey(principal, r));
    if (!old) throw lfErrors.invalid('No permissions revoked. Grantee has no permissions and no grantable permissions on resource.');
    const perms = input.Permissions ?? [];
    if (!(await access.isAdmin(ctx, account)) && !(await holdsGrantOption(ctx, account, r, perms))) throw lfErrors.denied();
    const drop = (list: string[], gone: readonly string[]) => (gone.includes('ALL') ? [] : list.filter((p) => !gone.includes(p)));
    const permissions = drop(old.permissions, perms);
    const grantOption = drop(old.grantOption, [...perms, ...(input.PermissionsWithGrantOption ?? [])]).filter((p) => permissions.includes(p) || permissions.includes('ALL'));
    if (permissions.length) {
      await store.putGrant(account, { ...old, permissions, grantOption, updated: ctx.now, updatedBy: ctx.principal.arn });
      return;
    }
    await store.deleteGrant(account, old);
    // RAM follows: what no remaining grant to that account reaches leaves its share (the share goes with the last).
    if (externalRecipient(principal, account) && r.catalogId === account) await sharing.syncShares(account, ctx.region, ctx.now);
  }

  async function batch(ctx: RequestContext, entries: BatchPermissionsRequestEntry[], op: typeof grant): Promise<{ Failures: BatchPermissionsFailureEntry[] }> {
    const failures: BatchPermissionsFailureEntry[] = [];
    for (const e of entries) {
      try {
        await op(ctx, e);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        failures.push({ RequestEntry: e, Error: { ErrorCode: err.code, ErrorMessage: err.message } });
      }
    }
    return { Failures: failures };
  }

  const view = (g: StoredGrant): PrincipalResourcePermissions => ({
    Principal: { DataLakePrincipalIdentifier: g.principal },
    Resource: resourceView(g.resource),
    Permissions: g.permissions,
    PermissionsWithGrantOption: g.grantOption,
    ...(g.shareArn ? { AdditionalDetails: { ResourceShare: [g.shareArn] } } : {}),
    LastUpdated: new Date(g.updated),
    LastUpdatedBy: g.updatedBy,
  });

  const RESOURCE_TYPES: Record<string, GrantResource['kind'][]> = { CATALOG: ['catalog'], DATABASE: ['database'], TABLE: ['table', 'columns'], DATA_LOCATION: ['location'], DATA_CELLS_FILTER: ['filter'], LF_TAG: ['lftag'], LF_TAG_POLICY: ['tagpolicy'], LF_TAG_POLICY_DATABASE: ['tagpolicy'], LF_TAG_POLICY_TABLE: ['tagpolicy'], LF_NAMED_TAG_EXPRESSION: ['tagexpression'] };

  async function filterFrom(ctx: RequestContext, f: DataCellsFilter, creating: boolean): Promise<DataCellsFilter> {
    const owner = f.TableCatalogId;
    const database = f.DatabaseName.toLowerCase();
    const table = f.TableName.toLowerCase();
    const t = await glue.table(owner, database, table);
    if (!t) throw lfErrors.notFound(`Table ${table} not found.`);
    if ((f.ColumnNames === undefined) === (f.ColumnWildcard === undefined)) throw lfErrors.invalid('Either ColumnNames or ColumnWildcard must be specified.');
    const all = columnNames(t);
    for (const c of [...(f.ColumnNames ?? []), ...(f.ColumnWildcard?.ExcludedColumnNames ?? [])]) if (!all.includes(c.toLowerCase())) throw lfErrors.invalid(`Column ${c} not found in table ${database}.${table}.`);
    if (!f.RowFilter || (f.RowFilter.FilterExpression === undefined) === (f.RowFilter.AllRowsWildcard === undefined)) throw lfErrors.invalid('RowFilter must have either FilterExpression or AllRowsWildcard.');
    if (f.RowFilter.FilterExpression !== undefined) validateRowFilter(f.RowFilter.FilterExpression, all);
    // Who may define a filter: the owner's admins, a holder of SELECT with grant option on the whole table, or
    // the admin of an account the table was shared with.
    const allowed =
      (await access.isAdmin(ctx, owner)) ||
      (await holdsGrantOption(ctx, ctx.accountId, { kind: 'table', catalogId: owner, database, table }, ['SELECT'])) ||
      (owner !== ctx.accountId && (await access.isAdmin(ctx, ctx.accountId)) && (await access.shareAccepted(ctx, owner, database, table)));
    if (!allowed) throw lfErrors.denied();
    const version = creating ? '0' : String(Number((await store.filter(owner, database, table, f.Name))?.VersionId ?? '0') + 1);
    return { ...f, DatabaseName: database, TableName: table, VersionId: version };
  }

  const locationView = (l: StoredLocation): ResourceInfo => ({
    ResourceArn: l.arn,
    ...(l.roleArn ? { RoleArn: l.roleArn } : {}),
    LastModified: new Date(l.updated),
    WithFederation: false,
    HybridAccessEnabled: l.hybrid,
    WithPrivilegedAccess: false,
  });

  return {
    ...tags.handlers,
    ...expressions.handlers,
    ...vending.handlers,
    ...createOptIns(access).handlers,
    GetDataLakeSettings: async (input, ctx) => ({ DataLakeSettings: await access.settings(sameAccount(ctx, input.CatalogId)) }),
    PutDataLakeSettings: async (input, ctx) => {
      const account = sameAccount(ctx, input.CatalogId);
      const s = input.DataLakeSettings;
      for (const list of [s.CreateDatabaseDefaultPermissions, s.CreateTableDefaultPermissions]) {
        if (!list || list.length === 0) continue;
        const only = list.length === 1 && list[0]!.Principal?.DataLakePrincipalIdentifier === IAM_ALLOWED_PRINCIPALS && (list[0]!.Permissions ?? []).length === 1 && list[0]!.Permissions![0] === 'ALL';
        if (!only) throw lfErrors.invalid('Only IAM_ALLOWED_PRINCIPALS with ALL permissions is allowed in default permissions.');
      }
      for (const a of s.DataLakeAdmins ?? []) {
        const id = a.DataLakePrincipalIdentifier ?? '';
        if (!/^arn:aws:iam::\d{12}:(role|user)\//.test(id)) throw lfErrors.invalid(`Invalid data lake admin principal ${id}.`);
      }
      const version = s.Parameters?.CROSS_ACCOUNT_VERSION;
      if (version !== undefined && !['1', '2', '3', '4', '5'].includes(version)) throw lfErrors.invalid(`Invalid CROSS_ACCOUNT_VERSION ${version}.`);
      await store.putSettings(account, { ...s, DataLakeAdmins: s.DataLakeAdmins ?? [], CreateDatabaseDefaultPermissions: s.CreateDatabaseDefaultPermissions ?? [], CreateTableDefaultPermissions: s.CreateTableDefaultPermissions ?? [] });
      return {};
    },
    RegisterResource: async (input, ctx) => {
      if (!/^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(input.ResourceArn)) throw lfErrors.invalid(`Invalid S3 location ${input.ResourceArn}.`);
      if (!input.UseServiceLinkedRole && !input.RoleArn) throw lfErrors.invalid('Either RoleArn or UseServiceLinkedRole must be specified.');
      const l: StoredLocation = { arn: input.ResourceArn.replace(/\/$/, ''), ...(input.RoleArn ? { roleArn: input.RoleArn } : { roleArn: `arn:aws:iam::${ctx.accountId}:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess` }), hybrid: input.HybridAccessEnabled ?? false, useServiceLinkedRole: input.UseServiceLinkedRole ?? false, updated: ctx.now };
      if (!(await store.insertLocation(ctx.accountId, l))) throw lfErrors.exists('Resource is already registered');
      if (l.useServiceLinkedRole) await vending.syncServiceLinkedRole(ctx.accountId);
      return {};
    },
    DeregisterResource: async (input, ctx) => {
      const arn = input.ResourceArn.replace(/\/$/, '');
      const old = (await store.locations(ctx.accountId)).find((x) => x.arn === arn);
      if (!old || !(await store.deleteLocation(ctx.accountId, arn))) throw lfErrors.notFound('Entity not found');
      if (old.useServiceLinkedRole) await vending.syncServiceLinkedRole(ctx.accountId);
      return {};
    },
    DescribeResource: async (input, ctx) => {
      const l = (await store.locations(ctx.accountId)).find((x) => x.arn === input.ResourceArn.replace(/\/$/, ''));
      if (!l) throw lfErrors.notFound('Entity not found');
      return { ResourceInfo: locationView(l) };
    },
    ListResources: async (input, ctx) => {
      const page = keysetPage(await store.locations(ctx.accountId), (l) => l.arn, 'ListResources', input.MaxResults ?? 100, input.NextToken, lfErrors.badToken);
      return { ResourceInfoList: page.items.map(locationView), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    GrantPermissions: async (input, ctx) => (await grant(ctx, input), {}),
    RevokePermissions: async (input, ctx) => (await revoke(ctx, input), {}),
    BatchGrantPermissions: (input, ctx) => batch(ctx, input.Entries, grant),
    BatchRevokePermissions: (input, ctx) => batch(ctx, input.Entries, revoke),
    ListPermissions: async (input, ctx) => {
      const account = sameAccount(ctx, input.CatalogId);
      let grants = await store.grants(account);
      if (!(await access.isAdmin(ctx, account))) {
        const ids = principalIds(ctx);
        grants = grants.filter((g) => ids.includes(g.principal));
      }
      if (input.Principal?.DataLakePrincipalIdentifier) grants = grants.filter((g) => g.principal === input.Principal!.DataLakePrincipalIdentifier);
      if (input.ResourceType) {
        const kinds = RESOURCE_TYPES[input.ResourceType];
        if (!kinds) throw lfErrors.invalid(`Resource type ${input.ResourceType} is not supported.`);
        grants = grants.filter((g) => kinds.includes(g.resource.kind));
        if (input.ResourceType.startsWith('LF_TAG_POLICY_')) grants = grants.filter((g) => g.resource.kind === 'tagpolicy' && g.resource.resourceType === input.ResourceType!.slice('LF_TAG_POLICY_'.length));
      }
      if (input.Resource) {
        const r = normaliseResource(input.Resource, account);
        grants = grants.filter((g) => {
          if (grantKey('', g.resource) === grantKey('', r)) return true;
          // Listing a table also lists the column and filter grants on it.
          return r.kind === 'table' && (g.resource.kind === 'columns' || g.resource.kind === 'filter') && g.resource.catalogId === r.catalogId && g.resource.database === r.database && g.resource.table === r.table;
        });
      }
      const page = keysetPage(grants, (g) => grantKey(g.principal, g.resource), `ListPermissions:${JSON.stringify([input.Principal, input.ResourceType, input.Resource])}`, input.MaxResults ?? 100, input.NextToken, lfErrors.badToken);
      return { PrincipalResourcePermissions: page.items.map(view), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    CreateDataCellsFilter: async (input, ctx) => {
      const f = await filterFrom(ctx, input.TableData, true);
      if (!(await store.insertFilter(f.TableCatalogId, f))) throw lfErrors.exists('A data cells filter with this name already exists.');
      return {};
    },
    UpdateDataCellsFilter: async (input, ctx) => {
      const d = input.TableData;
      if (!(await store.filter(d.TableCatalogId, d.DatabaseName.toLowerCase(), d.TableName.toLowerCase(), d.Name))) throw lfErrors.notFound(`Data cells filter ${d.Name} not found.`);
      await store.putFilter(d.TableCatalogId, await filterFrom(ctx, d, false));
      return {};
    },
    GetDataCellsFilter: async (input, ctx) => {
      const f = await store.filter(input.TableCatalogId, input.DatabaseName.toLowerCase(), input.TableName.toLowerCase(), input.Name);
      if (!f) throw lfErrors.notFound(`Data cells filter ${input.Name} not found.`);
      if (input.TableCatalogId !== ctx.accountId && !(await access.shareAccepted(ctx, input.TableCatalogId, f.DatabaseName, f.TableName))) throw lfErrors.notFound(`Data cells filter ${input.Name} not found.`);
      return { DataCellsFilter: f };
    },
    DeleteDataCellsFilter: async (input, ctx) => {
      if (!input.TableCatalogId || !input.DatabaseName || !input.TableName || !input.Name) throw lfErrors.invalid('TableCatalogId, DatabaseName, TableName and Name are required.');
      if (!(await access.isAdmin(ctx, input.TableCatalogId))) throw lfErrors.denied();
      const database = input.DatabaseName.toLowerCase();
      const table = input.TableName.toLowerCase();
      if (!(await store.deleteFilter(input.TableCatalogId, database, table, input.Name))) throw lfErrors.notFound(`Data cells filter ${input.Name} not found.`);
      for (const { account, grant: g } of await store.allGrants()) {
        const r = g.resource;
        if (r.kind === 'filter' && r.catalogId === input.TableCatalogId && r.database === database && r.table === table && r.name === input.Name) await store.deleteGrant(account, g);
      }
      return {};
    },
    ListDataCellsFilter: async (input, ctx) => {
      const owner = input.Table?.CatalogId ?? ctx.accountId;
      let list = await store.filters(owner);
      if (input.Table) list = list.filter((f) => f.DatabaseName === input.Table!.DatabaseName.toLowerCase() && (!input.Table!.Name || f.TableName === input.Table!.Name.toLowerCase()));
      if (owner !== ctx.accountId) {
        const visible: DataCellsFilter[] = [];
        for (const f of list) if (await access.shareAccepted(ctx, owner, f.DatabaseName, f.TableName)) visible.push(f);
        list = visible;
      }
      const page = keysetPage(list, (f) => JSON.stringify([f.DatabaseName, f.TableName, f.Name]), `ListDataCellsFilter:${owner}`, input.MaxResults ?? 100, input.NextToken, lfErrors.badToken);
      return { DataCellsFilters: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  };
}
