import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT, T0, allowDoc, expectAwsError, harness, rolePrincipal, rootPrincipal, userPrincipal } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe('users', () => {
  it('creates, gets, lists, updates and deletes a user', async () => {
    const created = await h.call('CreateUser', { UserName: 'alice', Path: '/team/', Tags: [{ Key: 'team', Value: 'ml' }] });
    expect(created.User).toMatchObject({
      UserName: 'alice',
      Path: '/team/',
      Arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
      Tags: [{ Key: 'team', Value: 'ml' }],
    });
    expect(created.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User!.CreateDate).toEqual(new Date(T0));

    const got = await h.call('GetUser', { UserName: 'ALICE' });
    expect(got.User.UserName).toBe('alice');
    expect(got.User.Tags).toEqual([{ Key: 'team', Value: 'ml' }]);

    await h.call('CreateUser', { UserName: 'bob' });
    const all = await h.call('ListUsers', {});
    expect(all.Users.map((u) => u.UserName)).toEqual(['alice', 'bob']);
    expect(all.IsTruncated).toBe(false);
    expect(all.Users[0]).not.toHaveProperty('Tags');
    expect((await h.call('ListUsers', { PathPrefix: '/team/' })).Users.map((u) => u.UserName)).toEqual(['alice']);

    await h.call('UpdateUser', { UserName: 'alice', NewUserName: 'alice2', NewPath: '/x/' });
    const renamed = await h.call('GetUser', { UserName: 'alice2' });
    expect(renamed.User.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/x/alice2`);
    expect(renamed.User.UserId).toBe(created.User!.UserId);
    await expectAwsError(h.call('UpdateUser', { UserName: 'alice2', NewUserName: 'BOB' }), 'EntityAlreadyExists', { status: 409 });

    await h.call('DeleteUser', { UserName: 'alice2' });
    await expectAwsError(h.call('GetUser', { UserName: 'alice2' }), 'NoSuchEntity', {
      status: 404,
      message: 'The user with name alice2 cannot be found.',
    });
  });

  it('refuses a second user with the same name in any case', async () => {
    await h.call('CreateUser', { UserName: 'Admin' });
    await expectAwsError(h.call('CreateUser', { UserName: 'admin' }), 'EntityAlreadyExists', {
      status: 409,
      message: 'User with name admin already exists.',
    });
  });

  it('keeps accounts apart', async () => {
    await h.call('CreateUser', { UserName: 'alice' });
    await h.call('CreateUser', { UserName: 'alice' }, rootPrincipal(OTHER_ACCOUNT));
    expect((await h.call('ListUsers', {}, rootPrincipal(OTHER_ACCOUNT))).Users[0]!.Arn).toBe(`arn:aws:iam::${OTHER_ACCOUNT}:user/alice`);
  });

  it('GetUser without a name answers for the caller', async () => {
    await h.call('CreateUser', { UserName: 'carol' });
    expect((await h.call('GetUser', {}, userPrincipal('carol'))).User.UserName).toBe('carol');
    const root = await h.call('GetUser', {}, rootPrincipal());
    expect(root.User).toMatchObject({ UserId: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    await expectAwsError(h.call('GetUser', {}, rolePrincipal('r', 's')), 'ValidationError', {
      message: 'Must specify userName when calling with non-User credentials',
    });
  });

  it('tags and untags users', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('TagUser', { UserName: 'u', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    await h.call('TagUser', { UserName: 'u', Tags: [{ Key: 'A', Value: '3' }] });
    expect((await h.call('ListUserTags', { UserName: 'u' })).Tags).toEqual([
      { Key: 'A', Value: '3' },
      { Key: 'b', Value: '2' },
    ]);
    await h.call('UntagUser', { UserName: 'u', TagKeys: ['a'] });
    expect((await h.call('ListUserTags', { UserName: 'u' })).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    await expectAwsError(h.call('TagUser', { UserName: 'nobody', Tags: [{ Key: 'a', Value: '1' }] }), 'NoSuchEntity');
    await expectAwsError(h.call('TagUser', { UserName: 'u', Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] }), 'InvalidInput');
  });

  it('sets and removes a permissions boundary', async () => {
    await expectAwsError(
      h.call('CreateUser', { UserName: 'u', PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/missing` }),
      'NoSuchEntity',
      { message: `Scope ARN: arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.` },
    );
    await expectAwsError(h.call('CreateUser', { UserName: 'u', PermissionsBoundary: 'not-an-arn-at-all-really' }), 'InvalidInput', {
      message: 'ARN not-an-arn-at-all-really is not valid.',
    });
    await h.call('CreateUser', { UserName: 'u', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    expect((await h.call('GetUser', { UserName: 'u' })).User.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    await h.call('PutUserPermissionsBoundary', { UserName: 'u', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    expect((await h.iam.directory.getUser(ACCOUNT, 'u'))?.permissionsBoundaryArn).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
    await h.call('DeleteUserPermissionsBoundary', { UserName: 'u' });
    expect((await h.call('GetUser', { UserName: 'u' })).User).not.toHaveProperty('PermissionsBoundary');
  });

  it('DeleteUser reports each dependent as DeleteConflict', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'u' });
    await expectAwsError(h.call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', {
      status: 409,
      message: 'Cannot delete entity, must delete access keys first.',
    });
    await h.call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });

    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: allowDoc('s3:*') });
    await expectAwsError(h.call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', { message: 'Cannot delete entity, must delete policies first.' });
    await h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'p' });

    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await expectAwsError(h.call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', { message: 'Cannot delete entity, must detach all policies first.' });
    await h.call('DetachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });

    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    await expectAwsError(h.call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', {
      message: 'Cannot delete entity, must remove users from group first.',
    });
    await h.call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' });

    await h.call('DeleteUser', { UserName: 'u' });
    await expectAwsError(h.call('DeleteUser', { UserName: 'u' }), 'NoSuchEntity');
  });

  it('paginates ListUsers across three pages with Marker', async () => {
    for (let i = 0; i < 7; i++) await h.call('CreateUser', { UserName: `user${i}` });
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await h.call('ListUsers', { MaxItems: 3, ...(marker !== undefined ? { Marker: marker } : {}) });
      pages++;
      seen.push(...page.Users.map((u) => u.UserName));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.Marker;
    } while (marker !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['user0', 'user1', 'user2', 'user3', 'user4', 'user5', 'user6']);
  });
});

