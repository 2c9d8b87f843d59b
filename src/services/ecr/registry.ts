/**
 * The ECR registry state machine shared by the API handlers, the published port and the blueprint seeder.
 * Repositories live per account and region. Reads go straight to the tables (one indexed lookup each);
 * writes run in one transaction that reads what it needs, decides with the pure rules in `domain/`, and
 * writes. A unique-key violation from a concurrent writer (PostgreSQL) becomes the AWS error it stands for.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { AwsError } from '../../core/errors.js';
import type { Database } from '../../persistence/db.js';
import { isUniqueViolation } from '../../persistence/errors.js';
import { errors } from './domain/errors.js';
import type { FailureKind } from './domain/errors.js';
import { checkImageId, distinctIds, resolveImageId, type ImageId } from './domain/image-ids.js';
import { digestOf, parseManifest } from './domain/manifest.js';
import type { ExclusionFilter, ImageRecord, ImageSummary, RepositoryRecord, ResourceTag, TagMutability } from './domain/model.js';
import { parseImageUri, repositoryArn } from './domain/names.js';
import { checkRepositoryPolicy, principalEntityArns } from './domain/policy.js';
import { checkMutability, isTagImmutable, mergeTags, planPut } from './domain/tags.js';
import { store } from './store.js';

type Ex = Kysely<any>;

export interface RegistryDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** IAM's refusal text for a resource-based policy document, or undefined when it is acceptable. */
  readonly validatePolicy: (document: string) => string | undefined;
  /** IAM users and roles, to check the principals a policy names; absent: not checked. */
  readonly iam?: EcrIamPort;
  /** Region of image references without a registry host (`resolveImage`). */
  readonly defaultRegion: string;
}

/** Where a repository is: the registry (account) and region, and its name. */
export interface RepositoryRef {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export interface NewRepository extends RepositoryRef {
  readonly imageTagMutability?: string;
  readonly exclusionFilters?: readonly ExclusionFilter[];
  readonly scanOnPush?: boolean;
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly policy?: string;
  readonly tags?: readonly ResourceTag[];
}

export interface PushedImage {
  readonly digest: string;
  readonly tag?: string;
  readonly mediaType: string;
  readonly manifest: string;
}

export interface ImageFailureRecord {
  readonly imageId: ImageId;
  readonly failure: FailureKind;
}

/** A resolved image reference (see `EcrRegistryPort.resolveImage`). */
export interface ResolvedImage {
  readonly accountId: string;
  readonly region: string;
  readonly repositoryName: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly manifest: string;
  readonly mediaType: string;
}

/** What ECR reads from IAM (the IAM service's `IamDirectory` satisfies it). */
export interface EcrIamPort {
  getRole(accountId: string, roleName: string): Promise<{ readonly arn: string } | undefined>;
  getUser(accountId: string, userName: string): Promise<{ readonly arn: string } | undefined>;
}

const arnOf = (r: RepositoryRef): string => repositoryArn(r.accountId, r.region, r.name);

function newRepositoryRecord(input: NewRepository, checked: { arn: string; mutability: string }, now: number): RepositoryRecord {
  return {
    arn: checked.arn,
    accountId: input.accountId,
    region: input.region,
    name: input.name,
    createdAt: now,
    imageTagMutability: checked.mutability as TagMutability,
    exclusionFilters: (input.exclusionFilters ?? []).map((f) => ({ filterType: f.filterType, filter: f.filter })),
    scanOnPush: input.scanOnPush ?? false,
    encryptionType: input.encryptionType ?? 'AES256',
    ...(input.kmsKey !== undefined ? { kmsKey: input.kmsKey } : {}),
    ...(input.policy !== undefined ? { policy: input.policy } : {}),
  };
}

export class Registry {
  constructor(private readonly deps: RegistryDeps) {}

  private get db(): Database {
    return this.deps.db;
  }

  private async write<R>(fn: (ex: Ex, now: number) => Promise<R>, opts: { trx?: Ex; conflict?: () => AwsError } = {}): Promise<R> {
    const now = this.deps.clock.now();
    try {
      return opts.trx ? await fn(opts.trx, now) : await this.db.transaction((trx) => fn(trx, now));
    } catch (e) {
      if (opts.conflict && isUniqueViolation(e)) throw opts.conflict();
      throw e;
    }
  }

  private async must(ex: Ex, ref: RepositoryRef): Promise<RepositoryRecord> {
    const r = await store.repository(ex, arnOf(ref));
    if (!r) throw errors.repositoryNotFound(ref.name, ref.accountId);
    return r;
  }

  // ---- repositories --------------------------------------------------------------------------------

