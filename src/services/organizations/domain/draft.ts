/**
 * An organization being changed in memory: the rows read once, plus what the operations below add.
 * Each operation checks the current draft with the same rules as the API (rules.ts), throws the same
 * AwsError, and otherwise records its rows, so a later operation sees them. `takeAdded()` hands over
 * what to write.
 *
 * One API write is one operation on a draft. The blueprint loader runs its ~20 operations on one draft,
 * so it reads the organization once and writes a few multi-row inserts instead of reloading the whole
 * snapshot after every write.
 */
import type { Clock } from '../../../core/clock.js';
import { errors } from './errors.js';
import { ACCOUNT_ID, newOrganizationId, newOuId, newPolicyId, newRootId, ORGANIZATION_ID, ROOT_ID } from './ids.js';
import type { RandomChars } from './ids.js';
import { defaultPolicyFor } from './managed-policies.js';
import type {
  AccountRecord,
  AttachmentRecord,
  JoinedMethod,
  OrganizationRecord,
  OrgRows,
  OrgState,
  OuRecord,
  PolicyRecord,
  PolicyType,
  RootRecord,
  Tag,
} from './model.js';
import { buildState, isContainer, isTarget } from './model.js';
import { checkPolicyContent } from './policy-content.js';
import { checkAttach, checkNewOu, checkPolicyName, containerAtPath, defaultAttachments, mergeTags } from './rules.js';
import type { LiveOrg } from './shapes.js';

export interface NewAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly parentId?: string;
  readonly joinedMethod?: JoinedMethod;
  readonly tags?: readonly Tag[];
}

export interface NewPolicy {
  readonly name: string;
  readonly description: string;
  readonly type: PolicyType;
  readonly content: string;
  readonly tags?: readonly Tag[];
}

/** Rows to insert; `tagSets` replace the whole tag set of each resource named. */
export interface OrgAdditions {
  readonly organization?: OrganizationRecord;
  readonly root?: RootRecord;
  readonly ous: readonly OuRecord[];
  readonly accounts: readonly AccountRecord[];
  readonly policies: ReadonlyArray<{ readonly policy: PolicyRecord; readonly createdAt: number }>;
  readonly enabledTypes: ReadonlyArray<{ readonly rootId: string; readonly type: PolicyType }>;
  readonly attachments: ReadonlyArray<AttachmentRecord & { readonly attachedAt: number }>;
  readonly tagSets: ReadonlyMap<string, readonly Tag[]>;
}

