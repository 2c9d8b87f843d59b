/**
 * Runs pipeline executions, durably: an execution's state — its status, its resolved parameters and every step's
 * record (ListPipelineExecutionSteps' entry, the job it started, the properties it produced) — lives in its
 * database record, and a loop per execution advances it: it starts the steps that may start (up to
 * MaxParallelExecutionSteps), starts their jobs through the internal client **as the pipeline's role** (so IAM decides
 * what a pipeline may do), follows the jobs until they end, and ends the execution. After a restart `resume()`
 * picks every Executing or Stopping execution up where its record says it was; the jobs themselves survive restarts
 * on their own.
 */
import { randomBytes } from 'node:crypto';
import { isAwsError } from '../../../core/errors.js';
import type { Principal } from '../../../core/principal.js';
import type { Database } from '../../../persistence/db.js';
import { callFailureType, evaluateConditions, finished, jobFailureType, parseDefinition, resolve, retryDelay, runnableSteps, type ParameterValue, type RetryableType, type Scope, type StepNode, type StepState } from '../../../pipeline/index.js';
import type { HostingPorts } from '../hosting/ports.js';
import { parseS3Uri } from '../jobs/role-s3.js';
import { store } from '../store.js';
import { cacheKey, expireAfterMs } from './cache.js';
import { transitionEvents } from './events.js';
import { executions } from './execution-store.js';
import type { EventPort } from '../../../core/events.js';
import type { JobWatch } from '../jobs/watch.js';

const iso = (ms: number) => new Date(ms).toISOString();
/** How often a running execution looks at its record when nothing woke it, and a step looks at its job. */
const TICK_MS = 150;
/** A step's job wakes it when it changes; without that (no watch given) the step polls its job this often. */
const JOB_POLL_MS = 50;
/** With a watch, the step still looks at its job this often, in case a change was not seen (a restart). */
const JOB_SAFETY_POLL_MS = 1000;

/** One entry of ListPipelineExecutionSteps, plus what only the runner reads. */
export interface StepRecord {
  StepName: string;
  StepDisplayName?: string;
  StepDescription?: string;
  StartTime?: string;
  EndTime?: string;
  StepStatus: StepState;
  FailureReason?: string;
  Metadata?: Record<string, unknown>;
  AttemptCount?: number;
  /** Internal: the properties root other steps' `Get Steps.<name>…` read (the job's Describe answer …). */
  __properties?: unknown;
  __outcome?: boolean;
  CacheHitResult?: { SourcePipelineExecutionArn: string };
  SelectiveExecutionResult?: { SourcePipelineExecutionArn: string };
  /** Internal: a step a selective execution neither ran nor took from its source (not listed). */
  __notSelected?: boolean;
  /** Internal: the cache key of its resolved arguments (CacheConfig). */
  __cacheKey?: string;
  /** Internal: when a retried step's next attempt may start, and when its first attempt started. */
  __retryAt?: number;
  __firstStartTime?: string;
  /** Internal: the job this step started (its name is recorded before the create call), to follow it (and to stop it). */
  __job?: { kind: 'TrainingJob' | 'ProcessingJob' | 'TransformJob'; name: string; arn: string };
}

export interface ExecutionDocument extends Record<string, unknown> {
  PipelineArn: string;
  PipelineExecutionArn: string;
  PipelineExecutionStatus: 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
  CreationTime: string;
  LastModifiedTime: string;
  FailureReason?: string;
  __definition: string;
  __roleArn: string;
  __pipelineName: string;
  __parameters: Record<string, ParameterValue>;
  __steps: Record<string, StepRecord>;
  __parallelism?: number;
}

const JOB_STEPS: Record<string, { kind: 'TrainingJob' | 'ProcessingJob' | 'TransformJob'; create: string; describe: string; stop: string; nameField: string; status: string }> = {
  Training: { kind: 'TrainingJob', create: 'CreateTrainingJob', describe: 'DescribeTrainingJob', stop: 'StopTrainingJob', nameField: 'TrainingJobName', status: 'TrainingJobStatus' },
  Processing: { kind: 'ProcessingJob', create: 'CreateProcessingJob', describe: 'DescribeProcessingJob', stop: 'StopProcessingJob', nameField: 'ProcessingJobName', status: 'ProcessingJobStatus' },
  Transform: { kind: 'TransformJob', create: 'CreateTransformJob', describe: 'DescribeTransformJob', stop: 'StopTransformJob', nameField: 'TransformJobName', status: 'TransformJobStatus' },
};

