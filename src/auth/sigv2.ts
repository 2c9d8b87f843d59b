/**
 * S3 SigV2 query-string authentication (presigned URLs with `AWSAccessKeyId`, `Signature`, `Expires`), which
 * boto3's `generate_presigned_url` still produces for S3 by default. Only the presigned form is supported; a SigV2
 * `Authorization: AWS …` header is rejected by `readClaim` as an unsupported mechanism.
 *
 *   StringToSign = METHOD \n Content-MD5 \n Content-Type \n Expires \n CanonicalizedAmzHeaders CanonicalizedResource
 *   Signature    = Base64(HMAC-SHA1(secret, StringToSign))
 *
 * CanonicalizedAmzHeaders: every `x-amz-*` header (and `x-amz-*` query parameter, where presigners move them, e.g.
 * `x-amz-security-token`), lower-case, sorted, `name:value\n`. CanonicalizedResource: `/bucket/key` path as sent
 * (the gateway passes the bucket for virtual-hosted requests) plus the sub-resources, sorted, values decoded.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WireRequest } from '../core/wire.js';
import { queryParam } from '../core/wire.js';
import { authError } from './sigv4-errors.js';
import { canonicalUri } from './sigv4-canonical.js';

export interface SigV2PresignClaim {
  readonly kind: 'sigv2-presigned';
  readonly accessKeyId: string;
  /** Base64 HMAC-SHA1, as sent (already percent-decoded). */
  readonly signature: string;
  /** Epoch seconds. */
  readonly expires: number;
  readonly sessionToken?: string;
}

export interface SigV2VerifyOptions {
  /** The server clock, epoch milliseconds. */
  readonly now: number;
  /** For virtual-hosted requests (`bucket.host/key`): the bucket, which the canonical resource must start with. */
  readonly bucket?: string;
}

/** Query parameters that are S3 sub-resources and so part of the canonicalized resource. */
const SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'select', 'select-type', 'storageClass', 'tagging',
  'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

/**
 * Reads a SigV2 presign (`AWSAccessKeyId` + `Signature` + `Expires`). Undefined when none of them is present;
 * throws S3's AccessDenied when only some are, or when `Expires` is not epoch seconds.
 */
export function readSigV2Presign(req: WireRequest): SigV2PresignClaim | undefined {
  const accessKeyId = queryParam(req, 'AWSAccessKeyId');
  const signature = queryParam(req, 'Signature');
  const expires = queryParam(req, 'Expires');
  if (accessKeyId === undefined && signature === undefined && expires === undefined) return undefined;
  if (accessKeyId === undefined || signature === undefined || expires === undefined) {
    throw authError('malformedSigV2Presign', 's3', {});
  }
  if (!/^\d+$/.test(expires)) throw authError('malformedSigV2Presign', 's3', { expires });
  const token = queryParam(req, 'x-amz-security-token') ?? req.headers['x-amz-security-token'];
  return {
    kind: 'sigv2-presigned',
    accessKeyId,
    signature,
    expires: Number(expires),
    ...(token === undefined ? {} : { sessionToken: token }),
  };
}

function amzHeaders(req: WireRequest): string {
  const found = new Map<string, string>();
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-amz-')) found.set(name, req.headers[name].trim());
  }
  for (const [k, v] of req.query) {
    const lower = k.toLowerCase();
    if (lower.startsWith('x-amz-') && !found.has(lower)) found.set(lower, v.trim());
  }
  let out = '';
  for (const name of [...found.keys()].sort()) out += `${name}:${found.get(name)}\n`;
  return out;
}

function canonicalResource(req: WireRequest, path: string, bucket: string | undefined): string {
  let resource = (bucket === undefined ? '' : `/${bucket}`) + (path === '' ? '/' : path);
  const subs = req.query.filter(([k]) => SUBRESOURCES.has(k));
  if (subs.length > 0) {
    // Stable sort by name only: repeated names keep the order they were sent in.
    subs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    resource += `?${subs.map(([k, v]) => (v === '' && !hasEquals(req.rawQuery, k) ? k : `${k}=${v}`)).join('&')}`;
  }
  return resource;
}

/** Whether `name` appeared as `name=` (not bare `name`) in the raw query; `?acl` and `?acl=` sign differently. */
function hasEquals(rawQuery: string, name: string): boolean {
  for (const piece of rawQuery.split('&')) {
    if (piece === name) return false;
    if (piece.startsWith(`${name}=`)) return true;
  }
  return false;
}

/** The SigV2 string to sign for a presigned request (`path` defaults to the raw path as sent). */
export function sigV2StringToSign(req: WireRequest, claim: SigV2PresignClaim, bucket?: string, path = req.rawPath): string {
  const md5 = req.headers['content-md5'] ?? queryParam(req, 'content-md5') ?? '';
  const type = req.headers['content-type'] ?? queryParam(req, 'content-type') ?? '';
  const expires = queryParam(req, 'Expires') ?? String(claim.expires);
  return `${req.method.toUpperCase()}\n${md5.trim()}\n${type.trim()}\n${expires}\n${amzHeaders(req)}${canonicalResource(req, path, bucket)}`;
}

function sign(secret: string, stringToSign: string): Buffer {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest();
}

/** Throws S3's AccessDenied "Request has expired" or SignatureDoesNotMatch. */
export function verifySigV2Presign(req: WireRequest, claim: SigV2PresignClaim, secretAccessKey: string, opts: SigV2VerifyOptions): void {
  const expiresAt = claim.expires * 1000;
  if (opts.now > expiresAt) throw authError('presignExpired', 's3', { expiresAt, now: opts.now });
  const provided = Buffer.from(claim.signature, 'base64');
  const stringToSign = sigV2StringToSign(req, claim, opts.bucket);
  const matches = (sts: string): boolean => {
    const expected = sign(secretAccessKey, sts);
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  };
  if (matches(stringToSign)) return;
  // A client that signed the key's canonical encoding but sent a differently-escaped path.
  const reencoded = canonicalUri(req.rawPath, true);
  if (reencoded !== req.rawPath && matches(sigV2StringToSign(req, claim, opts.bucket, reencoded))) return;
  throw authError('signatureMismatch', 's3', {
    accessKeyId: claim.accessKeyId,
    signatureProvided: claim.signature,
    stringToSign,
    canonicalRequest: '',
  });
}
