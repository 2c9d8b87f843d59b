import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT, TRUST_EC2, allowDoc, expectAwsError, harness } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const S3RO = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

describe('directory', () => {
  it('resolves access keys to their user', async () => {
    await h.call('CreateUser', { UserName: 'dev', Path: '/eng/' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'dev' });
    const user = await h.iam.directory.getUser(ACCOUNT, 'dev');
    expect(await h.iam.directory.findAccessKey(AccessKey.AccessKeyId)).toEqual({
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
      status: 'Active',
      accountId: ACCOUNT,
      userName: 'dev',
      userId: user!.userId,
      userArn: `arn:aws:iam::${ACCOUNT}:user/eng/dev`,
    });
    expect(await h.iam.directory.findAccessKey('AKIADOESNOTEXIST000')).toBeUndefined();
  });

  it('answers a cached access key without a promise, and asks again after an IAM write', async () => {
    await h.call('CreateUser', { UserName: 'dev' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'dev' });
    const first = h.iam.directory.findAccessKey(AccessKey.AccessKeyId);
    expect(first).toBeInstanceOf(Promise);
    const key = await first;
    const again = h.iam.directory.findAccessKey(AccessKey.AccessKeyId);
    expect(again).toBe(key);
    await h.call('UpdateAccessKey', { UserName: 'dev', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    const after = h.iam.directory.findAccessKey(AccessKey.AccessKeyId);
    expect(after).toBeInstanceOf(Promise);
    expect((await after)!.status).toBe('Inactive');
    // An unknown key is cached as unknown too (a miss that keeps missing costs no query).
    expect(await h.iam.directory.findAccessKey('AKIADOESNOTEXIST000')).toBeUndefined();
    expect(h.iam.directory.findAccessKey('AKIADOESNOTEXIST000')).toBeUndefined();
  });

  it('returns roles and users as records', async () => {
    await h.call('CreateRole', {
      RoleName: 'Trainer',
      Path: '/ml/',
      AssumeRolePolicyDocument: TRUST_EC2,
      MaxSessionDuration: 7200,
      PermissionsBoundary: S3RO,
      Tags: [{ Key: 'team', Value: 'ml' }],
    });
    const role = await h.iam.directory.getRole(ACCOUNT, 'trainer');
    expect(role).toMatchObject({
      accountId: ACCOUNT,
      roleName: 'Trainer',
      arn: `arn:aws:iam::${ACCOUNT}:role/ml/Trainer`,
      path: '/ml/',
      assumeRolePolicyDocument: TRUST_EC2,
      maxSessionDuration: 7200,
      permissionsBoundaryArn: S3RO,
      tags: [{ Key: 'team', Value: 'ml' }],
    });
    expect(role!.roleId).toMatch(/^AROA/);
    expect(Object.isFrozen(role)).toBe(true);
    expect(await h.iam.directory.getRole(OTHER_ACCOUNT, 'Trainer')).toBeUndefined();
    expect(await h.iam.directory.getUser(ACCOUNT, 'nobody')).toBeUndefined();
  });

  it('gathers identity policies of a user, its groups, and a role', async () => {
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'Local', PolicyDocument: allowDoc('s3:PutObject') });
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'mine', PolicyDocument: allowDoc('s3:GetObject') });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: S3RO });
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    await h.call('PutGroupPolicy', { GroupName: 'g', PolicyName: 'grp', PolicyDocument: allowDoc('sqs:*') });
    await h.call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: Policy!.Arn! });
    await h.call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: S3RO }); // also on the user: listed once

    const policies = await h.iam.directory.identityPolicies(ACCOUNT, 'user', 'U');
    expect(policies.map((p) => [p.id, p.kind])).toEqual([
      [`arn:aws:iam::${ACCOUNT}:user/u#inline/mine`, 'inline'],
      [S3RO, 'managed'],
      [`arn:aws:iam::${ACCOUNT}:group/g#inline/grp`, 'inline'],
      [Policy!.Arn!, 'managed'],
    ]);
    expect(policies[0]!.document).toBe(allowDoc('s3:GetObject'));
    expect(policies[3]!.document).toBe(allowDoc('s3:PutObject'));
    expect(JSON.parse(policies[1]!.document).Statement).toBeDefined();

    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'inl', PolicyDocument: allowDoc('ecr:*') });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ADMIN });
    expect((await h.iam.directory.identityPolicies(ACCOUNT, 'role', 'r')).map((p) => p.id)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/r#inline/inl`,
      ADMIN,
    ]);
    expect(await h.iam.directory.identityPolicies(ACCOUNT, 'role', 'ghost')).toEqual([]);
  });
});

