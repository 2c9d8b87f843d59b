/**
 * SigV4 verification for requests real AWS clients sign (JS SDK v3, boto3, AWS CLI).
 *
 * Flow, as the gateway uses it:
 *   1. `peekCredentialScope(req)` (never throws) tells which service the client signed for, when routing needs it;
 *   2. `readClaim(req, style)` parses the Authorization header or the presigned `X-Amz-*` query parameters into a
 *      `SigV4Claim` (undefined = anonymous; malformed → AwsError in the style's vocabulary);
 *   3. the caller looks up the secret for `claim.accessKeyId` (and checks `claim.sessionToken`);
 *   4. `verifier.verify(req, claim, secret, { now, style, s3 })` re-derives the signature from the bytes sent,
 *      checks clock skew / expiry, and that the body matches a signed `x-amz-content-sha256`.
 *
 * `createSigV4Verifier()` owns a small bounded cache of derived signing keys; `verifySigV4` is the same check
 * without a cache. Errors come from the table in `sigv4-errors.ts`. Everything here is pure apart from that cache.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import type { WireRequest } from '../core/wire.js';
import { queryParam } from '../core/wire.js';
import { amzDateOf, authError, flavorOf } from './sigv4-errors.js';
import type { AuthErrorFlavor, AuthErrorStyle } from './sigv4-errors.js';
import { canonicalHeaderValue, canonicalQuery, canonicalUri, rawCanonicalQuery } from './sigv4-canonical.js';

export type { AuthErrorStyle, AuthStyle } from './sigv4-errors.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Maximum clock skew for the header form (and Coral presigned URLs), and how far ahead a presign may be dated. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** S3's ceiling for X-Amz-Expires (one week). */
export const MAX_PRESIGN_EXPIRES = 604800;

