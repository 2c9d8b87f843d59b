/**
 * The Search resources mlzone keeps, and how each stored Describe document becomes the `SearchRecord` member
 * AWS returns for it. A record carries the members of the search shape (not all of Describe's: the codec
 * would drop the rest anyway, but filters must not see members a client cannot see) plus `Tags`.
 *
 * Member by member the search shapes use Describe's names (`Endpoint` vs `DescribeEndpointOutput`,
 * `ModelPackage` vs `DescribeModelPackageOutput`, … as of the model in `specs/sagemaker`), so picking is enough;
 * the differences are members Describe lacks (`Tags`, the endpoint's `MonitoringSchedules`) or that only
 * Describe has (`ManagedStorageType`, `LastDeploymentConfig`, `ProfilerRuleConfigurations` …). `Model` is the
 * model dashboard's shape: `{Model: {...DescribeModel, Tags}, Endpoints: [endpoints serving it]}`.
 *
 * Property names are resolved against that member (`ModelPackageGroupName`, `Tags.team`,
 * `InferenceSpecification.Containers.Image`), with the documented special forms `Tags.<key>` and, for
 * training jobs, `Metrics.<name>` (the `Value` of the `FinalMetricDataList` entry with that `MetricName`).
 */
import type {
  Endpoint,
  Model,
  ModelDashboardEndpoint,
  ModelDashboardModel,
  ModelPackage,
  ModelPackageGroup,
  SearchRecord,
  TrainingJob,
} from '../../api.gen.js';
import type { ResourceKind } from '../../domain/arns.js';
import type { Tag } from '../../store.js';
import { resolvePath, type Leaf } from './path.js';

export type SearchableResource = 'ModelPackage' | 'ModelPackageGroup' | 'Endpoint' | 'Model' | 'TrainingJob';

export const KIND_OF: Readonly<Record<SearchableResource, ResourceKind>> = {
  ModelPackage: 'model-package',
  ModelPackageGroup: 'model-package-group',
  Endpoint: 'endpoint',
  Model: 'model',
  TrainingJob: 'training-job',
};

export function isSearchable(resource: string): resource is SearchableResource {
  return Object.hasOwn(KIND_OF, resource);
}

type Members<T> = Readonly<Record<keyof T, true>>;

const MODEL_PACKAGE = {
  ModelPackageName: true, ModelPackageGroupName: true, ModelPackageVersion: true, ModelPackageRegistrationType: true, ModelPackageArn: true,
  ModelPackageDescription: true, CreationTime: true, InferenceSpecification: true, SourceAlgorithmSpecification: true, ValidationSpecification: true,
  ModelPackageStatus: true, ModelPackageStatusDetails: true, CertifyForMarketplace: true, ModelApprovalStatus: true, CreatedBy: true,
  MetadataProperties: true, ModelMetrics: true, LastModifiedTime: true, LastModifiedBy: true, ApprovalDescription: true, Domain: true, Task: true,
  SamplePayloadUrl: true, AdditionalInferenceSpecifications: true, SourceUri: true, SecurityConfig: true, ModelCard: true, ModelLifeCycle: true,
  Tags: true, CustomerMetadataProperties: true, DriftCheckBaselines: true, SkipModelValidation: true,
} as const satisfies Members<ModelPackage>;

const MODEL_PACKAGE_GROUP = {
  ModelPackageGroupName: true, ModelPackageGroupArn: true, ModelPackageGroupDescription: true, CreationTime: true, CreatedBy: true,
  ModelPackageGroupStatus: true, Tags: true,
} as const satisfies Members<ModelPackageGroup>;

const ENDPOINT = {
  EndpointName: true, EndpointArn: true, EndpointConfigName: true, ProductionVariants: true, DataCaptureConfig: true, EndpointStatus: true,
  FailureReason: true, CreationTime: true, LastModifiedTime: true, MonitoringSchedules: true, Tags: true, ShadowProductionVariants: true,
} as const satisfies Members<Endpoint>;

const MODEL = {
  ModelName: true, PrimaryContainer: true, Containers: true, InferenceExecutionConfig: true, ExecutionRoleArn: true, VpcConfig: true,
  CreationTime: true, ModelArn: true, EnableNetworkIsolation: true, Tags: true, DeploymentRecommendation: true,
} as const satisfies Members<Model>;

const MODEL_DASHBOARD_MODEL = {
  Model: true, Endpoints: true, LastBatchTransformJob: true, MonitoringSchedules: true, ModelCard: true,
} as const satisfies Members<ModelDashboardModel>;

const TRAINING_JOB = {
  TrainingJobName: true, TrainingJobArn: true, TuningJobArn: true, LabelingJobArn: true, AutoMLJobArn: true, ModelArtifacts: true,
  TrainingJobStatus: true, SecondaryStatus: true, FailureReason: true, HyperParameters: true, AlgorithmSpecification: true, RoleArn: true,
  InputDataConfig: true, OutputDataConfig: true, ResourceConfig: true, WarmPoolStatus: true, VpcConfig: true, StoppingCondition: true,
  CreationTime: true, TrainingStartTime: true, TrainingEndTime: true, LastModifiedTime: true, SecondaryStatusTransitions: true,
  FinalMetricDataList: true, EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true, EnableManagedSpotTraining: true,
  CheckpointConfig: true, TrainingTimeInSeconds: true, BillableTimeInSeconds: true, DebugHookConfig: true, ExperimentConfig: true,
  DebugRuleConfigurations: true, TensorBoardOutputConfig: true, DebugRuleEvaluationStatuses: true, OutputModelPackageArn: true,
  ModelPackageConfig: true, ProfilerConfig: true, Environment: true, RetryStrategy: true, Tags: true,
} as const satisfies Members<TrainingJob>;

