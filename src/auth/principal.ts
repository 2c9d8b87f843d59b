/**
 * Access key (+ session token) → Principal. The credential stores are ports wired by `app/`: IAM users'
 * long-term keys and STS sessions. Errors use the code each protocol family reports.
 */
import { authError, flavorOf, type AuthErrorStyle } from './sigv4-errors.js';
import type { Principal } from '../core/principal.js';
import { rootArn } from '../core/principal.js';
import type { MaybePromise } from '../core/maybe-promise.js';

export interface LongTermKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly userArn: string;
}

export type SessionResolution = { kind: 'ok'; principal: Principal; secretAccessKey: string } | { kind: 'unknown' | 'token-mismatch' | 'expired' };

export interface CredentialSources {
  findAccessKey(accessKeyId: string): MaybePromise<LongTermKey | undefined>;
  resolveSession(accessKeyId: string, sessionToken: string | undefined, now: number): MaybePromise<SessionResolution>;
}

export interface ResolvedCredentials {
  readonly principal: Principal;
  /** Undefined when signatures are not checked (`accounts` mode for a bare account id). */
  readonly secretAccessKey?: string;
}

export function rootPrincipal(accountId: string): Principal {
  return { type: 'Root', accountId, arn: rootArn(accountId), userId: accountId };
}

/**
 * The principal and secret of an access key (and session token), or the AWS error for unknown, inactive or expired
 * credentials (thrown, or the promise rejects). Synchronous when the sources answer from their caches.
 */
export function resolveCredentials(
  sources: CredentialSources,
  accessKeyId: string,
  sessionToken: string | undefined,
  now: number,
  style: AuthErrorStyle,
): MaybePromise<ResolvedCredentials> {
  if (accessKeyId.startsWith('ASIA')) {
    const s = sources.resolveSession(accessKeyId, sessionToken, now);
    return s instanceof Promise ? s.then((x) => fromSession(x, accessKeyId, style)) : fromSession(s, accessKeyId, style);
  }
  const key = sources.findAccessKey(accessKeyId);
  return key instanceof Promise ? key.then((k) => fromKey(k, accessKeyId, sessionToken, style)) : fromKey(key, accessKeyId, sessionToken, style);
}

function fromSession(s: SessionResolution, accessKeyId: string, style: AuthErrorStyle): ResolvedCredentials {
  if (s.kind === 'ok') return s;
  const flavor = flavorOf(style);
  if (s.kind === 'expired') throw authError('expiredSessionToken', flavor, {});
  if (s.kind === 'token-mismatch') throw authError('invalidSessionToken', flavor, {});
  throw authError('unknownAccessKey', flavor, { accessKeyId });
}

function fromKey(key: LongTermKey | undefined, accessKeyId: string, sessionToken: string | undefined, style: AuthErrorStyle): ResolvedCredentials {
  if (!key || key.status !== 'Active') throw authError('unknownAccessKey', flavorOf(style), { accessKeyId });
  if (sessionToken !== undefined) throw authError('invalidSessionToken', flavorOf(style), {});
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
