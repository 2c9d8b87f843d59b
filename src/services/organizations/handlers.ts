/**
 * The Organizations API: one thin handler per operation. Each checks who may call it (management account,
 * or any member for DescribeOrganization), delegates to `Organizations` and shapes the answer.
 */
import type { Handlers } from '../../core/service.js';
import type { OrganizationsOperations, Tag as ApiTag } from './api.gen.js';
import { errors } from './domain/errors.js';
import type { OrgState, PolicyRecord, Tag } from './domain/model.js';
import { attachedOfType, childrenOf, isContainer, isGone, isTarget, tagsOf } from './domain/model.js';
import { paginate } from './domain/pagination.js';
import { taggable } from './domain/rules.js';
import {
  accountShape,
  childShape,
  organizationShape,
  ouShape,
  parentShape,
  policyShape,
  policySummaryShape,
  rootShape,
  tagsShape,
  targetSummaryShape,
} from './domain/shapes.js';
import type { LiveOrg } from './domain/shapes.js';
import type { Organizations } from './organizations.js';

const byId = (x: { readonly id: string }): string => x.id;
/** Policies list AWS-managed ones first, then by id; the key is also the paging key. */
const policyKey = (p: PolicyRecord): string => (p.awsManaged ? '0' : '1') + p.id;
const self = (id: string): string => id;

function tags(input: readonly ApiTag[] | undefined): Tag[] {
  return (input ?? []).map((t) => ({ key: t.Key, value: t.Value }));
}

function sortedBy<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

function container(s: OrgState, parentId: string): string {
  if (!isContainer(s, parentId)) throw errors.parentNotFound();
  return parentId;
}

function fresh(orgs: Organizations): Promise<LiveOrg> {
  return orgs.state() as Promise<LiveOrg>;
}

