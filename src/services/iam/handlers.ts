/**
 * IAM API handlers: validated input → `IamBackend` → output shapes of the model. Thin on purpose: the
 * rules live in `domain/` and `operations.ts`; here only the caller's defaults (own user when UserName
 * is omitted), pagination and the mapping of rows to AWS shapes (dates as `Date`, documents
 * URL-encoded, optional members only when AWS returns them).
 */
import type { RequestContext } from '../../core/context.js';
import { CommonErrors } from '../../core/errors.js';
import type { AccessKeyMetadata, Group, IamHandlers, Policy, PolicyVersion, Role, Tag, User } from './api.gen.js';
import { paginate, sortByKey } from './domain/pagination.js';
import type { Page, PageRequest } from './domain/pagination.js';
import { encodePolicyDocument } from './domain/policy-rules.js';
import { IamError } from './errors.js';
import { attachedKey, groupKey, policyKey, roleKey, userKey } from './operations.js';
import type { IamBackend, OwnerKind, PolicyView, TaggedRole, TaggedUser, VersionView } from './operations.js';
import type { AccessKeyRow, GroupRow, RoleRow, UserRow } from './store.js';

// ---- shapes ------------------------------------------------------------------------------------------

const date = (ms: number): Date => new Date(ms);

/** A user as ListUsers and GetGroup show it (no boundary, no tags). */
function listedUser(u: UserRow): User {
  return { Path: u.path, UserName: u.user_name, UserId: u.user_id, Arn: u.arn, CreateDate: date(u.create_date) };
}

/** A user as CreateUser and GetUser show it. */
function fullUser({ user, tags }: TaggedUser): User {
  return {
    ...listedUser(user),
    ...(user.permissions_boundary_arn !== null
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissions_boundary_arn } }
      : {}),
    ...(tags.length > 0 ? { Tags: tags.map(tag) } : {}),
  };
}

/** A role as ListRoles shows it (AWS leaves out boundary, tags and last use there). */
function listedRole(r: RoleRow): Role {
  return {
    Path: r.path,
    RoleName: r.role_name,
    RoleId: r.role_id,
    Arn: r.arn,
    CreateDate: date(r.create_date),
    AssumeRolePolicyDocument: encodePolicyDocument(r.assume_role_policy_document),
    ...(r.description !== null ? { Description: r.description } : {}),
    MaxSessionDuration: r.max_session_duration,
  };
}

/** A role as GetRole and UpdateRoleDescription show it. */
function fullRole({ role, tags }: TaggedRole): Role {
  return {
    ...listedRole(role),
    ...(role.permissions_boundary_arn !== null
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissions_boundary_arn } }
      : {}),
    ...(tags.length > 0 ? { Tags: tags.map(tag) } : {}),
    RoleLastUsed:
      role.last_used_date !== null
        ? { LastUsedDate: date(role.last_used_date), ...(role.last_used_region !== null ? { Region: role.last_used_region } : {}) }
        : {},
  };
}

/** A role as CreateRole returns it. */
function createdRole({ role, tags }: TaggedRole): Role {
  const { MaxSessionDuration: _omit, ...rest } = listedRole(role);
  return {
    ...rest,
    ...(role.permissions_boundary_arn !== null
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissions_boundary_arn } }
      : {}),
    ...(tags.length > 0 ? { Tags: tags.map(tag) } : {}),
  };
}

function group(g: GroupRow): Group {
  return { Path: g.path, GroupName: g.group_name, GroupId: g.group_id, Arn: g.arn, CreateDate: date(g.create_date) };
}

/** `detail`: GetPolicy adds Description and Tags, which ListPolicies and CreatePolicy leave out. */
function policy(p: PolicyView, detail: 'get' | 'list' | 'create'): Policy {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: p.permissionsBoundaryUsageCount,
    IsAttachable: true,
    ...(detail === 'get' && p.description !== undefined ? { Description: p.description } : {}),
    CreateDate: date(p.createDate),
    UpdateDate: date(p.updateDate),
    ...(detail !== 'list' && p.tags.length > 0 ? { Tags: p.tags.map(tag) } : {}),
  };
}