/** Top-level members of each resource's search record. */
const MEMBERS: Readonly<Record<SearchableResource, Readonly<Record<string, true>>>> = {
  ModelPackage: MODEL_PACKAGE,
  ModelPackageGroup: MODEL_PACKAGE_GROUP,
  Endpoint: ENDPOINT,
  Model: MODEL_DASHBOARD_MODEL,
  TrainingJob: TRAINING_JOB,
};

/**
 * Sorting falls back on the resource's own times when the record has no such member (a model package group has
 * no `LastModifiedTime`, yet it is Search's default sort), so these two names are accepted for every resource.
 */
export const TIME_FALLBACK_PROPERTIES: ReadonlySet<string> = new Set(['LastModifiedTime', 'CreationTime']);

/**
 * Whether `name` can be a property of `resource`: its first segment must be a member of the search record,
 * `Tags`, `Metrics` for training jobs, or for `Model` a member of the inner `Model` (the dashboard's records
 * nest the model; mlzone also accepts `ModelName` for `Model.ModelName`). Deeper segments are not checked:
 * maps and free-form documents have no fixed members.
 */
export function isKnownProperty(resource: SearchableResource, name: string): boolean {
  const first = name.split('.')[0]!;
  if (first === 'Tags' || TIME_FALLBACK_PROPERTIES.has(first)) return true;
  if (resource === 'TrainingJob' && first === 'Metrics') return name.length > 'Metrics.'.length;
  if (Object.hasOwn(MEMBERS[resource], first)) return true;
  return resource === 'Model' && Object.hasOwn(MODEL, first);
}

/** The values of property `name` in one search record body (the member of `SearchRecord`). */
export function propertyValues(resource: SearchableResource, body: Readonly<Record<string, unknown>>, name: string): Leaf[] {
  if (resource === 'TrainingJob' && name.startsWith('Metrics.')) {
    const metric = name.slice('Metrics.'.length);
    const list = Array.isArray(body.FinalMetricDataList) ? (body.FinalMetricDataList as Array<Record<string, unknown>>) : [];
    return list.filter((m) => m.MetricName === metric && typeof m.Value === 'number').map((m) => m.Value as number);
  }
  if (resource === 'Model' && !Object.hasOwn(MODEL_DASHBOARD_MODEL, name.split('.')[0]!)) return resolvePath(body.Model, name);
  return resolvePath(body, name);
}

function pick(doc: Readonly<Record<string, unknown>>, members: Readonly<Record<string, true>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Tags come from the tag table only (a document never carries them, and another account's tags stay hidden).
  for (const key of Object.keys(members)) if (key !== 'Tags' && doc[key] !== undefined) out[key] = doc[key];
  return out;
}

/** A stored endpoint as the model dashboard lists it. */
function dashboardEndpoint(doc: Readonly<Record<string, unknown>>): ModelDashboardEndpoint {
  return {
    EndpointName: doc.EndpointName as string,
    EndpointArn: doc.EndpointArn as string,
    CreationTime: doc.CreationTime as unknown as Date,
    LastModifiedTime: doc.LastModifiedTime as unknown as Date,
    EndpointStatus: doc.EndpointStatus as string,
  };
}

/**
 * The endpoints that serve `modelName`: those whose endpoint config names the model in a production or shadow
 * variant. `configs` and `endpoints` are Describe documents of one account and region.
 */
export function endpointsServing(
  modelName: string,
  configs: ReadonlyArray<Readonly<Record<string, unknown>>>,
  endpoints: ReadonlyArray<Readonly<Record<string, unknown>>>,
): ModelDashboardEndpoint[] {
  const wanted = modelName.toLowerCase();
  const variants = (c: Readonly<Record<string, unknown>>) =>
    [c.ProductionVariants, c.ShadowProductionVariants].flatMap((v) => (Array.isArray(v) ? (v as Array<Record<string, unknown>>) : []));
  const serving = new Set(
    configs
      .filter((c) => variants(c).some((v) => typeof v.ModelName === 'string' && v.ModelName.toLowerCase() === wanted))
      .map((c) => String(c.EndpointConfigName).toLowerCase()),
  );
  return endpoints.filter((e) => typeof e.EndpointConfigName === 'string' && serving.has(e.EndpointConfigName.toLowerCase())).map(dashboardEndpoint);
}

export interface RecordSource {
  /** The stored Describe document. */
  readonly doc: Readonly<Record<string, unknown>>;
  /** The resource's tags; undefined leaves `Tags` out (resources discovered in another account show none). */
  readonly tags?: readonly Tag[];
  /** For `Model`: the endpoints that serve it. */
  readonly endpoints?: readonly ModelDashboardEndpoint[];
}

/** The body of the `SearchRecord` member for `resource` (what filters see and what is returned). */
export function searchBody(resource: SearchableResource, src: RecordSource): Record<string, unknown> {
  const tags = src.tags !== undefined ? { Tags: src.tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {};
  if (resource === 'Model') {
    return { Model: { ...pick(src.doc, MODEL), ...tags }, Endpoints: [...(src.endpoints ?? [])] };
  }
  return { ...pick(src.doc, MEMBERS[resource]), ...tags };
}

/** `{ModelPackage: body}` and so on: the member names of `SearchRecord` are the resource names. */
export function searchRecord(resource: SearchableResource, body: Record<string, unknown>): SearchRecord {
  return { [resource]: body } as SearchRecord;
}
