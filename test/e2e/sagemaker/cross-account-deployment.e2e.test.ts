/**
 * The landing zone's cross-account deployment (the source material's figure), end to end with the JS SDK: a model
 * registered in data-science-1, whose container is shared-services' inference image and whose artifact is in
 * data-science-1's bucket, is deployed by the test and production accounts' DeploymentRole from the package ARN.
 * It works only while all four grants hold — the group policy, the repository policy, the bucket policy and the
 * caller's own policies with the SCPs — and each missing one says which it is.
 */
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteRepositoryPolicyCommand, ECRClient, PutImageCommand, SetRepositoryPolicyCommand, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const REGION = 'us-east-1';
const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-${REGION}-${DS1}`;
const IMAGE_REPO = 'mlzone/inference';
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const testEngineer = { accessKeyId: 'AKIADGHTE4667624L7BP', secretAccessKey: '02b00605686887dd71439c284bb810482f6a7bb2' };
const WEIGHTS = [0.8, -0.4, 1.5];
const BIAS = -0.2;

let server: TestServer;
let ds1: Creds;
let testDeployer: Creds;
let prodDeployer: Creds;
let prodApp: Creds;
let group: string;
let packageArn: string;
let image: string;

const sm = (c: Creds) => new SageMakerClient(clientConfig(server.url, c));
const s3 = (c: Creds) => new S3Client({ ...clientConfig(server.url, c), forcePathStyle: true });
/** The organization's administrator in a member account (a full-admin session that is not DeploymentRole). */
const admin = async (account: string) =>
  assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`);

/** What the scientist computes locally from the trained weights (a regressor: w·x + b). */
const expected = (x: number[]) => x.reduce((n, v, i) => n + v * WEIGHTS[i]!, BIAS);

async function settled(c: Creds, name: string): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await sm(c).send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== 'Creating') return d;
    if (Date.now() > deadline) throw new Error(`endpoint ${name} still Creating`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The deployment a DeploymentRole runs: model from the package ARN, config, endpoint. */
async function deployFromPackage(as: Creds, account: string, name: string): Promise<void> {
  await sm(as).send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: `arn:aws:iam::${account}:role/SageMakerExecution`, PrimaryContainer: { ModelPackageName: packageArn } }));
  await sm(as).send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm(as).send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
}

