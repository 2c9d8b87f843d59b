/**
 * The model registry of the default blueprint through the JS SDK v3 (and boto3 for the calls the Python SDK makes):
 * data-science-1 keeps a model package group with versions 1, 2, 3 …; the test account's deployment role reads a
 * version only while the group's resource policy grants test's account, and a test engineer lists the versions and
 * registers one cross-account (which then belongs to data-science-1).
 */
import {
  BatchDescribeModelPackageCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DeleteModelPackageGroupPolicyCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  GetModelPackageGroupPolicyCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
  type CreateModelPackageCommandInput,
  type InferenceSpecification,
} from '@aws-sdk/client-sagemaker';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds, credentialsEnv } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const REGION = 'us-east-1';
const DS1 = accounts.dataScience1;
const TEST = accounts.test;
/** The default blueprint's test-engineer (may assume test's MLEngineer and ReadOnly roles). */
const testEngineer = { accessKeyId: 'AKIADGHTE4667624L7BP', secretAccessKey: '02b00605686887dd71439c284bb810482f6a7bb2' };

let server: TestServer;
let ds1: Creds; // data-science-1 MLEngineer (AmazonSageMakerFullAccess)
let testDeploy: Creds; // test DeploymentRole, reached through shared-services' DeploymentRole
let testMl: Creds; // test MLEngineer (AmazonSageMakerFullAccess)

const sm = (c: Creds) => new SageMakerClient(clientConfig(server.url, c));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => ({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode }),
  );
const groupArn = (account: string, name: string) => `arn:aws:sagemaker:${REGION}:${account}:model-package-group/${name.toLowerCase()}`;
const versionArn = (account: string, group: string, n: number) => `arn:aws:sagemaker:${REGION}:${account}:model-package/${group.toLowerCase()}/${n}`;

const SPEC: InferenceSpecification = {
  Containers: [
    {
      Image: `${accounts.sharedServices}.dkr.ecr.${REGION}.amazonaws.com/mlzone/inference:1.0`,
      ImageDigest: `sha256:${'a'.repeat(64)}`,
      ModelDataUrl: `s3://sagemaker-${REGION}-${DS1}/churn/model.tar.gz`,
      Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
    },
  ],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['text/csv'],
  SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'],
  SupportedTransformInstanceTypes: ['ml.m5.large'],
};

function version(group: string, extra: Partial<CreateModelPackageCommandInput> = {}): CreateModelPackageCommandInput {
  return { ModelPackageGroupName: group, InferenceSpecification: SPEC, ...extra };
}

async function createGroup(c: Creds, name: string, description?: string) {
  return (await sm(c).send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name, ...(description ? { ModelPackageGroupDescription: description } : {}) }))).ModelPackageGroupArn!;
}

beforeAll(async () => {
  server = await startTestServer();
  const ds1User = { accessKeyId: 'AKIA55QA7RCCAZUS6DD2', secretAccessKey: '91d382cc25b21a6cbfe1c20d027253e3a35b5353' }; // ds1-mlengineer
  ds1 = await assumeRole(server.url, ds1User, `arn:aws:iam::${DS1}:role/MLEngineer`, { RoleSessionName: 'registrar' });
  const sharedDeploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/DeploymentRole`, { RoleSessionName: 'ci' });
  testDeploy = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${TEST}:role/DeploymentRole`, { RoleSessionName: 'deployer' });
  testMl = await assumeRole(server.url, testEngineer, `arn:aws:iam::${TEST}:role/MLEngineer`, { RoleSessionName: 'tester' });
});
afterAll(() => server?.close());

