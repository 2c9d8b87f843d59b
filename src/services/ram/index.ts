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
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { ramAuthz } from './authz.js';
import { ramHandlers } from './handlers.js';
import { createLakeShares, type LakeShares } from './lake-shares.js';
import { createShareLogic, type RamOrg } from './shares.js';
import { createRamStore, ramMigrations } from './store.js';

export type { RamOrg } from './shares.js';
export type { LakeShares } from './lake-shares.js';

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
  const lake = createLakeShares(store, logic);
  return {
    definition: { name: 'ram', handlers: ramHandlers({ store, logic, org: deps.org, ...(deps.resourceExists ? { resourceExists: deps.resourceExists } : {}) }), authz: ramAuthz },
    migrations: ramMigrations,
    lake,
  };
}
