/**
 * The landing zone's cross-account deployment, step by step: a model registered in data-science-1 serves
 * predictions in test and production, and each grant it depends on is shown refusing when it is missing.
 *
 *   npx tsx examples/cross-account-deployment.ts                       # starts an ephemeral mlzone of its own
 *   npx tsx examples/cross-account-deployment.ts http://127.0.0.1:4566 # or uses a running one (default blueprint)
 */
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createModelArtifact } from '../src/runtime/index.js';
import { type Creds, KEYS, landingZone, REGION, show, step } from './landing-zone.js';


const [DS1, SHARED, TEST, PROD, MGMT] = ['444444444444', '222222222222', '666666666666', '777777777777', '111111111111'];
const keys = {
  ds1Scientist: KEYS.ds1Scientist,
  devops: KEYS.devops,
  testEngineer: KEYS.testEngineer,
  prodApp: KEYS.prodApp,
  orgAdmin: KEYS.orgAdmin,
};
const WEIGHTS = [0.8, -0.4, 1.5];
const BIAS = -0.2;
const BUCKET = `sagemaker-${REGION}-${DS1}`;
const suffix = Date.now().toString(36);

const zone = landingZone(process.argv[2]);
const { config, assume } = zone;

async function refused(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
    show(`!! ${what} was allowed`);
  } catch (e) {
    show(`refused: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

async function deploy(as: Creds, account: string, packageArn: string, name: string): Promise<string> {
  const sm = new SageMakerClient(config(as));
  await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: `arn:aws:iam::${account}:role/SageMakerExecution`, PrimaryContainer: { ModelPackageName: packageArn } }));
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  const started = Date.now();
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== 'Creating') {
      show(`endpoint ${name}: ${d.EndpointStatus} after ${Date.now() - started} ms${d.FailureReason ? ` — ${d.FailureReason}` : ''}`);
      return d.EndpointStatus!;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const ds1 = await assume(keys.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  const sharedDeploy = await assume(keys.devops, `arn:aws:iam::${SHARED}:role/DeploymentRole`);
  const testDeploy = await assume(sharedDeploy, `arn:aws:iam::${TEST}:role/DeploymentRole`);
  const prodDeploy = await assume(sharedDeploy, `arn:aws:iam::${PROD}:role/DeploymentRole`);
  const admin = async (account: string) => assume(await assume(keys.orgAdmin, `arn:aws:iam::${MGMT}:role/Admin`), `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`);

  step('0', 'shared-services publishes the inference image (built on SageMaker linear-learner: OCI base annotation)');
  const tag = `churn-${suffix}`;
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' },
    layers: [],
    annotations: { 'org.opencontainers.image.base.name': '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1' },
  };
  await new ECRClient(config(sharedDeploy)).send(new PutImageCommand({ repositoryName: 'mlzone/inference', imageTag: tag, imageManifest: JSON.stringify(manifest) }));
  const image = `${SHARED}.dkr.ecr.${REGION}.amazonaws.com/mlzone/inference:${tag}`;
  show(image);

  step('1', 'data-science-1 uploads model.tar.gz and registers version 1 of group churn (PendingManualApproval)');
  const group = `churn-${suffix}`;
  const artifact = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 3, weights: WEIGHTS, bias: BIAS }) });
  await new S3Client({ ...config(ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `${group}/model.tar.gz`, Body: artifact }));
  const sm1 = new SageMakerClient(config(ds1));
  await sm1.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  const { ModelPackageArn: packageArn } = await sm1.send(
    new CreateModelPackageCommand({ ModelPackageGroupName: group, InferenceSpecification: { Containers: [{ Image: image, ModelDataUrl: `s3://${BUCKET}/${group}/model.tar.gz` }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['application/json'] } }),
  );
  show(`${packageArn} (${(await sm1.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }))).ModelApprovalStatus})`);

  step('2', "test's DeploymentRole cannot describe the package: no group policy yet");
  await refused('DescribeModelPackage', () => new SageMakerClient(config(testDeploy)).send(new DescribeModelPackageCommand({ ModelPackageName: packageArn })));

  step('3', 'data-science-1 grants test and production on the group; the bucket and the image repository already grant the organization');
  const principals = { AWS: [`arn:aws:iam::${TEST}:root`, `arn:aws:iam::${PROD}:root`] };
  await sm1.send(
    new PutModelPackageGroupPolicyCommand({
      ModelPackageGroupName: group,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: principals, Action: 'sagemaker:DescribeModelPackageGroup', Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package-group/${group}` },
          { Effect: 'Allow', Principal: principals, Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'], Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package/${group}/*` },
        ],
      }),
    }),
  );
  show('group policy in place');

  step('4', 'the version is approved; test deploys it from the package ARN and it serves the weights’ predictions');
  await sm1.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved' }));
  const staging = `churn-staging-${suffix}`;
  await deploy(testDeploy, TEST, packageArn!, staging);
  const tester = await assume(keys.testEngineer, `arn:aws:iam::${TEST}:role/MLEngineer`);
  const out = await new SageMakerRuntimeClient(config(tester)).send(new InvokeEndpointCommand({ EndpointName: staging, ContentType: 'text/csv', Body: Buffer.from('1,2,3') }));
  show(`InvokeEndpoint 1,2,3 → ${Buffer.from(out.Body!).toString()} (locally: ${1 * WEIGHTS[0]! + 2 * WEIGHTS[1]! + 3 * WEIGHTS[2]! + BIAS})`);

  step('5', 'production repeats it; a data scientist’s role there is refused by the SCP; ProdApp may only invoke');
  const live = `churn-${suffix}`;
  await deploy(prodDeploy, PROD, packageArn!, live);
  const prodAdmin = await admin(PROD);
  const roleName = `DataScientist-${suffix}`;
  const iam = new IAMClient(config(prodAdmin));
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: 'sts:AssumeRole' }] }) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' }));
  const scientist = await assume(prodAdmin, `arn:aws:iam::${PROD}:role/${roleName}`);
  await refused('CreateEndpoint by a data scientist in production', () => new SageMakerClient(config(scientist)).send(new CreateEndpointCommand({ EndpointName: `rogue-${suffix}`, EndpointConfigName: live })));
  const app = await assume(keys.prodApp, `arn:aws:iam::${PROD}:role/ProdApp`);
  const prod = await new SageMakerRuntimeClient(config(app)).send(new InvokeEndpointCommand({ EndpointName: live, ContentType: 'text/csv', Body: Buffer.from('1,1,1') }));
  show(`ProdApp InvokeEndpoint 1,1,1 → ${Buffer.from(prod.Body!).toString()}`);
  await refused('DescribeEndpoint by ProdApp', () => new SageMakerClient(config(app)).send(new DescribeEndpointCommand({ EndpointName: live })));

  step('6', 'without the bucket grant, a new endpoint fails with the S3 reason');
  const ds1Admin = await admin(DS1);
  const s3 = new S3Client({ ...config(ds1Admin), forcePathStyle: true });
  const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!;
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  try {
    await deploy(testDeploy, TEST, packageArn!, `no-bucket-${suffix}`);
  } finally {
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
  }
}

zone.run(main);
