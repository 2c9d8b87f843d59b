/**
 * Amazon SageMaker for mlzone (JSON 1.1, `SageMaker.*`): the model registry, hosting (models, endpoint configs,
 * endpoints that really serve), tags and Search. Each area lives in its own folder (`registry/`, `hosting/`,
 * `tags/`, `search/`) with thin handlers and its authorization declarations; all share one resource table
 * (`store.ts`).
 *
 * The rest of mlzone uses this module only:
 * - the gateway registers `definition`;
 * - the IAM enforcement reads model package group policies and resource tags through `policies`
 *   (`app/policy-sources.ts`), so a call on another account's group or package is allowed only by its policy.
 */
import type { Clock } from '../../core/clock.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { EventPort } from '../../core/events.js';
import type { Database, Migration } from '../../persistence/db.js';
import type { AreaContext, SageMakerAuthz, SageMakerHandlers } from './context.js';
import { canonicalArn, parseSageMakerArn, sagemakerArn } from './domain/arns.js';
import { hostingAuthz } from './hosting/authz.js';
import { hostingHandlers } from './hosting/handlers.js';
import { Deployer, type LiveEndpoint } from './hosting/deployer.js';
import { invoke, invokeStream, type InvokeRequest, type Invoked, type InvokedStream } from './hosting/invoke.js';
import type { HostingPorts } from './hosting/ports.js';
import { CaptureWriter } from './hosting/capture.js';
import { createInvocationMetrics, measuredInvoke } from './hosting/invocation-metrics.js';
import { createJobs } from './jobs/index.js';
import { createPipelines } from './pipelines/index.js';
import type { MetricDefinition } from './jobs/job-log.js';
import type { RuntimeImage } from '../../runtime/types.js';
import { migrations } from './migrations.js';
import { registryAuthz } from './registry/authz.js';
import { registryHandlers } from './registry/handlers.js';
import { searchAuthz } from './search/authz.js';
import { searchHandlers } from './search/handlers.js';
import { groupArnOfPackage } from './domain/sharing.js';
import { store } from './store.js';
import { tagAuthz } from './tags/authz.js';
import { tagHandlers } from './tags/handlers.js';

export { parseSageMakerArn, sagemakerArn } from './domain/arns.js';
export type { ExecutionRoles, HostingPorts } from './hosting/ports.js';
export type { InvokeRequest, Invoked, InvokedStream } from './hosting/invoke.js';

export interface SageMakerDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly validatePolicy: (document: string) => string | undefined;
  readonly hosting: HostingPorts;
  /** The metric definitions AWS applies to its own algorithms' logs (linear-learner, XGBoost in algorithm mode). */
  readonly builtinMetrics?: (image: RuntimeImage, hyperParameters: Readonly<Record<string, string>>) => readonly MetricDefinition[];
  /** Where SageMaker's EventBridge events go (until EventBridge exists, app/'s event log). */
  readonly events?: EventPort;
}

/** What the SageMaker Runtime service (InvokeEndpoint) needs: the running endpoints. */
export interface EndpointInvoker {
  invoke(request: InvokeRequest): Promise<Invoked>;
  invokeStream(request: InvokeRequest): Promise<InvokedStream>;
  /** Endpoints running in this process. */
  running(): readonly LiveEndpoint[];
}

/** Policies and tags of SageMaker resources, for the IAM enforcement. */
export interface SageMakerPolicies {
  /**
   * Grows whenever a resource's tags or group policy may have changed (every creating, deleting, tagging or policy
   * call, and an endpoint's deletion when it completes), so the authorizer may keep what it read until then.
   */
  generation(): number;
  /** The policy that governs `arn`: a model package group's own, or its group's for a versioned package. */
  resourcePolicy(arn: string): Promise<{ readonly id: string; readonly document: string } | undefined>;
  /** The resource's tags (`aws:ResourceTag/*`); undefined when mlzone keeps no such resource. */
  resourceTags(arn: string): Promise<Readonly<Record<string, string>> | undefined>;
}

export interface SageMakerService {
  readonly definition: ServiceDefinition;
  readonly policies: SageMakerPolicies;
  readonly migrations: Migration[];
  readonly endpoints: EndpointInvoker;
  /** Starts again the endpoints a previous run left serving (call once the gateway serves). */
  restore(): Promise<void>;
  /** Waits for the background deployments in flight (tests). */
  settle(): Promise<void>;
  /** Stops every endpoint instance (and writes the data captured so far). */
  close(): Promise<void>;
  /** ARNs of the jobs running now (`mlzone status`). */
  runningJobs(): string[];
  /** Writes the buffered data-capture records now (tests; otherwise about once a second). */
  flushCapture(): Promise<void>;
}

