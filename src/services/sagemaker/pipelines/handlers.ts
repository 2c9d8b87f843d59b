/**
 * Pipelines and their executions. A pipeline keeps every version of its definition (1, 2, … by UpdatePipeline);
 * an execution runs the version it was started with, and its record holds its whole state (runner.ts). Definitions
 * are validated when written, with AWS's messages; a duplicate CreatePipeline answers ValidationException "…
 * already exists", which the SageMaker Python SDK's `upsert` relies on to fall back to UpdatePipeline.
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../../core/context.js';
import { decodePageToken, encodePageToken } from '../../../core/pagination.js';
import { PipelineDefinitionError, parameterStrings, parseDefinition, resolveParameters, resolve as resolveExpression } from '../../../pipeline/index.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { canonicalArn, isArn, parseSageMakerArn, sagemakerArn } from '../domain/arns.js';
import { errors } from '../domain/errors.js';
import { listPage } from '../domain/listing.js';
import type { HostingPorts } from '../hosting/ports.js';
import { store, type ResourceRecord } from '../store.js';
import { requestedTags } from '../tags/handlers.js';
import { transitionEvents } from './events.js';
import { executions } from './execution-store.js';
import type { ExecutionDocument, PipelineRunner, StepRecord } from './runner.js';

type Doc = Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();

function userContext(rc: RequestContext) {
  return { IamIdentity: { Arn: rc.principal.arn, PrincipalId: rc.principal.userId } };
}

function pipelineArnOf(rc: RequestContext, nameOrArn: string): string {
  if (isArn(nameOrArn)) {
    const p = parseSageMakerArn(nameOrArn);
    if (p?.kind === 'pipeline') return canonicalArn(nameOrArn)!;
  }
  return sagemakerArn(rc.region, rc.accountId, 'pipeline', nameOrArn);
}

/** The step types the runner runs; the others are refused when the pipeline is written, never faked. */
export const RUNNABLE_STEP_TYPES = new Set(['Processing', 'Training', 'Transform', 'Model', 'RegisterModel', 'Condition', 'Fail']);

function checkDefinition(text: string): void {
  let def;
  try {
    def = parseDefinition(text);
  } catch (e) {
    if (e instanceof PipelineDefinitionError) throw errors.validation(e.message);
    throw e;
  }
  for (const step of def.steps.values()) {
    if (!RUNNABLE_STEP_TYPES.has(step.type)) {
      throw errors.validation(
        `Step ${step.name} is a ${step.type} step, which mlzone cannot run yet (it runs ${[...RUNNABLE_STEP_TYPES].join(', ')} steps)${step.type === 'Callback' ? ': Callback steps need SQS' : step.type === 'Lambda' ? ': Lambda steps need Lambda' : ''}.`,
      );
    }
  }
}

/** Strips what only mlzone reads from a step record. */
function stepOut(s: StepRecord): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(s)) if (!k.startsWith('__')) out[k] = v;
  return out;
}

