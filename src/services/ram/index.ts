/**
 * AWS RAM for mlzone: resource shares of Glue resources (catalog, databases, tables), invitations and their
 * acceptance, automatic association inside the organization once EnableSharingWithAwsOrganization was called, and
 * the AWS-managed RAM permissions attached to Glue shares.
 *
 * Published ports:
 * - `definition`, `migrations`.
 * - `lake`: what Lake Formation uses for cross-account grants (consolidated `LakeFormation-V3-…` shares per owner
 *   and principal) and what the catalog asks on the consumer side (accepted or not).
 */
import { ids } from '../../core/ids.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { ramAuthz } from './authz.js';
import { ramHandlers } from './handlers.js';
import { glueResourceType, type StoredShare } from './model.js';
import { createShareLogic, type RamOrg } from './shares.js';
import { createRamStore, ramMigrations } from './store.js';

export type { RamOrg } from './shares.js';

export interface LakeShares {
  /** Adds `resourceArn` to the owner's Lake Formation share for `principal` (created when missing); its ARN. */
  share(owner: string, region: string, principal: string, resourceArn: string, now: number): Promise<string>;
  /** Removes `resourceArn` from the owner's Lake Formation share for `principal`. */
  unshare(owner: string, principal: string, resourceArn: string, now: number): Promise<void>;
  /** The Lake Formation share that carries `resourceArn` to `principal`, if any. */
  shareArn(owner: string, principal: string, resourceArn: string): Promise<string | undefined>;
  /** True when an accepted share brings `resourceArn` to `account`. */
  accepted(account: string, resourceArn: string): Promise<boolean>;
  acceptedResources(account: string): Promise<string[]>;
  /** Accounts that accepted a share of `owner`'s (the Glue catalog policy lets them read metadata). */
  consumersOf(owner: string): Promise<string[]>;
}

export interface RamService {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  readonly lake: LakeShares;
}

export interface RamDeps {
  readonly db: Database;
  readonly org: RamOrg;
  /** Whether a shared resource exists (the Glue catalog's `exists`); shares of missing resources are refused. */
  readonly resourceExists?: (arn: string) => Promise<boolean>;
}

export function createRamService(deps: RamDeps): RamService {
  const store = createRamStore(deps.db);
  const logic = createShareLogic(store, deps.org);
  const lfShare = async (owner: string, principal: string): Promise<StoredShare | undefined> =>
    (await store.shares(owner)).find((s) => s.createdBy === 'lakeformation' && s.status === 'ACTIVE' && s.principals.some((p) => p.id === principal && p.status !== 'DISASSOCIATED'));
  const lake: LakeShares = {
    async share(owner, region, principal, resourceArn, now) {
      let share = await lfShare(owner, principal);
      if (!share) {
        const id = ids.uuid();
        share = { arn: `arn:aws:ram:${region}:${owner}:resource-share/${id}`, name: `LakeFormation-V3-${id.replace(/-/g, '').slice(0, 20).toUpperCase()}`, owner, region, allowExternalPrincipals: true, status: 'ACTIVE', createdBy: 'lakeformation', principals: [], resources: [], created: now, updated: now };
        await logic.addPrincipal(share, principal, now);
      }
      if (!share.resources.some((r) => r.arn === resourceArn)) share.resources.push({ arn: resourceArn, type: glueResourceType(resourceArn) ?? 'glue:Table', created: now });
      share.updated = now;
      await store.putShare(share);
      return share.arn;
    },
    async unshare(owner, principal, resourceArn, now) {
      const share = await lfShare(owner, principal);
      if (!share) return;
      share.resources = share.resources.filter((r) => r.arn !== resourceArn);
      share.updated = now;
      await store.putShare(share);
    },
    async shareArn(owner, principal, resourceArn) {
      const s = await lfShare(owner, principal);
      return s && s.resources.some((r) => r.arn === resourceArn) ? s.arn : undefined;
    },
    accepted: (account, arn) => logic.accepted(account, arn),
    acceptedResources: (account) => logic.acceptedResources(account),
    consumersOf: (owner) => logic.consumersOf(owner),
  };
  return {
    definition: { name: 'ram', handlers: ramHandlers({ store, logic, org: deps.org, ...(deps.resourceExists ? { resourceExists: deps.resourceExists } : {}) }), authz: ramAuthz },
    migrations: ramMigrations,
    lake,
  };
}
