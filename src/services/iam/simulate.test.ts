import { afterEach, describe, expect, it } from 'vitest';
import { statementSpans, policyContextKeys } from './domain/simulation.js';
import type { SimulatorOrganizations } from './simulator.js';
import { ACCOUNT, OTHER_ACCOUNT, TRUST_EC2, allowDoc, ctxFor, expectAwsError, harness, rootPrincipal } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(organizations?: SimulatorOrganizations): Promise<Harness> {
  h = await harness(organizations ? { organizations } : {});
  return h;
}

const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Worker`;

async function user(hh: Harness, name = 'alice'): Promise<void> {
  await hh.call('CreateUser', { UserName: name });
}

describe('SimulatePrincipalPolicy', () => {
  it('allows with the matching statement and its position in the policy text', async () => {
    const hh = await start();
    await user(hh);
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "s3:GetObject",\n      "Resource": "*"\n    }\n  ]\n}';
    await hh.call('PutUserPolicy', { UserName: 'alice', PolicyName: 'read', PolicyDocument: text });
    const out = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject', 's3:PutObject'] });
    expect(out.IsTruncated).toBe(false);
    expect(out.EvaluationResults).toEqual([
      {
        EvalActionName: 's3:GetObject',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'read', SourcePolicyType: 'user', StartPosition: { Line: 4, Column: 6 }, EndPosition: { Line: 8, Column: 6 } }],
        MissingContextValues: [],
      },
      { EvalActionName: 's3:PutObject', EvalResourceName: '*', EvalDecision: 'implicitDeny', MatchedStatements: [], MissingContextValues: [] },
    ]);
  });

  it('reports an explicit deny with the denying statement, over an allow', async () => {
    const hh = await start();
    await user(hh);
    await hh.call('AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    const { Policy } = await hh.call('CreatePolicy', {
      PolicyName: 'NoDelete',
      PolicyDocument: doc({ Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::prod/*' }),
    });
    await hh.call('AttachUserPolicy', { UserName: 'alice', PolicyArn: Policy!.Arn! });
    const out = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['s3:DeleteObject'],
      ResourceArns: ['arn:aws:s3:::prod/k'],
    });
    const r = out.EvaluationResults![0]!;
    expect(r.EvalDecision).toBe('explicitDeny');
    expect(r.EvalResourceName).toBe('arn:aws:s3:::prod/k');
    expect(r.MatchedStatements).toEqual([expect.objectContaining({ SourcePolicyId: 'NoDelete', SourcePolicyType: 'user-managed' })]);
    expect(r.ResourceSpecificResults).toEqual([
      { EvalResourceName: 'arn:aws:s3:::prod/k', EvalResourceDecision: 'explicitDeny', MatchedStatements: r.MatchedStatements, MissingContextValues: [] },
    ]);
    // Elsewhere AdministratorAccess allows; the AWS managed policy is reported as such.
    const other = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:DeleteObject'], ResourceArns: ['arn:aws:s3:::dev/k'] });
    expect(other.EvaluationResults![0]!.EvalDecision).toBe('allowed');
    expect(other.EvaluationResults![0]!.MatchedStatements).toEqual([expect.objectContaining({ SourcePolicyId: 'AdministratorAccess', SourcePolicyType: 'aws-managed' })]);
  });

  it('lets a group policy reach its members, and simulates the group itself', async () => {
    const hh = await start();
    await user(hh);
    await hh.call('CreateGroup', { GroupName: 'scientists' });
    await hh.call('AddUserToGroup', { GroupName: 'scientists', UserName: 'alice' });
    await hh.call('PutGroupPolicy', { GroupName: 'scientists', PolicyName: 'train', PolicyDocument: allowDoc('sagemaker:CreateTrainingJob') });
    const asUser = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['sagemaker:CreateTrainingJob'] });
    expect(asUser.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'train', SourcePolicyType: 'group' }] });
    const asGroup = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:group/scientists`, ActionNames: ['sagemaker:CreateTrainingJob'] });
    expect(asGroup.EvaluationResults![0]!.EvalDecision).toBe('allowed');
  });

  it('cuts an allow with the permissions boundary, the entity’s or one given in the request', async () => {
    const hh = await start();
    await hh.call('CreateRole', { RoleName: 'Worker', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' });
    await hh.call('PutRolePolicy', { RoleName: 'Worker', PolicyName: 'all', PolicyDocument: allowDoc('s3:*') });
    const out = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE_ARN, ActionNames: ['s3:GetObject', 's3:PutObject'] });
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.PermissionsBoundaryDecisionDetail])).toEqual([
      ['s3:GetObject', 'allowed', { AllowedByPermissionsBoundary: true }],
      ['s3:PutObject', 'implicitDeny', { AllowedByPermissionsBoundary: false }],
    ]);
    // A boundary in the request replaces the role's.
    const replaced = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: ROLE_ARN,
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      PermissionsBoundaryPolicyInputList: [allowDoc('s3:PutObject')],
    });
    expect(replaced.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['implicitDeny', 'allowed']);
    await expectAwsError(
      hh.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE_ARN, ActionNames: ['s3:GetObject'], PermissionsBoundaryPolicyInputList: [allowDoc('s3:*'), allowDoc('s3:*')] }),
      'InvalidInput',
    );
  });

  it('applies the SCPs of a member account (OrganizationsDecisionDetail), not of the management account', async () => {
    const scpDeny = doc({ Sid: 'NoProdRoles', Effect: 'Deny', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::777777777777:role/*' });
    const fullAccess = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const asked: string[] = [];
    const hh = await start({
      managementAccountId: async () => OTHER_ACCOUNT,
      policiesFor: async (accountId) => {
        asked.push(accountId);
        return [[{ id: 'p-full', document: fullAccess }], [{ id: 'p-full', document: fullAccess }, { id: 'p-deny', document: scpDeny }]];
      },
    });
    await user(hh);
    await hh.call('PutUserPolicy', { UserName: 'alice', PolicyName: 'all', PolicyDocument: allowDoc('*') });
    const out = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['sts:AssumeRole', 'sagemaker:CreateTrainingJob'],
      ResourceArns: ['arn:aws:iam::777777777777:role/Deploy'],
    });
    expect(asked).toEqual([ACCOUNT]);
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.OrganizationsDecisionDetail])).toEqual([
      ['sts:AssumeRole', 'explicitDeny', { AllowedByOrganizations: false }],
      ['sagemaker:CreateTrainingJob', 'allowed', { AllowedByOrganizations: true }],
    ]);
    // The SCP's own statements have no SourcePolicyType in AWS's model: only the detail says so.
    expect(out.EvaluationResults![0]!.MatchedStatements).toEqual([]);

    // The management account is exempt: no SCP is asked for and no detail is reported.
    h = undefined;
    await hh.close();
    const mgmt = await start({ managementAccountId: async () => ACCOUNT, policiesFor: async () => [[{ id: 'p-deny', document: scpDeny }]] });
    await user(mgmt);
    await mgmt.call('PutUserPolicy', { UserName: 'alice', PolicyName: 'all', PolicyDocument: allowDoc('*') });
    const exempt = await mgmt.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['sts:AssumeRole'], ResourceArns: ['arn:aws:iam::777777777777:role/Deploy'] });
    expect(exempt.EvaluationResults![0]!.EvalDecision).toBe('allowed');
    expect(exempt.EvaluationResults![0]!.OrganizationsDecisionDetail).toBeUndefined();
  });

  it('evaluates conditions on ContextEntries and lists the keys it was not given', async () => {
    const hh = await start();
    await user(hh);
    await hh.call('PutUserPolicy', {
      UserName: 'alice',
      PolicyName: 'regional',
      PolicyDocument: doc(
        { Effect: 'Allow', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ),
    });
    const without = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['sagemaker:CreateTrainingJob'] });
    expect(without.EvaluationResults![0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: ['aws:RequestedRegion', 'aws:SecureTransport', 'aws:username'] });

    const withRegion = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['sagemaker:CreateTrainingJob'],
      ContextEntries: [{ ContextKeyName: 'aws:requestedregion', ContextKeyValues: ['eu-west-1'], ContextKeyType: 'string' }],
    });
    expect(withRegion.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MissingContextValues: ['aws:SecureTransport', 'aws:username'] });

    const wrongRegion = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['sagemaker:CreateTrainingJob'],
      ContextEntries: [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: ['us-east-1'], ContextKeyType: 'string' }],
    });
    expect(wrongRegion.EvaluationResults![0]!.EvalDecision).toBe('implicitDeny');

    const variable = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::home/alice/notes.txt'],
      ContextEntries: [
        { ContextKeyName: 'aws:username', ContextKeyValues: ['alice'], ContextKeyType: 'string' },
        { ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['true'], ContextKeyType: 'boolean' },
      ],
    });
    expect(variable.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MissingContextValues: ['aws:RequestedRegion'] });

    await expectAwsError(
      hh.call('SimulatePrincipalPolicy', {
        PolicySourceArn: USER_ARN,
        ActionNames: ['s3:GetObject'],
        ContextEntries: [{ ContextKeyName: 'aws:EpochTime', ContextKeyValues: ['soon'], ContextKeyType: 'numeric' }],
      }),
      'InvalidInput',
      { status: 400, message: 'Invalid value soon for context key aws:EpochTime of type numeric.' },
    );
  });

  it('adds PolicyInputList policies to the entity’s own', async () => {
    const hh = await start();
    await user(hh);
    const out = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['ecr:BatchGetImage'], PolicyInputList: [allowDoc('ecr:BatchGetImage')] });
    expect(out.EvaluationResults![0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 39 } }],
    });
  });

  it('simulates a role as one of its sessions; a resource policy naming the role needs CallerArn', async () => {
    const hh = await start();
    await hh.call('CreateRole', { RoleName: 'Worker', AssumeRolePolicyDocument: TRUST_EC2 });
    await hh.call('PutRolePolicy', { RoleName: 'Worker', PolicyName: 'own', PolicyDocument: allowDoc('sagemaker:DescribeTrainingJob') });
    const out = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE_ARN, ActionNames: ['sagemaker:DescribeTrainingJob'] });
    expect(out.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'own', SourcePolicyType: 'role' }] });
    const bucketPolicy = doc({ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    await expectAwsError(
      hh.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE_ARN, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'], ResourcePolicy: bucketPolicy }),
      'InvalidInput',
    );
  });

  it('evaluates a resource policy and CallerArn across accounts: both sides must allow', async () => {
    const hh = await start();
    await user(hh);
    const caller = `arn:aws:iam::${OTHER_ACCOUNT}:user/bob`;
    const bucketPolicy = doc({ Sid: 'Bob', Effect: 'Allow', Principal: { AWS: caller }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' });
    const base = { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::shared/k'], ResourcePolicy: bucketPolicy, CallerArn: caller };
    // The bucket belongs to this account, the caller to another: alice's (empty) policies do not allow.
    const denied = await hh.call('SimulatePrincipalPolicy', { ...base, ResourceOwner: `arn:aws:iam::${ACCOUNT}:root` });
    expect(denied.EvaluationResults![0]!.EvalDecision).toBe('implicitDeny');
    await hh.call('PutUserPolicy', { UserName: 'alice', PolicyName: 'read', PolicyDocument: allowDoc('s3:GetObject') });
    const allowed = await hh.call('SimulatePrincipalPolicy', { ...base, ResourceOwner: `arn:aws:iam::${ACCOUNT}:root` });
    expect(allowed.EvaluationResults![0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [
        { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' },
        { SourcePolicyId: 'read', SourcePolicyType: 'user' },
      ],
    });
    // A resource policy that names someone else: the identity side alone is not enough across accounts.
    const other = await hh.call('SimulatePrincipalPolicy', {
      ...base,
      ResourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:user/carol` }, Action: 's3:GetObject', Resource: '*' }),
      ResourceOwner: `arn:aws:iam::${ACCOUNT}:root`,
    });
    expect(other.EvaluationResults![0]!.EvalDecision).toBe('implicitDeny');
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { ...base, ResourceOwner: ACCOUNT }), 'InvalidInput', {
      message: `'${ACCOUNT}' is not a valid as a Resource Owner.`,
    });
  });

  it('groups several resources of one action under ResourceSpecificResults', async () => {
    const hh = await start();
    await user(hh);
    await hh.call('PutUserPolicy', {
      UserName: 'alice',
      PolicyName: 'p',
      PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c/*' }),
    });
    const out = await hh.call('SimulatePrincipalPolicy', {
      PolicySourceArn: USER_ARN,
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::a/k', 'arn:aws:s3:::b/k', 'arn:aws:s3:::c/k'],
    });
    const r = out.EvaluationResults![0]!;
    expect(r).toMatchObject({ EvalResourceName: '*', EvalDecision: 'explicitDeny', MatchedStatements: [] });
    expect(r.ResourceSpecificResults!.map((x) => [x.EvalResourceName, x.EvalResourceDecision])).toEqual([
      ['arn:aws:s3:::a/k', 'allowed'],
      ['arn:aws:s3:::b/k', 'implicitDeny'],
      ['arn:aws:s3:::c/k', 'explicitDeny'],
    ]);
  });

  it('pages EvaluationResults with MaxItems and Marker', async () => {
    const hh = await start();
    await user(hh);
    const actions = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetBucketPolicy'];
    const first = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: actions, MaxItems: 2 });
    expect(first.IsTruncated).toBe(true);
    expect(first.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(actions.slice(0, 2));
    const second = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: actions, MaxItems: 2, Marker: first.Marker! });
    expect(second.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(actions.slice(2, 4));
    const last = await hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: actions, MaxItems: 2, Marker: second.Marker! });
    expect(last.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(actions.slice(4));
    expect(last.IsTruncated).toBe(false);
    expect(last.Marker).toBeUndefined();
  });

  it('answers NoSuchEntity and InvalidInput as AWS does', async () => {
    const hh = await start();
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody`, ActionNames: ['s3:GetObject'] }), 'NoSuchEntity', {
      status: 404,
      message: 'The user with name nobody cannot be found.',
    });
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE_ARN, ActionNames: ['s3:GetObject'] }), 'NoSuchEntity', {
      message: 'The role with name Worker cannot be found.',
    });
    // Another account's entity is not visible.
    await user(hh);
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'] }, rootPrincipal(OTHER_ACCOUNT)), 'NoSuchEntity');
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Worker/s`;
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: session, ActionNames: ['s3:GetObject'] }), 'InvalidInput', {
      message: `Invalid Entity Arn: ${session} does not clearly define entity type and name.`,
    });
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'], ResourceArns: ['my-bucket'] }), 'InvalidInput', {
      message: 'ResourceNames are not in a valid ARN format: my-bucket.',
    });
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:*'] }), 'InvalidInput');
    await expectAwsError(hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'], PolicyInputList: ['{nope'] }), 'InvalidInput', {
      message: 'Syntax errors in policy.',
    });
    await expectAwsError(
      hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'], CallerArn: `arn:aws:iam::${ACCOUNT}:role/Worker` }),
      'InvalidInput',
    );
    await expectAwsError(
      hh.call('SimulatePrincipalPolicy', { PolicySourceArn: USER_ARN, ActionNames: ['s3:GetObject'], ResourceHandlingOption: 'EC2-Nope' }),
      'InvalidInput',
    );
  });
});

describe('SimulateCustomPolicy', () => {
  it('evaluates the given identity, boundary and resource policies only', async () => {
    const hh = await start();
    await user(hh);
    await hh.call('AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    // AWS CLI's example: allowed after the date in the condition.
    const policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const after = await hh.call('SimulateCustomPolicy', {
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    expect(after.EvaluationResults).toEqual([
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
        MissingContextValues: [],
      },
    ]);
    const before = await hh.call('SimulateCustomPolicy', {
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup', 's3:GetObject'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2014-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    // The caller's own AdministratorAccess takes no part.
    expect(before.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['implicitDeny', 'implicitDeny']);

    const bounded = await hh.call('SimulateCustomPolicy', {
      PolicyInputList: [allowDoc('s3:*')],
      PermissionsBoundaryPolicyInputList: [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetBucketPolicy', Resource: '*' })],
      ActionNames: ['s3:GetObject', 's3:PutObject', 's3:GetBucketPolicy'],
    });
    expect(bounded.EvaluationResults!.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary])).toEqual([
      ['allowed', true],
      ['implicitDeny', false],
      ['explicitDeny', false],
    ]);
    expect(bounded.EvaluationResults![2]!.MatchedStatements).toEqual([
      expect.objectContaining({ SourcePolicyId: 'PermissionsBoundaryPolicyInputList.1', SourcePolicyType: 'none' }),
    ]);

    // A resource policy needs CallerArn; with it, a same-account grant to the caller is enough on its own.
    const bucketPolicy = doc({ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    await expectAwsError(hh.call('SimulateCustomPolicy', { PolicyInputList: [allowDoc('s3:ListBucket')], ActionNames: ['s3:GetObject'], ResourcePolicy: bucketPolicy }), 'InvalidInput');
    const viaBucket = await hh.call('SimulateCustomPolicy', {
      PolicyInputList: [allowDoc('s3:ListBucket')],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::b/k'],
      ResourcePolicy: bucketPolicy,
      CallerArn: USER_ARN,
    });
    expect(viaBucket.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' }] });
  });
});

describe('authz', () => {
  it('asks for iam:SimulatePrincipalPolicy on the entity and iam:SimulateCustomPolicy on *', async () => {
    const hh = await start();
    const ctx = ctxFor();
    expect(await hh.iam.definition.authz!.SimulatePrincipalPolicy!({ PolicySourceArn: ROLE_ARN, ActionNames: ['s3:GetObject'] }, ctx)).toEqual([
      { action: 'iam:SimulatePrincipalPolicy', resource: ROLE_ARN },
    ]);
    expect(await hh.iam.definition.authz!.SimulateCustomPolicy!({ PolicyInputList: [], ActionNames: ['s3:GetObject'] }, ctx)).toEqual([
      { action: 'iam:SimulateCustomPolicy', resource: '*' },
    ]);
  });
});

describe('simulation domain', () => {
  it('finds statement positions in pretty and compact texts', () => {
    expect(statementSpans('{"Version":"2012-10-17","Statement":[{"Effect":"Allow"},\n  {"Effect":"Deny"}]}')).toEqual([
      { start: { Line: 1, Column: 39 }, end: { Line: 1, Column: 56 } },
      { start: { Line: 2, Column: 4 }, end: { Line: 2, Column: 20 } },
    ]);
    expect(statementSpans('{"Statement":{"Sid":"a}{\\"","Effect":"Allow"}}')).toEqual([{ start: { Line: 1, Column: 15 }, end: { Line: 1, Column: 46 } }]);
    expect(statementSpans('not json')).toBeUndefined();
  });

  it('lists condition keys and resource variables, literal in 2008-10-17 documents', () => {
    const st = { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:PrincipalTag/team}/*', Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } } };
    expect(policyContextKeys(JSON.stringify({ Version: '2012-10-17', Statement: [st] }))).toEqual(['s3:prefix', 'aws:username', 'aws:PrincipalTag/team']);
    expect(policyContextKeys(JSON.stringify({ Version: '2008-10-17', Statement: st }))).toEqual(['s3:prefix']);
  });
});