describe('access keys', () => {
  it('creates, lists, updates, deletes and reports last use', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'u' });
    expect(AccessKey).toMatchObject({ UserName: 'u', Status: 'Active', CreateDate: new Date(T0) });
    expect(AccessKey.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(AccessKey.SecretAccessKey).toHaveLength(40);

    const listed = await h.call('ListAccessKeys', { UserName: 'u' });
    expect(listed.AccessKeyMetadata).toEqual([{ UserName: 'u', AccessKeyId: AccessKey.AccessKeyId, Status: 'Active', CreateDate: new Date(T0) }]);
    expect(listed).not.toHaveProperty('Marker');

    await h.call('UpdateAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    expect((await h.iam.directory.findAccessKey(AccessKey.AccessKeyId))?.status).toBe('Inactive');

    expect(await h.call('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId })).toEqual({
      UserName: 'u',
      AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
    });

    await h.call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });
    expect(await h.iam.directory.findAccessKey(AccessKey.AccessKeyId)).toBeUndefined();
    await expectAwsError(h.call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId }), 'NoSuchEntity', {
      message: `The Access Key with id ${AccessKey.AccessKeyId} cannot be found.`,
    });
  });

  it('allows two keys per user: the third is LimitExceeded', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('CreateAccessKey', { UserName: 'u' });
    await h.call('CreateAccessKey', { UserName: 'u' });
    await expectAwsError(h.call('CreateAccessKey', { UserName: 'u' }), 'LimitExceeded', {
      status: 409,
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
    expect((await h.call('ListAccessKeys', { UserName: 'u' })).AccessKeyMetadata).toHaveLength(2);
  });

  it('acts on the calling user when UserName is omitted', async () => {
    await h.call('CreateUser', { UserName: 'dev' });
    const { AccessKey } = await h.call('CreateAccessKey', {}, userPrincipal('dev'));
    expect(AccessKey.UserName).toBe('dev');
    expect((await h.call('ListAccessKeys', {}, userPrincipal('dev'))).AccessKeyMetadata).toHaveLength(1);
    await h.call('UpdateAccessKey', { AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' }, userPrincipal('dev'));
    await expectAwsError(h.call('CreateAccessKey', {}, rolePrincipal('r', 's')), 'ValidationError');
  });

  it('does not touch another user’s key', async () => {
    await h.call('CreateUser', { UserName: 'a' });
    await h.call('CreateUser', { UserName: 'b' });
    const { AccessKey } = await h.call('CreateAccessKey', { UserName: 'a' });
    await expectAwsError(h.call('UpdateAccessKey', { UserName: 'b', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' }), 'NoSuchEntity');
    await expectAwsError(h.call('CreateAccessKey', { UserName: 'nobody' }), 'NoSuchEntity');
    await expectAwsError(h.call('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId }, rootPrincipal(OTHER_ACCOUNT)), 'NoSuchEntity');
  });
});

describe('groups', () => {
  it('creates, gets with members, lists, updates and deletes groups', async () => {
    const { Group } = await h.call('CreateGroup', { GroupName: 'devs', Path: '/eng/' });
    expect(Group).toMatchObject({ GroupName: 'devs', Path: '/eng/', Arn: `arn:aws:iam::${ACCOUNT}:group/eng/devs` });
    expect(Group.GroupId).toMatch(/^AGPA/);
    await expectAwsError(h.call('CreateGroup', { GroupName: 'DEVS' }), 'EntityAlreadyExists', { message: 'Group with name DEVS already exists.' });

    await h.call('CreateUser', { UserName: 'u1' });
    await h.call('CreateUser', { UserName: 'u2' });
    await h.call('AddUserToGroup', { GroupName: 'devs', UserName: 'u2' });
    await h.call('AddUserToGroup', { GroupName: 'devs', UserName: 'u1' });
    await h.call('AddUserToGroup', { GroupName: 'devs', UserName: 'u1' }); // idempotent
    const got = await h.call('GetGroup', { GroupName: 'devs' });
    expect(got.Users.map((u) => u.UserName)).toEqual(['u1', 'u2']);
    expect(got.IsTruncated).toBe(false);
    expect((await h.call('ListGroupsForUser', { UserName: 'u1' })).Groups.map((g) => g.GroupName)).toEqual(['devs']);
    expect((await h.call('ListGroups', { PathPrefix: '/eng/' })).Groups).toHaveLength(1);
    expect((await h.call('ListGroups', { PathPrefix: '/ops/' })).Groups).toHaveLength(0);

    await expectAwsError(h.call('DeleteGroup', { GroupName: 'devs' }), 'DeleteConflict', { message: 'Cannot delete entity, must remove users from group first.' });
    await h.call('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'u1' });
    await h.call('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'u2' });
    await expectAwsError(h.call('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'u2' }), 'NoSuchEntity');

    await h.call('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'inline', PolicyDocument: allowDoc('s3:GetObject') });
    expect((await h.call('ListGroupPolicies', { GroupName: 'devs' })).PolicyNames).toEqual(['inline']);
    expect(decodeURIComponent((await h.call('GetGroupPolicy', { GroupName: 'devs', PolicyName: 'inline' })).PolicyDocument)).toBe(allowDoc('s3:GetObject'));
    await expectAwsError(h.call('DeleteGroup', { GroupName: 'devs' }), 'DeleteConflict', { message: 'Cannot delete entity, must delete policies first.' });
    await h.call('DeleteGroupPolicy', { GroupName: 'devs', PolicyName: 'inline' });
    await expectAwsError(h.call('GetGroupPolicy', { GroupName: 'devs', PolicyName: 'inline' }), 'NoSuchEntity', {
      message: 'The group policy with name inline cannot be found.',
    });

    await h.call('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });
    expect((await h.call('ListAttachedGroupPolicies', { GroupName: 'devs' })).AttachedPolicies).toEqual([
      { PolicyName: 'IAMReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' },
    ]);
    await expectAwsError(h.call('DeleteGroup', { GroupName: 'devs' }), 'DeleteConflict', { message: 'Cannot delete entity, must detach all policies first.' });
    await h.call('DetachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });

    await h.call('UpdateGroup', { GroupName: 'devs', NewGroupName: 'developers' });
    await h.call('DeleteGroup', { GroupName: 'developers' });
    await expectAwsError(h.call('GetGroup', { GroupName: 'developers' }), 'NoSuchEntity', { message: 'The group with name developers cannot be found.' });
  });

  it('limits a user to 10 groups', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    for (let i = 0; i < 10; i++) {
      await h.call('CreateGroup', { GroupName: `g${i}` });
      await h.call('AddUserToGroup', { GroupName: `g${i}`, UserName: 'u' });
    }
    await h.call('CreateGroup', { GroupName: 'g10' });
    await expectAwsError(h.call('AddUserToGroup', { GroupName: 'g10', UserName: 'u' }), 'LimitExceeded', { message: 'Cannot exceed quota for GroupsPerUser: 10' });
    await expectAwsError(h.call('AddUserToGroup', { GroupName: 'nope', UserName: 'u' }), 'NoSuchEntity');
  });
});
