/**
 * InvokeEndpoint's routing and error mapping, read from the Deployer's in-memory table (no database on the hot
 * path): a variant chosen by weight (or `TargetVariant`), an instance round-robin among the healthy ones, the
 * model's containers called in order (a serial inference pipeline passes each answer on), and the container's
 * non-2xx answer turned into AWS's ModelError.
 */
import { AwsError } from '../../../core/errors.js';
import type { HostingContainer, InvocationResponse, StreamedInvocationResponse } from '../../../runtime/types.js';
import { ContainerError } from '../../../runtime/types.js';
import type { Deployer, LiveEndpoint, LiveInstance, LiveVariant } from './deployer.js';
import { sampled, type CaptureWriter } from './capture.js';

export interface InvokeRequest {
  readonly accountId: string;
  readonly region: string;
  readonly endpointName: string;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly targetVariant?: string;
  readonly inferenceId?: string;
}

export interface Invoked {
  readonly variant: string;
  readonly response: InvocationResponse;
  readonly endpoint: LiveEndpoint;
  /** Time spent in the model's containers (ModelLatency), in microseconds. */
  readonly modelMicros: number;
}

const validation = (message: string) => new AwsError('ValidationError', message, { status: 400 });

/** Picks the variant: `TargetVariant` when given, else at random in proportion to the current weights. */
export function chooseVariant(live: LiveEndpoint, target: string | undefined, random: () => number = Math.random): LiveVariant {
  if (target !== undefined) {
    const v = live.variants.find((x) => x.name === target);
    if (!v) throw validation(`The variant ${target} is not present in the endpoint ${live.name}.`);
    return v;
  }
  if (live.variants.length === 1) return live.variants[0]!;
  if (live.totalWeight <= 0) throw validation(`All the variants of the endpoint ${live.name} have weight 0: send TargetVariant to reach one.`);
  let r = random() * live.totalWeight;
  for (const v of live.variants) {
    if (v.weight <= 0) continue;
    r -= v.weight;
    if (r < 0) return v;
  }
  return live.variants.filter((v) => v.weight > 0).pop()!;
}

/** The next healthy instance round-robin, or undefined when none is (all being restarted). */
export function chooseInstance(v: LiveVariant): LiveInstance | undefined {
  const n = v.instances.length;
  for (let k = 0; k < n; k++) {
    const i = v.instances[(v.next + k) % n]!;
    if (i.containers.every((c) => c.healthy())) {
      v.next = (v.next + k + 1) % n;
      return i;
    }
  }
  return undefined;
}

function containerLabel(live: LiveVariant, index: number): string {
  return live.images.length > 1 ? `container-${index + 1}` : 'primary';
}

function modelError(endpoint: LiveEndpoint, variant: LiveVariant, index: number, status: number, message: string): AwsError {
  const kind = status >= 500 || status === 0 ? 'server' : 'client';
  const logGroup = `/aws/sagemaker/Endpoints/${endpoint.name}`;
  return new AwsError(
    'ModelError',
    `Received ${kind} error (${status}) from ${containerLabel(variant, index)} with message "${message}". See https://${endpoint.region}.console.aws.amazon.com/cloudwatch/home?region=${endpoint.region}#logEventViewer:group=${logGroup} in account ${endpoint.accountId} for more information.`,
    {
      status: 424,
      fields: {
        OriginalStatusCode: status,
        OriginalMessage: message,
        LogStreamArn: `arn:aws:logs:${endpoint.region}:${endpoint.accountId}:log-group:${logGroup}`,
      },
    },
  );
}

function containerFailure(endpoint: LiveEndpoint, variant: LiveVariant, index: number, e: unknown): AwsError {
  if (e instanceof ContainerError && e.kind === 'invoke-timeout') {
    return modelError(endpoint, variant, index, 0, `Your invocation timed out while waiting for a response from container ${containerLabel(variant, index)}. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.`);
  }
  if (e instanceof ContainerError) return new AwsError('ServiceUnavailable', `The endpoint ${endpoint.name} could not reach its model container: ${e.reason}`, { status: 503 });
  throw e;
}

async function liveEndpoint(deployer: Deployer, r: InvokeRequest, describe: () => Promise<{ status?: string } | undefined>): Promise<LiveEndpoint> {
  const live = deployer.endpoint(r.accountId, r.region, r.endpointName);
  if (live) return live;
  const record = await describe();
  if (!record) throw validation(`Endpoint ${r.endpointName} of account ${r.accountId} not found.`);
  // Known but not running here: Creating, Failed, Deleting, or InService while mlzone restarts its containers.
  throw validation(`Endpoint ${r.endpointName} of account ${r.accountId} is not in service (status ${record.status ?? 'unknown'}).`);
}