function version(v: VersionView, withDocument: boolean): PolicyVersion {
  return {
    ...(withDocument ? { Document: encodePolicyDocument(v.document) } : {}),
    VersionId: v.versionId,
    IsDefaultVersion: v.isDefaultVersion,
    CreateDate: date(v.createDate),
  };
}

function keyMetadata(k: AccessKeyRow, userName: string): AccessKeyMetadata {
  return { UserName: userName, AccessKeyId: k.access_key_id, Status: k.status, CreateDate: date(k.create_date) };
}

function tag(t: { Key: string; Value: string }): Tag {
  return { Key: t.Key, Value: t.Value };
}

/** The common `IsTruncated`/`Marker` members of a list response. */
function pageMeta<T>(p: Page<T>): { IsTruncated: boolean; Marker?: string } {
  return p.marker !== undefined ? { IsTruncated: p.isTruncated, Marker: p.marker } : { IsTruncated: p.isTruncated };
}

/** Sorts by the page key (the order markers rely on) and cuts one page. */
function pageOf<T>(items: readonly T[], key: (t: T) => string, req: PageRequest): Page<T> {
  return paginate(sortByKey(items, key), key, req);
}

// ---- caller defaults ---------------------------------------------------------------------------------

/** The user an operation acts on when `UserName` is omitted: the calling IAM user. */
function callerUserName(ctx: RequestContext): string {
  const p = ctx.principal;
  if (p.type === 'IAMUser' && p.name) return p.name;
  throw IamError.needUserName();
}

const versionKey = (v: VersionView): string => String(1e9 - Number(v.versionId.slice(1))).padStart(10, '0');
const tagKey = (t: { Key: string }): string => `${t.Key.toLowerCase()}\u0000${t.Key}`;
const nameOnly = (n: string): string => n;

// ---- handlers ----------------------------------------------------------------------------------------

