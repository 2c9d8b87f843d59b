/**
 * `IamDirectory`: what the rest of mlzone may read from IAM (access key → user, roles, users, identity
 * policies, managed policy documents). It sits on the hot path of every request, so reads are served from
 * the service's `ReadCache`, which every IAM write invalidates.
 */
import type { MaybePromise } from '../../core/maybe-promise.js';
import type { ReadCache } from './cache.js';
import type { IamBackend, TaggedRole, TaggedUser } from './operations.js';
import { nameKey } from './domain/names.js';
import type { AccessKeyRecord, IdentityPolicyRecord, RoleRecord, UserRecord } from './records.js';

/** The published read port of the IAM service (used by STS, the auth chain, IAM enforcement, the console). */
export interface IamDirectory {
  /** The long-term access key and its user, or undefined when no such key exists. */
  /** The value itself when cached (every call after a key's first while IAM is unchanged). */
  findAccessKey(accessKeyId: string): MaybePromise<AccessKeyRecord | undefined>;
  /** Role by name (IAM names ignore case), with its trust policy, boundary and tags. */
  getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined>;
  /** User by name (IAM names ignore case), with its boundary and tags. */
  getUser(accountId: string, userName: string): Promise<UserRecord | undefined>;
  /**
   * Inline and attached managed (default version) policies of a user (including its groups') or role.
   * `id` is the policy ARN for managed policies and `<ownerArn>#inline/<name>` for inline ones. Empty
   * when the user or role does not exist. The array is the caller's own; its records are frozen.
   */
  identityPolicies(accountId: string, kind: 'user' | 'role', name: string): Promise<IdentityPolicyRecord[]>;
  /** Default-version document of a managed policy, AWS managed ones included; undefined when unknown. */
  managedPolicyDocument(policyArn: string): Promise<string | undefined>;
  /** Changes on every IAM write (before and after it): answers derived from reads stay valid while it is unchanged. */
  generation?(): number;
}

export function userRecord({ user, tags }: TaggedUser): UserRecord {
  return {
    accountId: user.account_id,
    userName: user.user_name,
    userId: user.user_id,
    arn: user.arn,
    path: user.path,
    ...(user.permissions_boundary_arn !== null ? { permissionsBoundaryArn: user.permissions_boundary_arn } : {}),
    tags,
    createDate: user.create_date,
  };
}

export function roleRecord({ role, tags }: TaggedRole): RoleRecord {
  return {
    accountId: role.account_id,
    roleName: role.role_name,
    roleId: role.role_id,
    arn: role.arn,
    path: role.path,
    assumeRolePolicyDocument: role.assume_role_policy_document,
    maxSessionDuration: role.max_session_duration,
    ...(role.permissions_boundary_arn !== null ? { permissionsBoundaryArn: role.permissions_boundary_arn } : {}),
    ...(role.description !== null ? { description: role.description } : {}),
    tags,
    createDate: role.create_date,
  };
}

const copy = <T>(xs: readonly T[]): T[] => xs.slice();

export class CachedDirectory implements IamDirectory {
  constructor(
    private readonly backend: IamBackend,
    private readonly cache: ReadCache,
  ) {}

  findAccessKey(accessKeyId: string): MaybePromise<AccessKeyRecord | undefined> {
    return this.cache.read('accessKey', accessKeyId, async () => {
      const found = await this.backend.findAccessKeyWithUser(accessKeyId);
      if (!found) return undefined;
      const { key, user } = found;
      return {
        accessKeyId: key.access_key_id,
        secretAccessKey: key.secret_access_key,
        status: key.status === 'Active' ? 'Active' : 'Inactive',
        accountId: key.account_id,
        userName: user.user_name,
        userId: user.user_id,
        userArn: user.arn,
      } satisfies AccessKeyRecord;
    });
  }

  getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined> {
    return this.cache.get('role', `${accountId}/${nameKey(roleName)}`, async () => {
      const r = await this.backend.findRoleByKey(accountId, roleName);
      return r && roleRecord(r);
    });
  }

  getUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
    return this.cache.get('user', `${accountId}/${nameKey(userName)}`, async () => {
      const u = await this.backend.findUserByKey(accountId, userName);
      return u && userRecord(u);
    });
  }

  identityPolicies(accountId: string, kind: 'user' | 'role', name: string): Promise<IdentityPolicyRecord[]> {
    return this.cache
      .get('identity', `${accountId}/${kind}/${nameKey(name)}`, () => this.backend.identityPolicies(accountId, kind, name))
      .then(copy);
  }

  managedPolicyDocument(policyArn: string): Promise<string | undefined> {
    return this.cache.get('managedDoc', policyArn, () => this.backend.managedPolicyDocument(policyArn));
  }

  generation(): number {
    return this.cache.version();
  }
}
