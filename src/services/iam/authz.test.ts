import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthzRequest } from '../../core/service.js';
import type { Principal } from '../../core/principal.js';
import { ACCOUNT, TRUST_EC2, allowDoc, ctxFor, harness, rootPrincipal, userPrincipal } from './test-support.js';
import type { Harness } from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function authz(op: string, input: unknown, principal: Principal = rootPrincipal()): Promise<AuthzRequest[]> {
  const fn = h.iam.definition.authz![op];
  if (!fn) throw new Error(`no authz for ${op}`);
  return fn(input, ctxFor(principal, Date.now(), op));
}

describe('authz', () => {
  it('covers exactly the implemented operations', () => {
    const handlers = Object.keys(h.iam.definition.handlers).sort();
    expect(Object.keys(h.iam.definition.authz!).sort()).toEqual(handlers);
    expect(h.iam.definition.name).toBe('iam');
    expect(handlers.length).toBeGreaterThanOrEqual(68);
  });

  it('create operations: the new ARN, request tags and the requested boundary', async () => {
    expect(
      await authz('CreateRole', {
        RoleName: 'r',
        Path: '/ml/',
        AssumeRolePolicyDocument: TRUST_EC2,
        PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
        Tags: [{ Key: 'team', Value: 'ml' }],
      }),
    ).toEqual([
      {
        action: 'iam:CreateRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/ml/r`,
        context: {
          'aws:TagKeys': ['team'],
          'aws:RequestTag/team': 'ml',
          'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/PowerUserAccess',
        },
      },
    ]);
    expect(await authz('CreateUser', { UserName: 'u' })).toEqual([{ action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/u` }]);
    expect(await authz('CreatePolicy', { PolicyName: 'p', Path: '/x/', PolicyDocument: allowDoc('s3:*') })).toEqual([
      { action: 'iam:CreatePolicy', resource: `arn:aws:iam::${ACCOUNT}:policy/x/p` },
    ]);
  });

  it('existing entities: their ARN with path, resource tags and current boundary', async () => {
    await h.call('CreateRole', {
      RoleName: 'r',
      Path: '/ml/',
      AssumeRolePolicyDocument: TRUST_EC2,
      PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      Tags: [{ Key: 'team', Value: 'ml' }],
    });
    expect(await authz('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })).toEqual([
      {
        action: 'iam:AttachRolePolicy',
        resource: `arn:aws:iam::${ACCOUNT}:role/ml/r`,
        context: {
          'aws:ResourceTag/team': 'ml',
          'iam:ResourceTag/team': 'ml',
          'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/PowerUserAccess',
          'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        },
      },
    ]);
    const [tagReq] = await authz('ListRoleTags', { RoleName: 'r' });
    expect(tagReq!.context).not.toHaveProperty('iam:PermissionsBoundary');
    expect(await authz('UntagRole', { RoleName: 'r', TagKeys: ['team'] })).toMatchObject([{ context: { 'aws:TagKeys': ['team'] } }]);
    expect(await authz('GetRole', { RoleName: 'missing' })).toEqual([{ action: 'iam:GetRole', resource: `arn:aws:iam::${ACCOUNT}:role/missing` }]);
  });

  it('policies, groups, account-wide lists and the caller itself', async () => {
    expect(await authz('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })).toEqual([
      { action: 'iam:GetPolicy', resource: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
    const { Policy } = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allowDoc('s3:*'), Tags: [{ Key: 'a', Value: 'b' }] });
    expect(await authz('DeletePolicy', { PolicyArn: Policy!.Arn! })).toEqual([
      { action: 'iam:DeletePolicy', resource: Policy!.Arn!, context: { 'aws:ResourceTag/a': 'b' } },
    ]);
    await h.call('CreateGroup', { GroupName: 'g', Path: '/team/' });
    expect(await authz('AddUserToGroup', { GroupName: 'g', UserName: 'u' })).toEqual([
      { action: 'iam:AddUserToGroup', resource: `arn:aws:iam::${ACCOUNT}:group/team/g` },
    ]);
    expect(await authz('ListRoles', {})).toEqual([{ action: 'iam:ListRoles', resource: '*' }]);
    expect(await authz('GetAccountSummary', {})).toEqual([{ action: 'iam:GetAccountSummary', resource: '*' }]);
    expect(await authz('GetUser', {}, userPrincipal('me'))).toEqual([{ action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/me` }]);
    await h.call('CreateUser', { UserName: 'me', Path: '/p/' });
    expect(await authz('CreateAccessKey', {}, userPrincipal('me'))).toEqual([{ action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/p/me` }]);
  });
});