/** `pipelines-<execution id>-<step>-<random>`, as SageMaker names a step's job (lower-case, a valid job name, ≤ 63). */
export function stepJobName(executionId: string, step: string): string {
  const clean = step.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  const suffix = randomBytes(8).toString('hex').slice(0, 10);
  const head = `pipelines-${executionId}-${clean}`.slice(0, 63 - suffix.length - 1).replace(/-+$/, '');
  return `${head}-${suffix}`;
}

function reason(e: unknown): string {
  if (isAwsError(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export class PipelineRunner {
  private readonly active = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly ports: HostingPorts,
    private readonly db: Database,
    private readonly now: () => number,
    private readonly events?: EventPort,
    private readonly watch?: JobWatch,
  ) {}

  /** Starts (or continues) driving an execution. */
  drive(arn: string): void {
    if (this.closed || this.active.has(arn)) return;
    const run = this.loop(arn)
      .catch((e: unknown) => this.ports.log?.(`sagemaker: pipeline execution ${arn}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => this.active.delete(arn));
    this.active.set(arn, run);
  }

  async resume(): Promise<void> {
    for (const r of await store.allOf<ExecutionDocument>(this.db.kysely, 'pipeline-execution')) {
      if (r.status === 'Executing' || r.status === 'Stopping') this.drive(r.arn);
    }
  }

  async settle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settle();
  }

  private async read(arn: string) {
    return executions.get(this.db.kysely, arn);
  }

  /** Read-modify-write of the execution's document (one transaction). */
  private async write(arn: string, change: (d: ExecutionDocument) => void): Promise<ExecutionDocument | undefined> {
    const now = this.now();
    const written = await this.db.transaction(async (trx) => {
      const r = await executions.head(trx, arn);
      if (!r) return undefined;
      const doc = structuredClone(r.doc);
      change(doc);
      doc.LastModifiedTime = iso(now);
      await executions.update(trx, arn, doc, now);
      return { before: r.doc, doc };
    });
    if (!written) return undefined;
    if (this.events) for (const e of transitionEvents(written.before, written.doc, now)) this.events.publish(e);
    return written.doc;
  }

  /** Read-modify-write of one step's record (its own row; the execution's is not rewritten). */
  private async setStep(arn: string, name: string, change: (s: StepRecord) => void): Promise<void> {
    const now = this.now();
    const written = await this.db.transaction(async (trx) => {
      const execution = await executions.head(trx, arn);
      if (!execution) return undefined;
      const before = await executions.step(trx, arn, name);
      const s: StepRecord = before ? structuredClone(before) : { StepName: name, StepStatus: 'Starting' };
      change(s);
      await executions.putStep(trx, execution, s, now);
      return { execution: execution.doc, before, s };
    });
    if (!written || !this.events) return;
    const { execution, before, s } = written;
    const events = transitionEvents({ ...execution, __steps: before ? { [name]: before } : {} }, { ...execution, __steps: { [name]: s } }, now);
    for (const e of events) this.events.publish(e);
  }

  private async loop(arn: string): Promise<void> {
    const first = await this.read(arn);
    if (!first) return;
    const def = parseDefinition(first.doc.__definition);
    let session: Principal | undefined;
    const inFlight = new Map<string, Promise<void>>();
    // A step that ends wakes the loop at once, so a chain of quick steps is not paced by the tick. One that ends
    // while the loop body runs leaves `woken` set, so the next wait is skipped rather than the wake-up lost.
    let woken = false;
    let wake: () => void = () => void (woken = true);
    const track = (key: string, p: Promise<void>) => {
      inFlight.set(
        key,
        p.finally(() => {
          inFlight.delete(key);
          wake();
        }),
      );
    };
    while (!this.closed) {
      const r = await this.read(arn);
      if (!r) return;
      const doc = r.doc;
      if (doc.PipelineExecutionStatus !== 'Executing' && doc.PipelineExecutionStatus !== 'Stopping') return;
      try {
        session ??= (await this.ports.executionRoles.session(doc.__roleArn, { sourceArn: arn, sourceAccount: r.accountId })).principal;
      } catch (e) {
        await this.write(arn, (d) => {
          d.PipelineExecutionStatus = 'Failed';
          d.FailureReason = `SageMaker could not assume the pipeline's role ${doc.__roleArn}: ${reason(e)}`.slice(0, 1300);
        });
        return;
      }
      const state = (n: string) => doc.__steps[n]?.StepStatus;
      const outcome = (n: string) => doc.__steps[n]?.__outcome;
      if (doc.PipelineExecutionStatus === 'Stopping') {
        for (const s of Object.values(doc.__steps)) {
          if ((s.StepStatus === 'Executing' || s.StepStatus === 'Starting') && s.__job?.arn && !inFlight.has(`stop:${s.StepName}`)) {
            track(`stop:${s.StepName}`, this.stopJob(arn, session, s, def.steps.get(s.StepName)));
          }
        }
        // A step that had not started its job yet simply stops (one whose create call may have gone out before a
        // restart stops that job by name, in case it exists).
        for (const s of Object.values(doc.__steps)) {
          if (s.StepStatus === 'Starting' && !s.__job?.arn && !inFlight.has(s.StepName)) {
            const spec = s.__job ? Object.values(JOB_STEPS).find((j) => j.kind === s.__job!.kind) : undefined;
            if (spec) await this.call(session, arn, spec.stop, { [spec.nameField]: s.__job!.name }).catch(() => undefined);
            await this.setStep(arn, s.StepName, (x) => {
              x.StepStatus = 'Stopped';
              x.EndTime = iso(this.now());
            });
          }
        }
        const after = (await this.read(arn))?.doc ?? doc;
        const running = Object.values(after.__steps).some((s) => s.StepStatus === 'Executing' || s.StepStatus === 'Starting' || s.StepStatus === 'Stopping');
        if (!running && [...inFlight.keys()].every((k) => k.startsWith('stop:'))) {
          await this.write(arn, (d) => void (d.PipelineExecutionStatus = 'Stopped'));
          return;
        }
      } else {
        const failed = Object.values(doc.__steps).some((s) => s.StepStatus === 'Failed');
        const running = Object.values(doc.__steps).filter((s) => s.StepStatus === 'Executing' || s.StepStatus === 'Starting').length;
        if (!failed) {
          const limit = doc.__parallelism ?? 50;
          for (const name of runnableSteps(def, state, outcome).slice(0, Math.max(0, limit - running))) {
            if (inFlight.has(name)) continue;
            const step = def.steps.get(name)!;
            await this.setStep(arn, name, (s) => {
              s.StepStatus = 'Starting';
              s.StartTime = iso(this.now());
              s.AttemptCount = (s.AttemptCount ?? 0) + 1;
              if (step.displayName) s.StepDisplayName = step.displayName;
              if (step.description) s.StepDescription = step.description;
            });
            track(name, this.startStep(arn, r.accountId, session, step));
          }
        }
        // After a restart: steps that had started a job are followed again; steps caught before their job existed
        // start again.
        for (const s of Object.values(doc.__steps)) {
          if (inFlight.has(s.StepName)) continue;
          if (s.StepStatus === 'Executing' && s.__job) track(s.StepName, this.follow(arn, session, def.steps.get(s.StepName), s.__job));
          else if (s.StepStatus === 'Starting' && def.steps.has(s.StepName)) {
            track(s.StepName, this.startStep(arn, r.accountId, session, def.steps.get(s.StepName)!));
          }
        }
        const now = await this.read(arn);
        if (now && [...inFlight.keys()].filter((k) => !k.startsWith('stop:')).length === 0) {
          const st = (n: string) => now.doc.__steps[n]?.StepStatus;
          const out = (n: string) => now.doc.__steps[n]?.__outcome;
          const anyFailed = Object.values(now.doc.__steps).find((s) => s.StepStatus === 'Failed');
          const stillRunning = Object.values(now.doc.__steps).some((s) => s.StepStatus === 'Executing' || s.StepStatus === 'Starting');
          if (anyFailed && !stillRunning) {
            const fail = Object.values(now.doc.__steps).find((s) => s.StepStatus === 'Failed' && s.Metadata?.Fail !== undefined);
            await this.write(arn, (d) => {
              d.PipelineExecutionStatus = 'Failed';
              d.FailureReason = fail ? String((fail.Metadata!.Fail as { ErrorMessage?: string }).ErrorMessage ?? '') : 'Step failure: One or multiple steps failed.';
            });
            return;
          }
          if (!anyFailed && finished(def, st, out)) {
            await this.write(arn, (d) => void (d.PipelineExecutionStatus = 'Succeeded'));
            return;
          }
        }
      }
      if (!woken) {
        await new Promise<void>((res) => {
          const timer = setTimeout(res, TICK_MS);
          wake = () => {
            clearTimeout(timer);
            res();
          };
        });
      }
      woken = false;
      wake = () => void (woken = true);
    }
  }

  private scope(doc: ExecutionDocument, accountId: string, arn: string, as: Principal, jobName?: { field: string; name: string }): Scope {
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const region = arn.split(':')[3]!;
    return {
      parameters: doc.__parameters,
      execution: {
        ExecutionId: id,
        PipelineExecutionId: id,
        PipelineExecutionArn: arn,
        PipelineName: doc.__pipelineName,
        PipelineArn: doc.PipelineArn,
        StartDateTime: doc.CreationTime,
        CurrentDateTime: () => iso(this.now()),
        ...(jobName ? { [jobName.field]: jobName.name } : {}),
      },
      ...(doc.PipelineExperimentConfig ? { experiment: doc.PipelineExperimentConfig as { ExperimentName?: string; TrialName?: string } } : {}),
      step: (name) => {
        const s = doc.__steps[name];
        if (!s || s.StepStatus !== 'Succeeded' || s.__notSelected) return undefined;
        return { type: s.__job?.kind ?? '', properties: s.__properties, ...(s.__outcome !== undefined ? { outcome: s.__outcome } : {}) };
      },
      readText: async (uri) => {
        const at = parseS3Uri(uri);
        if (!at) throw new Error(`${uri} is not an S3 URI`);
        const out = await this.ports.internal().call<{ Body?: AsyncIterable<Uint8Array> | Uint8Array }>({ service: 's3', operation: 'GetObject', input: { Bucket: at.bucket, Key: at.key }, principal: as, region, via: { calledVia: ['sagemaker.amazonaws.com'], sourceArn: arn, sourceAccount: accountId } });
        const chunks: Buffer[] = [];
        const body = out.Body ?? new Uint8Array(0);
        for await (const c of body instanceof Uint8Array ? [body] : body) chunks.push(Buffer.from(c));
        return Buffer.concat(chunks).toString('utf8');
      },
    };
  }

  private call<O>(as: Principal, arn: string, operation: string, input: Record<string, unknown>): Promise<O> {
    const [, , , region, account] = arn.split(':');
    return this.ports.internal().call<O>({ service: 'sagemaker', operation, input, principal: as, region: region!, via: { calledVia: ['sagemaker.amazonaws.com'], sourceArn: arn, sourceAccount: account! } });
  }

  private async startStep(arn: string, accountId: string, as: Principal, step: StepNode): Promise<void> {
    const r = await this.read(arn);
    if (!r) return;
    const doc = r.doc;
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const fail = (why: string, metadata?: Record<string, unknown>) =>
      this.setStep(arn, step.name, (s) => {
        s.StepStatus = 'Failed';
        s.FailureReason = why.slice(0, 1024);
        s.EndTime = iso(this.now());
        if (metadata) s.Metadata = { ...s.Metadata, ...metadata };
      });
    const record = doc.__steps[step.name];
    // A retry waits out its back-off (recorded, so a restart waits only what is left).
    const wait = (record?.__retryAt ?? 0) - this.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    if (this.closed) return;
    try {
      const job = JOB_STEPS[step.type];
      if (job) {
        // The job's name is recorded before CreateXJob, so a restart between the two finds the job it started
        // (and follows it) instead of starting a second one.
        const recorded = record?.__job?.kind === job.kind ? record.__job.name : undefined;
        if (recorded) {
          const existing = await this.call<Record<string, unknown>>(as, arn, job.describe, { [job.nameField]: recorded }).catch((e: unknown) => {
            if (isAwsError(e) && (e.code === 'ResourceNotFound' || e.code === 'ValidationException')) return undefined;
            throw e;
          });
          if (existing) {
            const ref = { kind: job.kind, name: recorded, arn: String(existing[`${job.kind}Arn`]) };
            await this.setStep(arn, step.name, (s) => {
              s.StepStatus = 'Executing';
              s.Metadata = { [job.kind]: { Arn: ref.arn } };
              s.__job = ref;
            });
            await this.follow(arn, as, step, ref);
            return;
          }
        }
        const name = recorded ?? stepJobName(id, step.name);
        const args = (await resolve(step.arguments, this.scope(doc, accountId, arn, as, { field: job.nameField, name }))) as Record<string, unknown>;
        const key = step.cacheConfig?.Enabled ? cacheKey(step.type, args) : undefined;
        if (key !== undefined) {
          const hit = await this.cached(doc.PipelineArn, arn, step.name, key, expireAfterMs(step.cacheConfig?.ExpireAfter));
          if (hit) {
            await this.setStep(arn, step.name, (s) => {
              s.StepStatus = 'Succeeded';
              s.EndTime = iso(this.now());
              s.CacheHitResult = { SourcePipelineExecutionArn: hit.source };
              if (hit.step.Metadata) s.Metadata = hit.step.Metadata;
              s.__properties = hit.step.__properties;
              s.__cacheKey = key;
            });
            return;
          }
        }
        if (!recorded) await this.setStep(arn, step.name, (s) => void (s.__job = { kind: job.kind, name, arn: '' }));
        const out = await this.call<Record<string, string>>(as, arn, job.create, { ...args, [job.nameField]: name });
        const jobArn = Object.values(out)[0]!;
        const ref = { kind: job.kind, name, arn: jobArn };
        await this.setStep(arn, step.name, (s) => {
          s.StepStatus = 'Executing';
          s.Metadata = { [job.kind]: { Arn: jobArn } };
          s.__job = ref;
          if (key !== undefined) s.__cacheKey = key;
        });
        await this.follow(arn, as, step, ref);
        return;
      }
      const scope = this.scope(doc, accountId, arn, as);
      switch (step.type) {
        case 'Condition': {
          const args = step.arguments as { Conditions?: unknown[] };
          const result = await evaluateConditions(args.Conditions ?? [], scope);
          await this.setStep(arn, step.name, (s) => {
            s.StepStatus = 'Succeeded';
            s.EndTime = iso(this.now());
            s.Metadata = { Condition: { Outcome: result ? 'True' : 'False' } };
            s.__outcome = result;
            s.__properties = { Outcome: result ? 'True' : 'False' };
          });
          return;
        }
        case 'Fail': {
          const message = String((await resolve((step.arguments as { ErrorMessage?: unknown } | undefined)?.ErrorMessage ?? '', scope)) ?? '');
          await fail(message, { Fail: { ErrorMessage: message } });
          return;
        }
        case 'Model': {
          const args = (await resolve(step.arguments, scope)) as Record<string, unknown>;
          const name = stepJobName(id, step.name);
          const out = await this.call<{ ModelArn: string }>(as, arn, 'CreateModel', { ...args, ModelName: name });
          const described = await this.call(as, arn, 'DescribeModel', { ModelName: name });
          await this.setStep(arn, step.name, (s) => {
            s.StepStatus = 'Succeeded';
            s.EndTime = iso(this.now());
            s.Metadata = { Model: { Arn: out.ModelArn } };
            s.__properties = described;
          });
          return;
        }
        case 'RegisterModel': {
          const args = (await resolve(step.arguments, scope)) as Record<string, unknown>;
          const metadata = (args.MetadataProperties as Record<string, unknown> | undefined) ?? {};
          const out = await this.call<{ ModelPackageArn: string }>(as, arn, 'CreateModelPackage', { ...args, MetadataProperties: { GeneratedBy: arn, ...metadata } });
          const described = await this.call(as, arn, 'DescribeModelPackage', { ModelPackageName: out.ModelPackageArn });
          await this.setStep(arn, step.name, (s) => {
            s.StepStatus = 'Succeeded';
            s.EndTime = iso(this.now());
            s.Metadata = { RegisterModel: { Arn: out.ModelPackageArn } };
            s.__properties = described;
          });
          return;
        }
        default:
          await fail(`mlzone does not run ${step.type} steps yet (it runs Processing, Training, Transform, Model, RegisterModel, Condition and Fail steps).`);
      }
    } catch (e) {
      const type = isAwsError(e) ? callFailureType(e.code, e.status >= 500) : undefined;
      if (!(await this.retryLater(arn, step, type))) await fail(reason(e));
    }
  }

  /**
   * When the step's RetryPolicies (or the default for service faults) allow another attempt after a failure of
   * `type`, puts the step back to Starting with its back-off recorded and returns true; the loop starts it again.
   */
  private async retryLater(arn: string, step: StepNode | undefined, type: RetryableType | undefined): Promise<boolean> {
    if (!step || this.closed) return false;
    const r = await this.read(arn);
    const s = r?.doc.__steps[step.name];
    if (!s || r.doc.PipelineExecutionStatus !== 'Executing') return false;
    const now = this.now();
    const delay = retryDelay(step.retryPolicies, type, s.AttemptCount ?? 1, Date.parse(s.__firstStartTime ?? s.StartTime ?? iso(now)), now);
    if (delay === undefined) return false;
    await this.setStep(arn, step.name, (x) => {
      x.__firstStartTime ??= x.StartTime;
      x.StepStatus = 'Starting';
      x.AttemptCount = (x.AttemptCount ?? 1) + 1;
      x.StartTime = iso(now + delay);
      x.__retryAt = now + delay;
      delete x.__job;
      delete x.FailureReason;
      delete x.EndTime;
      delete x.Metadata;
    });
    return true;
  }

  /** The newest earlier run of this step, in this pipeline, that succeeded with the same key within the expiry. */
  private async cached(pipelineArn: string, current: string, step: string, key: string, expireMs: number): Promise<{ step: StepRecord; source: string } | undefined> {
    const [, , , region, account] = pipelineArn.split(':');
    const earlier = await store.list<ExecutionDocument>(this.db.kysely, { kind: 'pipeline-execution', accountId: account!, region: region!, parent: pipelineArn });
    for (const e of earlier.reverse()) {
      if (e.arn === current) continue;
      const s = (await executions.step(this.db.kysely, e.arn, step)) ?? e.doc.__steps?.[step];
      if (!s || s.StepStatus !== 'Succeeded' || s.__cacheKey !== key || !s.EndTime) continue;
      if (this.now() - Date.parse(s.EndTime) > expireMs) continue;
      return { step: s, source: s.CacheHitResult?.SourcePipelineExecutionArn ?? e.arn };
    }
    return undefined;
  }

  /** Follows a step's job until it ends; the step ends with it (Succeeded, Failed with the job's reason, Stopped). */
  private async follow(arn: string, as: Principal, node: StepNode | undefined, job: NonNullable<StepRecord['__job']>, stopping = false): Promise<void> {
    const spec = Object.values(JOB_STEPS).find((j) => j.kind === job.kind)!;
    const step = node?.name ?? '';
    for (;;) {
      // Registered before the read, so a job that ends meanwhile still wakes this step.
      const changed = this.watch && job.arn ? this.watch.next(job.arn, JOB_SAFETY_POLL_MS) : new Promise((res) => setTimeout(res, JOB_POLL_MS));
      let d: Record<string, unknown>;
      try {
        d = await this.call<Record<string, unknown>>(as, arn, spec.describe, { [spec.nameField]: job.name });
      } catch (e) {
        await this.setStep(arn, step, (s) => {
          s.StepStatus = 'Failed';
          s.FailureReason = reason(e).slice(0, 1024);
          s.EndTime = iso(this.now());
        });
        return;
      }
      const status = String(d[spec.status]);
      if (status === 'Completed' || status === 'Failed' || status === 'Stopped') {
        if (status === 'Failed' && !stopping && (await this.retryLater(arn, node, jobFailureType(String(d.FailureReason ?? ''))))) return;
        await this.setStep(arn, step, (s) => {
          s.StepStatus = status === 'Completed' ? 'Succeeded' : status === 'Failed' ? 'Failed' : 'Stopped';
          if (status === 'Failed') s.FailureReason = String(d.FailureReason ?? 'The job failed.').slice(0, 1024);
          s.EndTime = iso(this.now());
          s.__properties = d;
        });
        return;
      }
      if (this.closed) return;
      await changed;
    }
  }

  private async stopJob(arn: string, as: Principal, s: StepRecord, node: StepNode | undefined): Promise<void> {
    const spec = Object.values(JOB_STEPS).find((j) => j.kind === s.__job!.kind)!;
    await this.call(as, arn, spec.stop, { [spec.nameField]: s.__job!.name }).catch(() => undefined);
    await this.follow(arn, as, node ?? ({ name: s.StepName } as StepNode), s.__job!, true);
  }
}