export function createHandlers(orgs: Organizations): Handlers<OrganizationsOperations> {
  return {
    DescribeOrganization: async (_input, ctx) => {
      const s = await orgs.forMember(ctx);
      return { Organization: organizationShape(s) };
    },

    DescribeAccount: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const a = s.accounts.get(input.AccountId);
      if (!a || isGone(a, orgs.now())) throw errors.accountNotFound();
      return { Account: accountShape(s, a) };
    },

    ListAccounts: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const now = orgs.now();
      const listed = sortedBy([...s.accounts.values()].filter((a) => !isGone(a, now)), byId);
      const page = paginate(listed, byId, 'ListAccounts', input);
      return { Accounts: page.items.map((a) => accountShape(s, a)), NextToken: page.nextToken };
    },

    ListAccountsForParent: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const now = orgs.now();
      const ids = childrenOf(s, container(s, input.ParentId)).accounts.filter((id) => !isGone(s.accounts.get(id)!, now));
      const page = paginate(ids, self, `ListAccountsForParent/${input.ParentId}`, input);
      return { Accounts: page.items.map((id) => accountShape(s, s.accounts.get(id)!)), NextToken: page.nextToken };
    },

    ListRoots: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const page = paginate([s.root], byId, 'ListRoots', input);
      return { Roots: page.items.map((r) => rootShape(s, r)), NextToken: page.nextToken };
    },

    ListOrganizationalUnitsForParent: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const ids = childrenOf(s, container(s, input.ParentId)).ous;
      const page = paginate(ids, self, `ListOrganizationalUnitsForParent/${input.ParentId}`, input);
      return { OrganizationalUnits: page.items.map((id) => ouShape(s, s.ous.get(id)!)), NextToken: page.nextToken };
    },

    ListChildren: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const c = childrenOf(s, container(s, input.ParentId));
      const now = orgs.now();
      const ids = input.ChildType === 'ORGANIZATIONAL_UNIT' ? c.ous : c.accounts.filter((id) => !isGone(s.accounts.get(id)!, now));
      const page = paginate(ids, self, `ListChildren/${input.ParentId}/${input.ChildType}`, input);
      return { Children: page.items.map((id) => childShape(s, id)), NextToken: page.nextToken };
    },

    ListParents: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const parent = s.ous.get(input.ChildId)?.parentId ?? s.accounts.get(input.ChildId)?.parentId;
      if (parent === undefined) throw errors.childNotFound();
      const page = paginate([parent], self, `ListParents/${input.ChildId}`, input);
      return { Parents: page.items.map((id) => parentShape(s, id)), NextToken: page.nextToken };
    },

    DescribeOrganizationalUnit: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const ou = s.ous.get(input.OrganizationalUnitId);
      if (!ou) throw errors.ouNotFound();
      return { OrganizationalUnit: ouShape(s, ou) };
    },

    CreateOrganizationalUnit: async (input, ctx) => {
      await orgs.forManagement(ctx);
      const id = await orgs.createOu(input.ParentId, input.Name, tags(input.Tags));
      const s = await fresh(orgs);
      return { OrganizationalUnit: ouShape(s, s.ous.get(id)!) };
    },

    DeleteOrganizationalUnit: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.deleteOu(input.OrganizationalUnitId);
      return {};
    },

    MoveAccount: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.moveAccount(input.AccountId, input.SourceParentId, input.DestinationParentId);
      return {};
    },

    CreatePolicy: async (input, ctx) => {
      await orgs.forManagement(ctx);
      const id = await orgs.createPolicy({
        name: input.Name,
        description: input.Description,
        type: input.Type,
        content: input.Content,
        tags: tags(input.Tags),
      });
      const s = await fresh(orgs);
      return { Policy: policyShape(s, s.policies.get(id)!) };
    },

    UpdatePolicy: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.updatePolicy(input.PolicyId, { name: input.Name, description: input.Description, content: input.Content });
      const s = await fresh(orgs);
      return { Policy: policyShape(s, s.policies.get(input.PolicyId)!) };
    },

    DeletePolicy: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.deletePolicy(input.PolicyId);
      return {};
    },

    DescribePolicy: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const p = s.policies.get(input.PolicyId);
      if (!p) throw errors.policyNotFound();
      return { Policy: policyShape(s, p) };
    },

    AttachPolicy: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.attachPolicy(input.PolicyId, input.TargetId);
      return {};
    },

    DetachPolicy: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.detachPolicy(input.PolicyId, input.TargetId);
      return {};
    },

    ListPolicies: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const ofType = sortedBy([...s.policies.values()].filter((p) => p.type === input.Filter), policyKey);
      const page = paginate(ofType, policyKey, `ListPolicies/${input.Filter}`, input);
      return { Policies: page.items.map((p) => policySummaryShape(s, p)), NextToken: page.nextToken };
    },

    ListPoliciesForTarget: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      if (!isTarget(s, input.TargetId)) throw errors.targetNotFound();
      const attached = sortedBy(attachedOfType(s, input.TargetId, input.Filter), policyKey);
      const page = paginate(attached, policyKey, `ListPoliciesForTarget/${input.TargetId}/${input.Filter}`, input);
      return { Policies: page.items.map((p) => policySummaryShape(s, p)), NextToken: page.nextToken };
    },

    ListTargetsForPolicy: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      if (!s.policies.has(input.PolicyId)) throw errors.policyNotFound();
      const targets = [...(s.targetsByPolicy.get(input.PolicyId) ?? [])].sort();
      const page = paginate(targets, self, `ListTargetsForPolicy/${input.PolicyId}`, input);
      return { Targets: page.items.map((id) => targetSummaryShape(s, id)), NextToken: page.nextToken };
    },

    EnablePolicyType: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.enablePolicyType(input.RootId, input.PolicyType);
      const s = await fresh(orgs);
      return { Root: rootShape(s, s.root) };
    },

    DisablePolicyType: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.disablePolicyType(input.RootId, input.PolicyType);
      const s = await fresh(orgs);
      return { Root: rootShape(s, s.root) };
    },

    TagResource: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.tagResource(input.ResourceId, tags(input.Tags));
      return {};
    },

    UntagResource: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.untagResource(input.ResourceId, input.TagKeys);
      return {};
    },

    ListTagsForResource: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      taggable(s, input.ResourceId);
      return { Tags: tagsShape(tagsOf(s, input.ResourceId)) };
    },
  };
}
