/**
 * SageMaker Pipelines across the landing zone, everything really running:
 * 1. data-science-1's ML engineer creates the training pipeline (prepare → train → evaluate → condition → register)
 *    and starts it: the evaluation passes the threshold and a model version is registered;
 * 2. started again with a stricter threshold, it ends in the Fail step's message;
 * 3. the version is approved, and the group's policy lets the test account use it;
 * 4. in the test account, a batch-inference pipeline makes a model from that version and transforms a file;
 * 5. the status changes SageMaker sends to EventBridge (shown at /_mlzone/events until EventBridge exists).
 *
 *   npx tsx examples/pipelines.ts                       # starts an ephemeral mlzone of its own
 *   npx tsx examples/pipelines.ts http://127.0.0.1:4566 # or uses a running one (default blueprint)
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
  type Parameter,
} from '@aws-sdk/client-sagemaker';
import { EVALUATE_SCRIPT, PREP_SCRIPT, batchInferencePipeline, trainingPipeline, trainingRows } from './churn-pipeline.js';
import { KEYS, landingZone, REGION, show, step } from './landing-zone.js';

const [DS1, TEST] = ['444444444444', '666666666666'];
const keys = {
  ds1Engineer: KEYS.ds1Engineer,
  testEngineer: KEYS.testEngineer,
};
const DS1_BUCKET = `sagemaker-${REGION}-${DS1}`;
const TEST_BUCKET = `sagemaker-${REGION}-${TEST}`;
const run = Date.now().toString(36);

const zone = landingZone(process.argv[2]);
const { config, assume } = zone;

/** Starts an execution, waits for its end and prints its steps; returns the steps' metadata by name. */
async function execute(sm: SageMakerClient, pipeline: string, parameters: Parameter[]) {
  const { PipelineExecutionArn: arn } = await sm.send(new StartPipelineExecutionCommand({ PipelineName: pipeline, PipelineParameters: parameters }));
  let d;
  do {
    await new Promise((r) => setTimeout(r, 100));
    d = await sm.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
  } while (d.PipelineExecutionStatus === 'Executing');
  const steps = (await sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }))).PipelineExecutionSteps!;
  for (const s of steps) show(`${(s.StepName ?? '').padEnd(24)} ${s.StepStatus}${s.CacheHitResult ? ' (cache hit)' : ''}${s.FailureReason ? ` — ${s.FailureReason}` : ''}`);
  show(`→ ${d.PipelineExecutionStatus}${d.FailureReason ? `: ${d.FailureReason}` : ''}`);
  return { arn: arn!, steps: new Map(steps.map((s) => [s.StepName ?? '', s])) };
}

async function main(): Promise<void> {
  step('1', "data-science-1's ML engineer creates the training pipeline and starts it (MaxMse 1.0)");
  const engineer = await assume(keys.ds1Engineer, `arn:aws:iam::${DS1}:role/MLEngineer`);
  const sm = new SageMakerClient(config(engineer));
  const s3 = new S3Client({ ...config(engineer), forcePathStyle: true });
  const prefix = `churn-${run}`;
  await s3.send(new PutObjectCommand({ Bucket: DS1_BUCKET, Key: `${prefix}/raw/data.csv`, Body: trainingRows() }));
  await s3.send(new PutObjectCommand({ Bucket: DS1_BUCKET, Key: `${prefix}/code/prep.py`, Body: PREP_SCRIPT }));
  await s3.send(new PutObjectCommand({ Bucket: DS1_BUCKET, Key: `${prefix}/code/evaluate.py`, Body: EVALUATE_SCRIPT }));
  const group = `churn-models-${run}`;
  await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  const role = `arn:aws:iam::${DS1}:role/SageMakerExecution`;
  const pipeline = `churn-training-${run}`;
  await sm.send(new CreatePipelineCommand({ PipelineName: pipeline, RoleArn: role, PipelineDefinition: trainingPipeline({ bucket: DS1_BUCKET, prefix, role }) }));
  const first = await execute(sm, pipeline, [{ Name: 'ModelGroup', Value: group }]);
  const version = first.steps.get('Register-RegisterModel')?.Metadata?.RegisterModel?.Arn;
  if (!version) throw new Error('no model version was registered');
  show(`registered ${version}`);

  step('2', 'started again with MaxMse -1: the condition takes the Else branch (Prep is a cache hit)');
  await execute(sm, pipeline, [{ Name: 'ModelGroup', Value: group }, { Name: 'MaxMse', Value: '-1' }]);

  step('3', 'the engineer approves the version; the group policy lets the test account use it');
  await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: version, ModelApprovalStatus: 'Approved', ApprovalDescription: 'MSE under 1.0' }));
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TestUsesVersions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST}:root` }, Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'], Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package/${group}/*` }],
  };
  await sm.send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: group, ResourcePolicy: JSON.stringify(policy) }));
  show('Approved; policy: test account may DescribeModelPackage, ListModelPackages, CreateModel');

  step('4', "the test account's batch-inference pipeline scores a file with that version, as its SageMakerExecution role");
  const tester = await assume(keys.testEngineer, `arn:aws:iam::${TEST}:role/MLEngineer`);
  const testSm = new SageMakerClient(config(tester));
  const testS3 = new S3Client({ ...config(tester), forcePathStyle: true });
  await testS3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `batch-${run}/input/rows.csv`, Body: '1,0\n2,1\n3,3\n' }));
  const testRole = `arn:aws:iam::${TEST}:role/SageMakerExecution`;
  const batch = `batch-inference-${run}`;
  await testSm.send(new CreatePipelineCommand({ PipelineName: batch, RoleArn: testRole, PipelineDefinition: batchInferencePipeline(testRole) }));
  const scored = await execute(testSm, batch, [
    { Name: 'ModelPackageArn', Value: version },
    { Name: 'InputUri', Value: `s3://${TEST_BUCKET}/batch-${run}/input/` },
    { Name: 'OutputUri', Value: `s3://${TEST_BUCKET}/batch-${run}/output/` },
  ]);
  const out = await testS3.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: `batch-${run}/output/rows.csv.out` }));
  show(`rows.csv.out: ${(await out.Body!.transformToString()).trim()}`);

  step('5', 'what SageMaker sent to the test account’s EventBridge');
  const events = (await (await fetch(`${zone.url()}/_mlzone/events?account=${TEST}`)).json()) as Array<{ 'detail-type': string; resources: string[]; detail: Record<string, string> }>;
  for (const e of events.filter((x) => x.resources.includes(scored.arn))) {
    show(e['detail-type'].endsWith('Step Status Change') ? `step ${e.detail.stepName} → ${e.detail.currentStepStatus}` : `execution → ${e.detail.currentPipelineExecutionStatus}`);
  }
}

zone.run(main);
