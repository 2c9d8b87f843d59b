/**
 * The "… State Change" events SageMaker sends to EventBridge for jobs, endpoints and model packages (source
 * `aws.sagemaker`, `resources: [<the resource's ARN>]`, the Describe answer as `detail`). AWS's samples write the
 * times in these details as epoch milliseconds and an endpoint's status in upper snake case (`IN_SERVICE`); so do
 * these. Always on the bus of the account that owns the resource, whoever made the change.
 */
import type { ServiceEvent } from '../../../core/events.js';

const SOURCE = 'aws.sagemaker';

/** Times as epoch milliseconds; internal members (`__…`) left out. */
function detailOf(doc: Readonly<Record<string, unknown>>, timeFields: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k.startsWith('__')) continue;
    out[k] = timeFields.has(k) && typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : v;
  }
  return out;
}

const JOB_TIMES = new Set(['CreationTime', 'LastModifiedTime', 'TrainingStartTime', 'TrainingEndTime', 'ProcessingStartTime', 'ProcessingEndTime', 'TransformStartTime', 'TransformEndTime']);
const JOB_DETAIL_TYPES: Record<string, string> = {
  'training-job': 'SageMaker Training Job State Change',
  'processing-job': 'SageMaker Processing Job State Change',
  'transform-job': 'SageMaker Transform Job State Change',
};

function place(arn: string): { region: string; account: string } {
  const [, , , region = '', account = ''] = arn.split(':');
  return { region, account };
}

/** A job's event when its status (or a training job's secondary status) changed; undefined otherwise. */
export function jobStateEvent(kind: string, arn: string, before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>, statusField: string, now: number): ServiceEvent | undefined {
  const detailType = JOB_DETAIL_TYPES[kind];
  if (!detailType) return undefined;
  const changed = before?.[statusField] !== after[statusField] || (kind === 'training-job' && before?.SecondaryStatus !== after.SecondaryStatus);
  if (!changed) return undefined;
  return { source: SOURCE, detailType, ...place(arn), time: now, resources: [arn], detail: detailOf(after, JOB_TIMES) };
}

const ENDPOINT_TIMES = new Set(['CreationTime', 'LastModifiedTime']);
const upperSnake = (status: string) => status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** An endpoint's event when its status changed (Creating, InService, Updating, Failed, Deleting …). */
export function endpointStateEvent(arn: string, before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>, now: number): ServiceEvent | undefined {
  if (before?.EndpointStatus === after.EndpointStatus) return undefined;
  const detail = detailOf(after, ENDPOINT_TIMES);
  detail.EndpointStatus = upperSnake(String(after.EndpointStatus));
  return { source: SOURCE, detailType: 'SageMaker Endpoint State Change', ...place(arn), time: now, resources: [arn], detail };
}

const PACKAGE_TIMES = new Set(['CreationTime', 'LastModifiedTime']);

/** A model package's event: on creation, and when an update changed its approval status. */
export function modelPackageStateEvent(arn: string, before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>, now: number): ServiceEvent | undefined {
  if (before && before.ModelApprovalStatus === after.ModelApprovalStatus) return undefined;
  return { source: SOURCE, detailType: 'SageMaker Model Package State Change', ...place(arn), time: now, resources: [arn], detail: detailOf(after, PACKAGE_TIMES) };
}
