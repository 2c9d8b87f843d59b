import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsManagedPolicies } from './managed-policies/index.js';
import { ACCOUNT, OTHER_ACCOUNT, T0, TRUST_EC2, allowDoc, expectAwsError, harness, rootPrincipal } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

describe('customer managed policies', () => {
  it('creates and gets a policy', async () => {
    const doc = allowDoc('s3:GetObject');
    const { Policy } = await h.call('CreatePolicy', {
      PolicyName: 'ReadData',
      Path: '/data/',
      PolicyDocument: doc,
      Description: 'reads data',
      Tags: [{ Key: 'owner', Value: 'lake' }],
    });
    expect(Policy).toMatchObject({
      PolicyName: 'ReadData',
      Arn: `arn:aws:iam::${ACCOUNT}:policy/data/ReadData`,
      Path: '/data/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: new Date(T0),
      UpdateDate: new Date(T0),
      Tags: [{ Key: 'owner', Value: 'lake' }],
    });
    expect(Policy!.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);

    const got = (await h.call('GetPolicy', { PolicyArn: Policy!.Arn! })).Policy!;
    expect(got).toMatchObject({ Description: 'reads data', Tags: [{ Key: 'owner', Value: 'lake' }] });
    const v1 = (await h.call('GetPolicyVersion', { PolicyArn: Policy!.Arn!, VersionId: 'v1' })).PolicyVersion!;
    expect(v1).toEqual({ Document: encodeURIComponent(doc), VersionId: 'v1', IsDefaultVersion: true, CreateDate: new Date(T0) });

    await expectAwsError(h.call('CreatePolicy', { PolicyName: 'readdata', PolicyDocument: doc }), 'EntityAlreadyExists', {
      status: 409,
      message: 'A policy called readdata already exists. Duplicate names are not allowed.',
    });
    await expectAwsError(h.call('GetPolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Nope` }), 'NoSuchEntity', {
      status: 404,
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/Nope was not found.`,
    });
    // another account cannot see it
    await expectAwsError(h.call('GetPolicy', { PolicyArn: Policy!.Arn! }, rootPrincipal(OTHER_ACCOUNT)), 'NoSuchEntity');
  });

  it('rejects malformed documents', async () => {
    await expectAwsError(h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: 'not json' }), 'MalformedPolicyDocument', {
      status: 400,
      message: 'Syntax errors in policy.',
    });
    const principalInIdentity = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
    });
    await expectAwsError(h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: principalInIdentity }), 'MalformedPolicyDocument');
    expect((await h.call('ListPolicies', { Scope: 'Local' })).Policies).toEqual([]);
  });

  it('manages versions: 5 at most, default protected, ids never reused', async () => {
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
    const arn = Policy!.Arn!;
    h.clock.advance(60_000);
    const v2 = (await h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowDoc('s3:PutObject'), SetAsDefault: true })).PolicyVersion!;
    expect(v2).toEqual({ VersionId: 'v2', IsDefaultVersion: true, CreateDate: new Date(T0 + 60_000) });
    expect(await h.iam.directory.managedPolicyDocument(arn)).toBe(allowDoc('s3:PutObject'));
    for (const a of ['s3:A', 's3:B', 's3:C']) await h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowDoc(a) });
    await expectAwsError(h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowDoc('s3:D') }), 'LimitExceeded', {
      status: 409,
      message: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    });

    const versions = (await h.call('ListPolicyVersions', { PolicyArn: arn })).Versions!;
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ]);
    expect(versions[0]).not.toHaveProperty('Document');
    const p = await h.call('ListPolicyVersions', { PolicyArn: arn, MaxItems: 2 });
    expect(p.Versions!.map((v) => v.VersionId)).toEqual(['v5', 'v4']);
    expect((await h.call('ListPolicyVersions', { PolicyArn: arn, MaxItems: 2, Marker: p.Marker! })).Versions!.map((v) => v.VersionId)).toEqual(['v3', 'v2']);

    await expectAwsError(h.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v2' }), 'DeleteConflict', {
      message: 'Cannot delete the default version of a policy.',
    });
    await h.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v3' });
    await expectAwsError(h.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v3' }), 'NoSuchEntity', {
      message: `Policy ${arn} version v3 does not exist or is not attachable.`,
    });
    const v6 = await h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowDoc('s3:E') });
    expect(v6.PolicyVersion!.VersionId).toBe('v6');

    await h.call('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v6' });
    expect((await h.call('GetPolicy', { PolicyArn: arn })).Policy!.DefaultVersionId).toBe('v6');
    await expectAwsError(h.call('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v3' }), 'NoSuchEntity');
  });

  it('DeletePolicy conflicts while attached or with extra versions', async () => {
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
    const arn = Policy!.Arn!;
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
    await expectAwsError(h.call('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', { status: 409, message: 'Cannot delete a policy attached to entities.' });
    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: arn });
    await h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowDoc('s3:PutObject') });
    await expectAwsError(h.call('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', {
      message: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    });
    await h.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v2' });
    await h.call('DeletePolicy', { PolicyArn: arn });
    await expectAwsError(h.call('GetPolicy', { PolicyArn: arn }), 'NoSuchEntity');
    // the name is free again
    await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
  });

  it('keeps AttachmentCount right across users, roles and groups', async () => {
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
    const arn = Policy!.Arn!;
    const count = async () => (await h.call('GetPolicy', { PolicyArn: arn })).Policy!.AttachmentCount;
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: arn });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
    await h.call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: arn });
    expect(await count()).toBe(3);
    expect((await h.call('ListPolicies', { Scope: 'Local' })).Policies![0]!.AttachmentCount).toBe(3);
    await h.call('DetachUserPolicy', { UserName: 'u', PolicyArn: arn });
    expect(await count()).toBe(2);

    const entities = await h.call('ListEntitiesForPolicy', { PolicyArn: arn });
    expect(entities).toMatchObject({
      PolicyGroups: [{ GroupName: 'g' }],
      PolicyUsers: [],
      PolicyRoles: [{ RoleName: 'r' }],
      IsTruncated: false,
    });
    expect((await h.call('ListEntitiesForPolicy', { PolicyArn: arn, EntityFilter: 'Role' })).PolicyGroups).toEqual([]);
    await expectAwsError(h.call('ListEntitiesForPolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/none` }), 'NoSuchEntity');
  });

  it('tags policies', async () => {
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
    await h.call('TagPolicy', { PolicyArn: Policy!.Arn!, Tags: [{ Key: 'a', Value: '1' }] });
    expect((await h.call('ListPolicyTags', { PolicyArn: Policy!.Arn! })).Tags).toEqual([{ Key: 'a', Value: '1' }]);
    await h.call('UntagPolicy', { PolicyArn: Policy!.Arn!, TagKeys: ['a'] });
    expect((await h.call('ListPolicyTags', { PolicyArn: Policy!.Arn! })).Tags).toEqual([]);
  });
});

