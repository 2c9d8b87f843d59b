import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPublicPolicy, s3PolicyProblem, withoutPublicGrants } from './bucket-policy.js';
import { checksumOf, compositeChecksum, crc32, crc32c, crcCombine, fullObjectChecksum, isWellFormedChecksum, multipartEtag } from './checksum.js';
import { evaluateConditions, etagMatches } from './conditional.js';
import { Listing, after, compareKeys, decodeContinuationToken, encodeContinuationToken, successor, urlEncodeKey } from './listing.js';
import { isValidBucketName } from './names.js';
import { copySourceRange, resolveRange } from './range.js';
import { parseTaggingHeader, tagSetToMap } from './tags.js';

/** Runs a listing over sorted keys the way the store does: seek, then continue. */
function list(keys: string[], params: { prefix?: string; delimiter?: string; maxKeys?: number }, from = '') {
  const sorted = [...keys].sort(compareKeys);
  const l = new Listing<string>({ prefix: params.prefix ?? '', delimiter: params.delimiter, maxKeys: params.maxKeys ?? 1000 });
  let cursor = from;
  let reads = 0;
  outer: for (;;) {
    const rest = sorted.filter((k) => compareKeys(k, cursor) >= 0);
    if (rest.length === 0) break;
    for (const k of rest) {
      reads++;
      const o = l.offer(k, k);
      if (o.kind === 'full') break outer;
      if (o.kind === 'seek') {
        cursor = o.from;
        continue outer;
      }
    }
    break;
  }
  return { contents: l.contents, prefixes: l.commonPrefixes, truncated: l.truncated, next: l.resumeFrom(), reads };
}

describe('listing', () => {
  const keys = ['a/1', 'a/2', 'a/b/3', 'a/b/4', 'b/1', 'c', 'd/', 'd/x'];

  it('rolls keys up into common prefixes after the prefix, and seeks past them', () => {
    const r = list([...keys, ...Array.from({ length: 50 }, (_, i) => `a/many/${i}`)], { delimiter: '/' });
    expect(r.prefixes).toEqual(['a/', 'b/', 'd/']);
    expect(r.contents).toEqual(['c']);
    expect(r.reads).toBeLessThan(10);
    expect(list(keys, { prefix: 'a/', delimiter: '/' })).toMatchObject({ contents: ['a/1', 'a/2'], prefixes: ['a/b/'] });
    expect(list(keys, { prefix: 'd/', delimiter: '/' })).toMatchObject({ contents: ['d/', 'd/x'], prefixes: [] });
    expect(list(keys, { prefix: 'a/b' })).toMatchObject({ contents: ['a/b/3', 'a/b/4'] });
  });

  it('pages with max-keys and resumes where the page ended (after a key, past a prefix)', () => {
    const first = list(keys, { delimiter: '/', maxKeys: 2 });
    expect(first).toMatchObject({ prefixes: ['a/', 'b/'], truncated: true });
    const token = encodeContinuationToken(first.next!);
    const second = list(keys, { delimiter: '/', maxKeys: 2 }, decodeContinuationToken(token)!);
    expect(second).toMatchObject({ contents: ['c'], prefixes: ['d/'], truncated: false });
    const byKey = list(keys, { maxKeys: 3 });
    expect(byKey.contents).toEqual(['a/1', 'a/2', 'a/b/3']);
    expect(list(keys, {}, byKey.next!).contents).toEqual(['a/b/4', 'b/1', 'c', 'd/', 'd/x']);
    expect(list(keys, {}, after('b/1')).contents).toEqual(['c', 'd/', 'd/x']);
    expect(decodeContinuationToken('not-a-token')).toBeUndefined();
  });

  it('a full page that ends exactly at the last key is not truncated', () => {
    expect(list(['x', 'y'], { maxKeys: 2 })).toMatchObject({ contents: ['x', 'y'], truncated: false });
  });

  it('orders keys in UTF-8 byte order and computes successors by code point', () => {
    expect(['ü', 'z', '\u{1F600}', '\uFFFD', 'A'].sort(compareKeys)).toEqual(['A', 'z', 'ü', '\uFFFD', '\u{1F600}']);
    expect(successor('a/')).toBe('a0');
    expect(successor('ü/')).toBe('ü0');
    expect(compareKeys(successor('a/'), 'a/zzz')).toBeGreaterThan(0);
    expect(urlEncodeKey('k 1+x=y&z/ü')).toBe('k%201%2Bx%3Dy%26z/%C3%BC');
  });
});

