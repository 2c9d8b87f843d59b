/**
 * AWS Lake Formation for mlzone: data lake settings, registered locations, grants (catalog, database, table,
 * columns, data location, data cells filter) with grant option, cross-account grants carried by RAM, and the
 * effective permission model the query engine and Glue's metadata filtering use.
 *
 * Published ports:
 * - `definition`, `migrations`.
 * - `catalog`: the `DataCatalogPort` (core/data-catalog.ts) for Athena.
 * - `governance`: bind it to Glue with `glue.govern(lakeformation.governance, (owner) => ram.lake.consumersOf(owner))`.
 */
import type { DataCatalogPort } from '../../core/data-catalog.js';
import type { RoleCredentialsPort } from '../../core/role-credentials.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import type { GlueCatalog, GlueGovernance } from '../glue/index.js';
import type { LakeShares } from '../ram/index.js';
import { createAccess } from './access.js';
import { lakeFormationAuthz } from './authz.js';
import { createCatalogPort } from './catalog.js';
import { createGovernance } from './governance.js';
import { createSharing } from './sharing.js';
import { lakeFormationHandlers } from './handlers.js';
import { createLakeFormationStore, lakeFormationMigrations } from './store.js';

export interface LakeFormationService {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  readonly catalog: DataCatalogPort;
  readonly governance: GlueGovernance;
}

/** `roles`: how credential vending assumes a location's registered role (and keeps the service-linked role's policy). */
export function createLakeFormationService(deps: { db: Database; glue: GlueCatalog; ram: LakeShares; roles: RoleCredentialsPort }): LakeFormationService {
  const access = createAccess({ store: createLakeFormationStore(deps.db), glue: deps.glue, ram: deps.ram });
  return {
    definition: { name: 'lakeformation', handlers: lakeFormationHandlers(access, deps.roles), authz: lakeFormationAuthz },
    migrations: lakeFormationMigrations,
    catalog: createCatalogPort(access),
    governance: createGovernance(access, createSharing(access)),
  };
}
