/**
 * Jobs that really run, end to end with the JS SDK, as data-science-1's SageMakerExecution role: a processing job
 * that splits a CSV from the lake into train and validation, a built-in linear-learner training job whose model
 * equals the least-squares solution and whose FinalMetricDataList has the validation metric, a batch transform whose
 * `.out` holds the trained model's predictions joined to the input, and the failures AWS reports: data the role may
 * not read, a failing container, a stopped job, MaxRuntimeInSeconds.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopProcessingJobCommand,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifact, extractModelArtifact } from '../../../src/runtime/index.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const ROLE = `arn:aws:iam::${DS1}:role/SageMakerExecution`;
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const W = [1.5, -2, 0.25];
const B = 3;

let server: TestServer;
let ds1: Creds;
let sm: SageMakerClient;
let s3: S3Client;
const work = mkdtempSync(join(tmpdir(), 'mlzone-jobs-'));

/** Rows `y,x1,x2,x3` with y = w·x + b exactly (label first, as SageMaker's algorithms read CSV). */
function rows(n: number, seed: number): number[][] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Array.from({ length: n }, () => {
    const x = [rnd(), rnd(), rnd()];
    return [x.reduce((a, v, i) => a + v * W[i]!, B), ...x];
  });
}
const csv = (r: number[][]) => `${r.map((x) => x.join(',')).join('\n')}\n`;

async function waitTraining(name: string): Promise<DescribeTrainingJobCommandOutput> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (d.TrainingJobStatus !== 'InProgress' && d.TrainingJobStatus !== 'Stopping') return d;
    if (Date.now() > deadline) throw new Error(`${name} still ${d.TrainingJobStatus}/${d.SecondaryStatus}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitFor<T extends { [k: string]: unknown }>(get: () => Promise<T>, field: keyof T): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await get();
    if (d[field] !== 'InProgress' && d[field] !== 'Stopping') return d;
    if (Date.now() > deadline) throw new Error(`still ${String(d[field])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function training(name: string, train: string, validation: string | undefined, extra: Partial<ConstructorParameters<typeof CreateTrainingJobCommand>[0]> = {}) {
  return new CreateTrainingJobCommand({
    TrainingJobName: name,
    RoleArn: ROLE,
    AlgorithmSpecification: { TrainingImage: LINEAR_LEARNER, TrainingInputMode: 'File' },
    HyperParameters: { predictor_type: 'regressor', feature_dim: '3', epochs: '20', mini_batch_size: '50' },
    InputDataConfig: [
      { ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: train, S3DataDistributionType: 'FullyReplicated' } } },
      ...(validation ? [{ ChannelName: 'validation', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: validation } } }] : []),
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/jobs/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    ...extra,
  });
}

