/**
 * SageMaker's container output in CloudWatch Logs, end to end with the JS SDK (and boto3 as the SageMaker Python
 * SDK's `logs=True` reads it): training and processing jobs write `<job>/algo-<n>-<epoch>` streams in their
 * account's `/aws/sagemaker/TrainingJobs` / `ProcessingJobs`, every line stored by the time the waiter returns (a
 * failing job's traceback included); an endpoint's instances write `/aws/sagemaker/Endpoints/<name>` streams
 * `<variant>/<instance id>`; a batch transform writes `/aws/sagemaker/TransformJobs` `<job>/<instance id>-<epoch>`.
 * The monitoring account reads them through its link; another data science account and production's app cannot.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  waitUntilEndpointInService,
  waitUntilTrainingJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const ROLE = `arn:aws:iam::${DS1}:role/SageMakerExecution`;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const TRAINING = '/aws/sagemaker/TrainingJobs';
const LINES = 2500;

let server: TestServer;
let ds1: Creds;
let sm: SageMakerClient;
let logs: CloudWatchLogsClient;
const started = Math.floor(Date.now() / 1000);

const waiter = () => ({ client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

/** Polls far faster than the waiters (20 ms), so a log read right after it would miss lines written late. */
async function settled<T>(describe: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await describe();
    if (done(t) || Date.now() > deadline) return t;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const groupArn = (account: string, group: string) => `arn:aws:logs:us-east-1:${account}:log-group:${group}`;

/** Every event of a stream from the head, page by page, as the SageMaker Python SDK reads it. */
async function allEvents(c: CloudWatchLogsClient, group: string, stream: string): Promise<OutputLogEvent[]> {
  const out: OutputLogEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await c.send(new GetLogEventsCommand({ logGroupIdentifier: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : { startTime: 0 }) }));
    out.push(...page.events!);
    if (page.events!.length === 0 || page.nextForwardToken === token) return out;
    token = page.nextForwardToken;
  }
}

function trainingJob(name: string, script: string, instances = 1, metrics?: Array<{ Name: string; Regex: string }>) {
  return new CreateTrainingJobCommand({
    TrainingJobName: name,
    RoleArn: ROLE,
    AlgorithmSpecification: { TrainingImage: SKLEARN, TrainingInputMode: 'File', ContainerEntrypoint: ['python3', '-c', script], ...(metrics ? { MetricDefinitions: metrics } : {}) },
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/logs-e2e/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: instances, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 300 },
  });
}

beforeAll(async () => {
  server = await startTestServer({ containerStartupTimeoutMs: 20_000 });
  ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  sm = new SageMakerClient(clientConfig(server.url, ds1));
  logs = new CloudWatchLogsClient(clientConfig(server.url, ds1));
});
afterAll(() => server?.close());

