/**
 * What IAM must allow for each Organizations operation: action `organizations:<Operation>` on the resource
 * ARNs the service authorization reference lists for it, with `organizations:PolicyType`,
 * `aws:RequestTag/*`, `aws:TagKeys` and `aws:ResourceTag/*` filled from the input and the organization.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
 *
 * Operations without a resource type (DescribeOrganization, ListAccounts, ListRoots, ListPolicies) use `*`.
 * Before an organization exists every resource is `*` (the handler then answers
 * AWSOrganizationsNotInUseException); an id that does not exist gets the ARN its syntax implies, or `*`
 * for an unknown policy, whose type the ARN would need.
 */
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { OrganizationsOperations, Tag as ApiTag } from './api.gen.js';
import { accountArn, ouArn, policyArn, rootArn } from './domain/arns.js';
import { targetKindOf } from './domain/ids.js';
import type { OrgState, PolicyType } from './domain/model.js';
import { tagsOf } from './domain/model.js';
import { policyArnOf } from './domain/shapes.js';
import type { Organizations } from './organizations.js';
import { isLive } from './organizations.js';

type Ctx = Record<string, string | readonly string[]>;
type Authz = { [K in keyof OrganizationsOperations]?: AuthzFn<OrganizationsOperations[K]['input']> };

