/**
 * STS: caller identity, role sessions and session tokens. Publishes `SessionDirectory`, which the auth
 * chain uses to turn an `ASIA…` key and its session token into the session's principal.
 */
import type { Clock } from '../../core/clock.js';
import type { MaybePromise } from '../../core/maybe-promise.js';
import type { Principal } from '../../core/principal.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { stsAuthz } from './authz.js';
import { stsHandlers } from './handlers.js';
import { createSessionSealer } from './domain/session-token.js';
import { stsMigrations } from './store.js';

/** What STS needs from IAM (the IAM service's `IamDirectory` satisfies it). */
export interface StsIamPort {
  getRole(accountId: string, roleName: string): Promise<{ accountId: string; roleName: string; roleId: string; arn: string; maxSessionDuration: number } | undefined>;
  findAccessKey(accessKeyId: string): MaybePromise<{ accountId: string } | undefined>;
  managedPolicyDocument(policyArn: string): Promise<string | undefined>;
}

export interface StsDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly iam: StsIamPort;
  /** AWS's MalformedPolicyDocument message for a bad session policy, or undefined. */
  readonly validateSessionPolicy: (document: string) => string | undefined;
  /**
   * What session tokens are sealed under (HKDF input): the blueprint's seed, so every server started from the
   * same blueprint opens the others' tokens, or a configured secret shared by the servers that must.
   */
  readonly sessionKey: Buffer | string;
}

export type SessionLookup =
  | { readonly kind: 'ok'; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly kind: 'unknown' | 'token-mismatch' | 'expired' };

export interface SessionDirectory {
  /**
   * Resolves temporary credentials from the token sealed for the key. Answers without a promise once a token has
   * been opened (every call after a session's first), and for sessions not of a role.
   */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number): SessionLookup | Promise<SessionLookup>;
}

const TOKEN_MISMATCH: SessionLookup = { kind: 'token-mismatch' };
const EXPIRED: SessionLookup = { kind: 'expired' };

export function createStsService(deps: StsDeps): { definition: ServiceDefinition; sessions: SessionDirectory; migrations: Migration[] } {
  const sealer = createSessionSealer(deps.sessionKey);
  // Opening a token is cheap (a few µs), but the authorizer keeps what it derives from a principal by object:
  // a bounded map from token to its answer hands the same principal to every call of a session. It is a
  // memo, not a store: any process with the key answers the same without it.
  type Entry = { readonly accessKeyId: string; readonly expiresAt: number; readonly ok: SessionLookup };
  const memo = new Map<string, Entry>();
  const remember = (token: string, entry: Entry): SessionLookup => {
    if (memo.size >= 10_000) memo.delete(memo.keys().next().value!);
    memo.set(token, entry);
    return entry.ok;
  };
  const answer = (entry: Entry, accessKeyId: string, now: number): SessionLookup =>
    entry.accessKeyId !== accessKeyId ? TOKEN_MISMATCH : entry.expiresAt <= now ? EXPIRED : entry.ok;
  const sessions: SessionDirectory = {
    resolve(accessKeyId, sessionToken, now) {
      if (sessionToken === undefined) return TOKEN_MISMATCH;
      const known = memo.get(sessionToken);
      if (known !== undefined) return answer(known, accessKeyId, now);
      const opened = sealer.open(accessKeyId, sessionToken);
      if (opened === undefined) return TOKEN_MISMATCH;
      const { principal, secretAccessKey } = opened;
      const expiresAt = principal.sessionExpiresAt ?? 0;
      if (expiresAt <= now) return EXPIRED;
      const ok = (p: Principal): Entry => ({ accessKeyId, expiresAt, ok: { kind: 'ok', principal: p, secretAccessKey } });
      if (principal.type !== 'AssumedRole') return remember(sessionToken, ok(principal));
      // The role must still exist; the session acts as the role that exists now (a server started afresh from
      // the same blueprint gave it a new unique id).
      return deps.iam.getRole(principal.accountId, principal.name ?? '').then((role) => {
        if (!role || role.arn !== principal.roleArn) return TOKEN_MISMATCH;
        return remember(sessionToken, ok(role.roleId === principal.roleId ? principal : withRoleId(principal, role.roleId)));
      });
    },
  };
  return {
    definition: { name: 'sts', handlers: stsHandlers(deps, sealer), authz: stsAuthz },
    sessions,
    migrations: stsMigrations,
  };
}

function withRoleId(p: Principal, roleId: string): Principal {
  return {
    ...p,
    roleId,
    userId: `${roleId}:${p.sessionName ?? ''}`,
    ...(p.sessionIssuer ? { sessionIssuer: { ...p.sessionIssuer, principalId: roleId } } : {}),
  };
}
