/**
 * Hosting end to end with the JS SDK: a data scientist deploys a built-in linear-learner model from the account's
 * artifacts bucket, the endpoint really runs (two instance processes), answers with the numbers the weights give,
 * and goes through update, re-weighting, failures and deletion as AWS's status machine says.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const ACCOUNT = '444444444444';
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;

let server: TestServer;
let scientist: Creds;
let sm: SageMakerClient;
let runtime: SageMakerRuntimeClient;

async function waitFor(name: string, until: (s: string | undefined) => boolean, timeoutMs = 30_000): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (until(d.EndpointStatus)) return d;
    if (Date.now() > deadline) throw new Error(`endpoint ${name} still ${d.EndpointStatus}: ${d.FailureReason ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function uploadModel(key: string, weights: number[], bias: number, type: 'regressor' | 'binary_classifier' = 'regressor'): Promise<string> {
  const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: type, feature_dim: weights.length, weights, bias }) });
  await new S3Client({ ...clientConfig(server.url, scientist), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return `s3://${BUCKET}/${key}`;
}

async function deploy(name: string, modelDataUrl: string, variants: Array<{ name: string; count: number; weight?: number }> = [{ name: 'AllTraffic', count: 1 }]): Promise<void> {
  await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: modelDataUrl } }));
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: variants.map((v) => ({ VariantName: v.name, ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: v.count, InitialVariantWeight: v.weight ?? 1 })),
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
}

beforeAll(async () => {
  server = await startTestServer({ containerStartupTimeoutMs: 15_000, invocationTimeoutMs: 5_000 });
  scientist = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${ACCOUNT}:role/DataScientist`);
  sm = new SageMakerClient(clientConfig(server.url, scientist));
  runtime = new SageMakerRuntimeClient(clientConfig(server.url, scientist));
});

afterAll(async () => {
  await server?.close();
});

describe('a built-in linear-learner endpoint', () => {
  const name = unique('ll');

  it('goes Creating → InService and serves the weights’ predictions from two instances', async () => {
    const url = await uploadModel(`models/${name}/model.tar.gz`, [2, -1, 0.5], 3);
    await deploy(name, url, [{ name: 'AllTraffic', count: 2 }]);
    const creating = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    expect(['Creating', 'InService']).toContain(creating.EndpointStatus);
    const d = await waitFor(name, (s) => s !== 'Creating');
    expect(d.EndpointStatus).toBe('InService');
    expect(d.ProductionVariants?.[0]).toMatchObject({ VariantName: 'AllTraffic', CurrentInstanceCount: 2, CurrentWeight: 1 });
    expect(d.ProductionVariants?.[0]?.DeployedImages?.[0]?.SpecifiedImage).toBe(LINEAR_LEARNER);
    expect(server.app.services.get('sagemaker')).toBeDefined();

    const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Accept: 'application/json', Body: Buffer.from('1,2,4\n0,0,0\n') }));
    expect(out.InvokedProductionVariant).toBe('AllTraffic');
    expect(out.ContentType).toMatch(/application\/json/);
    const predictions = JSON.parse(Buffer.from(out.Body!).toString()).predictions as Array<{ score: number }>;
    expect(predictions.map((p) => p.score)).toEqual([2 * 1 - 1 * 2 + 0.5 * 4 + 3, 3]);

    const status = (await (await fetch(`${server.url}/_mlzone/status`)).json()) as { endpoints: Array<{ name: string; accountId: string; variants: Array<{ name: string; instances: Array<{ pid: number; healthy: boolean; rssBytes: number }> }> }> };
    const mine = status.endpoints.find((e) => e.name === name)!;
    expect(mine.accountId).toBe(ACCOUNT);
    expect(mine.variants[0]!.instances).toHaveLength(2);
    expect(mine.variants[0]!.instances.every((i) => i.healthy && i.pid > 0 && i.rssBytes > 1_000_000)).toBe(true);

    const stream = await runtime.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: name, ContentType: 'text/csv', Accept: 'text/csv', Body: Buffer.from('1,1,1\n') }));
    let text = '';
    for await (const event of stream.Body!) if (event.PayloadPart?.Bytes) text += Buffer.from(event.PayloadPart.Bytes).toString();
    expect(Number(text.trim())).toBeCloseTo(2 - 1 + 0.5 + 3);
  });

  it('answers a model error with AWS’s ModelError and the container’s message', async () => {
    const e = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('1,2\n') })).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'ModelError', $metadata: { httpStatusCode: 424 } });
    expect((e as { OriginalStatusCode?: number }).OriginalStatusCode).toBe(400);
    expect((e as Error).message).toMatch(/^Received client error \(400\) from primary with message ".*3.*"/);
  });

  it('refuses an unknown endpoint and a TargetVariant it does not have with ValidationError', async () => {
    const missing = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'nope', ContentType: 'text/csv', Body: Buffer.from('1') })).catch((x: unknown) => x);
    expect(missing).toMatchObject({ name: 'ValidationError', message: `Endpoint nope of account ${ACCOUNT} not found.` });
    const variant = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, TargetVariant: 'Other', ContentType: 'text/csv', Body: Buffer.from('1,1,1') })).catch((x: unknown) => x);
    expect(variant).toMatchObject({ name: 'ValidationError' });
  });

  it('keeps serving on the other instance when one is killed, and restarts it', async () => {
    const running = server.app.endpoints.running().find((e) => e.name === name)!;
    const victim = running.variants[0]!.instances[0]!.containers[0]!;
    const pid = victim.pid!;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 20; i++) {
      const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('0,0,0') }));
      expect(JSON.parse(Buffer.from(out.Body!).toString()).predictions[0].score).toBe(3);
    }
    const deadline = Date.now() + 10_000;
    while (!(victim.healthy() && victim.pid !== pid)) {
      if (Date.now() > deadline) throw new Error('the killed instance was not restarted');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('updates to a new model while the old one serves, then routes by the new weights', async () => {
    const v2 = `${name}-v2`;
    const url = await uploadModel(`models/${v2}/model.tar.gz`, [0, 0, 0], 7);
    await sm.send(new CreateModelCommand({ ModelName: v2, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: url } }));
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: v2,
        ProductionVariants: [
          { VariantName: 'Blue', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 },
          { VariantName: 'Green', ModelName: v2, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 0 },
        ],
      }),
    );
    await sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: v2 }));
    expect((await sm.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus).toBe('Updating');
    // The old variant answers while the new ones start.
    const during = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('0,0,0') }));
    expect(during.InvokedProductionVariant).toBe('AllTraffic');
    const d = await waitFor(name, (s) => s !== 'Updating');
    expect(d.EndpointStatus).toBe('InService');
    expect(d.EndpointConfigName).toBe(v2);
    const blue = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('0,0,0') }));
    expect(blue.InvokedProductionVariant).toBe('Blue');
    const green = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, TargetVariant: 'Green', ContentType: 'text/csv', Body: Buffer.from('0,0,0') }));
    expect(JSON.parse(Buffer.from(green.Body!).toString()).predictions[0].score).toBe(7);

    await sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: name, DesiredWeightsAndCapacities: [{ VariantName: 'Blue', DesiredWeight: 0 }, { VariantName: 'Green', DesiredWeight: 1, DesiredInstanceCount: 2 }] }));
    const r = await waitFor(name, (s) => s !== 'Updating');
    expect(r.ProductionVariants?.find((v) => v.VariantName === 'Green')).toMatchObject({ CurrentWeight: 1, CurrentInstanceCount: 2 });
    const after = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('0,0,0') }));
    expect(after.InvokedProductionVariant).toBe('Green');
  });

  it('is listed, then Deleting and gone (DescribeEndpoint answers ValidationException)', async () => {
    const listed = await sm.send(new ListEndpointsCommand({ NameContains: name }));
    expect(listed.Endpoints?.map((e) => e.EndpointName)).toContain(name);
    await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const e = await sm.send(new DescribeEndpointCommand({ EndpointName: name })).catch((x: unknown) => x);
      if (e instanceof Error) {
        expect(e).toMatchObject({ name: 'ValidationException', message: `Could not find endpoint "arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${name.toLowerCase()}".` });
        break;
      }
      expect(['Deleting', 'InService']).toContain((e as DescribeEndpointCommandOutput).EndpointStatus);
      if (Date.now() > deadline) throw new Error('endpoint not deleted');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(server.app.endpoints.running().find((x) => x.name === name)).toBeUndefined();
  });
});

describe('failures', () => {
  it('a model whose data does not exist fails the endpoint with the S3 reason', async () => {
    const name = unique('missing');
    await deploy(name, `s3://${BUCKET}/models/${name}/nothing.tar.gz`);
    const d = await waitFor(name, (s) => s !== 'Creating');
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toBe(`Could not find model data at s3://${BUCKET}/models/${name}/nothing.tar.gz.`);
  });

  it('data that is not a tar.gz fails the endpoint and says so', async () => {
    const name = unique('corrupt');
    await new S3Client({ ...clientConfig(server.url, scientist), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `models/${name}/model.tar.gz`, Body: 'not a tarball' }));
    await deploy(name, `s3://${BUCKET}/models/${name}/model.tar.gz`);
    const d = await waitFor(name, (s) => s !== 'Creating');
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^Failed to extract model data archive from URL/);
  });

  it('a model without its file fails with the container’s own message', async () => {
    const name = unique('nofile');
    const body = await createModelArtifact({ 'README.txt': 'no model here' });
    await new S3Client({ ...clientConfig(server.url, scientist), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `models/${name}/model.tar.gz`, Body: body }));
    await deploy(name, `s3://${BUCKET}/models/${name}/model.tar.gz`);
    const d = await waitFor(name, (s) => s !== 'Creating');
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/mlzone-linear-learner\.json/);
  });

  it('refuses a config naming a missing model and a duplicate endpoint, with AWS’s wording', async () => {
    const name = unique('bad');
    const e = await sm
      .send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'A', ModelName: 'nope', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }))
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'ValidationException', message: `Could not find model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/nope".` });
    const missing = await sm.send(new DescribeModelCommand({ ModelName: 'nope' })).catch((x: unknown) => x);
    expect(missing).toMatchObject({ name: 'ValidationException' });
  });
});

describe('data capture', () => {
  it('writes sampled requests and responses as SageMaker’s JSON Lines, as the execution role', async () => {
    const name = unique('capture');
    const url = await uploadModel(`models/${name}/model.tar.gz`, [1, 1], 0);
    await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: url } }));
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: name,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 100, DestinationS3Uri: `s3://${BUCKET}/capture`, CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] },
      }),
    );
    await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
    const d = await waitFor(name, (x) => x !== 'Creating');
    expect(d.EndpointStatus).toBe('InService');
    expect(d.DataCaptureConfig).toMatchObject({ EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100, DestinationS3Uri: `s3://${BUCKET}/capture` });
    for (const row of ['1,2', '3,4']) {
      await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Accept: 'text/csv', Body: Buffer.from(row), InferenceId: `id-${row}` }));
    }
    const s3 = new S3Client({ ...clientConfig(server.url, scientist), forcePathStyle: true });
    const deadline = Date.now() + 10_000;
    let keys: string[] = [];
    while (keys.length === 0) {
      if (Date.now() > deadline) throw new Error('no capture file written');
      await new Promise((r) => setTimeout(r, 200));
      keys = ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `capture/${name}/AllTraffic/` }))).Contents ?? []).map((o) => o.Key!);
    }
    expect(keys[0]).toMatch(new RegExp(`^capture/${name}/AllTraffic/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl$`));
    const text = (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[0] }))).Body!.transformToString()).trim();
    const records = text.split('\n').map((l) => JSON.parse(l) as { captureData: Record<string, { data: string; encoding: string; mode: string; observedContentType: string }>; eventMetadata: { inferenceId?: string } });
    expect(records).toHaveLength(2);
    expect(records[0]!.captureData.endpointInput).toEqual({ observedContentType: 'text/csv', mode: 'INPUT', data: '1,2', encoding: 'CSV' });
    expect(records[0]!.captureData.endpointOutput).toMatchObject({ mode: 'OUTPUT', data: expect.stringMatching(/^3(\.0+)?\s*$/), encoding: 'CSV' });
    expect(records.map((r) => r.eventMetadata.inferenceId)).toEqual(['id-1,2', 'id-3,4']);
  });
});
