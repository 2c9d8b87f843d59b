/**
 * From the lake to a live endpoint, step by step, everything really running as data-science-1's SageMakerExecution
 * role: a processing job splits the lake's churn CSV, the built-in linear learner trains on it, a batch transform
 * scores a test file, the model is registered and deployed, and data-science-2's role is refused the sensitive data.
 *
 *   npx tsx examples/train-and-deploy.ts                       # starts an ephemeral mlzone of its own
 *   npx tsx examples/train-and-deploy.ts http://127.0.0.1:4566 # or uses a running one (default blueprint)
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { KEYS, landingZone, REGION, show, step, until } from './landing-zone.js';

const [LAKE_ACCOUNT, DS1, DS2] = ['333333333333', '444444444444', '555555555555'];
const keys = {
  lakeAdmin: KEYS.lakeAdmin,
  ds1: KEYS.ds1Scientist,
  ds2: KEYS.ds2Scientist,
};
const LAKE = `mlzone-curated-${LAKE_ACCOUNT}`;
const BUCKET = `sagemaker-${REGION}-${DS1}`;
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const run = Date.now().toString(36);

const zone = landingZone(process.argv[2]);
const { config, assume } = zone;

/** The churn rows: `churn_score,tenure,monthly_charges,support_calls`, the label first. */
function churnRows(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [t, m, c] = [(i * 7) % 60, 20 + ((i * 13) % 80), (i * 3) % 6];
    out.push([(0.8 - 0.01 * t + 0.004 * m + 0.05 * c).toFixed(4), t, m, c].join(','));
  }
  return `${out.join('\n')}\n`;
}

