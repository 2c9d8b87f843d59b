/**
 * The Organizations service state machine shared by the API handlers, the published directory and the
 * blueprint seeder.
 *
 * Reads use one cached, immutable snapshot of the whole organization (it is small: tens of accounts and
 * OUs), plus per-snapshot memos for the hot directory questions (`policiesFor`, `orgPath`, `account`), so a
 * cached answer costs a map lookup. Writes run in a transaction: they load a snapshot through that
 * transaction, check it with the pure rules in `domain/`, write, and then drop the cache. A generation
 * counter keeps a load that raced with a write from caching what it read. The creating writes go through
 * a draft (`domain/draft.ts`), which the blueprint seeder keeps for a whole organization: one load, then
 * every operation checked against the draft and the rows written together.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { AwsError } from '../../core/errors.js';
import type { Database } from '../../persistence/db.js';
import { isUniqueViolation } from '../../persistence/errors.js';
import { accountArn, organizationArn, policyArn, awsManagedPolicyArn } from './domain/arns.js';
import { OrgDraft } from './domain/draft.js';
import type { NewAccount, NewPolicy } from './domain/draft.js';
import { errors } from './domain/errors.js';
import { randomChars } from './domain/ids.js';
import type { RandomChars } from './domain/ids.js';
import type { OrgState, PolicyType, Tag } from './domain/model.js';
import { buildState, childrenOf, effectiveLevels, isGone, isTarget, orgPathOf } from './domain/model.js';
import { checkPolicyContent } from './domain/policy-content.js';
import {
  checkDeleteOu,
  checkDeletePolicy,
  checkDetach,
  checkMove,
  checkPolicyName,
  containerAtPath,
  mergeTags,
  mutablePolicy,
  taggable,
} from './domain/rules.js';
import type { LiveOrg } from './domain/shapes.js';
import type { DirectoryAccount, DirectoryOrganization, DirectoryPolicy } from './index.js';
import { delegationStore } from './delegation-store.js';
import { handshakeStore } from './handshake-store.js';
import { store } from './store.js';

type Ex = Kysely<any>;

/** Answers memoized for one snapshot; thrown away with it. */
class Views {
  organization: DirectoryOrganization | undefined | null = null;
  accountList: DirectoryAccount[] | undefined;
  readonly accounts = new Map<string, DirectoryAccount | undefined>();
  readonly paths = new Map<string, string | undefined>();
  /** Policy type → account id → levels. */
  readonly levels = new Map<string, Map<string, DirectoryPolicy[][]>>();

  constructor(readonly state: OrgState) {}
}

export function isLive(s: OrgState): s is LiveOrg {
  return s.org !== undefined && s.root !== undefined;
}

function live(s: OrgState): LiveOrg {
  if (!isLive(s)) throw errors.notInUse();
  return s;
}

export type { NewAccount, NewPolicy } from './domain/draft.js';

interface WriteOptions {
  /** A transaction the caller holds. */
  readonly trx?: Ex;
  /** The AWS error a unique-key violation stands for. */
  readonly conflict?: () => AwsError;
}

