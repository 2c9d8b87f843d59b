/**
 * `IamSeedBatch`: the blueprint loader's way to create many users and roles, with their access keys and
 * policies, in one transaction. What the new entities could collide with (users, roles and managed
 * policies of the accounts in scope, the access key ids in scope) is read once by `begin`; each call then
 * validates against that plus what the batch already staged, in the order and with the errors of the
 * equivalent `IamSeeder` calls (createUser, then each access key, each attachment, each inline policy),
 * and `save()` writes everything with one multi-row insert per table.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import {
  checkAccessKeyId,
  checkDescription,
  checkMaxSessionDuration,
  checkPath,
  checkPolicyName,
  checkRoleName,
  checkUserName,
  nameKey,
} from './domain/names.js';
import type { EntityKind } from './domain/policy-rules.js';
import { checkAccessKeyQuota, checkAttachQuota, checkInlinePolicy, checkTrustPolicyDocument } from './domain/policy-rules.js';
import { checkRequestTags } from './domain/tags.js';
import type { Tag } from './domain/tags.js';
import { awsPrincipals, classifyPrincipal, invalidPrincipal } from './domain/trust-principals.js';
import { IamError } from './errors.js';
import { policyRef } from './operations.js';
import type { AwsError } from '../../core/errors.js';
import { newAccessKeyRow, newRoleRow, newUserRow } from './rows.js';
import { IamStore } from './store.js';
import type { AccessKeyRow, OwnerKind, RoleRow, UserRow } from './store.js';
import type { SeedRole, SeedUser } from './seeder.js';

/** What a batch may touch; anything outside it is refused (the batch could not check it). */
export interface IamSeedScope {
  readonly accountIds: readonly string[];
  /** Every access key id the batch will create. */
  readonly accessKeyIds: readonly string[];
}

/** Managed policy ARNs to attach and inline policies (name → JSON document) to put. */
export interface SeedPolicies {
  readonly managedPolicies?: readonly string[];
  readonly inlinePolicies?: Readonly<Record<string, string>>;
}

export interface IamSeedBatch {
  /** CreateUser, then CreateAccessKey for each key, AttachUserPolicy for each ARN, PutUserPolicy for each inline policy. */
  createUser(input: SeedUser & SeedPolicies): void;
  /** CreateRole (trust principals may not exist yet), then AttachRolePolicy and PutRolePolicy for each policy. */
  createRole(input: SeedRole & SeedPolicies): void;
  /** Writes what the calls since the last save staged, in the transaction given to `begin`. */
  save(): Promise<void>;
}

interface Staged {
  users: UserRow[];
  accessKeys: AccessKeyRow[];
  roles: RoleRow[];
  tags: Array<{ kind: 'user' | 'role'; resourceId: string; tags: readonly Tag[] }>;
  attachments: Array<{ accountId: string; kind: OwnerKind; ownerId: string; policyArn: string; at: number }>;
  inline: Array<{ accountId: string; kind: OwnerKind; ownerId: string; policyName: string; document: string }>;
}

/** The model constraints the seeder checks before a user is created (the API's input validation). */
export function checkSeedUser(input: SeedUser): void {
  checkUserName(input.userName);
  if (input.path !== undefined) checkPath(input.path);
  for (const k of input.accessKeys ?? []) checkAccessKeyId(k.accessKeyId);
}

/** The model constraints the seeder checks before a role is created. */
export function checkSeedRole(input: SeedRole): void {
  checkRoleName(input.roleName);
  if (input.path !== undefined) checkPath(input.path);
  if (input.maxSessionDuration !== undefined) checkMaxSessionDuration(input.maxSessionDuration);
  if (input.description !== undefined) checkDescription(input.description);
}

const nothingStaged = (): Staged => ({ users: [], accessKeys: [], roles: [], tags: [], attachments: [], inline: [] });

