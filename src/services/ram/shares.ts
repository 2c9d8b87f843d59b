/**
 * Sharing logic both RAM's API and Lake Formation use: adding principals and resources to a share, invitations
 * (accounts outside the organization, or any account while organization sharing is off), automatic association
 * inside the organization when EnableSharingWithAwsOrganization was called, and "is this resource visible to that
 * account" for the consumer side.
 */
import { ids } from '../../core/ids.js';
import type { SharePrincipal, StoredInvitation, StoredShare } from './model.js';
import type { RamStore } from './store.js';

export interface RamOrg {
  organization(): Promise<{ id: string; managementAccountId: string } | undefined>;
  /** `o-xxx/r-xxxx/ou-aaa/` for a member account; undefined outside the organization. */
  orgPath(accountId: string): Promise<string | undefined>;
}

const ACCOUNT = /^\d{12}$/;
const ORG_OR_OU = /^arn:aws:organizations::\d{12}:(organization|ou)\/(o-[a-z0-9]+)(?:\/(ou-[a-z0-9-]+))?$/;

export function createShareLogic(store: RamStore, org: RamOrg) {
  async function sharingEnabled(): Promise<boolean> {
    const o = await org.organization();
    return o !== undefined && (await store.orgSharingEnabled(o.managementAccountId));
  }

  /** Whether `account` is reached by a share principal (the account itself, or its organization / OU). */
  async function reaches(principalId: string, account: string): Promise<boolean> {
    if (ACCOUNT.test(principalId)) return principalId === account;
    const m = ORG_OR_OU.exec(principalId);
    if (!m) return false;
    const path = await org.orgPath(account);
    if (!path) return false;
    return m[1] === 'organization' ? path.startsWith(`${m[2]}/`) : path.includes(`/${m[3]}/`);
  }

  return {
    sharingEnabled,
    reaches,
    /** Adds a principal: associated at once inside the organization with sharing enabled, else an invitation. */
    async addPrincipal(share: StoredShare, principalId: string, now: number): Promise<void> {
      if (share.principals.some((p) => p.id === principalId && p.status !== 'DISASSOCIATED')) return;
      const inOrg = ACCOUNT.test(principalId) ? (await org.orgPath(principalId)) !== undefined : true;
      const auto = inOrg && (await sharingEnabled());
      const p: SharePrincipal = { id: principalId, status: auto ? 'ASSOCIATED' : 'ASSOCIATING', external: !inOrg, created: now, updated: now };
      share.principals = [...share.principals.filter((x) => x.id !== principalId), p];
      if (!auto && ACCOUNT.test(principalId)) {
        const inv: StoredInvitation = {
          arn: `arn:aws:ram:${share.region}:${share.owner}:resource-share-invitation/${ids.uuid()}`,
          shareArn: share.arn,
          shareName: share.name,
          sender: share.owner,
          receiver: principalId,
          status: 'PENDING',
          created: now,
        };
        await store.putInvitation(inv);
      }
    },
    /** True when `resourceArn` is in an active share that reaches `account` and is associated (accepted). */
    async accepted(account: string, resourceArn: string): Promise<boolean> {
      for (const s of await store.shares()) {
        if (s.status !== 'ACTIVE' || !s.resources.some((r) => r.arn === resourceArn)) continue;
        for (const p of s.principals) if (p.status === 'ASSOCIATED' && (await reaches(p.id, account))) return true;
      }
      return false;
    },
    /** Resource ARNs shared with `account` and accepted. */
    async acceptedResources(account: string): Promise<string[]> {
      const out = new Set<string>();
      for (const s of await store.shares()) {
        if (s.status !== 'ACTIVE') continue;
        let ok = false;
        for (const p of s.principals) if (p.status === 'ASSOCIATED' && (await reaches(p.id, account))) ok = true;
        if (ok) for (const r of s.resources) out.add(r.arn);
      }
      return [...out];
    },
    /** Accounts (and org/OU ids) that accepted some share of `owner`. */
    async consumersOf(owner: string): Promise<string[]> {
      const out = new Set<string>();
      for (const s of await store.shares(owner)) if (s.status === 'ACTIVE') for (const p of s.principals) if (p.status === 'ASSOCIATED') out.add(p.id);
      const accounts: string[] = [];
      for (const id of out) {
        if (ACCOUNT.test(id)) accounts.push(id);
      }
      return accounts;
    },
  };
}

export type ShareLogic = ReturnType<typeof createShareLogic>;
