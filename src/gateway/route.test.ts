import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../core/wire.js';
import { claimsSignature, formParam, route, type RoutingTable } from './route.js';

const table: RoutingTable = {
  byTargetPrefix: new Map([['AmazonEC2ContainerRegistry_V20150921', 'ecr']]),
  bySigningName: new Map([
    ['iam', ['iam']],
    ['sts', ['sts']],
    ['s3', ['s3']],
  ]),
  byQueryVersion: new Map([
    ['2010-05-08', 'iam'],
    ['2011-06-15', 'sts'],
  ]),
};

function req(headers: Record<string, string>, body: string | (() => never) = '', query: Array<[string, string]> = []): WireRequest {
  const base = { method: 'POST', rawPath: '/', rawQuery: '', query, headers };
  return typeof body === 'string'
    ? { ...base, body: Buffer.from(body) }
    : (Object.defineProperty({ ...base }, 'body', { get: body, enumerable: true }) as unknown as WireRequest);
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const signedFor = (service: string) => ({
  ...FORM,
  authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
});

describe('route', () => {
  it('names a signed query request by its credential scope without reading the body', () => {
    const untouched = () => {
      throw new Error('the body was read');
    };
    expect(route(req(signedFor('iam'), untouched), table)).toEqual({ kind: 'service', service: 'iam' });
  });

  it('names an unsigned query request by the Version in its body, and no unsigned form post is S3', () => {
    expect(route(req(FORM, 'Action=GetCallerIdentity&Version=2011-06-15'), table)).toEqual({ kind: 'service', service: 'sts' });
    expect(route(req(FORM, 'Action=GetCallerIdentity&Version=1999-01-01'), table).kind).toBe('unknown');
    expect(route(req(FORM, 'no=action'), table).kind).toBe('unknown');
    expect(route(req({}, ''), table)).toEqual({ kind: 'service', service: 's3' });
  });
});

describe('formParam', () => {
  it('finds a parameter at the start or after an &, decoded, and ignores look-alikes inside other parameters', () => {
    const body = Buffer.from('XAction=no&Version=2010-05-08&Action=Create%20Role+x&Other=Action=no');
    expect(formParam(body, 'Action')).toBe('Create Role x');
    expect(formParam(body, 'Version')).toBe('2010-05-08');
    expect(formParam(Buffer.from('Action=ListRoles'), 'Action')).toBe('ListRoles');
    expect(formParam(Buffer.from('a=%E0%A4%A'), 'a')).toBe('%E0%A4%A');
    expect(formParam(body, 'Missing')).toBeUndefined();
  });

  it('scans a 32 MiB body of tiny parameters in well under a second', () => {
    const body = Buffer.alloc(32 * 1024 * 1024, 'x&');
    const t = Date.now();
    expect(formParam(body, 'Action')).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(1000);
  });
});

describe('claimsSignature', () => {
  it('is true for a SigV4 Authorization header or presign parameters, false otherwise', () => {
    expect(claimsSignature(req(signedFor('sts')))).toBe(true);
    expect(claimsSignature(req({}, '', [['X-Amz-Credential', 'AKID/…']]))).toBe(true);
    expect(claimsSignature(req({}, '', [['AWSAccessKeyId', 'AKID']]))).toBe(true);
    expect(claimsSignature(req({ authorization: 'Bearer token' }))).toBe(false);
    expect(claimsSignature(req(FORM, 'Action=ListRoles'))).toBe(false);
  });
});
