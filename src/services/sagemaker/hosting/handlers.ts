/**
 * Models, endpoint configs and endpoints. Models and configs are plain records; creating, updating or deleting an
 * endpoint writes its record and hands the work to the `Deployer`, which runs in the background as AWS does
 * (the call answers at once, DescribeEndpoint shows the progress). A missing model, config or endpoint is a
 * ValidationException with AWS's "Could not find …" wording.
 */
import { endpointStateEvent } from '../domain/state-events.js';
import type { RequestContext } from '../../../core/context.js';
import type { ContainerDefinition, CreateEndpointConfigInput, ProductionVariant } from '../api.gen.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { canonicalArn, isArn, parseSageMakerArn, sagemakerArn } from '../domain/arns.js';
import { errors } from '../domain/errors.js';
import { listPage } from '../domain/listing.js';
import { store, type ResourceRecord } from '../store.js';
import { requestedTags } from '../tags/handlers.js';
import type { Deployer, EndpointDocument } from './deployer.js';
import { variantPlan, type ContainerPlan, type DeploymentPlan, type ModelDocument } from './plan.js';

type Doc = Record<string, unknown>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The stored package a `ModelPackageName` names: a versioned or unversioned package ARN, or a name in the caller's account. */
async function findPackage(ctx: AreaContext, rc: RequestContext, nameOrArn: string): Promise<ResourceRecord<Doc> | undefined> {
  if (isArn(nameOrArn)) {
    const p = parseSageMakerArn(nameOrArn);
    if (!p || p.kind !== 'model-package') return undefined;
    return store.get(ctx.db.kysely, canonicalArn(nameOrArn)!);
  }
  return store.get(ctx.db.kysely, sagemakerArn(rc.region, rc.accountId, 'model-package', nameOrArn));
}

async function containersOf(ctx: AreaContext, rc: RequestContext, defs: readonly ContainerDefinition[]): Promise<ContainerPlan[]> {
  const out: ContainerPlan[] = [];
  for (const d of defs) {
    if (d.ModelPackageName !== undefined) {
      const pkg = await findPackage(ctx, rc, d.ModelPackageName);
      if (!pkg) throw errors.validation(`ModelPackage ${d.ModelPackageName} does not exist.`);
      const spec = pkg.doc.InferenceSpecification as { Containers?: Array<{ Image?: string; ModelDataUrl?: string; Environment?: Record<string, string>; ContainerHostname?: string }> } | undefined;
      for (const c of spec?.Containers ?? []) {
        if (!c.Image) throw errors.validation(`ModelPackage ${d.ModelPackageName} has a container without an image.`);
        out.push({
          Image: c.Image,
          ...(c.ModelDataUrl !== undefined ? { ModelDataUrl: c.ModelDataUrl } : {}),
          Environment: { ...(c.Environment ?? {}), ...(d.Environment ?? {}) },
          ...(c.ContainerHostname !== undefined ? { ContainerHostname: c.ContainerHostname } : {}),
        });
      }
      continue;
    }
    if (!d.Image) throw errors.validation('Image must be specified for a container that names no ModelPackageName.');
    const dataUrl = d.ModelDataUrl ?? (d.ModelDataSource?.S3DataSource?.CompressionType === 'Gzip' ? d.ModelDataSource.S3DataSource.S3Uri : undefined);
    if (d.ModelDataSource && dataUrl === undefined) throw errors.validation('mlzone serves ModelDataSource only as a Gzip-compressed S3Object (model.tar.gz); use ModelDataUrl or CompressionType Gzip.');
    out.push({
      Image: d.Image,
      ...(dataUrl !== undefined ? { ModelDataUrl: dataUrl } : {}),
      Environment: { ...(d.Environment ?? {}) },
      ...(d.ContainerHostname !== undefined ? { ContainerHostname: d.ContainerHostname } : {}),
    });
  }
  return out;
}

function checkVariants(variants: readonly ProductionVariant[]): void {
  const seen = new Set<string>();
  for (const v of variants) {
    if (seen.has(v.VariantName)) throw errors.validation(`Value '${v.VariantName}' at 'productionVariants' failed to satisfy constraint: Variant names must be unique.`);
    seen.add(v.VariantName);
    if (!v.ModelName) throw errors.validation(`ModelName must be specified for production variant ${v.VariantName}.`);
    if (v.ServerlessConfig === undefined && (v.InstanceType === undefined || v.InitialInstanceCount === undefined)) {
      throw errors.validation(`Either ServerlessConfig or both InstanceType and InitialInstanceCount must be specified for production variant ${v.VariantName}.`);
    }
    if (v.ServerlessConfig !== undefined && (v.InstanceType !== undefined || v.InitialInstanceCount !== undefined)) {
      throw errors.validation(`Production variant ${v.VariantName} cannot have both ServerlessConfig and InstanceType or InitialInstanceCount.`);
    }
  }
}