describe('model package groups and versions', () => {
  const GROUP = 'Churn-Models';
  const GROUP_ARN = groupArn(DS1, GROUP);

  it('creates a group, describes it by name and ARN, refuses a second one of the same name', async () => {
    const before = Date.now();
    const created = await sm(ds1).send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP, ModelPackageGroupDescription: 'churn models', Tags: [{ Key: 'team', Value: 'retention' }] }));
    expect(created.ModelPackageGroupArn).toBe(GROUP_ARN);
    const byName = await sm(ds1).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
    const { $metadata: _m, ...described } = byName;
    expect(described).toEqual({
      ModelPackageGroupName: GROUP,
      ModelPackageGroupArn: GROUP_ARN,
      ModelPackageGroupDescription: 'churn models',
      CreationTime: expect.any(Date),
      CreatedBy: { IamIdentity: { Arn: `arn:aws:sts::${DS1}:assumed-role/MLEngineer/registrar`, PrincipalId: expect.stringMatching(/^AROA[A-Z0-9]+:registrar$/) } },
      ModelPackageGroupStatus: 'Completed',
    });
    expect(byName.CreationTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const byArn = await sm(ds1).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP_ARN }));
    expect(byArn.ModelPackageGroupName).toBe(GROUP);
    expect((await sm(ds1).send(new ListTagsCommand({ ResourceArn: GROUP_ARN }))).Tags).toEqual([{ Key: 'team', Value: 'retention' }]);

    expect(await refusal(sm(ds1).send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn-models' })))).toEqual({
      name: 'ValidationException',
      status: 400,
      message: `Model Package Group already exists: ${GROUP_ARN}`,
    });
    expect(await refusal(sm(ds1).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'no-such-group' })))).toEqual({
      name: 'ValidationException',
      status: 400,
      message: `ModelPackageGroup ${groupArn(DS1, 'no-such-group')} does not exist.`,
    });
  });

  it('registers versions 1, 2, 3 and describes one by ARN with everything it was given', async () => {
    const arns: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const out = await sm(ds1).send(new CreateModelPackageCommand(version(GROUP, { ModelPackageDescription: `v${n}`, CustomerMetadataProperties: { run: `run-${n}` } })));
      arns.push(out.ModelPackageArn!);
      server.advance(10); // distinct creation times for the time filters below
    }
    expect(arns).toEqual([1, 2, 3].map((n) => versionArn(DS1, GROUP, n)));

    const extra: Partial<CreateModelPackageCommandInput> = {
      ModelPackageDescription: 'with everything',
      ModelApprovalStatus: 'PendingManualApproval',
      MetadataProperties: { GeneratedBy: `arn:aws:sagemaker:${REGION}:${DS1}:pipeline/churn/execution/p4jn9xou8a8s`, ProjectId: 'p-1' },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://sagemaker-${REGION}-${DS1}/churn/evaluation.json` } } },
      DriftCheckBaselines: { ModelQuality: { Constraints: { ContentType: 'application/json', S3Uri: `s3://sagemaker-${REGION}-${DS1}/churn/constraints.json` } } },
      ModelLifeCycle: { Stage: 'Development', StageStatus: 'InProgress', StageDescription: 'evaluating' },
      SourceUri: `s3://sagemaker-${REGION}-${DS1}/churn/model.tar.gz`,
      Domain: 'MACHINE_LEARNING',
      Task: 'CLASSIFICATION',
      SamplePayloadUrl: `s3://sagemaker-${REGION}-${DS1}/churn/payload.tar.gz`,
      SkipModelValidation: 'None',
      CustomerMetadataProperties: { team: 'retention', stage: 'dev' },
      ModelCard: { ModelCardContent: JSON.stringify({ model_overview: { model_description: 'churn' } }), ModelCardStatus: 'Draft' },
      Tags: [{ Key: 'owner', Value: 'registrar' }],
    };
    const fourth = await sm(ds1).send(new CreateModelPackageCommand(version(GROUP_ARN, extra)));
    expect(fourth.ModelPackageArn).toBe(versionArn(DS1, GROUP, 4));
    const { $metadata: _m, ...d } = await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: fourth.ModelPackageArn }));
    const me = { IamIdentity: { Arn: `arn:aws:sts::${DS1}:assumed-role/MLEngineer/registrar`, PrincipalId: expect.stringMatching(/:registrar$/) } };
    expect(d).toEqual({
      ModelPackageName: GROUP,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 4,
      ModelPackageArn: fourth.ModelPackageArn,
      ModelPackageDescription: 'with everything',
      CreationTime: expect.any(Date),
      InferenceSpecification: SPEC,
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'PendingManualApproval',
      CreatedBy: me,
      MetadataProperties: extra.MetadataProperties,
      ModelMetrics: extra.ModelMetrics,
      LastModifiedTime: expect.any(Date),
      LastModifiedBy: me,
      Domain: 'MACHINE_LEARNING',
      Task: 'CLASSIFICATION',
      SamplePayloadUrl: extra.SamplePayloadUrl,
      CustomerMetadataProperties: { team: 'retention', stage: 'dev' },
      DriftCheckBaselines: extra.DriftCheckBaselines,
      SkipModelValidation: 'None',
      SourceUri: extra.SourceUri,
      ModelCard: extra.ModelCard,
      ModelLifeCycle: extra.ModelLifeCycle,
    });
    expect((await sm(ds1).send(new ListTagsCommand({ ResourceArn: fourth.ModelPackageArn }))).Tags).toEqual([{ Key: 'owner', Value: 'registrar' }]);
    // The versioned name `<group>/<n>` works as well as the ARN.
    expect((await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: `${GROUP}/2` }))).ModelPackageDescription).toBe('v2');

    const missing = versionArn(DS1, GROUP, 99);
    expect(await refusal(sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: missing })))).toEqual({ name: 'ValidationException', status: 400, message: `ModelPackage ${missing} does not exist.` });
    expect(await refusal(sm(ds1).send(new CreateModelPackageCommand(version('no-such-group'))))).toMatchObject({ name: 'ValidationException', message: 'Model Package Group does not exist.' });
    expect(await refusal(sm(ds1).send(new CreateModelPackageCommand(version(GROUP, { ModelPackageName: 'both' }))))).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^Both ModelPackageName and ModelPackageGroupName/) });

    const batch = await sm(ds1).send(new BatchDescribeModelPackageCommand({ ModelPackageArnList: [arns[0]!, missing] }));
    expect(batch.ModelPackageSummaries?.[arns[0]!]).toMatchObject({ ModelPackageGroupName: GROUP, ModelPackageVersion: 1, ModelPackageDescription: 'v1', InferenceSpecification: SPEC, ModelPackageStatus: 'Completed', ModelApprovalStatus: 'PendingManualApproval' });
    expect(batch.BatchDescribeModelPackageErrorMap?.[missing]).toEqual({ ErrorCode: 'ValidationException', ErrorResponse: `ModelPackage ${missing} does not exist.` });
  });

  it('answers a retried registration (same ClientToken and input) with the same version', async () => {
    const input = version(GROUP, { ClientToken: 'retry-1', ModelPackageDescription: 'retried' });
    const first = await sm(ds1).send(new CreateModelPackageCommand(input));
    const again = await sm(ds1).send(new CreateModelPackageCommand(input));
    expect(again.ModelPackageArn).toBe(first.ModelPackageArn);
    expect(first.ModelPackageArn).toBe(versionArn(DS1, GROUP, 5));
    expect((await refusal(sm(ds1).send(new CreateModelPackageCommand({ ...input, ModelPackageDescription: 'another' }))))?.name).toBe('ConflictException');
  });

  it('lists versions with filters, both sort orders and pagination', async () => {
    const list = async (extra: Record<string, unknown> = {}) => sm(ds1).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, ...extra }));
    const versions = (out: { ModelPackageSummaryList?: Array<{ ModelPackageVersion?: number }> }) => out.ModelPackageSummaryList!.map((x) => x.ModelPackageVersion);

    const all = await list({ MaxResults: 100 });
    expect(versions(all)).toEqual([1, 2, 3, 4, 5]);
    expect(all.ModelPackageSummaryList![0]).toEqual({
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 1,
      ModelPackageArn: versionArn(DS1, GROUP, 1),
      ModelPackageDescription: 'v1',
      CreationTime: expect.any(Date),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
    });
    expect(versions(await list({ SortOrder: 'Descending' }))).toEqual([5, 4, 3, 2, 1]);
    expect(versions(await list({ SortBy: 'Name', SortOrder: 'Descending' }))).toEqual([5, 4, 3, 2, 1]);
    expect(versions(await list({ ModelPackageGroupName: GROUP_ARN }))).toEqual([1, 2, 3, 4, 5]);

    const pages: Array<number | undefined> = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = await list({ MaxResults: 2, SortOrder: 'Descending', ...(token ? { NextToken: token } : {}) });
      pages.push(...versions(page));
      token = page.NextToken;
      calls++;
    } while (token);
    expect(pages).toEqual([5, 4, 3, 2, 1]);
    expect(calls).toBe(3);
    expect(await refusal(list({ NextToken: 'not-a-token' }))).toEqual({ name: 'ValidationException', status: 400, message: 'Invalid pagination token' });

    const third = await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: versionArn(DS1, GROUP, 3) }));
    expect(versions(await list({ CreationTimeAfter: new Date(third.CreationTime!.getTime() - 1) }))).toEqual([3, 4, 5]);
    expect(versions(await list({ CreationTimeBefore: third.CreationTime }))).toEqual([1, 2]);
    expect(versions(await list({ NameContains: 'CHURN' }))).toEqual([1, 2, 3, 4, 5]);
    expect(versions(await list({ NameContains: 'fraud' }))).toEqual([]);

    // Without a group, the default type is Unversioned.
    await sm(ds1).send(new CreateModelPackageCommand({ ModelPackageName: 'Churn-Marketplace', InferenceSpecification: SPEC }));
    const plain = await sm(ds1).send(new ListModelPackagesCommand({}));
    expect(plain.ModelPackageSummaryList!.map((x) => [x.ModelPackageName, x.ModelPackageArn])).toEqual([['Churn-Marketplace', `arn:aws:sagemaker:${REGION}:${DS1}:model-package/churn-marketplace`]]);
    expect((await sm(ds1).send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 100 }))).ModelPackageSummaryList).toHaveLength(6);
    expect((await sm(ds1).send(new ListModelPackagesCommand({ ModelPackageType: 'Versioned', MaxResults: 100 }))).ModelPackageSummaryList).toHaveLength(5);
    await sm(ds1).send(new DeleteModelPackageCommand({ ModelPackageName: 'Churn-Marketplace' }));
  });

  it('lists groups by name and creation time', async () => {
    server.advance(10);
    await createGroup(ds1, 'Fraud-Models');
    server.advance(10);
    await createGroup(ds1, 'Aardvark-Models');
    const names = async (extra: Record<string, unknown>) =>
      (await sm(ds1).send(new ListModelPackageGroupsCommand(extra))).ModelPackageGroupSummaryList!.map((x) => x.ModelPackageGroupName);
    expect(await names({})).toEqual(['Churn-Models', 'Fraud-Models', 'Aardvark-Models']);
    expect(await names({ SortBy: 'Name' })).toEqual(['Aardvark-Models', 'Churn-Models', 'Fraud-Models']);
    expect(await names({ SortBy: 'Name', SortOrder: 'Descending', MaxResults: 2 })).toEqual(['Fraud-Models', 'Churn-Models']);
    expect(await names({ NameContains: 'fraud' })).toEqual(['Fraud-Models']);
    expect(await names({ CrossAccountFilterOption: 'CrossAccount' })).toEqual([]); // nothing shared with data-science-1
    const summary = (await sm(ds1).send(new ListModelPackageGroupsCommand({ NameContains: 'churn' }))).ModelPackageGroupSummaryList![0];
    expect(summary).toEqual({ ModelPackageGroupName: GROUP, ModelPackageGroupArn: GROUP_ARN, ModelPackageGroupDescription: 'churn models', CreationTime: expect.any(Date), ModelPackageGroupStatus: 'Completed' });
  });

  it('approves, rejects and re-opens a version, merging and removing metadata', async () => {
    const arn = versionArn(DS1, GROUP, 2);
    const before = await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    const up = await sm(ds1).send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'AUC 0.91', CustomerMetadataProperties: { auc: '0.91' } }),
    );
    expect(up.ModelPackageArn).toBe(arn);
    const approved = await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(approved).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'AUC 0.91', CustomerMetadataProperties: { run: 'run-2', auc: '0.91' } });
    expect(approved.LastModifiedTime!.getTime()).toBeGreaterThanOrEqual(before.LastModifiedTime!.getTime());
    expect(approved.CreationTime).toEqual(before.CreationTime);

    const approvedList = await sm(ds1).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, ModelApprovalStatus: 'Approved' }));
    expect(approvedList.ModelPackageSummaryList!.map((x) => x.ModelPackageArn)).toEqual([arn]);

    await sm(ds1).send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected', ApprovalDescription: 'drift', CustomerMetadataPropertiesToRemove: ['run'] }));
    expect(await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).toMatchObject({ ModelApprovalStatus: 'Rejected', ApprovalDescription: 'drift', CustomerMetadataProperties: { auc: '0.91' } });
    await sm(ds1).send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }));
    expect((await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).ModelApprovalStatus).toBe('Approved');
  });

  it('keeps a group with versions, never reuses a deleted version number, deletes an empty group', async () => {
    const name = unique('Tmp-');
    const arn = await createGroup(ds1, name);
    const v1 = (await sm(ds1).send(new CreateModelPackageCommand(version(name)))).ModelPackageArn!;
    const v2 = (await sm(ds1).send(new CreateModelPackageCommand(version(name)))).ModelPackageArn!;
    const refused = await refusal(sm(ds1).send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: name })));
    expect(refused).toMatchObject({ name: 'ConflictException', status: 400 });
    expect(refused!.message).toContain(arn);

    await sm(ds1).send(new DeleteModelPackageCommand({ ModelPackageName: v2 }));
    expect(await refusal(sm(ds1).send(new DeleteModelPackageCommand({ ModelPackageName: v2 })))).toMatchObject({ name: 'ValidationException', message: `ModelPackage ${v2} does not exist.` });
    const v3 = (await sm(ds1).send(new CreateModelPackageCommand(version(name)))).ModelPackageArn!;
    expect(v3).toBe(versionArn(DS1, name, 3));
    for (const v of [v1, v3]) await sm(ds1).send(new DeleteModelPackageCommand({ ModelPackageName: v }));

    await sm(ds1).send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: arn }));
    expect((await refusal(sm(ds1).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }))))?.message).toBe(`ModelPackageGroup ${arn} does not exist.`);
    expect((await refusal(sm(ds1).send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: name }))))?.name).toBe('ValidationException');
  });

  it('stores, answers and removes the group policy, refusing an invalid one', async () => {
    expect(await refusal(sm(ds1).send(new GetModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP })))).toEqual({
      name: 'ValidationException',
      status: 400,
      message: `Cannot find resource policy for: ${GROUP_ARN}`,
    });
    expect(await refusal(sm(ds1).send(new GetModelPackageGroupPolicyCommand({ ModelPackageGroupName: 'no-such-group' })))).toEqual({
      name: 'ValidationException',
      status: 400,
      message: `Cannot find Model Package Group: ${groupArn(DS1, 'no-such-group')}`,
    });
    const invalid = await refusal(sm(ds1).send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP, ResourcePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' })));
    expect(invalid).toMatchObject({ name: 'ValidationException', status: 400 });
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST}:root` }, Action: 'sagemaker:DescribeModelPackageGroup', Resource: GROUP_ARN }] });
    expect((await sm(ds1).send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP, ResourcePolicy: policy }))).ModelPackageGroupArn).toBe(GROUP_ARN);
    expect((await sm(ds1).send(new GetModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP }))).ResourcePolicy).toBe(policy);
    await sm(ds1).send(new DeleteModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP }));
    expect((await refusal(sm(ds1).send(new DeleteModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP }))))?.message).toBe(`Cannot find resource policy for: ${GROUP_ARN}`);
  });
});

describe('cross-account use of the registry', () => {
  const GROUP = 'Shared-Churn';
  const GROUP_ARN = groupArn(DS1, GROUP);
  const V1 = versionArn(DS1, GROUP, 1);
  const denied = (who: string, action: string, resource: string) =>
    `User: ${who} is not authorized to perform: sagemaker:${action} on resource: ${resource} because no resource-based policy allows the sagemaker:${action} action`;
  const deployer = `arn:aws:sts::${TEST}:assumed-role/DeploymentRole/deployer`;
  const tester = `arn:aws:sts::${TEST}:assumed-role/MLEngineer/tester`;

  beforeAll(async () => {
    await createGroup(ds1, GROUP, 'shared with test');
    await sm(ds1).send(new CreateModelPackageCommand(version(GROUP)));
    await sm(ds1).send(new CreateModelPackageCommand(version(GROUP, { ModelApprovalStatus: 'Approved' })));
  });

  it("refuses test's deployment role a data-science-1 version until the group policy grants test's account", async () => {
    expect(await refusal(sm(testDeploy).send(new DescribeModelPackageCommand({ ModelPackageName: V1 })))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: denied(deployer, 'DescribeModelPackage', V1),
    });
    expect((await refusal(sm(testMl).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP_ARN }))))?.message).toBe(
      denied(tester, 'ListModelPackages', `arn:aws:sagemaker:${REGION}:${DS1}:model-package/shared-churn/*`),
    );

    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadGroup', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST}:root` }, Action: ['sagemaker:DescribeModelPackageGroup'], Resource: GROUP_ARN },
        {
          Sid: 'UseVersions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${TEST}:root` },
          Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModelPackage'],
          Resource: `arn:aws:sagemaker:${REGION}:${DS1}:model-package/shared-churn/*`,
        },
      ],
    };
    await sm(ds1).send(new PutModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP, ResourcePolicy: JSON.stringify(policy) }));

    const d = await sm(testDeploy).send(new DescribeModelPackageCommand({ ModelPackageName: V1 }));
    expect(d).toMatchObject({ ModelPackageArn: V1, ModelPackageGroupName: GROUP, ModelPackageVersion: 1, ModelApprovalStatus: 'PendingManualApproval', InferenceSpecification: SPEC });
    const listed = await sm(testMl).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP_ARN, ModelApprovalStatus: 'Approved' }));
    expect(listed.ModelPackageSummaryList!.map((x) => x.ModelPackageArn)).toEqual([versionArn(DS1, GROUP, 2)]);
    expect((await sm(testMl).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP_ARN }))).ModelPackageGroupDescription).toBe('shared with test');
    // The policy makes the group discoverable to test's account.
    const discovered = await sm(testMl).send(new ListModelPackageGroupsCommand({ CrossAccountFilterOption: 'CrossAccount' }));
    expect(discovered.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupArn)).toEqual([GROUP_ARN]);
    expect((await sm(testMl).send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList).toEqual([]);

    // Granted actions only: approving stays with the owner.
    expect((await refusal(sm(testMl).send(new UpdateModelPackageCommand({ ModelPackageArn: V1, ModelApprovalStatus: 'Approved' }))))?.message).toBe(denied(tester, 'UpdateModelPackage', V1));
    // A name means the caller's own account: test has no such group.
    expect((await refusal(sm(testMl).send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP }))))?.message).toBe(`ModelPackageGroup ${groupArn(TEST, GROUP)} does not exist.`);
  });

  it('registers a version from test into the data-science-1 group, owned by data-science-1', async () => {
    const out = await sm(testMl).send(new CreateModelPackageCommand(version(GROUP_ARN, { ModelPackageDescription: 'from test' })));
    expect(out.ModelPackageArn).toBe(versionArn(DS1, GROUP, 3));
    const d = await sm(ds1).send(new DescribeModelPackageCommand({ ModelPackageName: out.ModelPackageArn }));
    expect(d).toMatchObject({ ModelPackageGroupName: GROUP, ModelPackageVersion: 3, CreatedBy: { IamIdentity: { Arn: tester } } });
    const owned = await sm(ds1).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
    expect(owned.ModelPackageSummaryList!.map((x) => x.ModelPackageVersion)).toEqual([1, 2, 3]);
    expect((await sm(testMl).send(new ListModelPackagesCommand({ ModelPackageType: 'Both' }))).ModelPackageSummaryList).toEqual([]);
  });

  it('closes access again when the owner deletes the policy', async () => {
    await sm(ds1).send(new DeleteModelPackageGroupPolicyCommand({ ModelPackageGroupName: GROUP }));
    expect((await refusal(sm(testDeploy).send(new DescribeModelPackageCommand({ ModelPackageName: V1 }))))?.message).toBe(denied(deployer, 'DescribeModelPackage', V1));
    expect((await refusal(sm(testMl).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP_ARN }))))?.name).toBe('AccessDeniedException');
    expect((await sm(testMl).send(new ListModelPackageGroupsCommand({ CrossAccountFilterOption: 'CrossAccount' }))).ModelPackageGroupSummaryList).toEqual([]);
  });
});

describe.skipIf(!hasBoto3)('boto3 against the mlzone model registry', () => {
  it('creates a group and a version, describes, approves and lists it', async () => {
    const group = unique('Boto-');
    const r = await run(python, [join(here, 'registry_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_GROUP: group,
      ...credentialsEnv(ds1),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const arn = versionArn(DS1, group, 1);
    expect(out).toEqual({
      group_arn: groupArn(DS1, group),
      package_arn: arn,
      described: { name: group, group: group, version: 1, status: 'Completed', approval: 'PendingManualApproval', created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), containers: 1, metadata: { run: '1' } },
      updated_arn: arn,
      after_update: { approval: 'Approved', description: 'ok', metadata: { run: '1', auc: '0.9' } },
      listed: [{ arn, version: 1, approval: 'Approved' }],
      missing: { code: 'ValidationException', status: 400, message: `ModelPackage ${versionArn(DS1, group, 9)} does not exist.` },
    });
  });
});
