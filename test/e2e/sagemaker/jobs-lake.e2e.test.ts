/**
 * The scenario around the lake: the churn CSV sits under the curated bucket's `sensitive/` prefix.
 * data-science-1's SageMakerExecution role may read it (the bucket policy names it) and its processing job splits
 * it into train and validation in data-science-1's bucket; data-science-2's role has no grant on that prefix and
 * its job fails at the download with the S3 reason. The split data then trains a model, checked with boto3's
 * `training_job_completed_or_stopped` waiter.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateProcessingJobCommand, DescribeProcessingJobCommand, SageMakerClient, type DescribeProcessingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const LAKE = `mlzone-curated-${accounts.dataLake}`;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const SPLIT = [
  'import os',
  "rows = open('/opt/ml/processing/input/churn/churn.csv').read().strip().split('\\n')",
  "for name, part in (('train', rows[:80]), ('validation', rows[80:])):",
  "    os.makedirs('/opt/ml/processing/output/' + name, exist_ok=True)",
  "    open('/opt/ml/processing/output/%s/%s.csv' % (name, name), 'w').write('\\n'.join(part) + '\\n')",
].join('\n');

let server: TestServer;
let ds1: Creds;
let ds2: Creds;
const id = unique('churn');

async function split(as: Creds, account: string): Promise<DescribeProcessingJobCommandOutput> {
  const sm = new SageMakerClient(clientConfig(server.url, as));
  const bucket = `sagemaker-us-east-1-${account}`;
  const name = unique('split');
  await sm.send(
    new CreateProcessingJobCommand({
      ProcessingJobName: name,
      RoleArn: `arn:aws:iam::${account}:role/SageMakerExecution`,
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
      AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/split.py'] },
      ProcessingInputs: [
        { InputName: 'churn', S3Input: { S3Uri: `s3://${LAKE}/sensitive/${id}/`, LocalPath: '/opt/ml/processing/input/churn', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
        { InputName: 'code', S3Input: { S3Uri: `s3://${LAKE}/public/${id}/split.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
      ],
      ProcessingOutputConfig: {
        Outputs: ['train', 'validation'].map((o) => ({ OutputName: o, S3Output: { S3Uri: `s3://${bucket}/${id}/${o}`, LocalPath: `/opt/ml/processing/output/${o}`, S3UploadMode: 'EndOfJob' as const } })),
      },
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    if (d.ProcessingJobStatus !== 'InProgress') return d;
    if (Date.now() > deadline) throw new Error('still InProgress');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const lake = await assumeRole(server.url, users.lakeAdmin, `arn:aws:iam::${accounts.dataLake}:role/LakeAdmin`);
  const s3 = new S3Client({ ...clientConfig(server.url, lake), forcePathStyle: true });
  const rows = Array.from({ length: 100 }, (_, i) => `${(i % 7) * 0.5 + 1},${i % 7},${(i * 3) % 5}`);
  await s3.send(new PutObjectCommand({ Bucket: LAKE, Key: `sensitive/${id}/churn.csv`, Body: `${rows.join('\n')}\n` }));
  await s3.send(new PutObjectCommand({ Bucket: LAKE, Key: `public/${id}/split.py`, Body: SPLIT }));
  ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`);
  ds2 = await assumeRole(server.url, users.ds2Scientist, `arn:aws:iam::${accounts.dataScience2}:role/DataScientist`);
});

afterAll(async () => {
  await server?.close();
});

describe('jobs reading the lake as their role', () => {
  it('data-science-1’s processing job reads the sensitive prefix and writes the split to its bucket', async () => {
    const d = await split(ds1, accounts.dataScience1);
    expect(d.FailureReason).toBeUndefined();
    expect(d.ProcessingJobStatus).toBe('Completed');
    const listed = await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: `sagemaker-us-east-1-${accounts.dataScience1}`, Prefix: `${id}/` }));
    expect(listed.Contents!.map((o) => o.Key).sort()).toEqual([`${id}/train/train.csv`, `${id}/validation/validation.csv`]);
  });

  it('data-science-2’s job has no grant on that prefix and fails downloading it, with the S3 reason', async () => {
    const d = await split(ds2, accounts.dataScience2);
    expect(d.ProcessingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: Data download failed: could not download s3:\/\/mlzone-curated-333333333333\/sensitive\/.*churn\.csv as arn:aws:iam::555555555555:role\/SageMakerExecution\. AccessDenied/);
  });

  const python = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('boto3 trains on the split with the training_job_completed_or_stopped waiter', async () => {
    // Asynchronously: the server answering boto3 runs in this process.
    const { stdout: out } = await promisify(execFile)('python3', [join(here, 'jobs_boto3.py')], {
      encoding: 'utf8',
      env: { ...process.env, MLZONE_URL: server.url, AWS_ACCESS_KEY_ID: ds1.accessKeyId, AWS_SECRET_ACCESS_KEY: ds1.secretAccessKey, AWS_SESSION_TOKEN: ds1.sessionToken ?? '', PREFIX: id, BUCKET: `sagemaker-us-east-1-${accounts.dataScience1}` },
      timeout: 60_000,
    });
    const result = JSON.parse(out) as { status: string; secondary: string[]; metrics: string[]; artifact: string; missing: string };
    expect(result.status).toBe('Completed');
    expect(result.secondary).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    expect(result.metrics.some((m) => m.startsWith('validation:'))).toBe(true);
    expect(result.artifact).toMatch(new RegExp(`^s3://sagemaker-us-east-1-${accounts.dataScience1}/${id}/models/.*/output/model.tar.gz$`));
    expect(result.missing).toBe('ValidationException');
  });
});
