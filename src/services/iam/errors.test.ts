import { afterAll, beforeAll, describe, it } from 'vitest';
import type { IamOperations } from './api.gen.js';
import { ACCOUNT, allowDoc, expectAwsError, harness } from './test-support.js';
import type { Harness } from './test-support.js';

/** Every operation that names a user, role, group or policy answers NoSuchEntity (404) when it is missing. */
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
});

const U = { UserName: 'ghost' };
const R = { RoleName: 'ghost' };
const G = { GroupName: 'ghost' };
const P = { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ghost` };
const DOC = allowDoc('s3:GetObject');
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

type Case = { [K in keyof IamOperations]: [K, IamOperations[K]['input'], string] }[keyof IamOperations];

const cases: Case[] = [
  ['GetUser', U, 'The user with name ghost cannot be found.'],
  ['UpdateUser', { ...U, NewPath: '/x/' }, 'The user with name ghost cannot be found.'],
  ['DeleteUser', U, 'The user with name ghost cannot be found.'],
  ['TagUser', { ...U, Tags: [{ Key: 'a', Value: 'b' }] }, 'The user with name ghost cannot be found.'],
  ['UntagUser', { ...U, TagKeys: ['a'] }, 'The user with name ghost cannot be found.'],
  ['ListUserTags', U, 'The user with name ghost cannot be found.'],
  ['PutUserPermissionsBoundary', { ...U, PermissionsBoundary: ADMIN }, 'The user with name ghost cannot be found.'],
  ['DeleteUserPermissionsBoundary', U, 'The user with name ghost cannot be found.'],
  ['CreateAccessKey', U, 'The user with name ghost cannot be found.'],
  ['ListAccessKeys', U, 'The user with name ghost cannot be found.'],
  ['UpdateAccessKey', { ...U, AccessKeyId: 'AKIAGHOST0000000000', Status: 'Inactive' }, 'The user with name ghost cannot be found.'],
  ['DeleteAccessKey', { ...U, AccessKeyId: 'AKIAGHOST0000000000' }, 'The user with name ghost cannot be found.'],
  ['GetAccessKeyLastUsed', { AccessKeyId: 'AKIAGHOST0000000000' }, 'The Access Key with id AKIAGHOST0000000000 cannot be found.'],
  ['PutUserPolicy', { ...U, PolicyName: 'p', PolicyDocument: DOC }, 'The user with name ghost cannot be found.'],
  ['GetUserPolicy', { ...U, PolicyName: 'p' }, 'The user with name ghost cannot be found.'],
  ['ListUserPolicies', U, 'The user with name ghost cannot be found.'],
  ['DeleteUserPolicy', { ...U, PolicyName: 'p' }, 'The user with name ghost cannot be found.'],
  ['AttachUserPolicy', { ...U, PolicyArn: ADMIN }, 'The user with name ghost cannot be found.'],
  ['DetachUserPolicy', { ...U, PolicyArn: ADMIN }, 'The user with name ghost cannot be found.'],
  ['ListAttachedUserPolicies', U, 'The user with name ghost cannot be found.'],
  ['ListGroupsForUser', U, 'The user with name ghost cannot be found.'],

  ['GetRole', R, 'The role with name ghost cannot be found.'],
  ['UpdateRole', { ...R, Description: 'd' }, 'The role with name ghost cannot be found.'],
  ['UpdateRoleDescription', { ...R, Description: 'd' }, 'The role with name ghost cannot be found.'],
  ['UpdateAssumeRolePolicy', { ...R, PolicyDocument: TRUST }, 'The role with name ghost cannot be found.'],
  ['DeleteRole', R, 'The role with name ghost cannot be found.'],
  ['PutRolePermissionsBoundary', { ...R, PermissionsBoundary: ADMIN }, 'The role with name ghost cannot be found.'],
  ['DeleteRolePermissionsBoundary', R, 'The role with name ghost cannot be found.'],
  ['TagRole', { ...R, Tags: [{ Key: 'a', Value: 'b' }] }, 'The role with name ghost cannot be found.'],
  ['UntagRole', { ...R, TagKeys: ['a'] }, 'The role with name ghost cannot be found.'],
  ['ListRoleTags', R, 'The role with name ghost cannot be found.'],
  ['PutRolePolicy', { ...R, PolicyName: 'p', PolicyDocument: DOC }, 'The role with name ghost cannot be found.'],
  ['GetRolePolicy', { ...R, PolicyName: 'p' }, 'The role with name ghost cannot be found.'],
  ['ListRolePolicies', R, 'The role with name ghost cannot be found.'],
  ['DeleteRolePolicy', { ...R, PolicyName: 'p' }, 'The role with name ghost cannot be found.'],
  ['AttachRolePolicy', { ...R, PolicyArn: ADMIN }, 'The role with name ghost cannot be found.'],
  ['DetachRolePolicy', { ...R, PolicyArn: ADMIN }, 'The role with name ghost cannot be found.'],
  ['ListAttachedRolePolicies', R, 'The role with name ghost cannot be found.'],

  ['GetGroup', G, 'The group with name ghost cannot be found.'],
  ['UpdateGroup', { ...G, NewPath: '/x/' }, 'The group with name ghost cannot be found.'],
  ['DeleteGroup', G, 'The group with name ghost cannot be found.'],
  ['AddUserToGroup', { ...G, UserName: 'u' }, 'The group with name ghost cannot be found.'],
  ['RemoveUserFromGroup', { ...G, UserName: 'u' }, 'The group with name ghost cannot be found.'],
  ['PutGroupPolicy', { ...G, PolicyName: 'p', PolicyDocument: DOC }, 'The group with name ghost cannot be found.'],
  ['GetGroupPolicy', { ...G, PolicyName: 'p' }, 'The group with name ghost cannot be found.'],
  ['ListGroupPolicies', G, 'The group with name ghost cannot be found.'],
  ['DeleteGroupPolicy', { ...G, PolicyName: 'p' }, 'The group with name ghost cannot be found.'],
  ['AttachGroupPolicy', { ...G, PolicyArn: ADMIN }, 'The group with name ghost cannot be found.'],
  ['DetachGroupPolicy', { ...G, PolicyArn: ADMIN }, 'The group with name ghost cannot be found.'],
  ['ListAttachedGroupPolicies', G, 'The group with name ghost cannot be found.'],

  ['GetPolicy', P, `Policy ${P.PolicyArn} was not found.`],
  ['DeletePolicy', P, `Policy ${P.PolicyArn} was not found.`],
  ['CreatePolicyVersion', { ...P, PolicyDocument: DOC }, `Policy ${P.PolicyArn} was not found.`],
  ['GetPolicyVersion', { ...P, VersionId: 'v1' }, `Policy ${P.PolicyArn} was not found.`],
  ['ListPolicyVersions', P, `Policy ${P.PolicyArn} was not found.`],
  ['DeletePolicyVersion', { ...P, VersionId: 'v1' }, `Policy ${P.PolicyArn} was not found.`],
  ['SetDefaultPolicyVersion', { ...P, VersionId: 'v1' }, `Policy ${P.PolicyArn} was not found.`],
  ['TagPolicy', { ...P, Tags: [{ Key: 'a', Value: 'b' }] }, `Policy ${P.PolicyArn} was not found.`],
  ['UntagPolicy', { ...P, TagKeys: ['a'] }, `Policy ${P.PolicyArn} was not found.`],
  ['ListPolicyTags', P, `Policy ${P.PolicyArn} was not found.`],
  ['ListEntitiesForPolicy', P, `Policy ${P.PolicyArn} was not found.`],
];

describe('NoSuchEntity for a missing entity', () => {
  it.each(cases)('%s', async (op, input, message) => {
    await expectAwsError(h.call(op, input as never), 'NoSuchEntity', { status: 404, message });
  });
});
