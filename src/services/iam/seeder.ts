/**
 * `IamSeeder`: how the blueprint loader creates IAM entities without going through HTTP. Every method
 * applies the same model constraints and rules as the API (names, paths, policy grammar, quotas,
 * EntityAlreadyExists…) with one exception: trust policies may name users and roles that do not exist yet
 * (blueprints create roles in any order and may trust each other across accounts).
 *
 * Pass the loader's transaction as `trx` to make a whole blueprint one transaction; without it each call
 * is its own transaction. After committing an outer transaction call `invalidateCache()`.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { roleRecord, userRecord } from './directory.js';
import { checkDescription, checkGroupName, checkPath, checkPolicyName, checkPolicyPath } from './domain/names.js';
import type { IamBackend } from './operations.js';
import { beginIamSeedBatch, checkSeedRole, checkSeedUser } from './seed-batch.js';
import type { IamSeedBatch, IamSeedScope } from './seed-batch.js';
import type { ReadCache } from './cache.js';
import type { RoleRecord, TagRecord, UserRecord } from './records.js';

export interface SeedUser {
  readonly accountId: string;
  readonly userName: string;
  readonly path?: string;
  readonly permissionsBoundaryArn?: string;
  readonly tags?: readonly TagRecord[];
  /** Long-term keys with fixed ids and secrets (so `mlzone profiles` can print them). At most 2. */
  readonly accessKeys?: ReadonlyArray<{ readonly accessKeyId: string; readonly secretAccessKey: string }>;
}

export interface SeedRole {
  readonly accountId: string;
  readonly roleName: string;
  readonly path?: string;
  /** Raw JSON trust policy. */
  readonly assumeRolePolicyDocument: string;
  readonly maxSessionDuration?: number;
  readonly permissionsBoundaryArn?: string;
  readonly description?: string;
  readonly tags?: readonly TagRecord[];
}

export interface SeedPolicy {
  readonly accountId: string;
  readonly policyName: string;
  readonly path?: string;
  /** Raw JSON policy document. */
  readonly document: string;
  readonly description?: string;
  readonly tags?: readonly TagRecord[];
}

export interface SeedInlinePolicy {
  readonly accountId: string;
  readonly policyName: string;
  readonly document: string;
}

/** Writes for the blueprint loader. Each method throws the AwsError the equivalent API call would. */
export interface IamSeeder {
  createUser(input: SeedUser, trx?: Kysely<any>): Promise<UserRecord>;
  createRole(input: SeedRole, trx?: Kysely<any>): Promise<RoleRecord>;
  /** Returns the new policy's ARN. */
  createPolicy(input: SeedPolicy, trx?: Kysely<any>): Promise<string>;
  createGroup(input: { accountId: string; groupName: string; path?: string }, trx?: Kysely<any>): Promise<string>;
  putRolePolicy(input: SeedInlinePolicy & { roleName: string }, trx?: Kysely<any>): Promise<void>;
  putUserPolicy(input: SeedInlinePolicy & { userName: string }, trx?: Kysely<any>): Promise<void>;
  putGroupPolicy(input: SeedInlinePolicy & { groupName: string }, trx?: Kysely<any>): Promise<void>;
  attachRolePolicy(input: { accountId: string; roleName: string; policyArn: string }, trx?: Kysely<any>): Promise<void>;
  attachUserPolicy(input: { accountId: string; userName: string; policyArn: string }, trx?: Kysely<any>): Promise<void>;
  attachGroupPolicy(input: { accountId: string; groupName: string; policyArn: string }, trx?: Kysely<any>): Promise<void>;
  addUserToGroup(input: { accountId: string; groupName: string; userName: string }, trx?: Kysely<any>): Promise<void>;
  /**
   * Starts a batch inside the loader's transaction (see `IamSeedBatch`): many users and roles with their
   * keys and policies, validated like the calls above, written with a few multi-row inserts.
   */
  begin(trx: Kysely<any>, scope: IamSeedScope): Promise<IamSeedBatch>;
  /** Drops the directory's cached reads; call after committing a transaction passed as `trx`. */
  invalidateCache(): void;
}

