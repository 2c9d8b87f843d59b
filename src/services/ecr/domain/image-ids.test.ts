import { describe, expect, it } from 'vitest';
import { checkImageId, distinctIds, failureOf, resolveImageId } from './image-ids.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const lookup = { hasDigest: (d: string) => d === D1 || d === D2, digestOfTag: (t: string) => ({ v1: D1, v2: D2 })[t] };

describe('image ids', () => {
  it('checks syntax with ECR failure codes', () => {
    expect(checkImageId({})).toBe('missingDigestAndTag');
    expect(checkImageId({ imageDigest: 'sha256:invalid-digest' })).toBe('invalidImageDigest');
    expect(checkImageId({ imageTag: 'v1' })).toBeUndefined();
    expect(failureOf({ imageDigest: 'sha256:invalid-digest' }, 'invalidImageDigest')).toEqual({
      imageId: { imageDigest: 'sha256:invalid-digest' },
      failureCode: 'InvalidImageDigest',
      failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    });
  });

  it('resolves by tag, by digest, and by both only when they agree', () => {
    expect(resolveImageId({ imageTag: 'v2' }, lookup)).toEqual({ kind: 'found', digest: D2 });
    expect(resolveImageId({ imageDigest: D1 }, lookup)).toEqual({ kind: 'found', digest: D1 });
    expect(resolveImageId({ imageDigest: D1, imageTag: 'v1' }, lookup)).toEqual({ kind: 'found', digest: D1 });
    expect(resolveImageId({ imageDigest: D1, imageTag: 'v2' }, lookup)).toEqual({ kind: 'failure', failure: 'imageNotFound' });
    expect(resolveImageId({ imageTag: 'v9' }, lookup)).toEqual({ kind: 'failure', failure: 'imageNotFound' });
    expect(resolveImageId({ imageDigest: `sha256:${'3'.repeat(64)}` }, lookup)).toEqual({ kind: 'failure', failure: 'imageNotFound' });
  });

  it('drops repeated ids', () => {
    expect(distinctIds([{ imageTag: 'v1' }, { imageTag: 'v1' }, { imageDigest: D1 }, { imageTag: 'v1', imageDigest: D1 }])).toHaveLength(3);
  });
});