/** The group whose policy governs a group or versioned package ARN (`model-package-group/<g>`, `model-package/<g>/<n>`). */
function governingGroupArn(arn: string): string | undefined {
  const p = parseSageMakerArn(arn);
  if (p?.kind === 'model-package-group') return `arn:aws:sagemaker:${p.region}:${p.accountId}:model-package-group/${p.name.toLowerCase()}`;
  return groupArnOfPackage(arn);
}

/** Operations that may create, delete, tag or change the policy of a resource. */
const CHANGING = /^(Create|Delete|Put|Add|Update)/;

/** Wraps the changing operations' handlers so `changed` runs once each has committed (or failed: cheap, and safe). */
function bumping(handlers: SageMakerHandlers, changed: () => void): SageMakerHandlers {
  const out: Record<string, unknown> = {};
  for (const [op, h] of Object.entries(handlers)) {
    if (!h || !CHANGING.test(op)) {
      out[op] = h;
      continue;
    }
    const handler = h as (i: unknown, ctx: unknown) => unknown;
    out[op] = async (i: unknown, rc: unknown) => {
      try {
        return await handler(i, rc);
      } finally {
        changed();
      }
    };
  }
  return out as SageMakerHandlers;
}

function merge<T extends object>(...parts: T[]): T {
  return Object.assign({}, ...parts) as T;
}

export function createSageMakerService(deps: SageMakerDeps): SageMakerService {
  const ctx: AreaContext = { db: deps.db, clock: deps.clock, validatePolicy: deps.validatePolicy, ...(deps.events ? { events: deps.events } : {}) };
  // What the authorizer read of tags and policies stays valid until a call that may change them has committed.
  let generation = 0;
  const changed = () => void generation++;
  const deployer = new Deployer(deps.hosting, deps.db, deps.clock, changed, deps.events);
  const jobs = createJobs(ctx, deps.hosting, deployer, deps.builtinMetrics ?? (() => []));
  const pipelines = createPipelines(ctx, deps.hosting, jobs.watch);
  const handlers: SageMakerHandlers = bumping(merge(tagHandlers(ctx), registryHandlers(ctx), hostingHandlers(ctx, deployer), searchHandlers(ctx), jobs.handlers, pipelines.handlers), changed);
  const describe = (r: InvokeRequest) => async () => {
    const record = await store.get(deps.db.kysely, sagemakerArn(r.region, r.accountId, 'endpoint', r.endpointName));
    return record && { status: record.status };
  };
  const capture = new CaptureWriter(deps.hosting, () => deps.clock.now());
  const metrics = deps.hosting.metrics ? createInvocationMetrics(deps.hosting.metrics, () => deps.clock.now()) : undefined;
  const endpoints: EndpointInvoker = {
    invoke: metrics
      ? (r) => measuredInvoke(metrics, r, () => invoke(deployer, r, deps.hosting.invocationTimeoutMs, describe(r), capture), (name) => deployer.endpoint(r.accountId, r.region, name))
      : (r) => invoke(deployer, r, deps.hosting.invocationTimeoutMs, describe(r), capture),
    invokeStream: (r) => invokeStream(deployer, r, deps.hosting.invocationTimeoutMs, describe(r)),
    running: () => deployer.endpoints(),
  };
  const authz: SageMakerAuthz = merge(tagAuthz, registryAuthz, hostingAuthz, searchAuthz, jobs.authz, pipelines.authz);
  const policies: SageMakerPolicies = {
    generation: () => generation,
    async resourcePolicy(arn) {
      const group = governingGroupArn(arn);
      const record = group ? await store.get(deps.db.kysely, group) : undefined;
      return record?.policy !== undefined ? { id: record.arn, document: record.policy } : undefined;
    },
    async resourceTags(arn) {
      const canonical = canonicalArn(arn);
      if (!canonical || !(await store.get(deps.db.kysely, canonical))) return undefined;
      return Object.fromEntries((await store.tags(deps.db.kysely, canonical)).map((x) => [x.Key, x.Value]));
    },
  };
  return {
    definition: { name: 'sagemaker', handlers: handlers as ServiceDefinition['handlers'], authz: authz as ServiceDefinition['authz'] },
    policies,
    migrations,
    endpoints,
    async restore() {
      await deployer.restore();
      await jobs.restore();
      await pipelines.resume();
    },
    async settle() {
      await deployer.settle();
      await jobs.settle();
      await pipelines.settle();
    },
    async close() {
      await metrics?.close();
      await pipelines.close();
      await jobs.close();
      await deployer.close();
      await capture.flush();
    },
    runningJobs: () => jobs.running(),
    flushCapture: () => capture.flush(),
  };
}