export function createSeeder(db: Database, clock: Clock, backend: IamBackend, cache: ReadCache): IamSeeder {
  /** Runs `fn` in the caller's transaction, or in a new one. */
  const inTrx = <T>(trx: Kysely<any> | undefined, fn: (trx: Kysely<any>) => Promise<T>): Promise<T> =>
    trx ? fn(trx) : db.transaction(fn);
  const opt = (trx: Kysely<any> | undefined) => (trx ? { trx } : undefined);

  return {
    async createUser(input, trx) {
      checkSeedUser(input);
      const now = clock.now();
      const created = await inTrx(trx, async (t) => {
        const u = await backend.createUser(
          input.accountId,
          now,
          {
            UserName: input.userName,
            ...(input.path !== undefined ? { Path: input.path } : {}),
            ...(input.permissionsBoundaryArn !== undefined ? { PermissionsBoundary: input.permissionsBoundaryArn } : {}),
            ...(input.tags !== undefined ? { Tags: input.tags } : {}),
          },
          { trx: t },
        );
        for (const k of input.accessKeys ?? []) await backend.createAccessKey(input.accountId, now, input.userName, k, { trx: t });
        return u;
      });
      cache.invalidate();
      return userRecord(created);
    },

    async createRole(input, trx) {
      checkSeedRole(input);
      const created = await backend.createRole(
        input.accountId,
        clock.now(),
        {
          RoleName: input.roleName,
          AssumeRolePolicyDocument: input.assumeRolePolicyDocument,
          ...(input.path !== undefined ? { Path: input.path } : {}),
          ...(input.description !== undefined ? { Description: input.description } : {}),
          ...(input.maxSessionDuration !== undefined ? { MaxSessionDuration: input.maxSessionDuration } : {}),
          ...(input.permissionsBoundaryArn !== undefined ? { PermissionsBoundary: input.permissionsBoundaryArn } : {}),
          ...(input.tags !== undefined ? { Tags: input.tags } : {}),
        },
        { ...opt(trx), checkPrincipalsExist: false },
      );
      return roleRecord(created);
    },

    async createPolicy(input, trx) {
      checkPolicyName(input.policyName);
      if (input.path !== undefined) checkPolicyPath(input.path);
      if (input.description !== undefined) checkDescription(input.description);
      const view = await backend.createPolicy(
        input.accountId,
        clock.now(),
        {
          PolicyName: input.policyName,
          PolicyDocument: input.document,
          ...(input.path !== undefined ? { Path: input.path } : {}),
          ...(input.description !== undefined ? { Description: input.description } : {}),
          ...(input.tags !== undefined ? { Tags: input.tags } : {}),
        },
        opt(trx),
      );
      return view.arn;
    },

    async createGroup(input, trx) {
      checkGroupName(input.groupName);
      if (input.path !== undefined) checkPath(input.path);
      const g = await backend.createGroup(
        input.accountId,
        clock.now(),
        { GroupName: input.groupName, ...(input.path !== undefined ? { Path: input.path } : {}) },
        opt(trx),
      );
      return g.arn;
    },

    async putRolePolicy(input, trx) {
      checkPolicyName(input.policyName);
      await backend.putInlinePolicy(input.accountId, 'role', input.roleName, input.policyName, input.document, opt(trx));
    },
    async putUserPolicy(input, trx) {
      checkPolicyName(input.policyName);
      await backend.putInlinePolicy(input.accountId, 'user', input.userName, input.policyName, input.document, opt(trx));
    },
    async putGroupPolicy(input, trx) {
      checkPolicyName(input.policyName);
      await backend.putInlinePolicy(input.accountId, 'group', input.groupName, input.policyName, input.document, opt(trx));
    },
    async attachRolePolicy(input, trx) {
      await backend.attachPolicy(input.accountId, clock.now(), 'role', input.roleName, input.policyArn, opt(trx));
    },
    async attachUserPolicy(input, trx) {
      await backend.attachPolicy(input.accountId, clock.now(), 'user', input.userName, input.policyArn, opt(trx));
    },
    async attachGroupPolicy(input, trx) {
      await backend.attachPolicy(input.accountId, clock.now(), 'group', input.groupName, input.policyArn, opt(trx));
    },
    async addUserToGroup(input, trx) {
      await backend.addUserToGroup(input.accountId, input.groupName, input.userName, opt(trx));
    },
    begin(trx, scope) {
      cache.invalidate();
      return beginIamSeedBatch(trx, clock, scope, () => cache.invalidate());
    },
    invalidateCache() {
      cache.invalidate();
    },
  };
}
