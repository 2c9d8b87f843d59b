/** What every Athena handler shares: the store, the engine, the optional catalog, the internal client, errors. */
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { DataCatalogPort } from '../../core/data-catalog.js';
import type { QueryEngine } from '../../query/engine.js';
import type { RunningQuery } from '../../query/engine.js';
import { AthenaErrors, type WorkGroup, type WorkGroupConfiguration } from './api.gen.js';
import type { AthenaStore } from './store.js';

/** The slice of the internal client Athena uses (S3 calls as the caller). */
export interface AthenaInternalClient {
  call<O = unknown>(call: { service: string; operation: string; input: Record<string, unknown>; principal: RequestContext['principal']; region?: string; via?: RequestContext['via'] }): Promise<O>;
}

export interface AthenaEnv {
  readonly store: AthenaStore;
  readonly engine: QueryEngine;
  readonly catalog?: DataCatalogPort;
  readonly internal: () => AthenaInternalClient;
  readonly clock: Clock;
  /** Queries of this process still executing, by id (StopQueryExecution interrupts them). */
  readonly running: Map<string, RunningQuery>;
  /** The background runs themselves, until their final state is stored. */
  readonly tasks: Set<Promise<void>>;
  readonly log?: (msg: string) => void;
}

export const invalid = (message: string, code = 'INVALID_INPUT') => AthenaErrors.InvalidRequestException(message, { AthenaErrorCode: code });

export const workgroupArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string) => `arn:aws:athena:${ctx.region}:${ctx.accountId}:workgroup/${name}`;
export const dataCatalogArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string) => `arn:aws:athena:${ctx.region}:${ctx.accountId}:datacatalog/${name}`;

export interface WorkGroupDoc {
  readonly Name: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly Description?: string;
  readonly Configuration: WorkGroupConfiguration;
  /** Kept for the tag conditions CreateWorkGroup was authorized with (tag APIs are not served yet). */
  readonly Tags?: readonly { readonly Key?: string; readonly Value?: string }[];
}

export const PRIMARY = 'primary';

/** Every account and region has `primary`; it is created on first use. */
export async function findWorkGroup(env: AthenaEnv, ctx: RequestContext, name: string): Promise<(WorkGroup & { CreationTime: Date }) | undefined> {
  let row = await env.store.resource<WorkGroupDoc>(ctx.accountId, ctx.region, 'workgroup', name);
  if (!row && name === PRIMARY) {
    const doc: WorkGroupDoc = { Name: PRIMARY, State: 'ENABLED', Configuration: { EnforceWorkGroupConfiguration: false, PublishCloudWatchMetricsEnabled: false, RequesterPaysEnabled: false, EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' } } };
    await env.store.putResource(ctx.accountId, ctx.region, 'workgroup', { key: PRIMARY, workgroup: PRIMARY, createdAt: env.clock.now(), doc }, false).catch(() => false);
    row = await env.store.resource<WorkGroupDoc>(ctx.accountId, ctx.region, 'workgroup', name);
  }
  if (!row) return undefined;
  const { Tags: _tags, ...shown } = row.doc;
  return { ...shown, CreationTime: new Date(row.createdAt) };
}

export async function requireWorkGroup(env: AthenaEnv, ctx: RequestContext, name: string) {
  const wg = await findWorkGroup(env, ctx, name);
  if (!wg) throw invalid('WorkGroup is not found.');
  return wg;
}