describe('ranges and conditions', () => {
  it('resolves single ranges, suffixes and open ends; unsatisfiable and ignored headers', () => {
    expect(resolveRange('bytes=2-5', 10)).toEqual({ kind: 'partial', range: { start: 2, end: 5 } });
    expect(resolveRange('bytes=7-', 10)).toEqual({ kind: 'partial', range: { start: 7, end: 9 } });
    expect(resolveRange('bytes=-3', 10)).toEqual({ kind: 'partial', range: { start: 7, end: 9 } });
    expect(resolveRange('bytes=-30', 10)).toEqual({ kind: 'partial', range: { start: 0, end: 9 } });
    expect(resolveRange('bytes=5-100', 10)).toEqual({ kind: 'partial', range: { start: 5, end: 9 } });
    expect(resolveRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(resolveRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(resolveRange('bytes=0-1,4-5', 10)).toEqual({ kind: 'whole' });
    expect(resolveRange('items=0-1', 10)).toEqual({ kind: 'whole' });
    expect(resolveRange(undefined, 10)).toEqual({ kind: 'whole' });
    expect(copySourceRange('bytes=0-9', 10)).toEqual({ start: 0, end: 9 });
    expect(copySourceRange('bytes=0-10', 10)).toBe('unsatisfiable');
    expect(copySourceRange('bytes=5-', 10)).toBe('malformed');
  });

  it('evaluates If-Match / If-None-Match / If-(Un)Modified-Since in RFC order', () => {
    const etag = '"abc"';
    const t = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const before = new Date(t - 60_000);
    const later = new Date(t + 60_000);
    expect(evaluateConditions({ ifMatch: '"abc"' }, etag, t)).toEqual({ kind: 'proceed' });
    expect(evaluateConditions({ ifMatch: 'abc' }, etag, t)).toEqual({ kind: 'proceed' });
    expect(evaluateConditions({ ifMatch: '"x", "abc"' }, etag, t)).toEqual({ kind: 'proceed' });
    expect(evaluateConditions({ ifMatch: '"x"' }, etag, t)).toEqual({ kind: 'precondition-failed', condition: 'If-Match' });
    expect(evaluateConditions({ ifNoneMatch: '*' }, etag, t)).toEqual({ kind: 'not-modified' });
    expect(evaluateConditions({ ifModifiedSince: later }, etag, t)).toEqual({ kind: 'not-modified' });
    expect(evaluateConditions({ ifModifiedSince: new Date(t - 500) }, etag, t)).toEqual({ kind: 'not-modified' });
    expect(evaluateConditions({ ifModifiedSince: before }, etag, t)).toEqual({ kind: 'proceed' });
    expect(evaluateConditions({ ifUnmodifiedSince: before }, etag, t)).toEqual({ kind: 'precondition-failed', condition: 'If-Unmodified-Since' });
    // If-Match true wins over a false If-Unmodified-Since; If-None-Match false wins over If-Modified-Since.
    expect(evaluateConditions({ ifMatch: etag, ifUnmodifiedSince: before }, etag, t)).toEqual({ kind: 'proceed' });
    expect(evaluateConditions({ ifNoneMatch: '"other"', ifModifiedSince: later }, etag, t)).toEqual({ kind: 'proceed' });
    expect(etagMatches('W/"abc"', etag)).toBe(true);
  });
});

describe('checksums and ETags', () => {
  const hello = Buffer.from('hello');

  it('computes CRC32, CRC32C, SHA-1 and SHA-256 as S3 reports them', () => {
    expect(checksumOf('CRC32', hello)).toBe('NhCmhg==');
    expect(checksumOf('CRC32C', hello)).toBe('mnG7TA==');
    expect(checksumOf('SHA256', hello)).toBe(createHash('sha256').update(hello).digest('base64'));
    expect(checksumOf('SHA1', hello)).toBe(createHash('sha1').update(hello).digest('base64'));
    // CRC-32C check value of the standard test vector.
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
    const big = Buffer.alloc(100_003, 7);
    expect(crc32c(big.subarray(50_000), crc32c(big.subarray(0, 50_000)))).toBe(crc32c(big));
    expect(isWellFormedChecksum('CRC32', 'NhCmhg==')).toBe(true);
    expect(isWellFormedChecksum('CRC32', 'AAAA')).toBe(false);
  });

  it('combines part CRCs into the whole object CRC (FULL_OBJECT) and builds COMPOSITE checksums', () => {
    const a = Buffer.from('first part, ');
    const b = Buffer.from('second part');
    expect(crcCombine(0xedb88320, crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
    expect(crcCombine(0x82f63b78, crc32c(a), crc32c(b), b.length)).toBe(crc32c(Buffer.concat([a, b])));
    const parts = [a, b].map((p) => ({ checksum: checksumOf('CRC32C', p), size: p.length }));
    expect(fullObjectChecksum('CRC32C', parts)).toBe(checksumOf('CRC32C', Buffer.concat([a, b])));
    expect(fullObjectChecksum('SHA256', parts)).toBeUndefined();
    const raw = Buffer.concat([a, b].map((p) => Buffer.from(checksumOf('SHA256', p), 'base64')));
    expect(compositeChecksum('SHA256', [a, b].map((p) => checksumOf('SHA256', p)))).toBe(`${createHash('sha256').update(raw).digest('base64')}-2`);
  });

  it('builds the multipart ETag from the binary part MD5s', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = createHash('md5').update(Buffer.concat([Buffer.from(md5('a'), 'hex'), Buffer.from(md5('b'), 'hex')])).digest('hex');
    expect(multipartEtag([`"${md5('a')}"`, `"${md5('b')}"`])).toBe(`"${expected}-2"`);
  });
});

describe('names, tags and bucket policies', () => {
  it('validates bucket names', () => {
    for (const ok of ['abc', 'mlzone-raw-333333333333', 'a.b-c', 'x'.repeat(63)]) expect(isValidBucketName(ok)).toBe(true);
    for (const bad of ['ab', 'x'.repeat(64), 'Abc', 'a_b', '-ab', 'ab-', 'a..b', '192.168.1.1', 'xn--abc', 'ab-s3alias', 'a.-b']) expect(isValidBucketName(bad)).toBe(false);
  });

  it('parses the x-amz-tagging header and enforces tag rules', () => {
    expect(parseTaggingHeader('team=ds%201&stage=raw')).toEqual({ team: 'ds 1', stage: 'raw' });
    expect(parseTaggingHeader('__proto__=x')).toEqual(JSON.parse('{"__proto__":"x"}'));
    expect(() => parseTaggingHeader('a=1&a=2')).toThrow('Cannot provide multiple Tags with the same key');
    expect(() => tagSetToMap(Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), 10)).toThrow('Object tags cannot be greater than 10');
    expect(() => tagSetToMap([{ Key: 'aws:x', Value: 'v' }], 10)).toThrow();
  });

  it("checks S3's own policy rules and tells public policies from restricted ones", () => {
    const stmt = (extra: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...extra }] });
    expect(s3PolicyProblem(stmt({}), 'b')).toBe('Missing required field Principal');
    expect(s3PolicyProblem(stmt({ Principal: '*', Resource: 'arn:aws:s3:::other/*' }), 'b')).toBe('Policy has invalid resource');
    expect(s3PolicyProblem(stmt({ Principal: '*' }), 'b')).toBeUndefined();
    expect(isPublicPolicy(stmt({ Principal: '*' }))).toBe(true);
    expect(isPublicPolicy(stmt({ Principal: { AWS: '*' } }))).toBe(true);
    expect(isPublicPolicy(stmt({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }))).toBe(false);
    expect(isPublicPolicy(stmt({ Principal: '*', Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }))).toBe(true);
    expect(isPublicPolicy(stmt({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } }))).toBe(false);
    const mixed = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
        { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' },
      ],
    });
    expect(JSON.parse(withoutPublicGrants(mixed)!).Statement).toHaveLength(1);
    expect(withoutPublicGrants(stmt({ Principal: '*' }))).toBeUndefined();
  });
});