export async function invoke(deployer: Deployer, r: InvokeRequest, timeoutMs: number, describe: () => Promise<{ status?: string } | undefined>, capture?: CaptureWriter): Promise<Invoked> {
  const endpoint = await liveEndpoint(deployer, r, describe);
  const variant = chooseVariant(endpoint, r.targetVariant);
  // An instance that died since it was last seen healthy refuses the connection: the next one gets the request, as a
  // load balancer retries another target.
  for (let attempt = 1; ; attempt++) {
    const instance = chooseInstance(variant);
    if (!instance) throw new AwsError('ServiceUnavailable', `No instance of variant ${variant.name} of endpoint ${endpoint.name} is healthy right now; mlzone is restarting its container. Try again.`, { status: 503 });
    try {
      return await invokeInstance(endpoint, variant, instance, r, timeoutMs, capture);
    } catch (e) {
      if (!(e instanceof ContainerError && e.kind === 'unavailable') || attempt >= variant.instances.length) throw containerFailure(endpoint, variant, 0, e);
    }
  }
}

async function invokeInstance(endpoint: LiveEndpoint, variant: LiveVariant, instance: LiveInstance, r: InvokeRequest, timeoutMs: number, capture: CaptureWriter | undefined): Promise<Invoked> {
  let body = r.body;
  let contentType = r.contentType;
  let response: InvocationResponse | undefined;
  const containers = instance.containers;
  let modelMs = 0;
  for (let c = 0; c < containers.length; c++) {
    const last = c === containers.length - 1;
    const started = performance.now();
    try {
      response = await (containers[c] as HostingContainer).invoke({
        body,
        ...(contentType !== undefined ? { contentType } : {}),
        ...(last && r.accept !== undefined ? { accept: r.accept } : {}),
        ...(r.customAttributes !== undefined ? { customAttributes: r.customAttributes } : {}),
        timeoutMs,
      });
    } catch (e) {
      // The first container refusing the connection lets the caller try another instance.
      if (c === 0 && e instanceof ContainerError && e.kind === 'unavailable') throw e;
      throw containerFailure(endpoint, variant, c, e);
    } finally {
      modelMs += performance.now() - started;
    }
    if (response.status < 200 || response.status > 299) throw modelError(endpoint, variant, c, response.status, response.body.toString('utf8'));
    body = response.body;
    contentType = response.contentType;
  }
  const config = endpoint.dataCapture;
  if (capture && config && sampled(config)) {
    capture.record({
      endpointName: endpoint.name,
      endpointArn: endpoint.arn,
      accountId: endpoint.accountId,
      region: endpoint.region,
      variant: variant.name,
      ...(variant.plan.ExecutionRoleArn !== undefined ? { roleArn: variant.plan.ExecutionRoleArn } : {}),
      config,
      input: { body: r.body, ...(r.contentType !== undefined ? { contentType: r.contentType } : {}) },
      output: { body: response!.body, ...(response!.contentType !== undefined ? { contentType: response!.contentType } : {}) },
      ...(r.inferenceId !== undefined ? { inferenceId: r.inferenceId } : {}),
      at: Date.now(),
    });
  }
  return { variant: variant.name, response: response!, endpoint, modelMicros: Math.round(modelMs * 1000) };
}

export interface InvokedStream {
  readonly variant: string;
  readonly response: StreamedInvocationResponse;
  readonly endpoint: LiveEndpoint;
}

/** The streaming form: a single-container model's answer as the container writes it. */
export async function invokeStream(deployer: Deployer, r: InvokeRequest, timeoutMs: number, describe: () => Promise<{ status?: string } | undefined>): Promise<InvokedStream> {
  const endpoint = await liveEndpoint(deployer, r, describe);
  const variant = chooseVariant(endpoint, r.targetVariant);
  const instance = chooseInstance(variant);
  if (!instance) throw new AwsError('ServiceUnavailable', `No instance of variant ${variant.name} of endpoint ${endpoint.name} is healthy right now; mlzone is restarting its container. Try again.`, { status: 503 });
  if (instance.containers.length > 1) throw validation('InvokeEndpointWithResponseStream does not support endpoints with serial inference pipelines.');
  let response: StreamedInvocationResponse;
  try {
    response = await instance.containers[0]!.invokeStream({
      body: r.body,
      ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
      ...(r.accept !== undefined ? { accept: r.accept } : {}),
      ...(r.customAttributes !== undefined ? { customAttributes: r.customAttributes } : {}),
      timeoutMs,
    });
  } catch (e) {
    throw containerFailure(endpoint, variant, 0, e);
  }
  if (response.status < 200 || response.status > 299) {
    const chunks: Buffer[] = [];
    for await (const c of response.chunks) chunks.push(c);
    throw modelError(endpoint, variant, 0, response.status, Buffer.concat(chunks).toString('utf8'));
  }
  return { variant: variant.name, response, endpoint };
}
