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
    ListTagsForResource: async (i) => {
      const s = await st();
      return [on(a('ListTagsForResource'), s, i.ResourceId, policyTypeOf(s, i.ResourceId))];
    },
  };
}