export function createHandlers(backend: IamBackend): IamHandlers {
  const inline = (kind: OwnerKind) => ({
    put: async (owner: string, PolicyName: string, PolicyDocument: string, ctx: RequestContext) => {
      await backend.putInlinePolicy(ctx.accountId, kind, owner, PolicyName, PolicyDocument);
      return {};
    },
    get: async (owner: string, PolicyName: string, ctx: RequestContext) => {
      const p = await backend.getInlinePolicy(ctx.accountId, kind, owner, PolicyName);
      return { ownerName: p.ownerName, PolicyName, PolicyDocument: encodePolicyDocument(p.document) };
    },
    list: async (owner: string, req: PageRequest, ctx: RequestContext) => {
      const page = pageOf(await backend.listInlinePolicies(ctx.accountId, kind, owner), nameOnly, req);
      return { PolicyNames: page.items, ...pageMeta(page) };
    },
    del: async (owner: string, PolicyName: string, ctx: RequestContext) => {
      await backend.deleteInlinePolicy(ctx.accountId, kind, owner, PolicyName);
      return {};
    },
    attach: async (owner: string, PolicyArn: string, ctx: RequestContext) => {
      await backend.attachPolicy(ctx.accountId, ctx.now, kind, owner, PolicyArn);
      return {};
    },
    detach: async (owner: string, PolicyArn: string, ctx: RequestContext) => {
      await backend.detachPolicy(ctx.accountId, kind, owner, PolicyArn);
      return {};
    },
    listAttached: async (owner: string, req: PageRequest & { PathPrefix?: string }, ctx: RequestContext) => {
      const page = pageOf(await backend.listAttachedPolicies(ctx.accountId, kind, owner, req.PathPrefix), attachedKey, req);
      return { AttachedPolicies: page.items.map((a) => ({ PolicyName: a.policyName, PolicyArn: a.policyArn })), ...pageMeta(page) };
    },
  });
  const users = inline('user');
  const roles = inline('role');
  const groups = inline('group');

  return {
    // ---- users ----
    CreateUser: async (i, ctx) => ({ User: fullUser(await backend.createUser(ctx.accountId, ctx.now, i)) }),
    GetUser: async (i, ctx) => {
      if (i.UserName !== undefined) return { User: fullUser(await backend.getUser(ctx.accountId, i.UserName)) };
      const p = ctx.principal;
      if (p.type === 'Root') {
        // AWS answers for the account itself: its id as UserId and the root ARN; no UserName or Path.
        return { User: { UserId: ctx.accountId, Arn: p.arn, CreateDate: date(0) } as User };
      }
      return { User: fullUser(await backend.getUser(ctx.accountId, callerUserName(ctx))) };
    },
    ListUsers: async (i, ctx) => {
      const page = pageOf(await backend.listUsers(ctx.accountId, i.PathPrefix), userKey, i);
      return { Users: page.items.map(listedUser), ...pageMeta(page) };
    },
    UpdateUser: async (i, ctx) => {
      await backend.updateUser(ctx.accountId, i);
      return {};
    },
    DeleteUser: async (i, ctx) => {
      await backend.deleteUser(ctx.accountId, i.UserName);
      return {};
    },
    TagUser: async (i, ctx) => {
      await backend.tagUser(ctx.accountId, i.UserName, i.Tags);
      return {};
    },
    UntagUser: async (i, ctx) => {
      await backend.untagUser(ctx.accountId, i.UserName, i.TagKeys);
      return {};
    },
    ListUserTags: async (i, ctx) => {
      const { tags } = await backend.getUser(ctx.accountId, i.UserName);
      const page = pageOf(tags, tagKey, i);
      return { Tags: page.items.map(tag), ...pageMeta(page) };
    },
    PutUserPermissionsBoundary: async (i, ctx) => {
      await backend.putUserPermissionsBoundary(ctx.accountId, i.UserName, i.PermissionsBoundary);
      return {};
    },
    DeleteUserPermissionsBoundary: async (i, ctx) => {
      await backend.deleteUserPermissionsBoundary(ctx.accountId, i.UserName);
      return {};
    },

    // ---- access keys ----
    CreateAccessKey: async (i, ctx) => {
      if (i.UserName === undefined && ctx.principal.type === 'Root') {
        throw CommonErrors.notImplemented('iam', 'CreateAccessKey for the account root user');
      }
      const { key, user } = await backend.createAccessKey(ctx.accountId, ctx.now, i.UserName ?? callerUserName(ctx));
      return {
        AccessKey: {
          UserName: user.user_name,
          AccessKeyId: key.access_key_id,
          Status: key.status,
          SecretAccessKey: key.secret_access_key,
          CreateDate: date(key.create_date),
        },
      };
    },
    ListAccessKeys: async (i, ctx) => {
      if (i.UserName === undefined && ctx.principal.type === 'Root') return { AccessKeyMetadata: [], IsTruncated: false };
      const { user, keys } = await backend.listAccessKeys(ctx.accountId, i.UserName ?? callerUserName(ctx));
      const page = pageOf(keys, (k) => `${String(k.create_date).padStart(16, '0')}\u0000${k.access_key_id}`, i);
      return { AccessKeyMetadata: page.items.map((k) => keyMetadata(k, user.user_name)), ...pageMeta(page) };
    },
    UpdateAccessKey: async (i, ctx) => {
      const status = i.Status;
      if (status !== 'Active' && status !== 'Inactive') throw IamError.invalidInput(`Invalid status ${status}: must be Active or Inactive.`);
      await backend.updateAccessKey(ctx.accountId, i.UserName ?? callerUserName(ctx), i.AccessKeyId, status as 'Active' | 'Inactive');
      return {};
    },
    DeleteAccessKey: async (i, ctx) => {
      await backend.deleteAccessKey(ctx.accountId, i.UserName ?? callerUserName(ctx), i.AccessKeyId);
      return {};
    },
    GetAccessKeyLastUsed: async (i, ctx) => {
      const { key, user } = await backend.getAccessKeyLastUsed(ctx.accountId, i.AccessKeyId);
      return {
        UserName: user.user_name,
        AccessKeyLastUsed:
          key.last_used_date !== null
            ? { LastUsedDate: date(key.last_used_date), ServiceName: key.last_used_service ?? 'N/A', Region: key.last_used_region ?? 'N/A' }
            : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },

    // ---- roles ----
    CreateRole: async (i, ctx) => ({ Role: createdRole(await backend.createRole(ctx.accountId, ctx.now, i)) }),
    GetRole: async (i, ctx) => ({ Role: fullRole(await backend.getRole(ctx.accountId, i.RoleName)) }),
    ListRoles: async (i, ctx) => {
      const page = pageOf(await backend.listRoles(ctx.accountId, i.PathPrefix), roleKey, i);
      return { Roles: page.items.map(listedRole), ...pageMeta(page) };
    },
    UpdateRole: async (i, ctx) => {
      await backend.updateRole(ctx.accountId, i);
      return {};
    },
    UpdateRoleDescription: async (i, ctx) => {
      await backend.updateRole(ctx.accountId, { RoleName: i.RoleName, Description: i.Description });
      return { Role: fullRole(await backend.getRole(ctx.accountId, i.RoleName)) };
    },
    UpdateAssumeRolePolicy: async (i, ctx) => {
      await backend.updateAssumeRolePolicy(ctx.accountId, i.RoleName, i.PolicyDocument);
      return {};
    },
    DeleteRole: async (i, ctx) => {
      await backend.deleteRole(ctx.accountId, i.RoleName);
      return {};
    },
    PutRolePermissionsBoundary: async (i, ctx) => {
      await backend.putRolePermissionsBoundary(ctx.accountId, i.RoleName, i.PermissionsBoundary);
      return {};
    },
    DeleteRolePermissionsBoundary: async (i, ctx) => {
      await backend.deleteRolePermissionsBoundary(ctx.accountId, i.RoleName);
      return {};
    },
    TagRole: async (i, ctx) => {
      await backend.tagRole(ctx.accountId, i.RoleName, i.Tags);
      return {};
    },
    UntagRole: async (i, ctx) => {
      await backend.untagRole(ctx.accountId, i.RoleName, i.TagKeys);
      return {};
    },
    ListRoleTags: async (i, ctx) => {
      const { tags } = await backend.getRole(ctx.accountId, i.RoleName);
      const page = pageOf(tags, tagKey, i);
      return { Tags: page.items.map(tag), ...pageMeta(page) };
    },

    // ---- managed policies ----
    CreatePolicy: async (i, ctx) => ({ Policy: policy(await backend.createPolicy(ctx.accountId, ctx.now, i), 'create') }),
    GetPolicy: async (i, ctx) => ({ Policy: policy(await backend.getPolicy(ctx.accountId, i.PolicyArn), 'get') }),
    ListPolicies: async (i, ctx) => {
      const page = pageOf(
        await backend.listPolicies(ctx.accountId, {
          ...(i.Scope !== undefined ? { Scope: i.Scope as 'All' | 'AWS' | 'Local' } : {}),
          ...(i.OnlyAttached !== undefined ? { OnlyAttached: i.OnlyAttached } : {}),
          ...(i.PathPrefix !== undefined ? { PathPrefix: i.PathPrefix } : {}),
          ...(i.PolicyUsageFilter !== undefined ? { PolicyUsageFilter: i.PolicyUsageFilter as 'PermissionsPolicy' | 'PermissionsBoundary' } : {}),
        }),
        policyKey,
        i,
      );
      return { Policies: page.items.map((p) => policy(p, 'list')), ...pageMeta(page) };
    },
    DeletePolicy: async (i, ctx) => {
      await backend.deletePolicy(ctx.accountId, i.PolicyArn);
      return {};
    },
    CreatePolicyVersion: async (i, ctx) => ({ PolicyVersion: version(await backend.createPolicyVersion(ctx.accountId, ctx.now, i), false) }),
    GetPolicyVersion: async (i, ctx) => ({ PolicyVersion: version(await backend.getPolicyVersion(ctx.accountId, i.PolicyArn, i.VersionId), true) }),
    ListPolicyVersions: async (i, ctx) => {
      const page = pageOf(await backend.listPolicyVersions(ctx.accountId, i.PolicyArn), versionKey, i);
      return { Versions: page.items.map((v) => version(v, false)), ...pageMeta(page) };
    },
    DeletePolicyVersion: async (i, ctx) => {
      await backend.deletePolicyVersion(ctx.accountId, i.PolicyArn, i.VersionId);
      return {};
    },
    SetDefaultPolicyVersion: async (i, ctx) => {
      await backend.setDefaultPolicyVersion(ctx.accountId, i.PolicyArn, i.VersionId);
      return {};
    },
    TagPolicy: async (i, ctx) => {
      await backend.tagPolicy(ctx.accountId, i.PolicyArn, i.Tags);
      return {};
    },
    UntagPolicy: async (i, ctx) => {
      await backend.untagPolicy(ctx.accountId, i.PolicyArn, i.TagKeys);
      return {};
    },
    ListPolicyTags: async (i, ctx) => {
      const page = pageOf(await backend.listPolicyTags(ctx.accountId, i.PolicyArn), tagKey, i);
      return { Tags: page.items.map(tag), ...pageMeta(page) };
    },

    // ---- inline policies ----
    PutRolePolicy: (i, ctx) => roles.put(i.RoleName, i.PolicyName, i.PolicyDocument, ctx),
    GetRolePolicy: async (i, ctx) => {
      const p = await roles.get(i.RoleName, i.PolicyName, ctx);
      return { RoleName: p.ownerName, PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument };
    },
    ListRolePolicies: (i, ctx) => roles.list(i.RoleName, i, ctx),
    DeleteRolePolicy: (i, ctx) => roles.del(i.RoleName, i.PolicyName, ctx),
    PutUserPolicy: (i, ctx) => users.put(i.UserName, i.PolicyName, i.PolicyDocument, ctx),
    GetUserPolicy: async (i, ctx) => {
      const p = await users.get(i.UserName, i.PolicyName, ctx);
      return { UserName: p.ownerName, PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument };
    },
    ListUserPolicies: (i, ctx) => users.list(i.UserName, i, ctx),
    DeleteUserPolicy: (i, ctx) => users.del(i.UserName, i.PolicyName, ctx),
    PutGroupPolicy: (i, ctx) => groups.put(i.GroupName, i.PolicyName, i.PolicyDocument, ctx),
    GetGroupPolicy: async (i, ctx) => {
      const p = await groups.get(i.GroupName, i.PolicyName, ctx);
      return { GroupName: p.ownerName, PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument };
    },
    ListGroupPolicies: (i, ctx) => groups.list(i.GroupName, i, ctx),
    DeleteGroupPolicy: (i, ctx) => groups.del(i.GroupName, i.PolicyName, ctx),

    // ---- attachments ----
    AttachRolePolicy: (i, ctx) => roles.attach(i.RoleName, i.PolicyArn, ctx),
    DetachRolePolicy: (i, ctx) => roles.detach(i.RoleName, i.PolicyArn, ctx),
    ListAttachedRolePolicies: (i, ctx) => roles.listAttached(i.RoleName, i, ctx),
    AttachUserPolicy: (i, ctx) => users.attach(i.UserName, i.PolicyArn, ctx),
    DetachUserPolicy: (i, ctx) => users.detach(i.UserName, i.PolicyArn, ctx),
    ListAttachedUserPolicies: (i, ctx) => users.listAttached(i.UserName, i, ctx),
    AttachGroupPolicy: (i, ctx) => groups.attach(i.GroupName, i.PolicyArn, ctx),
    DetachGroupPolicy: (i, ctx) => groups.detach(i.GroupName, i.PolicyArn, ctx),
    ListAttachedGroupPolicies: (i, ctx) => groups.listAttached(i.GroupName, i, ctx),
    ListEntitiesForPolicy: async (i, ctx) => {
      const e = await backend.listEntitiesForPolicy(ctx.accountId, {
        PolicyArn: i.PolicyArn,
        ...(i.EntityFilter !== undefined ? { EntityFilter: i.EntityFilter } : {}),
        ...(i.PathPrefix !== undefined ? { PathPrefix: i.PathPrefix } : {}),
        ...(i.PolicyUsageFilter !== undefined ? { PolicyUsageFilter: i.PolicyUsageFilter as 'PermissionsPolicy' | 'PermissionsBoundary' } : {}),
      });
      type Entry = { key: string; g?: GroupRow; u?: UserRow; r?: RoleRow };
      const all: Entry[] = [
        ...e.groups.map((g) => ({ key: `0\u0000${groupKey(g)}`, g })),
        ...e.users.map((u) => ({ key: `1\u0000${userKey(u)}`, u })),
        ...e.roles.map((r) => ({ key: `2\u0000${roleKey(r)}`, r })),
      ];
      const page = pageOf(all, (x) => x.key, i);
      return {
        PolicyGroups: page.items.flatMap((x) => (x.g ? [{ GroupName: x.g.group_name, GroupId: x.g.group_id }] : [])),
        PolicyUsers: page.items.flatMap((x) => (x.u ? [{ UserName: x.u.user_name, UserId: x.u.user_id }] : [])),
        PolicyRoles: page.items.flatMap((x) => (x.r ? [{ RoleName: x.r.role_name, RoleId: x.r.role_id }] : [])),
        ...pageMeta(page),
      };
    },

    // ---- groups ----
    CreateGroup: async (i, ctx) => ({ Group: group(await backend.createGroup(ctx.accountId, ctx.now, i)) }),
    GetGroup: async (i, ctx) => {
      const g = await backend.getGroup(ctx.accountId, i.GroupName);
      const page = pageOf(g.users, userKey, i);
      return { Group: group(g.group), Users: page.items.map(listedUser), ...pageMeta(page) };
    },
    ListGroups: async (i, ctx) => {
      const page = pageOf(await backend.listGroups(ctx.accountId, i.PathPrefix), groupKey, i);
      return { Groups: page.items.map(group), ...pageMeta(page) };
    },
    UpdateGroup: async (i, ctx) => {
      await backend.updateGroup(ctx.accountId, i);
      return {};
    },
    DeleteGroup: async (i, ctx) => {
      await backend.deleteGroup(ctx.accountId, i.GroupName);
      return {};
    },
    AddUserToGroup: async (i, ctx) => {
      await backend.addUserToGroup(ctx.accountId, i.GroupName, i.UserName);
      return {};
    },
    RemoveUserFromGroup: async (i, ctx) => {
      await backend.removeUserFromGroup(ctx.accountId, i.GroupName, i.UserName);
      return {};
    },
    ListGroupsForUser: async (i, ctx) => {
      const page = pageOf(await backend.listGroupsForUser(ctx.accountId, i.UserName), groupKey, i);
      return { Groups: page.items.map(group), ...pageMeta(page) };
    },

    // ---- account ----
    GetAccountSummary: async (_i, ctx) => {
      const c = await backend.accountSummary(ctx.accountId);
      return { SummaryMap: accountSummaryMap(c) };
    },
  };
}

/** AWS's GetAccountSummary map: usage counts of this account and the default quotas mlzone enforces. */
function accountSummaryMap(c: { users: number; groups: number; roles: number; policies: number; attachments: number }): Record<string, number> {
  return {
    Users: c.users,
    UsersQuota: 5000,
    Groups: c.groups,
    GroupsQuota: 300,
    Roles: c.roles,
    RolesQuota: 1000,
    Policies: c.policies,
    PoliciesQuota: 1500,
    PolicyVersionsInUse: c.attachments,
    PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: 5,
    PolicySizeQuota: 6144,
    UserPolicySizeQuota: 2048,
    RolePolicySizeQuota: 10240,
    GroupPolicySizeQuota: 5120,
    AssumeRolePolicySizeQuota: 2048,
    AttachedPoliciesPerUserQuota: 10,
    AttachedPoliciesPerRoleQuota: 10,
    AttachedPoliciesPerGroupQuota: 10,
    GroupsPerUserQuota: 10,
    AccessKeysPerUserQuota: 2,
    SigningCertificatesPerUserQuota: 2,
    ServerCertificates: 0,
    ServerCertificatesQuota: 20,
    InstanceProfiles: 0,
    InstanceProfilesQuota: 1000,
    Providers: 0,
    MFADevices: 0,
    MFADevicesInUse: 0,
    AccountMFAEnabled: 0,
    AccountAccessKeysPresent: 0,
    AccountPasswordPresent: 0,
    AccountSigningCertificatesPresent: 0,
    GlobalEndpointTokenVersion: 1,
  };
}