interface Pending {
  organization?: OrganizationRecord;
  root?: RootRecord;
  ous: OuRecord[];
  accounts: AccountRecord[];
  policies: Array<{ policy: PolicyRecord; createdAt: number }>;
  enabledTypes: Array<{ rootId: string; type: PolicyType }>;
  attachments: Array<AttachmentRecord & { attachedAt: number }>;
  tagSets: Map<string, readonly Tag[]>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function nothingPending(): Pending {
  return { ous: [], accounts: [], policies: [], enabledTypes: [], attachments: [], tagSets: new Map() };
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function isLive(s: OrgState): s is LiveOrg {
  return s.org !== undefined && s.root !== undefined;
}

export function checkAccountFields(a: { id: string; name: string; email: string }): void {
  if (!ACCOUNT_ID.test(a.id)) throw errors.invalidInput('INVALID_PATTERN', `Invalid account id: ${a.id}`);
  if (a.name.length < 1 || a.name.length > 128) throw errors.invalidInput('INVALID_PATTERN', `Invalid account name: ${a.name}`);
  if (a.email.length < 6 || a.email.length > 64 || !EMAIL.test(a.email)) {
    throw errors.invalidInput('INVALID_PATTERN', `Invalid email address: ${a.email}`);
  }
}

/** The snapshot's indexes, kept up to date in place by the draft (rebuilding them per operation cost ms). */
interface LiveIndexes {
  org?: OrganizationRecord;
  root?: RootRecord;
  readonly ous: Map<string, OuRecord>;
  readonly accounts: Map<string, AccountRecord>;
  readonly policies: Map<string, PolicyRecord>;
  readonly policiesByTarget: Map<string, string[]>;
  readonly targetsByPolicy: Map<string, string[]>;
  readonly enabledTypes: Set<PolicyType>;
  readonly tags: Map<string, readonly Tag[]>;
  readonly children: Map<string, { ous: string[]; accounts: string[] }>;
}

export class OrgDraft {
  private readonly s: LiveIndexes;
  private pending: Pending = nothingPending();

  constructor(
    rows: OrgRows,
    private readonly clock: Clock,
    private readonly rand: RandomChars,
  ) {
    const built = buildState(rows);
    const copyLists = (m: ReadonlyMap<string, readonly string[]>) => new Map([...m].map(([k, v]) => [k, [...v]] as [string, string[]]));
    this.s = {
      org: built.org,
      root: built.root,
      ous: new Map(built.ous),
      accounts: new Map(built.accounts),
      policies: new Map(built.policies),
      policiesByTarget: copyLists(built.policiesByTarget),
      targetsByPolicy: copyLists(built.targetsByPolicy),
      enabledTypes: new Set(built.enabledTypes),
      tags: new Map(built.tags),
      children: new Map([...built.children].map(([k, c]) => [k, { ous: [...c.ous], accounts: [...c.accounts] }])),
    };
  }

  /**
   * The organization as it is with everything added so far: the same indexes `buildState` makes from
   * the rows. One object, changed in place by every operation.
   */
  get state(): OrgState {
    return this.s;
  }

  /** What the operations so far added; the draft then starts a new, empty list. */
  takeAdded(): OrgAdditions {
    const added = this.pending;
    this.pending = nothingPending();
    return added;
  }

  private live(): LiveOrg {
    const s = this.state;
    if (!isLive(s)) throw errors.notInUse();
    return s;
  }

  private attach(policyId: string, targetId: string, at: number): void {
    push(this.s.policiesByTarget, targetId, policyId);
    push(this.s.targetsByPolicy, policyId, targetId);
    this.pending.attachments.push({ policyId, targetId, attachedAt: at });
  }

  private setTags(resourceId: string, tags: readonly Tag[]): void {
    this.s.tags.set(resourceId, tags);
    this.pending.tagSets.set(resourceId, tags);
  }

  /** A new OU or account under its parent; children stay sorted, as `buildState` sorts them. */
  private adopt(parentId: string, kind: 'ous' | 'accounts', id: string): void {
    const list = this.s.children.get(parentId)![kind];
    list.push(id);
    list.sort();
  }

  /** Creates the organization (feature set ALL), its root and the management account under the root. */
  createOrganization(input: { id?: string; rootId?: string; managementAccount: { id: string; name: string; email: string } }): {
    id: string;
    rootId: string;
  } {
    if (this.state.org) throw errors.alreadyInOrganization();
    const now = this.clock.now();
    const id = input.id ?? newOrganizationId(this.rand);
    const rootId = input.rootId ?? newRootId(this.rand);
    if (!ORGANIZATION_ID.test(id)) throw errors.invalidInput('INVALID_PATTERN', `Invalid organization id: ${id}`);
    if (!ROOT_ID.test(rootId)) throw errors.invalidInput('INVALID_PATTERN', `Invalid root id: ${rootId}`);
    const m = input.managementAccount;
    checkAccountFields(m);
    const org: OrganizationRecord = { id, managementAccountId: m.id, featureSet: 'ALL', createdAt: now };
    const root: RootRecord = { id: rootId, name: 'Root' };
    const account: AccountRecord = { id: m.id, name: m.name, email: m.email, parentId: rootId, status: 'ACTIVE', joinedMethod: 'INVITED', joinedAt: now };
    this.s.org = this.pending.organization = org;
    this.s.root = this.pending.root = root;
    this.s.children.set(rootId, { ous: [], accounts: [] });
    this.s.accounts.set(account.id, account);
    this.adopt(rootId, 'accounts', account.id);
    this.pending.accounts.push(account);
    return { id, rootId };
  }

  /** Adds an account (the seeder's stand-in for CreateAccount/InviteAccountToOrganization). */
  createAccount(input: NewAccount): void {
    const s = this.live();
    const now = this.clock.now();
    checkAccountFields(input);
    if (s.accounts.has(input.id) || [...s.accounts.values()].some((a) => a.email === input.email)) throw errors.duplicateAccount();
    const parentId = input.parentId ?? s.root.id;
    if (!isContainer(s, parentId)) throw errors.parentNotFound();
    const tags = input.tags ? mergeTags(s, input.id, input.tags) : [];
    const a: AccountRecord = {
      id: input.id,
      name: input.name,
      email: input.email,
      parentId,
      status: 'ACTIVE',
      joinedMethod: input.joinedMethod ?? 'CREATED',
      joinedAt: now,
    };
    this.s.accounts.set(a.id, a);
    this.adopt(parentId, 'accounts', a.id);
    this.pending.accounts.push(a);
    for (const pid of defaultAttachments(s)) this.attach(pid, a.id, now);
    if (tags.length) this.setTags(a.id, tags);
  }

  createOu(parentId: string, name: string, tags: readonly Tag[] = []): string {
    const s = this.live();
    const now = this.clock.now();
    checkNewOu(s, parentId, name);
    const id = newOuId(s.root.id, this.rand);
    const merged = mergeTags(s, id, tags);
    const ou: OuRecord = { id, name, parentId, createdAt: now };
    this.s.ous.set(id, ou);
    this.s.children.set(id, { ous: [], accounts: [] });
    this.adopt(parentId, 'ous', id);
    this.pending.ous.push(ou);
    for (const pid of defaultAttachments(s)) this.attach(pid, id, now);
    if (merged.length) this.setTags(id, merged);
    return id;
  }

  /** Resolves `Workloads/Prod` (OU names from the root; empty or `/` is the root) to a container id. */
  resolveOuPath(path: string): string {
    return containerAtPath(this.live(), path);
  }

  createPolicy(input: NewPolicy): string {
    const s = this.live();
    const now = this.clock.now();
    checkPolicyContent(input.type, input.content);
    checkPolicyName(s, input.type, input.name);
    const id = newPolicyId(this.rand);
    const tags = mergeTags(s, id, input.tags ?? []);
    const p: PolicyRecord = { id, type: input.type, name: input.name, description: input.description, content: input.content, awsManaged: false };
    this.s.policies.set(id, p);
    this.pending.policies.push({ policy: p, createdAt: now });
    if (tags.length) this.setTags(id, tags);
    return id;
  }

  attachPolicy(policyId: string, targetId: string): void {
    const s = this.live();
    const now = this.clock.now();
    const p = s.policies.get(policyId);
    if (!p) throw errors.policyNotFound();
    if (!isTarget(s, targetId)) throw errors.targetNotFound();
    checkAttach(s, p, targetId);
    this.attach(policyId, targetId, now);
  }

  /**
   * Enables a policy type in the root. For SCPs and RCPs, AWS attaches the type's AWS-managed policy to the
   * root and to every OU and account; they then get it by default when created.
   */
  enablePolicyType(rootId: string | undefined, type: PolicyType): void {
    const s = this.live();
    const now = this.clock.now();
    if (rootId !== undefined && rootId !== s.root.id) throw errors.rootNotFound();
    if (s.enabledTypes.has(type)) throw errors.policyTypeAlreadyEnabled();
    this.s.enabledTypes.add(type);
    this.pending.enabledTypes.push({ rootId: s.root.id, type });
    const managed = defaultPolicyFor(type);
    if (managed) {
      for (const target of [s.root.id, ...s.ous.keys(), ...s.accounts.keys()]) {
        if (!(s.policiesByTarget.get(target) ?? []).includes(managed.id)) this.attach(managed.id, target, now);
      }
    }
  }
}
