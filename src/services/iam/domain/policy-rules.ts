/**
 * Rules about policy documents and managed-policy versions that do not need the database: validation on
 * write, the size quotas, version numbering, and the encoding AWS's query API applies to documents.
 */
import { IamError } from '../errors.js';
import { checkPolicyDocument } from './policy-document.js';

export type EntityKind = 'user' | 'role' | 'group';

/** Managed policy versions kept at once. */
export const MAX_POLICY_VERSIONS = 5;
/** Managed policies attached to one user, role or group (AWS's default quota). */
export const MAX_ATTACHED_POLICIES = 10;
export const MAX_ACCESS_KEYS_PER_USER = 2;
export const MAX_GROUPS_PER_USER = 10;
export const MANAGED_POLICY_SIZE = 6144;
export const TRUST_POLICY_SIZE = 2048;
/** Aggregate size of all inline policies of one entity. */
export const INLINE_POLICY_SIZE: Record<EntityKind, number> = { user: 2048, role: 10240, group: 5120 };

const ATTACH_QUOTA: Record<EntityKind, string> = { user: 'PoliciesPerUser', role: 'PoliciesPerRole', group: 'PoliciesPerGroup' };

/** IAM does not count white space against policy size quotas. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** A managed policy document (CreatePolicy, CreatePolicyVersion): grammar, then the 6144 quota. */
export function checkManagedPolicyDocument(document: string): void {
  checkPolicyDocument(document, 'managed');
  if (policySize(document) > MANAGED_POLICY_SIZE) {
    throw IamError.limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
  }
}

/** A role trust policy (CreateRole, UpdateAssumeRolePolicy): grammar, then the 2048 quota. */
export function checkTrustPolicyDocument(document: string): void {
  checkPolicyDocument(document, 'trust');
  if (policySize(document) > TRUST_POLICY_SIZE) {
    throw IamError.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
  }
}

/** An inline policy: grammar, then the entity's aggregate quota over all its inline policies. */
export function checkInlinePolicy(kind: EntityKind, entityName: string, document: string, otherDocuments: readonly string[]): void {
  checkPolicyDocument(document, 'inline');
  const total = otherDocuments.reduce((n, d) => n + policySize(d), policySize(document));
  const limit = INLINE_POLICY_SIZE[kind];
  if (total > limit) throw IamError.limitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${kind} ${entityName}`);
}

export function checkAttachQuota(kind: EntityKind, alreadyAttached: number): void {
  if (alreadyAttached >= MAX_ATTACHED_POLICIES) {
    throw IamError.limitExceeded(`Cannot exceed quota for ${ATTACH_QUOTA[kind]}: ${MAX_ATTACHED_POLICIES}`);
  }
}

export function checkAccessKeyQuota(existing: number): void {
  if (existing >= MAX_ACCESS_KEYS_PER_USER) {
    throw IamError.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
  }
}

export function checkGroupsPerUserQuota(existing: number): void {
  if (existing >= MAX_GROUPS_PER_USER) {
    throw IamError.limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
  }
}

// ---- versions -------------------------------------------------------------------------------------

/** Version ids are `v<n>`, never reused: after v1..v5 and deleting v2 the next one is v6. */
export function versionId(n: number): string {
  return `v${n}`;
}

export function versionNumber(id: string): number {
  const m = /^v([1-9][0-9]*)$/.exec(id);
  return m ? Number(m[1]) : NaN;
}

export function checkCanCreateVersion(existingVersions: number): void {
  if (existingVersions >= MAX_POLICY_VERSIONS) {
    throw IamError.limitExceeded(
      `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
    );
  }
}

export function checkCanDeleteVersion(isDefault: boolean): void {
  if (isDefault) throw IamError.deleteConflict('Cannot delete the default version of a policy.');
}

// ---- wire form ------------------------------------------------------------------------------------

/**
 * IAM's query API returns policy documents percent-encoded (RFC 3986, spaces as `%20`); the JS SDK and
 * the CLI v2 leave them so, boto3 decodes them. `encodeURIComponent` produces the same text.
 */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document);
}
