/**
 * S3 SigV2 presigned URLs. The AWS documentation example plus URLs built by a deliberately tiny signer written
 * here from the S3 docs (not from sigv2.ts); boto3's real presigned URLs are checked in sigv4.botocore.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../core/wire.js';
import { AwsError } from '../core/errors.js';
import { readSigV2Presign, verifySigV2Presign } from './sigv2.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

function wire(method: string, rawPath: string, rawQuery: string, headers: Record<string, string> = {}): WireRequest {
  const query = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p): [string, string] => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decodeURIComponent(p), ''] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
    });
  return { method, rawPath, rawQuery, query, headers: { host: '127.0.0.1:4566', ...headers }, body: Buffer.alloc(0) };
}

/** Tiny independent signer: resource = path + sorted sub-resources; amz = sorted x-amz-* lines. */
function presign(o: { method?: string; path: string; expires: number; token?: string; sub?: [string, string][]; contentType?: string }) {
  const amz = o.token === undefined ? '' : `x-amz-security-token:${o.token}\n`;
  const subs = [...(o.sub ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const resource = o.path + (subs.length ? `?${subs.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
  const sts = `${o.method ?? 'GET'}\n\n${o.contentType ?? ''}\n${o.expires}\n${amz}${resource}`;
  const signature = createHmac('sha1', SECRET).update(sts).digest('base64');
  const params = [
    ...(o.sub ?? []).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE',
    `Signature=${encodeURIComponent(signature)}`,
    `Expires=${o.expires}`,
    ...(o.token === undefined ? [] : [`x-amz-security-token=${encodeURIComponent(o.token)}`]),
  ];
  return params.join('&');
}

function check(req: WireRequest, now = NOW, bucket?: string) {
  const claim = readSigV2Presign(req);
  expect(claim).toBeDefined();
  verifySigV2Presign(req, claim!, SECRET, { now, ...(bucket === undefined ? {} : { bucket }) });
  return claim!;
}

function failure(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error('expected an AwsError');
}

describe('SigV2 presigned URLs', () => {
  it('verifies the AWS documentation example (virtual-hosted bucket johnsmith)', () => {
    const req = wire('GET', '/photos/puppy.jpg', 'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620', {
      host: 'johnsmith.s3.amazonaws.com',
    });
    const claim = check(req, Date.UTC(2007, 2, 29), 'johnsmith');
    expect(claim).toEqual({ kind: 'sigv2-presigned', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', signature: 'NpgCjnDzrM+WFzoENXmpNDUsSn8=', expires: 1175139620 });
  });

  it('verifies special keys, sub-resources, session tokens and PUT with a signed content type', () => {
    const expires = NOW / 1000 + 3600;
    for (const path of ['/bucket/k%201%2Bx%3Dy%26z', '/bucket/dir/../x', '/bucket/%C3%BC/%C3%9F', '/bucket/%27%28%29%2A%21~', '/bucket/a//b']) {
      check(wire('GET', path, presign({ path, expires })));
    }
    const sub: [string, string][] = [['versionId', 'v 1'], ['response-content-type', 'text/plain; charset=utf-8']];
    check(wire('GET', '/bucket/key', presign({ path: '/bucket/key', expires, sub })));
    const withToken = check(wire('GET', '/bucket/key', presign({ path: '/bucket/key', expires, token: 'tok/en+=' })));
    expect(withToken.sessionToken).toBe('tok/en+=');
    check(wire('PUT', '/bucket/key', presign({ method: 'PUT', path: '/bucket/key', expires, contentType: 'image/png' }), { 'content-type': 'image/png' }));
  });

  it('rejects a wrong secret, a changed path and a changed sub-resource with SignatureDoesNotMatch', () => {
    const expires = NOW / 1000 + 3600;
    const q = presign({ path: '/bucket/key', expires, sub: [['versionId', 'v1']] });
    const e = failure(() => verifySigV2Presign(wire('GET', '/bucket/key', q), readSigV2Presign(wire('GET', '/bucket/key', q))!, 'wrong', { now: NOW }));
    expect([e.code, e.status]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(e.fields).toMatchObject({ AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', StringToSign: `GET\n\n\n${expires}\n/bucket/key?versionId=v1` });
    expect(failure(() => check(wire('GET', '/bucket/other', q))).code).toBe('SignatureDoesNotMatch');
    expect(failure(() => check(wire('GET', '/bucket/key', q.replace('versionId=v1', 'versionId=v2')))).code).toBe('SignatureDoesNotMatch');
    expect(failure(() => check(wire('DELETE', '/bucket/key', q))).code).toBe('SignatureDoesNotMatch');
  });

  it('expired → AccessDenied "Request has expired"', () => {
    const expires = NOW / 1000 - 1;
    const e = failure(() => check(wire('GET', '/bucket/key', presign({ path: '/bucket/key', expires }))));
    expect([e.code, e.status, e.message, e.fields]).toEqual([
      'AccessDenied',
      403,
      'Request has expired',
      { Expires: '2026-11-29T11:59:59Z', ServerTime: '2026-11-29T12:00:00Z' },
    ]);
  });

  it('is absent without its parameters and malformed with only some', () => {
    expect(readSigV2Presign(wire('GET', '/b/k', 'versionId=1'))).toBeUndefined();
    const partial = failure(() => readSigV2Presign(wire('GET', '/b/k', 'AWSAccessKeyId=A&Signature=x')));
    expect([partial.code, partial.message]).toEqual(['AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters']);
    expect(failure(() => readSigV2Presign(wire('GET', '/b/k', 'AWSAccessKeyId=A&Signature=x&Expires=soon'))).message).toBe(
      'Invalid date (should be seconds since epoch): soon',
    );
  });
});
