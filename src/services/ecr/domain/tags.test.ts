import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { checkMutability, isTagImmutable, mergeTags, planPut, wildcardMatches } from './tags.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAwsError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

describe('tag mutability', () => {
  const filters = [{ filterType: 'WILDCARD', filter: 'dev-*' }];

  it('decides per tag with exclusion filters', () => {
    expect(isTagImmutable('MUTABLE', [], 'v1')).toBe(false);
    expect(isTagImmutable('IMMUTABLE', [], 'latest')).toBe(true);
    expect(isTagImmutable('IMMUTABLE_WITH_EXCLUSION', filters, 'dev-42')).toBe(false);
    expect(isTagImmutable('IMMUTABLE_WITH_EXCLUSION', filters, 'v1')).toBe(true);
    expect(isTagImmutable('MUTABLE_WITH_EXCLUSION', filters, 'dev-42')).toBe(true);
    expect(isTagImmutable('MUTABLE_WITH_EXCLUSION', filters, 'v1')).toBe(false);
  });

  it('matches wildcards on the whole tag, literally otherwise', () => {
    expect(wildcardMatches('*', 'anything')).toBe(true);
    expect(wildcardMatches('v1.*', 'v1.2')).toBe(true);
    expect(wildcardMatches('v1.*', 'v1x2')).toBe(false);
    expect(wildcardMatches('rc', 'rc1')).toBe(false);
  });

  it('wants exclusion filters exactly with the *_WITH_EXCLUSION settings', () => {
    expect(code(() => checkMutability('MUTABLE', undefined))).toBe('ok');
    expect(code(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', filters))).toBe('ok');
    expect(code(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', []))).toBe('InvalidParameterException');
    expect(code(() => checkMutability('IMMUTABLE', filters))).toBe('InvalidParameterException');
  });
});

describe('planPut', () => {
  const D1 = 'sha256:01';
  const D2 = 'sha256:02';

  it('stores a new image and points its tag at it', () => {
    expect(planPut({ digest: D1, tag: 'v1', imageExists: false, tagImmutable: false })).toEqual({ kind: 'write', createImage: true, tag: 'v1' });
    expect(planPut({ digest: D1, imageExists: false, tagImmutable: false })).toEqual({ kind: 'write', createImage: true });
  });

  it('adds a tag to an existing image', () => {
    expect(planPut({ digest: D1, tag: 'v2', imageExists: true, tagImmutable: true })).toEqual({ kind: 'write', createImage: false, tag: 'v2' });
  });

  it('refuses the same manifest under the same tag, or untagged when the image exists', () => {
    expect(planPut({ digest: D1, tag: 'v1', imageExists: true, tagOwner: D1, tagImmutable: false })).toEqual({ kind: 'already-exists' });
    expect(planPut({ digest: D1, imageExists: true, tagImmutable: false })).toEqual({ kind: 'already-exists' });
  });

  it('moves a mutable tag, never an immutable one', () => {
    expect(planPut({ digest: D2, tag: 'v1', imageExists: false, tagOwner: D1, tagImmutable: false })).toEqual({ kind: 'write', createImage: true, tag: 'v1', previousOwner: D1 });
    expect(planPut({ digest: D2, tag: 'v1', imageExists: false, tagOwner: D1, tagImmutable: true })).toEqual({ kind: 'tag-immutable' });
  });
});

describe('mergeTags', () => {
  it('overwrites values by key and sorts', () => {
    expect(mergeTags([{ key: 'b', value: '1' }], [{ key: 'a', value: 'x' }, { key: 'b', value: '2' }])).toEqual([
      { key: 'a', value: 'x' },
      { key: 'b', value: '2' },
    ]);
  });

  it('enforces the limits', () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' }));
    expect(code(() => mergeTags([], many))).toBe('TooManyTagsException');
    expect(code(() => mergeTags([], [{ key: 'k'.repeat(129), value: '' }]))).toBe('InvalidTagParameterException');
    expect(code(() => mergeTags([], [{ key: 'k', value: 'v'.repeat(257) }]))).toBe('InvalidTagParameterException');
    expect(code(() => mergeTags([], [{ key: 'aws:x', value: '' }]))).toBe('InvalidTagParameterException');
  });
});