export class Organizations {
  private views: Views | undefined;
  private loading: Promise<Views> | undefined;
  private generation = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly rand: RandomChars = randomChars,
  ) {}

  // ---- reads ---------------------------------------------------------------------------------------

  /** The current snapshot (cached). */
  async state(): Promise<OrgState> {
    return (this.views ?? (await this.load())).state;
  }

  private load(): Promise<Views> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    // One transaction, so the eight table reads form one consistent snapshot.
    const p: Promise<Views> = this.db
      .transaction((trx) => store.load(trx))
      .then((rows) => {
        const v = new Views(buildState(rows));
        if (generation === this.generation) this.views = v;
        return v;
      })
      .finally(() => {
        if (this.loading === p) this.loading = undefined;
      });
    this.loading = p;
    return p;
  }

  /** The database, for the tables outside the snapshot (handshakes, delegations). */
  database(): Ex {
    return this.db.kysely;
  }

  /** The service clock's time (closed accounts leave the lists 90 days after closing). */
  now(): number {
    return this.clock.now();
  }

  /** Bumped by every `invalidate()`. */
  version(): number {
    return this.generation;
  }

  /** Drops the cached snapshot and every memo built on it. */
  invalidate(): void {
    this.generation++;
    this.views = undefined;
    this.loading = undefined;
  }

  /**
   * The snapshot, for an operation only the management account may call: AWSOrganizationsNotInUseException
   * when there is no organization or the caller's account is not in it, AccessDeniedException for members.
   */
  async forManagement(ctx: RequestContext): Promise<LiveOrg> {
    const s = await this.forMember(ctx);
    if (ctx.accountId !== s.org.managementAccountId) throw errors.accessDenied();
    return s;
  }

  /**
   * The snapshot, for an operation the management account or a delegated administrator (of any service) may call;
   * AccessDeniedException for other members.
   */
  async forManagementOrDelegate(ctx: RequestContext): Promise<LiveOrg> {
    const s = await this.forMember(ctx);
    if (ctx.accountId !== s.org.managementAccountId && !(await delegationStore.isDelegatedAdmin(this.db.kysely, ctx.accountId))) throw errors.accessDenied();
    return s;
  }

  /** Runs `fn` in one transaction and drops the cache afterwards (writes outside the snapshot's tables that change it). */
  inTransaction<R>(fn: (ex: Ex, now: number) => Promise<R>): Promise<R> {
    return this.transact((ex) => fn(ex, this.clock.now()));
  }

  /** The snapshot, for an operation any account of the organization may call. */
  async forMember(ctx: RequestContext): Promise<LiveOrg> {
    const s = await this.state();
    if (!isLive(s) || !s.accounts.has(ctx.accountId)) throw errors.notInUse();
    return s;
  }

  // Directory answers. Each first looks in the memo of the cached snapshot without awaiting anything, so
  // a hit costs a map lookup and one resolved promise; a miss loads the snapshot if needed and computes.

  directoryOrganization(): Promise<DirectoryOrganization | undefined> {
    const v = this.views;
    if (v && v.organization !== null) return Promise.resolve(v.organization);
    return this.withViews((w) => {
      if (w.organization === null) w.organization = organizationOf(w.state);
      return w.organization;
    });
  }

  directoryAccount(accountId: string): Promise<DirectoryAccount | undefined> {
    const v = this.views;
    if (v && v.accounts.has(accountId)) return Promise.resolve(v.accounts.get(accountId));
    return this.withViews((w) => accountOf(w, accountId));
  }

  directoryAccounts(): Promise<DirectoryAccount[]> {
    const v = this.views;
    if (v?.accountList) return Promise.resolve(v.accountList);
    return this.withViews((w) => {
      if (!w.accountList) {
        const list = [...w.state.accounts.keys()].sort().map((id) => accountOf(w, id)!);
        w.accountList = Object.freeze(list) as DirectoryAccount[];
      }
      return w.accountList;
    });
  }

  directoryOrgPath(accountId: string): Promise<string | undefined> {
    const v = this.views;
    if (v && v.paths.has(accountId)) return Promise.resolve(v.paths.get(accountId));
    return this.withViews((w) => {
      const p = orgPathOf(w.state, accountId);
      w.paths.set(accountId, p);
      return p;
    });
  }

  directoryPoliciesFor(accountId: string, type: PolicyType): Promise<DirectoryPolicy[][]> {
    const hit = this.views?.levels.get(type)?.get(accountId);
    if (hit) return Promise.resolve(hit);
    return this.withViews((w) => {
      const levels = levelsOf(w.state, accountId, type);
      let byAccount = w.levels.get(type);
      if (!byAccount) w.levels.set(type, (byAccount = new Map()));
      byAccount.set(accountId, levels);
      return levels;
    });
  }

  private async withViews<R>(fn: (v: Views) => R): Promise<R> {
    return fn(this.views ?? (await this.load()));
  }

  // ---- writes --------------------------------------------------------------------------------------

  /**
   * Runs `fn` in a transaction (`trx` when the caller already holds one, else a new one), then drops the
   * cache whatever happened. A unique-key violation becomes `conflict()`.
   */
  private async transact<R>(fn: (ex: Ex) => Promise<R>, opts: WriteOptions = {}): Promise<R> {
    try {
      return opts.trx ? await fn(opts.trx) : await this.db.transaction(fn);
    } catch (e) {
      // The rules ran on a snapshot; a concurrent writer (PostgreSQL) may still win the race to a unique key.
      if (opts.conflict && isUniqueViolation(e)) throw opts.conflict();
      throw e;
    } finally {
      this.invalidate();
    }
  }

  /** Runs `fn` on a snapshot read inside the write's transaction (see `transact`). */
  private write<R>(fn: (s: OrgState, ex: Ex, now: number) => Promise<R>, opts: WriteOptions = {}): Promise<R> {
    return this.transact(async (ex) => fn(buildState(await store.load(ex)), ex, this.clock.now()), opts);
  }

  /** Runs one operation on a draft read inside the write's transaction and writes what it added. */
  private change<R>(fn: (d: OrgDraft) => R, opts: WriteOptions = {}): Promise<R> {
    return this.transact(async (ex) => {
      const d = new OrgDraft(await store.load(ex), this.clock, this.rand);
      const result = fn(d);
      await store.insert(ex, d.takeAdded());
      return result;
    }, opts);
  }

  /**
   * A draft for many operations inside the caller's transaction: the organization is read once, and
   * `save` writes what the operations added since the last save. The cache is dropped now and at every
   * save; drop it again once the transaction has committed.
   */
  async draft(trx: Ex): Promise<{ draft: OrgDraft; save(): Promise<void> }> {
    this.invalidate();
    const draft = new OrgDraft(await store.load(trx), this.clock, this.rand);
    return {
      draft,
      save: async () => {
        try {
          await store.insert(trx, draft.takeAdded());
        } finally {
          this.invalidate();
        }
      },
    };
  }

  /** Creates the organization (feature set ALL), its root and the management account under the root. */
  createOrganization(
    input: { id?: string; rootId?: string; managementAccount: { id: string; name: string; email: string } },
    trx?: Ex,
  ): Promise<{ id: string; rootId: string }> {
    return this.change((d) => d.createOrganization(input), { trx, conflict: errors.alreadyInOrganization });
  }

  /** Adds an account (the seeder's stand-in for CreateAccount/InviteAccountToOrganization). */
  createAccount(input: NewAccount, trx?: Ex): Promise<void> {
    return this.change((d) => d.createAccount(input), { trx, conflict: errors.duplicateAccount });
  }

  createOu(parentId: string, name: string, tags: readonly Tag[] = [], trx?: Ex): Promise<string> {
    return this.change((d) => d.createOu(parentId, name, tags), { trx, conflict: errors.duplicateOu });
  }

  /** Resolves `Workloads/Prod` (OU names from the root; empty or `/` is the root) to a container id. */
  async resolveOuPath(path: string, trx?: Ex): Promise<string> {
    return containerAtPath(live(trx ? buildState(await store.load(trx)) : await this.state()), path);
  }

  deleteOu(ouId: string): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      checkDeleteOu(s, ouId);
      // Deleting an OU detaches its policies and drops its tags.
      await store.detachAllFromTarget(ex, ouId);
      await store.setTags(ex, ouId, []);
      await store.deleteOu(ex, ouId);
    });
  }

  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      checkMove(s, accountId, sourceParentId, destinationParentId);
      await store.setAccountParent(ex, accountId, destinationParentId);
    });
  }

  /** Renames an OU (UpdateOrganizationalUnit); siblings keep unique names. */
  renameOu(ouId: string, name: string): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      const ou = s.ous.get(ouId);
      if (!ou) throw errors.ouNotFound();
      if (ou.name === name) return;
      if (childrenOf(s, ou.parentId).ous.some((id) => id !== ouId && s.ous.get(id)!.name === name)) throw errors.duplicateOu();
      await store.renameOu(ex, ouId, name);
    }, { conflict: errors.duplicateOu });
  }

  /**
   * CloseAccount: the account becomes SUSPENDED at once (AWS passes through PENDING_CLOSURE for minutes; here the
   * closure has nothing to wait for). It stays listed for 90 days, as on AWS, and its principals are refused.
   */
  closeAccount(accountId: string): Promise<void> {
    return this.write(async (s0, ex, now) => {
      const s = live(s0);
      const a = s.accounts.get(accountId);
      if (!a || isGone(a, now)) throw errors.accountNotFound();
      if (a.id === s.org.managementAccountId) throw errors.constraint('CANNOT_CLOSE_MANAGEMENT_ACCOUNT');
      if (a.status !== 'ACTIVE') throw errors.accountAlreadyClosed();
      await store.closeAccount(ex, accountId, now);
    });
  }

  /** RemoveAccountFromOrganization: the account leaves (its policies and tags with it) and becomes standalone. */
  removeAccount(accountId: string): Promise<void> {
    return this.write(async (s0, ex, now) => {
      const s = live(s0);
      const a = s.accounts.get(accountId);
      if (!a || isGone(a, now)) throw errors.accountNotFound();
      if (a.id === s.org.managementAccountId) throw errors.masterCannotLeave();
      if (await delegationStore.isDelegatedAdmin(ex, accountId)) throw errors.constraint('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
      await store.removeAccount(ex, accountId);
      // Standalone now: remembered so that it can be invited back as itself.
      await handshakeStore.putFormer(ex, { id: a.id, name: a.name, email: a.email }, now);
    });
  }

  createPolicy(input: NewPolicy, trx?: Ex): Promise<string> {
    return this.change((d) => d.createPolicy(input), { trx, conflict: errors.duplicatePolicy });
  }

  updatePolicy(policyId: string, change: { name?: string; description?: string; content?: string }): Promise<void> {
    return this.write(async (s0, ex, now) => {
      const s = live(s0);
      const p = mutablePolicy(s, policyId);
      if (change.content !== undefined) checkPolicyContent(p.type, change.content);
      if (change.name !== undefined) checkPolicyName(s, p.type, change.name, p.id);
      await store.updatePolicy(ex, {
        ...p,
        name: change.name ?? p.name,
        description: change.description ?? p.description,
        content: change.content ?? p.content,
      }, now);
    }, { conflict: errors.duplicatePolicy });
  }

  deletePolicy(policyId: string): Promise<void> {
    return this.write(async (s0, ex) => {
      checkDeletePolicy(live(s0), policyId);
      await store.setTags(ex, policyId, []);
      await store.deletePolicy(ex, policyId);
    });
  }

  attachPolicy(policyId: string, targetId: string, trx?: Ex): Promise<void> {
    return this.change((d) => d.attachPolicy(policyId, targetId), { trx, conflict: errors.duplicateAttachment });
  }

  detachPolicy(policyId: string, targetId: string, trx?: Ex): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      const p = s.policies.get(policyId);
      if (!p) throw errors.policyNotFound();
      if (!isTarget(s, targetId)) throw errors.targetNotFound();
      checkDetach(s, p, targetId);
      await store.detach(ex, policyId, targetId);
    }, { trx });
  }

  /**
   * Enables a policy type in the root. For SCPs and RCPs, AWS attaches the type's AWS-managed policy to the
   * root and to every OU and account; they then get it by default when created.
   */
  enablePolicyType(rootId: string | undefined, type: PolicyType, trx?: Ex): Promise<void> {
    return this.change((d) => d.enablePolicyType(rootId, type), { trx, conflict: errors.policyTypeAlreadyEnabled });
  }

  /** Disables a policy type: every policy of that type is detached from every target (the policies remain). */
  disablePolicyType(rootId: string, type: PolicyType): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      if (rootId !== s.root.id) throw errors.rootNotFound();
      if (!s.enabledTypes.has(type)) throw errors.policyTypeNotEnabled();
      const ofType = [...s.policies.values()].filter((p) => p.type === type).map((p) => p.id);
      await store.detachPolicies(ex, ofType);
      await store.disablePolicyType(ex, s.root.id, type);
    });
  }

  tagResource(resourceId: string, tags: readonly Tag[]): Promise<void> {
    return this.write(async (s0, ex) => {
      const s = live(s0);
      taggable(s, resourceId);
      await store.setTags(ex, resourceId, mergeTags(s, resourceId, tags));
    });
  }

  untagResource(resourceId: string, keys: readonly string[]): Promise<void> {
    return this.write(async (s0, ex) => {
      taggable(live(s0), resourceId);
      await store.deleteTags(ex, resourceId, keys);
    });
  }
}