function captureSummary(c: CreateEndpointConfigInput['DataCaptureConfig']): Doc | undefined {
  if (!c) return undefined;
  const enabled = c.EnableCapture !== false;
  return { EnableCapture: enabled, CaptureStatus: enabled ? 'Started' : 'Stopped', CurrentSamplingPercentage: c.InitialSamplingPercentage, DestinationS3Uri: c.DestinationS3Uri, ...(c.KmsKeyId ? { KmsKeyId: c.KmsKeyId } : {}) };
}

export function hostingHandlers(ctx: AreaContext, deployer: Deployer): SageMakerHandlers {
  const endpointChanged = (arn: string, before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>) => {
    const event = ctx.events && endpointStateEvent(arn, before, after, ctx.clock.now());
    if (event) ctx.events!.publish(event);
  };
  const now = () => ctx.clock.now();

  /** The plan an endpoint config describes, with every model it names (ValidationException for a missing one). */
  async function planOf(rc: RequestContext, configName: string): Promise<DeploymentPlan> {
    const configArn = sagemakerArn(rc.region, rc.accountId, 'endpoint-config', configName);
    const config = await store.get<Doc>(ctx.db.kysely, configArn);
    if (!config) throw errors.validation(`Could not find endpoint configuration "${configArn}".`);
    const variants = config.doc.ProductionVariants as ProductionVariant[];
    const plans = [];
    for (const v of variants) {
      const modelArn = sagemakerArn(rc.region, rc.accountId, 'model', v.ModelName!);
      const model = await store.get<ModelDocument>(ctx.db.kysely, modelArn);
      if (!model) throw errors.validation(`Could not find model "${modelArn}".`);
      plans.push(variantPlan(v, model.doc));
    }
    const capture = config.doc.DataCaptureConfig as DeploymentPlan['DataCapture'];
    return { EndpointConfigName: config.name, Variants: plans, ...(capture && capture.EnableCapture !== false ? { DataCapture: capture } : {}) };
  }

  async function endpointRecord(rc: RequestContext, name: string): Promise<ResourceRecord<EndpointDocument>> {
    const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint', name);
    const r = await store.get<EndpointDocument>(ctx.db.kysely, arn);
    if (!r) throw errors.validation(`Could not find endpoint "${arn}".`);
    return r;
  }

  return {
    CreateModel: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'model', i.ModelName);
      if (i.PrimaryContainer && i.Containers) throw errors.validation('Only one of PrimaryContainer or Containers may be specified.');
      const defs = i.PrimaryContainer ? [i.PrimaryContainer] : (i.Containers ?? []);
      if (defs.length === 0) throw errors.validation('Either PrimaryContainer or Containers must be specified.');
      const tags = requestedTags(i.Tags);
      const containers = await containersOf(ctx, rc, defs);
      const t = now();
      const doc: ModelDocument & Doc = {
        ModelName: i.ModelName,
        ...(i.PrimaryContainer ? { PrimaryContainer: i.PrimaryContainer } : {}),
        ...(i.Containers ? { Containers: i.Containers } : {}),
        ...(i.InferenceExecutionConfig ? { InferenceExecutionConfig: i.InferenceExecutionConfig } : {}),
        ...(i.ExecutionRoleArn ? { ExecutionRoleArn: i.ExecutionRoleArn } : {}),
        ...(i.VpcConfig ? { VpcConfig: i.VpcConfig } : {}),
        EnableNetworkIsolation: i.EnableNetworkIsolation ?? false,
        CreationTime: iso(t),
        ModelArn: arn,
        __containers: containers,
      };
      await ctx.db.transaction(async (trx) => {
        if (await store.get(trx, arn)) throw errors.validation(`Cannot create already existing model "${arn}".`);
        await store.insert(trx, { arn, kind: 'model', accountId: rc.accountId, region: rc.region, name: i.ModelName, createdAt: t, modifiedAt: t, doc });
        await store.putTags(trx, arn, tags);
      });
      return { ModelArn: arn };
    },

    DescribeModel: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'model', i.ModelName);
      const r = await store.get<Doc>(ctx.db.kysely, arn);
      if (!r) throw errors.validation(`Could not find model "${arn}".`);
      return r.doc as never;
    },

    ListModels: async (i, rc) => {
      const all = await store.list(ctx.db.kysely, { kind: 'model', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, i, `ListModels/${rc.accountId}/${rc.region}`);
      return { Models: page.items.map((r) => ({ ModelName: r.name, ModelArn: r.arn, CreationTime: new Date(r.createdAt) })), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    DeleteModel: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'model', i.ModelName);
      await ctx.db.transaction(async (trx) => {
        if (!(await store.get(trx, arn))) throw errors.validation(`Could not find model "${arn}".`);
        await store.delete(trx, arn);
      });
      return {};
    },

    CreateEndpointConfig: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint-config', i.EndpointConfigName);
      checkVariants(i.ProductionVariants);
      const tags = requestedTags(i.Tags);
      for (const v of i.ProductionVariants) {
        const modelArn = sagemakerArn(rc.region, rc.accountId, 'model', v.ModelName!);
        if (!(await store.get(ctx.db.kysely, modelArn))) throw errors.validation(`Could not find model "${modelArn}".`);
      }
      const t = now();
      const doc: Doc = {
        EndpointConfigName: i.EndpointConfigName,
        EndpointConfigArn: arn,
        ProductionVariants: i.ProductionVariants.map((v) => ({ ...v, ...(v.ServerlessConfig === undefined ? { InitialVariantWeight: v.InitialVariantWeight ?? 1 } : {}) })),
        ...(i.DataCaptureConfig ? { DataCaptureConfig: { EnableCapture: true, ...i.DataCaptureConfig } } : {}),
        ...(i.KmsKeyId ? { KmsKeyId: i.KmsKeyId } : {}),
        ...(i.AsyncInferenceConfig ? { AsyncInferenceConfig: i.AsyncInferenceConfig } : {}),
        ...(i.ExecutionRoleArn ? { ExecutionRoleArn: i.ExecutionRoleArn } : {}),
        ...(i.VpcConfig ? { VpcConfig: i.VpcConfig } : {}),
        ...(i.EnableNetworkIsolation !== undefined ? { EnableNetworkIsolation: i.EnableNetworkIsolation } : {}),
        CreationTime: iso(t),
      };
      await ctx.db.transaction(async (trx) => {
        if (await store.get(trx, arn)) throw errors.validation(`Cannot create already existing endpoint configuration "${arn}".`);
        await store.insert(trx, { arn, kind: 'endpoint-config', accountId: rc.accountId, region: rc.region, name: i.EndpointConfigName, createdAt: t, modifiedAt: t, doc });
        await store.putTags(trx, arn, tags);
      });
      return { EndpointConfigArn: arn };
    },

    DescribeEndpointConfig: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint-config', i.EndpointConfigName);
      const r = await store.get<Doc>(ctx.db.kysely, arn);
      if (!r) throw errors.validation(`Could not find endpoint configuration "${arn}".`);
      return r.doc as never;
    },

    ListEndpointConfigs: async (i, rc) => {
      const all = await store.list(ctx.db.kysely, { kind: 'endpoint-config', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, i, `ListEndpointConfigs/${rc.accountId}/${rc.region}`);
      return {
        EndpointConfigs: page.items.map((r) => ({ EndpointConfigName: r.name, EndpointConfigArn: r.arn, CreationTime: new Date(r.createdAt) })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    DeleteEndpointConfig: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint-config', i.EndpointConfigName);
      await ctx.db.transaction(async (trx) => {
        if (!(await store.get(trx, arn))) throw errors.validation(`Could not find endpoint configuration "${arn}".`);
        await store.delete(trx, arn);
      });
      return {};
    },

    CreateEndpoint: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint', i.EndpointName);
      const tags = requestedTags(i.Tags);
      const plan = await planOf(rc, i.EndpointConfigName);
      const configDoc = (await store.get<Doc>(ctx.db.kysely, sagemakerArn(rc.region, rc.accountId, 'endpoint-config', i.EndpointConfigName)))!.doc;
      const t = now();
      const capture = captureSummary(configDoc.DataCaptureConfig as CreateEndpointConfigInput['DataCaptureConfig']);
      const doc: EndpointDocument = {
        EndpointName: i.EndpointName,
        EndpointArn: arn,
        EndpointConfigName: i.EndpointConfigName,
        EndpointStatus: 'Creating',
        CreationTime: iso(t),
        LastModifiedTime: iso(t),
        ...(capture ? { DataCaptureConfig: capture } : {}),
        ...(i.DeploymentConfig ? { LastDeploymentConfig: i.DeploymentConfig } : {}),
        __plan: plan,
        __generation: 0,
      };
      const record: ResourceRecord<EndpointDocument> = { arn, kind: 'endpoint', accountId: rc.accountId, region: rc.region, name: i.EndpointName, parent: i.EndpointConfigName, status: 'Creating', createdAt: t, modifiedAt: t, doc };
      await ctx.db.transaction(async (trx) => {
        if (await store.get(trx, arn)) throw errors.validation(`Cannot create already existing endpoint "${arn}".`);
        await store.insert(trx, record);
        await store.putTags(trx, arn, tags);
      });
      endpointChanged(arn, undefined, doc);
      deployer.create(record);
      return { EndpointArn: arn };
    },

    DescribeEndpoint: async (i, rc) => (await endpointRecord(rc, i.EndpointName)).doc as never,

    ListEndpoints: async (i, rc) => {
      const all = await store.list(ctx.db.kysely, { kind: 'endpoint', accountId: rc.accountId, region: rc.region });
      const page = listPage(all, i, `ListEndpoints/${rc.accountId}/${rc.region}`);
      return {
        Endpoints: page.items.map((r) => ({ EndpointName: r.name, EndpointArn: r.arn, CreationTime: new Date(r.createdAt), LastModifiedTime: new Date(r.modifiedAt), EndpointStatus: r.status ?? 'Creating' })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    UpdateEndpoint: async (i, rc) => {
      const plan = await planOf(rc, i.EndpointConfigName);
      const configDoc = (await store.get<Doc>(ctx.db.kysely, sagemakerArn(rc.region, rc.accountId, 'endpoint-config', i.EndpointConfigName)))!.doc;
      const capture = captureSummary(configDoc.DataCaptureConfig as CreateEndpointConfigInput['DataCaptureConfig']);
      const t = now();
      const record = await ctx.db.transaction(async (trx) => {
        const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint', i.EndpointName);
        const r = await store.get<EndpointDocument>(trx, arn);
        if (!r) throw errors.validation(`Could not find endpoint "${arn}".`);
        if (r.status !== 'InService') {
          throw errors.validation(r.status === 'Failed' ? `Cannot update failed endpoint "${arn}".` : `Cannot update in-progress endpoint "${arn}".`);
        }
        const doc: EndpointDocument = { ...r.doc, EndpointConfigName: i.EndpointConfigName, EndpointStatus: 'Updating', LastModifiedTime: iso(t), __plan: plan, __previousPlan: r.doc.__plan };
        delete doc.FailureReason;
        if (capture) doc.DataCaptureConfig = capture;
        else delete doc.DataCaptureConfig;
        await store.update(trx, arn, { doc, status: 'Updating', modifiedAt: t });
        return { ...r, doc, status: 'Updating' };
      });
      endpointChanged(record.arn, { EndpointStatus: 'InService' }, record.doc);
      deployer.update(record);
      return { EndpointArn: record.arn };
    },

    UpdateEndpointWeightsAndCapacities: async (i, rc) => {
      const t = now();
      const desired = new Map<string, { weight?: number; count?: number }>();
      for (const d of i.DesiredWeightsAndCapacities) {
        if (desired.has(d.VariantName)) throw errors.validation(`The variant name ${d.VariantName} is specified more than once.`);
        if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined) throw errors.validation(`Either DesiredWeight or DesiredInstanceCount must be specified for variant ${d.VariantName}.`);
        desired.set(d.VariantName, { ...(d.DesiredWeight !== undefined ? { weight: d.DesiredWeight } : {}), ...(d.DesiredInstanceCount !== undefined ? { count: d.DesiredInstanceCount } : {}) });
      }
      const record = await ctx.db.transaction(async (trx) => {
        const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint', i.EndpointName);
        const r = await store.get<EndpointDocument>(trx, arn);
        if (!r) throw errors.validation(`Could not find endpoint "${arn}".`);
        if (r.status !== 'InService') throw errors.validation(`Cannot update in-progress endpoint "${arn}".`);
        const names = new Set(r.doc.__plan.Variants.map((v) => v.VariantName));
        for (const name of desired.keys()) if (!names.has(name)) throw errors.validation(`The variant(s) "[${name}]" is/are not present in the endpoint "${r.name}".`);
        const doc: EndpointDocument = { ...r.doc, EndpointStatus: 'Updating', LastModifiedTime: iso(t) };
        delete doc.FailureReason;
        await store.update(trx, arn, { doc, status: 'Updating', modifiedAt: t });
        return { ...r, doc, status: 'Updating' };
      });
      endpointChanged(record.arn, { EndpointStatus: 'InService' }, record.doc);
      deployer.reweigh(record, desired);
      return { EndpointArn: record.arn };
    },

    DeleteEndpoint: async (i, rc) => {
      const t = now();
      const record = await ctx.db.transaction(async (trx) => {
        const arn = sagemakerArn(rc.region, rc.accountId, 'endpoint', i.EndpointName);
        const r = await store.get<EndpointDocument>(trx, arn);
        if (!r) throw errors.validation(`Could not find endpoint "${arn}".`);
        const doc: EndpointDocument = { ...r.doc, EndpointStatus: 'Deleting', LastModifiedTime: iso(t) };
        await store.update(trx, arn, { doc, status: 'Deleting', modifiedAt: t });
        return { ...r, doc, status: 'Deleting', before: r.doc };
      });
      endpointChanged(record.arn, record.before, record.doc);
      deployer.delete(record);
      return {};
    },
  };
}