beforeAll(async () => {
  server = await startTestServer({ containerStartupTimeoutMs: 15_000 });
  ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  const sharedDeploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/DeploymentRole`);
  testDeployer = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${accounts.test}:role/DeploymentRole`);
  prodDeployer = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${accounts.production}:role/DeploymentRole`);
  prodApp = await assumeRole(server.url, users.prodApp, `arn:aws:iam::${accounts.production}:role/ProdApp`);

  // shared-services publishes the inference image, built on SageMaker's linear-learner (OCI base annotation).
  const tag = unique('churn-');
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' },
    layers: [],
    annotations: { 'org.opencontainers.image.base.name': LINEAR_LEARNER },
  });
  await new ECRClient(clientConfig(server.url, sharedDeploy)).send(new PutImageCommand({ repositoryName: IMAGE_REPO, imageTag: tag, imageManifest: manifest }));
  image = `${accounts.sharedServices}.dkr.ecr.${REGION}.amazonaws.com/${IMAGE_REPO}:${tag}`;
});

afterAll(async () => {
  await server?.close();
});

describe('a model approved in data science serves in test and production', () => {
  it('1. data-science-1 uploads the artifact and registers a version (PendingManualApproval)', async () => {
    group = unique('churn');
    const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 3, weights: WEIGHTS, bias: BIAS }) });
    await s3(ds1).send(new PutObjectCommand({ Bucket: BUCKET, Key: `${group}/model.tar.gz`, Body: body }));
    await sm(ds1).send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
    const created = await sm(ds1).send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: group,
        InferenceSpecification: { Containers: [{ Image: image, ModelDataUrl: `s3://${BUCKET}/${group}/model.tar.gz` }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['application/json'] },
      }),
    );
    packageArn = created.ModelPackageArn!;
    expect(packageArn).toBe(`arn:aws:sagemaker:${REGION}:${DS1}:model-package/${group}/1`);
    expect((await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }))).ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it('2. test’s DeploymentRole cannot see the package yet: no resource-based policy grants it', async () => {
    const e = (await sm(testDeployer).send(new DescribeModelPackageCommand({ ModelPackageName: packageArn })).catch((x: unknown) => x)) as Error & { $metadata: { requestId: string } };
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toBe(
      `User: arn:aws:sts::${accounts.test}:assumed-role/DeploymentRole/e2e is not authorized to perform: sagemaker:DescribeModelPackage on resource: ${packageArn} because no resource-based policy allows the sagemaker:DescribeModelPackage action`,
    );
    const explained = (await (await fetch(`${server.url}/_mlzone/explain/${e.$metadata.requestId}`)).json()) as { verdict: string; checks: Array<{ action: string; resource: string; verdict?: string; policies: Array<{ kind: string; outcome: string }> }> };
    expect(explained.checks[0]).toMatchObject({ action: 'sagemaker:DescribeModelPackage', resource: packageArn });
    expect(explained.checks[0]!.policies.some((p) => p.kind === 'resource')).toBe(false);
    expect(explained.checks[0]!.policies.some((p) => p.kind === 'identity' && p.outcome === 'allow')).toBe(true);
  });

  it('3–4. after the group policy and the approval, test deploys from the package ARN and serves the real predictions', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadGroup', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${accounts.test}:root`, `arn:aws:iam::${accounts.production}:root`] }, Action: ['sagemaker:DescribeModelPackageGroup'], Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package-group/${group}` },
        { Sid: 'UseVersions', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${accounts.test}:root`, `arn:aws:iam::${accounts.production}:root`] }, Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'], Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package/${group}/*` },
      ],
    };
    await sm(ds1).send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: group, ResourcePolicy: JSON.stringify(policy) }));
    await sm(ds1).send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'passed evaluation' }));
    const seen = await sm(testDeployer).send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
    expect(seen.ModelApprovalStatus).toBe('Approved');

    const name = unique('churn-staging');
    await deployFromPackage(testDeployer, accounts.test, name);
    const d = await settled(testDeployer, name);
    expect(d.FailureReason).toBeUndefined();
    expect(d.EndpointStatus).toBe('InService');
    expect(d.ProductionVariants![0]!.DeployedImages![0]!.ResolvedImage).toMatch(new RegExp(`^${accounts.sharedServices}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/${IMAGE_REPO}@sha256:[0-9a-f]{64}$`));

    const tester = await assumeRole(server.url, testEngineer, `arn:aws:iam::${accounts.test}:role/MLEngineer`);
    const rows = [[1, 2, 3], [0.5, 0, -1]];
    const out = await new SageMakerRuntimeClient(clientConfig(server.url, tester)).send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from(rows.map((r) => r.join(',')).join('\n')) }));
    const scores = (JSON.parse(Buffer.from(out.Body!).toString()) as { predictions: Array<{ score: number }> }).predictions.map((p) => p.score);
    scores.forEach((s, i) => expect(s).toBeCloseTo(expected(rows[i]!), 10));
  });

  it('5. production repeats it; only DeploymentRole may change endpoints there, and ProdApp may only invoke', async () => {
    const name = unique('churn-prod');
    await deployFromPackage(prodDeployer, accounts.production, name);
    expect((await settled(prodDeployer, name)).EndpointStatus).toBe('InService');

    // A data scientist's role in production, with SageMaker full access: its own policies allow hosting, the SCP does not.
    const prodAdmin = await admin(accounts.production);
    const roleName = unique('DataScientist');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accounts.production}:root` }, Action: 'sts:AssumeRole' }] };
    const iam = new IAMClient(clientConfig(server.url, prodAdmin));
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' }));
    const scientist = await assumeRole(server.url, prodAdmin, `arn:aws:iam::${accounts.production}:role/${roleName}`);
    for (const call of [
      () => sm(scientist).send(new CreateEndpointCommand({ EndpointName: unique('rogue'), EndpointConfigName: name })),
      () => sm(scientist).send(new DeleteEndpointCommand({ EndpointName: name })),
    ]) {
      const e = (await call().catch((x: unknown) => x)) as Error;
      expect(e.name).toBe('AccessDeniedException');
      expect(e.message).toMatch(/with an explicit deny in a service control policy$/);
    }

    const out = await new SageMakerRuntimeClient(clientConfig(server.url, prodApp)).send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: Buffer.from('1,1,1') }));
    expect((JSON.parse(Buffer.from(out.Body!).toString()) as { predictions: Array<{ score: number }> }).predictions[0]!.score).toBeCloseTo(expected([1, 1, 1]), 10);
    const describe = (await sm(prodApp).send(new DescribeEndpointCommand({ EndpointName: name })).catch((x: unknown) => x)) as Error;
    expect(describe.name).toBe('AccessDeniedException');
    const deleted = (await sm(prodApp).send(new DeleteEndpointCommand({ EndpointName: name })).catch((x: unknown) => x)) as Error;
    expect(deleted.name).toBe('AccessDeniedException');
  });

  it('6. without the bucket grant a new endpoint fails with the S3 reason; without the repository grant, with the ECR reason', async () => {
    const ds1Admin = await admin(DS1);
    const bucketPolicy = (await s3(ds1Admin).send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!;
    await s3(ds1Admin).send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    try {
      const name = unique('no-bucket');
      await deployFromPackage(testDeployer, accounts.test, name);
      const d = await settled(testDeployer, name);
      expect(d.EndpointStatus).toBe('Failed');
      expect(d.FailureReason).toBe(
        `Could not access model data at s3://${BUCKET}/${group}/model.tar.gz. Please ensure that the role "arn:aws:iam::${accounts.test}:role/SageMakerExecution" exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com". Also ensure that the role has "s3:GetObject" permissions and that the object is located in ${REGION}.`,
      );
    } finally {
      await s3(ds1Admin).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicy }));
    }

    const sharedAdmin = await admin(accounts.sharedServices);
    const ecr = new ECRClient(clientConfig(server.url, sharedAdmin));
    const repoPolicy = (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: IMAGE_REPO }))).policyText!;
    await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: IMAGE_REPO }));
    try {
      const name = unique('no-image');
      await deployFromPackage(testDeployer, accounts.test, name);
      const d = await settled(testDeployer, name);
      expect(d.EndpointStatus).toBe('Failed');
      expect(d.FailureReason).toBe(`The role 'arn:aws:iam::${accounts.test}:role/SageMakerExecution' does not have BatchGetImage permission for the image: '${image}'.`);
    } finally {
      await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: IMAGE_REPO, policyText: repoPolicy }));
    }
  });

  it('a deployment role that may not pass the execution role is refused CreateModel', async () => {
    const e = (await sm(testDeployer)
      .send(new CreateModelCommand({ ModelName: unique('m'), ExecutionRoleArn: `arn:aws:iam::${accounts.test}:role/MLEngineer`, PrimaryContainer: { ModelPackageName: packageArn } }))
      .catch((x: unknown) => x)) as Error;
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toMatch(/iam:PassRole on resource: arn:aws:iam::666666666666:role\/MLEngineer/);
  });
});
