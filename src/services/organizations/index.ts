/**
 * AWS Organizations for mlzone: one organization per instance (feature set ALL) with its root, OUs,
 * accounts, SCPs and RCPs.
 *
 * The rest of mlzone uses this module only: the gateway registers `definition`, the IAM enforcement asks
 * `directory` for the SCP/RCP chain and `aws:PrincipalOrgPaths` of an account, and the blueprint loader
 * builds the organization with `seeder`.
 *
 * @example
 * const orgs = createOrganizationsService({ db, clock: systemClock });
 * await runMigrations(db, orgs.migrations);
 * const { rootId } = await orgs.seeder.createOrganization({ managementAccount: { id: '111111111111', name: 'management', email: 'm@example.com' } });
 * await orgs.seeder.enablePolicyType('SERVICE_CONTROL_POLICY');
 * const levels = await orgs.directory.policiesFor('222222222222', 'SERVICE_CONTROL_POLICY');
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { createAuthz } from './authz.js';
import type { RandomChars } from './domain/ids.js';
import { AccountRequests } from './account-requests.js';
import type { AccountProvisioner } from './account-requests.js';
import { createHandlers } from './handlers.js';
import { createDelegationHandlers } from './delegation-handlers.js';
import { createHandshakeHandlers } from './handshake-handlers.js';
import type { KnownAccount } from './handshake-handlers.js';
import { randomChars } from './domain/ids.js';
import { createLifecycleHandlers } from './lifecycle-handlers.js';
import { migrations } from './migrations.js';
import { Organizations } from './organizations.js';
import type { NewAccount, NewPolicy } from './organizations.js';

/** The two policy types that take part in authorization. */
export type AuthorizationPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface DirectoryOrganization {
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
  readonly rootId: string;
}

export interface DirectoryAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** ACTIVE, or SUSPENDED once closed: a closed account's principals and roles are refused. */
  readonly status: string;
  readonly arn: string;
}

/** One SCP or RCP as the IAM engine needs it. */
export interface DirectoryPolicy {
  /** The policy ARN (`arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess` for the AWS-managed one). */
  readonly id: string;
  readonly name: string;
  /** The policy document, exactly as stored. */
  readonly document: string;
}

/**
 * Read-only view of the organization for the IAM enforcement, the gateway and the blueprint loader.
 * Answers come from a cache that every write through this service drops; a cached answer costs a map
 * lookup. Returned objects and arrays are shared between callers and frozen (mutating them throws).
 */
export interface OrgDirectory {
  /** The organization, or undefined before one is created. */
  organization(): Promise<DirectoryOrganization | undefined>;
  /** An account of the organization; undefined when the account is not in it. */
  account(accountId: string): Promise<DirectoryAccount | undefined>;
  /** Every account of the organization (the management account included), sorted by id. */
  accounts(): Promise<DirectoryAccount[]>;
  /** The OU names from the root down to an account's parent (`Workloads/Development`; empty in the root). */
  ouPathNames?(accountId: string): Promise<string | undefined>;
  /** `aws:PrincipalOrgPaths` form: `o-xxx/r-xxxx/ou-aaa/ou-bbb/` for an account; undefined outside the organization. */
  orgPath(accountId: string): Promise<string | undefined>;
  /**
   * SCPs (or RCPs) that apply to an account, one array per level from the root down to the account itself:
   * each level must allow. Empty when the policy type is not enabled, for the management account (exempt)
   * and for accounts outside the organization.
   */
  policiesFor(accountId: string, type: AuthorizationPolicyType): Promise<DirectoryPolicy[][]>;
  /** Changes whenever the cache is dropped (every write): answers stay valid while it is unchanged. */
  generation?(): number;
}

/** A transaction to join: the `trx` that `Database.transaction` hands its callback. */
export type SeedTransaction = Kysely<any>;

/**
 * Builds the organization for the blueprint loader. Each call validates like the corresponding API
 * operation and throws the same `AwsError`.
 *
 * Pass `trx` to make the call part of a transaction the loader holds (with SQLite a call without it would
 * wait for that transaction to end); without it each call runs in its own transaction. The cache is
 * dropped after every call; if other requests may read the organization while the loader's transaction is
 * still open (PostgreSQL), call `invalidate()` once it has committed.
 */
