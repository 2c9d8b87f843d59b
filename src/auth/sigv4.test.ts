/**
 * SigV4 verification against requests signed by the real JS signer (@smithy/signature-v4, what SDK v3 uses),
 * plus two AWS documentation vectors. botocore-signed requests are in sigv4.botocore.test.ts.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../core/wire.js';
import { AwsError } from '../core/errors.js';
import type { AuthErrorStyle } from './sigv4-errors.js';
import { headersFromRaw } from './sigv4-canonical.js';
import {
  canonicalRequestOf,
  createSigV4Verifier,
  deriveSigningKey,
  isStreamingPayload,
  peekCredentialScope,
  readClaim,
  verifySigV4,
} from './sigv4.js';
import type { SigV4Claim } from './sigv4.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const MIN = 60_000;

const QUERY: AuthErrorStyle = { style: 'query', s3: false };
const JSON_: AuthErrorStyle = { style: 'json', s3: false };
const REST_JSON: AuthErrorStyle = { style: 'rest-json', s3: false };
const S3: AuthErrorStyle = { style: 'rest-xml', s3: true };

interface Spec {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

interface SignedLike {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

function signer(service: string, o: { s3?: boolean; sessionToken?: string; applyChecksum?: boolean; region?: string } = {}) {
  return new SignatureV4({
    service,
    region: o.region ?? 'us-east-1',
    credentials: { ...CREDS, ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }) },
    sha256: Sha256,
    uriEscapePath: !o.s3,
    ...(o.applyChecksum === undefined ? {} : { applyChecksum: o.applyChecksum }),
  });
}

function httpRequest(spec: Spec) {
  return {
    method: spec.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: spec.path,
    query: spec.query ?? {},
    headers: { host: '127.0.0.1:4566', ...spec.headers },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
}

/** The SDK's own wire encoding of a query record (`escapeUri` on names and values, arrays repeated). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function encodeQuery(query: Record<string, string | string[] | null> = {}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${escape(k)}=${escape(one)}`);
  }
  return parts.join('&');
}

function toWire(
  signed: SignedLike,
  o: { rawQuery?: string; rawPath?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): WireRequest {
  const rawQuery = o.rawQuery ?? encodeQuery(signed.query);
  const query: [string, string][] = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decodeURIComponent(p), ''] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
    });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? signed.headers)) headers[k.toLowerCase()] = v;
  const body = o.body ?? (typeof signed.body === 'string' ? signed.body : '');
  return { method: signed.method, rawPath: o.rawPath ?? signed.path, rawQuery, query, headers, body: Buffer.from(body) };
}

async function signHeader(service: string, spec: Spec, o: Parameters<typeof signer>[1] & { at?: number; unsignable?: string[] } = {}) {
  return (await signer(service, o).sign(httpRequest(spec), {
    signingDate: new Date(o.at ?? NOW),
    ...(o.unsignable === undefined ? {} : { unsignableHeaders: new Set(o.unsignable) }),
  })) as SignedLike;
}

/** What @aws-sdk/s3-request-presigner does: UNSIGNED-PAYLOAD header hoisted into the query, content-type unsigned. */
async function presignS3(spec: Spec, o: { at?: number; expiresIn?: number; sessionToken?: string } = {}) {
  const req = httpRequest({ ...spec, headers: { ...spec.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  return (await signer('s3', { s3: true, ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }) }).presign(req, {
    signingDate: new Date(o.at ?? NOW),
    expiresIn: o.expiresIn ?? 900,
    unsignableHeaders: new Set(['content-type']),
  })) as SignedLike;
}

function verify(wire: WireRequest, style: AuthErrorStyle, now = NOW, secret = CREDS.secretAccessKey): SigV4Claim {
  const claim = readClaim(wire, style);
  expect(claim).toBeDefined();
  createSigV4Verifier().verify(wire, claim!, secret, { ...style, now });
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

/** S3's per-segment key encoding, as the JS S3 client and botocore put keys on the wire. */
const s3Path = (bucket: string, key: string) => `/${bucket}/${key.split('/').map(escape).join('/')}`;

const STS_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
const stsSpec: Spec = {
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: STS_BODY,
};

/** A request signed once at import, for tests that only need "some valid STS request". */
const signHeaderSync = { sts: await signHeader('sts', stsSpec) };

describe('header form: query, json and rest-json services', () => {
  it('verifies an STS query request with and without x-amz-content-sha256', async () => {
    for (const applyChecksum of [true, false]) {
      const signed = await signHeader('sts', stsSpec, { applyChecksum });
      expect('x-amz-content-sha256' in signed.headers).toBe(applyChecksum);
      const claim = verify(toWire(signed), QUERY);
      expect(claim).toMatchObject({ kind: 'header', accessKeyId: 'AKIDEXAMPLE', date: '20261129', region: 'us-east-1', service: 'sts' });
      expect(claim.payloadHash).toBe(sha256(STS_BODY));
    }
  });

  it('verifies a JSON 1.1 request (SageMaker) signed with X-Amz-Target', async () => {
    const signed = await signHeader('sagemaker', {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListTrainingJobs' },
      body: '{"MaxResults":10}',
    }, { region: 'eu-west-1', applyChecksum: false });
    expect(verify(toWire(signed), JSON_).region).toBe('eu-west-1');
  });

  it('verifies rest-json paths: encoded labels are double-encoded, dot segments and // normalised', async () => {
    for (const path of ['/2015-03-31/functions/my%3Afn/invocations', '/a//b/./c/../d/', '/FeatureGroup/fg%20x']) {
      const signed = await signHeader('lambda', { method: 'POST', path, query: { Qualifier: 'PROD' }, body: '{}' }, { applyChecksum: false });
      verify(toWire(signed), REST_JSON);
    }
    const wire = toWire(await signHeader('lambda', { method: 'GET', path: '/a//b/../c' }, { applyChecksum: false }));
    expect(canonicalRequestOf(wire, readClaim(wire, REST_JSON)!, REST_JSON).split('\n')[1]).toBe('/a/c');
  });

  it('verifies query parameters with +, spaces, repeated keys, empty values and a bare name', async () => {
    const query = { a: 'x+y', b: 'hello world', c: ['2', '1', '10'], d: '', 'k e+y': "'()*!~", u: 'ü' };
    const signed = await signHeader('sagemaker', { method: 'GET', path: '/', query }, { applyChecksum: false });
    verify(toWire(signed), JSON_);
    // The same pairs in another order, with `d` sent bare (no `=`): same canonical query.
    const reordered = 'u=%C3%BC&d&c=10&c=1&b=hello%20world&a=x%2By&c=2&k%20e%2By=%27%28%29%2A%21~';
    verify(toWire(signed, { rawQuery: reordered }), JSON_);
    // A client that leaves `'()*!` unescaped and uses lower-case hex (signs the same canonical form).
    verify(toWire(signed, { rawQuery: "a=x%2by&b=hello%20world&c=2&c=1&c=10&d=&k%20e%2By='()*!~&u=%c3%bc" }), JSON_);
  });

  it('folds runs of spaces in signed header values and joins repeated header lines with ","', async () => {
    const signed = await signHeader('sts', { ...stsSpec, headers: { ...stsSpec.headers, 'x-custom': '  a   b \t c ', 'x-multi': 'one,two' } });
    const sent = { ...signed.headers, 'x-custom': 'a    b   c' };
    verify(toWire(signed, { headers: sent }), QUERY);
    const raw = Object.entries(signed.headers).filter(([k]) => k !== 'x-multi').flat();
    const wire = toWire(signed, { headers: headersFromRaw([...raw, 'X-Multi', '  one ', 'x-multi', 'two  ']) });
    expect(wire.headers['x-multi']).toBe('one,two');
    verify(wire, QUERY);
  });

  it('reads and verifies the session token header', async () => {
    const signed = await signHeader('sts', stsSpec, { sessionToken: 'FQoGZXIvYXdzE//token+/=' });
    expect(signed.headers['x-amz-security-token']).toBe('FQoGZXIvYXdzE//token+/=');
    expect(verify(toWire(signed), QUERY).sessionToken).toBe('FQoGZXIvYXdzE//token+/=');
    // The token is signed: changing it breaks the signature.
    const tampered = toWire(signed, { headers: { ...signed.headers, 'x-amz-security-token': 'other' } });
    expect(failure(() => verify(tampered, QUERY)).code).toBe('SignatureDoesNotMatch');
  });

  it('reads the Authorization header the same way however its parameters are spaced or ordered', async () => {
    const signed = await signHeader('sts', stsSpec);
    const auth = signed.headers['authorization']!;
    const [, credential, signedHeaders, signature] = /Credential=(\S+), SignedHeaders=(\S+), Signature=(\S+)/.exec(auth)!;
    const spellings = [
      `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      `AWS4-HMAC-SHA256 Credential=${credential},SignedHeaders=${signedHeaders},Signature=${signature}`,
      `  AWS4-HMAC-SHA256   Signature=${signature} ,SignedHeaders=${signedHeaders}\tCredential=${credential}  `,
      `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature}, Extra=1`,
    ];
    const claims = spellings.map((a) => verify(toWire(signed, { headers: { ...signed.headers, authorization: a } }), QUERY));
    for (const c of claims) expect(c).toEqual(claims[0]);
    expect(failure(() => verify(toWire(signed, { headers: { ...signed.headers, authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}` } }), QUERY)).code).toBe('IncompleteSignature');
  });

  it('verifies with every signing key it derives and caches, whatever the scope (non-ASCII region included)', async () => {
    const v = createSigV4Verifier();
    for (const region of ['us-east-1', 'eu-west-1', 'região-1', 'r'.repeat(300), 'us-east-1']) {
      for (const at of [NOW, NOW + 5_000]) {
        const signed = await signHeader('sts', stsSpec, { region, at });
        v.verify(toWire(signed), readClaim(toWire(signed), QUERY)!, CREDS.secretAccessKey, { ...QUERY, now: at });
        const wrongKey = () => v.verify(toWire(signed), readClaim(toWire(signed), QUERY)!, `${CREDS.secretAccessKey}x`, { ...QUERY, now: at });
        expect(failure(wrongKey).code).toBe('SignatureDoesNotMatch');
      }
    }
  });

  it('compares the signature as AWS does: exact lower-case hex, every character', async () => {
    const signed = await signHeader('sts', stsSpec);
    const auth = signed.headers['authorization']!;
    const sig = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
    expect(verify(toWire(signed), QUERY).signature).toBe(sig);
    const flip = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    for (const other of [sig.toUpperCase(), flip, sig.slice(0, -2), `${sig}00`, 'z'.repeat(64)]) {
      const wire = toWire(signed, { headers: { ...signed.headers, authorization: auth.replace(sig, other) } });
      expect([other, failure(() => verify(wire, QUERY)).code]).toEqual([other, 'SignatureDoesNotMatch']);
    }
  });

  it('signs the body when x-amz-content-sha256 is absent, so a tampered body is a signature mismatch', async () => {
    const signed = await signHeader('sts', stsSpec, { applyChecksum: false });
    const e = failure(() => verify(toWire(signed, { body: 'Action=GetCallerIdentity&Version=2011-06-16' }), QUERY));
    expect([e.code, e.status]).toEqual(['SignatureDoesNotMatch', 403]);
  });

  it('accepts a Date header instead of X-Amz-Date (converted to ISO 8601 basic)', async () => {
    const signed = await signHeader('sts', stsSpec);
    const headers: Record<string, string> = { ...signed.headers, date: new Date(NOW).toUTCString() };
    delete headers['x-amz-date'];
    const claim = readClaim(toWire(signed, { headers }), QUERY)!;
    expect(claim.amzDate).toBe('20261129T120000Z');
    // smithy signed x-amz-date, which is now missing from the request: Coral names it.
    const e = failure(() => createSigV4Verifier().verify(toWire(signed, { headers }), claim, CREDS.secretAccessKey, { ...QUERY, now: NOW }));
    expect([e.code, e.message]).toEqual(['IncompleteSignature', "'x-amz-date' is named as a SignedHeader, but it does not exist in the HTTP request."]);
  });
});

