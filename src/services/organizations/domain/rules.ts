/**
 * The checks Organizations makes before it changes anything, as pure functions over a snapshot. Each
 * throws the AWS error the API returns; the service calls them inside the write transaction, on a
 * snapshot read through that transaction, so the check and the write see the same state.
 */
import { errors } from './errors.js';
import { ACCOUNT_ID } from './ids.js';
import { defaultPolicyFor, isNonDetachable } from './managed-policies.js';
import type { OrgState, PolicyRecord, PolicyType, Tag } from './model.js';
import { attachedOfType, childrenOf, isContainer, ouDepth, SCP, RCP, tagsOf } from './model.js';
import type { LiveOrg } from './shapes.js';

/** Quotas from the Organizations user guide (orgs_reference_limits). */
export const LIMITS = {
  ouDepth: 5,
  policiesPerTargetPerType: 5,
  tagsPerResource: 50,
  /** Characters, whitespace included, for SCPs and RCPs; other policy types allow 10,000. */
  policyContentScpRcp: 5120,
  policyContentOther: 10_000,
} as const;

export function maxPolicyContent(type: PolicyType): number {
  return type === SCP || type === RCP ? LIMITS.policyContentScpRcp : LIMITS.policyContentOther;
}

export function checkNewOu(s: OrgState, parentId: string, name: string): void {
  if (!isContainer(s, parentId)) throw errors.parentNotFound();
  const siblings = childrenOf(s, parentId).ous;
  if (siblings.some((id) => s.ous.get(id)!.name === name)) throw errors.duplicateOu();
  const depth = s.ous.has(parentId) ? ouDepth(s, parentId) + 1 : 1;
  if (depth > LIMITS.ouDepth) throw errors.constraint('OU_DEPTH_LIMIT_EXCEEDED');
}

/** The root or OU at `Workloads/Prod` (OU names from the root; empty or `/` is the root); ParentNotFoundException when none. */
export function containerAtPath(s: LiveOrg, path: string): string {
  let cur = s.root.id;
  for (const name of path.split('/').filter((p) => p !== '')) {
    const next = [...s.ous.values()].find((o) => o.parentId === cur && o.name === name);
    if (!next) throw errors.parentNotFound();
    cur = next.id;
  }
  return cur;
}

export function checkDeleteOu(s: OrgState, ouId: string): void {
  if (!s.ous.has(ouId)) throw errors.ouNotFound();
  const c = childrenOf(s, ouId);
  if (c.ous.length > 0 || c.accounts.length > 0) throw errors.ouNotEmpty();
}

export function checkMove(s: OrgState, accountId: string, sourceParentId: string, destinationParentId: string): void {
  if (!s.accounts.has(accountId)) throw errors.accountNotFound();
  if (!isContainer(s, sourceParentId)) throw errors.sourceParentNotFound();
  if (!isContainer(s, destinationParentId)) throw errors.destinationParentNotFound();
  const current = s.accounts.get(accountId)!.parentId;
  if (current !== sourceParentId) throw errors.accountNotFound();
  if (current === destinationParentId) throw errors.duplicateAccount();
}

/**
 * The AWS-managed policies a new OU or account gets: one per enabled type that has one
 * (`FullAWSAccess` when SCPs are enabled, `RCPFullAWSAccess` when RCPs are).
 */
export function defaultAttachments(s: OrgState): string[] {
  const out: string[] = [];
  for (const t of [...s.enabledTypes].sort()) {
    const p = defaultPolicyFor(t);
    if (p) out.push(p.id);
  }
  return out;
}

export function checkAttach(s: OrgState, policy: PolicyRecord, targetId: string): void {
  if (!s.enabledTypes.has(policy.type)) throw errors.policyTypeNotEnabled();
  if ((s.policiesByTarget.get(targetId) ?? []).includes(policy.id)) throw errors.duplicateAttachment();
  if (attachedOfType(s, targetId, policy.type).length >= LIMITS.policiesPerTargetPerType) {
    throw errors.constraint('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
  }
}

export function checkDetach(s: OrgState, policy: PolicyRecord, targetId: string): void {
  if (isNonDetachable(policy.id)) throw errors.invalidInput('NON_DETACHABLE_POLICY', "You can't detach this AWS Managed Policy.");
  if (!(s.policiesByTarget.get(targetId) ?? []).includes(policy.id)) throw errors.policyNotAttached();
  // Every root, OU and account must keep at least one SCP while SCPs are enabled.
  if (policy.type === SCP && s.enabledTypes.has(SCP) && attachedOfType(s, targetId, SCP).length <= 1) {
    throw errors.constraint('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
  }
}

export function checkPolicyName(s: OrgState, type: PolicyType, name: string, exceptId?: string): void {
  for (const p of s.policies.values()) {
    if (p.type === type && p.name === name && p.id !== exceptId) throw errors.duplicatePolicy();
  }
}

/** A policy that exists and may be changed or deleted (customer-managed). */
export function mutablePolicy(s: OrgState, policyId: string): PolicyRecord {
  const p = s.policies.get(policyId);
  if (!p) throw errors.policyNotFound();
  if (p.awsManaged) throw errors.invalidInput('IMMUTABLE_POLICY', 'You specified a policy that is managed by AWS and can\'t be modified.');
  return p;
}

export function checkDeletePolicy(s: OrgState, policyId: string): PolicyRecord {
  const p = mutablePolicy(s, policyId);
  if ((s.targetsByPolicy.get(policyId) ?? []).length > 0) throw errors.policyInUse();
  return p;
}

/** Tags a resource would have after TagResource: existing keys are overwritten, new ones appended. */
export function mergeTags(s: OrgState, resourceId: string, add: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const t of add) {
    if (seen.has(t.key)) throw errors.invalidInput('DUPLICATE_TAG_KEY', 'Duplicate tag key in the request: ' + t.key);
    seen.add(t.key);
  }
  const merged = new Map(tagsOf(s, resourceId).map((t) => [t.key, t.value] as const));
  for (const t of add) merged.set(t.key, t.value);
  if (merged.size > LIMITS.tagsPerResource) throw errors.constraint('MAX_TAG_LIMIT_EXCEEDED');
  return [...merged].map(([key, value]) => ({ key, value }));
}

export type TaggableKind = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT' | 'POLICY';

/** What a TagResource/UntagResource/ListTagsForResource id names; TargetNotFoundException when nothing. */
export function taggable(s: OrgState, resourceId: string): TaggableKind {
  if (s.root?.id === resourceId) return 'ROOT';
  if (s.ous.has(resourceId)) return 'ORGANIZATIONAL_UNIT';
  if (ACCOUNT_ID.test(resourceId) && s.accounts.has(resourceId)) return 'ACCOUNT';
  const p = s.policies.get(resourceId);
  if (p && !p.awsManaged) return 'POLICY';
  throw errors.targetNotFound();
}
