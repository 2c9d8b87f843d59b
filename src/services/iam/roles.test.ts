import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT, T0, TRUST_EC2, allowDoc, expectAwsError, harness, rootPrincipal } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const trustAws = (...principals: string[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }] });

describe('roles', () => {
  it('creates a role and returns its trust policy URL-encoded', async () => {
    const { Role } = await h.call('CreateRole', {
      RoleName: 'Deployer',
      Path: '/svc/',
      AssumeRolePolicyDocument: TRUST_EC2,
      Description: 'deploys things',
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(Role).toMatchObject({
      RoleName: 'Deployer',
      Path: '/svc/',
      Arn: `arn:aws:iam::${ACCOUNT}:role/svc/Deployer`,
      CreateDate: new Date(T0),
      Description: 'deploys things',
      AssumeRolePolicyDocument: encodeURIComponent(TRUST_EC2),
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(Role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role.AssumeRolePolicyDocument).toContain('%22Version%22%3A%222012-10-17%22');

    const got = (await h.call('GetRole', { RoleName: 'deployer' })).Role;
    expect(got).toMatchObject({ RoleName: 'Deployer', MaxSessionDuration: 3600, RoleLastUsed: {} });
    expect(decodeURIComponent(got.AssumeRolePolicyDocument!)).toBe(TRUST_EC2);

    await expectAwsError(h.call('CreateRole', { RoleName: 'DEPLOYER', AssumeRolePolicyDocument: TRUST_EC2 }), 'EntityAlreadyExists', {
      status: 409,
      message: 'Role with name DEPLOYER already exists.',
    });
    await expectAwsError(h.call('GetRole', { RoleName: 'nope' }), 'NoSuchEntity', { status: 404, message: 'The role with name nope cannot be found.' });
  });

  it('validates the trust policy', async () => {
    await expectAwsError(h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{"Version":' }), 'MalformedPolicyDocument', { status: 400 });
    const withResource = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }],
    });
    await expectAwsError(h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: withResource }), 'MalformedPolicyDocument');
    await expectAwsError(
      h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trustAws(`arn:aws:iam::${ACCOUNT}:role/ghost`) }),
      'MalformedPolicyDocument',
      { message: `Invalid principal in policy: "AWS":"arn:aws:iam::${ACCOUNT}:role/ghost"` },
    );
    await h.call('CreateUser', { UserName: 'alice' }, rootPrincipal(OTHER_ACCOUNT));
    await h.call('CreateRole', {
      RoleName: 'r',
      AssumeRolePolicyDocument: trustAws(`arn:aws:iam::${OTHER_ACCOUNT}:user/alice`, `arn:aws:iam::${OTHER_ACCOUNT}:root`, OTHER_ACCOUNT),
    });
    const tooBig = trustAws(...Array.from({ length: 60 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:root`));
    await expectAwsError(h.call('CreateRole', { RoleName: 'big', AssumeRolePolicyDocument: tooBig }), 'LimitExceeded', {
      message: 'Cannot exceed quota for ACLSizePerRole: 2048',
    });
    // nothing of the failed calls was written
    expect((await h.call('ListRoles', {})).Roles.map((r) => r.RoleName)).toEqual(['r']);
  });

  it('lists roles by path, updates them and the trust policy', async () => {
    await h.call('CreateRole', { RoleName: 'b', AssumeRolePolicyDocument: TRUST_EC2, Path: '/ml/' });
    await h.call('CreateRole', { RoleName: 'a', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 7200 });
    const listed = await h.call('ListRoles', {});
    expect(listed.Roles.map((r) => r.RoleName)).toEqual(['a', 'b']);
    expect(listed.Roles[0]).toMatchObject({ MaxSessionDuration: 7200 });
    expect(listed.Roles[0]).not.toHaveProperty('RoleLastUsed');
    expect((await h.call('ListRoles', { PathPrefix: '/ml/' })).Roles.map((r) => r.RoleName)).toEqual(['b']);

    expect(await h.call('UpdateRole', { RoleName: 'a', MaxSessionDuration: 43200, Description: 'd1' })).toEqual({});
    const { Role } = await h.call('UpdateRoleDescription', { RoleName: 'a', Description: 'd2' });
    expect(Role).toMatchObject({ Description: 'd2', MaxSessionDuration: 43200 });

    const trust2 = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await h.call('UpdateAssumeRolePolicy', { RoleName: 'a', PolicyDocument: trust2 });
    expect((await h.iam.directory.getRole(ACCOUNT, 'a'))?.assumeRolePolicyDocument).toBe(trust2);
    await expectAwsError(h.call('UpdateAssumeRolePolicy', { RoleName: 'a', PolicyDocument: 'nope' }), 'MalformedPolicyDocument');
    await expectAwsError(h.call('UpdateRole', { RoleName: 'zz', Description: 'x' }), 'NoSuchEntity');
  });

  it('tags, untags and lists role tags', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }] });
    await h.call('UntagRole', { RoleName: 'r', TagKeys: ['K1'] });
    expect((await h.call('ListRoleTags', { RoleName: 'r' })).Tags).toEqual([{ Key: 'k2', Value: 'v2' }]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `t${i}`, Value: 'v' }));
    await h.call('TagRole', { RoleName: 'r', Tags: many });
    await expectAwsError(h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'extra', Value: 'v' }] }), 'LimitExceeded', {
      message: 'Cannot exceed quota for TagsPerRole: 50',
    });
    const p1 = await h.call('ListRoleTags', { RoleName: 'r', MaxItems: 20 });
    const p2 = await h.call('ListRoleTags', { RoleName: 'r', MaxItems: 20, Marker: p1.Marker! });
    const p3 = await h.call('ListRoleTags', { RoleName: 'r', MaxItems: 20, Marker: p2.Marker! });
    expect([p1.IsTruncated, p2.IsTruncated, p3.IsTruncated]).toEqual([true, true, false]);
    expect(p1.Tags.length + p2.Tags.length + p3.Tags.length).toBe(50);
  });

  it('puts and deletes the permissions boundary', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    expect((await h.call('GetRole', { RoleName: 'r' })).Role.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: allowDoc('s3:*') });
    await h.call('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: Policy!.Arn! });
    expect((await h.iam.directory.getRole(ACCOUNT, 'r'))?.permissionsBoundaryArn).toBe(Policy!.Arn);
    expect((await h.call('GetPolicy', { PolicyArn: Policy!.Arn! })).Policy!.PermissionsBoundaryUsageCount).toBe(1);
    const asBoundary = await h.call('ListEntitiesForPolicy', { PolicyArn: Policy!.Arn!, PolicyUsageFilter: 'PermissionsBoundary' });
    expect(asBoundary.PolicyRoles!.map((r) => r.RoleName)).toEqual(['r']);
    expect((await h.call('ListEntitiesForPolicy', { PolicyArn: Policy!.Arn!, PolicyUsageFilter: 'PermissionsPolicy' })).PolicyRoles).toEqual([]);
    expect((await h.call('ListPolicies', { Scope: 'Local', PolicyUsageFilter: 'PermissionsBoundary' })).Policies!.map((p) => p.PolicyName)).toEqual(['Boundary']);
    await expectAwsError(h.call('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: 'arn:aws:iam::aws:policy/Nope' }), 'NoSuchEntity');
    await h.call('DeleteRolePermissionsBoundary', { RoleName: 'r' });
    expect((await h.call('GetRole', { RoleName: 'r' })).Role).not.toHaveProperty('PermissionsBoundary');
  });

  it('DeleteRole conflicts while policies remain', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'inline', PolicyDocument: allowDoc('s3:*') });
    await expectAwsError(h.call('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', { status: 409, message: 'Cannot delete entity, must delete policies first.' });
    await h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'inline' });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' });
    await expectAwsError(h.call('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', { message: 'Cannot delete entity, must detach all policies first.' });
    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' });
    await h.call('DeleteRole', { RoleName: 'r' });
    await expectAwsError(h.call('DeleteRole', { RoleName: 'r' }), 'NoSuchEntity');
  });
});

describe('inline policies', () => {
  it('puts, replaces, gets, lists and deletes role and user policies', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'b', PolicyDocument: allowDoc('s3:GetObject') });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'a', PolicyDocument: allowDoc('s3:GetObject') });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'a', PolicyDocument: allowDoc('s3:PutObject') });
    expect((await h.call('ListRolePolicies', { RoleName: 'r' })).PolicyNames).toEqual(['a', 'b']);
    const got = await h.call('GetRolePolicy', { RoleName: 'R', PolicyName: 'a' });
    expect(got).toEqual({ RoleName: 'r', PolicyName: 'a', PolicyDocument: encodeURIComponent(allowDoc('s3:PutObject')) });
    await expectAwsError(h.call('GetRolePolicy', { RoleName: 'r', PolicyName: 'zz' }), 'NoSuchEntity', {
      message: 'The role policy with name zz cannot be found.',
    });
    await expectAwsError(h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'zz' }), 'NoSuchEntity');
    await expectAwsError(h.call('PutRolePolicy', { RoleName: 'ghost', PolicyName: 'a', PolicyDocument: allowDoc('s3:*') }), 'NoSuchEntity', {
      message: 'The role with name ghost cannot be found.',
    });
    const bad = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] });
    await expectAwsError(h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'c', PolicyDocument: bad }), 'MalformedPolicyDocument', {
      message: 'Policy statement must contain resources.',
    });

    await h.call('CreateUser', { UserName: 'u' });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: allowDoc('sts:GetCallerIdentity') });
    expect((await h.call('ListUserPolicies', { UserName: 'u' })).PolicyNames).toEqual(['p']);
    expect((await h.call('GetUserPolicy', { UserName: 'u', PolicyName: 'p' })).UserName).toBe('u');
    await expectAwsError(h.call('GetUserPolicy', { UserName: 'u', PolicyName: 'x' }), 'NoSuchEntity', { message: 'The user policy with name x cannot be found.' });
    await h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'p' });
    expect((await h.call('ListUserPolicies', { UserName: 'u' })).PolicyNames).toEqual([]);
  });

  it('enforces the aggregate inline size of a user', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    const chunk = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 40 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }],
    });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'one', PolicyDocument: chunk });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'one', PolicyDocument: chunk }); // replacing does not double count
    await expectAwsError(h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'two', PolicyDocument: chunk }), 'LimitExceeded', {
      message: 'Maximum policy size of 2048 bytes exceeded for user u',
    });
  });
});

describe('attachments', () => {
  it('attaches, lists, detaches and caps at 10', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }); // no-op
    expect((await h.call('ListAttachedRolePolicies', { RoleName: 'r' })).AttachedPolicies).toEqual([
      { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
    await expectAwsError(h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/missing` }), 'NoSuchEntity', {
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`,
    });
    await expectAwsError(h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'garbage-but-twenty-chars' }), 'InvalidInput', {
      message: 'ARN garbage-but-twenty-chars is not valid.',
    });
    await expectAwsError(h.call('AttachRolePolicy', { RoleName: 'ghost', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'NoSuchEntity', {
      message: 'The role with name ghost cannot be found.',
    });
    for (let i = 0; i < 9; i++) {
      const { Policy } = await h.call('CreatePolicy', { PolicyName: `p${i}`, PolicyDocument: allowDoc('s3:GetObject'), Path: '/team/' });
      await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: Policy!.Arn! });
    }
    const { Policy: eleventh } = await h.call('CreatePolicy', { PolicyName: 'p10', PolicyDocument: allowDoc('s3:GetObject') });
    await expectAwsError(h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: eleventh!.Arn! }), 'LimitExceeded', {
      status: 409,
      message: 'Cannot exceed quota for PoliciesPerRole: 10',
    });
    expect((await h.call('ListAttachedRolePolicies', { RoleName: 'r', PathPrefix: '/team/' })).AttachedPolicies).toHaveLength(9);
    const page = await h.call('ListAttachedRolePolicies', { RoleName: 'r', MaxItems: 4 });
    expect(page).toMatchObject({ IsTruncated: true });
    expect(page.AttachedPolicies).toHaveLength(4);

    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await expectAwsError(h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'NoSuchEntity', {
      message: 'Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.',
    });
  });

  it('attaches to users', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    expect((await h.call('ListAttachedUserPolicies', { UserName: 'u' })).AttachedPolicies).toEqual([
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
    await h.call('DetachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    expect((await h.call('ListAttachedUserPolicies', { UserName: 'u' })).AttachedPolicies).toEqual([]);
  });
});
