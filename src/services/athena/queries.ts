/**
 * Query executions: StartQueryExecution parses and gates synchronously (a syntax error creates no execution),
 * then the query runs in the background through the engine; results are written to the output location as the
 * caller (the bucket policy decides) and read back from there by GetQueryResults, also as the caller.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import { QueryCancelled } from '../../query/engine.js';
import { failures, QueryFailure } from '../../query/errors.js';
import { encodeRows, isUnload, parseUnload, unloadSuffix, type UnloadStatement } from '../../query/unload.js';
import type { AthenaOperations, ColumnInfo, QueryExecution } from './api.gen.js';
import { invalid, requireWorkGroup, type AthenaEnv } from './context.js';
import { parseCsv, toCsv } from './csv.js';
import { checkOutputLocation, parseS3, resultFile } from './locations.js';
import { bindParameters } from './parameters.js';
import type { QueryRecord } from './store.js';

const VIA = { calledVia: ['athena.amazonaws.com'] };

function statementKind(sql: string): Pick<QueryRecord, 'statementType' | 'substatementType'> {
  const word = (/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/.exec(sql)?.[1] ?? '').toUpperCase();
  if (word === 'SHOW' || word === 'DESCRIBE') return { statementType: 'UTILITY', substatementType: word === 'SHOW' ? 'SHOW_TABLES' : 'DESCRIBE_TABLE' };
  if (['CREATE', 'ALTER', 'DROP', 'MSCK'].includes(word)) return { statementType: 'DDL', substatementType: word === 'CREATE' ? 'CREATE_TABLE' : word === 'DROP' ? 'DROP_TABLE' : 'ALTER_TABLE' };
  if (word === 'EXPLAIN') return { statementType: 'DML', substatementType: 'EXPLAIN' };
  if (word === 'INSERT') return { statementType: 'DML', substatementType: 'INSERT' };
  if (word === 'UNLOAD') return { statementType: 'DML', substatementType: 'UNLOAD' };
  return { statementType: 'DML', substatementType: 'SELECT' };
}

export function toQueryExecution(q: QueryRecord): QueryExecution {
  const end = q.completedAt;
  const total = end !== undefined ? end - q.submittedAt : undefined;
  const queued = (q.startedAt ?? end ?? q.submittedAt) - q.submittedAt;
  return {
    QueryExecutionId: q.id,
    Query: q.query,
    StatementType: q.statementType,
    SubstatementType: q.substatementType,
    ResultConfiguration: { OutputLocation: q.outputLocation },
    ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
    QueryExecutionContext: q.database !== undefined || q.catalog !== undefined ? { ...(q.database !== undefined ? { Database: q.database } : {}), Catalog: q.catalog ?? 'awsdatacatalog' } : {},
    Status: {
      State: q.state,
      ...(q.stateChangeReason !== undefined ? { StateChangeReason: q.stateChangeReason } : {}),
      SubmissionDateTime: new Date(q.submittedAt),
      ...(end !== undefined ? { CompletionDateTime: new Date(end) } : {}),
      ...(q.error ? { AthenaError: { ErrorCategory: q.error.category, ErrorType: q.error.type, Retryable: q.error.retryable, ErrorMessage: q.error.message } } : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: q.engineMillis ?? 0,
      DataScannedInBytes: q.dataScannedInBytes ?? 0,
      ...(total !== undefined ? { TotalExecutionTimeInMillis: total } : {}),
      QueryQueueTimeInMillis: queued,
      ServicePreProcessingTimeInMillis: 0,
      QueryPlanningTimeInMillis: 0,
      ...(total !== undefined ? { ServiceProcessingTimeInMillis: Math.max(0, total - queued - (q.engineMillis ?? 0)) } : {}),
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
    WorkGroup: q.workgroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
    ...(q.executionParameters ? { ExecutionParameters: [...q.executionParameters] } : {}),
  };
}

function columnInfo(c: NonNullable<QueryRecord['columns']>[number]): ColumnInfo {
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: c.name,
    Label: c.name,
    Type: c.type,
    Precision: c.precision,
    Scale: c.scale,
    Nullable: 'UNKNOWN',
    CaseSensitive: c.type === 'varchar' || c.type === 'char',
  };
}

export function queryHandlers(env: AthenaEnv): Handlers<AthenaOperations> {
  const finish = async (q: QueryRecord, patch: Partial<QueryRecord>) => {
    await env.store.updateActive({ ...q, ...patch, completedAt: env.clock.now() } as QueryRecord);
  };

  /** Runs a stored QUEUED query to its end; never throws. */
  const run = async (ctx: RequestContext, q: QueryRecord, gated: Awaited<ReturnType<AthenaEnv['engine']['check']>>, unload: UnloadStatement | undefined) => {
    const running = env.engine.start(ctx, { gated, ...(q.database !== undefined ? { database: q.database } : {}) });
    env.running.set(q.id, running);
    try {
      await running.started;
      const startedAt = env.clock.now();
      const runningRecord: QueryRecord = { ...q, state: 'RUNNING', startedAt };
      await env.store.updateActive(runningRecord);
      const result = await running.result;
      const loc = parseS3(q.outputLocation)!;
      const s3 = <O>(operation: string, input: Record<string, unknown>) => env.internal().call<O>({ service: 's3', operation, input, principal: ctx.principal, region: ctx.region, via: VIA });
      const put = (bucket: string, Key: string, body: Buffer) => s3('PutObject', { Bucket: bucket, Key, Body: body, ContentType: 'application/octet-stream' });
      // UNLOAD: the rows become a data file under the target prefix; the query's own result is empty.
      let unloaded: string | undefined;
      if (unload) {
        const target = parseS3(unload.location);
        if (!target) throw new QueryFailure(`INVALID_INPUT: the UNLOAD location ${unload.location} is not a valid S3 path`, 2, 1100);
        const existing = await s3<{ KeyCount?: number; Contents?: unknown[] }>('ListObjectsV2', { Bucket: target.bucket, Prefix: target.prefix, MaxKeys: 1 }).catch(() => ({ Contents: [] }));
        if ((existing.Contents ?? []).length > 0) {
          throw new QueryFailure(`HIVE_PATH_ALREADY_EXISTS: Target directory for table '${(q.database ?? 'default').toLowerCase()}.${q.id.replaceAll('-', '_')}' already exists: ${unload.location}. You may need to manually clean the data at location '${unload.location}' before retrying. Athena will not delete data in your account.`, 2, 1502);
        }
        const body = await encodeRows(result.columns, result.rows, unload);
        const key = `${target.prefix}${q.id}_00000${unloadSuffix(unload)}`;
        unloaded = `s3://${target.bucket}/${key}`;
        try {
          await put(target.bucket, key, body);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          throw failures.s3AccessDenied(`${unload.location}: could not write ${unloaded} (${why})`);
        }
      }
      const columns = unload ? [] : result.columns;
      const rows = unload ? [] : result.rows;
      try {
        const metadata = JSON.stringify({ QueryExecutionId: q.id, ColumnInfo: columns.map(columnInfo) });
        const writes = [put(loc.bucket, loc.prefix, Buffer.from(unload ? '' : toCsv(columns.map((c) => c.name), rows))), put(loc.bucket, `${loc.prefix}.metadata`, Buffer.from(metadata))];
        if (unloaded) writes.push(put(loc.bucket, loc.prefix.replace(/\.csv$/, '-manifest.csv'), Buffer.from(`${unloaded}\n`)));
        await Promise.all(writes);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        const message = `Access denied when writing output to url: ${q.outputLocation} . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key (${why})`;
        await finish(runningRecord, { state: 'FAILED', stateChangeReason: message, error: { category: 2, type: 401, retryable: false, message }, engineMillis: result.engineMillis, dataScannedInBytes: result.dataScannedInBytes, tableAccess: result.tableAccess });
        return;
      }
      await finish(runningRecord, { state: 'SUCCEEDED', engineMillis: result.engineMillis, dataScannedInBytes: result.dataScannedInBytes, columns, rowCount: unload ? result.rows.length : rows.length, tableAccess: result.tableAccess });
    } catch (e) {
      if (e instanceof QueryCancelled) {
        await finish(q, { state: 'CANCELLED', stateChangeReason: 'Query cancelled by user' });
      } else if (e instanceof QueryFailure) {
        await finish(q, { state: 'FAILED', stateChangeReason: e.reason, error: { category: e.errorCategory, type: e.errorType, retryable: e.errorCategory === 3, message: e.reason }, tableAccess: e.tableAccess });
      } else {
        env.log?.(`athena: query ${q.id} failed unexpectedly: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        const message = 'GENERIC_INTERNAL_ERROR: ' + (e instanceof Error ? e.message : String(e));
        await finish(q, { state: 'FAILED', stateChangeReason: message, error: { category: 1, type: 200, retryable: true, message } }).catch(() => undefined);
      }
    } finally {
      env.running.delete(q.id);
    }
  };

  const mustFind = async (ctx: RequestContext, id: string) => {
    const q = await env.store.query(ctx.accountId, ctx.region, id);
    if (!q) throw invalid(`QueryExecution ${id} was not found`);
    return q;
  };

  return {
    StartQueryExecution: async (input, ctx) => {
      const wgName = input.WorkGroup ?? 'primary';
      const wg = await requireWorkGroup(env, ctx, wgName);
      if (wg.State === 'DISABLED') throw invalid(`Unable to submit query because the workgroup ${wgName} is disabled.`);
      const enforced = wg.Configuration?.EnforceWorkGroupConfiguration === true;
      const location = (enforced ? wg.Configuration?.ResultConfiguration?.OutputLocation : (input.ResultConfiguration?.OutputLocation ?? wg.Configuration?.ResultConfiguration?.OutputLocation)) ?? undefined;
      if (location === undefined || location === '') throw invalid('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.');
      checkOutputLocation(location);
      const database = input.QueryExecutionContext?.Database;
      const catalog = input.QueryExecutionContext?.Catalog;
      const fingerprint = createHash('sha256').update(JSON.stringify([input.QueryString, database ?? null, catalog ?? null, location, wgName, input.ExecutionParameters ?? null])).digest('hex');
      if (input.ClientRequestToken) {
        const prior = await env.store.byToken(ctx.accountId, ctx.region, input.ClientRequestToken);
        if (prior) {
          if ((prior as QueryRecord & { fingerprint?: string }).fingerprint !== fingerprint) throw invalid('Idempotent parameters do not match', 'IDEMPOTENT_PARAMETER_MISMATCH');
          return { QueryExecutionId: prior.id };
        }
      }
      if (catalog !== undefined && catalog.toLowerCase() !== 'awsdatacatalog') throw invalid(`Catalog ${catalog} does not exist`, 'INVALID_INPUT');
      const sql = bindParameters(input.QueryString, input.ExecutionParameters ?? []);
      let gated;
      let gateFailure: QueryFailure | undefined;
      let unload: UnloadStatement | undefined;
      try {
        if (isUnload(sql)) unload = parseUnload(sql);
        gated = await env.engine.check(unload ? unload.query : sql);
      } catch (e) {
        if (!(e instanceof QueryFailure)) throw e;
        if (e.malformed) throw invalid(e.reason, 'MALFORMED_QUERY');
        gateFailure = e;
      }
      const id = randomUUID();
      const now = env.clock.now();
      const q: QueryRecord & { fingerprint: string } = {
        id,
        accountId: ctx.accountId,
        region: ctx.region,
        workgroup: wgName,
        ...(input.ClientRequestToken ? { clientToken: input.ClientRequestToken } : {}),
        query: input.QueryString,
        ...statementKind(input.QueryString),
        ...(database !== undefined ? { database } : {}),
        ...(catalog !== undefined ? { catalog } : {}),
        outputLocation: resultFile(location, id),
        ...(input.ExecutionParameters ? { executionParameters: input.ExecutionParameters } : {}),
        state: gateFailure ? 'FAILED' : 'QUEUED',
        ...(gateFailure ? { stateChangeReason: gateFailure.reason, error: { category: gateFailure.errorCategory, type: gateFailure.errorType, retryable: false, message: gateFailure.reason }, completedAt: now } : {}),
        submittedAt: now,
        fingerprint,
      };
      await env.store.insertQuery(q);
      if (gated) {
        const task = run(ctx, q, gated, unload);
        env.tasks.add(task);
        void task.finally(() => env.tasks.delete(task));
      }
      return { QueryExecutionId: id };
    },

    GetQueryExecution: async (input, ctx) => ({ QueryExecution: toQueryExecution(await mustFind(ctx, input.QueryExecutionId)) }),

    BatchGetQueryExecution: async (input, ctx) => {
      const found: QueryExecution[] = [];
      const missing: { QueryExecutionId: string; ErrorCode: string; ErrorMessage: string }[] = [];
      for (const id of input.QueryExecutionIds) {
        const q = await env.store.query(ctx.accountId, ctx.region, id);
        if (q) found.push(toQueryExecution(q));
        else missing.push({ QueryExecutionId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: `QueryExecution ${id} was not found` });
      }
      return { QueryExecutions: found, UnprocessedQueryExecutionIds: missing };
    },

    ListQueryExecutions: async (input, ctx) => {
      const wg = input.WorkGroup ?? 'primary';
      await requireWorkGroup(env, ctx, wg);
      const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalid('Invalid NextToken');
      const max = input.MaxResults ?? 50;
      const ids = await env.store.listIds(ctx.accountId, ctx.region, wg, offset, max + 1);
      return { QueryExecutionIds: ids.slice(0, max), ...(ids.length > max ? { NextToken: Buffer.from(String(offset + max)).toString('base64url') } : {}) };
    },

    StopQueryExecution: async (input, ctx) => {
      const q = await mustFind(ctx, input.QueryExecutionId);
      if (q.state === 'QUEUED' || q.state === 'RUNNING') {
        env.running.get(q.id)?.cancel();
        await finish(q, { state: 'CANCELLED', stateChangeReason: 'Query cancelled by user' });
      }
      return {};
    },

    GetQueryResults: async (input, ctx) => {
      const q = await mustFind(ctx, input.QueryExecutionId);
      if (q.state === 'QUEUED' || q.state === 'RUNNING') throw invalid(`Query has not yet finished. Current state: ${q.state}`, 'INVALID_QUERY_EXECUTION_STATE');
      if (q.state === 'CANCELLED') throw invalid('Could not find results', 'RESULT_NOT_FOUND');
      if (q.state === 'FAILED') throw invalid('Query did not finish successfully. Final query state: FAILED', 'INVALID_QUERY_EXECUTION_STATE');
      const loc = parseS3(q.outputLocation)!;
      let text: string;
      try {
        const out = await env.internal().call<{ Body?: AsyncIterable<Uint8Array> | Uint8Array }>({ service: 's3', operation: 'GetObject', input: { Bucket: loc.bucket, Key: loc.prefix }, principal: ctx.principal, region: ctx.region, via: VIA });
        const chunks: Buffer[] = [];
        const body = out.Body ?? new Uint8Array(0);
        for await (const c of body instanceof Uint8Array ? [body] : body) chunks.push(Buffer.from(c));
        text = Buffer.concat(chunks).toString('utf8');
      } catch (e) {
        throw invalid(`Unable to read query results from ${q.outputLocation}: ${e instanceof Error ? e.message : String(e)}`, 'INVALID_INPUT');
      }
      const rows = parseCsv(text);
      const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0 || start > rows.length) throw invalid('Invalid NextToken');
      const max = input.MaxResults ?? 1000;
      const page = rows.slice(start, start + max);
      return {
        UpdateCount: q.substatementType === 'UNLOAD' ? (q.rowCount ?? 0) : 0,
        ResultSet: {
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: { ColumnInfo: (q.columns ?? []).map(columnInfo) },
        },
        ...(start + max < rows.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
      };
    },
  };
}

/** After a restart nothing is executing: queries left QUEUED or RUNNING end FAILED instead of hanging. */
export async function failInterrupted(env: AthenaEnv): Promise<number> {
  const stale = await env.store.active();
  for (const q of stale) {
    const message = 'GENERIC_INTERNAL_ERROR: the query was interrupted because mlzone stopped while it ran';
    await env.store.updateActive({ ...q, state: 'FAILED', stateChangeReason: message, error: { category: 1, type: 200, retryable: true, message }, completedAt: env.clock.now() });
  }
  return stale.length;
}
