import type { Principal, SessionTag } from '../../../core/principal.js';
import { AwsError } from '../../../core/errors.js';

export interface RoleFacts {
  readonly accountId: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
}

export interface SessionRequest {
  readonly roleSessionName: string;
  readonly sessionPolicy?: string;
  readonly sessionPolicyArns: readonly string[];
  readonly tags: readonly { Key: string; Value: string }[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** The principal a role session acts as, with what it inherits from the caller (transitive tags, source identity). */
export function assumedRolePrincipal(caller: Principal, role: RoleFacts, req: SessionRequest, accessKeyId: string): Principal {
  const inherited = (caller.sessionTags ?? []).filter((t) => t.transitive);
  const requested: SessionTag[] = req.tags.map((t) => ({
    key: t.Key,
    value: t.Value,
    transitive: req.transitiveTagKeys.some((k) => k.toLowerCase() === t.Key.toLowerCase()),
  }));
  for (const t of requested) {
    if (inherited.some((i) => i.key.toLowerCase() === t.key.toLowerCase())) {
      // AWS refuses to override a transitive tag inherited through role chaining.
      throw new AwsError('InvalidParameterValue', `One or more session tags conflict with transitive tags from the calling session: ${t.key}`);
    }
  }
  const lowered = new Set<string>();
  for (const t of requested) {
    const k = t.key.toLowerCase();
    if (lowered.has(k)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    lowered.add(k);
  }
  for (const k of req.transitiveTagKeys) {
    if (!requested.some((t) => t.key.toLowerCase() === k.toLowerCase())) {
      throw new AwsError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
    }
  }
  if (caller.sourceIdentity !== undefined && req.sourceIdentity !== undefined && caller.sourceIdentity !== req.sourceIdentity) {
    throw new AwsError('AccessDenied', 'SourceIdentity cannot be changed once it is set in a role session.', { status: 403 });
  }
  const chained = caller.type === 'AssumedRole';
  return {
    type: 'AssumedRole',
    accountId: role.accountId,
    arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${req.roleSessionName}`,
    userId: `${role.roleId}:${req.roleSessionName}`,
    accessKeyId,
    name: role.roleName,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName: req.roleSessionName,
    sessionIssuer: { arn: role.arn, accountId: role.accountId, userName: role.roleName, principalId: role.roleId, type: 'Role' },
    sessionPolicy: req.sessionPolicy,
    sessionPolicyArns: req.sessionPolicyArns.length ? req.sessionPolicyArns : undefined,
    sessionTags: [...inherited, ...requested],
    sourceIdentity: req.sourceIdentity ?? caller.sourceIdentity,
    sessionIssuedAt: req.issuedAt,
    sessionExpiresAt: req.expiresAt,
    chained,
  };
}

/** `GetSessionToken` credentials act as the same user (or root), flagged as a session. */
export function sessionTokenPrincipal(caller: Principal, accessKeyId: string, issuedAt: number, expiresAt: number): Principal {
  return { ...caller, accessKeyId, sessionIssuedAt: issuedAt, sessionExpiresAt: expiresAt };
}

/**
 * Share of the packed-policy allowance a session policy and its tags use, in percent. AWS compresses; we
 * approximate with the minified size against a 2,048-byte allowance, which keeps realistic policies well
 * under 100% and rejects oversized ones the way AWS does.
 */
export function packedPolicySize(policy: string | undefined, tags: readonly { Key: string; Value: string }[]): number {
  const policyBytes = policy ? Buffer.byteLength(JSON.stringify(JSON.parse(policy))) : 0;
  const tagBytes = tags.reduce((n, t) => n + t.Key.length + t.Value.length + 4, 0);
  return Math.ceil(((policyBytes * 0.5 + tagBytes) * 100) / 2048);
}
