/**
 * What each Athena operation asks IAM: `athena:<Operation>` on the workgroup ARN (the query's or named query's
 * workgroup for calls that name only an id), on the data catalog ARN for the metadata calls.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn } from '../../core/service.js';
import { dataCatalogArn, PRIMARY, workgroupArn } from './context.js';
import type { AthenaStore } from './store.js';

type Input = Record<string, unknown>;

export function createAthenaAuthz(store: AthenaStore): Record<string, AuthzFn> {
  const onWorkGroup = (op: string, pick: (i: Input) => string | undefined = (i) => (i.WorkGroup as string | undefined) ?? (i.Name as string | undefined)): AuthzFn => (i: Input, ctx: RequestContext) => [
    { action: `athena:${op}`, resource: workgroupArn(ctx, pick(i) ?? PRIMARY) },
  ];
  const wgOfQuery = async (ctx: RequestContext, id: unknown) => (typeof id === 'string' ? (await store.query(ctx.accountId, ctx.region, id))?.workgroup : undefined) ?? PRIMARY;
  const onQuery = (op: string): AuthzFn => async (i: Input, ctx) => [{ action: `athena:${op}`, resource: workgroupArn(ctx, await wgOfQuery(ctx, i.QueryExecutionId)) }];
  const onQueries = (op: string): AuthzFn => async (i: Input, ctx) => {
    const wgs = new Set<string>();
    for (const id of (i.QueryExecutionIds as string[] | undefined) ?? []) wgs.add(await wgOfQuery(ctx, id));
    if (wgs.size === 0) wgs.add(PRIMARY);
    return [...wgs].map((wg) => ({ action: `athena:${op}`, resource: workgroupArn(ctx, wg) }));
  };
  const wgOfNamed = async (ctx: RequestContext, id: unknown) => (typeof id === 'string' ? (await store.resource(ctx.accountId, ctx.region, 'named_query', id))?.workgroup : undefined) ?? PRIMARY;
  const onNamed = (op: string): AuthzFn => async (i: Input, ctx) => [{ action: `athena:${op}`, resource: workgroupArn(ctx, await wgOfNamed(ctx, i.NamedQueryId)) }];
  const onNamedBatch = (op: string): AuthzFn => async (i: Input, ctx) => {
    const wgs = new Set<string>();
    for (const id of (i.NamedQueryIds as string[] | undefined) ?? []) wgs.add(await wgOfNamed(ctx, id));
    if (wgs.size === 0) wgs.add(PRIMARY);
    return [...wgs].map((wg) => ({ action: `athena:${op}`, resource: workgroupArn(ctx, wg) }));
  };
  const onCatalog = (op: string): AuthzFn => (i: Input, ctx) => [{ action: `athena:${op}`, resource: dataCatalogArn(ctx, (i.CatalogName as string | undefined) ?? (i.Name as string | undefined) ?? 'AwsDataCatalog') }];
  return {
    CreateWorkGroup: (i: Input, ctx) => {
      const tags = (i.Tags as { Key: string; Value?: string }[] | undefined) ?? [];
      const context: Record<string, string | string[]> = {};
      if (tags.length > 0) {
        context['aws:TagKeys'] = tags.map((t) => t.Key);
        for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
      }
      return [{ action: 'athena:CreateWorkGroup', resource: workgroupArn(ctx, i.Name as string), ...(tags.length > 0 ? { context } : {}) }];
    },
    GetWorkGroup: onWorkGroup('GetWorkGroup'),
    ListWorkGroups: (_i, ctx) => [{ action: 'athena:ListWorkGroups', resource: '*', resourceAccount: ctx.accountId }],
    UpdateWorkGroup: onWorkGroup('UpdateWorkGroup'),
    DeleteWorkGroup: onWorkGroup('DeleteWorkGroup'),
    StartQueryExecution: onWorkGroup('StartQueryExecution'),
    GetQueryExecution: onQuery('GetQueryExecution'),
    GetQueryResults: onQuery('GetQueryResults'),
    StopQueryExecution: onQuery('StopQueryExecution'),
    BatchGetQueryExecution: onQueries('BatchGetQueryExecution'),
    ListQueryExecutions: onWorkGroup('ListQueryExecutions'),
    CreateNamedQuery: onWorkGroup('CreateNamedQuery'),
    GetNamedQuery: onNamed('GetNamedQuery'),
    UpdateNamedQuery: onNamed('UpdateNamedQuery'),
    DeleteNamedQuery: onNamed('DeleteNamedQuery'),
    BatchGetNamedQuery: onNamedBatch('BatchGetNamedQuery'),
    ListNamedQueries: onWorkGroup('ListNamedQueries'),
    CreatePreparedStatement: onWorkGroup('CreatePreparedStatement'),
    GetPreparedStatement: onWorkGroup('GetPreparedStatement'),
    UpdatePreparedStatement: onWorkGroup('UpdatePreparedStatement'),
    DeletePreparedStatement: onWorkGroup('DeletePreparedStatement'),
    BatchGetPreparedStatement: onWorkGroup('BatchGetPreparedStatement'),
    ListPreparedStatements: onWorkGroup('ListPreparedStatements'),
    ListDataCatalogs: (_i, ctx) => [{ action: 'athena:ListDataCatalogs', resource: '*', resourceAccount: ctx.accountId }],
    GetDataCatalog: onCatalog('GetDataCatalog'),
    ListDatabases: onCatalog('ListDatabases'),
    GetDatabase: onCatalog('GetDatabase'),
    ListTableMetadata: onCatalog('ListTableMetadata'),
    GetTableMetadata: onCatalog('GetTableMetadata'),
  };
}
