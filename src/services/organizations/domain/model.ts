/**
 * The organization as plain data: records as the store returns them, and `OrgState`, an immutable
 * snapshot with the indexes every query needs (children per container, attachments both ways).
 * Everything here is pure; the service builds a snapshot per write transaction and caches one for reads.
 */
import { AWS_MANAGED_POLICIES } from './managed-policies.js';

/** The model's `PolicyType` enum. SCPs and RCPs carry IAM semantics; other types are stored as given. */
export type PolicyType = string;
export const SCP = 'SERVICE_CONTROL_POLICY';
export const RCP = 'RESOURCE_CONTROL_POLICY';

export interface OrganizationRecord {
  readonly id: string;
  readonly managementAccountId: string;
  readonly featureSet: 'ALL';
  readonly createdAt: number;
}

export interface RootRecord {
  readonly id: string;
  readonly name: string;
}

export interface OuRecord {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
  readonly createdAt: number;
}

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
export type JoinedMethod = 'CREATED' | 'INVITED';

export interface AccountRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly parentId: string;
  readonly status: AccountStatus;
  readonly joinedMethod: JoinedMethod;
  readonly joinedAt: number;
  /** When CloseAccount closed it (status SUSPENDED); undefined while the account is open. */
  readonly closedAt?: number;
}

export interface PolicyRecord {
  readonly id: string;
  readonly type: PolicyType;
  readonly name: string;
  readonly description: string;
  readonly content: string;
  readonly awsManaged: boolean;
}

export interface AttachmentRecord {
  readonly policyId: string;
  readonly targetId: string;
}

export interface TagRecord {
  readonly resourceId: string;
  readonly key: string;
  readonly value: string;
}

/** Everything the store holds, as rows. */
export interface OrgRows {
  readonly org?: OrganizationRecord;
  readonly root?: RootRecord;
  readonly ous: readonly OuRecord[];
  readonly accounts: readonly AccountRecord[];
  readonly policies: readonly PolicyRecord[];
  readonly attachments: readonly AttachmentRecord[];
  readonly enabledTypes: readonly PolicyType[];
  readonly tags: readonly TagRecord[];
}