describe('AWS managed policies', () => {
  it('ships the required policies with AWS ids and documents', () => {
    const names = awsManagedPolicies().map((p) => p.policyName);
    for (const n of [
      'AdministratorAccess',
      'PowerUserAccess',
      'ReadOnlyAccess',
      'IAMFullAccess',
      'IAMReadOnlyAccess',
      'AmazonS3FullAccess',
      'AmazonS3ReadOnlyAccess',
      'AmazonSageMakerFullAccess',
      'AmazonSageMakerReadOnly',
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEC2ContainerRegistryPowerUser',
      'AWSCloudTrail_ReadOnlyAccess',
      'AWSLakeFormationDataAdmin',
      'AWSGlueConsoleFullAccess',
      'AmazonAthenaFullAccess',
    ]) {
      expect(names).toContain(n);
    }
    for (const p of awsManagedPolicies()) {
      expect(p.arn).toBe(`arn:aws:iam::aws:policy${p.path}${p.policyName}`);
      expect(p.policyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
      expect(JSON.parse(p.document).Version).toBe('2012-10-17');
    }
  });

  it('is readable from every account', async () => {
    for (const acct of [ACCOUNT, OTHER_ACCOUNT]) {
      const { Policy } = await h.call('GetPolicy', { PolicyArn: ADMIN }, rootPrincipal(acct));
      expect(Policy).toMatchObject({
        PolicyName: 'AdministratorAccess',
        PolicyId: 'ANPAIWMBCKSKIEE64ZLYK',
        Path: '/',
        DefaultVersionId: 'v1',
        IsAttachable: true,
        Description: 'Provides full access to AWS services and resources.',
        CreateDate: new Date('2015-02-06T18:39:46Z'),
      });
      const v = (await h.call('GetPolicyVersion', { PolicyArn: ADMIN, VersionId: 'v1' }, rootPrincipal(acct))).PolicyVersion!;
      expect(JSON.parse(decodeURIComponent(v.Document!))).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      });
    }
    await expectAwsError(h.call('GetPolicyVersion', { PolicyArn: ADMIN, VersionId: 'v9' }), 'NoSuchEntity');
    await expectAwsError(h.call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/NoSuchThing' }), 'NoSuchEntity');
    expect((await h.call('ListPolicyVersions', { PolicyArn: ADMIN })).Versions).toHaveLength(1);
    expect(await h.iam.directory.managedPolicyDocument('arn:aws:iam::aws:policy/AmazonSageMakerFullAccess')).toContain('sagemaker:*');
  });

  it('lists by Scope, OnlyAttached and PathPrefix, with pagination', async () => {
    await h.call('CreatePolicy', { PolicyName: 'Mine', PolicyDocument: allowDoc('s3:GetObject'), Path: '/team/' });
    const aws = (await h.call('ListPolicies', { Scope: 'AWS' })).Policies!;
    expect(aws).toHaveLength(awsManagedPolicies().length);
    expect(aws[0]).not.toHaveProperty('Description');
    expect((await h.call('ListPolicies', { Scope: 'Local' })).Policies!.map((p) => p.PolicyName)).toEqual(['Mine']);
    const all = (await h.call('ListPolicies', {})).Policies!;
    expect(all).toHaveLength(awsManagedPolicies().length + 1);
    expect((await h.call('ListPolicies', { PathPrefix: '/team/' })).Policies!.map((p) => p.PolicyName)).toEqual(['Mine']);

    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await h.call('ListPolicies', { MaxItems: 6, ...(marker ? { Marker: marker } : {}) });
      names.push(...page.Policies!.map((p) => p.PolicyName!));
      marker = page.Marker;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(names).toEqual(all.map((p) => p.PolicyName));

    expect((await h.call('ListPolicies', { OnlyAttached: true })).Policies).toEqual([]);
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN });
    const attached = (await h.call('ListPolicies', { OnlyAttached: true, Scope: 'AWS' })).Policies!;
    expect(attached.map((p) => [p.PolicyName, p.AttachmentCount])).toEqual([['AdministratorAccess', 1]]);
    // the count is per account
    expect((await h.call('GetPolicy', { PolicyArn: ADMIN }, rootPrincipal(OTHER_ACCOUNT))).Policy!.AttachmentCount).toBe(0);
  });

  it('is attachable in any account but never writable', async () => {
    for (const acct of [ACCOUNT, OTHER_ACCOUNT]) {
      await h.call('CreateUser', { UserName: 'u' }, rootPrincipal(acct));
      await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: ADMIN }, rootPrincipal(acct));
      expect((await h.iam.directory.identityPolicies(acct, 'user', 'u')).map((p) => p.id)).toEqual([ADMIN]);
    }
    await expectAwsError(h.call('DeletePolicy', { PolicyArn: ADMIN }), 'AccessDenied');
    await expectAwsError(h.call('CreatePolicyVersion', { PolicyArn: ADMIN, PolicyDocument: allowDoc('s3:*') }), 'AccessDenied');
    await expectAwsError(h.call('DeletePolicyVersion', { PolicyArn: ADMIN, VersionId: 'v1' }), 'AccessDenied');
    await expectAwsError(h.call('TagPolicy', { PolicyArn: ADMIN, Tags: [{ Key: 'a', Value: 'b' }] }), 'AccessDenied');
    expect((await h.call('ListPolicyTags', { PolicyArn: ADMIN })).Tags).toEqual([]);
  });
});

describe('account summary', () => {
  it('counts entities of the account', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:GetObject') });
    const { SummaryMap } = await h.call('GetAccountSummary', {});
    expect(SummaryMap).toMatchObject({ Users: 1, Roles: 1, Groups: 0, Policies: 1, AccessKeysPerUserQuota: 2, VersionsPerPolicyQuota: 5 });
  });
});