  find(ref: RepositoryRef): Promise<RepositoryRecord | undefined> {
    return store.repository(this.db.kysely, arnOf(ref));
  }

  repository(ref: RepositoryRef): Promise<RepositoryRecord> {
    return this.must(this.db.kysely, ref);
  }

  repositories(accountId: string, region: string): Promise<RepositoryRecord[]> {
    return store.repositories(this.db.kysely, accountId, region);
  }

  /** SetRepositoryPolicy's checks: the grammar, then every user or role named must exist ("Principal not found"). */
  private async checkPolicy(text: string): Promise<void> {
    checkRepositoryPolicy(text, this.deps.validatePolicy);
    const iam = this.deps.iam;
    if (!iam) return;
    for (const arn of principalEntityArns(text)) {
      const [, accountId, kind, name] = /^arn:[^:]+:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn) ?? [];
      const entity = kind === 'role' ? await iam.getRole(accountId!, name!) : kind === 'user' ? await iam.getUser(accountId!, name!) : undefined;
      if (entity?.arn !== arn) throw errors.principalNotFound();
    }
  }

  async createRepository(input: NewRepository, trx?: Ex): Promise<RepositoryRecord> {
    const checked = this.checkNewRepository(input);
    const conflict = () => errors.repositoryAlreadyExists(input.name, input.accountId);
    return this.write(
      async (ex, now) => {
        if (await store.repository(ex, checked.arn)) throw conflict();
        const record = newRepositoryRecord(input, checked, now);
        await store.insertRepository(ex, record);
        await store.setResourceTags(ex, record.arn, checked.tags);
        return record;
      },
      { trx, conflict },
    );
  }

  /**
   * createRepository for many repositories of some accounts inside the caller's transaction (the blueprint
   * loader): their existing repositories are read once, each `create` checks like createRepository and
   * throws its error at once, and `save` inserts them with their tags in one statement per table.
   */
  async beginCreate(trx: Ex, accountIds: readonly string[]): Promise<{ create(input: NewRepository): void; save(): Promise<void> }> {
    const accounts = new Set(accountIds);
    const taken = new Set(await store.repositoryArnsOf(trx, accountIds));
    let staged: Array<{ record: RepositoryRecord; tags: ResourceTag[] }> = [];
    return {
      create: (input) => {
        if (!accounts.has(input.accountId)) throw new Error(`ECR seed batch: account ${input.accountId} is outside the batch's scope`);
        const checked = this.checkNewRepository(input);
        const now = this.deps.clock.now();
        if (taken.has(checked.arn)) throw errors.repositoryAlreadyExists(input.name, input.accountId);
        taken.add(checked.arn);
        staged.push({ record: newRepositoryRecord(input, checked, now), tags: checked.tags });
      },
      save: async () => {
        const batch = staged;
        staged = [];
        await store.insertRepositories(trx, batch);
      },
    };
  }

  /** createRepository's checks that need no table. */
  private checkNewRepository(input: NewRepository): { arn: string; mutability: string; tags: ResourceTag[] } {
    const mutability = input.imageTagMutability ?? 'MUTABLE';
    checkMutability(mutability, input.exclusionFilters);
    const tags = mergeTags([], input.tags ?? []);
    // Only the blueprint loader creates with a policy; it runs inside its own transaction, where IAM may
    // not be read through another connection, so principals are not looked up here.
    if (input.policy !== undefined) checkRepositoryPolicy(input.policy, this.deps.validatePolicy);
    return { arn: arnOf(input), mutability, tags };
  }