export function pipelineHandlers(ctx: AreaContext, ports: HostingPorts, runner: PipelineRunner): SageMakerHandlers {
  const emit = (before: ExecutionDocument | undefined, after: ExecutionDocument) => {
    if (ctx.events) for (const e of transitionEvents(before, after, ctx.clock.now())) ctx.events.publish(e);
  };
  async function definitionText(rc: RequestContext, i: { PipelineDefinition?: string; PipelineDefinitionS3Location?: { Bucket: string; ObjectKey: string; VersionId?: string } }): Promise<string | undefined> {
    if (i.PipelineDefinition !== undefined && i.PipelineDefinitionS3Location) throw errors.validation('Only one of PipelineDefinition or PipelineDefinitionS3Location may be specified.');
    if (i.PipelineDefinition !== undefined) return i.PipelineDefinition;
    const at = i.PipelineDefinitionS3Location;
    if (!at) return undefined;
    // Read as the caller: a definition the caller may not read cannot become a pipeline.
    try {
      const out = await ports.internal().call<{ Body?: AsyncIterable<Uint8Array> | Uint8Array }>({
        service: 's3',
        operation: 'GetObject',
        input: { Bucket: at.Bucket, Key: at.ObjectKey, ...(at.VersionId ? { VersionId: at.VersionId } : {}) },
        principal: rc.principal,
        region: rc.region,
        via: { calledVia: ['sagemaker.amazonaws.com'] },
      });
      const chunks: Buffer[] = [];
      const body = out.Body ?? new Uint8Array(0);
      for await (const c of body instanceof Uint8Array ? [body] : body) chunks.push(Buffer.from(c));
      return Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      throw errors.validation(`Could not read the pipeline definition from s3://${at.Bucket}/${at.ObjectKey}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async function pipeline(rc: RequestContext, nameOrArn: string): Promise<ResourceRecord<Doc>> {
    const arn = pipelineArnOf(rc, nameOrArn);
    const r = await store.get<Doc>(ctx.db.kysely, arn);
    if (!r) throw errors.notFound(`Pipeline '${arn}' does not exist.`);
    return r;
  }

  async function execution(arn: string): Promise<ResourceRecord<ExecutionDocument>> {
    const canonical = canonicalArn(arn);
    const r = canonical ? await executions.get(ctx.db.kysely, canonical) : undefined;
    if (!r || r.kind !== 'pipeline-execution') throw errors.notFound(`Pipeline execution '${arn}' does not exist.`);
    return r;
  }

  /**
   * SelectiveExecutionConfig: only the selected steps run; every other step is taken from the source execution as it
   * succeeded there (listed with SelectiveExecutionResult), or, when it did not run there, counts as done without
   * being listed — a selected step that reads its properties then fails saying so.
   */
  async function selectiveSteps(pipelineArn: string, def: ReturnType<typeof parseDefinition>, config: { SourcePipelineExecutionArn?: string; SelectedSteps: ReadonlyArray<{ StepName: string }> }): Promise<Record<string, StepRecord>> {
    const selected = new Set(config.SelectedSteps.map((x) => x.StepName));
    for (const name of selected) if (!def.steps.has(name)) throw errors.validation(`Selected step ${name} is not a step of the pipeline definition.`);
    if (!config.SourcePipelineExecutionArn) throw errors.validation('SelectiveExecutionConfig.SourcePipelineExecutionArn must name the execution the other steps are taken from.');
    const source = await execution(config.SourcePipelineExecutionArn);
    if (source.doc.PipelineArn !== pipelineArn) throw errors.validation(`Source pipeline execution ${source.arn} belongs to another pipeline.`);
    const out: Record<string, StepRecord> = {};
    for (const name of def.steps.keys()) {
      if (selected.has(name)) continue;
      const s = source.doc.__steps[name];
      out[name] =
        s && s.StepStatus === 'Succeeded'
          ? { ...s, SelectiveExecutionResult: { SourcePipelineExecutionArn: source.arn } }
          : { StepName: name, StepStatus: 'Succeeded', __notSelected: true };
    }
    return out;
  }

  function describeExecution(r: ResourceRecord<ExecutionDocument>): Doc {
    const out: Doc = {};
    for (const [k, v] of Object.entries(r.doc)) if (!k.startsWith('__')) out[k] = v;
    return out;
  }

  return {
    CreatePipeline: async (i, rc) => {
      const tags = requestedTags(i.Tags);
      const text = await definitionText(rc, i);
      if (text === undefined) throw errors.validation('Either PipelineDefinition or PipelineDefinitionS3Location must be specified.');
      checkDefinition(text);
      const arn = sagemakerArn(rc.region, rc.accountId, 'pipeline', i.PipelineName);
      const t = ctx.clock.now();
      const doc: Doc = {
        PipelineArn: arn,
        PipelineName: i.PipelineName,
        PipelineDisplayName: i.PipelineDisplayName ?? i.PipelineName,
        PipelineDefinition: text,
        ...(i.PipelineDescription ? { PipelineDescription: i.PipelineDescription } : {}),
        RoleArn: i.RoleArn,
        PipelineStatus: 'Active',
        CreationTime: iso(t),
        LastModifiedTime: iso(t),
        CreatedBy: userContext(rc),
        LastModifiedBy: userContext(rc),
        ...(i.ParallelismConfiguration ? { ParallelismConfiguration: i.ParallelismConfiguration } : {}),
        __version: 1,
      };
      await ctx.db.transaction(async (trx) => {
        if (await store.get(trx, arn)) throw errors.validation(`Pipeline names must be unique within an AWS account and region. Pipeline with name (${i.PipelineName}) already exists.`);
        await store.insert(trx, { arn, kind: 'pipeline', accountId: rc.accountId, region: rc.region, name: i.PipelineName, status: 'Active', createdAt: t, modifiedAt: t, doc });
        await store.insert(trx, { arn: `${arn}/version/1`, kind: 'pipeline-version', accountId: rc.accountId, region: rc.region, name: `${i.PipelineName}/1`, parent: arn, version: 1, createdAt: t, modifiedAt: t, doc: { PipelineArn: arn, PipelineVersionId: 1, CreationTime: iso(t), PipelineDefinition: text, RoleArn: i.RoleArn } });
        await store.putTags(trx, arn, tags);
      });
      return { PipelineArn: arn };
    },

    DescribePipeline: async (i, rc) => {
      const r = await pipeline(rc, i.PipelineName);
      const out: Doc = {};
      for (const [k, v] of Object.entries(r.doc)) if (!k.startsWith('__')) out[k] = v;
      if (i.PipelineVersionId !== undefined) {
        const v = await store.get<Doc>(ctx.db.kysely, `${r.arn}/version/${i.PipelineVersionId}`);
        if (!v) throw errors.notFound(`Pipeline version ${i.PipelineVersionId} of '${r.arn}' does not exist.`);
        out.PipelineDefinition = v.doc.PipelineDefinition;
        out.RoleArn = v.doc.RoleArn;
      }
      return out as never;
    },

    UpdatePipeline: async (i, rc) => {
      const text = await definitionText(rc, i);
      if (text !== undefined) checkDefinition(text);
      const arn = pipelineArnOf(rc, i.PipelineName);
      const t = ctx.clock.now();
      const version = await ctx.db.transaction(async (trx) => {
        const r = await store.get<Doc>(trx, arn);
        if (!r) throw errors.notFound(`Pipeline '${arn}' does not exist.`);
        const next = Number(r.doc.__version ?? 1) + 1;
        const doc: Doc = {
          ...r.doc,
          ...(text !== undefined ? { PipelineDefinition: text } : {}),
          ...(i.PipelineDisplayName ? { PipelineDisplayName: i.PipelineDisplayName } : {}),
          ...(i.PipelineDescription ? { PipelineDescription: i.PipelineDescription } : {}),
          ...(i.RoleArn ? { RoleArn: i.RoleArn } : {}),
          ...(i.ParallelismConfiguration ? { ParallelismConfiguration: i.ParallelismConfiguration } : {}),
          LastModifiedTime: iso(t),
          LastModifiedBy: userContext(rc),
          __version: next,
        };
        await store.update(trx, arn, { doc, modifiedAt: t });
        await store.insert(trx, { arn: `${arn}/version/${next}`, kind: 'pipeline-version', accountId: r.accountId, region: r.region, name: `${r.name}/${next}`, parent: arn, version: next, createdAt: t, modifiedAt: t, doc: { PipelineArn: arn, PipelineVersionId: next, CreationTime: iso(t), PipelineDefinition: doc.PipelineDefinition, RoleArn: doc.RoleArn } });
        return next;
      });
      return { PipelineArn: arn, PipelineVersionId: version };
    },

    DeletePipeline: async (i, rc) => {
      const arn = pipelineArnOf(rc, i.PipelineName);
      await ctx.db.transaction(async (trx) => {
        const r = await store.get(trx, arn);
        if (!r) throw errors.notFound(`Pipeline '${arn}' does not exist.`);
        for (const v of await store.list(trx, { kind: 'pipeline-version', accountId: r.accountId, region: r.region, parent: arn })) await store.delete(trx, v.arn);
        await store.delete(trx, arn);
      });
      return { PipelineArn: arn };
    },

    ListPipelines: async (i, rc) => {
      const all = (await store.list<Doc>(ctx.db.kysely, { kind: 'pipeline', accountId: rc.accountId, region: rc.region })).filter((r) => !i.PipelineNamePrefix || r.name.startsWith(i.PipelineNamePrefix));
      const page = listPage(all, { ...i, SortBy: i.SortBy === 'Name' ? 'Name' : 'CreationTime', CreationTimeAfter: i.CreatedAfter, CreationTimeBefore: i.CreatedBefore }, `ListPipelines/${rc.accountId}/${rc.region}/${i.PipelineNamePrefix ?? ''}`);
      return {
        PipelineSummaries: page.items.map((r) => ({
          PipelineArn: r.arn,
          PipelineName: r.name,
          PipelineDisplayName: r.doc.PipelineDisplayName as string,
          ...(r.doc.PipelineDescription ? { PipelineDescription: r.doc.PipelineDescription as string } : {}),
          RoleArn: r.doc.RoleArn as string,
          CreationTime: new Date(r.createdAt),
          LastModifiedTime: new Date(r.modifiedAt),
          ...(r.doc.LastRunTime ? { LastExecutionTime: new Date(String(r.doc.LastRunTime)) } : {}),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListPipelineVersions: async (i, rc) => {
      const p = await pipeline(rc, i.PipelineName);
      const all = await store.list<Doc>(ctx.db.kysely, { kind: 'pipeline-version', accountId: p.accountId, region: p.region, parent: p.arn });
      const page = listPage(all, { ...i, SortBy: 'CreationTime', CreationTimeAfter: i.CreatedAfter, CreationTimeBefore: i.CreatedBefore }, `ListPipelineVersions/${p.arn}`);
      return {
        PipelineVersionSummaries: page.items.map((v) => ({ PipelineArn: p.arn, PipelineVersionId: Number(v.version), CreationTime: new Date(v.createdAt), ...(v.doc.LastExecutionPipelineExecutionArn ? { LastExecutionPipelineExecutionArn: String(v.doc.LastExecutionPipelineExecutionArn) } : {}) })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    StartPipelineExecution: async (i, rc) => {
      const p = await pipeline(rc, i.PipelineName);
      const versionId = i.PipelineVersionId ?? Number(p.doc.__version ?? 1);
      const version = await store.get<Doc>(ctx.db.kysely, `${p.arn}/version/${versionId}`);
      if (!version) throw errors.notFound(`Pipeline version ${versionId} of '${p.arn}' does not exist.`);
      const text = String(version.doc.PipelineDefinition);
      const def = parseDefinition(text);
      const steps = i.SelectiveExecutionConfig ? await selectiveSteps(p.arn, def, i.SelectiveExecutionConfig) : {};
      let parameters;
      try {
        parameters = resolveParameters(def.parameters, i.PipelineParameters ?? []);
      } catch (e) {
        if (e instanceof PipelineDefinitionError) throw errors.validation(e.message);
        throw e;
      }
      const id = Array.from(randomBytes(12), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
      const arn = `${p.arn}/execution/${id}`;
      const t = ctx.clock.now();
      const parallelism = i.ParallelismConfiguration ?? (p.doc.ParallelismConfiguration as { MaxParallelExecutionSteps: number } | undefined);
      // PipelineExperimentConfig's expressions see only the execution variables (it is resolved at start).
      let experiment: Doc | undefined;
      if (def.experimentConfig) {
        const scope = { parameters, execution: { PipelineName: p.name, PipelineExecutionId: id, ExecutionId: id, PipelineExecutionArn: arn, PipelineArn: p.arn, StartDateTime: iso(t) }, step: () => undefined, readText: () => Promise.reject(new Error('no files at start')) };
        experiment = (await resolveExpression(def.experimentConfig, scope)) as Doc;
      }
      const doc: ExecutionDocument = {
        PipelineArn: p.arn,
        PipelineExecutionArn: arn,
        PipelineExecutionDisplayName: i.PipelineExecutionDisplayName ?? `execution-${t}`,
        ...(i.PipelineExecutionDescription ? { PipelineExecutionDescription: i.PipelineExecutionDescription } : {}),
        PipelineExecutionStatus: 'Executing',
        ...(experiment ? { PipelineExperimentConfig: experiment } : {}),
        CreationTime: iso(t),
        LastModifiedTime: iso(t),
        CreatedBy: userContext(rc),
        LastModifiedBy: userContext(rc),
        ...(parallelism ? { ParallelismConfiguration: parallelism } : {}),
        PipelineVersionId: versionId,
        __definition: text,
        __roleArn: String(version.doc.RoleArn ?? p.doc.RoleArn),
        __pipelineName: p.name,
        __parameters: parameters,
        __steps: steps,
        ...(i.SelectiveExecutionConfig ? { SelectiveExecutionConfig: i.SelectiveExecutionConfig } : {}),
        ...(parallelism ? { __parallelism: parallelism.MaxParallelExecutionSteps } : {}),
      };
      await ctx.db.transaction(async (trx) => {
        await executions.insert(trx, { arn, kind: 'pipeline-execution', accountId: p.accountId, region: p.region, name: `${p.name}/${id}`, parent: p.arn, status: 'Executing', createdAt: t, modifiedAt: t, doc });
        await store.update(trx, p.arn, { doc: { ...p.doc, LastRunTime: iso(t) } });
        await store.update(trx, version.arn, { doc: { ...version.doc, LastExecutionPipelineExecutionArn: arn } });
      });
      emit(undefined, doc);
      runner.drive(arn);
      return { PipelineExecutionArn: arn };
    },

    DescribePipelineExecution: async (i) => describeExecution(await execution(i.PipelineExecutionArn)) as never,

    DescribePipelineDefinitionForExecution: async (i) => {
      const r = await execution(i.PipelineExecutionArn);
      return { PipelineDefinition: r.doc.__definition, CreationTime: new Date(r.createdAt) };
    },

    ListPipelineExecutions: async (i, rc) => {
      const p = await pipeline(rc, i.PipelineName);
      const all = await store.list<ExecutionDocument>(ctx.db.kysely, { kind: 'pipeline-execution', accountId: p.accountId, region: p.region, parent: p.arn });
      const page = listPage(all, { ...i, SortBy: 'CreationTime', CreationTimeAfter: i.CreatedAfter, CreationTimeBefore: i.CreatedBefore }, `ListPipelineExecutions/${p.arn}`);
      return {
        PipelineExecutionSummaries: page.items.map((r) => ({
          PipelineExecutionArn: r.arn,
          StartTime: new Date(r.createdAt),
          PipelineExecutionStatus: r.doc.PipelineExecutionStatus,
          ...(r.doc.PipelineExecutionDescription ? { PipelineExecutionDescription: String(r.doc.PipelineExecutionDescription) } : {}),
          PipelineExecutionDisplayName: String(r.doc.PipelineExecutionDisplayName),
          ...(r.doc.FailureReason ? { PipelineExecutionFailureReason: r.doc.FailureReason } : {}),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListPipelineExecutionSteps: async (i) => {
      if (!i.PipelineExecutionArn) throw errors.validation('PipelineExecutionArn must be specified.');
      const r = await execution(i.PipelineExecutionArn);
      const steps = Object.values(r.doc.__steps).filter((s) => !s.__notSelected).sort((a, b) => (a.StartTime ?? '').localeCompare(b.StartTime ?? '') || a.StepName.localeCompare(b.StepName));
      if ((i.SortOrder ?? 'Descending') === 'Descending') steps.reverse();
      const scope = `ListPipelineExecutionSteps/${r.arn}/${i.SortOrder ?? 'Descending'}`;
      let start = 0;
      if (i.NextToken) {
        const after = decodePageToken(i.NextToken, scope);
        if (after === undefined) throw errors.invalidToken();
        start = Number(after);
      }
      const size = i.MaxResults ?? 50;
      const page = steps.slice(start, start + size);
      return { PipelineExecutionSteps: page.map(stepOut) as never, ...(start + size < steps.length ? { NextToken: encodePageToken(scope, String(start + size)) } : {}) };
    },

    ListPipelineParametersForExecution: async (i) => {
      const r = await execution(i.PipelineExecutionArn);
      const def = parseDefinition(r.doc.__definition);
      return { PipelineParameters: parameterStrings(r.doc.__parameters, def.parameters) };
    },

    StopPipelineExecution: async (i) => {
      const r = await execution(i.PipelineExecutionArn);
      if (r.doc.PipelineExecutionStatus !== 'Executing') throw errors.validation(`Pipeline execution with status ${r.doc.PipelineExecutionStatus} cannot be stopped.`);
      const stopping = await ctx.db.transaction(async (trx) => {
        const now = await executions.get(trx, r.arn);
        if (!now) return undefined;
        const doc: ExecutionDocument = { ...now.doc, PipelineExecutionStatus: 'Stopping', LastModifiedTime: iso(ctx.clock.now()) };
        await executions.update(trx, r.arn, doc, ctx.clock.now());
        return { before: now.doc, doc };
      });
      if (stopping) emit(stopping.before, stopping.doc);
      runner.drive(r.arn);
      return { PipelineExecutionArn: r.arn };
    },

    RetryPipelineExecution: async (i) => {
      const r = await execution(i.PipelineExecutionArn);
      if (r.doc.PipelineExecutionStatus !== 'Failed' && r.doc.PipelineExecutionStatus !== 'Stopped') {
        throw errors.validation(`Pipeline execution with status ${r.doc.PipelineExecutionStatus} cannot be retried: only Failed or Stopped executions can.`);
      }
      const retried = await ctx.db.transaction(async (trx) => {
        const now = await executions.get(trx, r.arn);
        if (!now) return undefined;
        const steps: Record<string, StepRecord> = {};
        // Succeeded steps are kept; failed and stopped ones run again.
        for (const [name, s] of Object.entries(now.doc.__steps)) {
          if (s.StepStatus === 'Succeeded') steps[name] = s;
          else await executions.deleteStep(trx, r.arn, name);
        }
        const doc: ExecutionDocument = { ...now.doc, PipelineExecutionStatus: 'Executing', __steps: steps, ...(i.ParallelismConfiguration ? { ParallelismConfiguration: i.ParallelismConfiguration, __parallelism: i.ParallelismConfiguration.MaxParallelExecutionSteps } : {}) };
        delete doc.FailureReason;
        await executions.update(trx, r.arn, doc, ctx.clock.now());
        return { before: now.doc, doc };
      });
      if (retried) emit(retried.before, retried.doc);
      runner.drive(r.arn);
      return { PipelineExecutionArn: r.arn };
    },

    UpdatePipelineExecution: async (i) => {
      const r = await execution(i.PipelineExecutionArn);
      await ctx.db.transaction(async (trx) => {
        const now = await executions.get(trx, r.arn);
        if (!now) return;
        const doc: ExecutionDocument = {
          ...now.doc,
          ...(i.PipelineExecutionDescription ? { PipelineExecutionDescription: i.PipelineExecutionDescription } : {}),
          ...(i.PipelineExecutionDisplayName ? { PipelineExecutionDisplayName: i.PipelineExecutionDisplayName } : {}),
          ...(i.ParallelismConfiguration ? { ParallelismConfiguration: i.ParallelismConfiguration, __parallelism: i.ParallelismConfiguration.MaxParallelExecutionSteps } : {}),
        };
        await executions.update(trx, r.arn, doc, ctx.clock.now());
      });
      return { PipelineExecutionArn: r.arn };
    },
  };
}
