/**
 * SageMaker Pipelines that really execute, with the JS SDK: the definition the SageMaker Python SDK would write for
 * prepare → train → evaluate → condition → register (or fail), run as data-science-1's SageMakerExecution role.
 * Each step's job really runs; the evaluation's property file decides the condition; the registered version says
 * which execution generated it; a stricter threshold ends in the Fail step's message.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
  StopPipelineExecutionCommand,
  DescribeTrainingJobCommand,
  CreateModelPackageGroupCommand,
  DescribeTransformJobCommand,
  PutModelPackageGroupPolicyCommand,
  UpdateModelPackageCommand,
  type DescribePipelineExecutionCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVALUATE_SCRIPT, PREP_SCRIPT, SKLEARN, batchInferencePipeline, trainingPipeline, trainingRows } from '../../../examples/churn-pipeline.js';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const ROLE = `arn:aws:iam::${DS1}:role/SageMakerExecution`;

let server: TestServer;
let sm: SageMakerClient;
const prefix = unique('pipe');
const group = unique('churn-group');
const name = unique('churn-pipeline');
let firstExecution = '';
let registeredPackage = '';

async function finished(arn: string): Promise<DescribePipelineExecutionCommandOutput> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const d = await sm.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    if (d.PipelineExecutionStatus !== 'Executing' && d.PipelineExecutionStatus !== 'Stopping') return d;
    if (Date.now() > deadline) throw new Error(`still ${d.PipelineExecutionStatus}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const ds1: Creds = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  sm = new SageMakerClient(clientConfig(server.url, ds1));
  const s3 = new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/raw/data.csv`, Body: trainingRows() }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/code/prep.py`, Body: PREP_SCRIPT }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/code/evaluate.py`, Body: EVALUATE_SCRIPT }));
  await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
});

afterAll(async () => {
  await server?.close();
});

describe('a pipeline that really executes', () => {
  it('refuses a bad definition with a ValidationException, and a duplicate as the SDK expects', async () => {
    const bad = await sm.send(new CreatePipelineCommand({ PipelineName: unique('bad'), ClientRequestToken: 'x'.repeat(32), RoleArn: ROLE, PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [{ Name: 'A', Type: 'Training', Arguments: {}, DependsOn: ['Nope'] }] }) })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'ValidationException' });
    const callback = (await sm
      .send(new CreatePipelineCommand({ PipelineName: unique('cb'), ClientRequestToken: 'y'.repeat(32), RoleArn: ROLE, PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [{ Name: 'Ask', Type: 'Callback', Arguments: {}, SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/444444444444/q', OutputParameters: [] }] }) }))
      .catch((e: unknown) => e)) as Error;
    expect(callback.name).toBe('ValidationException');
    expect(callback.message).toMatch(/Ask is a Callback step, which mlzone cannot run yet/);
    await sm.send(new CreatePipelineCommand({ PipelineName: name, ClientRequestToken: 'a'.repeat(32), RoleArn: ROLE, PipelineDefinition: trainingPipeline({ bucket: BUCKET, prefix, role: ROLE }) }));
    const dup = (await sm.send(new CreatePipelineCommand({ PipelineName: name, ClientRequestToken: 'b'.repeat(32), RoleArn: ROLE, PipelineDefinition: trainingPipeline({ bucket: BUCKET, prefix, role: ROLE }) })).catch((e: unknown) => e)) as Error;
    expect(dup.name).toBe('ValidationException');
    expect(dup.message).toContain('already exists');
    const d = await sm.send(new DescribePipelineCommand({ PipelineName: name }));
    expect(d.PipelineStatus).toBe('Active');
    expect(JSON.parse(d.PipelineDefinition!).Steps).toHaveLength(4);
  });

  it('runs prepare → train → evaluate → condition → register as the pipeline role', async () => {
    const missing = await sm.send(new StartPipelineExecutionCommand({ PipelineName: name, ClientRequestToken: 'c'.repeat(32) })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ValidationException' });
    const { PipelineExecutionArn: arn } = await sm.send(new StartPipelineExecutionCommand({ PipelineName: name, ClientRequestToken: 'd'.repeat(32), PipelineParameters: [{ Name: 'ModelGroup', Value: group }, { Name: 'Epochs', Value: '12' }] }));
    const d = await finished(arn!);
    firstExecution = arn!;
    expect(d.FailureReason).toBeUndefined();
    expect(d.PipelineExecutionStatus).toBe('Succeeded');
    expect(d.PipelineExperimentConfig).toEqual({ ExperimentName: name, TrialName: arn!.slice(arn!.lastIndexOf('/') + 1) });
    const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }))).PipelineExecutionSteps!;
    expect(steps.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['Prep', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Eval', 'Succeeded'],
      ['MseGate', 'Succeeded'],
      ['Register-RegisterModel', 'Succeeded'],
    ]);
    expect(steps[1]!.Metadata!.TrainingJob!.Arn).toMatch(new RegExp(`^arn:aws:sagemaker:us-east-1:${DS1}:training-job/pipelines-[a-z0-9]{12}-train-[a-z0-9]+$`));
    expect(steps[3]!.Metadata!.Condition!.Outcome).toBe('True');
    const packageArn = steps[4]!.Metadata!.RegisterModel!.Arn!;
    registeredPackage = packageArn;
    const pkg = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
    expect(pkg.MetadataProperties?.GeneratedBy).toBe(arn);
    expect(pkg.InferenceSpecification!.Containers![0]!.ModelDataUrl).toMatch(/\/output\/model\.tar\.gz$/);
    const params = await sm.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn }));
    expect(Object.fromEntries(params.PipelineParameters!.map((p) => [p.Name, p.Value]))).toMatchObject({ ModelGroup: group, Epochs: '12', InputData: `s3://${BUCKET}/${prefix}/raw/` });
  });

  it('a stricter threshold takes the Else branch and fails with the Fail step’s message', async () => {
    const { PipelineExecutionArn: arn } = await sm.send(
      new StartPipelineExecutionCommand({ PipelineName: name, ClientRequestToken: 'e'.repeat(32), PipelineParameters: [{ Name: 'ModelGroup', Value: group }, { Name: 'MaxMse', Value: '-1' }] }),
    );
    const d = await finished(arn!);
    expect(d.PipelineExecutionStatus).toBe('Failed');
    expect(d.FailureReason).toBe('MSE above -1');
    const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }))).PipelineExecutionSteps!;
    expect(steps.map((s) => s.StepName)).toEqual(['TooInaccurate', 'MseGate', 'Eval', 'Train', 'Prep']);
    // Prep's arguments are the first execution's: a cache hit, pointing at that execution and its job.
    expect(steps[4]!.CacheHitResult?.SourcePipelineExecutionArn).toBe(firstExecution);
    expect(steps[4]!.Metadata!.ProcessingJob!.Arn).toContain(`/pipelines-${firstExecution.slice(firstExecution.lastIndexOf('/') + 1)}-prep-`);
    expect(steps[3]!.CacheHitResult).toBeUndefined();
    expect(steps[0]!.Metadata!.Fail!.ErrorMessage).toBe('MSE above -1');
    const listed = await sm.send(new ListPipelineExecutionsCommand({ PipelineName: name }));
    expect(listed.PipelineExecutionSummaries!.map((s) => s.PipelineExecutionStatus)).toEqual(['Failed', 'Succeeded']);
  });

  it('a selective execution runs only the selected step and takes the others from the source execution', async () => {
    const { PipelineExecutionArn: arn } = await sm.send(
      new StartPipelineExecutionCommand({
        PipelineName: name,
        ClientRequestToken: 'i'.repeat(32),
        PipelineParameters: [{ Name: 'ModelGroup', Value: group }],
        SelectiveExecutionConfig: { SourcePipelineExecutionArn: firstExecution, SelectedSteps: [{ StepName: 'Train' }] },
      }),
    );
    const d = await finished(arn!);
    expect(d.FailureReason).toBeUndefined();
    expect(d.PipelineExecutionStatus).toBe('Succeeded');
    expect(d.SelectiveExecutionConfig?.SelectedSteps).toEqual([{ StepName: 'Train' }]);
    const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }))).PipelineExecutionSteps!;
    const byName = Object.fromEntries(steps.map((x) => [x.StepName, x]));
    expect(byName.Train!.SelectiveExecutionResult).toBeUndefined();
    expect(byName.Train!.Metadata!.TrainingJob!.Arn).toContain(`/pipelines-${arn!.slice(arn!.lastIndexOf('/') + 1)}-train-`);
    for (const taken of ['Prep', 'Eval', 'MseGate', 'Register-RegisterModel']) expect(byName[taken]!.SelectiveExecutionResult?.SourcePipelineExecutionArn).toBe(firstExecution);
    const bad = await sm.send(new StartPipelineExecutionCommand({ PipelineName: name, ClientRequestToken: 'j'.repeat(32), PipelineParameters: [{ Name: 'ModelGroup', Value: group }], SelectiveExecutionConfig: { SourcePipelineExecutionArn: firstExecution, SelectedSteps: [{ StepName: 'Nope' }] } })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'ValidationException' });
  });

  it('StopPipelineExecution stops the running step’s job: Stopping, then Stopped', async () => {
    const ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
    const s3 = new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/slow/code/sourcedir.tar.gz`, Body: await createModelArtifact({ 'train.py': 'import time\ntime.sleep(120)\n' }) }));
    const slow = unique('slow');
    await sm.send(
      new CreatePipelineCommand({
        PipelineName: slow,
        ClientRequestToken: 'f'.repeat(32),
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify({
          Version: '2020-12-01',
          Steps: [
            {
              Name: 'Slow',
              Type: 'Training',
              Arguments: {
                AlgorithmSpecification: { TrainingImage: SKLEARN, TrainingInputMode: 'File' },
                HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/${prefix}/slow/code/sourcedir.tar.gz"` },
                RoleArn: ROLE,
                OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${prefix}/slow/models` },
                ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
                StoppingCondition: { MaxRuntimeInSeconds: 300 },
              },
            },
          ],
        }),
      }),
    );
    const { PipelineExecutionArn: arn } = await sm.send(new StartPipelineExecutionCommand({ PipelineName: slow, ClientRequestToken: 'g'.repeat(32) }));
    const deadline = Date.now() + 20_000;
    while (!((await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }))).PipelineExecutionSteps ?? []).some((x) => x.StepStatus === 'Executing')) {
      if (Date.now() > deadline) throw new Error('never Executing');
      await new Promise((r) => setTimeout(r, 50));
    }
    await sm.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: 'h'.repeat(32) }));
    const d = await finished(arn!);
    expect(d.PipelineExecutionStatus).toBe('Stopped');
    const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }))).PipelineExecutionSteps!;
    expect(steps.map((x) => [x.StepName, x.StepStatus])).toEqual([['Slow', 'Stopped']]);
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: steps[0]!.Metadata!.TrainingJob!.Arn!.split('/').pop()! }));
    expect(job.TrainingJobStatus).toBe('Stopped');
  });

  it('UpdatePipeline makes a new version', async () => {
    const out = await sm.send(new UpdatePipelineCommand({ PipelineName: name, PipelineDescription: 'v2' }));
    expect(out.PipelineVersionId).toBe(2);
  });
});

describe('batch inference in the test account with the version data-science-1 approved', () => {
  const TEST = accounts.test;
  const TEST_BUCKET = `sagemaker-us-east-1-${TEST}`;
  const TEST_ROLE = `arn:aws:iam::${TEST}:role/SageMakerExecution`;
  const batch = unique('batch-inference');
  let testSm: SageMakerClient;

  async function runBatch(token: string): Promise<DescribePipelineExecutionCommandOutput> {
    const { PipelineExecutionArn: arn } = await testSm.send(
      new StartPipelineExecutionCommand({
        PipelineName: batch,
        ClientRequestToken: token.repeat(32),
        PipelineParameters: [
          { Name: 'ModelPackageArn', Value: registeredPackage },
          { Name: 'InputUri', Value: `s3://${TEST_BUCKET}/${batch}/input/` },
          { Name: 'OutputUri', Value: `s3://${TEST_BUCKET}/${batch}/${token}/` },
        ],
      }),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = await testSm.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
      if (d.PipelineExecutionStatus !== 'Executing') return d;
      if (Date.now() > deadline) throw new Error(`still ${d.PipelineExecutionStatus}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    expect(registeredPackage).not.toBe('');
    const engineer = await assumeRole(server.url, users.testEngineer, `arn:aws:iam::${TEST}:role/MLEngineer`);
    testSm = new SageMakerClient(clientConfig(server.url, engineer));
    const s3 = new S3Client({ ...clientConfig(server.url, engineer), forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${batch}/input/rows.csv`, Body: '1,0\n2,1\n3,3\n' }));
    await testSm.send(new CreatePipelineCommand({ PipelineName: batch, ClientRequestToken: 'f'.repeat(32), RoleArn: TEST_ROLE, PipelineDefinition: batchInferencePipeline(TEST_ROLE) }));
  });

  it('fails at the model step while data-science-1’s group policy does not let the test account use the version', async () => {
    const d = await runBatch('a');
    expect(d.PipelineExecutionStatus).toBe('Failed');
    const steps = (await testSm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: d.PipelineExecutionArn }))).PipelineExecutionSteps!;
    expect(steps.map((s) => [s.StepName, s.StepStatus])).toEqual([['ApprovedModel', 'Failed']]);
    expect(steps[0]!.FailureReason).toMatch(new RegExp(`AccessDeniedException: .*${TEST}:assumed-role/SageMakerExecution/.* is not authorized to perform: sagemaker:CreateModel on resource: ${registeredPackage.replace(/[/]/g, '\\/')} because no resource-based policy allows`));
  });

  it('transforms the file with the approved version once the group policy allows the test account', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'TestUsesVersions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST}:root` }, Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'], Resource: `arn:aws:sagemaker:us-east-1:${DS1}:model-package/${group}/*` }],
    };
    await sm.send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: group, ResourcePolicy: JSON.stringify(policy) }));
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: registeredPackage, ModelApprovalStatus: 'Approved' }));

    const d = await runBatch('b');
    expect(d.FailureReason).toBeUndefined();
    expect(d.PipelineExecutionStatus).toBe('Succeeded');
    const steps = (await testSm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: d.PipelineExecutionArn, SortOrder: 'Ascending' }))).PipelineExecutionSteps!;
    expect(steps.map((s) => [s.StepName, s.StepStatus])).toEqual([['ApprovedModel', 'Succeeded'], ['Score', 'Succeeded']]);
    const job = await testSm.send(new DescribeTransformJobCommand({ TransformJobName: steps[1]!.Metadata!.TransformJob!.Arn!.split('/').pop()! }));
    expect(job.TransformJobArn).toContain(`:${TEST}:transform-job/`);
    const out = await new S3Client({ ...clientConfig(server.url, await assumeRole(server.url, users.testEngineer, `arn:aws:iam::${TEST}:role/MLEngineer`)), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: `${batch}/b/rows.csv.out` }));
    // y ≈ 2a − b + 1, the relation data-science-1's model learned.
    // One line per request (the default MultiRecord batches the three rows in one): the linear learner's JSON.
    const scores = (await out.Body!.transformToString())
      .trim()
      .split('\n')
      .flatMap((l) => (JSON.parse(l) as { predictions: Array<{ score: number }> }).predictions.map((p) => p.score));
    expect(scores).toHaveLength(3);
    [3, 4, 4].forEach((want, i) => expect(scores[i]).toBeCloseTo(want, 0));

    // The execution's status changes, as EventBridge would deliver them to the test account's bus.
    const events = (await (await fetch(`${server.url}/_mlzone/events?account=${TEST}`)).json()) as Array<{ 'detail-type': string; resources: string[]; detail: Record<string, unknown> }>;
    const mine = events.filter((e) => e.resources.includes(d.PipelineExecutionArn!));
    expect(mine.filter((e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Status Change').map((e) => e.detail.currentPipelineExecutionStatus)).toEqual(['Executing', 'Succeeded']);
    const scored = mine.filter((e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Step Status Change' && e.detail.stepName === 'Score');
    expect(scored.map((e) => e.detail.currentStepStatus)).toEqual(['Starting', 'Executing', 'Succeeded']);
    expect(scored[2]!.detail).toMatchObject({ stepType: 'Transform', previousStepStatus: 'Executing', metadata: { transformJob: { arn: job.TransformJobArn } } });
    const transform = events.filter((e) => e['detail-type'] === 'SageMaker Transform Job State Change' && e.resources[0] === job.TransformJobArn);
    expect(transform.map((e) => e.detail.TransformJobStatus)).toEqual(['InProgress', 'Completed']);
    expect(typeof transform[1]!.detail.TransformEndTime).toBe('number');
    // The approval is an event on data-science-1's bus (the group's owner), for a rule there to forward.
    const ds1Events = (await (await fetch(`${server.url}/_mlzone/events?account=${DS1}&detail-type=SageMaker%20Model%20Package%20State%20Change`)).json()) as typeof events;
    expect(ds1Events.filter((e) => e.resources[0] === registeredPackage).map((e) => e.detail.ModelApprovalStatus)).toEqual(['PendingManualApproval', 'Approved']);
  });
});

describe('the SageMaker Python SDK’s calls, through boto3', () => {
  const python = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('upsert falls back to UpdatePipeline; stringified parameters are typed; the Fail step’s message ends the execution', async () => {
    const ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
    const { stdout } = await promisify(execFile)('python3', [join(dirname(fileURLToPath(import.meta.url)), 'pipelines_boto3.py')], {
      env: { ...process.env, MLZONE_URL: server.url, PIPELINE: unique('sdk'), AWS_ACCESS_KEY_ID: ds1.accessKeyId, AWS_SECRET_ACCESS_KEY: ds1.secretAccessKey, AWS_SESSION_TOKEN: ds1.sessionToken ?? '' },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as Record<string, { status: string; reason?: string; steps: unknown[]; parameters: Record<string, string> } | string>;
    expect(out.first).toBe('created');
    expect(out.second).toBe('updated');
    expect(out.high).toEqual({ status: 'Succeeded', reason: null, steps: [['Gate', 'Succeeded', { Condition: { Outcome: 'True' } }]], parameters: { Threshold: '10', Strict: 'true' } });
    expect(out.low).toMatchObject({ status: 'Failed', reason: 'threshold 2 is too low', parameters: { Threshold: '2', Strict: 'false' } });
  });
});