/** The ARN of a root, OU or account id (by its syntax), or of a policy of this organization. */
function arnOf(s: OrgState, id: string): string {
  if (!isLive(s)) return '*';
  const m = s.org.managementAccountId;
  const p = s.policies.get(id);
  if (p) return policyArnOf(s, p);
  const kind = targetKindOf(id);
  switch (kind) {
    case 'ROOT':
      return rootArn(m, s.org.id, id);
    case 'ORGANIZATIONAL_UNIT':
      return ouArn(m, s.org.id, id);
    case 'ACCOUNT':
      return accountArn(m, s.org.id, id);
    case undefined:
      return '*';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

function resourceTags(s: OrgState, id: string): Ctx {
  const out: Ctx = {};
  for (const t of tagsOf(s, id)) out[`aws:ResourceTag/${t.key}`] = t.value;
  return out;
}

function requestTags(tags: readonly ApiTag[] | undefined): Ctx {
  if (!tags || tags.length === 0) return {};
  const out: Ctx = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
  return out;
}

function policyTypeOf(s: OrgState, policyId: string): Ctx {
  const p = s.policies.get(policyId);
  return p ? { 'organizations:PolicyType': p.type } : {};
}

/** One request on an existing resource (its tags as `aws:ResourceTag/*`), plus extra context. */
function on(action: string, s: OrgState, id: string, extra: Ctx = {}): AuthzRequest {
  const p = s.policies.get(id);
  const req: AuthzRequest = { action, resource: arnOf(s, id), context: { ...resourceTags(s, id), ...extra } };
  // AWS-managed policies carry `aws` in their ARN; the organization's management account owns them here.
  return p?.awsManaged && isLive(s) ? { ...req, resourceAccount: s.org.managementAccountId } : req;
}

function global(action: string, extra: Ctx = {}): AuthzRequest {
  return { action, resource: '*', context: extra };
}

const a = (op: string): string => `organizations:${op}`;

/** `arn:aws:organizations::<management>:handshake/o-…/invite/h-…`, owned (for authorization) by the caller. */
function onHandshake(s: OrgState, action: string, handshakeId: string, callerAccountId: string): AuthzRequest {
  // Every handshake mlzone sends is an invitation (action INVITE).
  const resource = isLive(s) ? `arn:aws:organizations::${s.org.managementAccountId}:handshake/${s.org.id}/invite/${handshakeId}` : '*';
  return { action, resource, resourceAccount: callerAccountId, context: {} };
}

export function createAuthz(orgs: Organizations): Authz {
  const st = (): Promise<OrgState> => orgs.state();
  return {
    DescribeOrganization: () => [global(a('DescribeOrganization'))],
    DescribeAccount: async (i) => [on(a('DescribeAccount'), await st(), i.AccountId)],
    ListAccounts: () => [global(a('ListAccounts'))],
    ListAccountsForParent: async (i) => [on(a('ListAccountsForParent'), await st(), i.ParentId)],
    ListRoots: () => [global(a('ListRoots'))],
    ListOrganizationalUnitsForParent: async (i) => [on(a('ListOrganizationalUnitsForParent'), await st(), i.ParentId)],
    ListChildren: async (i) => [on(a('ListChildren'), await st(), i.ParentId)],
    ListParents: async (i) => [on(a('ListParents'), await st(), i.ChildId)],
    DescribeOrganizationalUnit: async (i) => [on(a('DescribeOrganizationalUnit'), await st(), i.OrganizationalUnitId)],
    CreateOrganizationalUnit: async (i) => [on(a('CreateOrganizationalUnit'), await st(), i.ParentId, requestTags(i.Tags))],
    DeleteOrganizationalUnit: async (i) => [on(a('DeleteOrganizationalUnit'), await st(), i.OrganizationalUnitId)],
    MoveAccount: async (i) => {
      const s = await st();
      return [on(a('MoveAccount'), s, i.AccountId), on(a('MoveAccount'), s, i.SourceParentId), on(a('MoveAccount'), s, i.DestinationParentId)];
    },
    CreatePolicy: async (i) => {
      const s = await st();
      // The policy does not exist yet: its ARN with the id left open.
      const resource = isLive(s) ? policyArn(s.org.managementAccountId, s.org.id, i.Type as PolicyType, '*') : '*';
      return [{ action: a('CreatePolicy'), resource, context: { 'organizations:PolicyType': i.Type, ...requestTags(i.Tags) } }];
    },
    UpdatePolicy: async (i) => {
      const s = await st();
      return [on(a('UpdatePolicy'), s, i.PolicyId, policyTypeOf(s, i.PolicyId))];
    },
    DeletePolicy: async (i) => {
      const s = await st();
      return [on(a('DeletePolicy'), s, i.PolicyId, policyTypeOf(s, i.PolicyId))];
    },
    DescribePolicy: async (i) => {
      const s = await st();
      return [on(a('DescribePolicy'), s, i.PolicyId, policyTypeOf(s, i.PolicyId))];
    },
    AttachPolicy: async (i) => {
      const s = await st();
      const t = policyTypeOf(s, i.PolicyId);
      return [on(a('AttachPolicy'), s, i.PolicyId, t), on(a('AttachPolicy'), s, i.TargetId, t)];
    },
    DetachPolicy: async (i) => {
      const s = await st();
      const t = policyTypeOf(s, i.PolicyId);
      return [on(a('DetachPolicy'), s, i.PolicyId, t), on(a('DetachPolicy'), s, i.TargetId, t)];
    },
    ListPolicies: (i) => [global(a('ListPolicies'), { 'organizations:PolicyType': i.Filter })],
    ListPoliciesForTarget: async (i) => [on(a('ListPoliciesForTarget'), await st(), i.TargetId, { 'organizations:PolicyType': i.Filter })],
    ListTargetsForPolicy: async (i) => {
      const s = await st();
      return [on(a('ListTargetsForPolicy'), s, i.PolicyId, policyTypeOf(s, i.PolicyId))];
    },
    EnablePolicyType: async (i) => [on(a('EnablePolicyType'), await st(), i.RootId, { 'organizations:PolicyType': i.PolicyType })],
    DisablePolicyType: async (i) => [on(a('DisablePolicyType'), await st(), i.RootId, { 'organizations:PolicyType': i.PolicyType })],
    TagResource: async (i) => {
      const s = await st();
      return [on(a('TagResource'), s, i.ResourceId, { ...policyTypeOf(s, i.ResourceId), ...requestTags(i.Tags) })];
    },
    UntagResource: async (i) => {
      const s = await st();
      return [on(a('UntagResource'), s, i.ResourceId, { ...policyTypeOf(s, i.ResourceId), 'aws:TagKeys': i.TagKeys })];
    },
    // CreateAccount and the request statuses name no resource type in the authorization reference.
    CreateAccount: (i) => [global(a('CreateAccount'), requestTags(i.Tags))],
    DescribeCreateAccountStatus: () => [global(a('DescribeCreateAccountStatus'))],
    ListCreateAccountStatus: () => [global(a('ListCreateAccountStatus'))],
    CloseAccount: async (i) => [on(a('CloseAccount'), await st(), i.AccountId)],
    RemoveAccountFromOrganization: async (i) => [on(a('RemoveAccountFromOrganization'), await st(), i.AccountId)],
    UpdateOrganizationalUnit: async (i) => [on(a('UpdateOrganizationalUnit'), await st(), i.OrganizationalUnitId)],
    // Invitations. Handshakes live in the management account's ARN space, but Organizations has no resource policy
    // on them: the recipient's own identity policies decide, so the resource is counted as the caller's.
    InviteAccountToOrganization: async (i) => {
      const s = await st();
      const target = i.Target.Type === 'ACCOUNT' && /^\d{12}$/.test(i.Target.Id) && isLive(s) ? accountArn(s.org.managementAccountId, s.org.id, i.Target.Id) : '*';
      const tags = requestTags(i.Tags);
      // Tagging the account-to-be also needs organizations:TagResource, as on AWS.
      return [{ action: a('InviteAccountToOrganization'), resource: target, context: tags }, ...(i.Tags?.length ? [{ action: a('TagResource'), resource: target, context: tags }] : [])];
    },
    AcceptHandshake: async (i, ctx) => [onHandshake(await st(), a('AcceptHandshake'), i.HandshakeId, ctx.accountId)],
    DeclineHandshake: async (i, ctx) => [onHandshake(await st(), a('DeclineHandshake'), i.HandshakeId, ctx.accountId)],
    CancelHandshake: async (i, ctx) => [onHandshake(await st(), a('CancelHandshake'), i.HandshakeId, ctx.accountId)],
    DescribeHandshake: async (i, ctx) => [onHandshake(await st(), a('DescribeHandshake'), i.HandshakeId, ctx.accountId)],
    ListHandshakesForAccount: () => [global(a('ListHandshakesForAccount'))],
    ListHandshakesForOrganization: () => [global(a('ListHandshakesForOrganization'))],
    // Trusted access and delegated administrators: organizations:ServicePrincipal in the context.
    EnableAWSServiceAccess: (i) => [global(a('EnableAWSServiceAccess'), { 'organizations:ServicePrincipal': i.ServicePrincipal })],
    DisableAWSServiceAccess: (i) => [global(a('DisableAWSServiceAccess'), { 'organizations:ServicePrincipal': i.ServicePrincipal })],
    ListAWSServiceAccessForOrganization: () => [global(a('ListAWSServiceAccessForOrganization'))],
    RegisterDelegatedAdministrator: async (i) => [on(a('RegisterDelegatedAdministrator'), await st(), i.AccountId, { 'organizations:ServicePrincipal': i.ServicePrincipal })],
    DeregisterDelegatedAdministrator: async (i) => [on(a('DeregisterDelegatedAdministrator'), await st(), i.AccountId, { 'organizations:ServicePrincipal': i.ServicePrincipal })],
    ListDelegatedAdministrators: (i) => [global(a('ListDelegatedAdministrators'), i.ServicePrincipal ? { 'organizations:ServicePrincipal': i.ServicePrincipal } : {})],
    // A delegated administrator reads about another account of the organization with its own permissions.
    ListDelegatedServicesForAccount: async (i, ctx) => [{ ...on(a('ListDelegatedServicesForAccount'), await st(), i.AccountId), resourceAccount: ctx.accountId }],
    // Only an account is a target (a root or OU is refused by the handler): only an account's tags are context.
    DescribeEffectivePolicy: async (i, ctx) => {
      const s = await st();
      const target = i.TargetId ?? ctx.accountId;
      const req =
        targetKindOf(target) === 'ACCOUNT'
          ? on(a('DescribeEffectivePolicy'), s, target, { 'organizations:PolicyType': i.PolicyType })
          : { action: a('DescribeEffectivePolicy'), resource: arnOf(s, target), context: { 'organizations:PolicyType': i.PolicyType } };
      return [{ ...req, resourceAccount: ctx.accountId }];
    },
    ListTagsForResource: async (i) => {
      const s = await st();
      return [on(a('ListTagsForResource'), s, i.ResourceId, policyTypeOf(s, i.ResourceId))];
    },
  };
}
