import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { dockerManifest } from '../test-support.js';
import { digestOf, MediaTypes, parseManifest } from './manifest.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAwsError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('digestOf', () => {
  it('is sha256 of the exact manifest bytes', () => {
    const m = dockerManifest();
    expect(digestOf(m)).toBe(`sha256:${createHash('sha256').update(Buffer.from(m, 'utf8')).digest('hex')}`);
    expect(digestOf(m + ' ')).not.toBe(digestOf(m));
    expect(digestOf('{"a":"ü"}')).toBe(`sha256:${createHash('sha256').update(Buffer.from('{"a":"ü"}', 'utf8')).digest('hex')}`);
  });
});

describe('parseManifest', () => {
  it('sums layer sizes and reports the config media type', () => {
    const p = parseManifest(dockerManifest([100, 250, 1]));
    expect(p).toMatchObject({ kind: 'image', mediaType: MediaTypes.dockerManifest, sizeInBytes: 351, artifactMediaType: 'application/vnd.docker.container.image.v1+json' });
    expect(p.layers).toHaveLength(3);
  });

  it('takes the media type from the parameter when the manifest has none (OCI)', () => {
    const oci = JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: 'sha256:aa' }, layers: [] });
    expect(parseManifest(oci, MediaTypes.ociManifest)).toMatchObject({ kind: 'image', mediaType: MediaTypes.ociManifest, sizeInBytes: 0 });
    expect(refusal(() => parseManifest(oci))).toBe("InvalidParameterException: Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  });

  it('accepts indexes without a size', () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: MediaTypes.ociManifest, size: 10, digest: 'sha256:ab' }] });
    const p = parseManifest(index);
    expect(p.kind).toBe('index');
    expect(p.sizeInBytes).toBeUndefined();
    expect(p.manifests).toHaveLength(1);
  });

  it('refuses broken JSON, broken structure, conflicting and unknown media types', () => {
    expect(refusal(() => parseManifest('not json'))).toMatch(/'Invalid JSON syntax'$/);
    expect(refusal(() => parseManifest('[1]'))).toMatch(/'Invalid JSON syntax'$/);
    expect(refusal(() => parseManifest(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, layers: [] })))).toMatch(/'Invalid JSON syntax'$/);
    expect(refusal(() => parseManifest(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config: { size: 1, digest: 'sha256:a' }, layers: [{ size: -1, digest: 'x' }] })))).toMatch(
      /'Invalid JSON syntax'$/,
    );
    expect(refusal(() => parseManifest(dockerManifest(), MediaTypes.ociManifest))).toMatch(/^InvalidParameterException: Invalid parameter at 'ImageManifestMediaType'/);
    expect(refusal(() => parseManifest(JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain' })))).toMatch(/Unsupported media type 'text\/plain'/);
  });
});
