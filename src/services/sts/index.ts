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
import { createSessionStore, hashToken, stsMigrations } from './store.js';

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
}

export type SessionLookup =
  | { readonly kind: 'ok'; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly kind: 'unknown' | 'token-mismatch' | 'expired' };

export interface SessionDirectory {
  /**
   * Resolves temporary credentials; the token must be the one issued with the key. Answers without a promise when
   * the session is cached (every call after a session's first).
   */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number): SessionLookup | Promise<SessionLookup>;
}

const UNKNOWN: SessionLookup = { kind: 'unknown' };
const TOKEN_MISMATCH: SessionLookup = { kind: 'token-mismatch' };
const EXPIRED: SessionLookup = { kind: 'expired' };

export function createStsService(deps: StsDeps): { definition: ServiceDefinition; sessions: SessionDirectory; migrations: Migration[] } {
  const store = createSessionStore(deps.db);
  // Sessions never change once issued, so a bounded cache in front of the table is always correct. Each entry
  // also remembers the token that last matched its hash: a client sends the same token with every call, and
  // comparing it is much cheaper than hashing it again.
  type Session = NonNullable<Awaited<ReturnType<typeof store.find>>>;
  type Entry = { session: Session; ok: SessionLookup; matchedToken?: string };
  const cache = new Map<string, Entry>();
  const check = (entry: Entry, sessionToken: string | undefined, now: number): SessionLookup => {
    if (sessionToken === undefined) return TOKEN_MISMATCH;
    if (sessionToken !== entry.matchedToken) {
      if (hashToken(sessionToken) !== entry.session.tokenSha256) return TOKEN_MISMATCH;
      entry.matchedToken = sessionToken;
    }
    if (entry.session.expiresAt <= now) return EXPIRED;
    return entry.ok;
  };
  const load = async (accessKeyId: string): Promise<Entry | undefined> => {
    const s = await store.find(accessKeyId);
    if (!s) return undefined;
    // Two first calls may race here: the entry cached first stays (and with it the principal object).
    const raced = cache.get(accessKeyId);
    if (raced !== undefined) return raced;
    const entry: Entry = { session: s, ok: { kind: 'ok', principal: s.principal, secretAccessKey: s.secretAccessKey } };
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
    cache.set(accessKeyId, entry);
    return entry;
  };
  const sessions: SessionDirectory = {
    resolve(accessKeyId, sessionToken, now) {
      const entry = cache.get(accessKeyId);
      if (entry !== undefined) return check(entry, sessionToken, now);
      return load(accessKeyId).then((e) => (e === undefined ? UNKNOWN : check(e, sessionToken, now)));
    },
  };
  return {
    definition: { name: 'sts', handlers: stsHandlers(deps, store), authz: stsAuthz },
    sessions,
    migrations: stsMigrations,
  };
}