const STREAMING_PAYLOADS: ReadonlySet<string> = new Set([
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SCOPE_DATE = /^\d{8}$/;

/** What a request claims about its signature: parsed, not yet verified. */
export interface SigV4Claim {
  readonly kind: 'header' | 'presigned';
  readonly accessKeyId: string;
  /** Credential scope date, `yyyymmdd`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** SignedHeaders as sent (lower-case names, `;`-separated in the canonical request). */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** `yyyymmddThhmmssZ` from X-Amz-Date (or converted from `Date`). */
  readonly amzDate: string;
  /** X-Amz-Expires of a presigned URL. */
  readonly expiresSeconds?: number;
  /** X-Amz-Security-Token (header or query). */
  readonly sessionToken?: string;
  /**
   * The payload line of the canonical request: `x-amz-content-sha256` when sent, `UNSIGNED-PAYLOAD` for presigned
   * URLs without one, else (non-S3 header form) the SHA-256 of the body.
   */
  readonly payloadHash: string;
}

export interface VerifyOptions extends AuthErrorStyle {
  /** The server clock, epoch milliseconds. */
  readonly now: number;
  /**
   * The body is streamed and not in `req.body`: skip comparing it with a hex `x-amz-content-sha256`; the caller
   * hashes the stream as it reads it (S3 PutObject / UploadPart).
   */
  readonly bodyStreamed?: boolean;
}

/** A SigV4 verifier that caches derived signing keys (bounded, least-recently-used first out). */
export interface SigV4Verifier {
  /** Throws an AwsError when the request's signature, time or payload does not check out. */
  verify(req: WireRequest, claim: SigV4Claim, secretAccessKey: string, opts: VerifyOptions): void;
  /**
   * What of `verify` a request's head settles before its body is read (`req.body` is not looked at): the checks
   * `verify` makes before the signature, then the signature itself when its payload line does not depend on the body
   * (`payloadLineKnown`). Throws what `verify` would throw first for the same request; `verify` still runs (and checks
   * the body against a signed hash) once the body is in.
   */
  verifyHead(req: WireRequest, claim: SigV4Claim, secretAccessKey: string, opts: AuthErrorStyle & { readonly now: number }): void;
  /** The derived key `kSigning` (cached); S3's aws-chunked decoder needs it to check chunk signatures. */
  signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer;
  /** Number of cached keys. */
  readonly cacheSize: number;
}

/** true for the `x-amz-content-sha256` values that announce an aws-chunked body (decoded by the S3 service). */
export function isStreamingPayload(hash: string): boolean {
  return STREAMING_PAYLOADS.has(hash);
}

// One-shot `crypto.hash` (Node ≥ 20.12) is ~3x faster than createHash for small inputs; older 20.x falls back.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex' | 'latin1') => string }).hash;

function sha256Hex(data: string | Buffer): string {
  return oneShot === undefined ? createHash('sha256').update(data).digest('hex') : oneShot('sha256', data, 'hex');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
}

/**
 * `fn` remembering its last argument and answer. A client sends the same X-Amz-Date all second, the same Credential
 * all day and the same SignedHeaders on every call: each is parsed once, and each parse below is pure.
 */
function lastOnly<A, R>(fn: (a: A) => R): (a: A) => R {
  let known = false;
  let lastArg: A;
  let lastResult: R;
  return (a) => {
    if (!known || a !== lastArg) {
      lastResult = fn(a);
      lastArg = a;
      known = true;
    }
    return lastResult;
  };
}

/** Epoch ms of a `yyyymmddThhmmssZ` string, or undefined when it is not one (`20230230T…` included). */
export const parseAmzDate: (s: string) => number | undefined = lastOnly(parseAmzDateUncached);

function parseAmzDateUncached(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const parseCredential = lastOnly(parseCredentialUncached);

function parseCredentialUncached(credential: string): Scope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts;
  if (accessKeyId === '' || !SCOPE_DATE.test(date) || region === '' || service === '') return undefined;
  return { accessKeyId, date, region, service };
}

function headerCredential(auth: string): string | undefined {
  const m = /Credential=([^,\s]*)/.exec(auth);
  return m === null ? undefined : m[1];
}

/**
 * The credential scope a request was signed with, without validating anything (never throws): lets the gateway
 * pick the service (and so the error style) before calling `readClaim`.
 */
export function peekCredentialScope(req: WireRequest): Scope | undefined {
  const auth = req.headers['authorization'];
  const credential =
    auth !== undefined && auth.startsWith(SIGV4_ALGORITHM) ? headerCredential(auth) : queryParam(req, 'X-Amz-Credential');
  return credential === undefined ? undefined : parseCredential(credential);
}

function hasQueryAuth(req: WireRequest): boolean {
  for (const [k] of req.query) {
    if (k === 'X-Amz-Algorithm' || k === 'X-Amz-Credential' || k === 'X-Amz-Signature') return true;
  }
  return false;
}

/** A query parameter by case-insensitive name (JS presigning hoists `x-amz-content-sha256` in lower case). */
function queryParamCi(req: WireRequest, lowerName: string): string | undefined {
  for (const [k, v] of req.query) if (k.toLowerCase() === lowerName) return v;
  return undefined;
}

/**
 * Parses the SigV4 signature a request carries (Authorization header or presigned query parameters).
 * Returns undefined when the request carries no SigV4 auth at all (anonymous; SigV2 presigns are read by
 * `readSigV2Presign`). Throws an AwsError in `style`'s vocabulary when the auth is present but malformed.
 */
export function readClaim(req: WireRequest, style: AuthErrorStyle): SigV4Claim | undefined {
  const flavor = flavorOf(style);
  const auth = req.headers['authorization'];
  const queryAuth = hasQueryAuth(req);
  if (auth !== undefined && auth !== '') {
    if (queryAuth && flavor === 's3') throw authError('multipleAuthMechanisms', flavor, {});
    return readHeaderClaim(req, auth, flavor);
  }
  return queryAuth ? readPresignedClaim(req, flavor) : undefined;
}

/**
 * The three parameters as the JS SDK, botocore and the CLI write them. What it captures is exactly what the general
 * parse below finds for such a header; anything else (other spacing, order, extra parameters) takes that parse.
 */
const USUAL_AUTH = /^AWS4-HMAC-SHA256 Credential=([^\s,]+), ?SignedHeaders=([^\s,]+), ?Signature=([^\s,]+)$/;

function authParams(auth: string, flavor: AuthErrorFlavor): { credential?: string; signedHeaders?: string; signature?: string } {
  const usual = USUAL_AUTH.exec(auth);
  if (usual !== null) return { credential: usual[1], signedHeaders: usual[2], signature: usual[3] };
  const trimmed = auth.trim();
  const space = trimmed.search(/\s/);
  const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
  if (scheme !== SIGV4_ALGORITHM) throw authError('unsupportedAuthScheme', flavor, { header: auth });
  const params = new Map<string, string>();
  // Coral splits the parameters on commas and whitespace (`Credential=AKID /2026…` is reported as a bad pair).
  for (const p of (space < 0 ? '' : trimmed.slice(space + 1)).split(/[\s,]+/)) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) {
      throw authError('malformedAuthHeader', flavor, {
        header: auth,
        detail: `'${p}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
      });
    }
    params.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return { credential: params.get('Credential'), signedHeaders: params.get('SignedHeaders'), signature: params.get('Signature') };
}

function readHeaderClaim(req: WireRequest, auth: string, flavor: AuthErrorFlavor): SigV4Claim {
  const { credential, signedHeaders, signature } = authParams(auth, flavor);
  const xAmzDate = req.headers['x-amz-date'];
  const httpDate = req.headers['date'];
  const noDate = xAmzDate === undefined && httpDate === undefined;
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    let detail = '';
    if (credential === undefined) detail += "Authorization header requires 'Credential' parameter. ";
    if (signature === undefined) detail += "Authorization header requires 'Signature' parameter. ";
    if (signedHeaders === undefined) detail += "Authorization header requires 'SignedHeaders' parameter. ";
    if (noDate) detail += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    throw authError('malformedAuthHeader', flavor, { header: auth, detail: `${detail}Authorization=${auth}` });
  }
  const scope = parseCredential(credential);
  if (scope === undefined) throw authError('malformedCredential', flavor, { credential, presigned: false });
  let amzDate: string;
  if (xAmzDate !== undefined) {
    if (parseAmzDate(xAmzDate) === undefined) throw authError('missingDate', flavor, { got: xAmzDate });
    amzDate = xAmzDate;
  } else if (httpDate !== undefined) {
    const ms = Date.parse(httpDate);
    if (Number.isNaN(ms)) throw authError('missingDate', flavor, { got: httpDate });
    amzDate = amzDateOf(ms);
  } else {
    throw authError('missingDate', flavor, {});
  }
  const contentSha = req.headers['x-amz-content-sha256'];
  const token = req.headers['x-amz-security-token'];
  const claim: Mutable<SigV4Claim> = {
    kind: 'header',
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders: splitSignedHeaders(signedHeaders),
    signature,
    amzDate,
    // S3 requires the header (checked in verify) and honours UNSIGNED-PAYLOAD / STREAMING-*. Every other service
    // signs the body itself: only a hex hash (then compared with the body) stands in for it, never a literal.
    payloadHash: flavor === 's3' ? (contentSha ?? '') : contentSha !== undefined && HEX_SHA256.test(contentSha) ? contentSha : sha256Hex(req.body),
  };
  if (token !== undefined) claim.sessionToken = token;
  return claim;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// The list is read, never changed: the same array serves every request that sent the same text.
const splitSignedHeaders = lastOnly((text: string): readonly string[] => (text === '' ? [] : text.split(';')));

function readPresignedClaim(req: WireRequest, flavor: AuthErrorFlavor): SigV4Claim {
  const algorithm = queryParam(req, 'X-Amz-Algorithm');
  const credential = queryParam(req, 'X-Amz-Credential');
  const signature = queryParam(req, 'X-Amz-Signature');
  const amzDate = queryParam(req, 'X-Amz-Date');
  const signedHeaders = queryParam(req, 'X-Amz-SignedHeaders');
  const expires = queryParam(req, 'X-Amz-Expires');
  const missing: string[] = [];
  if (algorithm === undefined) missing.push('X-Amz-Algorithm');
  if (credential === undefined) missing.push('X-Amz-Credential');
  if (signature === undefined) missing.push('X-Amz-Signature');
  if (signedHeaders === undefined) missing.push('X-Amz-SignedHeaders');
  if (amzDate === undefined) missing.push('X-Amz-Date');
  // STS and the other Coral services ignore X-Amz-Expires (fixed 15-minute window); S3 requires it.
  if (expires === undefined && flavor === 's3') missing.push('X-Amz-Expires');
  if (missing.length > 0) throw authError('missingQueryAuthParams', flavor, { missing });
  if (algorithm !== SIGV4_ALGORITHM) throw authError('unsupportedQueryAlgorithm', flavor, { algorithm: algorithm! });
  const scope = parseCredential(credential!);
  if (scope === undefined) throw authError('malformedCredential', flavor, { credential: credential!, presigned: true });
  if (parseAmzDate(amzDate!) === undefined) throw authError('invalidQueryDate', flavor, { got: amzDate! });
  let expiresSeconds: number | undefined;
  if (expires !== undefined) {
    if (!/^-?\d+$/.test(expires)) {
      if (flavor === 's3') throw authError('invalidExpires', flavor, { expires, reason: 'nan' });
    } else {
      expiresSeconds = Number(expires);
      if (flavor === 's3' && expiresSeconds < 0) throw authError('invalidExpires', flavor, { expires, reason: 'negative' });
      if (flavor === 's3' && expiresSeconds > MAX_PRESIGN_EXPIRES) {
        throw authError('invalidExpires', flavor, { expires, reason: 'too-large' });
      }
    }
  }
  const signed = signedHeaders === '' ? [] : signedHeaders!.split(';');
  const token = queryParam(req, 'X-Amz-Security-Token') ?? req.headers['x-amz-security-token'];
  return {
    kind: 'presigned',
    ...scope,
    signedHeaders: signed,
    signature: signature!,
    amzDate: amzDate!,
    ...(expiresSeconds === undefined ? {} : { expiresSeconds }),
    ...(token === undefined ? {} : { sessionToken: token }),
    payloadHash: presignedPayloadHash(req, signed, flavor),
  };
}

/**
 * The payload line of a presigned request. S3 takes what the signer put in (UNSIGNED-PAYLOAD by default). Other
 * services accept botocore's UNSIGNED-PAYLOAD only over an empty body: a body must be covered by the signature, so
 * its SHA-256 is the payload line then, whatever the URL claims.
 */
function presignedPayloadHash(req: WireRequest, signedHeaders: readonly string[], flavor: AuthErrorFlavor): string {
  const explicit = explicitPresignedHash(req, signedHeaders);
  if (flavor === 's3') return explicit ?? UNSIGNED_PAYLOAD;
  if (explicit !== undefined && HEX_SHA256.test(explicit)) return explicit;
  return req.body.length === 0 ? UNSIGNED_PAYLOAD : sha256Hex(req.body);
}

/** A presigned URL's payload hash when the signer put one in: `X-Amz-Content-Sha256` param or a signed header. */
function explicitPresignedHash(req: WireRequest, signedHeaders: readonly string[]): string | undefined {
  return (
    queryParamCi(req, 'x-amz-content-sha256') ??
    (signedHeaders.includes('x-amz-content-sha256') ? req.headers['x-amz-content-sha256'] : undefined)
  );
}

function validPayloadHash(h: string): boolean {
  return HEX_SHA256.test(h) || h === UNSIGNED_PAYLOAD || STREAMING_PAYLOADS.has(h);
}

/** `yyyymmdd/region/service/aws4_request`. */
export function credentialScope(claim: SigV4Claim): string {
  return `${claim.date}/${claim.region}/${claim.service}/aws4_request`;
}

/** The canonical request in AWS's primary canonical form (see `sigv4-canonical.ts`); throws for missing headers. */
export function canonicalRequestOf(req: WireRequest, claim: SigV4Claim, opts: AuthErrorStyle): string {
  const uri = canonicalUri(req.rawPath, opts.s3);
  return buildCanonical(req, claim, flavorOf(opts), opts.s3, uri, canonicalQueryOf(req, claim, true), claim.payloadHash);
}

function canonicalQueryOf(req: WireRequest, claim: SigV4Claim, reencode: boolean): string {
  const exclude = claim.kind === 'presigned' ? 'X-Amz-Signature' : undefined;
  return reencode ? canonicalQuery(req.rawQuery, exclude) : rawCanonicalQuery(req.rawQuery, exclude);
}

function buildCanonical(
  req: WireRequest,
  claim: SigV4Claim,
  flavor: AuthErrorFlavor,
  s3: boolean,
  uri: string,
  query: string,
  payloadHash: string,
): string {
  const names = signedHeaderNames(claim.signedHeaders);
  let headers = '';
  for (let i = 0; i < names.lower.length; i++) {
    const lower = names.lower[i]!;
    // Own properties only: a SignedHeaders entry like `constructor` must not reach Object.prototype.
    const value = Object.hasOwn(req.headers, lower) ? req.headers[lower] : undefined;
    if (value === undefined && !s3) throw authError('signedHeaderMissing', flavor, { name: claim.signedHeaders[i]! });
    headers += `${lower}:${value === undefined ? '' : canonicalHeaderValue(value)}\n`;
  }
  return `${req.method.toUpperCase()}\n${uri}\n${query}\n${headers}\n${names.joined}\n${payloadHash}`;
}

/** What the canonical request needs of a SignedHeaders list, worked out once per list (see `splitSignedHeaders`). */
interface SignedHeaderNames {
  readonly lower: readonly string[];
  readonly joined: string;
  readonly hasHost: boolean;
}
// By list object: `splitSignedHeaders` hands out one array per distinct SignedHeaders text.
const signedHeaderNames = lastOnly((list: readonly string[]): SignedHeaderNames => {
  const lower = list.map((h) => h.toLowerCase());
  return { lower, joined: list.join(';'), hasHost: lower.includes('host') };
});

export function stringToSignOf(claim: SigV4Claim, canonicalRequest: string): string {
  return `${SIGV4_ALGORITHM}\n${claim.amzDate}\n${credentialScope(claim)}\n${sha256Hex(canonicalRequest)}`;
}


/**
 * A derived signing key and HMAC-SHA256 under it as two one-shot hashes over the key's pads (RFC 2104), computed
 * once per key, with room for the message after the inner pad. `createHmac` builds an Hmac object per call, and
 * OpenSSL 3 looks the digest up again each time: that was the largest single cost of verifying a request.
 */
class SigningKey {
  #inner: Buffer;
  readonly #outer: Buffer;
  /** `#inner` up to the end of the last message, and that message's length (a client's messages have one length). */
  #view: Buffer;
  #viewLength = -1;
  constructor(readonly bytes: Buffer) {
    this.#inner = Buffer.alloc(64 + 256, 0);
    this.#outer = Buffer.alloc(64 + 32, 0x5c);
    this.#inner.fill(0x36, 0, 64);
    for (let i = 0; i < bytes.length; i++) {
      this.#inner[i]! ^= bytes[i]!;
      this.#outer[i]! ^= bytes[i]!;
    }
    this.#view = this.#inner;
  }

  hmacHex(message: string): string {
    if (oneShot === undefined) return createHmac('sha256', this.bytes).update(message).digest('hex');
    // UTF-8 takes at most three bytes per UTF-16 unit: with that much room, the write below is never cut short.
    if (this.#inner.length < 64 + 3 * message.length) {
      const grown = Buffer.alloc(64 + 3 * message.length);
      this.#inner.copy(grown, 0, 0, 64);
      this.#inner = grown;
      this.#viewLength = -1;
    }
    // The key's own scratch space: safe, as this runs to completion without yielding.
    const length = this.#inner.write(message, 64, 'utf8');
    if (length !== this.#viewLength) {
      this.#view = this.#inner.subarray(0, 64 + length);
      this.#viewLength = length;
    }
    // The inner digest goes into the outer block as a latin1 string: one byte per character, and no Buffer to
    // allocate for it (both cost more than the hash itself at these sizes).
    this.#outer.write(oneShot('sha256', this.#view, 'latin1'), 64, 'latin1');
    return oneShot('sha256', this.#outer, 'hex');
  }
}

/** Equal strings, in time that depends on the length only (a signature must not leak how much of it matched). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function checkTime(claim: SigV4Claim, flavor: AuthErrorFlavor, now: number): void {
  const t = parseAmzDate(claim.amzDate);
  if (t === undefined) {
    throw authError(claim.kind === 'presigned' ? 'invalidQueryDate' : 'missingDate', flavor, { got: claim.amzDate });
  }
  if (claim.kind === 'presigned' && flavor === 's3') {
    if (t - now > MAX_SKEW_MS) throw authError('presignNotYetValid', flavor, { amzDate: claim.amzDate, now });
    const expiresAt = t + (claim.expiresSeconds ?? 0) * 1000;
    if (now > expiresAt) {
      const expiresSeconds = claim.expiresSeconds === undefined ? {} : { expiresSeconds: claim.expiresSeconds };
      throw authError('presignExpired', flavor, { expiresAt, now, ...expiresSeconds });
    }
    return;
  }
  if (now - t > MAX_SKEW_MS) throw authError('requestExpired', flavor, { amzDate: claim.amzDate, now });
  if (t - now > MAX_SKEW_MS) throw authError('requestNotYetValid', flavor, { amzDate: claim.amzDate, now });
}

function unsignedAmzHeaders(req: WireRequest, claim: SigV4Claim): string[] {
  const signed = new Set(claim.signedHeaders.map((h) => h.toLowerCase()));
  const out: string[] = [];
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-amz-') && !signed.has(name)) out.push(name);
  }
  return out.sort();
}

/**
 * true when the canonical request's payload line is known from the head: S3 signs the `x-amz-content-sha256` it is
 * sent (or UNSIGNED-PAYLOAD), other services a hex hash when the client sent one; otherwise the body's own hash.
 */
export function payloadLineKnown(req: WireRequest, claim: SigV4Claim, s3: boolean): boolean {
  if (s3) return true;
  const sent = claim.kind === 'presigned' ? explicitPresignedHash(req, claim.signedHeaders) : req.headers['x-amz-content-sha256'];
  return sent !== undefined && HEX_SHA256.test(sent);
}

function verifyWithKey(
  req: WireRequest,
  claim: SigV4Claim,
  keyOf: (date: string, region: string, service: string) => SigningKey,
  opts: VerifyOptions,
): void {
  const sentHash = checkBeforeSignature(req, claim, opts);
  verifySignature(req, claim, keyOf, opts, sentHash);
}

/** The checks that come before the signature's: signed host, scope date, clock skew, S3's payload-hash rules. Returns the hash sent. */
function checkBeforeSignature(req: WireRequest, claim: SigV4Claim, opts: AuthErrorStyle & { readonly now: number }): string | undefined {
  const flavor = flavorOf(opts);
  const presigned = claim.kind === 'presigned';
  if (!signedHeaderNames(claim.signedHeaders).hasHost) throw authError('hostNotSigned', flavor, {});
  if (claim.date !== claim.amzDate.slice(0, 8)) {
    throw authError('scopeDateMismatch', flavor, { scopeDate: claim.date, amzDate: claim.amzDate, presigned });
  }
  checkTime(claim, flavor, opts.now);

  const sentHash = presigned ? explicitPresignedHash(req, claim.signedHeaders) : req.headers['x-amz-content-sha256'];
  if (!presigned && opts.s3) {
    if (sentHash === undefined) throw authError('missingContentSha256', flavor, {});
    const unsigned = unsignedAmzHeaders(req, claim);
    if (unsigned.length > 0) throw authError('headersNotSigned', flavor, { names: unsigned });
  }
  if (sentHash !== undefined && !validPayloadHash(sentHash)) throw authError('invalidContentSha256', flavor, { value: sentHash });
  return sentHash;
}

function verifySignature(
  req: WireRequest,
  claim: SigV4Claim,
  keyOf: (date: string, region: string, service: string) => SigningKey,
  opts: VerifyOptions,
  sentHash: string | undefined,
): void {
  const flavor = flavorOf(opts);
  const key = keyOf(claim.date, claim.region, claim.service);
  // AWS compares the hex text: lower-case only.
  const sign = (canonical: string): boolean => sameText(key.hmacHex(stringToSignOf(claim, canonical)), claim.signature);

  const uri = canonicalUri(req.rawPath, opts.s3);
  const query = canonicalQueryOf(req, claim, true);
  const primary = buildCanonical(req, claim, flavor, opts.s3, uri, query, claim.payloadHash);
  if (!sign(primary) && !alternativesMatch(req, claim, opts, flavor, uri, query, sentHash, sign)) {
    throw authError('signatureMismatch', flavor, {
      accessKeyId: claim.accessKeyId,
      signatureProvided: claim.signature,
      stringToSign: stringToSignOf(claim, primary),
      canonicalRequest: primary,
    });
  }

  // The signature covers the claimed hash; make sure the body is what was hashed.
  if (sentHash !== undefined && HEX_SHA256.test(sentHash) && !opts.bodyStreamed) {
    const computed = sha256Hex(req.body);
    if (computed !== sentHash.toLowerCase()) {
      throw authError('contentSha256Mismatch', flavor, { claimed: sentHash, computed });
    }
  }
}

/**
 * Other canonical forms a legitimate client may have signed, tried only after the primary form failed:
 * the path / query exactly as sent (a client that does not re-encode `'()*!` or uses lower-case hex), and for a
 * Coral presigned URL without an explicit payload hash, the SHA-256 of the body (smithy's presigner) instead of
 * `UNSIGNED-PAYLOAD` (botocore's).
 */
function alternativesMatch(
  req: WireRequest,
  claim: SigV4Claim,
  opts: VerifyOptions,
  flavor: AuthErrorFlavor,
  uri: string,
  query: string,
  sentHash: string | undefined,
  sign: (canonical: string) => boolean,
): boolean {
  const rawUri = req.rawPath === '' ? '/' : req.rawPath;
  const rawQuery = canonicalQueryOf(req, claim, false);
  const uris = opts.s3 && rawUri !== uri ? [uri, rawUri] : [uri];
  const queries = rawQuery !== query ? [query, rawQuery] : [query];
  const bodyHashToo = claim.kind === 'presigned' && !opts.s3 && claim.payloadHash === UNSIGNED_PAYLOAD;
  const hashes = bodyHashToo ? [claim.payloadHash, sha256Hex(req.body)] : [claim.payloadHash];
  for (const u of uris) {
    for (const q of queries) {
      for (const h of hashes) {
        if (u === uri && q === query && h === claim.payloadHash) continue;
        if (sign(buildCanonical(req, claim, flavor, opts.s3, u, q, h))) return true;
      }
    }
  }
  return false;
}

/** Verifies without a key cache (derives the signing key each call). Prefer `createSigV4Verifier()` in servers. */
export function verifySigV4(req: WireRequest, claim: SigV4Claim, secretAccessKey: string, opts: VerifyOptions): void {
  verifyWithKey(req, claim, (d, r, s) => new SigningKey(deriveSigningKey(secretAccessKey, d, r, s)), opts);
}

/**
 * A verifier with its own cache of derived signing keys, keyed by (secret, date, region, service).
 * @example
 * const verifier = createSigV4Verifier();
 * const claim = readClaim(req, { style: 'json', s3: false });
 * if (claim) verifier.verify(req, claim, secretFor(claim.accessKeyId), { now: Date.now(), style: 'json', s3: false });
 */
export function createSigV4Verifier(options: { maxCachedKeys?: number } = {}): SigV4Verifier {
  const max = Math.max(1, options.maxCachedKeys ?? 256);
  // By secret, then the few scopes (date, region, service) that secret signs for: looking up a request's key
  // compares three short strings instead of building and hashing a key string.
  const cache = new Map<string, Array<{ date: string; region: string; service: string; key: SigningKey }>>();
  let size = 0;
  const keyFor = (secret: string, date: string, region: string, service: string): SigningKey => {
    let scopes = cache.get(secret);
    if (scopes !== undefined) {
      for (const e of scopes) if (e.date === date && e.region === region && e.service === service) return e.key;
    }
    const key = new SigningKey(deriveSigningKey(secret, date, region, service));
    // A new day's scope replaces the same region and service of an earlier day.
    const stale = scopes?.findIndex((e) => e.region === region && e.service === service) ?? -1;
    if (stale >= 0) {
      scopes![stale] = { date, region, service, key };
      return key;
    }
    if (size >= max) {
      // The oldest scope of the secret cached first (Map order) goes.
      const [oldest, list] = cache.entries().next().value!;
      list.shift();
      size--;
      if (list.length === 0) {
        cache.delete(oldest);
        if (oldest === secret) scopes = undefined;
      }
    }
    if (scopes === undefined) cache.set(secret, (scopes = []));
    scopes.push({ date, region, service, key });
    size++;
    return key;
  };
  return {
    verify(req, claim, secretAccessKey, opts) {
      verifyWithKey(req, claim, (d, r, s) => keyFor(secretAccessKey, d, r, s), opts);
    },
    verifyHead(req, claim, secretAccessKey, opts) {
      const sentHash = checkBeforeSignature(req, claim, opts);
      // The body is not in yet: the signature over the headers alone, its hash compared by `verify` later.
      if (payloadLineKnown(req, claim, opts.s3)) verifySignature(req, claim, (d, r, s) => keyFor(secretAccessKey, d, r, s), { ...opts, bodyStreamed: true }, sentHash);
    },
    signingKey: (secret, date, region, service) => keyFor(secret, date, region, service).bytes,
    get cacheSize() {
      return size;
    },
  };
}