describe('directory cache', () => {
  it('serves reads from memory until an IAM write', async () => {
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    const before = await h.iam.directory.getRole(ACCOUNT, 'r');
    // A change behind the service's back is not seen: the read is cached…
    await sql`update iam_roles set max_session_duration = 9999`.execute(h.db.kysely);
    expect((await h.iam.directory.getRole(ACCOUNT, 'r'))!.maxSessionDuration).toBe(3600);
    expect(await h.iam.directory.getRole(ACCOUNT, 'r')).toBe(before);
    // …and any write through the service drops the cache.
    await h.call('TagRole', { RoleName: 'r', Tags: [{ Key: 'a', Value: 'b' }] });
    expect(await h.iam.directory.getRole(ACCOUNT, 'r')).toMatchObject({ maxSessionDuration: 9999, tags: [{ Key: 'a', Value: 'b' }] });
  });

  it('invalidates access keys, identity policies and managed documents on writes', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'u' });
    expect((await h.iam.directory.findAccessKey(AccessKey.AccessKeyId))!.status).toBe('Active');
    await h.call('UpdateAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    expect((await h.iam.directory.findAccessKey(AccessKey.AccessKeyId))!.status).toBe('Inactive');
    await h.call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });
    expect(await h.iam.directory.findAccessKey(AccessKey.AccessKeyId)).toBeUndefined();

    expect(await h.iam.directory.identityPolicies(ACCOUNT, 'user', 'u')).toEqual([]);
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: allowDoc('s3:*') });
    expect(await h.iam.directory.identityPolicies(ACCOUNT, 'user', 'u')).toHaveLength(1);

    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'm', PolicyDocument: allowDoc('s3:GetObject') });
    expect(await h.iam.directory.managedPolicyDocument(Policy!.Arn!)).toBe(allowDoc('s3:GetObject'));
    await h.call('CreatePolicyVersion', { PolicyArn: Policy!.Arn!, PolicyDocument: allowDoc('s3:PutObject'), SetAsDefault: true });
    expect(await h.iam.directory.managedPolicyDocument(Policy!.Arn!)).toBe(allowDoc('s3:PutObject'));

    // a user renamed away is gone under its old name
    expect(await h.iam.directory.getUser(ACCOUNT, 'u')).toBeDefined();
    await h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'p' });
    await h.call('UpdateUser', { UserName: 'u', NewUserName: 'v' });
    expect(await h.iam.directory.getUser(ACCOUNT, 'u')).toBeUndefined();
    expect((await h.iam.directory.getUser(ACCOUNT, 'v'))!.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/v`);
  });

  it('also invalidates after a failed write', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    expect(await h.iam.directory.getUser(ACCOUNT, 'u')).toBeDefined();
    await sql`update iam_users set path = '/moved/'`.execute(h.db.kysely);
    await expectAwsError(h.call('CreateUser', { UserName: 'u' }), 'EntityAlreadyExists');
    expect((await h.iam.directory.getUser(ACCOUNT, 'u'))!.path).toBe('/moved/');
  });
});

describe('seeder', () => {
  it('creates users with fixed keys, roles, policies and groups', async () => {
    const s = h.iam.seeder;
    const user = await s.createUser({
      accountId: ACCOUNT,
      userName: 'ci',
      tags: [{ Key: 'kind', Value: 'bot' }],
      accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'secret/one' }],
    });
    expect(user).toMatchObject({ userName: 'ci', arn: `arn:aws:iam::${ACCOUNT}:user/ci`, tags: [{ Key: 'kind', Value: 'bot' }] });
    expect(await h.iam.directory.findAccessKey('AKIAEXAMPLE000000001')).toMatchObject({ secretAccessKey: 'secret/one', userName: 'ci' });

    // a trust policy may name a role that the blueprint creates later (the API would refuse it)
    const trustLater = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/Later` }, Action: 'sts:AssumeRole' }],
    });
    const role = await s.createRole({ accountId: ACCOUNT, roleName: 'Shared', assumeRolePolicyDocument: trustLater, maxSessionDuration: 7200, description: 'x' });
    expect(role).toMatchObject({ roleName: 'Shared', maxSessionDuration: 7200, description: 'x' });
    await expectAwsError(h.call('UpdateAssumeRolePolicy', { RoleName: 'Shared', PolicyDocument: trustLater }), 'MalformedPolicyDocument');

    const arn = await s.createPolicy({ accountId: ACCOUNT, policyName: 'Data', path: '/lake/', document: allowDoc('glue:*'), description: 'd' });
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/lake/Data`);
    await s.attachRolePolicy({ accountId: ACCOUNT, roleName: 'Shared', policyArn: arn });
    await s.putRolePolicy({ accountId: ACCOUNT, roleName: 'Shared', policyName: 'inl', document: allowDoc('s3:*') });
    await s.attachUserPolicy({ accountId: ACCOUNT, userName: 'ci', policyArn: ADMIN });
    await s.putUserPolicy({ accountId: ACCOUNT, userName: 'ci', policyName: 'u1', document: allowDoc('ecr:*') });
    expect(await s.createGroup({ accountId: ACCOUNT, groupName: 'bots' })).toBe(`arn:aws:iam::${ACCOUNT}:group/bots`);
    await s.addUserToGroup({ accountId: ACCOUNT, groupName: 'bots', userName: 'ci' });
    await s.attachGroupPolicy({ accountId: ACCOUNT, groupName: 'bots', policyArn: arn });
    await s.putGroupPolicy({ accountId: ACCOUNT, groupName: 'bots', policyName: 'g1', document: allowDoc('sqs:*') });

    expect((await h.iam.directory.identityPolicies(ACCOUNT, 'role', 'Shared')).map((p) => p.id)).toEqual([`arn:aws:iam::${ACCOUNT}:role/Shared#inline/inl`, arn]);
    expect((await h.iam.directory.identityPolicies(ACCOUNT, 'user', 'ci')).map((p) => p.id)).toEqual([
      `arn:aws:iam::${ACCOUNT}:user/ci#inline/u1`,
      ADMIN,
      `arn:aws:iam::${ACCOUNT}:group/bots#inline/g1`,
      arn,
    ]);
  });

  it('validates like the API', async () => {
    const s = h.iam.seeder;
    await expectAwsError(s.createUser({ accountId: ACCOUNT, userName: 'bad name' }), 'ValidationError');
    await expectAwsError(s.createRole({ accountId: ACCOUNT, roleName: 'r', assumeRolePolicyDocument: TRUST_EC2, maxSessionDuration: 60 }), 'ValidationError');
    await expectAwsError(s.createRole({ accountId: ACCOUNT, roleName: 'r', assumeRolePolicyDocument: '{' }), 'MalformedPolicyDocument');
    await expectAwsError(s.createPolicy({ accountId: ACCOUNT, policyName: 'p', document: '{"Statement":[]}' }), 'MalformedPolicyDocument');
    await expectAwsError(s.attachRolePolicy({ accountId: ACCOUNT, roleName: 'none', policyArn: ADMIN }), 'NoSuchEntity');
    await s.createUser({ accountId: ACCOUNT, userName: 'u' });
    await expectAwsError(s.createUser({ accountId: ACCOUNT, userName: 'U' }), 'EntityAlreadyExists');
  });

  it('writes nothing when the third access key of a seeded user exceeds the quota', async () => {
    await expectAwsError(
      h.iam.seeder.createUser({
        accountId: ACCOUNT,
        userName: 'greedy',
        accessKeys: [1, 2, 3].map((i) => ({ accessKeyId: `AKIAEXAMPLE00000000${i}`, secretAccessKey: `s${i}` })),
      }),
      'LimitExceeded',
    );
    expect(await h.iam.directory.getUser(ACCOUNT, 'greedy')).toBeUndefined();
    expect(await h.iam.directory.findAccessKey('AKIAEXAMPLE000000001')).toBeUndefined();
  });

  it('joins the caller’s transaction: all or nothing', async () => {
    const s = h.iam.seeder;
    await expect(
      h.db.transaction(async (trx) => {
        await s.createUser({ accountId: ACCOUNT, userName: 'a', accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000009', secretAccessKey: 'x' }] }, trx);
        await s.createRole({ accountId: ACCOUNT, roleName: 'r', assumeRolePolicyDocument: TRUST_EC2 }, trx);
        await s.attachRolePolicy({ accountId: ACCOUNT, roleName: 'r', policyArn: ADMIN }, trx);
        throw new Error('blueprint failed later');
      }),
    ).rejects.toThrow('blueprint failed later');
    s.invalidateCache();
    expect(await h.iam.directory.getUser(ACCOUNT, 'a')).toBeUndefined();
    expect(await h.iam.directory.getRole(ACCOUNT, 'r')).toBeUndefined();
    expect(await h.iam.directory.findAccessKey('AKIAEXAMPLE000000009')).toBeUndefined();

    await h.db.transaction(async (trx) => {
      await s.createRole({ accountId: ACCOUNT, roleName: 'r', assumeRolePolicyDocument: TRUST_EC2 }, trx);
      await s.attachRolePolicy({ accountId: ACCOUNT, roleName: 'r', policyArn: ADMIN }, trx);
    });
    s.invalidateCache();
    expect((await h.iam.directory.identityPolicies(ACCOUNT, 'role', 'r')).map((p) => p.id)).toEqual([ADMIN]);
  });
});

