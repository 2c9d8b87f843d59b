/**
 * Authentication step of the chain: SigV4 claim (or, for S3, a SigV2 presign) → credentials → verified
 * signature → Principal, and for a streamed body (S3 PutObject / UploadPart) the stream the service reads:
 * aws-chunked decoded and checked chunk by chunk, or hashed against the signed `x-amz-content-sha256`.
 *
 * Modes (ARCHITECTURE §5): `strict` verifies every signature; `accounts` trusts the access key without a
 * signature (a 12-digit key acts as that account's root, LocalStack style); `off` makes every caller the
 * default account's root.
 */
import type { AwsError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { StreamedBody, WireRequest } from '../core/wire.js';
import type { MaybePromise } from '../core/maybe-promise.js';
import { resolveCredentials, rootPrincipal, type CredentialSources, type ResolvedCredentials } from '../auth/principal.js';
import { readSigV2Presign, verifySigV2Presign, type SigV2PresignClaim } from '../auth/sigv2.js';
import { createSigV4Verifier, credentialScope, isStreamingPayload, readClaim, type SigV4Claim, type SigV4Verifier } from '../auth/sigv4.js';
import { authError, flavorOf } from '../auth/sigv4-errors.js';
import type { ErrorStyle } from './service-registry.js';
import { checkedPayload, decodeAwsChunked, type ChunkSigning } from './streamed-body.js';

export type AuthMode = 'strict' | 'accounts' | 'off';

export interface AuthenticateOptions {
  readonly service: string;
  readonly style: ErrorStyle;
  readonly now: number;
  readonly anonymous: boolean;
  /** The bucket of a virtual-hosted S3 request (`bucket.localhost/key`): part of a SigV2 string to sign. */
  readonly virtualBucket?: string;
}

export interface Authenticated {
  readonly principal: Principal;
  /** For a request with `bodyStream`: the body to hand the codec (decoded, checked while read). */
  readonly bodyStream?: StreamedBody;
}

export interface Authenticator {
  /** Synchronous (a value, or a throw) when the credentials are cached; the chain awaits only a promise. */
  authenticate(req: WireRequest, opts: AuthenticateOptions): MaybePromise<Authenticated>;
  /**
   * What `authenticate` can settle from a request's head before its body is read (strict mode; nothing otherwise):
   * the claim parses, the key (and session token) resolves, scope and date are within the skew, and the signature
   * when it does not cover the body itself. Throws (or rejects with) the error `authenticate` would give first;
   * `authenticate` still runs once the body is read.
   */
  checkHead(head: WireRequest, opts: AuthenticateOptions): MaybePromise<void>;
}

const ANONYMOUS: Principal = { type: 'Anonymous', accountId: '', arn: '*', userId: 'anonymous' };
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function missingToken(style: ErrorStyle, s3: boolean): AwsError {
  return authError('missingAuthentication', flavorOf({ style, s3 }), {});
}

/**
 * The body a streamed request hands on. `verified` carries the claim and key when the signature was checked
 * (strict mode): only then are signed chunks and the payload hash enforced.
 */
function streamedBody(req: WireRequest, verified?: { claim: SigV4Claim; key: Buffer }): StreamedBody | undefined {
  const source = req.bodyStream;
  if (!source) return undefined;
  const sha = req.headers['x-amz-content-sha256'] ?? verified?.claim.payloadHash ?? '';
  const chunked = isStreamingPayload(sha) || (req.headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
  if (chunked) {
    const decoded = req.headers['x-amz-decoded-content-length'];
    const signed = verified !== undefined && sha.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const signing: ChunkSigning | undefined = signed
      ? {
          signingKey: verified.key,
          seedSignature: verified.claim.signature,
          amzDate: verified.claim.amzDate,
          scope: credentialScope(verified.claim),
          accessKeyId: verified.claim.accessKeyId,
        }
      : undefined;
    return decodeAwsChunked(source, { signing, decodedLength: decoded !== undefined && /^\d+$/.test(decoded) ? Number(decoded) : undefined });
  }
  if (verified && HEX_SHA256.test(sha)) return checkedPayload(source, sha);
  return source;
}

export function createAuthenticator(deps: { mode: AuthMode; sources: CredentialSources; defaultAccountId: string }): Authenticator {
  const verifier: SigV4Verifier = createSigV4Verifier();
  const defaultRoot = rootPrincipal(deps.defaultAccountId);
  const unverified = (req: WireRequest, principal: Principal): Authenticated => ({ principal, bodyStream: streamedBody(req) });

  /** `accounts` mode: the key names the caller; nothing is verified, and an unknown key acts as the default root. */
  async function trusted(req: WireRequest, accessKeyId: string, sessionToken: string | undefined, opts: AuthenticateOptions): Promise<Authenticated> {
    if (/^\d{12}$/.test(accessKeyId)) return unverified(req, rootPrincipal(accessKeyId));
    try {
      return unverified(req, (await resolveCredentials(deps.sources, accessKeyId, sessionToken, opts.now, { style: opts.style, s3: opts.service === 's3' })).principal);
    } catch {
      return unverified(req, defaultRoot);
    }
  }

  /** `strict` mode, once the credentials are known: the signature (or SigV2 presign) is checked against their secret. */
  function verified(req: WireRequest, claim: SigV4Claim | undefined, v2: SigV2PresignClaim | undefined, resolved: ResolvedCredentials, opts: AuthenticateOptions): Authenticated {
    const { principal, secretAccessKey } = resolved;
    const { style, now, virtualBucket } = opts;
    const s3 = opts.service === 's3';
    if (secretAccessKey === undefined) throw missingToken(style, s3);
    if (!claim) {
      verifySigV2Presign(req, v2!, secretAccessKey, { now, bucket: virtualBucket });
      return unverified(req, principal);
    }
    const bodyStreamed = req.bodyStream !== undefined;
    verifier.verify(req, claim, secretAccessKey, { style, s3, now, bodyStreamed });
    if (!bodyStreamed) return { principal };
    const key = verifier.signingKey(secretAccessKey, claim.date, claim.region, claim.service);
    return { principal, bodyStream: streamedBody(req, { claim, key }) };
  }

  /** `strict` mode, before the body: the credentials' checks that do not need it. */
  function headChecked(head: WireRequest, claim: SigV4Claim | undefined, v2: SigV2PresignClaim | undefined, resolved: ResolvedCredentials, opts: AuthenticateOptions): void {
    const { style, now, virtualBucket } = opts;
    const s3 = opts.service === 's3';
    if (resolved.secretAccessKey === undefined) throw missingToken(style, s3);
    // A SigV2 presign signs no body: it is checked whole.
    if (!claim) verifySigV2Presign(head, v2!, resolved.secretAccessKey, { now, bucket: virtualBucket });
    else verifier.verifyHead(head, claim, resolved.secretAccessKey, { style, s3, now });
  }

  return {
    checkHead(head, opts) {
      if (deps.mode !== 'strict') return;
      const { service, style, now } = opts;
      const s3 = service === 's3';
      const claim = readClaim(head, { style, s3 });
      const v2 = !claim && s3 ? readSigV2Presign(head) : undefined;
      // No credentials: the gate's own rules for unsigned requests apply.
      if (!claim && !v2) return;
      const accessKeyId = claim?.accessKeyId ?? v2!.accessKeyId;
      const sessionToken = claim ? claim.sessionToken : v2!.sessionToken;
      const resolved = resolveCredentials(deps.sources, accessKeyId, sessionToken, now, { style, s3 });
      return resolved instanceof Promise ? resolved.then((r) => headChecked(head, claim, v2, r, opts)) : headChecked(head, claim, v2, resolved, opts);
    },

    authenticate(req, opts) {
      const { service, style, now, anonymous } = opts;
      const s3 = service === 's3';
      if (deps.mode === 'off') return unverified(req, defaultRoot);
      const claim = readClaim(req, { style, s3 });
      const v2 = !claim && s3 ? readSigV2Presign(req) : undefined;
      if (!claim && !v2) {
        if (anonymous) return unverified(req, ANONYMOUS);
        if (deps.mode === 'accounts') return unverified(req, defaultRoot);
        throw missingToken(style, s3);
      }
      const accessKeyId = claim?.accessKeyId ?? v2!.accessKeyId;
      const sessionToken = claim ? claim.sessionToken : v2!.sessionToken;
      if (deps.mode === 'accounts') return trusted(req, accessKeyId, sessionToken, opts);
      const resolved = resolveCredentials(deps.sources, accessKeyId, sessionToken, now, { style, s3 });
      return resolved instanceof Promise ? resolved.then((r) => verified(req, claim, v2, r, opts)) : verified(req, claim, v2, resolved, opts);
    },
  };
}
