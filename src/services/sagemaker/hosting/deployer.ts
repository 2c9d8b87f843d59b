/**
 * Runs endpoints: turns a deployment plan into running container instances, keeps the endpoint's record in step
 * (Creating → InService | Failed, Updating → InService with the old variants serving until the new ones answer
 * `/ping`, Deleting → gone), and keeps the in-memory routing table InvokeEndpoint reads without touching the
 * database. After a restart of mlzone, `restore()` starts again what was InService, from the models it had
 * extracted, without asking the registries again (a running endpoint on AWS does not lose its image either).
 */
import type { EventPort } from '../../../core/events.js';
import { endpointStateEvent } from '../domain/state-events.js';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import type { Principal } from '../../../core/principal.js';
import type { Database } from '../../../persistence/db.js';
import type { HostingContainer, RuntimeImage } from '../../../runtime/types.js';
import { ContainerError } from '../../../runtime/types.js';
import { isAwsError } from '../../../core/errors.js';
import { store, type ResourceRecord } from '../store.js';
import { DeploymentFailure, readModelData, resolveImage } from './artifacts.js';
import { ContainerLog, instanceId } from './container-log.js';
import type { DeploymentPlan, VariantPlan } from './plan.js';
import type { HostingPorts } from './ports.js';

export interface LiveInstance {
  readonly containers: readonly HostingContainer[];
  /** The instance id naming its log stream (`i-…`). */
  readonly id?: string;
  /** Its containers' output on the way to CloudWatch Logs; flushed when the instance stops. */
  readonly logs?: readonly ContainerLog[];
}

export interface LiveVariant {
  readonly name: string;
  weight: number;
  instances: LiveInstance[];
  /** Round-robin position among the instances. */
  next: number;
  readonly plan: VariantPlan;
  readonly images: readonly ResolvedContainer[];
  readonly dir: string;
}

export interface LiveEndpoint {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  variants: LiveVariant[];
  totalWeight: number;
  dataCapture?: DeploymentPlan['DataCapture'];
  executionRoleArn?: string;
}

interface ResolvedContainer {
  readonly runtime: RuntimeImage;
  readonly specified: string;
  readonly resolved: string;
  readonly resolvedAt: string;
  /** Where an `s3://…/sourcedir.tar.gz` SAGEMAKER_SUBMIT_DIRECTORY was extracted (the container gets this path). */
  readonly submitDir?: string;
}

/** The endpoint document: DescribeEndpoint's answer plus what only mlzone reads (never answered: not in the shape). */
export interface EndpointDocument extends Record<string, unknown> {
  EndpointName: string;
  EndpointArn: string;
  EndpointConfigName: string;
  EndpointStatus: string;
  CreationTime: string;
  LastModifiedTime: string;
  FailureReason?: string;
  ProductionVariants?: unknown[];
  __plan: DeploymentPlan;
  /** While an update runs: the plan that keeps serving if the update fails. */
  __previousPlan?: DeploymentPlan;
  /** Increases with every deployment, naming its directory. */
  __generation: number;
  /** What the current deployment resolved its images to (restart reuses it). */
  __resolved?: Record<string, ResolvedContainer[]>;
}

/** What runs a model: an endpoint, or a transform job. */
export interface Owner {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** Where its instances' output goes; an endpoint's default is `/aws/sagemaker/Endpoints/<name>`, `<variant>/<instance-id>`. */
  readonly logs?: { readonly group: string; stream(variant: string, instanceId: string): string };
}

export function endpointKey(accountId: string, region: string, name: string): string {
  return `${accountId}/${region}/${name.toLowerCase()}`;
}