  deleteRepository(ref: RepositoryRef, force: boolean): Promise<RepositoryRecord> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      if (!force && (await store.imageCount(ex, r.arn)) > 0) throw errors.repositoryNotEmpty(r.name, r.accountId);
      await store.deleteRepository(ex, r.arn);
      return r;
    });
  }

  async setPolicy(ref: RepositoryRef, text: string): Promise<void> {
    await this.checkPolicy(text);
    await this.write(async (ex) => {
      const r = await this.must(ex, ref);
      await store.setPolicy(ex, r.arn, text);
    });
  }

  async policy(ref: RepositoryRef): Promise<string> {
    const r = await this.repository(ref);
    if (r.policy === undefined) throw errors.repositoryPolicyNotFound(r.name, r.accountId);
    return r.policy;
  }

  /** Removes the policy and returns the text it had. */
  deletePolicy(ref: RepositoryRef): Promise<string> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      if (r.policy === undefined) throw errors.repositoryPolicyNotFound(r.name, r.accountId);
      await store.setPolicy(ex, r.arn, undefined);
      return r.policy;
    });
  }

  putMutability(ref: RepositoryRef, mutability: string, filters: readonly ExclusionFilter[] | undefined): Promise<RepositoryRecord> {
    checkMutability(mutability, filters);
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      const list = (filters ?? []).map((f) => ({ filterType: f.filterType, filter: f.filter }));
      await store.setMutability(ex, r.arn, mutability as TagMutability, list);
      return { ...r, imageTagMutability: mutability as TagMutability, exclusionFilters: list };
    });
  }

  putScanOnPush(ref: RepositoryRef, scanOnPush: boolean): Promise<RepositoryRecord> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      await store.setScanOnPush(ex, r.arn, scanOnPush);
      return { ...r, scanOnPush };
    });
  }

  // ---- resource tags -------------------------------------------------------------------------------

  async resourceTags(ref: RepositoryRef): Promise<ResourceTag[]> {
    const r = await this.repository(ref);
    return store.resourceTags(this.db.kysely, r.arn);
  }

  tagResource(ref: RepositoryRef, tags: readonly ResourceTag[]): Promise<void> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      await store.setResourceTags(ex, r.arn, mergeTags(await store.resourceTags(ex, r.arn), tags));
    });
  }

  untagResource(ref: RepositoryRef, keys: readonly string[]): Promise<void> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      const drop = new Set(keys);
      await store.setResourceTags(ex, r.arn, (await store.resourceTags(ex, r.arn)).filter((t) => !drop.has(t.key)));
    });
  }

  // ---- images --------------------------------------------------------------------------------------

  async putImage(ref: RepositoryRef, input: { manifest: string; mediaType?: string; tag?: string; digest?: string }): Promise<PushedImage> {
    const parsed = parseManifest(input.manifest, input.mediaType);
    const digest = digestOf(input.manifest);
    if (input.digest !== undefined && input.digest !== digest) throw errors.imageDigestDoesNotMatch();
    const already = () => errors.imageAlreadyExists(digest, input.tag, ref.name, ref.accountId);
    return this.write(
      async (ex, now) => {
        const r = await this.must(ex, ref);
        const tagOwner = input.tag === undefined ? undefined : await store.digestOfTag(ex, r.arn, input.tag);
        const plan = planPut({
          digest,
          ...(input.tag !== undefined ? { tag: input.tag } : {}),
          imageExists: await store.hasImage(ex, r.arn, digest),
          ...(tagOwner !== undefined ? { tagOwner } : {}),
          tagImmutable: input.tag !== undefined && isTagImmutable(r.imageTagMutability, r.exclusionFilters, input.tag),
        });
        switch (plan.kind) {
          case 'already-exists':
            throw already();
          case 'tag-immutable':
            throw errors.imageTagAlreadyExists(input.tag!, r.name);
          case 'write':
            if (plan.createImage) {
              await store.insertImage(ex, r.arn, {
                digest,
                manifest: input.manifest,
                mediaType: parsed.mediaType,
                ...(parsed.artifactMediaType !== undefined ? { artifactMediaType: parsed.artifactMediaType } : {}),
                ...(parsed.sizeInBytes !== undefined ? { sizeInBytes: parsed.sizeInBytes } : {}),
                pushedAt: now,
              });
            }
            if (plan.tag !== undefined) await store.setTag(ex, r.arn, plan.tag, digest, now);
            return { digest, mediaType: parsed.mediaType, manifest: input.manifest, ...(input.tag !== undefined ? { tag: input.tag } : {}) };
          default: {
            const unreachable: never = plan;
            return unreachable;
          }
        }
      },
      { conflict: already },
    );
  }

  /** The images the ids name (each found id with the image), the failures, and a pull recorded on each image returned. */
  async batchGetImage(
    ref: RepositoryRef,
    ids: readonly ImageId[],
  ): Promise<{ repository: RepositoryRecord; images: Array<{ imageId: ImageId; image: ImageRecord }>; failures: ImageFailureRecord[] }> {
    return this.write(async (ex, now) => {
      const r = await this.must(ex, ref);
      const tags = await store.tagMap(ex, r.arn);
      const images: Array<{ imageId: ImageId; image: ImageRecord }> = [];
      const failures: ImageFailureRecord[] = [];
      const loaded = new Map<string, ImageRecord | undefined>();
      const load = async (digest: string) => {
        if (!loaded.has(digest)) loaded.set(digest, await store.image(ex, r.arn, digest));
        return loaded.get(digest);
      };
      for (const id of distinctIds(ids)) {
        // Digests are checked by loading the image, so the lookup may claim every digest exists.
        const res = resolveImageId(id, { hasDigest: () => true, digestOfTag: (t) => tags.get(t) });
        const image = res.kind === 'found' ? await load(res.digest) : undefined;
        if (res.kind === 'failure') failures.push({ imageId: id, failure: res.failure });
        else if (!image) failures.push({ imageId: id, failure: 'imageNotFound' });
        else images.push({ imageId: { imageDigest: image.digest, ...(id.imageTag != null ? { imageTag: id.imageTag } : {}) }, image });
      }
      await store.recordPull(ex, r.arn, [...new Set(images.map((i) => i.image.digest))], now);
      return { repository: r, images, failures };
    });
  }

  /** Every image of the repository (no manifests), oldest push first. */
  async images(ref: RepositoryRef): Promise<{ repository: RepositoryRecord; images: ImageSummary[] }> {
    const r = await this.repository(ref);
    return { repository: r, images: await store.images(this.db.kysely, r.arn) };
  }

  /**
   * The images named by `ids` (DescribeImages), each once, in request order. An id that names no image is
   * ImageNotFoundException; a malformed one InvalidParameterException with the batch calls' reason.
   */
  async describeImages(ref: RepositoryRef, ids: readonly ImageId[]): Promise<{ repository: RepositoryRecord; images: ImageSummary[] }> {
    const { repository, images } = await this.images(ref);
    const byDigest = new Map(images.map((i) => [i.digest, i]));
    const tagMap = new Map(images.flatMap((i) => i.tags.map((t) => [t, i.digest] as const)));
    const out = new Map<string, ImageSummary>();
    for (const id of ids) {
      const bad = checkImageId(id);
      if (bad === 'missingDigestAndTag') throw errors.invalidImageId('Invalid request parameters: both tag and digest cannot be null');
      const res = resolveImageId(id, { hasDigest: (d) => byDigest.has(d), digestOfTag: (t) => tagMap.get(t) });
      if (res.kind === 'failure') throw errors.imageNotFound(id, repository.name, repository.accountId);
      out.set(res.digest, byDigest.get(res.digest)!);
    }
    return { repository, images: [...out.values()] };
  }

  /**
   * BatchDeleteImage: by tag, the tag goes (and the image with its last tag); by digest, the image with
   * every tag. Returns one identifier per tag removed (the digest alone for an untagged image).
   */
  batchDeleteImage(ref: RepositoryRef, ids: readonly ImageId[]): Promise<{ deleted: ImageId[]; failures: ImageFailureRecord[] }> {
    return this.write(async (ex) => {
      const r = await this.must(ex, ref);
      const deleted: ImageId[] = [];
      const failures: ImageFailureRecord[] = [];
      for (const id of distinctIds(ids)) {
        const tags = await store.tagMap(ex, r.arn);
        const exists = new Set<string>();
        if (id.imageDigest != null && (await store.hasImage(ex, r.arn, id.imageDigest))) exists.add(id.imageDigest);
        const res = resolveImageId(id, { hasDigest: (d) => exists.has(d), digestOfTag: (t) => tags.get(t) });
        if (res.kind === 'failure') {
          failures.push({ imageId: id, failure: res.failure });
          continue;
        }
        const imageTags = await store.tagsOf(ex, r.arn, res.digest);
        if (id.imageDigest == null && imageTags.length > 1) {
          await store.deleteTag(ex, r.arn, id.imageTag!);
          deleted.push({ imageDigest: res.digest, imageTag: id.imageTag! });
          continue;
        }
        await store.deleteImage(ex, r.arn, res.digest);
        if (imageTags.length === 0) deleted.push({ imageDigest: res.digest });
        for (const tag of imageTags) deleted.push({ imageDigest: res.digest, imageTag: tag });
      }
      return { deleted, failures };
    });
  }

  /**
   * Resolves `[<acct>.dkr.ecr.<region>.amazonaws.com/]<repo>[:tag|@digest]`. A reference without a registry
   * host is looked up in `as.accountId`'s registry in the default region; a digest wins over a tag.
   */
  async resolveImage(uri: string, as?: { readonly accountId: string }): Promise<ResolvedImage | undefined> {
    const ref = parseImageUri(uri);
    if (!ref) return undefined;
    const accountId = ref.accountId ?? as?.accountId;
    if (accountId === undefined) return undefined;
    const region = ref.region ?? this.deps.defaultRegion;
    const arn = repositoryArn(accountId, region, ref.repositoryName);
    const ex = this.db.kysely;
    const digest = ref.digest ?? (ref.tag !== undefined ? await store.digestOfTag(ex, arn, ref.tag) : undefined);
    if (digest === undefined) return undefined;
    const image = await store.image(ex, arn, digest);
    if (!image) return undefined;
    return { accountId, region, repositoryName: ref.repositoryName, digest, tags: image.tags, manifest: image.manifest, mediaType: image.mediaType };
  }
}
