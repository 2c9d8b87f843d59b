/**
 * The IAM service of mlzone: users, access keys, roles, groups, managed (customer and AWS) and inline
 * policies, attachments, permissions boundaries and tags, and the policy simulator (SimulatePrincipalPolicy,
 * SimulateCustomPolicy on the enforcement engine), over the query protocol.
 *
 * Published port — other parts of mlzone (STS, the auth chain, IAM enforcement, the blueprint loader)
 * use only what this file exports:
 * - `definition`: the gateway's handlers and per-operation authorization requests;
 * - `directory`: cached reads on the request hot path (access key → user, roles, identity policies);
 * - `seeder`: validated writes for the blueprint loader, optionally inside its transaction;
 * - `migrations`: the schema, for `runMigrations`.
 *
 * IAM is global: the account is always `ctx.accountId`, the region is ignored.
 *
 * @example
 * const iam = createIamService({ db, clock: systemClock });
 * await runMigrations(db, iam.migrations);
 * const key = await iam.directory.findAccessKey('AKIA…');
 */
import type { Clock } from '../../core/clock.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { createAuthz } from './authz.js';
import { ReadCache } from './cache.js';
import { CachedDirectory } from './directory.js';
import type { IamDirectory } from './directory.js';
import { createHandlers } from './handlers.js';
import { iamMigrations } from './migrations.js';
import { IamBackend } from './operations.js';
import { createSeeder } from './seeder.js';
import type { IamSeeder } from './seeder.js';
import { createSimulationHandlers, Simulator } from './simulator.js';
import type { SimulatorOrganizations } from './simulator.js';

export type { IamDirectory } from './directory.js';
export type { IamSeeder, SeedInlinePolicy, SeedPolicy, SeedRole, SeedUser } from './seeder.js';
export type { IamSeedBatch, IamSeedScope, SeedPolicies } from './seed-batch.js';
export type { SimulatorOrganizations } from './simulator.js';
export type { AccessKeyRecord, IdentityPolicyRecord, RoleRecord, TagRecord, UserRecord } from './records.js';
export { awsManagedPolicies, awsManagedPolicy } from './managed-policies/index.js';
export type { AwsManagedPolicy } from './managed-policies/index.js';

export interface IamService {
  readonly definition: ServiceDefinition;
  readonly directory: IamDirectory;
  readonly seeder: IamSeeder;
  readonly migrations: Migration[];
}

/**
 * Builds one IAM service over `db`. Its read cache lives in the returned object (no module state).
 * `organizations` (optional) gives the policy simulator the SCPs of member accounts.
 */
export function createIamService(deps: { db: Database; clock: Clock; organizations?: SimulatorOrganizations }): IamService {
  const cache = new ReadCache();
  const backend = new IamBackend(deps.db, cache);
  const directory = new CachedDirectory(backend, cache);
  const simulator = new Simulator(directory, backend, deps.organizations);
  return {
    definition: {
      name: 'iam',
      handlers: { ...createHandlers(backend), ...createSimulationHandlers(simulator) } as ServiceDefinition['handlers'],
      authz: createAuthz(directory, backend),
    },
    directory,
    seeder: createSeeder(deps.db, deps.clock, backend, cache),
    migrations: [...iamMigrations],
  };
}
