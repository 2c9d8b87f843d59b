/**
 * Access key (+ session token) → Principal. The credential stores are ports wired by `app/`: IAM users'
 * long-term keys and STS sessions. Errors use the code each protocol family reports.
 */
import { authError, flavorOf, type AuthErrorStyle } from './sigv4-errors.js';
import type { Principal } from '../core/principal.js';
import { rootArn } from '../core/principal.js';

export interface LongTermKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly userArn: string;
}

export interface CredentialSources {
  findAccessKey(accessKeyId: string): Promise<LongTermKey | undefined>;
  resolveSession(
    accessKeyId: string,
    sessionToken: string | undefined,
    now: number,
  ): Promise<{ kind: 'ok'; principal: Principal; secretAccessKey: string } | { kind: 'unknown' | 'token-mismatch' | 'expired' }>;
}

export interface ResolvedCredentials {
  readonly principal: Principal;
  /** Undefined when signatures are not checked (`accounts` mode for a bare account id). */
  readonly secretAccessKey?: string;
}

export function rootPrincipal(accountId: string): Principal {
  return { type: 'Root', accountId, arn: rootArn(accountId), userId: accountId };
}

export async function resolveCredentials(
  sources: CredentialSources,
  accessKeyId: string,
  sessionToken: string | undefined,
  now: number,
  style: AuthErrorStyle,
): Promise<ResolvedCredentials> {
  const flavor = flavorOf(style);
  const invalidToken = () => authError('unknownAccessKey', flavor, { accessKeyId });
  const invalidSessionToken = () => authError('invalidSessionToken', flavor, {});
  if (accessKeyId.startsWith('ASIA')) {
    const s = await sources.resolveSession(accessKeyId, sessionToken, now);
    if (s.kind === 'ok') return { principal: s.principal, secretAccessKey: s.secretAccessKey };
    if (s.kind === 'expired') throw authError('expiredSessionToken', flavor, {});
    if (s.kind === 'token-mismatch') throw invalidSessionToken();
    throw invalidToken();
  }
  const key = await sources.findAccessKey(accessKeyId);
  if (!key || key.status !== 'Active') throw invalidToken();
  if (sessionToken !== undefined) throw invalidSessionToken();
  let principal = userPrincipals.get(key);
  if (principal === undefined) {
    principal = { type: 'IAMUser', accountId: key.accountId, arn: key.userArn, userId: key.userId, accessKeyId, name: key.userName };
    userPrincipals.set(key, principal);
  }
  return { principal, secretAccessKey: key.secretAccessKey };
}

// One principal object per key record (the directory hands out the same record until IAM changes): whatever the
// authorizer derives from a principal it keeps by object, as it does for a session's.
const userPrincipals = new WeakMap<LongTermKey, Principal>();
