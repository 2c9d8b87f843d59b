/**
 * Which service a request is for, per reference/protocols.md §1: an `X-Amz-Target` header names a JSON
 * service by its target prefix; a form body with `Action=` is a query service named by the credential
 * scope (or, unsigned, by its `Version`); anything else is REST, named by the credential scope or the host.
 *
 * S3 is also recognised without a SigV4 scope: a bucket virtual host (`<bucket>.localhost[:port]`,
 * `<bucket>.s3.<anything>`), a SigV2 presign (`AWSAccessKeyId`), and an unsigned REST request that no other
 * signal claims (anonymous S3 access). A virtual-hosted request reports its bucket, so the pipeline can
 * route and parse the path-style form while the signature is checked against what was sent.
 */
import type { WireRequest } from '../core/wire.js';
import { peekCredentialScope } from '../auth/sigv4.js';
import { queryParam } from '../core/wire.js';

export interface RoutingTable {
  /** targetPrefix (`AWSOrganizationsV20161128`) → service name. */
  readonly byTargetPrefix: ReadonlyMap<string, string>;
  /** signing name from the credential scope (`sts`, `iam`, `s3`) → service names sharing it. */
  readonly bySigningName: ReadonlyMap<string, readonly string[]>;
  /** query API version (`2011-06-15`) → service name, for unsigned query requests. */
  readonly byQueryVersion: ReadonlyMap<string, string>;
}

export type Route =
  | { readonly kind: 'service'; readonly service: string; readonly virtualBucket?: string }
  | { readonly kind: 'unknown'; readonly reason: string };

const S3 = 's3';

/**
 * The bucket named by a virtual-hosted S3 host: `<bucket>.localhost[:port]` or `<bucket>.s3.<anything>` /
 * `<bucket>.s3-<region>.<anything>`; undefined for any other host (IP addresses, `localhost`, `s3.…`).
 */
export function virtualHostBucket(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.replace(/:\d+$/, '').toLowerCase();
  const local = /^(.+)\.localhost$/.exec(h);
  if (local) return local[1] === S3 || local[1].startsWith('s3.') ? undefined : local[1];
  const s3 = /^(.+?)\.s3[.-]/.exec(h);
  return s3 ? s3[1] : undefined;
}

function hasSigV2Presign(req: Pick<WireRequest, 'query'>): boolean {
  return req.query.some(([k]) => k === 'AWSAccessKeyId');
}

/**
 * Whether a request is S3's, from its headers and query alone (the body is not read yet): the server streams
 * the body of such a request when it is a PUT (PutObject / UploadPart may be gigabytes).
 */
export function looksLikeS3(req: Pick<WireRequest, 'headers' | 'query'>): boolean {
  if (req.headers['x-amz-target'] !== undefined) return false;
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  if (virtualHostBucket(req.headers['host']) !== undefined || hasSigV2Presign(req)) return true;
  const signing = peekCredentialScope(req as WireRequest)?.service;
  return signing === undefined ? req.headers['authorization'] === undefined : signing === S3;
}

function isForm(req: WireRequest): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/**
 * One form parameter, found with the native byte search and decoded alone: routing an unsigned query request
 * never turns the whole body into a string or splits it (a body may be megabytes).
 */
export function formParam(body: Buffer, name: string): string | undefined {
  const needle = `${name}=`;
  for (let at = body.indexOf(needle, 0, 'latin1'); at >= 0; at = body.indexOf(needle, at + 1, 'latin1')) {
    if (at > 0 && body[at - 1] !== 0x26 /* & */) continue;
    const start = at + needle.length;
    const amp = body.indexOf(0x26, start);
    const raw = body.toString('latin1', start, amp < 0 ? body.length : amp).replace(/\+/g, ' ');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

const PRESIGN_PARAMS: ReadonlySet<string> = new Set(['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Algorithm', 'AWSAccessKeyId', 'Signature']);

/**
 * Whether a request claims a signature: a SigV4 Authorization header or presign parameters. A few comparisons, as it
 * runs on every request before its body is read; the claim itself is checked once the body is in.
 */
export function claimsSignature(req: Pick<WireRequest, 'headers' | 'query'>): boolean {
  const auth = req.headers['authorization'];
  if (auth !== undefined && auth.startsWith('AWS4-HMAC-SHA256 ')) return true;
  for (const [k] of req.query) if (PRESIGN_PARAMS.has(k)) return true;
  return false;
}

export function route(req: WireRequest, table: RoutingTable): Route {
  const target = req.headers['x-amz-target'];
  if (target) {
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    // botocore spells CloudTrail's prefix fully qualified: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101
    const svc = table.byTargetPrefix.get(prefix) ?? table.byTargetPrefix.get(prefix.slice(prefix.lastIndexOf('.') + 1));
    return svc ? { kind: 'service', service: svc } : { kind: 'unknown', reason: `unknown target prefix ${prefix}` };
  }
  const signing = peekCredentialScope(req)?.service;
  const s3 = table.bySigningName.get(S3)?.[0];
  const bucket = virtualHostBucket(req.headers['host']);
  if (s3 && bucket !== undefined && (signing === undefined || signing === S3)) return { kind: 'service', service: s3, virtualBucket: bucket };
  // A signed request names its service in the credential scope: the body is not looked at.
  const signed = signing ? table.bySigningName.get(signing) : undefined;
  if (signed?.length) return { kind: 'service', service: signed[0]! };
  const action = isForm(req) ? formParam(req.body, 'Action') : queryParam(req, 'Action');
  if (action !== undefined) {
    const version = isForm(req) ? formParam(req.body, 'Version') : queryParam(req, 'Version');
    const svc = version ? table.byQueryVersion.get(version) : undefined;
    return svc ? { kind: 'service', service: svc } : { kind: 'unknown', reason: 'cannot tell the service of this query request' };
  }
  if (signing) return { kind: 'unknown', reason: `service ${signing} is not served by mlzone` };
  // An unsigned form post is a query request whose body did not name its API: not S3's.
  if (isForm(req)) return { kind: 'unknown', reason: 'cannot tell the service of this query request' };
  // SigV2 presigns and unsigned REST requests are S3's (anonymous access is decided by its bucket policies).
  if (s3 && (hasSigV2Presign(req) || req.headers['authorization'] === undefined)) return { kind: 'service', service: s3 };
  return { kind: 'unknown', reason: 'cannot tell the service of this request' };
}