describe('training and processing jobs', () => {
  const name = unique('lines');
  let stream = '';

  it('a training job’s every printed line is in its stream, in order, as soon as the waiter returns', async () => {
    await sm.send(trainingJob(name, `import sys; [print('epoch %d loss=%f' % (i, 1.0 / (i + 1))) for i in range(${LINES})]; print('to stderr', file=sys.stderr)`));
    const done = await settled(() => sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name })), (d) => d.TrainingJobStatus !== 'InProgress');
    expect(done.TrainingJobStatus).toBe('Completed');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: TRAINING, logStreamNamePrefix: `${name}/`, orderBy: 'LogStreamName' }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([expect.stringMatching(new RegExp(`^${name}/algo-1-\\d{10}$`))]);
    stream = streams.logStreams![0]!.logStreamName!;
    const epoch = Number(/-(\d+)$/.exec(stream)![1]);
    expect(epoch).toBeGreaterThanOrEqual(started);
    expect(epoch).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(streams.logStreams![0]!.arn).toBe(`${groupArn(DS1, TRAINING)}:log-stream:${stream}`);
    const events = await allEvents(logs, TRAINING, stream);
    const printed = events.map((e) => e.message!).filter((m) => m.startsWith('epoch '));
    expect(printed).toHaveLength(LINES);
    expect(printed.map((m) => Number(/^epoch (\d+)/.exec(m)![1]))).toEqual(Array.from({ length: LINES }, (_, i) => i));
    expect(events.map((e) => e.message)).toContain('to stderr');
    const times = events.map((e) => e.timestamp!);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('metric definitions publish every value to CloudWatch (/aws/sagemaker/TrainingJobs, Host = <job>/algo-n) and the last as final', async () => {
    const job = unique('metrics');
    await sm.send(trainingJob(job, "[print('epoch %d train-loss=%.2f' % (i, 10 - i)) for i in range(8)]", 2, [{ Name: 'train:loss', Regex: 'train-loss=([0-9.]+)' }]));
    expect((await waitUntilTrainingJobCompletedOrStopped(waiter(), { TrainingJobName: job })).state).toBe('SUCCESS');
    const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: job }));
    expect(d.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([['train:loss', 3]]);
    const cw = new CloudWatchClient(clientConfig(server.url, ds1));
    // CloudWatch takes the values in batches (every 2 s here; AWS's delay is longer): poll as a dashboard would.
    const listed = await settled(() => cw.send(new ListMetricsCommand({ Namespace: TRAINING, MetricName: 'train:loss' })), (l) => l.Metrics!.filter((m) => m.Dimensions!.some((x) => x.Value!.startsWith(`${job}/`))).length >= 2);
    const hosts = listed.Metrics!.flatMap((m) => m.Dimensions!.filter((x) => x.Value!.startsWith(`${job}/`)).map((x) => `${x.Name}=${x.Value}`)).sort();
    expect(hosts).toEqual([`Host=${job}/algo-1`, `Host=${job}/algo-2`]);
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: TRAINING, MetricName: 'train:loss', Dimensions: [{ Name: 'Host', Value: `${job}/algo-1` }],
      StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ['SampleCount', 'Minimum', 'Maximum'],
    }));
    expect(stats.Datapoints!.map((p) => [p.SampleCount, p.Minimum, p.Maximum])).toEqual([[8, 3, 10]]);
  });

  it('a multi-instance job has a stream per host', async () => {
    const multi = unique('hosts');
    await sm.send(trainingJob(multi, "import os; print('host', os.environ.get('SM_CURRENT_HOST'))", 2));
    expect((await waitUntilTrainingJobCompletedOrStopped(waiter(), { TrainingJobName: multi })).state).toBe('SUCCESS');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: TRAINING, logStreamNamePrefix: `${multi}/` }));
    const names = streams.logStreams!.map((s) => s.logStreamName!);
    expect(names).toEqual([expect.stringMatching(new RegExp(`^${multi}/algo-1-\\d+$`)), expect.stringMatching(new RegExp(`^${multi}/algo-2-\\d+$`))]);
    for (const [i, s] of names.entries()) expect((await allEvents(logs, TRAINING, s)).map((e) => e.message)).toContain(`host algo-${i + 1}`);
  });

  it('a failing job’s error is in its stream when the job is Failed', async () => {
    const failing = unique('fails');
    await sm.send(trainingJob(failing, "print('reading rows'); raise ValueError('row 7 has 4 columns, expected 3')"));
    // The waiter gives up on Failed: it throws with the FAILURE state.
    await expect(waitUntilTrainingJobCompletedOrStopped(waiter(), { TrainingJobName: failing })).rejects.toThrow(/"state":"FAILURE"/);
    expect((await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: failing }))).TrainingJobStatus).toBe('Failed');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: TRAINING, logStreamNamePrefix: `${failing}/` }));
    const all = (await allEvents(logs, TRAINING, streams.logStreams![0]!.logStreamName!)).map((e) => e.message);
    expect(all[0]).toBe('reading rows');
    expect(all).toContain('Traceback (most recent call last):');
    expect(all).toContain('ValueError: row 7 has 4 columns, expected 3');
    // AmazonSageMakerFullAccess reads streams but does not search them; the account's ReadOnly persona does.
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: TRAINING, filterPattern: 'ValueError' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const readOnly = new CloudWatchLogsClient(clientConfig(server.url, await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/ReadOnly`)));
    const found = await readOnly.send(new FilterLogEventsCommand({ logGroupName: TRAINING, logStreamNamePrefix: `${failing}/`, filterPattern: 'ValueError' }));
    expect(found.events!.map((e) => e.message)).toEqual(['ValueError: row 7 has 4 columns, expected 3']);
  });

  it('a processing job writes /aws/sagemaker/ProcessingJobs', async () => {
    const job = unique('proc');
    await sm.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: job,
        RoleArn: ROLE,
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
        AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '-c', "[print('row %d' % i) for i in range(500)]; print('processed 500 rows')"] },
      }),
    );
    // Nothing happens between the container's exit and Completed (no outputs to upload): only the flush keeps the
    // last lines from arriving after the status.
    const done = await settled(() => sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: job })), (d) => d.ProcessingJobStatus !== 'InProgress');
    expect(done.ProcessingJobStatus).toBe('Completed');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/sagemaker/ProcessingJobs', logStreamNamePrefix: `${job}/` }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([expect.stringMatching(new RegExp(`^${job}/algo-1-\\d{10}$`))]);
    const lines = (await allEvents(logs, '/aws/sagemaker/ProcessingJobs', streams.logStreams![0]!.logStreamName!)).map((e) => e.message);
    expect(lines).toHaveLength(501);
    expect(lines[500]).toBe('processed 500 rows');
  });

  it('the monitoring account reads them through its link; data-science-2 and production’s app cannot', async () => {
    const shared = new CloudWatchLogsClient(clientConfig(server.url, await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/ReadOnly`)));
    const seen = await shared.send(new FilterLogEventsCommand({ logGroupIdentifier: groupArn(DS1, TRAINING), logStreamNames: [stream], filterPattern: '"epoch 7 "' }));
    expect(seen.events!.map((e) => e.message)).toEqual(['epoch 7 loss=0.125000']);

    const ds2 = new CloudWatchLogsClient(clientConfig(server.url, await assumeRole(server.url, users.ds2Scientist, `arn:aws:iam::${accounts.dataScience2}:role/DataScientist`)));
    await expect(ds2.send(new GetLogEventsCommand({ logGroupIdentifier: groupArn(DS1, TRAINING), logStreamName: stream }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(ds2.send(new DescribeLogStreamsCommand({ logGroupIdentifier: groupArn(DS1, TRAINING) }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Its own account has no such group: the name alone reads nothing of data-science-1's.
    await expect(ds2.send(new GetLogEventsCommand({ logGroupName: TRAINING, logStreamName: stream }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const app = new CloudWatchLogsClient(clientConfig(server.url, await assumeRole(server.url, users.prodApp, `arn:aws:iam::${accounts.production}:role/ProdApp`)));
    await expect(app.send(new GetLogEventsCommand({ logGroupIdentifier: groupArn(DS1, TRAINING), logStreamName: stream }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it.skipIf(!hasBoto3)('boto3 reads them as the SageMaker Python SDK does (DescribeLogStreams by prefix, then GetLogEvents)', async () => {
    const r = await run(python, [join(here, 'logs_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: ds1.accessKeyId,
      MLZONE_SECRET: ds1.secretAccessKey,
      MLZONE_TOKEN: ds1.sessionToken!,
      MLZONE_JOB: name,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; streams: string[]; count: number; first: string; last: string };
    expect(out).toEqual({ status: 'Completed', streams: [stream], count: LINES + 1, first: 'epoch 0 loss=1.000000', last: 'to stderr' });
  });
});

describe('hosting', () => {
  async function model(name: string): Promise<void> {
    const artifact = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 2, weights: [1, 2], bias: 0 }) });
    await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `logs-e2e/${name}/model.tar.gz`, Body: artifact }));
    await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: `s3://${BUCKET}/logs-e2e/${name}/model.tar.gz` } }));
  }

  it('an endpoint’s instances write /aws/sagemaker/Endpoints/<name>, <variant>/<instance id>, kept after deletion', async () => {
    const name = unique('ep');
    await model(name);
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
    expect((await waitUntilEndpointInService(waiter(), { EndpointName: name })).state).toBe('SUCCESS');
    const bad = await new SageMakerRuntimeClient(clientConfig(server.url, ds1)).send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('1,x') })).catch((e: unknown) => e as Record<string, unknown>);
    const group = `/aws/sagemaker/Endpoints/${name}`;
    expect(bad).toMatchObject({ name: 'ModelError', LogStreamArn: groupArn(DS1, group) });
    await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
    await expect
      .poll(async () => sm.send(new DescribeEndpointCommand({ EndpointName: name })).then(() => 'present', (e: { name: string }) => e.name), { timeout: 20_000, interval: 100 })
      .toBe('ValidationException');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const names = streams.logStreams!.map((s) => s.logStreamName!);
    expect(names).toHaveLength(2);
    for (const s of names) {
      expect(s).toMatch(/^AllTraffic\/i-[0-9a-f]{17}$/);
      expect((await allEvents(logs, group, s)).map((e) => e.message)).toContainEqual(expect.stringMatching(/^linear-learner \(regressor, 2 features\) listening on 127\.0\.0\.1:\d+$/));
    }
  });

  it('an endpoint that fails to start leaves its container’s explanation in its log group', async () => {
    const name = unique('broken');
    const artifact = await createModelArtifact({ 'README.txt': 'not a linear-learner model' });
    await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `logs-e2e/${name}/model.tar.gz`, Body: artifact }));
    await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: `s3://${BUCKET}/logs-e2e/${name}/model.tar.gz` } }));
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
    const failed = await settled(() => sm.send(new DescribeEndpointCommand({ EndpointName: name })), (d) => d.EndpointStatus !== 'Creating');
    expect(failed.EndpointStatus).toBe('Failed');
    const group = `/aws/sagemaker/Endpoints/${name}`;
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([expect.stringMatching(/^AllTraffic\/i-[0-9a-f]{17}$/)]);
    const lines = (await allEvents(logs, group, streams.logStreams![0]!.logStreamName!)).map((e) => e.message!);
    expect(lines.some((l) => l.startsWith('mlzone: linear-learner cannot load its model: the model data has no mlzone-linear-learner.json'))).toBe(true);
  });

  it('a batch transform writes /aws/sagemaker/TransformJobs, <job>/<instance id>-<epoch>, by the time it is Completed', async () => {
    const name = unique('tf');
    await model(name);
    await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `logs-e2e/${name}/in/rows.csv`, Body: '1,2\n3,4\n' }));
    await sm.send(
      new CreateTransformJobCommand({
        TransformJobName: name,
        ModelName: name,
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/logs-e2e/${name}/in/` } }, ContentType: 'text/csv', SplitType: 'Line' },
        TransformOutput: { S3OutputPath: `s3://${BUCKET}/logs-e2e/${name}/out/` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    const done = await settled(() => sm.send(new DescribeTransformJobCommand({ TransformJobName: name })), (d) => d.TransformJobStatus !== 'InProgress');
    expect(done.TransformJobStatus).toBe('Completed');
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/sagemaker/TransformJobs', logStreamNamePrefix: `${name}/` }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([expect.stringMatching(new RegExp(`^${name}/i-[0-9a-f]{17}-\\d{10}$`))]);
    const events = await allEvents(logs, '/aws/sagemaker/TransformJobs', streams.logStreams![0]!.logStreamName!);
    expect(events.map((e) => e.message)).toContainEqual(expect.stringMatching(/^linear-learner \(regressor, 2 features\) listening/));
  });
});