describe('S3: raw path encoded once, no normalisation', () => {
  const keys = ['k 1+x=y&z', 'dir/../x', 'ü/ß', "'()*!~", 'a//b', 'plain.txt', 'trailing/'];

  it.each(keys)('verifies a header-signed PUT of key %j', async (key) => {
    const body = `body of ${key}`;
    const signed = await signHeader('s3', {
      method: 'PUT',
      path: s3Path('bucket', key),
      headers: { 'content-type': 'text/plain', 'x-amz-content-sha256': sha256(body), 'x-amz-meta-k': 'v' },
      body,
    }, { s3: true });
    const claim = verify(toWire(signed), S3);
    expect(claim.payloadHash).toBe(sha256(body));
    // S3 signs the path literally: `..` and `//` are part of the key.
    const wire = toWire(signed);
    expect(canonicalRequestOf(wire, claim, S3).split('\n')[1]).toBe(s3Path('bucket', key));
  });

  it.each(keys)('verifies presigned GET and PUT URLs for key %j', async (key) => {
    for (const method of ['GET', 'PUT']) {
      const signed = await presignS3({ method, path: s3Path('bucket', key), headers: method === 'PUT' ? { 'content-type': 'image/png' } : {} });
      expect(signed.query?.['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      const wire = toWire(signed, { body: method === 'PUT' ? 'any bytes at all' : '' });
      const claim = verify(wire, S3, NOW + 5 * MIN);
      expect(claim).toMatchObject({ kind: 'presigned', expiresSeconds: 900, payloadHash: 'UNSIGNED-PAYLOAD', signedHeaders: ['host'] });
    }
  });

  it('matches a client that sent the path with unescaped sub-delims or lower-case hex', async () => {
    const signed = await signHeader('s3', {
      method: 'GET',
      path: s3Path('bucket', "'()*!~ ü"),
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }, { s3: true });
    verify(toWire(signed, { rawPath: "/bucket/'()*!~%20%c3%bc" }), S3);
    // And a signer that signed its raw (unusual) path verbatim is accepted too.
    const rawSigned = await signHeader('s3', { method: 'GET', path: "/bucket/it's", headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true });
    verify(toWire(rawSigned), S3);
  });

  it('presigned URLs carry the session token as X-Amz-Security-Token', async () => {
    const signed = await presignS3({ method: 'GET', path: '/bucket/key' }, { sessionToken: 'session/token+=' });
    expect(signed.query?.['X-Amz-Security-Token']).toBe('session/token+=');
    expect(verify(toWire(signed), S3).sessionToken).toBe('session/token+=');
  });

  it('accepts STREAMING-* and UNSIGNED-PAYLOAD literally (the body is not hashed)', async () => {
    for (const hash of ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'UNSIGNED-PAYLOAD']) {
      const signed = await signHeader('s3', {
        method: 'PUT',
        path: '/bucket/key',
        headers: { 'x-amz-content-sha256': hash, 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
        body: '5\r\nhello\r\n0\r\n\r\n',
      }, { s3: true });
      expect(verify(toWire(signed), S3).payloadHash).toBe(hash);
    }
    expect(isStreamingPayload('STREAMING-UNSIGNED-PAYLOAD-TRAILER')).toBe(true);
    expect(isStreamingPayload('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER')).toBe(true);
    expect(isStreamingPayload('UNSIGNED-PAYLOAD')).toBe(false);
    expect(isStreamingPayload(sha256(''))).toBe(false);
  });

  it('rejects a tampered body with XAmzContentSHA256Mismatch', async () => {
    const signed = await signHeader('s3', {
      method: 'PUT',
      path: '/bucket/key',
      headers: { 'x-amz-content-sha256': sha256('original') },
      body: 'original',
    }, { s3: true });
    const e = failure(() => verify(toWire(signed, { body: 'tampered' }), S3));
    expect([e.code, e.status, e.message]).toEqual([
      'XAmzContentSHA256Mismatch',
      400,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ]);
    expect(e.fields).toEqual({ ClientComputedContentSHA256: sha256('original'), S3ComputedContentSHA256: sha256('tampered') });
  });

  it('a tampered body with a signed hash is a signature error for Coral services', async () => {
    const signed = await signHeader('sagemaker', {
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': 'SageMaker.ListModels' },
      body: '{}',
    }, { applyChecksum: true });
    const e = failure(() => verify(toWire(signed, { body: '{"x":1}' }), JSON_));
    expect([e.code, e.status]).toEqual(['InvalidSignatureException', 400]);
  });

  it('requires x-amz-content-sha256, a valid value, and every x-amz-* header signed', async () => {
    const plain = await signHeader('s3', { method: 'GET', path: '/bucket/key' }, { s3: true, applyChecksum: false });
    let e = failure(() => verify(toWire(plain), S3));
    expect([e.code, e.status, e.message]).toEqual(['InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256']);

    const bad = await signHeader('s3', { method: 'GET', path: '/bucket/key', headers: { 'x-amz-content-sha256': 'nonsense' } }, { s3: true });
    e = failure(() => verify(toWire(bad), S3));
    expect([e.code, e.status, e.fields.ArgumentName]).toEqual(['InvalidArgument', 400, 'x-amz-content-sha256']);

    const ok = await signHeader('s3', { method: 'GET', path: '/bucket/key', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true });
    e = failure(() => verify(toWire(ok, { headers: { ...ok.headers, 'x-amz-acl': 'public-read', 'x-amz-meta-a': 'b' } }), S3));
    expect([e.code, e.status, e.message, e.fields]).toEqual([
      'AccessDenied',
      403,
      'There were headers present in the request which were not signed',
      { HeadersNotSigned: 'x-amz-acl, x-amz-meta-a' },
    ]);
  });
});

describe('presigned URLs for other services', () => {
  it('verifies a smithy-presigned STS GetCallerIdentity (EKS token style) — body hash as payload', async () => {
    const signed = (await signer('sts').presign(
      httpRequest({ method: 'GET', path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { 'x-k8s-aws-id': 'cluster' } }),
      { signingDate: new Date(NOW), expiresIn: 60 },
    )) as SignedLike;
    const claim = verify(toWire(signed), QUERY, NOW + 10 * MIN);
    expect(claim.signedHeaders).toEqual(['host', 'x-k8s-aws-id']);
    // STS ignores X-Amz-Expires (fixed 15-minute window).
    const e = failure(() => verify(toWire(signed), QUERY, NOW + 16 * MIN));
    expect(e.message).toBe('Signature expired: 20261129T120000Z is now earlier than 20261129T120100Z (20261129T121600Z - 15 min.)');
  });
});

describe('UNSIGNED-PAYLOAD is S3 only', () => {
  const iamSpec = (body: string): Spec => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    body,
  });
  const LIST = 'Action=ListRoles&Version=2010-05-08';
  const CREATE = 'Action=CreateRole&Version=2010-05-08&RoleName=Backdoor&AssumeRolePolicyDocument=%7B%7D';

  it('a query service signs the body itself: a signature over UNSIGNED-PAYLOAD is refused, whatever body comes with it', async () => {
    const signed = await signHeader('iam', iamSpec(LIST));
    for (const body of [LIST, CREATE]) {
      const e = failure(() => verify(toWire(signed, { body }), QUERY));
      expect([e.code, e.status]).toEqual(['SignatureDoesNotMatch', 403]);
    }
  });

  it('JSON services too, while a hex x-amz-content-sha256 that matches the body is still accepted', async () => {
    const json = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' };
    const unsigned = await signHeader('ecr', { method: 'POST', path: '/', headers: { ...json, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: '{}' });
    expect(failure(() => verify(toWire(unsigned, { body: '{"repositoryNames":["x"]}' }), JSON_)).code).toBe('InvalidSignatureException');
    const hashed = await signHeader('ecr', { method: 'POST', path: '/', headers: { ...json, 'x-amz-content-sha256': sha256('{}') }, body: '{}' });
    expect(verify(toWire(hashed), JSON_).payloadHash).toBe(sha256('{}'));
    expect(failure(() => verify(toWire(hashed, { body: '{"repositoryNames":["x"]}' }), JSON_)).code).toBe('InvalidSignatureException');
  });

  it('a presigned URL outside S3 covers a body it is sent with: UNSIGNED-PAYLOAD holds for an empty body only', async () => {
    const presign = async (body: string) =>
      (await signer('iam').presign(httpRequest({ method: 'POST', path: '/', query: { Action: 'ListRoles', Version: '2010-05-08' }, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body }), {
        signingDate: new Date(NOW),
        expiresIn: 300,
      })) as SignedLike;
    const empty = await presign('');
    verify(toWire(empty, { body: '' }), QUERY);
    expect(failure(() => verify(toWire(empty, { body: CREATE }), QUERY)).code).toBe('SignatureDoesNotMatch');
  });

  it('S3 still takes UNSIGNED-PAYLOAD literally', async () => {
    const signed = await signHeader('s3', { method: 'PUT', path: '/bucket/key', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'a' }, { s3: true });
    expect(verify(toWire(signed, { body: 'anything else' }), S3).payloadHash).toBe('UNSIGNED-PAYLOAD');
  });
});

describe('failures, per style', () => {
  it('wrong secret → SignatureDoesNotMatch / InvalidSignatureException with AWS texts', async () => {
    const coral =
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
    const q = failure(() => verify(toWire(signHeaderSync.sts), QUERY, NOW, 'wrong'));
    expect([q.code, q.status, q.message, q.fault]).toEqual(['SignatureDoesNotMatch', 403, coral, 'Sender']);
    const j = failure(() => verify(toWire(signHeaderSync.sts), JSON_, NOW, 'wrong'));
    expect([j.code, j.status, j.message]).toEqual(['InvalidSignatureException', 400, coral]);
    const r = failure(() => verify(toWire(signHeaderSync.sts), REST_JSON, NOW, 'wrong'));
    expect([r.code, r.status]).toEqual(['InvalidSignatureException', 403]);

    const s3 = await signHeader('s3', { method: 'GET', path: '/bucket/key', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true });
    const wire = toWire(s3);
    const e = failure(() => verify(wire, S3, NOW, 'wrong'));
    expect([e.code, e.status, e.message]).toEqual([
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ]);
    const claim = readClaim(wire, S3)!;
    const canonical = canonicalRequestOf(wire, claim, S3);
    const stringToSign = `AWS4-HMAC-SHA256\n20261129T120000Z\n20261129/us-east-1/s3/aws4_request\n${sha256(canonical)}`;
    expect(e.fields).toEqual({
      AWSAccessKeyId: 'AKIDEXAMPLE',
      StringToSign: stringToSign,
      SignatureProvided: claim.signature,
      StringToSignBytes: [...Buffer.from(stringToSign)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
      CanonicalRequest: canonical,
      CanonicalRequestBytes: [...Buffer.from(canonical)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    });
    expect(canonical).toBe(
      'GET\n/bucket/key\n\nhost:127.0.0.1:4566\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20261129T120000Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD',
    );
  });

  it('clock skew beyond ±15 min → the per-style skew error; within it passes', async () => {
    const past = await signHeader('sts', stsSpec, { at: NOW - 16 * MIN });
    const future = await signHeader('sts', stsSpec, { at: NOW + 16 * MIN });
    const cases: [AuthErrorStyle, string, number][] = [
      [QUERY, 'SignatureDoesNotMatch', 403],
      [JSON_, 'InvalidSignatureException', 400],
      [REST_JSON, 'InvalidSignatureException', 403],
    ];
    for (const [style, code, status] of cases) {
      const p = failure(() => verify(toWire(past), style));
      expect([p.code, p.status, p.message]).toEqual([
        code,
        status,
        'Signature expired: 20261129T114400Z is now earlier than 20261129T114500Z (20261129T120000Z - 15 min.)',
      ]);
      const f = failure(() => verify(toWire(future), style));
      expect([f.code, f.status, f.message]).toEqual([
        code,
        status,
        'Signature not yet current: 20261129T121600Z is still later than 20261129T121500Z (20261129T120000Z + 15 min.)',
      ]);
    }
    const s3Past = await signHeader('s3', { method: 'GET', path: '/b/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true, at: NOW - 16 * MIN });
    const e = failure(() => verify(toWire(s3Past), S3));
    expect([e.code, e.status, e.message]).toEqual(['RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.']);
    expect(e.fields).toEqual({ RequestTime: '20261129T114400Z', ServerTime: '2026-11-29T12:00:00Z', MaxAllowedSkewMilliseconds: 900000 });
    verify(toWire(await signHeader('sts', stsSpec, { at: NOW - 14 * MIN })), QUERY);
    verify(toWire(await signHeader('sts', stsSpec, { at: NOW + 14 * MIN })), QUERY);
  });

  it('credential scope date must equal the X-Amz-Date day', async () => {
    const signed = await signHeader('sts', stsSpec);
    const headers = { ...signed.headers, authorization: signed.headers.authorization.replace('/20261129/', '/20261128/') };
    const q = failure(() => verify(toWire(signed, { headers }), QUERY));
    expect([q.code, q.status, q.message]).toEqual([
      'SignatureDoesNotMatch',
      403,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261128' != '20261129', from '20261129T120000Z'.",
    ]);
    const s = failure(() => verify(toWire(signed, { headers }), S3));
    expect([s.code, s.status]).toEqual(['AuthorizationHeaderMalformed', 400]);
  });

  it('host must be signed', async () => {
    const signed = await signHeader('sts', stsSpec, { unsignable: ['host'] });
    expect(signed.headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    const q = failure(() => verify(toWire(signed), QUERY));
    expect([q.code, q.message]).toEqual(['SignatureDoesNotMatch', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."]);
    expect(failure(() => verify(toWire(signed), JSON_)).code).toBe('InvalidSignatureException');
    const s = failure(() => verify(toWire(signed), S3));
    expect([s.code, s.fields]).toEqual(['AccessDenied', { HeadersNotSigned: 'host' }]);
  });

  it('a signed header that is absent (even one named like an Object.prototype member) is a 4xx, not a crash', async () => {
    const signed = await signHeader('sts', stsSpec);
    const auth = signed.headers.authorization.replace('SignedHeaders=', 'SignedHeaders=constructor;');
    const e = failure(() => verify(toWire(signed, { headers: { ...signed.headers, authorization: auth } }), QUERY));
    expect([e.code, e.status]).toEqual(['IncompleteSignature', 400]);
    const s = failure(() => verify(toWire(signed, { headers: { ...signed.headers, authorization: auth } }), JSON_));
    expect(s.code).toBe('IncompleteSignatureException');
  });

  it('expired and not-yet-valid S3 presigned URLs', async () => {
    const signed = await presignS3({ method: 'GET', path: '/bucket/key' }, { expiresIn: 60 });
    verify(toWire(signed), S3, NOW + 60_000);
    const e = failure(() => verify(toWire(signed), S3, NOW + 61_000));
    expect([e.code, e.status, e.message]).toEqual(['AccessDenied', 403, 'Request has expired']);
    expect(e.fields).toEqual({ 'X-Amz-Expires': '60', Expires: '2026-11-29T12:01:00Z', ServerTime: '2026-11-29T12:01:01Z' });
    const f = failure(() => verify(toWire(signed), S3, NOW - 16 * MIN));
    expect([f.code, f.message]).toEqual(['AccessDenied', 'Request is not valid yet']);
  });

  it('a tampered presigned URL fails (query changed, signature kept)', async () => {
    const signed = await presignS3({ method: 'GET', path: '/bucket/key', query: { versionId: 'v1' } });
    const raw = encodeQuery(signed.query).replace('versionId=v1', 'versionId=v2');
    expect(failure(() => verify(toWire(signed, { rawQuery: raw }), S3)).code).toBe('SignatureDoesNotMatch');
    expect(failure(() => verify(toWire(signed, { rawPath: '/bucket/other' }), S3)).code).toBe('SignatureDoesNotMatch');
  });
});

describe('readClaim: anonymous and malformed auth', () => {
  const wire = (headers: Record<string, string>, rawQuery = ''): WireRequest =>
    toWire({ method: 'GET', path: '/', headers: { host: 'h', 'x-amz-date': '20261129T120000Z', ...headers } }, { rawQuery });

  it('returns undefined without any auth', () => {
    expect(readClaim(wire({}), QUERY)).toBeUndefined();
    expect(readClaim(wire({}, 'AWSAccessKeyId=A&Signature=s&Expires=1'), S3)).toBeUndefined();
    expect(peekCredentialScope(wire({}))).toBeUndefined();
  });

  it('names the missing components like Coral (IncompleteSignature) and S3 (AuthorizationHeaderMalformed)', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sts/aws4_request';
    const q = failure(() => readClaim(wire({ authorization: auth }), QUERY));
    expect([q.code, q.status, q.message]).toEqual([
      'IncompleteSignature',
      400,
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${auth}`,
    ]);
    expect(failure(() => readClaim(wire({ authorization: auth }), JSON_)).code).toBe('IncompleteSignatureException');
    const s = failure(() => readClaim(wire({ authorization: auth }), S3));
    expect([s.code, s.status]).toEqual(['AuthorizationHeaderMalformed', 400]);

    const noEq = 'AWS4-HMAC-SHA256 Credential=AKID /20261129/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab';
    expect(failure(() => readClaim(wire({ authorization: noEq }), QUERY)).message).toBe(
      `'/20261129/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${noEq}'.`,
    );
    const badCred = 'AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sts, SignedHeaders=host, Signature=ab';
    expect(failure(() => readClaim(wire({ authorization: badCred }), QUERY)).message).toBe(
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20261129/us-east-1/sts'",
    );
    expect(failure(() => readClaim(wire({ authorization: badCred }), S3)).message).toBe(
      'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  });

  it('rejects other schemes, bad dates and missing dates', () => {
    const s = failure(() => readClaim(wire({ authorization: 'AWS AKID:c2ln' }), S3));
    expect([s.code, s.message]).toEqual(['InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.']);
    expect(failure(() => readClaim(wire({ authorization: 'Bearer x' }), QUERY)).code).toBe('IncompleteSignature');
    const good = 'AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab';
    const d = failure(() => readClaim(wire({ authorization: good, 'x-amz-date': '2026-11-29T12:00:00Z' }), QUERY));
    expect(d.message).toBe("Date must be in ISO-8601 'basic format'. Got '2026-11-29T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
    const noDate = toWire({ method: 'GET', path: '/', headers: { host: 'h', authorization: good } });
    expect(failure(() => readClaim(noDate, S3)).message).toBe('AWS authentication requires a valid Date or x-amz-date header');
    expect(peekCredentialScope(wire({ authorization: good }))).toEqual({ accessKeyId: 'AKID', date: '20261129', region: 'us-east-1', service: 'sts' });
  });

  it('validates presign parameters (S3 texts)', () => {
    const base =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261129%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261129T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab';
    const q = (extra: string) => toWire({ method: 'GET', path: '/b/k', headers: { host: 'h' } }, { rawQuery: base + extra });
    expect(failure(() => readClaim(q(''), S3)).code).toBe('AuthorizationQueryParametersError');
    expect(failure(() => readClaim(q('&X-Amz-Expires=604801'), S3)).message).toBe(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
    expect(failure(() => readClaim(q('&X-Amz-Expires=-1'), S3)).message).toBe('X-Amz-Expires must be non-negative');
    expect(failure(() => readClaim(q('&X-Amz-Expires=abc'), S3)).message).toBe('X-Amz-Expires should be a number');
    expect(readClaim(q('&X-Amz-Expires=604800'), S3)?.expiresSeconds).toBe(604800);
    // Coral services do not require X-Amz-Expires.
    expect(readClaim(q(''), QUERY)?.kind).toBe('presigned');
    const missing = toWire({ method: 'GET', path: '/', headers: { host: 'h' } }, { rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' });
    expect(failure(() => readClaim(missing, QUERY)).message).toBe(
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
    const both = toWire({ method: 'GET', path: '/b/k', headers: { host: 'h', authorization: 'AWS4-HMAC-SHA256 x=y' } }, { rawQuery: base });
    expect(failure(() => readClaim(both, S3)).code).toBe('InvalidArgument');
  });
});

describe('AWS documentation vectors (S3 SigV4 examples)', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const at = Date.UTC(2013, 4, 24, 0, 0, 0);

  it('GET Object with a Range header', () => {
    const wire = toWire({
      method: 'GET',
      path: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
    });
    verifySigV4(wire, readClaim(wire, S3)!, secret, { ...S3, now: at });
  });

  it('presigned GET Object', () => {
    const wire = toWire(
      { method: 'GET', path: '/test.txt', headers: { host: 'examplebucket.s3.amazonaws.com' } },
      {
        rawQuery:
          'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      },
    );
    verifySigV4(wire, readClaim(wire, S3)!, secret, { ...S3, now: at + 3_600_000 });
  });
});

describe('createSigV4Verifier', () => {
  it('verifies with one cached key again and again, for scopes longer than its scratch space and not ASCII', async () => {
    const v = createSigV4Verifier();
    for (const region of ['us-east-1', 'ü'.repeat(200)]) {
      const wire = toWire(await signHeader('sts', stsSpec, { region }));
      const claim = readClaim(wire, QUERY)!;
      expect(claim.region).toBe(region);
      for (let i = 0; i < 3; i++) v.verify(wire, claim, CREDS.secretAccessKey, { ...QUERY, now: NOW });
      // The same key, another message: the scratch space keeps nothing of the last one.
      const tampered = { ...wire, body: Buffer.from(`${STS_BODY}&x=1`) };
      expect(failure(() => v.verify(tampered, readClaim(tampered, QUERY)!, CREDS.secretAccessKey, { ...QUERY, now: NOW })).code).toBe('SignatureDoesNotMatch');
      v.verify(wire, claim, CREDS.secretAccessKey, { ...QUERY, now: NOW });
    }
  });

  it('caches derived keys in a bounded map and agrees with the uncached function', async () => {
    const v = createSigV4Verifier({ maxCachedKeys: 2 });
    const k1 = v.signingKey('s', '20261129', 'us-east-1', 'sts');
    expect(v.signingKey('s', '20261129', 'us-east-1', 'sts')).toBe(k1);
    expect(k1.equals(deriveSigningKey('s', '20261129', 'us-east-1', 'sts'))).toBe(true);
    v.signingKey('s', '20261129', 'eu-west-1', 'sts');
    v.signingKey('s', '20261129', 'eu-west-1', 's3');
    expect(v.cacheSize).toBe(2);
    // Separate verifiers do not share state.
    expect(createSigV4Verifier().cacheSize).toBe(0);
    const wire = toWire(signHeaderSync.sts);
    const claim = readClaim(wire, QUERY)!;
    verifySigV4(wire, claim, CREDS.secretAccessKey, { ...QUERY, now: NOW });
    v.verify(wire, claim, CREDS.secretAccessKey, { ...QUERY, now: NOW });
    expect(v.cacheSize).toBe(2);
    // The next day's key for a cached scope replaces it; every key handed out is the derived one.
    for (const [secret, date, region, service] of [['s', '20261130', 'eu-west-1', 's3'], [CREDS.secretAccessKey, '20261130', 'us-east-1', 'sts'], ['t', '20261129', 'us-east-1', 'iam']] as const) {
      expect(v.signingKey(secret, date, region, service).equals(deriveSigningKey(secret, date, region, service))).toBe(true);
      expect(v.cacheSize).toBeLessThanOrEqual(2);
    }
  });
});

describe('verifyHead: what a head settles before its body is read', () => {
  /** The head of `wire` as the gateway holds it before reading: no body. */
  const headOf = (wire: WireRequest): WireRequest => ({ ...wire, body: Buffer.alloc(0) });
  const verifyHead = (wire: WireRequest, style: AuthErrorStyle, now = NOW, secret = CREDS.secretAccessKey) => {
    const head = headOf(wire);
    const claim = readClaim(head, style)!;
    createSigV4Verifier().verifyHead(head, claim, secret, { ...style, now });
  };

  it('throws what verify throws first for a skewed date, a scope date off the X-Amz-Date day, an unsigned host', async () => {
    const past = toWire(await signHeader('sts', stsSpec, { at: NOW - 16 * MIN }));
    const expected = failure(() => verify(past, QUERY));
    expect(failure(() => verifyHead(past, QUERY))).toMatchObject({ code: expected.code, status: expected.status, message: expected.message });
    const good = toWire(signHeaderSync.sts);
    const otherDay = { ...good, headers: { ...good.headers, authorization: good.headers['authorization']!.replace('/20261129/', '/20261128/') } };
    expect(failure(() => verifyHead(otherDay, QUERY)).message).toBe(failure(() => verify(otherDay, QUERY)).message);
    const noHost = await signHeader('sts', stsSpec, { unsignable: ['host'] });
    expect(failure(() => verifyHead(toWire(noHost), QUERY)).message).toBe(failure(() => verify(toWire(noHost), QUERY)).message);
  });

  it('leaves the signature to verify when it covers the body itself (no hex x-amz-content-sha256 outside S3)', async () => {
    const signed = toWire(await signHeader('sts', stsSpec, { applyChecksum: false }));
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
    verifyHead(signed, QUERY);
    // A wrong secret is not seen without the body: the signature is over the body's hash.
    verifyHead(signed, QUERY, NOW, 'not-the-secret');
    expect(failure(() => verify(signed, QUERY, NOW, 'not-the-secret')).code).toBe('SignatureDoesNotMatch');
  });

  it('checks the signature over the headers when they carry the body hash: a hex hash outside S3, anything in S3', async () => {
    const json = toWire(await signHeader('sagemaker', { method: 'POST', path: '/', headers: { 'x-amz-target': 'SageMaker.ListModels' }, body: '{}' }, { applyChecksum: true }));
    expect(json.headers['x-amz-content-sha256']).toBe(sha256('{}'));
    verifyHead(json, JSON_);
    expect(failure(() => verifyHead(json, JSON_, NOW, 'not-the-secret'))).toMatchObject({ code: 'InvalidSignatureException', status: 400 });
    // Once the body is in, verify still compares it with the signed hash.
    expect(failure(() => verify({ ...json, body: Buffer.from('{"x":1}') }, JSON_)).code).toBe('InvalidSignatureException');
    const s3 = toWire(await signHeader('s3', { method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'data' }, { s3: true }));
    verifyHead(s3, S3);
    expect(failure(() => verifyHead(s3, S3, NOW, 'not-the-secret'))).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
  });
});
