import { describe, expect, it } from 'vitest';
import { cacheKey, expireAfterMs } from './cache.js';

describe('pipeline step cache', () => {
  it('keys on the members AWS lists, in any order, and not on outputs', () => {
    const a = cacheKey('Processing', { AppSpecification: { ImageUri: 'i', ContainerEntrypoint: ['python3'] }, ProcessingInputs: [{ InputName: 'x' }], ProcessingOutputConfig: { Outputs: [{ S3Output: { S3Uri: 's3://b/exec-1' } }] } });
    const b = cacheKey('Processing', { ProcessingOutputConfig: { Outputs: [{ S3Output: { S3Uri: 's3://b/exec-2' } }] }, ProcessingInputs: [{ InputName: 'x' }], AppSpecification: { ContainerEntrypoint: ['python3'], ImageUri: 'i' } });
    expect(a).toBe(b);
    expect(cacheKey('Training', { HyperParameters: { epochs: '1' } })).not.toBe(cacheKey('Training', { HyperParameters: { epochs: '2' } }));
    expect(cacheKey('Condition', {})).toBeUndefined();
  });

  it('reads ExpireAfter durations', () => {
    expect(expireAfterMs('PT1H')).toBe(3_600_000);
    expect(expireAfterMs('P30D')).toBe(30 * 86_400_000);
    expect(expireAfterMs('P4DT12H')).toBe(4.5 * 86_400_000);
    expect(expireAfterMs('T30M')).toBe(1_800_000);
    expect(expireAfterMs(undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});
