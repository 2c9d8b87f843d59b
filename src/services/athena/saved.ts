/** Named queries and prepared statements: stored text, scoped to a workgroup. */
import { createHash, randomUUID } from 'node:crypto';
import type { Handlers } from '../../core/service.js';
import { AthenaErrors, type AthenaOperations, type NamedQuery } from './api.gen.js';
import { invalid, requireWorkGroup, type AthenaEnv } from './context.js';

interface PreparedDoc {
  readonly StatementName: string;
  readonly QueryStatement: string;
  readonly WorkGroupName: string;
  readonly Description?: string;
  readonly LastModifiedTime: number;
}

const page = <T>(all: readonly T[], token: string | undefined, max: number) => {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken');
  return { items: all.slice(start, start + max), ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}) };
};

const preparedKey = (wg: string, name: string) => `${wg}/${name}`;

export function savedHandlers(env: AthenaEnv): Handlers<AthenaOperations> {
  const namedQuery = async (ctx: Parameters<NonNullable<Handlers<AthenaOperations>['GetNamedQuery']>>[1], id: string) => {
    const r = await env.store.resource<NamedQuery>(ctx.accountId, ctx.region, 'named_query', id);
    if (!r) throw invalid(`NamedQuery ${id} was not found`);
    return r;
  };
  const prepared = async (ctx: Parameters<NonNullable<Handlers<AthenaOperations>['GetNamedQuery']>>[1], wg: string, name: string) => {
    const r = await env.store.resource<PreparedDoc>(ctx.accountId, ctx.region, 'prepared_statement', preparedKey(wg, name));
    if (!r) throw AthenaErrorsNotFound(`Prepared statement ${name} was not found in workGroup ${wg}.`);
    return r;
  };
  const show = (d: PreparedDoc) => ({ ...d, LastModifiedTime: new Date(d.LastModifiedTime) });
  return {
    CreateNamedQuery: async (input, ctx) => {
      const wg = input.WorkGroup ?? 'primary';
      await requireWorkGroup(env, ctx, wg);
      // The token makes the call idempotent: the same token answers the same id.
      const id = input.ClientRequestToken ? uuidFromToken(ctx.accountId, input.ClientRequestToken) : randomUUID();
      const doc: NamedQuery = { Name: input.Name, Database: input.Database, QueryString: input.QueryString, NamedQueryId: id, WorkGroup: wg, ...(input.Description !== undefined ? { Description: input.Description } : {}) };
      const existing = await env.store.resource<NamedQuery>(ctx.accountId, ctx.region, 'named_query', id);
      if (existing) {
        if (JSON.stringify(existing.doc) !== JSON.stringify(doc)) throw invalid('Idempotent parameters do not match', 'IDEMPOTENT_PARAMETER_MISMATCH');
        return { NamedQueryId: id };
      }
      await env.store.putResource(ctx.accountId, ctx.region, 'named_query', { key: id, workgroup: wg, createdAt: env.clock.now(), doc }, false);
      return { NamedQueryId: id };
    },
    GetNamedQuery: async (input, ctx) => ({ NamedQuery: (await namedQuery(ctx, input.NamedQueryId)).doc }),
    BatchGetNamedQuery: async (input, ctx) => {
      const found: NamedQuery[] = [];
      const missing: { NamedQueryId: string; ErrorCode: string; ErrorMessage: string }[] = [];
      for (const id of input.NamedQueryIds) {
        const r = await env.store.resource<NamedQuery>(ctx.accountId, ctx.region, 'named_query', id);
        if (r) found.push(r.doc);
        else missing.push({ NamedQueryId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: `NamedQuery ${id} was not found` });
      }
      return { NamedQueries: found, UnprocessedNamedQueryIds: missing };
    },
    ListNamedQueries: async (input, ctx) => {
      const wg = input.WorkGroup ?? 'primary';
      await requireWorkGroup(env, ctx, wg);
      const all = await env.store.resources<NamedQuery>(ctx.accountId, ctx.region, 'named_query', wg);
      const p = page(all, input.NextToken, input.MaxResults ?? 50);
      return { NamedQueryIds: p.items.map((r) => r.key), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },
    UpdateNamedQuery: async (input, ctx) => {
      const r = await namedQuery(ctx, input.NamedQueryId);
      const doc: NamedQuery = { ...r.doc, Name: input.Name, QueryString: input.QueryString, ...(input.Description !== undefined ? { Description: input.Description } : {}) };
      await env.store.putResource(ctx.accountId, ctx.region, 'named_query', { ...r, doc }, true);
      return {};
    },
    DeleteNamedQuery: async (input, ctx) => {
      await namedQuery(ctx, input.NamedQueryId);
      await env.store.deleteResource(ctx.accountId, ctx.region, 'named_query', input.NamedQueryId);
      return {};
    },
    CreatePreparedStatement: async (input, ctx) => {
      await requireWorkGroup(env, ctx, input.WorkGroup);
      const doc: PreparedDoc = { StatementName: input.StatementName, QueryStatement: input.QueryStatement, WorkGroupName: input.WorkGroup, LastModifiedTime: env.clock.now(), ...(input.Description !== undefined ? { Description: input.Description } : {}) };
      const created = await env.store.putResource(ctx.accountId, ctx.region, 'prepared_statement', { key: preparedKey(input.WorkGroup, input.StatementName), workgroup: input.WorkGroup, createdAt: doc.LastModifiedTime, doc }, false);
      if (!created) throw invalid(`Prepared statement ${input.StatementName} already exists in WorkGroup ${input.WorkGroup}`);
      return {};
    },
    GetPreparedStatement: async (input, ctx) => ({ PreparedStatement: show((await prepared(ctx, input.WorkGroup, input.StatementName)).doc) }),
    BatchGetPreparedStatement: async (input, ctx) => {
      const found = [];
      const missing = [];
      for (const name of input.PreparedStatementNames) {
        const r = await env.store.resource<PreparedDoc>(ctx.accountId, ctx.region, 'prepared_statement', preparedKey(input.WorkGroup, name));
        if (r) found.push(show(r.doc));
        else missing.push({ StatementName: name, ErrorCode: 'INVALID_INPUT', ErrorMessage: `Prepared statement ${name} was not found` });
      }
      return { PreparedStatements: found, UnprocessedPreparedStatementNames: missing };
    },
    ListPreparedStatements: async (input, ctx) => {
      await requireWorkGroup(env, ctx, input.WorkGroup);
      const all = await env.store.resources<PreparedDoc>(ctx.accountId, ctx.region, 'prepared_statement', input.WorkGroup);
      const p = page(all, input.NextToken, input.MaxResults ?? 50);
      return { PreparedStatements: p.items.map((r) => ({ StatementName: r.doc.StatementName, LastModifiedTime: new Date(r.doc.LastModifiedTime) })), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },
    UpdatePreparedStatement: async (input, ctx) => {
      const r = await prepared(ctx, input.WorkGroup, input.StatementName);
      const doc: PreparedDoc = { ...r.doc, QueryStatement: input.QueryStatement, LastModifiedTime: env.clock.now(), ...(input.Description !== undefined ? { Description: input.Description } : {}) };
      await env.store.putResource(ctx.accountId, ctx.region, 'prepared_statement', { ...r, doc }, true);
      return {};
    },
    DeletePreparedStatement: async (input, ctx) => {
      await prepared(ctx, input.WorkGroup, input.StatementName);
      await env.store.deleteResource(ctx.accountId, ctx.region, 'prepared_statement', preparedKey(input.WorkGroup, input.StatementName));
      return {};
    },
  };
}

const AthenaErrorsNotFound = (message: string) => AthenaErrors.ResourceNotFoundException(message);

/** A stable UUID-shaped id for (account, token). */
function uuidFromToken(accountId: string, token: string): string {
  const h = createHash('sha256').update(`${accountId}\0${token}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
