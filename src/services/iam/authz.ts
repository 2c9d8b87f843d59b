/**
 * What IAM must allow for each IAM operation: the action `iam:<Op>`, the resource ARN (user, role, group
 * or policy in the caller's account, with its path when the entity exists; `*` for the account-wide
 * lists) and the condition keys the Service Authorization Reference lists for the operation:
 * `aws:RequestTag/<k>` + `aws:TagKeys` (create and tag operations), `aws:TagKeys` (untag),
 * `iam:PermissionsBoundary` (the boundary requested, or the one the user/role already has),
 * `iam:PolicyARN` (attach/detach), and `aws:ResourceTag/<k>` (+ `iam:ResourceTag/<k>` on users and
 * roles) for existing tagged resources.
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import { groupArn, policyArn, roleArn, userArn } from './domain/arns.js';
import { requestTagContext } from './domain/tags.js';
import type { Tag } from './domain/tags.js';
import type { IamDirectory } from './directory.js';
import type { IamBackend } from './operations.js';

type Ctx = Record<string, string | string[]>;

/** Which ops carry `iam:PermissionsBoundary` with the entity's *current* boundary (service reference). */
const EXISTING_BOUNDARY_OPS = new Set([
  'GetRole',
  'UpdateRole',
  'UpdateRoleDescription',
  'UpdateAssumeRolePolicy',
  'DeleteRole',
  'DeleteRolePermissionsBoundary',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutUserPolicy',
  'DeleteUserPolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'DeleteUserPermissionsBoundary',
]);

interface Target {
  readonly arn: string;
  readonly context: Ctx;
}