export async function beginIamSeedBatch(trx: Kysely<any>, clock: Clock, scope: IamSeedScope, onWrite: () => void): Promise<IamSeedBatch> {
  const store = new IamStore(trx);
  const accounts = new Set(scope.accountIds);
  const keysInScope = new Set(scope.accessKeyIds);
  const existing = await store.entitiesOf(scope.accountIds);
  const users = new Set(existing.users.map((u) => `${u.account_id}/${u.name_key}`));
  const roles = new Set(existing.roles.map((r) => `${r.account_id}/${r.name_key}`));
  const localPolicies = new Set(existing.policyArns);
  const takenKeys = new Set(await store.existingAccessKeyIds(scope.accessKeyIds));
  let staged = nothingStaged();

  const inScope = (accountId: string): void => {
    if (!accounts.has(accountId)) throw new Error(`IAM seed batch: account ${accountId} is outside the batch's scope`);
  };
  /** The backend's resolvePolicy, against the policies read by `begin`. */
  const resolve = (accountId: string, arn: string, notFound: (arn: string) => AwsError): void => {
    if (policyRef(accountId, arn, notFound).kind === 'local' && !localPolicies.has(arn)) throw notFound(arn);
  };
  const checkBoundary = (accountId: string, arn: string | undefined): void => {
    if (arn !== undefined) resolve(accountId, arn, IamError.boundaryNotAttachable);
  };
  /** Attachments then inline policies of an entity the batch just staged (so it has none yet). */
  const stagePolicies = (accountId: string, kind: EntityKind, owner: { id: string; name: string }, p: SeedPolicies): void => {
    const attached: string[] = [];
    for (const arn of p.managedPolicies ?? []) {
      const at = clock.now();
      resolve(accountId, arn, IamError.policyNotAttachable);
      if (attached.includes(arn)) continue; // attaching twice is a no-op, as in AWS
      checkAttachQuota(kind, attached.length);
      attached.push(arn);
      staged.attachments.push({ accountId, kind, ownerId: owner.id, policyArn: arn, at });
    }
    const documents: string[] = [];
    for (const [policyName, document] of Object.entries(p.inlinePolicies ?? {})) {
      checkPolicyName(policyName);
      checkInlinePolicy(kind, owner.name, document, documents);
      documents.push(document);
      staged.inline.push({ accountId, kind, ownerId: owner.id, policyName, document });
    }
  };

  return {
    createUser(input) {
      inScope(input.accountId);
      checkSeedUser(input);
      const now = clock.now();
      const tags = [...(input.tags ?? [])];
      checkRequestTags(tags);
      const key = `${input.accountId}/${nameKey(input.userName)}`;
      if (users.has(key)) throw IamError.userExists(input.userName);
      checkBoundary(input.accountId, input.permissionsBoundaryArn);
      const user = newUserRow(input.accountId, now, input);
      users.add(key);
      staged.users.push(user);
      if (tags.length > 0) staged.tags.push({ kind: 'user', resourceId: user.user_id, tags });
      let keys = 0;
      for (const k of input.accessKeys ?? []) {
        if (!keysInScope.has(k.accessKeyId)) throw new Error(`IAM seed batch: access key ${k.accessKeyId} is outside the batch's scope`);
        checkAccessKeyQuota(keys);
        if (takenKeys.has(k.accessKeyId)) throw IamError.accessKeyExists(k.accessKeyId);
        takenKeys.add(k.accessKeyId);
        keys++;
        staged.accessKeys.push(newAccessKeyRow(input.accountId, user.user_id, now, k));
      }
      stagePolicies(input.accountId, 'user', { id: user.user_id, name: user.user_name }, input);
    },

    createRole(input) {
      inScope(input.accountId);
      checkSeedRole(input);
      const now = clock.now();
      const tags = [...(input.tags ?? [])];
      checkRequestTags(tags);
      checkTrustPolicyDocument(input.assumeRolePolicyDocument);
      const key = `${input.accountId}/${nameKey(input.roleName)}`;
      if (roles.has(key)) throw IamError.roleExists(input.roleName);
      // Malformed principals are refused; existing ones are not required (blueprints trust roles created later).
      for (const value of awsPrincipals(input.assumeRolePolicyDocument)) {
        if (classifyPrincipal(value).kind === 'invalid') throw invalidPrincipal(value);
      }
      checkBoundary(input.accountId, input.permissionsBoundaryArn);
      const role = newRoleRow(input.accountId, now, { ...input, trustPolicy: input.assumeRolePolicyDocument });
      roles.add(key);
      staged.roles.push(role);
      if (tags.length > 0) staged.tags.push({ kind: 'role', resourceId: role.role_id, tags });
      stagePolicies(input.accountId, 'role', { id: role.role_id, name: role.role_name }, input);
    },

    async save() {
      const batch = staged;
      staged = nothingStaged();
      onWrite();
      try {
        await store.insertBatch(batch);
      } finally {
        onWrite();
      }
    },
  };
}
