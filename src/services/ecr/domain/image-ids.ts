/**
 * Image identifiers (`{imageDigest?, imageTag?}`) of BatchGetImage, BatchDeleteImage and DescribeImages:
 * syntax checks with ECR's failure codes, and resolution against a repository's tag → digest map.
 */
import { failures, type FailureKind } from './errors.js';
import { IMAGE_DIGEST } from './names.js';

export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type Resolution =
  | { readonly kind: 'found'; readonly digest: string }
  | { readonly kind: 'failure'; readonly failure: FailureKind };

/** The failure an id earns before any lookup, or undefined when it is well formed. */
export function checkImageId(id: ImageId): FailureKind | undefined {
  const digest = id.imageDigest ?? undefined;
  const tag = id.imageTag ?? undefined;
  if (digest === undefined && tag === undefined) return 'missingDigestAndTag';
  if (digest !== undefined && !IMAGE_DIGEST.test(digest)) return 'invalidImageDigest';
  return undefined;
}

/**
 * Which image an id names. By digest: that image. By tag: the image the tag points to. By both: the image
 * only when the tag points to that digest (otherwise ImageNotFound, as recorded for BatchDeleteImage).
 */
export function resolveImageId(id: ImageId, lookup: { hasDigest(d: string): boolean; digestOfTag(t: string): string | undefined }): Resolution {
  const bad = checkImageId(id);
  if (bad) return { kind: 'failure', failure: bad };
  const byTag = id.imageTag !== undefined && id.imageTag !== null ? lookup.digestOfTag(id.imageTag) : undefined;
  if (id.imageDigest !== undefined && id.imageDigest !== null) {
    if (!lookup.hasDigest(id.imageDigest)) return { kind: 'failure', failure: 'imageNotFound' };
    if (id.imageTag !== undefined && id.imageTag !== null && byTag !== id.imageDigest) return { kind: 'failure', failure: 'imageNotFound' };
    return { kind: 'found', digest: id.imageDigest };
  }
  return byTag === undefined ? { kind: 'failure', failure: 'imageNotFound' } : { kind: 'found', digest: byTag };
}

/** The ids without repeats (same digest and tag), first occurrence kept. */
export function distinctIds<T extends ImageId>(ids: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const id of ids) {
    const k = `${id.imageDigest ?? ''}\u0000${id.imageTag ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(id);
  }
  return out;
}

export function failureOf(id: ImageId, kind: FailureKind): { imageId: ImageId; failureCode: string; failureReason: string } {
  const imageId: ImageId = { ...(id.imageDigest != null ? { imageDigest: id.imageDigest } : {}), ...(id.imageTag != null ? { imageTag: id.imageTag } : {}) };
  return { imageId, ...failures[kind] };
}