beforeAll(async () => {
  server = await startTestServer({ containerStartupTimeoutMs: 20_000 });
  ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  sm = new SageMakerClient(clientConfig(server.url, ds1));
  s3 = new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true });
});

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('processing → training → batch transform', () => {
  const id = unique('churn');
  let modelData = '';

  it('a processing job splits the data into train and validation under /opt/ml/processing', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/raw/data.csv`, Body: csv(rows(400, 7)) }));
    const script = [
      'import os, sys',
      "rows = open('/opt/ml/processing/input/data/data.csv').read().strip().split('\\n')",
      "os.makedirs('/opt/ml/processing/output/train', exist_ok=True); os.makedirs('/opt/ml/processing/output/validation', exist_ok=True)",
      "open('/opt/ml/processing/output/train/train.csv', 'w').write('\\n'.join(rows[:300]) + '\\n')",
      "open('/opt/ml/processing/output/validation/validation.csv', 'w').write('\\n'.join(rows[300:]) + '\\n')",
      "print('split %d rows' % len(rows)); sys.stdout.flush()",
    ].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/code/split.py`, Body: script }));
    const name = unique('split');
    await sm.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: name,
        RoleArn: ROLE,
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
        AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/split.py'] },
        ProcessingInputs: [
          { InputName: 'data', S3Input: { S3Uri: `s3://${BUCKET}/${id}/raw/`, LocalPath: '/opt/ml/processing/input/data', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
          { InputName: 'code', S3Input: { S3Uri: `s3://${BUCKET}/${id}/code/split.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
        ],
        ProcessingOutputConfig: {
          Outputs: [
            { OutputName: 'train', S3Output: { S3Uri: `s3://${BUCKET}/${id}/train`, LocalPath: '/opt/ml/processing/output/train', S3UploadMode: 'EndOfJob' } },
            { OutputName: 'validation', S3Output: { S3Uri: `s3://${BUCKET}/${id}/validation`, LocalPath: '/opt/ml/processing/output/validation', S3UploadMode: 'EndOfJob' } },
          ],
        },
      }),
    );
    const d = await waitFor(() => sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name })) as never, 'ProcessingJobStatus' as never);
    expect((d as { FailureReason?: string }).FailureReason).toBeUndefined();
    expect((d as { ProcessingJobStatus: string }).ProcessingJobStatus).toBe('Completed');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${id}/` }));
    expect(listed.Contents!.map((o) => o.Key).sort()).toEqual([`${id}/code/split.py`, `${id}/raw/data.csv`, `${id}/train/train.csv`, `${id}/validation/validation.csv`]);
  });

  it('the built-in linear learner trains to the least-squares weights and reports its metrics', async () => {
    const name = unique('ll-train');
    await sm.send(training(name, `s3://${BUCKET}/${id}/train`, `s3://${BUCKET}/${id}/validation`));
    const d = await waitTraining(name);
    expect(d.FailureReason).toBeUndefined();
    expect(d.TrainingJobStatus).toBe('Completed');
    expect(d.SecondaryStatus).toBe('Completed');
    expect(d.SecondaryStatusTransitions!.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    expect(d.ModelArtifacts!.S3ModelArtifacts).toBe(`s3://${BUCKET}/jobs/output/${name}/output/model.tar.gz`);
    expect(d.TrainingTimeInSeconds).toBeGreaterThanOrEqual(1);
    expect(d.TrainingStartTime!.getTime()).toBeLessThanOrEqual(d.TrainingEndTime!.getTime());
    const metrics = Object.fromEntries((d.FinalMetricDataList ?? []).map((m) => [m.MetricName, m.Value]));
    expect(Object.keys(metrics).some((k) => k.startsWith('validation:'))).toBe(true);
    const mse = metrics['validation:mse'] ?? metrics['validation:objective_loss'];
    expect(mse).toBeLessThan(0.01);

    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `jobs/output/${name}/output/model.tar.gz` }))).Body!.transformToByteArray();
    const dir = join(work, name);
    await extractModelArtifact(Buffer.from(body), dir);
    const model = JSON.parse(readFileSync(join(dir, 'mlzone-linear-learner.json'), 'utf8')) as { weights: number[]; bias: number };
    model.weights.forEach((w, i) => expect(w).toBeCloseTo(W[i]!, 1));
    expect(model.bias).toBeCloseTo(B, 1);
    modelData = d.ModelArtifacts!.S3ModelArtifacts!;
    const listed = await sm.send(new ListTrainingJobsCommand({ NameContains: name }));
    expect(listed.TrainingJobSummaries!.map((s) => [s.TrainingJobName, s.TrainingJobStatus])).toEqual([[name, 'Completed']]);
  });

  it('a batch transform writes the trained model’s predictions joined to each input row', async () => {
    const test = rows(5, 99);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/test/test.csv`, Body: csv(test.map((r) => r.slice(1))) }));
    const model = unique('ll-model');
    await sm.send(new CreateModelCommand({ ModelName: model, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: modelData } }));
    const name = unique('score');
    await sm.send(
      new CreateTransformJobCommand({
        TransformJobName: name,
        ModelName: model,
        BatchStrategy: 'MultiRecord',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${id}/test/` } }, ContentType: 'text/csv', SplitType: 'Line' },
        TransformOutput: { S3OutputPath: `s3://${BUCKET}/${id}/scored`, Accept: 'text/csv', AssembleWith: 'Line' },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
        DataProcessing: { JoinSource: 'Input' },
      }),
    );
    const d = await waitFor(() => sm.send(new DescribeTransformJobCommand({ TransformJobName: name })) as never, 'TransformJobStatus' as never);
    expect((d as { FailureReason?: string }).FailureReason).toBeUndefined();
    expect((d as { TransformJobStatus: string }).TransformJobStatus).toBe('Completed');
    const out = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${id}/scored/test.csv.out` }))).Body!.transformToString();
    const lines = out.trim().split('\n').map((l) => l.split(',').map(Number));
    expect(lines).toHaveLength(5);
    lines.forEach((l, i) => {
      expect(l.slice(0, 3)).toEqual(test[i]!.slice(1));
      expect(l[3]).toBeCloseTo(test[i]![0]!, 1);
    });
  });
});

describe('failures and stops', () => {
  it('a role that may not read the lake’s raw bucket fails at Downloading with the S3 reason', async () => {
    const name = unique('denied');
    await sm.send(training(name, `s3://mlzone-raw-${accounts.dataLake}/churn/`, undefined));
    const d = await waitTraining(name);
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: Data download failed/);
    expect(d.FailureReason).toMatch(/AccessDenied/);
    expect(d.SecondaryStatusTransitions!.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Failed']);
  });

  it('bad data fails the training job with the algorithm’s own message', async () => {
    const id = unique('bad');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/train/data.csv`, Body: '1,2,3,4\n1,2,oops,4\n' }));
    const name = unique('bad-train');
    await sm.send(training(name, `s3://${BUCKET}/${id}/train`, undefined));
    const d = await waitTraining(name);
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^(AlgorithmError|ClientError): /);
    expect(d.FailureReason).not.toMatch(/^AlgorithmError: ClientError/);
    expect(d.FailureReason).toMatch(/oops|numeric|number/i);
  });

  it('StopProcessingJob stops a running job: Stopping, then Stopped', async () => {
    const id = unique('sleep');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/code/sleep.py`, Body: 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\n' }));
    const name = unique('sleeper');
    await sm.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: name,
        RoleArn: ROLE,
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
        AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/sleep.py'] },
        ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: `s3://${BUCKET}/${id}/code/sleep.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } }],
      }),
    );
    const started = Date.now();
    const status = async () => ((await (await fetch(`${server.url}/_mlzone/status`)).json()) as { jobs: string[] }).jobs;
    while (!(await status()).some((a) => a.endsWith(`processing-job/${name.toLowerCase()}`))) {
      if (Date.now() - started > 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    await sm.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
    const d = (await waitFor(() => sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name })) as never, 'ProcessingJobStatus' as never)) as { ProcessingJobStatus: string };
    expect(d.ProcessingJobStatus).toBe('Stopped');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a script-mode job beyond MaxRuntimeInSeconds is Stopped with MaxRuntimeExceeded', async () => {
    const id = unique('slow');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/train/data.csv`, Body: csv(rows(20, 3)) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/code/sourcedir.tar.gz`, Body: await createModelArtifact({ 'train.py': 'import time\nprint("training forever", flush=True)\ntime.sleep(120)\n' }) }));
    const name = unique('slow-train');
    const started = Date.now();
    await sm.send(
      training(name, `s3://${BUCKET}/${id}/train`, undefined, {
        AlgorithmSpecification: { TrainingImage: SKLEARN, TrainingInputMode: 'File' },
        HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/${id}/code/sourcedir.tar.gz"` },
        StoppingCondition: { MaxRuntimeInSeconds: 2 },
      }),
    );
    const d = await waitTraining(name);
    expect(d.TrainingJobStatus).toBe('Stopped');
    expect(d.SecondaryStatus).toBe('MaxRuntimeExceeded');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('script mode on two instances: SM_HOSTS, ShardedByS3Key, hyperparameters as arguments, checkpoints restored and saved', async () => {
    const id = unique('multi');
    for (let i = 0; i < 4; i++) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/train/part-${i}.csv`, Body: csv(rows(3, i)) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/checkpoints/step.txt`, Body: '41' }));
    const train = [
      'import argparse, json, os',
      'p = argparse.ArgumentParser(); p.add_argument("--alpha", type=float); p.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])',
      'a, _ = p.parse_known_args()',
      'step = int(open("/opt/ml/checkpoints/step.txt").read()) + 1',
      'open("/opt/ml/checkpoints/step.txt", "w").write(str(step))',
      'info = {"alpha": a.alpha, "hosts": json.loads(os.environ["SM_HOSTS"]), "current": os.environ["SM_CURRENT_HOST"],',
      '        "files": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])), "step": step, "config": json.load(open("/opt/ml/input/config/resourceconfig.json"))["hosts"]}',
      'open(os.path.join(a.model_dir, "info-%s.json" % info["current"]), "w").write(json.dumps(info))',
    ].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/code/sourcedir.tar.gz`, Body: await createModelArtifact({ 'train.py': train }) }));
    const name = unique('multi-train');
    await sm.send(
      new CreateTrainingJobCommand({
        TrainingJobName: name,
        RoleArn: ROLE,
        AlgorithmSpecification: { TrainingImage: SKLEARN, TrainingInputMode: 'File' },
        HyperParameters: { alpha: '0.5', sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/${id}/code/sourcedir.tar.gz"` },
        InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${id}/train/`, S3DataDistributionType: 'ShardedByS3Key' } } }],
        OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${id}/models` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 300 },
        CheckpointConfig: { S3Uri: `s3://${BUCKET}/${id}/checkpoints` },
      }),
    );
    const d = await waitTraining(name);
    expect(d.FailureReason).toBeUndefined();
    expect(d.TrainingJobStatus).toBe('Completed');
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${id}/models/${name}/output/model.tar.gz` }))).Body!.transformToByteArray();
    const dir = join(work, name);
    await extractModelArtifact(Buffer.from(body), dir);
    const info = JSON.parse(readFileSync(join(dir, 'info-algo-1.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toEqual({ alpha: 0.5, hosts: ['algo-1', 'algo-2'], current: 'algo-1', files: ['part-0.csv', 'part-2.csv'], step: 42, config: ['algo-1', 'algo-2'] });
    const saved = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${id}/checkpoints/step.txt` }))).Body!.transformToString();
    expect(saved).toBe('42');
  });

  it('a role SageMaker may not assume fails the job saying so', async () => {
    // DataScientist may pass any role to SageMaker (AmazonSageMakerFullAccess); ReadOnly does not trust SageMaker.
    const name = unique('no-trust');
    await sm.send(training(name, `s3://${BUCKET}/x/`, undefined, { RoleArn: `arn:aws:iam::${DS1}:role/ReadOnly` }));
    const d = await waitTraining(name);
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: SageMaker could not assume the role arn:aws:iam::444444444444:role\/ReadOnly/);
  });

  it('refuses a duplicate name and answers a missing job as AWS does', async () => {
    const missing = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nope' })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ValidationException', message: 'Requested resource not found.' });
  });
});
