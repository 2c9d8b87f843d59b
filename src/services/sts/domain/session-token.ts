/**
 * Self-contained session tokens: the token carries the session (who, which role, session policies and tags,
 * source identity, expiry), sealed with AES-256-GCM. Any mlzone holding the same sealing key — every server
 * started from the same blueprint, or sharing a configured secret — opens it; nothing is looked up, so a
 * client's cached credentials outlive the process that issued them, as AWS's do until they expire.
 *
 * The temporary secret access key is not carried: it is an HMAC of the access key id under a second derived
 * key, so the token needs no encryption of it and the server no store of it. The access key id is the
 * cipher's associated data: a token presented with another key id does not open.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, type KeyObject, createSecretKey } from 'node:crypto';
import type { Principal, SessionTag } from '../../../core/principal.js';

/** AWS's tokens start with this base64 prefix; clients and tools do not care, but it keeps them recognisable. */
const PREFIX = 'IQoJmlzone';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SessionSealer {
  /** The token for a session principal (its `accessKeyId` is the key the token goes with). */
  seal(principal: Principal): string;
  /** The principal sealed in `token` for `accessKeyId`, or undefined when it does not open (tampered, other key). */
  open(accessKeyId: string, token: string): Principal | undefined;
  /** The secret access key that goes with a temporary access key id. */
  secretFor(accessKeyId: string): string;
}

/**
 * Derives both keys from `ikm` (the blueprint's seed or a configured secret) with HKDF-SHA256; distinct `info`
 * labels keep the cipher key and the secret-derivation key independent.
 */
export function createSessionSealer(ikm: Buffer | string): SessionSealer {
  const salt = Buffer.from('mlzone/sts/session-token');
  const cipherKey: KeyObject = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, salt, 'aes-256-gcm v1', 32)));
  const secretKey: KeyObject = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, salt, 'secret-access-key v1', 32)));
  return {
    seal(principal) {
      const accessKeyId = principal.accessKeyId;
      if (!accessKeyId) throw new Error('a session principal has an access key id');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
      cipher.setAAD(Buffer.from(accessKeyId));
      const body = Buffer.concat([cipher.update(JSON.stringify(toClaims(principal))), cipher.final()]);
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
        const plain = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
        return fromClaims(JSON.parse(plain.toString('utf8')) as Claims, accessKeyId);
      } catch {
        // A wrong tag (tampered, another blueprint's key) or a payload that is not ours.
        return undefined;
      }
    },
    secretFor(accessKeyId) {
      return createHmac('sha256', secretKey).update(accessKeyId).digest('base64').slice(0, 40);
    },
  };
}

/** The principal without what the token implies (its key id) or what follows from the rest (the session issuer). */
type Claims = Omit<Principal, 'accessKeyId' | 'sessionIssuer' | 'sessionTags'> & { readonly sessionTags?: ReadonlyArray<readonly [string, string, 0 | 1]> };

function toClaims(p: Principal): Claims {
  const { accessKeyId: _key, sessionIssuer: _issuer, sessionTags, ...rest } = p;
  return sessionTags?.length ? { ...rest, sessionTags: sessionTags.map((t) => [t.key, t.value, t.transitive ? 1 : 0] as const) } : rest;
}

function fromClaims(c: Claims, accessKeyId: string): Principal {
  const { sessionTags, ...rest } = c;
  const tags: SessionTag[] | undefined = sessionTags?.map(([key, value, transitive]) => ({ key, value, transitive: transitive === 1 }));
  const p: Principal = { ...rest, accessKeyId, ...(rest.type === 'AssumedRole' ? { sessionTags: tags ?? [] } : tags ? { sessionTags: tags } : {}) };
  if (p.type !== 'AssumedRole' || !p.roleArn || !p.roleId || !p.name) return p;
  return { ...p, sessionIssuer: { arn: p.roleArn, accountId: p.accountId, userName: p.name, principalId: p.roleId, type: 'Role' } };
}
