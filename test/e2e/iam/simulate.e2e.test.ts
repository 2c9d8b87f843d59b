/**
 * The IAM policy simulator through real clients: SimulatePrincipalPolicy on a data-science role (its own
 * policies plus the SCPs of its account) with the JS SDK, SimulateCustomPolicy with boto3, and the
 * authorization of the simulator operations themselves.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IAMClient, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, python, run } from '../support/processes.js';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA_SCIENTIST = `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`;

let server: TestServer;
let ds1Admin: Creds;
let ds1Scientist: Creds;

beforeAll(async () => {
  server = await startTestServer();
  const mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
  ds1Scientist = await assumeRole(server.url, users.ds1Scientist, DATA_SCIENTIST, { RoleSessionName: 'alice' });
});
afterAll(() => server.close());

const iam = (c: Creds) => new IAMClient(clientConfig(server.url, c));

describe('SimulatePrincipalPolicy with the JS SDK', () => {
  it('simulates DataScientist: the SCP denies production roles, its own policies allow training and the lake', async () => {
    const out = await iam(ds1Admin).send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: DATA_SCIENTIST,
        ActionNames: ['sts:AssumeRole'],
        ResourceArns: [`arn:aws:iam::${accounts.production}:role/DeploymentRole`],
      }),
    );
    expect(out.EvaluationResults).toHaveLength(1);
    expect(out.EvaluationResults![0]).toMatchObject({
      EvalActionName: 'sts:AssumeRole',
      EvalResourceName: `arn:aws:iam::${accounts.production}:role/DeploymentRole`,
      EvalDecision: 'explicitDeny',
      OrganizationsDecisionDetail: { AllowedByOrganizations: false },
      ResourceSpecificResults: [{ EvalResourceName: `arn:aws:iam::${accounts.production}:role/DeploymentRole`, EvalResourceDecision: 'explicitDeny' }],
    });

    const allowed = await iam(ds1Admin).send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: DATA_SCIENTIST,
        ActionNames: ['sagemaker:CreateTrainingJob', 'sts:AssumeRole', 'iam:CreateUser'],
        ResourceArns: [`arn:aws:iam::${accounts.dataLake}:role/DataConsumer`],
      }),
    );
    const [training, lake, createUser] = allowed.EvaluationResults!;
    expect(training).toMatchObject({
      EvalDecision: 'allowed',
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
      MatchedStatements: [{ SourcePolicyId: 'AmazonSageMakerFullAccess', SourcePolicyType: 'aws-managed' }],
    });
    // The inline lake-access policy (stored as one line), its first statement.
    expect(lake).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'lake-access', SourcePolicyType: 'role', StartPosition: { Line: 1, Column: 39 }, EndPosition: { Line: 1 } }],
    });
    expect(createUser).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [], OrganizationsDecisionDetail: { AllowedByOrganizations: true } });
  });

  it('takes ContextEntries and extra policies, and pages the results', async () => {
    const extra = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }],
    });
    const base = { PolicySourceArn: DATA_SCIENTIST, ActionNames: ['dynamodb:PutItem', 'dynamodb:GetItem'], PolicyInputList: [extra], MaxItems: 1 };
    const first = await iam(ds1Admin).send(new SimulatePrincipalPolicyCommand(base));
    expect(first.IsTruncated).toBe(true);
    // Missing keys are those of every simulated policy (AmazonSageMakerFullAccess reads many), as AWS reports them.
    expect(first.EvaluationResults![0]).toMatchObject({ EvalActionName: 'dynamodb:PutItem', EvalDecision: 'implicitDeny' });
    expect(first.EvaluationResults![0]!.MissingContextValues).toEqual(expect.arrayContaining(['aws:RequestedRegion', 'iam:PassedToService']));
    const second = await iam(ds1Admin).send(new SimulatePrincipalPolicyCommand({ ...base, Marker: first.Marker }));
    expect(second.IsTruncated).toBe(false);
    expect(second.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([['dynamodb:GetItem', 'implicitDeny']]);

    const withRegion = await iam(ds1Admin).send(
      new SimulatePrincipalPolicyCommand({
        ...base,
        MaxItems: undefined,
        ContextEntries: [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: ['us-east-1'], ContextKeyType: 'string' }],
      }),
    );
    expect(withRegion.EvaluationResults![0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy' }],
    });
    expect(withRegion.EvaluationResults![0]!.MissingContextValues).not.toContain('aws:RequestedRegion');
  });

  it('answers NoSuchEntity for an unknown role and InvalidInput for a session ARN', async () => {
    await expect(
      iam(ds1Admin).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${accounts.dataScience1}:role/Nope`, ActionNames: ['s3:GetObject'] })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException', message: 'The role with name Nope cannot be found.', $metadata: { httpStatusCode: 404 } });
    const session = `arn:aws:sts::${accounts.dataScience1}:assumed-role/DataScientist/alice`;
    await expect(iam(ds1Admin).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: session, ActionNames: ['s3:GetObject'] }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      message: `Invalid Entity Arn: ${session} does not clearly define entity type and name.`,
    });
  });

  it('is itself authorized: the data scientist may not run the simulator', async () => {
    await expect(
      iam(ds1Scientist).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: DATA_SCIENTIST, ActionNames: ['s3:GetObject'] })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${accounts.dataScience1}:assumed-role/DataScientist/alice is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${DATA_SCIENTIST} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    });
    await expect(
      iam(ds1Scientist).send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{}'], ActionNames: ['s3:GetObject'] })),
    ).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('iam:SimulateCustomPolicy because no identity-based policy') });
  });
});

describe.skipIf(!hasBoto3)('SimulateCustomPolicy with boto3', () => {
  it('evaluates the given policy with context entries', async () => {
    const r = await run(python, [join(here, 'boto3_simulate.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: ds1Admin.accessKeyId,
      MLZONE_SECRET: ds1Admin.secretAccessKey,
      MLZONE_TOKEN: ds1Admin.sessionToken,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const resource = 'arn:aws:s3:::mlzone-curated-333333333333/data.csv';
    expect(out.truncated).toBe(false);
    expect(out.results).toEqual([
      {
        action: 's3:GetObject',
        resource,
        decision: 'allowed',
        matched: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 42 }, EndPosition: { Line: 1, Column: 202 } }],
        missing: [],
        specific: ['allowed'],
      },
      { action: 's3:DeleteObject', resource, decision: 'explicitDeny', matched: [expect.objectContaining({ SourcePolicyId: 'PolicyInputList.1' })], missing: [], specific: ['explicitDeny'] },
      { action: 's3:PutObject', resource, decision: 'implicitDeny', matched: [], missing: [], specific: ['implicitDeny'] },
    ]);
    expect(out.bad_resource).toEqual({ code: 'InvalidInput', message: 'ResourceNames are not in a valid ARN format: not-an-arn.', status: 400 });
  });
});
