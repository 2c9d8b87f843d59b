import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSpecsDir } from './load.js';
import { compileModelPattern, convertJavaPattern } from './pattern.js';

const accepts = (pattern: string, ...values: string[]) => values.map((v) => compileModelPattern(pattern)!.test(v));

describe('model patterns (Java regex → JS)', () => {
  it('matches whole values', () => {
    expect(accepts('[\\w+=,.@-]+', 'role-1', 'a b', '', 'x@y.z')).toEqual([true, false, false, true]);
    expect(accepts('v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?', 'v1', 'v12.a-b', 'xv1')).toEqual([true, true, false]);
  });

  it('\\uXXXX ranges, including surrogate pairs for astral characters', () => {
    expect(accepts('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', '{"a": "ü"}\n', 'a—b')).toEqual([true, false]);
    expect(accepts('[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t\\n\\r]*', 'ok 😀', '\u0001')).toEqual([true, false]);
  });

  it('Unicode categories and POSIX classes (ASCII, as in Java)', () => {
    expect(accepts('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', 'Ünïcode 42 a:b/c', 'a&b')).toEqual([true, false]);
    expect(accepts('\\p{Alpha}+', 'abcXYZ', 'äbc')).toEqual([true, false]);
    expect(accepts('[\\p{Alnum}-]+', 'a-1', 'a_1')).toEqual([true, false]);
    expect(accepts('\\P{Space}+', 'abc', 'a b')).toEqual([true, false]);
    expect(accepts('\\p{IsAlphabetic}+', 'äbc', '1')).toEqual([true, false]);
  });

  it('quoting, anchors, identity escapes, possessive quantifiers, leading flags', () => {
    expect(accepts('\\Qa.b\\E', 'a.b', 'axb')).toEqual([true, false]);
    expect(accepts('\\A[a-z]+\\z', 'abc', 'ab1')).toEqual([true, false]);
    expect(accepts('[\\_\\:\\#]+\\!', '_:#!', 'a!')).toEqual([true, false]);
    expect(accepts('a*+b', 'aaab')).toEqual([true]);
    expect(accepts('(?s).*', 'multi\nline')).toEqual([true]);
    expect(accepts('(?i)abc', 'ABC')).toEqual([true]);
    expect(accepts('[\\w-.]+', 'a-b.c', 'a b')).toEqual([true, false]);
    expect(accepts('^o-[a-z0-9]{10,32}$', 'o-abcdefghij', 'o-ABC')).toEqual([true, false]);
  });

  it('returns undefined instead of throwing for what JS cannot express', () => {
    expect(convertJavaPattern('[a-z&&[^b]]')).toBeUndefined();
    expect(compileModelPattern('\\p{InGreek}+')).toBeUndefined();
    expect(compileModelPattern('([a-z]*)${1,128}')).toBeUndefined();
    expect(compileModelPattern('(unclosed')).toBeUndefined();
  });

  // SageMaker's metadata key/value patterns quantify the end anchor (`(…)*${1,128}`), which JS rejects: the check is
  // skipped for them (their min/max lengths still apply).
  const UNEXPRESSIBLE = ['sagemaker.CustomerMetadataKey', 'sagemaker.CustomerMetadataValue'];

  it('compiles every pattern of the copied models', () => {
    const dir = defaultSpecsDir();
    const failed: string[] = [];
    for (const svc of readdirSync(dir)) {
      const model = JSON.parse(readFileSync(join(dir, svc, 'service-2.json'), 'utf8')) as { shapes: Record<string, { pattern?: string }> };
      for (const [name, s] of Object.entries(model.shapes)) if (s.pattern && !compileModelPattern(s.pattern)) failed.push(`${svc}.${name}`);
    }
    expect(failed).toEqual(UNEXPRESSIBLE);
  });
});