export interface Children {
  readonly ous: readonly string[];
  readonly accounts: readonly string[];
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** An immutable snapshot of one organization with its indexes. */
export interface OrgState {
  readonly org?: OrganizationRecord;
  readonly root?: RootRecord;
  readonly ous: ReadonlyMap<string, OuRecord>;
  readonly accounts: ReadonlyMap<string, AccountRecord>;
  /** Customer policies plus the AWS-managed ones, which always exist. */
  readonly policies: ReadonlyMap<string, PolicyRecord>;
  /** Target id → attached policy ids (all types), in attachment order. */
  readonly policiesByTarget: ReadonlyMap<string, readonly string[]>;
  /** Policy id → target ids, in attachment order. */
  readonly targetsByPolicy: ReadonlyMap<string, readonly string[]>;
  readonly enabledTypes: ReadonlySet<PolicyType>;
  readonly tags: ReadonlyMap<string, readonly Tag[]>;
  /** Container (root or OU) id → child OU and account ids, sorted. */
  readonly children: ReadonlyMap<string, Children>;
}

/** How long a closed account stays in the organization's lists (SUSPENDED) before AWS removes it for good. */
export const CLOSED_ACCOUNT_LISTED_MS = 90 * 24 * 3600 * 1000;

/** A closed account past its 90 days: no longer listed nor found. */
export function isGone(a: AccountRecord, now: number): boolean {
  return a.closedAt !== undefined && now - a.closedAt >= CLOSED_ACCOUNT_LISTED_MS;
}

const NO_CHILDREN: Children = { ous: [], accounts: [] };

export function buildState(rows: OrgRows): OrgState {
  const ous = new Map(rows.ous.map((o) => [o.id, o] as const));
  const accounts = new Map(rows.accounts.map((a) => [a.id, a] as const));
  const policies = new Map<string, PolicyRecord>(AWS_MANAGED_POLICIES.map((p) => [p.id, p] as const));
  for (const p of rows.policies) policies.set(p.id, p);

  const policiesByTarget = new Map<string, string[]>();
  const targetsByPolicy = new Map<string, string[]>();
  for (const a of rows.attachments) {
    push(policiesByTarget, a.targetId, a.policyId);
    push(targetsByPolicy, a.policyId, a.targetId);
  }

  const tags = new Map<string, Tag[]>();
  for (const t of rows.tags) push(tags, t.resourceId, { key: t.key, value: t.value });

  const childOus = new Map<string, string[]>();
  const childAccounts = new Map<string, string[]>();
  for (const o of rows.ous) push(childOus, o.parentId, o.id);
  for (const a of rows.accounts) push(childAccounts, a.parentId, a.id);
  const children = new Map<string, Children>();
  for (const id of [...(rows.root ? [rows.root.id] : []), ...ous.keys()]) {
    children.set(id, { ous: (childOus.get(id) ?? []).sort(), accounts: (childAccounts.get(id) ?? []).sort() });
  }

  return {
    org: rows.org,
    root: rows.root,
    ous,
    accounts,
    policies,
    policiesByTarget,
    targetsByPolicy,
    enabledTypes: new Set(rows.enabledTypes),
    tags,
    children,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function isContainer(s: OrgState, id: string): boolean {
  return s.root?.id === id || s.ous.has(id);
}

/** A root, OU or account of this organization. */
export function isTarget(s: OrgState, id: string): boolean {
  return isContainer(s, id) || s.accounts.has(id);
}

export function childrenOf(s: OrgState, containerId: string): Children {
  return s.children.get(containerId) ?? NO_CHILDREN;
}

/** The parent of an OU or account; undefined for the root or an unknown id. */
export function parentOf(s: OrgState, childId: string): string | undefined {
  return s.ous.get(childId)?.parentId ?? s.accounts.get(childId)?.parentId;
}

/**
 * The containers above a target, from the root down to its direct parent (empty for the root itself).
 * Throws on a cycle, which the store's invariants rule out.
 */
export function ancestorsOf(s: OrgState, id: string): string[] {
  const out: string[] = [];
  let cur = parentOf(s, id);
  while (cur !== undefined) {
    out.push(cur);
    if (out.length > 64) throw new Error(`organizations: parent cycle above ${id}`);
    cur = s.ous.get(cur)?.parentId;
  }
  return out.reverse();
}

/** Number of OU levels from the root down to and including this OU (a child of the root has depth 1). */
export function ouDepth(s: OrgState, ouId: string): number {
  return ancestorsOf(s, ouId).length;
}

/** `o-x/r-y/ou-a/…/` followed by `tail/` when given. */
function pathString(s: OrgState, containers: readonly string[], tail?: string): string {
  const parts = [s.org!.id, ...containers];
  if (tail !== undefined) parts.push(tail);
  return parts.join('/') + '/';
}

/** `aws:PrincipalOrgPaths` form for an account: `o-x/r-y/ou-a/ou-b/` (the account's own id is not included). */
export function orgPathOf(s: OrgState, accountId: string): string | undefined {
  if (!s.org || !s.accounts.has(accountId)) return undefined;
  return pathString(s, ancestorsOf(s, accountId));
}

/** The `Path` of an OU as DescribeOrganizationalUnit reports it: ends with the OU itself. */
export function ouPathOf(s: OrgState, ouId: string): string {
  return pathString(s, ancestorsOf(s, ouId), ouId);
}

/** The `Paths` entry of an account as DescribeAccount reports it: ends with the account id. */
export function accountPathOf(s: OrgState, accountId: string): string {
  return pathString(s, ancestorsOf(s, accountId), accountId);
}

/** Policies of one type attached directly to a target: AWS-managed first, then in attachment order. */
export function attachedOfType(s: OrgState, targetId: string, type: PolicyType): PolicyRecord[] {
  const managed: PolicyRecord[] = [];
  const customer: PolicyRecord[] = [];
  for (const pid of s.policiesByTarget.get(targetId) ?? []) {
    const p = s.policies.get(pid);
    if (p && p.type === type) (p.awsManaged ? managed : customer).push(p);
  }
  return managed.concat(customer);
}

/**
 * The policies of `type` that govern an account, one array per level: the root, each OU on the path, the
 * account. Empty when the type is not enabled, for the management account (exempt from SCPs and RCPs) and
 * for accounts outside the organization.
 */
export function effectiveLevels(s: OrgState, accountId: string, type: PolicyType): PolicyRecord[][] {
  if (!s.org || !s.enabledTypes.has(type) || accountId === s.org.managementAccountId || !s.accounts.has(accountId)) return [];
  return [...ancestorsOf(s, accountId), accountId].map((t) => attachedOfType(s, t, type));
}

export function tagsOf(s: OrgState, resourceId: string): readonly Tag[] {
  return s.tags.get(resourceId) ?? [];
}