describe('transactions', () => {
  /** Makes SQLite refuse one specific row, so the second insert of a multi-row write fails. */
  async function failInsertsInto(table: string, when: string): Promise<void> {
    await sql.raw(`create trigger fail_${table} before insert on ${table} when ${when} begin select raise(abort, 'injected failure'); end`).execute(h.db.kysely);
  }

  it('CreateRole leaves no role behind when its tags cannot be written', async () => {
    await failInsertsInto('iam_tags', "new.tag_key = 'boom'");
    await expect(
      h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'ok', Value: '1' }, { Key: 'boom', Value: '2' }] }),
    ).rejects.toThrow('injected failure');
    await expectAwsError(h.call('GetRole', { RoleName: 'r' }), 'NoSuchEntity');
    expect((await sql<{ n: number }>`select count(*) as n from iam_tags`.execute(h.db.kysely)).rows[0]!.n).toBe(0);
  });

  it('CreatePolicy leaves no policy behind when its first version cannot be written', async () => {
    await failInsertsInto('iam_policy_versions', '1 = 1');
    await expect(h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:*') })).rejects.toThrow('injected failure');
    expect((await h.call('ListPolicies', { Scope: 'Local' })).Policies).toEqual([]);
    await sql`drop trigger fail_iam_policy_versions`.execute(h.db.kysely);
    await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:*') });
  });

  it('a seeded user with keys is written whole or not at all', async () => {
    await failInsertsInto('iam_access_keys', "new.access_key_id = 'AKIAEXAMPLE000000002'");
    await expect(
      h.iam.seeder.createUser({
        accountId: ACCOUNT,
        userName: 'u',
        accessKeys: [
          { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'a' },
          { accessKeyId: 'AKIAEXAMPLE000000002', secretAccessKey: 'b' },
        ],
      }),
    ).rejects.toThrow('injected failure');
    expect(await h.iam.directory.getUser(ACCOUNT, 'u')).toBeUndefined();
    expect(await h.iam.directory.findAccessKey('AKIAEXAMPLE000000001')).toBeUndefined();
  });
});
