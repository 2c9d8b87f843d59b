/**
 * Step 7 of the deployment scenario: `mlzone up` killed with SIGKILL keeps every SageMaker resource, takes its
 * endpoint processes down with it (no orphan keeps a port), and on the next start the endpoints that were InService
 * serve again within seconds, from the model they had extracted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreatePipelineCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  DescribePipelineExecutionCommand,
  DescribeTrainingJobCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { startCli } from '../support/cli-process.js';
import { clientConfig, users } from '../support/server.js';
import { assumeRole } from '../support/sessions.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-sm-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ACCOUNT = '444444444444';
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;

/** Running and not a zombie (this machine's PID 1 does not reap orphans, so a killed one may stay a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of the endpoint's processes: the children mlzone started for it (their command line names the built-in server). */
async function endpointPids(serverPid: number): Promise<number[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === serverPid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('endpoints across kill -9 and a restart', () => {
  it('serve again after the restart, and no process of the killed server survives it', async () => {
    const first = await startCli(['--data-dir', dataDir], { MLZONE_LOG_CONTAINERS: '' });
    let second: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const scientist = await assumeRole(first.url, users.ds1Scientist, `arn:aws:iam::${ACCOUNT}:role/DataScientist`, { DurationSeconds: 3600 });
      const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 2, weights: [1, 2], bias: 0.5 }) });
      await new S3Client({ ...clientConfig(first.url, scientist), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'restart/model.tar.gz', Body: body }));
      const sm = new SageMakerClient(clientConfig(first.url, scientist));
      await sm.send(
        new CreateModelCommand({
          ModelName: 'kept',
          ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`,
          PrimaryContainer: { Image: '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1', ModelDataUrl: `s3://${BUCKET}/restart/model.tar.gz` },
        }),
      );
      await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'kept', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'kept', InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }] }));
      await sm.send(new CreateEndpointCommand({ EndpointName: 'kept', EndpointConfigName: 'kept' }));
      const deadline = Date.now() + 30_000;
      while ((await sm.send(new DescribeEndpointCommand({ EndpointName: 'kept' }))).EndpointStatus !== 'InService') {
        if (Date.now() > deadline) throw new Error('not InService');
        await new Promise((r) => setTimeout(r, 100));
      }
      const children = await endpointPids(first.child.pid!);
      expect(children.length).toBeGreaterThanOrEqual(2);

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const gone = Date.now() + 5_000;
      while (children.some(alive)) {
        if (Date.now() > gone) throw new Error(`endpoint processes outlived the killed server: ${children.filter(alive).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }

      second = await startCli(['--data-dir', dataDir]);
      const restarted = Date.now();
      const sm2 = new SageMakerClient(clientConfig(second.url, scientist));
      expect((await sm2.send(new DescribeModelCommand({ ModelName: 'kept' }))).ModelName).toBe('kept');
      expect((await sm2.send(new DescribeEndpointCommand({ EndpointName: 'kept' }))).EndpointStatus).toBe('InService');
      const runtime = new SageMakerRuntimeClient(clientConfig(second.url, scientist));
      for (;;) {
        const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'kept', ContentType: 'text/csv', Body: Buffer.from('1,1') })).catch((e: Error) => e);
        if (!(out instanceof Error)) {
          expect(JSON.parse(Buffer.from(out.Body!).toString()).predictions[0].score).toBe(3.5);
          break;
        }
        if (Date.now() - restarted > 5_000) throw out;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(Date.now() - restarted).toBeLessThan(5_000);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    }
  });
});

describe('a training job across kill -9 and a restart', () => {
  it('runs again after the restart, saying so, and completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlzone-job-restart-'));
    const first = await startCli(['--data-dir', dir]);
    let second: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const scientist = await assumeRole(first.url, users.ds1Scientist, `arn:aws:iam::${ACCOUNT}:role/DataScientist`, { DurationSeconds: 3600 });
      const s3 = new S3Client({ ...clientConfig(first.url, scientist), forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'restart-job/train/data.csv', Body: '1,1\n2,2\n' }));
      // Slow enough to be killed in the middle; writes a model when it gets to the end.
      const train = 'import os, time\nprint("training", flush=True)\ntime.sleep(3)\nopen(os.path.join(os.environ["SM_MODEL_DIR"], "done"), "w").write("yes")\n';
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'restart-job/code/sourcedir.tar.gz', Body: await createModelArtifact({ 'train.py': train }) }));
      const sm = new SageMakerClient(clientConfig(first.url, scientist));
      await sm.send(
        new CreateTrainingJobCommand({
          TrainingJobName: 'survives',
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`,
          AlgorithmSpecification: { TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', TrainingInputMode: 'File' },
          HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/restart-job/code/sourcedir.tar.gz"` },
          InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/restart-job/train/` } } }],
          OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/restart-job/models` },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 300 },
        }),
      );
      const deadline = Date.now() + 20_000;
      while ((await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'survives' }))).SecondaryStatus !== 'Training') {
        if (Date.now() > deadline) throw new Error('never Training');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.child.kill('SIGKILL');
      await first.exited;

      second = await startCli(['--data-dir', dir]);
      const sm2 = new SageMakerClient(clientConfig(second.url, scientist));
      const until = Date.now() + 30_000;
      let d = await sm2.send(new DescribeTrainingJobCommand({ TrainingJobName: 'survives' }));
      while (d.TrainingJobStatus === 'InProgress') {
        if (Date.now() > until) throw new Error(`still ${d.SecondaryStatus}`);
        await new Promise((r) => setTimeout(r, 100));
        d = await sm2.send(new DescribeTrainingJobCommand({ TrainingJobName: 'survives' }));
      }
      expect(d.FailureReason).toBeUndefined();
      expect(d.TrainingJobStatus).toBe('Completed');
      const statuses = d.SecondaryStatusTransitions!.map((t) => t.Status);
      expect(statuses.slice(0, 3)).toEqual(['Starting', 'Downloading', 'Training']);
      expect(statuses).toContain('Restarting');
      expect(statuses[statuses.length - 1]).toBe('Completed');
      expect(d.SecondaryStatusTransitions!.find((t) => t.Status === 'Restarting')!.StatusMessage).toMatch(/runs again/);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a pipeline execution across kill -9 and a restart', () => {
  it('is picked up where its record says it was and succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlzone-pipeline-restart-'));
    const first = await startCli(['--data-dir', dir]);
    let second: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const scientist = await assumeRole(first.url, users.ds1Scientist, `arn:aws:iam::${ACCOUNT}:role/DataScientist`, { DurationSeconds: 3600 });
      const s3 = new S3Client({ ...clientConfig(first.url, scientist), forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'restart-pipe/train/data.csv', Body: '1,1\n2,2\n' }));
      const train = 'import os, time\ntime.sleep(3)\nopen(os.path.join(os.environ["SM_MODEL_DIR"], "done"), "w").write("yes")\n';
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'restart-pipe/code/sourcedir.tar.gz', Body: await createModelArtifact({ 'train.py': train }) }));
      const role = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
      const sklearn = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
      const definition = {
        Version: '2020-12-01',
        Parameters: [],
        Steps: [
          {
            Name: 'Train',
            Type: 'Training',
            Arguments: {
              AlgorithmSpecification: { TrainingImage: sklearn, TrainingInputMode: 'File' },
              HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/restart-pipe/code/sourcedir.tar.gz"` },
              RoleArn: role,
              InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/restart-pipe/train/` } } }],
              OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/restart-pipe/models` },
              ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
              StoppingCondition: { MaxRuntimeInSeconds: 300 },
            },
          },
          { Name: 'Model', Type: 'Model', Arguments: { ExecutionRoleArn: role, PrimaryContainer: { Image: sklearn, ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } } } },
        ],
      };
      const sm = new SageMakerClient(clientConfig(first.url, scientist));
      await sm.send(new CreatePipelineCommand({ PipelineName: 'survives', ClientRequestToken: 'a'.repeat(32), RoleArn: role, PipelineDefinition: JSON.stringify(definition) }));
      const { PipelineExecutionArn: arn } = await sm.send(new StartPipelineExecutionCommand({ PipelineName: 'survives', ClientRequestToken: 'b'.repeat(32) }));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }))).PipelineExecutionSteps ?? [];
        if (steps.some((x) => x.StepName === 'Train' && x.StepStatus === 'Executing')) break;
        if (Date.now() > deadline) throw new Error('the training step never ran');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.child.kill('SIGKILL');
      await first.exited;

      second = await startCli(['--data-dir', dir]);
      const sm2 = new SageMakerClient(clientConfig(second.url, scientist));
      const until = Date.now() + 40_000;
      let d = await sm2.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
      while (d.PipelineExecutionStatus === 'Executing') {
        if (Date.now() > until) throw new Error('still Executing');
        await new Promise((r) => setTimeout(r, 100));
        d = await sm2.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
      }
      expect(d.FailureReason).toBeUndefined();
      expect(d.PipelineExecutionStatus).toBe('Succeeded');
      const steps = (await sm2.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }))).PipelineExecutionSteps!;
      expect(steps.map((x) => [x.StepName, x.StepStatus])).toEqual([
        ['Train', 'Succeeded'],
        ['Model', 'Succeeded'],
      ]);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
