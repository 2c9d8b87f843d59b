/**
 * The ECR API: one thin handler per operation. Each names the repository (`registryId` or the caller's
 * account, the request's region), delegates to `Registry` and shapes the answer. Cross-account access is
 * decided before a handler runs (authz.ts + the repository policy).
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import type { EcrOperations, ImageIdentifier, Tag as ApiTag } from './api.gen.js';
import { authorizationData } from './domain/auth-token.js';
import { errors, failures } from './domain/errors.js';
import type { ImageSummary, ResourceTag } from './domain/model.js';
import { parseRepositoryArn } from './domain/names.js';
import { paginate, timeKey } from './domain/pagination.js';
import { identifiersOf, imageDetailShape, imageShape, repositoryShape, tagsShape } from './domain/shapes.js';
import type { ImageFailureRecord, Registry, RepositoryRef } from './registry.js';

function ref(ctx: RequestContext, input: { readonly registryId?: string; readonly repositoryName: string }): RepositoryRef {
  return { accountId: input.registryId ?? ctx.accountId, region: ctx.region, name: input.repositoryName };
}

function arnRef(resourceArn: string): RepositoryRef {
  const p = parseRepositoryArn(resourceArn);
  if (!p) throw errors.invalidArn();
  return { accountId: p.accountId, region: p.region, name: p.repositoryName };
}

function tagsIn(tags: readonly ApiTag[] | undefined): ResourceTag[] {
  return (tags ?? []).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
}

function failuresShape(list: readonly ImageFailureRecord[]) {
  return list.map((f) => ({
    imageId: { ...(f.imageId.imageDigest != null ? { imageDigest: f.imageId.imageDigest } : {}), ...(f.imageId.imageTag != null ? { imageTag: f.imageId.imageTag } : {}) },
    ...failures[f.failure],
  }));
}

function byTagStatus(status: string | undefined, img: ImageSummary): boolean {
  if (status === 'TAGGED') return img.tags.length > 0;
  if (status === 'UNTAGGED') return img.tags.length === 0;
  return true;
}

export function createHandlers(registry: Registry): Handlers<EcrOperations> {
  return {
    CreateRepository: async (i, ctx) => {
      const r = await registry.createRepository({
        ...ref(ctx, i),
        ...(i.imageTagMutability !== undefined ? { imageTagMutability: i.imageTagMutability } : {}),
        ...(i.imageTagMutabilityExclusionFilters !== undefined ? { exclusionFilters: i.imageTagMutabilityExclusionFilters } : {}),
        ...(i.imageScanningConfiguration?.scanOnPush !== undefined ? { scanOnPush: i.imageScanningConfiguration.scanOnPush } : {}),
        ...(i.encryptionConfiguration ? { encryptionType: i.encryptionConfiguration.encryptionType } : {}),
        ...(i.encryptionConfiguration?.kmsKey !== undefined ? { kmsKey: i.encryptionConfiguration.kmsKey } : {}),
        tags: tagsIn(i.tags),
      });
      return { repository: repositoryShape(r) };
    },

    DescribeRepositories: async (i, ctx) => {
      const accountId = i.registryId ?? ctx.accountId;
      if (i.repositoryNames && i.repositoryNames.length > 0) {
        if (i.maxResults !== undefined) throw errors.maxResultsWithList('repositoryNames');
        const out = [];
        for (const name of i.repositoryNames) out.push(repositoryShape(await registry.repository({ accountId, region: ctx.region, name })));
        return { repositories: out };
      }
      const all = await registry.repositories(accountId, ctx.region);
      const page = paginate(all, (r) => r.name, `DescribeRepositories/${accountId}/${ctx.region}`, i);
      return { repositories: page.items.map(repositoryShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    DeleteRepository: async (i, ctx) => {
      const r = await registry.deleteRepository(ref(ctx, i), i.force === true);
      return { repository: repositoryShape(r) };
    },

    SetRepositoryPolicy: async (i, ctx) => {
      const at = ref(ctx, i);
      await registry.setPolicy(at, i.policyText);
      return { registryId: at.accountId, repositoryName: at.name, policyText: i.policyText };
    },

    GetRepositoryPolicy: async (i, ctx) => {
      const at = ref(ctx, i);
      return { registryId: at.accountId, repositoryName: at.name, policyText: await registry.policy(at) };
    },

    DeleteRepositoryPolicy: async (i, ctx) => {
      const at = ref(ctx, i);
      return { registryId: at.accountId, repositoryName: at.name, policyText: await registry.deletePolicy(at) };
    },

    PutImageTagMutability: async (i, ctx) => {
      const r = await registry.putMutability(ref(ctx, i), i.imageTagMutability, i.imageTagMutabilityExclusionFilters);
      return {
        registryId: r.accountId,
        repositoryName: r.name,
        imageTagMutability: r.imageTagMutability,
        ...(r.exclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: r.exclusionFilters.map((f) => ({ ...f })) } : {}),
      };
    },

    PutImageScanningConfiguration: async (i, ctx) => {
      const r = await registry.putScanOnPush(ref(ctx, i), i.imageScanningConfiguration.scanOnPush === true);
      return { registryId: r.accountId, repositoryName: r.name, imageScanningConfiguration: { scanOnPush: r.scanOnPush } };
    },

    PutImage: async (i, ctx) => {
      const at = ref(ctx, i);
      const img = await registry.putImage(at, {
        manifest: i.imageManifest,
        ...(i.imageManifestMediaType !== undefined ? { mediaType: i.imageManifestMediaType } : {}),
        ...(i.imageTag !== undefined ? { tag: i.imageTag } : {}),
        ...(i.imageDigest !== undefined ? { digest: i.imageDigest } : {}),
      });
      return {
        image: {
          registryId: at.accountId,
          repositoryName: at.name,
          imageId: { imageDigest: img.digest, ...(img.tag !== undefined ? { imageTag: img.tag } : {}) },
          imageManifest: img.manifest,
          imageManifestMediaType: img.mediaType,
        },
      };
    },

    BatchGetImage: async (i, ctx) => {
      // acceptedMediaTypes: ECR converts between manifest formats when it can and otherwise returns the stored
      // manifest anyway; mlzone never converts, so the stored manifest (with its media type) is returned.
      const out = await registry.batchGetImage(ref(ctx, i), i.imageIds);
      return { images: out.images.map((x) => imageShape(out.repository, x.image, x.imageId)), failures: failuresShape(out.failures) };
    },

    BatchDeleteImage: async (i, ctx) => {
      const out = await registry.batchDeleteImage(ref(ctx, i), i.imageIds);
      return { imageIds: out.deleted.map((d): ImageIdentifier => ({ ...d })), failures: failuresShape(out.failures) };
    },

    DescribeImages: async (i, ctx) => {
      if (i.imageIds && i.imageIds.length > 0) {
        if (i.maxResults !== undefined) throw errors.maxResultsWithList('imageIds');
        const out = await registry.describeImages(ref(ctx, i), i.imageIds);
        return { imageDetails: out.images.map((img) => imageDetailShape(out.repository, img)) };
      }
      const { repository, images } = await registry.images(ref(ctx, i));
      const status = i.filter?.tagStatus ?? 'ANY';
      const listed = images.filter((img) => byTagStatus(status, img));
      const page = paginate(listed, (img) => timeKey(img.pushedAt, img.digest), `DescribeImages/${repository.arn}/${status}`, i);
      return { imageDetails: page.items.map((img) => imageDetailShape(repository, img)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    ListImages: async (i, ctx) => {
      const { repository, images } = await registry.images(ref(ctx, i));
      const status = i.filter?.tagStatus ?? 'ANY';
      const entries = images
        .filter((img) => byTagStatus(status, img))
        .flatMap((img) => identifiersOf(img).map((id) => ({ id, key: timeKey(img.pushedAt, `${img.digest}\u0000${id.imageTag ?? ''}`) })))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = paginate(entries, (e) => e.key, `ListImages/${repository.arn}/${status}`, i);
      return { imageIds: page.items.map((e) => e.id), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    GetAuthorizationToken: (i, ctx) => {
      const registries = i.registryIds && i.registryIds.length > 0 ? i.registryIds : [ctx.accountId];
      return {
        authorizationData: registries.map((id) => authorizationData(id, ctx.region, ctx.now, `mlzone${randomBytes(48).toString('base64url')}`)),
      };
    },

    TagResource: async (i) => {
      await registry.tagResource(arnRef(i.resourceArn), tagsIn(i.tags));
      return {};
    },

    UntagResource: async (i) => {
      await registry.untagResource(arnRef(i.resourceArn), i.tagKeys);
      return {};
    },

    ListTagsForResource: async (i) => {
      return { tags: tagsShape(await registry.resourceTags(arnRef(i.resourceArn))) };
    },
  };
}