function organizationOf(s: OrgState): DirectoryOrganization | undefined {
  if (!isLive(s)) return undefined;
  return Object.freeze({
    id: s.org.id,
    arn: organizationArn(s.org.managementAccountId, s.org.id),
    managementAccountId: s.org.managementAccountId,
    rootId: s.root.id,
  });
}

function accountOf(v: Views, accountId: string): DirectoryAccount | undefined {
  if (v.accounts.has(accountId)) return v.accounts.get(accountId);
  const s = v.state;
  const a = s.accounts.get(accountId);
  const out =
    a && isLive(s)
      ? Object.freeze({ id: a.id, name: a.name, email: a.email, status: a.status, arn: accountArn(s.org.managementAccountId, s.org.id, a.id) })
      : undefined;
  v.accounts.set(accountId, out);
  return out;
}

/** The levels of `effectiveLevels` as the directory publishes them: frozen, policies named by ARN. */
function levelsOf(s: OrgState, accountId: string, type: PolicyType): DirectoryPolicy[][] {
  if (!isLive(s)) return Object.freeze([]) as unknown as DirectoryPolicy[][];
  const levels = effectiveLevels(s, accountId, type).map((level) =>
    Object.freeze(
      level.map(
        (p): DirectoryPolicy =>
          Object.freeze({
            id: p.awsManaged ? awsManagedPolicyArn(p.type, p.id) : policyArn(s.org.managementAccountId, s.org.id, p.type, p.id),
            name: p.name,
            document: p.content,
          }),
      ),
    ),
  );
  // Frozen at run time, typed mutable to match the published port.
  return Object.freeze(levels) as DirectoryPolicy[][];
}
