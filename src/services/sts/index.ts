/**
 * STS: caller identity, role sessions and session tokens. Publishes `SessionDirectory`, which the auth
 * chain uses to turn an `ASIA…` key and its session token into the session's principal.
 */
import type { Clock } from '../../core/clock.js';
import type { Principal } from '../../core/principal.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { stsAuthz } from './authz.js';
import { stsHandlers } from './handlers.js';
import { createSessionStore, hashToken, stsMigrations } from './store.js';

/** What STS needs from IAM (the IAM service's `IamDirectory` satisfies it). */
export interface StsIamPort {
  getRole(accountId: string, roleName: string): Promise<{ accountId: string; roleName: string; roleId: string; arn: string; maxSessionDuration: number } | undefined>;
  findAccessKey(accessKeyId: string): Promise<{ accountId: string } | undefined>;
  managedPolicyDocument(policyArn: string): Promise<string | undefined>;
}

export interface StsDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly iam: StsIamPort;
  /** AWS's MalformedPolicyDocument message for a bad session policy, or undefined. */
  readonly validateSessionPolicy: (document: string) => string | undefined;
}

export type SessionLookup =
  | { readonly kind: 'ok'; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly kind: 'unknown' | 'token-mismatch' | 'expired' };

export interface SessionDirectory {
  /** Resolves temporary credentials; the token must be the one issued with the key. */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number): Promise<SessionLookup>;
}

export function createStsService(deps: StsDeps): { definition: ServiceDefinition; sessions: SessionDirectory; migrations: Migration[] } {
  const store = createSessionStore(deps.db);
  // Sessions never change once issued, so a bounded cache in front of the table is always correct. Each entry
  // also remembers the token that last matched its hash: a client sends the same token with every call, and
  // comparing it is much cheaper than hashing it again.
  type Session = NonNullable<Awaited<ReturnType<typeof store.find>>>;
  const cache = new Map<string, { session: Session; ok: SessionLookup; matchedToken?: string }>();
  const sessions: SessionDirectory = {
    async resolve(accessKeyId, sessionToken, now) {
      let entry = cache.get(accessKeyId);
      if (!entry) {
        const s = await store.find(accessKeyId);
        if (!s) return { kind: 'unknown' };
        entry = { session: s, ok: { kind: 'ok', principal: s.principal, secretAccessKey: s.secretAccessKey } };
        if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
        cache.set(accessKeyId, entry);
      }
      if (sessionToken === undefined) return { kind: 'token-mismatch' };
      if (sessionToken !== entry.matchedToken) {
        if (hashToken(sessionToken) !== entry.session.tokenSha256) return { kind: 'token-mismatch' };
        entry.matchedToken = sessionToken;
      }
      if (entry.session.expiresAt <= now) return { kind: 'expired' };
      return entry.ok;
    },
  };
  return {
    definition: { name: 'sts', handlers: stsHandlers(deps, store), authz: stsAuthz },
    sessions,
    migrations: stsMigrations,
  };
}