export interface OrgSeeder {
  /** Creates the organization (feature set ALL), its root (named `Root`) and the management account under it. */
  createOrganization(
    input: {
      readonly id?: string;
      readonly rootId?: string;
      readonly managementAccount: { readonly id: string; readonly name: string; readonly email: string };
    },
    trx?: SeedTransaction,
  ): Promise<{ id: string; rootId: string }>;
  /**
   * Creates an OU under `parentId`, or under `parentPath` (OU names from the root separated by `/`, e.g.
   * `Workloads/Prod`; empty for the root), or under the root when neither is given. Returns the OU id.
   */
  createOu(
    input: { readonly name: string; readonly parentId?: string; readonly parentPath?: string; readonly tags?: Readonly<Record<string, string>> },
    trx?: SeedTransaction,
  ): Promise<string>;
  /** Adds an account under `parentOuId` (or the root). `joinedMethod` defaults to CREATED. */
  createAccount(
    input: {
      readonly id: string;
      readonly name: string;
      readonly email: string;
      readonly parentOuId?: string;
      readonly joinedMethod?: 'CREATED' | 'INVITED';
      readonly tags?: Readonly<Record<string, string>>;
    },
    trx?: SeedTransaction,
  ): Promise<void>;
  /** Enables a policy type and attaches its AWS-managed policy (`FullAWSAccess`/`RCPFullAWSAccess`) everywhere. */
  enablePolicyType(type: AuthorizationPolicyType, trx?: SeedTransaction): Promise<void>;
  /** Creates a customer-managed policy; returns its id (`p-…`). */
  createPolicy(
    input: { readonly name: string; readonly description: string; readonly type: AuthorizationPolicyType; readonly document: string },
    trx?: SeedTransaction,
  ): Promise<string>;
  /** Attaches a policy (`p-FullAWSAccess` included) to a root, OU or account id. */
  attachPolicy(policyId: string, targetId: string, trx?: SeedTransaction): Promise<void>;
  detachPolicy(policyId: string, targetId: string, trx?: SeedTransaction): Promise<void>;
  /**
   * Starts a batch inside the loader's transaction (see `OrgSeedBatch`), for building a whole organization
   * with one read of it and a few multi-row inserts.
   */
  begin(trx: SeedTransaction): Promise<OrgSeedBatch>;
  /** Drops the directory cache (see above). */
  invalidate(): void;
}

/**
 * The writes of `OrgSeeder` for many calls in one transaction. The organization is read once, by
 * `begin`; each call validates like its `OrgSeeder` counterpart against that state plus what the batch
 * added before it, throws the same `AwsError`, and returns at once. Nothing is written until `save()`.
 */
export interface OrgSeedBatch {
  createOrganization(input: Parameters<OrgSeeder['createOrganization']>[0]): { id: string; rootId: string };
  createOu(input: Parameters<OrgSeeder['createOu']>[0]): string;
  createAccount(input: Parameters<OrgSeeder['createAccount']>[0]): void;
  enablePolicyType(type: AuthorizationPolicyType): void;
  createPolicy(input: Parameters<OrgSeeder['createPolicy']>[0]): string;
  attachPolicy(policyId: string, targetId: string): void;
  /** Writes what the calls since the last save added, in the transaction given to `begin`. */
  save(): Promise<void>;
}

export interface OrganizationsService {
  /** The `organizations` service for the gateway. */
  readonly definition: ServiceDefinition;
  readonly directory: OrgDirectory;
  readonly seeder: OrgSeeder;
  /** Schema steps for `runMigrations`. */
  readonly migrations: Migration[];
  /** CreateAccount's background work: `resume()` after migrations (requests a stop left in progress), `settle()` in tests. */
  readonly accountRequests: Pick<AccountRequests, 'resume' | 'settle'>;
}

export type { AccountProvisioner } from './account-requests.js';
export { DEFAULT_ACCESS_ROLE } from './lifecycle-handlers.js';

export { FULL_AWS_ACCESS_ID, RCP_FULL_AWS_ACCESS_ID } from './domain/managed-policies.js';

