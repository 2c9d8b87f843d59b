/**
 * The shares Lake Formation makes: one consolidated `LakeFormation-V3-…` share per owner and principal, whose resources
 * follow the owner's grants to that principal (`reconcile`), and the consumer side's "is this accepted" questions.
 */
import { ids } from '../../core/ids.js';
import { glueResourceType, type StoredShare } from './model.js';
import type { ShareLogic } from './shares.js';
import type { RamStore } from './store.js';

export interface LakeShares {
  /**
   * Makes the owner's Lake Formation shares carry exactly `wanted` (principal → Glue ARNs): what is missing is added,
   * what no grant carries any more is removed, and a share left with nothing is deleted (its principal
   * disassociated). The share ARN of each principal that still has one. A principal that declined its invitation keeps
   * its share (nothing reaches it) until `invite` names it: a new grant to it sends a new share and invitation.
   */
  reconcile(owner: string, region: string, wanted: ReadonlyMap<string, readonly string[]>, now: number, invite?: string): Promise<Map<string, string>>;
  /** True when an accepted share brings `resourceArn` to `account`. */
  accepted(account: string, resourceArn: string): Promise<boolean>;
  acceptedResources(account: string): Promise<string[]>;
  /** Accounts that accepted a share of `owner`'s (the Glue catalog policy lets them read metadata). */
  consumersOf(owner: string): Promise<string[]>;
}

export function createLakeShares(store: RamStore, logic: ShareLogic): LakeShares {
  /** The owner's active Lake Formation share for `principal`; one it declined only when `declined`. */
  async function lfShare(owner: string, principal: string, declined: boolean): Promise<StoredShare | undefined> {
    const mine = (await store.shares(owner)).filter((s) => s.createdBy === 'lakeformation' && s.status === 'ACTIVE' && s.principals.some((p) => p.id === principal));
    const live = mine.find((s) => s.principals.some((p) => p.id === principal && p.status !== 'DISASSOCIATED'));
    return live ?? (declined ? mine[mine.length - 1] : undefined);
  }

  /** Adds the resources to the owner's share for `principal` (created, with its invitation, when missing); its ARN. */
  async function carry(owner: string, region: string, principal: string, arns: readonly string[], now: number, invite: boolean): Promise<string> {
    let share = await lfShare(owner, principal, !invite);
    let changed = false;
    if (!share) {
      // A share the principal declined gives way to the new one.
      for (const old of (await store.shares(owner)).filter((s) => s.createdBy === 'lakeformation' && s.status === 'ACTIVE' && s.principals.some((p) => p.id === principal))) {
        old.status = 'DELETED';
        old.updated = now;
        await store.putShare(old);
      }
      const id = ids.uuid();
      share = { arn: `arn:aws:ram:${region}:${owner}:resource-share/${id}`, name: `LakeFormation-V3-${id.replace(/-/g, '').slice(0, 20).toUpperCase()}`, owner, region, allowExternalPrincipals: true, status: 'ACTIVE', createdBy: 'lakeformation', principals: [], resources: [], created: now, updated: now };
      await logic.addPrincipal(share, principal, now);
      changed = true;
    }
    for (const arn of arns) {
      if (share.resources.some((r) => r.arn === arn)) continue;
      share.resources.push({ arn, type: glueResourceType(arn) ?? 'glue:Table', created: now });
      changed = true;
    }
    if (changed) {
      share.updated = now;
      await store.putShare(share);
    }
    return share.arn;
  }

  return {
    async reconcile(owner, region, wanted, now, invite) {
      for (const s of await store.shares(owner)) {
        if (s.createdBy !== 'lakeformation' || s.status !== 'ACTIVE') continue;
        // Lake Formation's shares name one principal each.
        const p = s.principals[0];
        if (!p) continue;
        const keep = wanted.get(p.id) ?? [];
        const resources = s.resources.filter((r) => keep.includes(r.arn));
        if (resources.length === s.resources.length) continue;
        s.resources = resources;
        if (!resources.length) {
          s.status = 'DELETED';
          for (const x of s.principals) if (x.status !== 'DISASSOCIATED') { x.status = 'DISASSOCIATED'; x.updated = now; }
        }
        s.updated = now;
        await store.putShare(s);
      }
      const out = new Map<string, string>();
      for (const [principal, arns] of wanted) if (arns.length) out.set(principal, await carry(owner, region, principal, arns, now, principal === invite));
      return out;
    },
    accepted: (account, arn) => logic.accepted(account, arn),
    acceptedResources: (account) => logic.acceptedResources(account),
    consumersOf: (owner) => logic.consumersOf(owner),
  };
}