export class Deployer {
  private readonly live = new Map<string, LiveEndpoint>();
  /** Deployments in flight per endpoint key: a newer operation (delete) makes an older one's result void. */
  private readonly ops = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly ports: HostingPorts,
    private readonly db: Database,
    private readonly clock: Clock,
    /** Called when the deployer itself removes a resource (an endpoint's deletion completes in the background). */
    private readonly changed: () => void = () => undefined,
    /** Where endpoint status changes go ("SageMaker Endpoint State Change"). */
    private readonly events?: EventPort,
  ) {}

  endpoint(accountId: string, region: string, name: string): LiveEndpoint | undefined {
    return this.live.get(endpointKey(accountId, region, name));
  }

  /** Every running endpoint (for `mlzone status` and the benchmarks). */
  endpoints(): readonly LiveEndpoint[] {
    return [...this.live.values()];
  }

  private bump(key: string): number {
    const op = (this.ops.get(key) ?? 0) + 1;
    this.ops.set(key, op);
    return op;
  }

  private track<T>(p: Promise<T>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Starts a new endpoint's deployment in the background (its record is already Creating). */
  create(record: ResourceRecord<EndpointDocument>): void {
    const key = endpointKey(record.accountId, record.region, record.name);
    const op = this.bump(key);
    this.track(this.run(record, op, 'create'));
  }

  /** Deploys the record's new plan beside the running one and switches traffic once it answers. */
  update(record: ResourceRecord<EndpointDocument>): void {
    const key = endpointKey(record.accountId, record.region, record.name);
    const op = this.bump(key);
    this.track(this.run(record, op, 'update'));
  }

  /** Applies new weights and instance counts (UpdateEndpointWeightsAndCapacities); the record is Updating. */
  reweigh(record: ResourceRecord<EndpointDocument>, desired: ReadonlyMap<string, { weight?: number; count?: number }>): void {
    const key = endpointKey(record.accountId, record.region, record.name);
    const op = this.bump(key);
    this.track(this.applyCapacities(record, op, desired));
  }

  /** Stops the endpoint's instances and deletes its record (the record is Deleting). */
  delete(record: ResourceRecord<EndpointDocument>): void {
    const key = endpointKey(record.accountId, record.region, record.name);
    this.bump(key);
    this.track(
      (async () => {
        const live = this.live.get(key);
        this.live.delete(key);
        if (live) await stopVariants(live.variants);
        await this.db.transaction((trx) => store.delete(trx, record.arn));
        this.changed();
        await rm(this.endpointDir(record), { recursive: true, force: true }).catch(() => undefined);
      })().catch((e) => this.ports.log?.(`sagemaker: deleting ${record.arn} failed: ${String(e)}`)),
    );
  }

  /** After a start: endpoints that were serving serve again; ones caught mid-operation finish it. */
  async restore(): Promise<void> {
    const records = await store.allOf<EndpointDocument>(this.db.kysely, 'endpoint');
    for (const r of records) {
      const key = endpointKey(r.accountId, r.region, r.name);
      switch (r.status) {
        case 'InService':
        case 'Updating':
        case 'SystemUpdating':
          this.track(this.run(r, this.bump(key), r.status === 'InService' && r.doc.__resolved ? 'restore' : 'update'));
          break;
        case 'Creating':
          this.track(this.run(r, this.bump(key), 'create'));
          break;
        case 'Deleting':
          this.delete(r);
          break;
        default:
          break;
      }
    }
  }

  /** Waits for background work (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of this.ops.keys()) this.bump(key);
    await this.settle();
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((l) => stopVariants(l.variants)));
  }

  private endpointDir(r: ResourceRecord<unknown>): string {
    return join(this.ports.workDir, 'endpoints', r.accountId, r.region, r.name.toLowerCase());
  }

  private current(key: string, op: number): boolean {
    return !this.closed && this.ops.get(key) === op;
  }

  private async run(record: ResourceRecord<EndpointDocument>, op: number, mode: 'create' | 'update' | 'restore'): Promise<void> {
    const key = endpointKey(record.accountId, record.region, record.name);
    const doc = record.doc;
    const generation = mode === 'restore' ? doc.__generation : doc.__generation + (mode === 'update' && this.live.has(key) ? 1 : 0);
    const dir = join(this.endpointDir(record), `g${generation}`);
    let variants: LiveVariant[];
    try {
      variants = await this.deploy(record, doc.__plan, dir, mode === 'restore' ? doc.__resolved : undefined);
    } catch (e) {
      const reason = e instanceof DeploymentFailure || e instanceof ContainerError ? e.message : isAwsError(e) ? `${e.code}: ${e.message}` : `mlzone could not deploy the endpoint: ${String(e)}`;
      if (!(e instanceof DeploymentFailure) && !(e instanceof ContainerError)) this.ports.log?.(`sagemaker: deploying ${record.arn}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!this.current(key, op)) return;
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      if (mode === 'update' && this.live.has(key)) {
        // The old variants keep serving; the endpoint goes back to InService with the reason the update failed.
        await this.write(record.arn, (d) => ({ ...d, EndpointStatus: 'InService', FailureReason: reason, __plan: d.__previousPlan ?? d.__plan, EndpointConfigName: d.__previousPlan?.EndpointConfigName ?? d.EndpointConfigName }));
      } else {
        await this.write(record.arn, (d) => ({ ...d, EndpointStatus: 'Failed', FailureReason: reason }));
      }
      return;
    }
    if (!this.current(key, op)) {
      await stopVariants(variants);
      return;
    }
    const previous = this.live.get(key);
    const live: LiveEndpoint = {
      arn: record.arn,
      accountId: record.accountId,
      region: record.region,
      name: record.name,
      variants,
      totalWeight: variants.reduce((n, v) => n + v.weight, 0),
      ...(doc.__plan.DataCapture ? { dataCapture: doc.__plan.DataCapture } : {}),
      ...(doc.__plan.Variants[0]?.ExecutionRoleArn ? { executionRoleArn: doc.__plan.Variants[0].ExecutionRoleArn } : {}),
    };
    this.live.set(key, live);
    const resolved = Object.fromEntries(variants.map((v) => [v.name, [...v.images]]));
    await this.write(record.arn, (d) => {
      const next: EndpointDocument = { ...d, EndpointStatus: 'InService', __generation: generation, __resolved: resolved, ProductionVariants: variants.map(summaryOf) };
      delete next.FailureReason;
      delete next.__previousPlan;
      return next;
    });
    if (previous && previous !== live) {
      await stopVariants(previous.variants);
      if (previous.variants[0] && previous.variants[0].dir !== variants[0]?.dir) await rm(join(previous.variants[0].dir, '..'), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Starts every variant's instances; on any failure stops what it started and throws the reason. */
  private async deploy(record: ResourceRecord<EndpointDocument>, plan: DeploymentPlan, dir: string, reuse: Record<string, ResolvedContainer[]> | undefined): Promise<LiveVariant[]> {
    const started: LiveVariant[] = [];
    try {
      for (const v of plan.Variants) {
        const variantDir = join(dir, v.VariantName);
        const images = reuse?.[v.VariantName] ?? (await this.prepare(record, v, variantDir));
        const variant: LiveVariant = { name: v.VariantName, weight: v.Weight, instances: [], next: 0, plan: v, images, dir: variantDir };
        started.push(variant);
        const starts: Promise<LiveInstance>[] = [];
        for (let i = 0; i < v.InstanceCount; i++) starts.push(this.startInstance(record, variant, i));
        const results = await Promise.allSettled(starts);
        for (const r of results) if (r.status === 'fulfilled') variant.instances.push(r.value);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
      return started;
    } catch (e) {
      await stopVariants(started);
      throw e;
    }
  }

  /**
   * Starts a model's containers outside an endpoint (a batch transform job): images pulled and model data read as
   * its execution role, `count` instances. The caller stops them with `stopVariant`.
   */
  async launchVariant(owner: Owner, plan: VariantPlan, dir: string): Promise<LiveVariant> {
    const images = await this.prepare(owner, plan, dir);
    const variant: LiveVariant = { name: plan.VariantName, weight: plan.Weight, instances: [], next: 0, plan, images, dir };
    try {
      for (let i = 0; i < plan.InstanceCount; i++) variant.instances.push(await this.startInstance(owner, variant, i));
    } catch (e) {
      await stopVariants([variant]);
      throw e;
    }
    return variant;
  }

  async stopVariant(v: LiveVariant): Promise<void> {
    await stopVariants([v]);
  }

  /** Pulls the images and extracts the model data of one variant, as its execution role. */
  private async prepare(record: Owner, v: VariantPlan, variantDir: string): Promise<ResolvedContainer[]> {
    let as: Principal | undefined;
    if (v.ExecutionRoleArn) {
      try {
        as = await this.ports.executionRoles.assume(v.ExecutionRoleArn, { sourceArn: record.arn, sourceAccount: record.accountId });
      } catch (e) {
        throw new DeploymentFailure(
          `Could not assume role ${v.ExecutionRoleArn}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.${isAwsError(e) ? ` (${e.code}: ${e.message})` : ''}`,
        );
      }
    }
    const out: ResolvedContainer[] = [];
    for (let c = 0; c < v.Containers.length; c++) {
      const container = v.Containers[c]!;
      const image = await resolveImage(this.ports, container.Image, as, v.ExecutionRoleArn);
      const modelDir = join(variantDir, `c${c}`, 'model');
      await mkdir(modelDir, { recursive: true });
      if (container.ModelDataUrl) {
        const data = await readModelData(this.ports, container.ModelDataUrl, as, v.ExecutionRoleArn, record.region);
        try {
          await this.ports.extractModel(data, modelDir);
        } catch (e) {
          throw new DeploymentFailure(`Failed to extract model data archive from URL "${container.ModelDataUrl}". Please ensure that the object located at the URL is a valid tar.gz archive. (${e instanceof Error ? e.message : String(e)})`);
        }
      }
      // Framework models deployed with a source dir name it as an S3 tarball (the SageMaker Python SDK's
      // sourcedir.tar.gz); the container reads it from a local folder, fetched as the role like the model data.
      const submit = container.Environment.SAGEMAKER_SUBMIT_DIRECTORY;
      let submitDir: string | undefined;
      if (submit?.startsWith('s3://')) {
        submitDir = join(variantDir, `c${c}`, 'code');
        const code = await readModelData(this.ports, submit, as, v.ExecutionRoleArn, record.region);
        try {
          await this.ports.extractModel(code, submitDir);
        } catch (e) {
          throw new DeploymentFailure(`Failed to extract the code archive from SAGEMAKER_SUBMIT_DIRECTORY "${submit}": it must be a valid tar.gz archive. (${e instanceof Error ? e.message : String(e)})`);
        }
      }
      out.push({ runtime: image.runtime, specified: container.Image, resolved: image.resolved, resolvedAt: new Date(this.clock.now()).toISOString(), ...(submitDir ? { submitDir } : {}) });
    }
    return out;
  }

  private async startInstance(record: Owner, variant: LiveVariant, index: number): Promise<LiveInstance> {
    const containers: HostingContainer[] = [];
    const id = instanceId();
    const group = record.logs?.group ?? `/aws/sagemaker/Endpoints/${record.name}`;
    const stream = record.logs ? record.logs.stream(variant.name, id) : `${variant.name}/${id}`;
    const pipeline = variant.images.length > 1;
    const logs = variant.images.map(
      (_, c) =>
        new ContainerLog(
          this.ports.logs,
          // An inference pipeline's containers each have a stream, named after the container (AWS: its hostname).
          { accountId: record.accountId, region: record.region, group, stream: pipeline ? `${stream}/${variant.plan.Containers[c]?.ContainerHostname ?? `container-${c + 1}`}` : stream },
          () => this.clock.now(),
          this.ports.log,
        ),
    );
    try {
      for (let c = 0; c < variant.images.length; c++) {
        const modelDir = join(variant.dir, `c${c}`, 'model');
        if (!existsSync(modelDir)) throw new DeploymentFailure(`The model of variant ${variant.name} is missing from ${modelDir}; update the endpoint to deploy it again.`);
        const plan = variant.plan.Containers[c]!;
        const echo = this.ports.log;
        containers.push(
          await this.ports.runtime.startHosting({
            image: variant.images[c]!.runtime,
            modelDir,
            workDir: join(variant.dir, `c${c}`, `i${index}`),
            environment: { ...plan.Environment, SAGEMAKER_REGION: record.region, ...(variant.images[c]!.submitDir ? { SAGEMAKER_SUBMIT_DIRECTORY: variant.images[c]!.submitDir! } : {}) },
            name: `${record.accountId}/${record.name}/${variant.name}/${index}${variant.images.length > 1 ? `/c${c}` : ''}`,
            startupTimeoutMs: variant.plan.StartupTimeoutSeconds !== undefined ? variant.plan.StartupTimeoutSeconds * 1000 : this.ports.startupTimeoutMs,
            log: (line: string) => {
              logs[c]!.line(line);
              echo?.(`[${record.name}/${variant.name}/${index}] ${line}`);
            },
          }),
        );
      }
      return { containers, id, logs };
    } catch (e) {
      await Promise.all(containers.map((x) => x.stop()));
      // What a container wrote before it failed to start explains the failure: it stays in the log.
      await Promise.all(logs.map((l) => l.flush()));
      throw e;
    }
  }

  private async applyCapacities(record: ResourceRecord<EndpointDocument>, op: number, desired: ReadonlyMap<string, { weight?: number; count?: number }>): Promise<void> {
    const key = endpointKey(record.accountId, record.region, record.name);
    const live = this.live.get(key);
    try {
      if (!live) throw new DeploymentFailure('The endpoint has no running instances to update.');
      for (const v of live.variants) {
        const want = desired.get(v.name);
        if (!want) continue;
        if (want.count !== undefined) {
          while (v.instances.length < want.count) v.instances.push(await this.startInstance(record, v, v.instances.length));
          while (v.instances.length > want.count) await stopInstance(v.instances.pop()!);
        }
        if (want.weight !== undefined) v.weight = want.weight;
      }
      live.totalWeight = live.variants.reduce((n, v) => n + v.weight, 0);
    } catch (e) {
      if (!this.current(key, op)) return;
      const reason = e instanceof Error ? e.message : String(e);
      await this.write(record.arn, (d) => ({ ...d, EndpointStatus: 'InService', FailureReason: reason }));
      return;
    }
    if (!this.current(key, op)) return;
    const plan: DeploymentPlan = {
      ...record.doc.__plan,
      Variants: record.doc.__plan.Variants.map((p) => {
        const v = live.variants.find((x) => x.name === p.VariantName);
        return v ? { ...p, Weight: v.weight, InstanceCount: v.instances.length } : p;
      }),
    };
    await this.write(record.arn, (d) => ({ ...d, EndpointStatus: 'InService', __plan: plan, ProductionVariants: live.variants.map(summaryOf) }));
  }

  /** Read-modify-write of the endpoint's document in one transaction (a deleted endpoint stays deleted). */
  private async write(arn: string, change: (doc: EndpointDocument) => EndpointDocument): Promise<void> {
    const now = this.clock.now();
    const written = await this.db.transaction(async (trx) => {
      const r = await store.get<EndpointDocument>(trx, arn);
      if (!r) return undefined;
      const doc = change(r.doc);
      doc.LastModifiedTime = new Date(now).toISOString();
      await store.update(trx, arn, { doc, status: doc.EndpointStatus, modifiedAt: now });
      return { before: r.doc, doc };
    });
    const event = written && this.events && endpointStateEvent(arn, written.before, written.doc, now);
    if (event) this.events!.publish(event);
  }
}

function summaryOf(v: LiveVariant): Record<string, unknown> {
  const serverless = v.plan.Serverless;
  return {
    VariantName: v.name,
    DeployedImages: v.images.map((i) => ({ SpecifiedImage: i.specified, ResolvedImage: i.resolved, ResolutionTime: i.resolvedAt })),
    CurrentWeight: v.weight,
    DesiredWeight: v.weight,
    ...(serverless
      ? { CurrentServerlessConfig: serverless, DesiredServerlessConfig: serverless }
      : { CurrentInstanceCount: v.instances.length, DesiredInstanceCount: v.instances.length }),
  };
}

/** Stops the containers (their last lines are read when they end), then stores what they wrote. */
async function stopInstance(i: LiveInstance): Promise<void> {
  await Promise.all(i.containers.map((c) => c.stop()));
  await Promise.all((i.logs ?? []).map((l) => l.flush()));
}

async function stopVariants(variants: readonly LiveVariant[]): Promise<void> {
  await Promise.all(variants.flatMap((v) => v.instances.map(stopInstance)));
}
