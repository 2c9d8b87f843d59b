/**
 * The IAM application layer: each method is one IAM operation on the store, applying the rules of
 * `domain/`. Handlers (API) and the seeder (blueprints) both call it, so both validate the same way.
 *
 * Writes run in one transaction (their own, or the caller's when the seeder is given one) and invalidate
 * the read cache before and after; reads use the database directly. Inputs keep AWS member names so the
 * handlers pass them through; results are store rows, mapped to API shapes by the handlers.
 */
import type { Kysely } from 'kysely';
import type { AwsError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import type { Database } from '../../persistence/db.js';
import type { ReadCache } from './cache.js';
import { AWS_MANAGED_ACCOUNT, groupArn, looksLikeArn, parsePolicyArn, policyArn, userArn } from './domain/arns.js';
import { groupDeleteConflict, policyDeleteConflict, roleDeleteConflict, userDeleteConflict } from './domain/conflicts.js';
import { iamTimestamp, nameKey } from './domain/names.js';
import { sortByKey } from './domain/pagination.js';
import {
  checkAccessKeyQuota,
  checkAttachQuota,
  checkCanCreateVersion,
  checkCanDeleteVersion,
  checkGroupsPerUserQuota,
  checkInlinePolicy,
  checkManagedPolicyDocument,
  checkTrustPolicyDocument,
  versionId,
  versionNumber,
} from './domain/policy-rules.js';
import { mergeTags, removeTags, checkRequestTags } from './domain/tags.js';
import type { Tag } from './domain/tags.js';
import { awsPrincipals, classifyPrincipal, invalidPrincipal } from './domain/trust-principals.js';
import { IamError } from './errors.js';
import { awsManagedPolicies, awsManagedPolicy } from './managed-policies/index.js';
import type { AwsManagedPolicy } from './managed-policies/index.js';
import { newAccessKeyRow, newRoleRow, newUserRow } from './rows.js';
import { IamStore } from './store.js';
import type { AccessKeyRow, GroupRow, ManagedPolicyRow, OwnerKind, PolicyVersionRow, RoleRow, UserRow } from './store.js';
import { isUniqueViolation } from '../../persistence/errors.js';

export type { OwnerKind } from './store.js';

/** Where a write runs: its own transaction, or one the caller (the blueprint loader) already opened. */
export interface WriteOptions {
  readonly trx?: Kysely<any>;
}

export interface TaggedUser {
  readonly user: UserRow;
  readonly tags: Tag[];
}
export interface TaggedRole {
  readonly role: RoleRow;
  readonly tags: Tag[];
}

/** A managed policy as GetPolicy/ListPolicies show it, local or AWS managed. */
export interface PolicyView {
  readonly policyName: string;
  readonly policyId: string;
  readonly arn: string;
  readonly path: string;
  readonly defaultVersionId: string;
  readonly attachmentCount: number;
  readonly permissionsBoundaryUsageCount: number;
  readonly description?: string;
  readonly createDate: number;
  readonly updateDate: number;
  readonly tags: Tag[];
  readonly awsManaged: boolean;
}

export interface VersionView {
  readonly versionId: string;
  readonly isDefaultVersion: boolean;
  readonly createDate: number;
  readonly document: string;
}

export interface EntitiesForPolicy {
  readonly groups: GroupRow[];
  readonly users: UserRow[];
  readonly roles: RoleRow[];
}

export interface AccountSummaryCounts {
  readonly users: number;
  readonly groups: number;
  readonly roles: number;
  readonly policies: number;
  readonly attachments: number;
}

interface Owner {
  readonly kind: OwnerKind;
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly boundaryArn: string | null;
}

type Resolved = { readonly kind: 'local'; readonly row: ManagedPolicyRow } | { readonly kind: 'aws'; readonly policy: AwsManagedPolicy };

const byName = <T extends { name_key: string }>(idOf: (t: T) => string) => (t: T): string => `${t.name_key}\u0000${idOf(t)}`;
/** Sort keys of the list operations (names ignore case; the unique id breaks ties), used as markers too. */
export const userKey = byName<UserRow>((u) => u.user_id);
export const roleKey = byName<RoleRow>((r) => r.role_id);
export const groupKey = byName<GroupRow>((g) => g.group_id);

/**
 * The checks on a caller's policy ARN that need no table: `InvalidInput` when it is not a policy ARN,
 * `notFound(arn)` for an unknown AWS managed policy or another account's policy. A local ARN still has
 * to be looked up.
 */
export function policyRef(
  accountId: string,
  arn: string,
  notFound: (arn: string) => AwsError,
): { readonly kind: 'aws'; readonly policy: AwsManagedPolicy } | { readonly kind: 'local' } {
  if (!looksLikeArn(arn)) throw IamError.invalidArn(arn);
  const parts = parsePolicyArn(arn);
  if (!parts) throw IamError.invalidArn(arn);
  if (parts.accountId === AWS_MANAGED_ACCOUNT) {
    const policy = awsManagedPolicy(arn);
    if (!policy) throw notFound(arn);
    return { kind: 'aws', policy };
  }
  if (parts.accountId !== accountId) throw notFound(arn);
  return { kind: 'local' };
}

export class IamBackend {
  constructor(
    private readonly db: Database,
    private readonly cache: ReadCache,
  ) {}

  // ==== plumbing ======================================================================================

  private reader(): IamStore {
    return new IamStore(this.db.kysely);
  }

  /** Runs `fn` as one transaction (or inside the caller's) and invalidates the read cache around it. */
  private async write<T>(opts: WriteOptions | undefined, fn: (s: IamStore) => Promise<T>, onUnique?: () => AwsError): Promise<T> {
    this.cache.invalidate();
    try {
      if (opts?.trx) return await fn(new IamStore(opts.trx));
      return await this.db.transaction((trx) => fn(new IamStore(trx)));
    } catch (e) {
      if (onUnique && isUniqueViolation(e)) throw onUnique();
      throw e;
    } finally {
      this.cache.invalidate();
    }
  }

  private async mustUser(s: IamStore, accountId: string, name: string): Promise<UserRow> {
    const u = await s.findUser(accountId, nameKey(name));
    if (!u) throw IamError.noSuchUser(name);
    return u;
  }
  private async mustRole(s: IamStore, accountId: string, name: string): Promise<RoleRow> {
    const r = await s.findRole(accountId, nameKey(name));
    if (!r) throw IamError.noSuchRole(name);
    return r;
  }
  private async mustGroup(s: IamStore, accountId: string, name: string): Promise<GroupRow> {
    const g = await s.findGroup(accountId, nameKey(name));
    if (!g) throw IamError.noSuchGroup(name);
    return g;
  }

  private async owner(s: IamStore, accountId: string, kind: OwnerKind, name: string): Promise<Owner> {
    switch (kind) {
      case 'user': {
        const u = await this.mustUser(s, accountId, name);
        return { kind, id: u.user_id, name: u.user_name, arn: u.arn, boundaryArn: u.permissions_boundary_arn };
      }
      case 'role': {
        const r = await this.mustRole(s, accountId, name);
        return { kind, id: r.role_id, name: r.role_name, arn: r.arn, boundaryArn: r.permissions_boundary_arn };
      }
      case 'group': {
        const g = await this.mustGroup(s, accountId, name);
        return { kind, id: g.group_id, name: g.group_name, arn: g.arn, boundaryArn: null };
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown owner kind ${String(never)}`);
      }
    }
  }

  /** A policy ARN given by a caller → the local or AWS managed policy, or `notFound(arn)`. */
  private async resolvePolicy(s: IamStore, accountId: string, arn: string, notFound: (arn: string) => AwsError): Promise<Resolved> {
    const ref = policyRef(accountId, arn, notFound);
    if (ref.kind === 'aws') return ref;
    const row = await s.findPolicyByArn(arn);
    if (!row) throw notFound(arn);
    return { kind: 'local', row };
  }

  private async localPolicy(s: IamStore, accountId: string, arn: string, action: string): Promise<ManagedPolicyRow> {
    const p = await this.resolvePolicy(s, accountId, arn, IamError.noSuchPolicy);
    if (p.kind === 'aws') throw IamError.awsManagedReadOnly(action, arn);
    return p.row;
  }

  /** A permissions boundary must be an existing managed policy visible to the account. */
  private async checkBoundary(s: IamStore, accountId: string, arn: string): Promise<void> {
    if (!looksLikeArn(arn)) throw IamError.invalidArn(arn);
    await this.resolvePolicy(s, accountId, arn, IamError.boundaryNotAttachable);
  }

  /**
   * Trust-policy principals: malformed ones are always rejected; user and role ARNs must exist unless
   * `checkExistence` is off (the seeder, whose blueprints may name roles created later or in a cycle).
   */
  private async checkTrustPrincipals(s: IamStore, document: string, checkExistence: boolean): Promise<void> {
    for (const value of awsPrincipals(document)) {
      const ref = classifyPrincipal(value);
      if (ref.kind === 'invalid') throw invalidPrincipal(value);
      if (ref.kind === 'fixed' || !checkExistence) continue;
      const found = ref.entity === 'role' ? await s.findRole(ref.accountId, nameKey(ref.name)) : await s.findUser(ref.accountId, nameKey(ref.name));
      if (!found || found.path !== ref.path) throw invalidPrincipal(value);
    }
  }

  private async policyView(s: IamStore, accountId: string, p: Resolved, withTags: boolean): Promise<PolicyView> {
    const counts = await s.attachmentCounts(accountId);
    const boundaries = await s.boundaryCounts(accountId);
    if (p.kind === 'aws') return awsView(p.policy, counts, boundaries);
    const updates = await s.policyUpdateDates(accountId);
    const tags = withTags ? await s.getTags('policy', p.row.policy_id) : [];
    return localView(p.row, counts, boundaries, updates, tags);
  }

  // ==== users =========================================================================================

  async createUser(
    accountId: string,
    now: number,
    input: { UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: readonly Tag[] },
    opts?: WriteOptions,
  ): Promise<TaggedUser> {
    const tags = [...(input.Tags ?? [])];
    checkRequestTags(tags);
    const path = input.Path ?? '/';
    return this.write(
      opts,
      async (s) => {
        if (await s.findUser(accountId, nameKey(input.UserName))) throw IamError.userExists(input.UserName);
        if (input.PermissionsBoundary !== undefined) await this.checkBoundary(s, accountId, input.PermissionsBoundary);
        const user = newUserRow(accountId, now, { userName: input.UserName, path, permissionsBoundaryArn: input.PermissionsBoundary });
        await s.insertUser(user);
        await s.setTags('user', user.user_id, tags);
        return { user, tags };
      },
      () => IamError.userExists(input.UserName),
    );
  }

  /** Served from the read cache (invalidated around every write), like the directory's reads: no SQL on a hit. */
  async getUser(accountId: string, userName: string): Promise<TaggedUser> {
    const found = await this.cache.get('taggedUser', `${accountId}/${nameKey(userName)}`, () => this.findUserByKey(accountId, userName));
    if (!found) throw IamError.noSuchUser(userName);
    return found;
  }

  async listUsers(accountId: string, pathPrefix = '/'): Promise<UserRow[]> {
    const rows = await this.reader().listUsers(accountId);
    return sortByKey(
      rows.filter((u) => u.path.startsWith(pathPrefix)),
      userKey,
    );
  }

  async updateUser(accountId: string, input: { UserName: string; NewPath?: string; NewUserName?: string }): Promise<void> {
    await this.write(
      undefined,
      async (s) => {
        const user = await this.mustUser(s, accountId, input.UserName);
        const newName = input.NewUserName ?? user.user_name;
        const newPath = input.NewPath ?? user.path;
        if (nameKey(newName) !== user.name_key && (await s.findUser(accountId, nameKey(newName)))) throw IamError.userExists(newName);
        await s.updateUser(user.user_id, {
          user_name: newName,
          name_key: nameKey(newName),
          path: newPath,
          arn: userArn(accountId, newPath, newName),
        });
      },
      () => IamError.userExists(input.NewUserName ?? input.UserName),
    );
  }

  async deleteUser(accountId: string, userName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const user = await this.mustUser(s, accountId, userName);
      const conflict = userDeleteConflict({
        accessKeys: (await s.listAccessKeys(user.user_id)).length,
        inlinePolicies: (await s.listInline('user', user.user_id)).length,
        attachedPolicies: (await s.listAttached('user', user.user_id)).length,
        groups: (await s.groupsOfUser(user.user_id)).length,
      });
      if (conflict) throw conflict;
      await s.deleteTags('user', user.user_id);
      await s.deleteUser(user.user_id);
    });
  }

  async tagUser(accountId: string, userName: string, tags: readonly Tag[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const user = await this.mustUser(s, accountId, userName);
      await s.setTags('user', user.user_id, mergeTags(await s.getTags('user', user.user_id), tags, 'user'));
    });
  }

  async untagUser(accountId: string, userName: string, keys: readonly string[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const user = await this.mustUser(s, accountId, userName);
      await s.setTags('user', user.user_id, removeTags(await s.getTags('user', user.user_id), keys));
    });
  }

  async putUserPermissionsBoundary(accountId: string, userName: string, boundaryArn: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const user = await this.mustUser(s, accountId, userName);
      await this.checkBoundary(s, accountId, boundaryArn);
      await s.updateUser(user.user_id, { permissions_boundary_arn: boundaryArn });
    });
  }

  async deleteUserPermissionsBoundary(accountId: string, userName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const user = await this.mustUser(s, accountId, userName);
      await s.updateUser(user.user_id, { permissions_boundary_arn: null });
    });
  }

  // ==== access keys ===================================================================================

  async createAccessKey(
    accountId: string,
    now: number,
    userName: string,
    given?: { accessKeyId: string; secretAccessKey: string },
    opts?: WriteOptions,
  ): Promise<{ key: AccessKeyRow; user: UserRow }> {
    const accessKeyId = given?.accessKeyId ?? ids.accessKeyId(false);
    return this.write(
      opts,
      async (s) => {
        const user = await this.mustUser(s, accountId, userName);
        checkAccessKeyQuota((await s.listAccessKeys(user.user_id)).length);
        if (await s.findAccessKey(accessKeyId)) throw IamError.accessKeyExists(accessKeyId);
        const key = newAccessKeyRow(accountId, user.user_id, now, { accessKeyId, secretAccessKey: given?.secretAccessKey ?? ids.secretAccessKey() });
        await s.insertAccessKey(key);
        return { key, user };
      },
      () => IamError.accessKeyExists(accessKeyId),
    );
  }

  async listAccessKeys(accountId: string, userName: string): Promise<{ user: UserRow; keys: AccessKeyRow[] }> {
    const s = this.reader();
    const user = await this.mustUser(s, accountId, userName);
    const keys = sortByKey(await s.listAccessKeys(user.user_id), (k) => `${String(k.create_date).padStart(16, '0')}\u0000${k.access_key_id}`);
    return { user, keys };
  }

  private async userKeyOf(s: IamStore, accountId: string, userName: string, accessKeyId: string): Promise<AccessKeyRow> {
    const user = await this.mustUser(s, accountId, userName);
    const key = await s.findAccessKey(accessKeyId);
    if (!key || key.user_id !== user.user_id) throw IamError.noSuchAccessKey(accessKeyId);
    return key;
  }

  async updateAccessKey(accountId: string, userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    await this.write(undefined, async (s) => {
      await this.userKeyOf(s, accountId, userName, accessKeyId);
      await s.updateAccessKeyStatus(accessKeyId, status);
    });
  }

  async deleteAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    await this.write(undefined, async (s) => {
      await this.userKeyOf(s, accountId, userName, accessKeyId);
      await s.deleteAccessKey(accessKeyId);
    });
  }

  async getAccessKeyLastUsed(accountId: string, accessKeyId: string): Promise<{ key: AccessKeyRow; user: UserRow }> {
    const s = this.reader();
    const key = await s.findAccessKey(accessKeyId);
    const user = key && key.account_id === accountId ? await s.findUserById(key.user_id) : undefined;
    if (!key || !user) throw IamError.noSuchAccessKey(accessKeyId);
    return { key, user };
  }

  // ==== roles =========================================================================================

  async createRole(
    accountId: string,
    now: number,
    input: {
      RoleName: string;
      AssumeRolePolicyDocument: string;
      Path?: string;
      Description?: string;
      MaxSessionDuration?: number;
      PermissionsBoundary?: string;
      Tags?: readonly Tag[];
    },
    opts?: WriteOptions & { checkPrincipalsExist?: boolean },
  ): Promise<TaggedRole> {
    const tags = [...(input.Tags ?? [])];
    checkRequestTags(tags);
    checkTrustPolicyDocument(input.AssumeRolePolicyDocument);
    const path = input.Path ?? '/';
    return this.write(
      opts,
      async (s) => {
        if (await s.findRole(accountId, nameKey(input.RoleName))) throw IamError.roleExists(input.RoleName);
        await this.checkTrustPrincipals(s, input.AssumeRolePolicyDocument, opts?.checkPrincipalsExist ?? true);
        if (input.PermissionsBoundary !== undefined) await this.checkBoundary(s, accountId, input.PermissionsBoundary);
        const role = newRoleRow(accountId, now, {
          roleName: input.RoleName,
          trustPolicy: input.AssumeRolePolicyDocument,
          path,
          description: input.Description,
          maxSessionDuration: input.MaxSessionDuration,
          permissionsBoundaryArn: input.PermissionsBoundary,
        });
        await s.insertRole(role);
        await s.setTags('role', role.role_id, tags);
        return { role, tags };
      },
      () => IamError.roleExists(input.RoleName),
    );
  }

  /** Served from the read cache (invalidated around every write), like the directory's reads: no SQL on a hit. */
  async getRole(accountId: string, roleName: string): Promise<TaggedRole> {
    const found = await this.cache.get('taggedRole', `${accountId}/${nameKey(roleName)}`, () => this.findRoleByKey(accountId, roleName));
    if (!found) throw IamError.noSuchRole(roleName);
    return found;
  }

  async listRoles(accountId: string, pathPrefix = '/'): Promise<RoleRow[]> {
    const rows = await this.reader().listRoles(accountId);
    return sortByKey(
      rows.filter((r) => r.path.startsWith(pathPrefix)),
      roleKey,
    );
  }

  async updateRole(accountId: string, input: { RoleName: string; Description?: string; MaxSessionDuration?: number }): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, input.RoleName);
      const patch: Partial<RoleRow> = {};
      if (input.Description !== undefined) patch.description = input.Description;
      if (input.MaxSessionDuration !== undefined) patch.max_session_duration = input.MaxSessionDuration;
      if (Object.keys(patch).length > 0) await s.updateRole(role.role_id, patch);
    });
  }

  async updateAssumeRolePolicy(accountId: string, roleName: string, document: string): Promise<void> {
    checkTrustPolicyDocument(document);
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      await this.checkTrustPrincipals(s, document, true);
      await s.updateRole(role.role_id, { assume_role_policy_document: document });
    });
  }

  async deleteRole(accountId: string, roleName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      const conflict = roleDeleteConflict({
        instanceProfiles: 0,
        inlinePolicies: (await s.listInline('role', role.role_id)).length,
        attachedPolicies: (await s.listAttached('role', role.role_id)).length,
      });
      if (conflict) throw conflict;
      await s.deleteTags('role', role.role_id);
      await s.deleteRole(role.role_id);
    });
  }

  async putRolePermissionsBoundary(accountId: string, roleName: string, boundaryArn: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      await this.checkBoundary(s, accountId, boundaryArn);
      await s.updateRole(role.role_id, { permissions_boundary_arn: boundaryArn });
    });
  }

  async deleteRolePermissionsBoundary(accountId: string, roleName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      await s.updateRole(role.role_id, { permissions_boundary_arn: null });
    });
  }

  async tagRole(accountId: string, roleName: string, tags: readonly Tag[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      await s.setTags('role', role.role_id, mergeTags(await s.getTags('role', role.role_id), tags, 'role'));
    });
  }

  async untagRole(accountId: string, roleName: string, keys: readonly string[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const role = await this.mustRole(s, accountId, roleName);
      await s.setTags('role', role.role_id, removeTags(await s.getTags('role', role.role_id), keys));
    });
  }

  // ==== managed policies ==============================================================================

  async createPolicy(
    accountId: string,
    now: number,
    input: { PolicyName: string; PolicyDocument: string; Path?: string; Description?: string; Tags?: readonly Tag[] },
    opts?: WriteOptions,
  ): Promise<PolicyView> {
    const tags = [...(input.Tags ?? [])];
    checkRequestTags(tags);
    checkManagedPolicyDocument(input.PolicyDocument);
    const path = input.Path ?? '/';
    const created = iamTimestamp(now);
    return this.write(
      opts,
      async (s) => {
        if (await s.findPolicyByName(accountId, nameKey(input.PolicyName))) throw IamError.policyExists(input.PolicyName);
        const row: ManagedPolicyRow = {
          policy_id: ids.iamId('ANPA'),
          account_id: accountId,
          policy_name: input.PolicyName,
          name_key: nameKey(input.PolicyName),
          path,
          arn: policyArn(accountId, path, input.PolicyName),
          description: input.Description ?? null,
          default_version_id: versionId(1),
          next_version: 2,
          create_date: created,
        };
        await s.insertPolicy(row);
        await s.insertVersion({ policy_id: row.policy_id, version_id: versionId(1), version_number: 1, document: input.PolicyDocument, create_date: created });
        await s.setTags('policy', row.policy_id, tags);
        return localView(row, new Map(), new Map(), new Map([[row.policy_id, created]]), tags);
      },
      () => IamError.policyExists(input.PolicyName),
    );
  }

  async getPolicy(accountId: string, arn: string): Promise<PolicyView> {
    const s = this.reader();
    return this.policyView(s, accountId, await this.resolvePolicy(s, accountId, arn, IamError.noSuchPolicy), true);
  }

  /** Local and/or AWS managed policies visible to the account, sorted by name. */
  async listPolicies(
    accountId: string,
    input: { Scope?: 'All' | 'AWS' | 'Local'; OnlyAttached?: boolean; PathPrefix?: string; PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary' },
  ): Promise<PolicyView[]> {
    const s = this.reader();
    const scope = input.Scope ?? 'All';
    const counts = await s.attachmentCounts(accountId);
    const boundaries = await s.boundaryCounts(accountId);
    const views: PolicyView[] = [];
    if (scope !== 'Local') for (const p of awsManagedPolicies()) views.push(awsView(p, counts, boundaries));
    if (scope !== 'AWS') {
      const updates = await s.policyUpdateDates(accountId);
      for (const row of await s.listPolicies(accountId)) views.push(localView(row, counts, boundaries, updates, []));
    }
    const prefix = input.PathPrefix ?? '/';
    const filtered = views.filter((v) => {
      if (!v.path.startsWith(prefix)) return false;
      if (input.PolicyUsageFilter === 'PermissionsPolicy' && v.attachmentCount === 0) return false;
      if (input.PolicyUsageFilter === 'PermissionsBoundary' && v.permissionsBoundaryUsageCount === 0) return false;
      if (input.OnlyAttached && v.attachmentCount === 0 && v.permissionsBoundaryUsageCount === 0) return false;
      return true;
    });
    return sortByKey(filtered, policyKey);
  }

  async deletePolicy(accountId: string, arn: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, arn, 'iam:DeletePolicy');
      const conflict = policyDeleteConflict({
        attachments: (await s.attachmentsOf(accountId, arn)).length,
        versions: (await s.listVersions(row.policy_id)).length,
      });
      if (conflict) throw conflict;
      await s.deleteTags('policy', row.policy_id);
      await s.deletePolicy(row.policy_id);
    });
  }

  async createPolicyVersion(accountId: string, now: number, input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }): Promise<VersionView> {
    checkManagedPolicyDocument(input.PolicyDocument);
    return this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, input.PolicyArn, 'iam:CreatePolicyVersion');
      checkCanCreateVersion((await s.listVersions(row.policy_id)).length);
      const version: PolicyVersionRow = {
        policy_id: row.policy_id,
        version_id: versionId(row.next_version),
        version_number: row.next_version,
        document: input.PolicyDocument,
        create_date: iamTimestamp(now),
      };
      await s.insertVersion(version);
      await s.updatePolicy(row.policy_id, {
        next_version: row.next_version + 1,
        ...(input.SetAsDefault ? { default_version_id: version.version_id } : {}),
      });
      return { versionId: version.version_id, isDefaultVersion: input.SetAsDefault === true, createDate: version.create_date, document: version.document };
    });
  }

  async getPolicyVersion(accountId: string, arn: string, version: string): Promise<VersionView> {
    const s = this.reader();
    const p = await this.resolvePolicy(s, accountId, arn, IamError.noSuchPolicy);
    if (p.kind === 'aws') {
      if (version !== p.policy.defaultVersionId) throw IamError.noSuchPolicyVersion(arn, version);
      return { versionId: version, isDefaultVersion: true, createDate: p.policy.updateDate, document: p.policy.document };
    }
    const v = await s.findVersion(p.row.policy_id, version);
    if (!v) throw IamError.noSuchPolicyVersion(arn, version);
    return { versionId: v.version_id, isDefaultVersion: v.version_id === p.row.default_version_id, createDate: v.create_date, document: v.document };
  }

  /** Newest first, as AWS lists them. */
  async listPolicyVersions(accountId: string, arn: string): Promise<VersionView[]> {
    const s = this.reader();
    const p = await this.resolvePolicy(s, accountId, arn, IamError.noSuchPolicy);
    if (p.kind === 'aws') {
      return [{ versionId: p.policy.defaultVersionId, isDefaultVersion: true, createDate: p.policy.updateDate, document: p.policy.document }];
    }
    const versions = await s.listVersions(p.row.policy_id);
    return versions
      .sort((a, b) => b.version_number - a.version_number)
      .map((v) => ({ versionId: v.version_id, isDefaultVersion: v.version_id === p.row.default_version_id, createDate: v.create_date, document: v.document }));
  }

  async deletePolicyVersion(accountId: string, arn: string, version: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, arn, 'iam:DeletePolicyVersion');
      const v = await s.findVersion(row.policy_id, version);
      if (!v) throw IamError.noSuchPolicyVersion(arn, version);
      checkCanDeleteVersion(v.version_id === row.default_version_id);
      await s.deleteVersion(row.policy_id, version);
    });
  }

  async setDefaultPolicyVersion(accountId: string, arn: string, version: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, arn, 'iam:SetDefaultPolicyVersion');
      if (Number.isNaN(versionNumber(version)) || !(await s.findVersion(row.policy_id, version))) throw IamError.noSuchPolicyVersion(arn, version);
      await s.updatePolicy(row.policy_id, { default_version_id: version });
    });
  }

  async tagPolicy(accountId: string, arn: string, tags: readonly Tag[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, arn, 'iam:TagPolicy');
      await s.setTags('policy', row.policy_id, mergeTags(await s.getTags('policy', row.policy_id), tags, 'policy'));
    });
  }

  async untagPolicy(accountId: string, arn: string, keys: readonly string[]): Promise<void> {
    await this.write(undefined, async (s) => {
      const row = await this.localPolicy(s, accountId, arn, 'iam:UntagPolicy');
      await s.setTags('policy', row.policy_id, removeTags(await s.getTags('policy', row.policy_id), keys));
    });
  }

  async listPolicyTags(accountId: string, arn: string): Promise<Tag[]> {
    const s = this.reader();
    const p = await this.resolvePolicy(s, accountId, arn, IamError.noSuchPolicy);
    return p.kind === 'aws' ? [] : s.getTags('policy', p.row.policy_id);
  }

  // ==== inline policies ===============================================================================

  async putInlinePolicy(accountId: string, kind: OwnerKind, ownerName: string, policyName: string, document: string, opts?: WriteOptions): Promise<void> {
    await this.write(opts, async (s) => {
      const o = await this.owner(s, accountId, kind, ownerName);
      const others = (await s.listInline(kind, o.id)).filter((p) => p.policyName !== policyName).map((p) => p.document);
      checkInlinePolicy(kind, o.name, document, others);
      await s.putInline(accountId, kind, o.id, policyName, document);
    });
  }

  async getInlinePolicy(accountId: string, kind: OwnerKind, ownerName: string, policyName: string): Promise<{ ownerName: string; document: string }> {
    const s = this.reader();
    const o = await this.owner(s, accountId, kind, ownerName);
    const p = (await s.listInline(kind, o.id)).find((x) => x.policyName === policyName);
    if (!p) throw IamError.noSuchInlinePolicy(kind, policyName);
    return { ownerName: o.name, document: p.document };
  }

  async listInlinePolicies(accountId: string, kind: OwnerKind, ownerName: string): Promise<string[]> {
    const s = this.reader();
    const o = await this.owner(s, accountId, kind, ownerName);
    return sortByKey(
      (await s.listInline(kind, o.id)).map((p) => p.policyName),
      (n) => n,
    );
  }

  async deleteInlinePolicy(accountId: string, kind: OwnerKind, ownerName: string, policyName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const o = await this.owner(s, accountId, kind, ownerName);
      if ((await s.deleteInline(kind, o.id, policyName)) === 0) throw IamError.noSuchInlinePolicy(kind, policyName);
    });
  }

  // ==== attachments ===================================================================================

  async attachPolicy(accountId: string, now: number, kind: OwnerKind, ownerName: string, arn: string, opts?: WriteOptions): Promise<void> {
    await this.write(opts, async (s) => {
      const o = await this.owner(s, accountId, kind, ownerName);
      await this.resolvePolicy(s, accountId, arn, IamError.policyNotAttachable);
      const attached = await s.listAttached(kind, o.id);
      if (attached.includes(arn)) return; // attaching twice is a no-op, as in AWS
      checkAttachQuota(kind, attached.length);
      await s.attach(accountId, kind, o.id, arn, now);
    });
  }

  async detachPolicy(accountId: string, kind: OwnerKind, ownerName: string, arn: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const o = await this.owner(s, accountId, kind, ownerName);
      if (!looksLikeArn(arn) || !parsePolicyArn(arn)) throw IamError.invalidArn(arn);
      if ((await s.detach(kind, o.id, arn)) === 0) throw IamError.noSuchPolicy(arn);
    });
  }

  /** Attached policies as {name, arn}, sorted by name, filtered by the policy path. */
  async listAttachedPolicies(accountId: string, kind: OwnerKind, ownerName: string, pathPrefix = '/'): Promise<Array<{ policyName: string; policyArn: string }>> {
    const s = this.reader();
    const o = await this.owner(s, accountId, kind, ownerName);
    const out: Array<{ policyName: string; policyArn: string }> = [];
    for (const arn of await s.listAttached(kind, o.id)) {
      const parts = parsePolicyArn(arn);
      if (parts && parts.path.startsWith(pathPrefix)) out.push({ policyName: parts.name, policyArn: arn });
    }
    return sortByKey(out, attachedKey);
  }

  async listEntitiesForPolicy(
    accountId: string,
    input: { PolicyArn: string; EntityFilter?: string; PathPrefix?: string; PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary' },
  ): Promise<EntitiesForPolicy> {
    const s = this.reader();
    await this.resolvePolicy(s, accountId, input.PolicyArn, IamError.noSuchPolicy);
    const prefix = input.PathPrefix ?? '/';
    const want = (kind: 'User' | 'Role' | 'Group'): boolean => input.EntityFilter === undefined || input.EntityFilter === kind;
    const groups: GroupRow[] = [];
    const users: UserRow[] = [];
    const roles: RoleRow[] = [];
    const [allGroups, allUsers, allRoles] = [await s.listGroups(accountId), await s.listUsers(accountId), await s.listRoles(accountId)];
    if (input.PolicyUsageFilter !== 'PermissionsBoundary') {
      const attached = new Set((await s.attachmentsOf(accountId, input.PolicyArn)).map((a) => `${a.ownerKind}/${a.ownerId}`));
      if (want('Group')) groups.push(...allGroups.filter((g) => attached.has(`group/${g.group_id}`)));
      if (want('User')) users.push(...allUsers.filter((u) => attached.has(`user/${u.user_id}`)));
      if (want('Role')) roles.push(...allRoles.filter((r) => attached.has(`role/${r.role_id}`)));
    }
    if (input.PolicyUsageFilter !== 'PermissionsPolicy') {
      if (want('User')) users.push(...allUsers.filter((u) => u.permissions_boundary_arn === input.PolicyArn));
      if (want('Role')) roles.push(...allRoles.filter((r) => r.permissions_boundary_arn === input.PolicyArn));
    }
    const inPath = <T extends { path: string }>(xs: T[]): T[] => xs.filter((x) => x.path.startsWith(prefix));
    return {
      groups: sortByKey(uniqueBy(inPath(groups), (g) => g.group_id), groupKey),
      users: sortByKey(uniqueBy(inPath(users), (u) => u.user_id), userKey),
      roles: sortByKey(uniqueBy(inPath(roles), (r) => r.role_id), roleKey),
    };
  }

  // ==== groups ========================================================================================

  async createGroup(accountId: string, now: number, input: { GroupName: string; Path?: string }, opts?: WriteOptions): Promise<GroupRow> {
    const path = input.Path ?? '/';
    return this.write(
      opts,
      async (s) => {
        if (await s.findGroup(accountId, nameKey(input.GroupName))) throw IamError.groupExists(input.GroupName);
        const group: GroupRow = {
          group_id: ids.iamId('AGPA'),
          account_id: accountId,
          group_name: input.GroupName,
          name_key: nameKey(input.GroupName),
          path,
          arn: groupArn(accountId, path, input.GroupName),
          create_date: iamTimestamp(now),
        };
        await s.insertGroup(group);
        return group;
      },
      () => IamError.groupExists(input.GroupName),
    );
  }

  async getGroup(accountId: string, groupName: string): Promise<{ group: GroupRow; users: UserRow[] }> {
    const s = this.reader();
    const group = await this.mustGroup(s, accountId, groupName);
    return { group, users: sortByKey(await s.groupMembers(group.group_id), userKey) };
  }

  async listGroups(accountId: string, pathPrefix = '/'): Promise<GroupRow[]> {
    const rows = await this.reader().listGroups(accountId);
    return sortByKey(
      rows.filter((g) => g.path.startsWith(pathPrefix)),
      groupKey,
    );
  }

  async updateGroup(accountId: string, input: { GroupName: string; NewPath?: string; NewGroupName?: string }): Promise<void> {
    await this.write(
      undefined,
      async (s) => {
        const g = await this.mustGroup(s, accountId, input.GroupName);
        const newName = input.NewGroupName ?? g.group_name;
        const newPath = input.NewPath ?? g.path;
        if (nameKey(newName) !== g.name_key && (await s.findGroup(accountId, nameKey(newName)))) throw IamError.groupExists(newName);
        await s.updateGroup(g.group_id, { group_name: newName, name_key: nameKey(newName), path: newPath, arn: groupArn(accountId, newPath, newName) });
      },
      () => IamError.groupExists(input.NewGroupName ?? input.GroupName),
    );
  }

  async deleteGroup(accountId: string, groupName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const g = await this.mustGroup(s, accountId, groupName);
      const conflict = groupDeleteConflict({
        members: (await s.groupMembers(g.group_id)).length,
        inlinePolicies: (await s.listInline('group', g.group_id)).length,
        attachedPolicies: (await s.listAttached('group', g.group_id)).length,
      });
      if (conflict) throw conflict;
      await s.deleteGroup(g.group_id);
    });
  }

  async addUserToGroup(accountId: string, groupName: string, userName: string, opts?: WriteOptions): Promise<void> {
    await this.write(opts, async (s) => {
      const g = await this.mustGroup(s, accountId, groupName);
      const u = await this.mustUser(s, accountId, userName);
      if (await s.isMember(g.group_id, u.user_id)) return;
      checkGroupsPerUserQuota((await s.groupsOfUser(u.user_id)).length);
      await s.addMember(accountId, g.group_id, u.user_id);
    });
  }

  async removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<void> {
    await this.write(undefined, async (s) => {
      const g = await this.mustGroup(s, accountId, groupName);
      const u = await this.mustUser(s, accountId, userName);
      if (!(await s.isMember(g.group_id, u.user_id))) throw IamError.noSuchUser(userName);
      await s.removeMember(g.group_id, u.user_id);
    });
  }

  async listGroupsForUser(accountId: string, userName: string): Promise<GroupRow[]> {
    const s = this.reader();
    const u = await this.mustUser(s, accountId, userName);
    return sortByKey(await s.groupsOfUser(u.user_id), groupKey);
  }

  // ==== account =======================================================================================

  async accountSummary(accountId: string): Promise<AccountSummaryCounts> {
    const s = this.reader();
    return {
      users: await s.countUsers(accountId),
      groups: await s.countGroups(accountId),
      roles: await s.countRoles(accountId),
      policies: await s.countPolicies(accountId),
      attachments: await s.countAttachments(accountId),
    };
  }

  // ==== directory reads (uncached; see directory.ts) ==================================================

  async findUserByKey(accountId: string, name: string): Promise<TaggedUser | undefined> {
    const s = this.reader();
    const user = await s.findUser(accountId, nameKey(name));
    return user && { user, tags: await s.getTags('user', user.user_id) };
  }

  async findRoleByKey(accountId: string, name: string): Promise<TaggedRole | undefined> {
    const s = this.reader();
    const role = await s.findRole(accountId, nameKey(name));
    return role && { role, tags: await s.getTags('role', role.role_id) };
  }

  async findAccessKeyWithUser(accessKeyId: string): Promise<{ key: AccessKeyRow; user: UserRow } | undefined> {
    const s = this.reader();
    const key = await s.findAccessKey(accessKeyId);
    if (!key) return undefined;
    const user = await s.findUserById(key.user_id);
    return user && { key, user };
  }

  async findGroupRow(accountId: string, name: string): Promise<GroupRow | undefined> {
    return this.reader().findGroup(accountId, nameKey(name));
  }

  async findLocalPolicyTags(arn: string): Promise<Tag[] | undefined> {
    const s = this.reader();
    const row = await s.findPolicyByArn(arn);
    return row && s.getTags('policy', row.policy_id);
  }

  /** Default-version document of a managed policy (local or AWS managed). */
  async managedPolicyDocument(arn: string): Promise<string | undefined> {
    const aws = awsManagedPolicy(arn);
    if (aws) return aws.document;
    const s = this.reader();
    const row = await s.findPolicyByArn(arn);
    if (!row) return undefined;
    return (await s.findVersion(row.policy_id, row.default_version_id))?.document;
  }

  /**
   * Inline and attached policies of a user (with its groups'), role or group (the policy simulator), for
   * the IAM engine. Managed policies appear once even when attached through several paths.
   */
  async identityPolicies(accountId: string, kind: OwnerKind, name: string): Promise<Array<{ id: string; kind: 'inline' | 'managed'; document: string }>> {
    const s = this.reader();
    const owners: Array<{ kind: OwnerKind; id: string; arn: string }> = [];
    if (kind === 'role') {
      const r = await s.findRole(accountId, nameKey(name));
      if (!r) return [];
      owners.push({ kind: 'role', id: r.role_id, arn: r.arn });
    } else if (kind === 'group') {
      const g = await s.findGroup(accountId, nameKey(name));
      if (!g) return [];
      owners.push({ kind: 'group', id: g.group_id, arn: g.arn });
    } else {
      const u = await s.findUser(accountId, nameKey(name));
      if (!u) return [];
      owners.push({ kind: 'user', id: u.user_id, arn: u.arn });
      for (const g of sortByKey(await s.groupsOfUser(u.user_id), groupKey)) owners.push({ kind: 'group', id: g.group_id, arn: g.arn });
    }
    const out: Array<{ id: string; kind: 'inline' | 'managed'; document: string }> = [];
    const seen = new Set<string>();
    for (const o of owners) {
      for (const p of sortByKey(await s.listInline(o.kind, o.id), (x) => x.policyName)) {
        out.push({ id: `${o.arn}#inline/${p.policyName}`, kind: 'inline', document: p.document });
      }
      for (const arn of await s.listAttached(o.kind, o.id)) {
        if (seen.has(arn)) continue;
        seen.add(arn);
        const document = await this.managedPolicyDocument(arn);
        if (document !== undefined) out.push({ id: arn, kind: 'managed', document });
      }
    }
    return out;
  }
}

// ---- policy views ---------------------------------------------------------------------------------------

export function attachedKey(a: { policyName: string; policyArn: string }): string {
  return `${a.policyName.toLowerCase()}\u0000${a.policyArn}`;
}

export function policyKey(v: PolicyView): string {
  return `${v.policyName.toLowerCase()}\u0000${v.arn}`;
}

function awsView(p: AwsManagedPolicy, counts: Map<string, number>, boundaries: Map<string, number>): PolicyView {
  return {
    policyName: p.policyName,
    policyId: p.policyId,
    arn: p.arn,
    path: p.path,
    defaultVersionId: p.defaultVersionId,
    attachmentCount: counts.get(p.arn) ?? 0,
    permissionsBoundaryUsageCount: boundaries.get(p.arn) ?? 0,
    description: p.description,
    createDate: p.createDate,
    updateDate: p.updateDate,
    tags: [],
    awsManaged: true,
  };
}

function localView(
  row: ManagedPolicyRow,
  counts: Map<string, number>,
  boundaries: Map<string, number>,
  updates: Map<string, number>,
  tags: Tag[],
): PolicyView {
  return {
    policyName: row.policy_name,
    policyId: row.policy_id,
    arn: row.arn,
    path: row.path,
    defaultVersionId: row.default_version_id,
    attachmentCount: counts.get(row.arn) ?? 0,
    permissionsBoundaryUsageCount: boundaries.get(row.arn) ?? 0,
    ...(row.description !== null ? { description: row.description } : {}),
    createDate: row.create_date,
    updateDate: updates.get(row.policy_id) ?? row.create_date,
    tags,
    awsManaged: false,
  };
}

function uniqueBy<T>(xs: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}
