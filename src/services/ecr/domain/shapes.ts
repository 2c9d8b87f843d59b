/** API output shapes built from records (member names exactly as the ECR model spells them). */
import type { Image, ImageDetail, ImageIdentifier, Repository, Tag } from '../api.gen.js';
import type { ImageRecord, ImageSummary, RepositoryRecord, ResourceTag } from './model.js';
import { repositoryUri } from './names.js';

export function repositoryShape(r: RepositoryRecord): Repository {
  return {
    repositoryArn: r.arn,
    registryId: r.accountId,
    repositoryName: r.name,
    repositoryUri: repositoryUri(r.accountId, r.region, r.name),
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability,
    ...(r.exclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: r.exclusionFilters.map((f) => ({ ...f })) } : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType, ...(r.kmsKey !== undefined ? { kmsKey: r.kmsKey } : {}) },
  };
}

export function imageShape(r: RepositoryRecord, img: ImageRecord, imageId: ImageIdentifier): Image {
  return {
    registryId: r.accountId,
    repositoryName: r.name,
    imageId,
    imageManifest: img.manifest,
    imageManifestMediaType: img.mediaType,
  };
}

export function imageDetailShape(r: RepositoryRecord, img: ImageSummary): ImageDetail {
  return {
    registryId: r.accountId,
    repositoryName: r.name,
    imageDigest: img.digest,
    ...(img.tags.length > 0 ? { imageTags: [...img.tags] } : {}),
    ...(img.sizeInBytes !== undefined ? { imageSizeInBytes: img.sizeInBytes } : {}),
    imagePushedAt: new Date(img.pushedAt),
    imageManifestMediaType: img.mediaType,
    ...(img.artifactMediaType !== undefined ? { artifactMediaType: img.artifactMediaType } : {}),
    ...(img.lastPulledAt !== undefined ? { lastRecordedPullTime: new Date(img.lastPulledAt) } : {}),
  };
}

/** One identifier per tag of the image, or the digest alone for an untagged image (ListImages, BatchDeleteImage). */
export function identifiersOf(img: { readonly digest: string; readonly tags: readonly string[] }): ImageIdentifier[] {
  if (img.tags.length === 0) return [{ imageDigest: img.digest }];
  return img.tags.map((tag) => ({ imageDigest: img.digest, imageTag: tag }));
}

export function tagsShape(tags: readonly ResourceTag[]): Tag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}
