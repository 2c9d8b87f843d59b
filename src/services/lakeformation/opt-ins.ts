/**
 * Hybrid access mode opt-ins: Create/Delete/ListLakeFormationOptIns. An opt-in names a principal and a database or
 * table; on a table whose data lies in a location registered with HybridAccessEnabled, the principal then loses
 * the IAM_ALLOWED_PRINCIPALS path and its own Lake Formation grants decide (access.ts `iamModeFor`). Only data
 * lake admins opt principals in or out; read-only admins may also list.
 */
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import { keysetPage } from '../../core/pagination.js';
import type { Handlers } from '../../core/service.js';
import { principalIds, type Access } from './access.js';
import type { Condition, DataLakePrincipal, LakeFormationOperations, LakeFormationOptInsInfo, Resource } from './api.gen.js';
import { IAM_ALLOWED_PRINCIPALS, grantKey, normaliseResource, resourceView, type StoredOptIn } from './model.js';

type OptInOps = 'CreateLakeFormationOptIn' | 'DeleteLakeFormationOptIn' | 'ListLakeFormationOptIns';

const invalid = (m: string) => new AwsError('InvalidInputException', m);
const notFound = (m: string) => new AwsError('EntityNotFoundException', m);
const denied = (m: string) => new AwsError('AccessDeniedException', m);

export function createOptIns(access: Access) {
  const { store, glue } = access;

  async function requireAdmin(ctx: RequestContext, readOnly: boolean): Promise<void> {
    if (await access.isAdmin(ctx, ctx.accountId)) return;
    const ids = principalIds(ctx);
    if (readOnly && ((await access.settings(ctx.accountId)).ReadOnlyAdmins ?? []).some((a) => ids.includes(a.DataLakePrincipalIdentifier ?? ''))) return;
    throw denied(`${ctx.principal.arn} is not a data lake administrator: only data lake administrators manage hybrid access mode opt-ins.`);
  }

  /** The opt-in's principal and resource, validated (existence is checked by CreateLakeFormationOptIn). */
  async function optInKey(ctx: RequestContext, principal: DataLakePrincipal | undefined, resource: Resource | undefined, condition: Condition | undefined): Promise<Pick<StoredOptIn, 'principal' | 'resource'>> {
    const id = principal?.DataLakePrincipalIdentifier ?? '';
    if (!id) throw invalid('Principal is required.');
    if (id === IAM_ALLOWED_PRINCIPALS) throw invalid('IAM_ALLOWED_PRINCIPALS cannot be opted in.');
    if (!/^arn:aws:iam::\d{12}:(role|user)\/.+/.test(id)) throw invalid(`Invalid principal ${id}: an IAM role or user ARN is expected.`);
    // mlzone does not evaluate opt-in conditions: refuse one rather than apply the opt-in unconditionally.
    if (condition?.Expression !== undefined) throw invalid('Opt-in conditions are not supported by mlzone.');
    if (!resource) throw invalid('Resource is required.');
    const r = normaliseResource(resource, ctx.accountId);
    if (r.kind !== 'database' && r.kind !== 'table') throw invalid('Only Database and Table resources can be opted in.');
    if (r.catalogId !== ctx.accountId) throw denied(`Cross account opt-ins on the catalog ${r.catalogId} are not allowed.`);
    return { principal: id, resource: r };
  }

  const view = (o: StoredOptIn): LakeFormationOptInsInfo => ({
    Resource: resourceView(o.resource),
    Principal: { DataLakePrincipalIdentifier: o.principal },
    LastModified: new Date(o.updated),
    LastUpdatedBy: o.updatedBy,
  });

  const handlers: Pick<Handlers<LakeFormationOperations>, OptInOps> = {
    CreateLakeFormationOptIn: async (input, ctx) => {
      await requireAdmin(ctx, false);
      const key = await optInKey(ctx, input.Principal, input.Resource, input.Condition);
      const r = key.resource;
      if (!(await glue.database(r.catalogId, r.database))) throw notFound(`Database ${r.database} not found.`);
      if (r.kind === 'table' && r.table !== '*' && !(await glue.table(r.catalogId, r.database, r.table))) throw notFound(`Table ${r.table} not found.`);
      // Opting in again refreshes the record (LastModified, LastUpdatedBy).
      await store.putOptIn(ctx.accountId, { ...key, updated: ctx.now, updatedBy: ctx.principal.arn });
      return {};
    },
    DeleteLakeFormationOptIn: async (input, ctx) => {
      await requireAdmin(ctx, false);
      const key = await optInKey(ctx, input.Principal, input.Resource, input.Condition);
      if (!(await store.deleteOptIn(ctx.accountId, key))) throw notFound('Opt-in not found for the principal and resource.');
      return {};
    },
    ListLakeFormationOptIns: async (input, ctx) => {
      await requireAdmin(ctx, true);
      let list = await store.optIns(ctx.accountId);
      const id = input.Principal?.DataLakePrincipalIdentifier;
      if (id) list = list.filter((o) => o.principal === id);
      if (input.Resource) {
        const r = normaliseResource(input.Resource, ctx.accountId);
        const want = grantKey('', r);
        list = list.filter((o) => grantKey('', o.resource) === want);
      }
      const page = keysetPage(list, (o) => grantKey(o.principal, o.resource), `ListLakeFormationOptIns:${JSON.stringify([id, input.Resource])}`, input.MaxResults ?? 100, input.NextToken, () => invalid('Invalid NextToken'));
      return { LakeFormationOptInsInfoList: page.items.map(view), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  };
  return { handlers };
}