function tagList(tags: Readonly<Record<string, string>> | undefined): Array<{ key: string; value: string }> {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

function newAccount(input: Parameters<OrgSeeder['createAccount']>[0]): NewAccount {
  return { id: input.id, name: input.name, email: input.email, parentId: input.parentOuId, joinedMethod: input.joinedMethod, tags: tagList(input.tags) };
}

function newPolicy(input: Parameters<OrgSeeder['createPolicy']>[0]): NewPolicy {
  return { name: input.name, description: input.description, type: input.type, content: input.document };
}

export function createOrganizationsService(deps: {
  db: Database;
  clock: Clock;
  random?: RandomChars;
  /** Creates the access role of an account CreateAccount adds (IAM, wired by the app). */
  provisioner?: AccountProvisioner;
  /** Account ids CreateAccount must not hand out (the blueprint's, those outside the organization included). */
  reservedAccountId?: (accountId: string) => boolean;
  /** Accounts outside the organization that mlzone knows by name and email (the blueprint's), for invitations. */
  knownAccount?: KnownAccount;
  log?: (msg: string, err?: unknown) => void;
}): OrganizationsService {
  const orgs = new Organizations(deps.db, deps.clock, deps.random);
  const requests = new AccountRequests(deps.db, deps.clock, orgs, deps.provisioner, deps.reservedAccountId, deps.random, deps.log);

  const directory: OrgDirectory = {
    organization: () => orgs.directoryOrganization(),
    account: (accountId) => orgs.directoryAccount(accountId),
    accounts: () => orgs.directoryAccounts(),
    orgPath: (accountId) => orgs.directoryOrgPath(accountId),
    ouPathNames: async (accountId) => {
      const s = await orgs.state();
      let parent = s.accounts.get(accountId)?.parentId;
      if (parent === undefined) return undefined;
      const names: string[] = [];
      for (let ou = s.ous.get(parent); ou; ou = s.ous.get(parent)) {
        names.unshift(ou.name);
        parent = ou.parentId;
      }
      return names.join('/');
    },
    policiesFor: (accountId, type) => orgs.directoryPoliciesFor(accountId, type),
    generation: () => orgs.version(),
  };

  const seeder: OrgSeeder = {
    createOrganization: (input, trx) => orgs.createOrganization(input, trx),
    createOu: async (input, trx) => {
      const parentId = input.parentId ?? (await orgs.resolveOuPath(input.parentPath ?? '', trx));
      return orgs.createOu(parentId, input.name, tagList(input.tags), trx);
    },
    createAccount: (input, trx) => orgs.createAccount(newAccount(input), trx),
    enablePolicyType: (type, trx) => orgs.enablePolicyType(undefined, type, trx),
    createPolicy: (input, trx) => orgs.createPolicy(newPolicy(input), trx),
    attachPolicy: (policyId, targetId, trx) => orgs.attachPolicy(policyId, targetId, trx),
    detachPolicy: (policyId, targetId, trx) => orgs.detachPolicy(policyId, targetId, trx),
    async begin(trx) {
      const { draft: d, save } = await orgs.draft(trx);
      return {
        createOrganization: (input) => d.createOrganization(input),
        createOu: (input) => d.createOu(input.parentId ?? d.resolveOuPath(input.parentPath ?? ''), input.name, tagList(input.tags)),
        createAccount: (input) => d.createAccount(newAccount(input)),
        enablePolicyType: (type) => d.enablePolicyType(undefined, type),
        createPolicy: (input) => d.createPolicy(newPolicy(input)),
        attachPolicy: (policyId, targetId) => d.attachPolicy(policyId, targetId),
        save,
      };
    },
    invalidate: () => orgs.invalidate(),
  };

  return {
    definition: {
      name: 'organizations',
      handlers: {
        ...createHandlers(orgs),
        ...createLifecycleHandlers(orgs, requests),
        ...createHandshakeHandlers(orgs, deps.random ?? randomChars, deps.knownAccount ?? (() => undefined)),
        ...createDelegationHandlers(orgs),
      },
      authz: createAuthz(orgs),
    },
    directory,
    seeder,
    migrations,
    accountRequests: requests,
  };
}
