/**
 * Self-contained session tokens: the token carries the session (who, which role, session policies and tags,
 * source identity, expiry), sealed with AES-256-GCM. Any mlzone holding the same sealing key — every server
 * started from the same blueprint, or sharing a configured secret — opens it; nothing is looked up, so a
 * client's cached credentials outlive the process that issued them, as AWS's do until they expire.
 *
 * The temporary secret access key rides inside the sealed payload (40 bytes), so the server stores nothing and
 * opening a token is one AES-GCM open and a JSON parse. The access key id is the cipher's associated data: a
 * token presented with another key id does not open.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Principal, SessionTag } from '../../../core/principal.js';

/** AWS's tokens start with this base64 prefix; clients and tools do not care, but it keeps them recognisable. */
const PREFIX = 'IQoJmlzone';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SessionSealer {
  /** The token for a session principal (its `accessKeyId` is the key the token goes with) and its secret key. */
  seal(principal: Principal, secretAccessKey: string): string;
  /** The session sealed in `token` for `accessKeyId`, or undefined when it does not open (tampered, other key). */
  open(accessKeyId: string, token: string): OpenedSession | undefined;
}

export interface OpenedSession {
  readonly principal: Principal;
  readonly secretAccessKey: string;
}

/** Derives the cipher key from `ikm` (the blueprint's seed or a configured secret) with HKDF-SHA256. */
export function createSessionSealer(ikm: Buffer | string): SessionSealer {
  const salt = Buffer.from('mlzone/sts/session-token');
  const cipherKey: KeyObject = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, salt, 'aes-256-gcm v1', 32)));
  return {
    seal(principal, secretAccessKey) {
      const accessKeyId = principal.accessKeyId;
      if (!accessKeyId) throw new Error('a session principal has an access key id');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
      cipher.setAAD(Buffer.from(accessKeyId));
      const body = Buffer.concat([cipher.update(JSON.stringify({ ...toClaims(principal), secretAccessKey })), cipher.final()]);
      return PREFIX + Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64');
    },
    open(accessKeyId, token) {
      if (!token.startsWith(PREFIX)) return undefined;
      const raw = Buffer.from(token.slice(PREFIX.length), 'base64');
      if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', cipherKey, raw.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(accessKeyId));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        const plain = decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES));
        decipher.final();
        const claims = JSON.parse(plain.toString('utf8')) as Claims & { secretAccessKey: string };
        return { principal: fromClaims(claims, accessKeyId), secretAccessKey: claims.secretAccessKey };
      } catch {
        // A wrong tag (tampered, another blueprint's key) or a payload that is not ours.
        return undefined;
      }
    },
  };
}

/** The principal without what the token implies (its key id) or what follows from the rest (the session issuer). */
type Claims = Omit<Principal, 'accessKeyId' | 'sessionIssuer' | 'sessionTags'> & { readonly sessionTags?: ReadonlyArray<readonly [string, string, 0 | 1]> };

function toClaims(p: Principal): Claims {
  const { accessKeyId: _key, sessionIssuer: _issuer, sessionTags, ...rest } = p;
  return sessionTags?.length ? { ...rest, sessionTags: sessionTags.map((t) => [t.key, t.value, t.transitive ? 1 : 0] as const) } : rest;
}

/** The principal back from its claims, field by field (object rest/spread over parsed JSON costs microseconds). */
function fromClaims(c: Claims, accessKeyId: string): Principal {
  const tags = c.sessionTags?.map(([key, value, transitive]): SessionTag => ({ key, value, transitive: transitive === 1 }));
  const role = c.type === 'AssumedRole' && c.roleArn !== undefined && c.roleId !== undefined && c.name !== undefined;
  return {
    type: c.type,
    accountId: c.accountId,
    arn: c.arn,
    userId: c.userId,
    accessKeyId,
    name: c.name,
    roleArn: c.roleArn,
    roleId: c.roleId,
    sessionName: c.sessionName,
    sessionIssuer: role ? { arn: c.roleArn!, accountId: c.accountId, userName: c.name!, principalId: c.roleId!, type: 'Role' } : undefined,
    sessionPolicy: c.sessionPolicy,
    sessionPolicyArns: c.sessionPolicyArns,
    sessionTags: tags ?? (c.type === 'AssumedRole' ? [] : undefined),
    sourceIdentity: c.sourceIdentity,
    sessionIssuedAt: c.sessionIssuedAt,
    sessionExpiresAt: c.sessionExpiresAt,
    chained: c.chained,
    service: c.service,
  };
}