function resourceTags(tags: readonly Tag[], alsoIam: boolean): Ctx {
  const ctx: Ctx = {};
  for (const t of tags) {
    ctx[`aws:ResourceTag/${t.Key}`] = t.Value;
    if (alsoIam) ctx[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return ctx;
}

export function createAuthz(directory: IamDirectory, backend: IamBackend): Record<string, AuthzFn> {
  const user = async (ctx: RequestContext, name: string, op: string): Promise<Target> => {
    const u = await directory.getUser(ctx.accountId, name);
    if (!u) return { arn: userArn(ctx.accountId, '/', name), context: {} };
    const context = resourceTags(u.tags, true);
    if (EXISTING_BOUNDARY_OPS.has(op) && u.permissionsBoundaryArn) context['iam:PermissionsBoundary'] = u.permissionsBoundaryArn;
    return { arn: u.arn, context };
  };
  const callerOrUser = async (ctx: RequestContext, name: string | undefined, op: string): Promise<Target> => {
    if (name !== undefined) return user(ctx, name, op);
    const p = ctx.principal;
    if (p.type === 'IAMUser' && p.name) return user(ctx, p.name, op);
    return { arn: p.arn, context: {} };
  };
  const role = async (ctx: RequestContext, name: string, op: string): Promise<Target> => {
    const r = await directory.getRole(ctx.accountId, name);
    if (!r) return { arn: roleArn(ctx.accountId, '/', name), context: {} };
    const context = resourceTags(r.tags, true);
    if (EXISTING_BOUNDARY_OPS.has(op) && r.permissionsBoundaryArn) context['iam:PermissionsBoundary'] = r.permissionsBoundaryArn;
    return { arn: r.arn, context };
  };
  const group = async (ctx: RequestContext, name: string): Promise<Target> => {
    const g = await backend.findGroupRow(ctx.accountId, name);
    return { arn: g ? g.arn : groupArn(ctx.accountId, '/', name), context: {} };
  };
  const policy = async (arn: string): Promise<Target> => ({ arn, context: resourceTags((await backend.findLocalPolicyTags(arn)) ?? [], false) });
  const account = (): Target => ({ arn: '*', context: {} });

  /** One request `iam:<op>` on the target, plus extra keys from the input. */
  const on =
    <I>(op: string, target: (i: I, ctx: RequestContext) => Promise<Target> | Target, extra?: (i: I) => Ctx): AuthzFn<I> =>
    async (i, ctx): Promise<AuthzRequest[]> => {
      const t = await target(i, ctx);
      const context = { ...t.context, ...(extra ? extra(i) : {}) };
      return [{ action: `iam:${op}`, resource: t.arn, ...(Object.keys(context).length > 0 ? { context } : {}) }];
    };

  type Named<K extends string> = Record<K, string>;
  const u = (op: string) => on<Named<'UserName'>>(op, (i, ctx) => user(ctx, i.UserName, op));
  const cu = (op: string) => on<{ UserName?: string }>(op, (i, ctx) => callerOrUser(ctx, i.UserName, op));
  const r = (op: string) => on<Named<'RoleName'>>(op, (i, ctx) => role(ctx, i.RoleName, op));
  const g = (op: string) => on<Named<'GroupName'>>(op, (i, ctx) => group(ctx, i.GroupName));
  const p = (op: string) => on<Named<'PolicyArn'>>(op, (i) => policy(i.PolicyArn));
  const acct = (op: string) => on<unknown>(op, account);
  const policyArnKey = (i: { PolicyArn: string }): Ctx => ({ 'iam:PolicyARN': i.PolicyArn });
  const boundaryKey = (arn: string | undefined): Ctx => (arn !== undefined ? { 'iam:PermissionsBoundary': arn } : {});
  const tagKeys = (i: { TagKeys: string[] }): Ctx => ({ 'aws:TagKeys': i.TagKeys });

  return {
    // users
    CreateUser: on<{ UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: Tag[] }>(
      'CreateUser',
      (i, ctx) => ({ arn: userArn(ctx.accountId, i.Path ?? '/', i.UserName), context: {} }),
      (i) => ({ ...requestTagContext(i.Tags), ...boundaryKey(i.PermissionsBoundary) }),
    ),
    GetUser: cu('GetUser'),
    ListUsers: acct('ListUsers'),
    UpdateUser: u('UpdateUser'),
    DeleteUser: u('DeleteUser'),
    TagUser: on<{ UserName: string; Tags: Tag[] }>('TagUser', (i, ctx) => user(ctx, i.UserName, 'TagUser'), (i) => requestTagContext(i.Tags)),
    UntagUser: on<{ UserName: string; TagKeys: string[] }>('UntagUser', (i, ctx) => user(ctx, i.UserName, 'UntagUser'), tagKeys),
    ListUserTags: u('ListUserTags'),
    PutUserPermissionsBoundary: on<{ UserName: string; PermissionsBoundary: string }>(
      'PutUserPermissionsBoundary',
      (i, ctx) => user(ctx, i.UserName, 'PutUserPermissionsBoundary'),
      (i) => boundaryKey(i.PermissionsBoundary),
    ),
    DeleteUserPermissionsBoundary: u('DeleteUserPermissionsBoundary'),
    // access keys
    CreateAccessKey: cu('CreateAccessKey'),
    ListAccessKeys: cu('ListAccessKeys'),
    UpdateAccessKey: cu('UpdateAccessKey'),
    DeleteAccessKey: cu('DeleteAccessKey'),
    GetAccessKeyLastUsed: on<{ AccessKeyId: string }>('GetAccessKeyLastUsed', async (i, ctx) => {
      const k = await directory.findAccessKey(i.AccessKeyId);
      if (k && k.accountId === ctx.accountId) return user(ctx, k.userName, 'GetAccessKeyLastUsed');
      return { arn: userArn(ctx.accountId, '/', '*'), context: {} };
    }),
    // roles
    CreateRole: on<{ RoleName: string; Path?: string; PermissionsBoundary?: string; Tags?: Tag[] }>(
      'CreateRole',
      (i, ctx) => ({ arn: roleArn(ctx.accountId, i.Path ?? '/', i.RoleName), context: {} }),
      (i) => ({ ...requestTagContext(i.Tags), ...boundaryKey(i.PermissionsBoundary) }),
    ),
    GetRole: r('GetRole'),
    ListRoles: acct('ListRoles'),
    UpdateRole: r('UpdateRole'),
    UpdateRoleDescription: r('UpdateRoleDescription'),
    UpdateAssumeRolePolicy: r('UpdateAssumeRolePolicy'),
    DeleteRole: r('DeleteRole'),
    PutRolePermissionsBoundary: on<{ RoleName: string; PermissionsBoundary: string }>(
      'PutRolePermissionsBoundary',
      (i, ctx) => role(ctx, i.RoleName, 'PutRolePermissionsBoundary'),
      (i) => boundaryKey(i.PermissionsBoundary),
    ),
    DeleteRolePermissionsBoundary: r('DeleteRolePermissionsBoundary'),
    TagRole: on<{ RoleName: string; Tags: Tag[] }>('TagRole', (i, ctx) => role(ctx, i.RoleName, 'TagRole'), (i) => requestTagContext(i.Tags)),
    UntagRole: on<{ RoleName: string; TagKeys: string[] }>('UntagRole', (i, ctx) => role(ctx, i.RoleName, 'UntagRole'), tagKeys),
    ListRoleTags: r('ListRoleTags'),
    // managed policies
    CreatePolicy: on<{ PolicyName: string; Path?: string; Tags?: Tag[] }>(
      'CreatePolicy',
      (i, ctx) => ({ arn: policyArn(ctx.accountId, i.Path ?? '/', i.PolicyName), context: {} }),
      (i) => requestTagContext(i.Tags),
    ),
    GetPolicy: p('GetPolicy'),
    ListPolicies: acct('ListPolicies'),
    DeletePolicy: p('DeletePolicy'),
    CreatePolicyVersion: p('CreatePolicyVersion'),
    GetPolicyVersion: p('GetPolicyVersion'),
    ListPolicyVersions: p('ListPolicyVersions'),
    DeletePolicyVersion: p('DeletePolicyVersion'),
    SetDefaultPolicyVersion: p('SetDefaultPolicyVersion'),
    TagPolicy: on<{ PolicyArn: string; Tags: Tag[] }>('TagPolicy', (i) => policy(i.PolicyArn), (i) => requestTagContext(i.Tags)),
    UntagPolicy: on<{ PolicyArn: string; TagKeys: string[] }>('UntagPolicy', (i) => policy(i.PolicyArn), tagKeys),
    ListPolicyTags: p('ListPolicyTags'),
    ListEntitiesForPolicy: p('ListEntitiesForPolicy'),
    // inline policies
    PutRolePolicy: r('PutRolePolicy'),
    GetRolePolicy: r('GetRolePolicy'),
    ListRolePolicies: r('ListRolePolicies'),
    DeleteRolePolicy: r('DeleteRolePolicy'),
    PutUserPolicy: u('PutUserPolicy'),
    GetUserPolicy: u('GetUserPolicy'),
    ListUserPolicies: u('ListUserPolicies'),
    DeleteUserPolicy: u('DeleteUserPolicy'),
    PutGroupPolicy: g('PutGroupPolicy'),
    GetGroupPolicy: g('GetGroupPolicy'),
    ListGroupPolicies: g('ListGroupPolicies'),
    DeleteGroupPolicy: g('DeleteGroupPolicy'),
    // attachments
    AttachRolePolicy: on<{ RoleName: string; PolicyArn: string }>('AttachRolePolicy', (i, ctx) => role(ctx, i.RoleName, 'AttachRolePolicy'), policyArnKey),
    DetachRolePolicy: on<{ RoleName: string; PolicyArn: string }>('DetachRolePolicy', (i, ctx) => role(ctx, i.RoleName, 'DetachRolePolicy'), policyArnKey),
    ListAttachedRolePolicies: r('ListAttachedRolePolicies'),
    AttachUserPolicy: on<{ UserName: string; PolicyArn: string }>('AttachUserPolicy', (i, ctx) => user(ctx, i.UserName, 'AttachUserPolicy'), policyArnKey),
    DetachUserPolicy: on<{ UserName: string; PolicyArn: string }>('DetachUserPolicy', (i, ctx) => user(ctx, i.UserName, 'DetachUserPolicy'), policyArnKey),
    ListAttachedUserPolicies: u('ListAttachedUserPolicies'),
    AttachGroupPolicy: on<{ GroupName: string; PolicyArn: string }>('AttachGroupPolicy', (i, ctx) => group(ctx, i.GroupName), policyArnKey),
    DetachGroupPolicy: on<{ GroupName: string; PolicyArn: string }>('DetachGroupPolicy', (i, ctx) => group(ctx, i.GroupName), policyArnKey),
    ListAttachedGroupPolicies: g('ListAttachedGroupPolicies'),
    // groups
    CreateGroup: on<{ GroupName: string; Path?: string }>('CreateGroup', (i, ctx) => ({ arn: groupArn(ctx.accountId, i.Path ?? '/', i.GroupName), context: {} })),
    GetGroup: g('GetGroup'),
    ListGroups: acct('ListGroups'),
    UpdateGroup: g('UpdateGroup'),
    DeleteGroup: g('DeleteGroup'),
    AddUserToGroup: g('AddUserToGroup'),
    RemoveUserFromGroup: g('RemoveUserFromGroup'),
    ListGroupsForUser: u('ListGroupsForUser'),
    // account
    GetAccountSummary: acct('GetAccountSummary'),
    // policy simulator (Service Authorization Reference: SimulatePrincipalPolicy on the user, group or role
    // whose policies are simulated; SimulateCustomPolicy has no resource type)
    SimulatePrincipalPolicy: on<{ PolicySourceArn: string }>('SimulatePrincipalPolicy', (i) => ({ arn: i.PolicySourceArn, context: {} })),
    SimulateCustomPolicy: acct('SimulateCustomPolicy'),
  };
}