async function splitJob(sm: SageMakerClient, account: string, name: string): Promise<{ ProcessingJobStatus?: string; FailureReason?: string }> {
  const bucket = `sagemaker-${REGION}-${account}`;
  await sm.send(
    new CreateProcessingJobCommand({
      ProcessingJobName: name,
      RoleArn: `arn:aws:iam::${account}:role/SageMakerExecution`,
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
      AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/split.py'] },
      ProcessingInputs: [
        { InputName: 'churn', S3Input: { S3Uri: `s3://${LAKE}/sensitive/churn-${run}/`, LocalPath: '/opt/ml/processing/input/churn', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
        { InputName: 'code', S3Input: { S3Uri: `s3://${LAKE}/public/churn-${run}/split.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
      ],
      ProcessingOutputConfig: { Outputs: ['train', 'validation', 'test'].map((o) => ({ OutputName: o, S3Output: { S3Uri: `s3://${bucket}/churn-${run}/${o}`, LocalPath: `/opt/ml/processing/output/${o}`, S3UploadMode: 'EndOfJob' as const } })) },
    }),
  );
  return until(() => sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name })), (d) => d.ProcessingJobStatus !== 'InProgress');
}

async function main(): Promise<void> {
  step('1', 'the data lake holds the churn CSV under its sensitive/ prefix, and the split script under public/');
  const lake = new S3Client({ ...config(await assume(keys.lakeAdmin, `arn:aws:iam::${LAKE_ACCOUNT}:role/LakeAdmin`)), forcePathStyle: true });
  await lake.send(new PutObjectCommand({ Bucket: LAKE, Key: `sensitive/churn-${run}/churn.csv`, Body: churnRows(500) }));
  const split = [
    'import os',
    "rows = open('/opt/ml/processing/input/churn/churn.csv').read().strip().split('\\n')",
    "parts = {'train': rows[:400], 'validation': rows[400:480], 'test': [r.split(',', 1)[1] for r in rows[480:]]}",
    'for name, part in parts.items():',
    "    os.makedirs('/opt/ml/processing/output/' + name, exist_ok=True)",
    "    open('/opt/ml/processing/output/%s/%s.csv' % (name, name), 'w').write('\\n'.join(part) + '\\n')",
    "print('split', {k: len(v) for k, v in parts.items()})",
  ].join('\n');
  await lake.send(new PutObjectCommand({ Bucket: LAKE, Key: `public/churn-${run}/split.py`, Body: split }));
  show(`s3://${LAKE}/sensitive/churn-${run}/churn.csv`);

  const ds1 = await assume(keys.ds1, `arn:aws:iam::${DS1}:role/DataScientist`);
  const sm = new SageMakerClient(config(ds1));
  step('2', "data-science-1's processing job splits it into train, validation and test, as its SageMakerExecution role");
  const p = await splitJob(sm, DS1, `split-${run}`);
  show(`${p.ProcessingJobStatus}${p.FailureReason ? ` — ${p.FailureReason}` : ''}`);

  step('3', 'data-science-2 tries the same: its role has no grant on the sensitive prefix');
  const refused = await splitJob(new SageMakerClient(config(await assume(keys.ds2, `arn:aws:iam::${DS2}:role/DataScientist`))), DS2, `split-${run}`);
  show(`${refused.ProcessingJobStatus} — ${refused.FailureReason}`);

  step('4', 'the built-in linear learner trains on the split');
  const job = `churn-${run}`;
  await sm.send(
    new CreateTrainingJobCommand({
      TrainingJobName: job,
      RoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`,
      AlgorithmSpecification: { TrainingImage: LINEAR_LEARNER, TrainingInputMode: 'File' },
      HyperParameters: { predictor_type: 'regressor', feature_dim: '3', epochs: '20' },
      InputDataConfig: ['train', 'validation'].map((c) => ({ ChannelName: c, ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: `s3://${BUCKET}/churn-${run}/${c}` } } })),
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/churn-${run}/models` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
    }),
  );
  const t = await until(() => sm.send(new DescribeTrainingJobCommand({ TrainingJobName: job })), (d) => d.TrainingJobStatus !== 'InProgress');
  show(`${t.TrainingJobStatus}: ${t.SecondaryStatusTransitions!.map((x) => x.Status).join(' → ')} in ${t.TrainingTimeInSeconds} s${t.FailureReason ? ` — ${t.FailureReason}` : ''}`);
  for (const m of t.FinalMetricDataList ?? []) show(`${m.MetricName} = ${m.Value}`);
  const artifact = t.ModelArtifacts!.S3ModelArtifacts!;
  show(artifact);

  step('5', 'a batch transform scores the test file');
  await sm.send(new CreateModelCommand({ ModelName: job, ExecutionRoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: artifact } }));
  await sm.send(
    new CreateTransformJobCommand({
      TransformJobName: job,
      ModelName: job,
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/churn-${run}/test/` } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: `s3://${BUCKET}/churn-${run}/scored`, Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      DataProcessing: { JoinSource: 'Input' },
    }),
  );
  const tr = await until(() => sm.send(new DescribeTransformJobCommand({ TransformJobName: job })), (d) => d.TransformJobStatus !== 'InProgress');
  show(`${tr.TransformJobStatus}${tr.FailureReason ? ` — ${tr.FailureReason}` : ''}`);
  const scored = await (await new S3Client({ ...config(ds1), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: BUCKET, Key: `churn-${run}/scored/test.csv.out` }))).Body!.transformToString();
  for (const line of scored.trim().split('\n').slice(0, 3)) show(`features,score: ${line}`);

  step('6', 'the model is registered and deployed; the endpoint answers like the transform');
  await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: job }));
  const pkg = await sm.send(
    new CreateModelPackageCommand({ ModelPackageGroupName: job, ModelApprovalStatus: 'Approved', InferenceSpecification: { Containers: [{ Image: LINEAR_LEARNER, ModelDataUrl: artifact }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['application/json'] } }),
  );
  show(pkg.ModelPackageArn!);
  const endpoint = `churn-${run}-live`;
  await sm.send(new CreateModelCommand({ ModelName: endpoint, ExecutionRoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`, PrimaryContainer: { ModelPackageName: pkg.ModelPackageArn } }));
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: endpoint, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: endpoint, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: endpoint }));
  const e = await until(() => sm.send(new DescribeEndpointCommand({ EndpointName: endpoint })), (d) => d.EndpointStatus !== 'Creating');
  show(`endpoint ${e.EndpointStatus}`);
  const first = scored.trim().split('\n')[0]!.split(',');
  const out = await new SageMakerRuntimeClient(config(ds1)).send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/csv', Body: Buffer.from(first.slice(0, 3).join(',')) }));
  show(`InvokeEndpoint ${first.slice(0, 3).join(',')} → ${Buffer.from(out.Body!).toString()} (transform: ${first[3]})`);
}

zone.run(main);
