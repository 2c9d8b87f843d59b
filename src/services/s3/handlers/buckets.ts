/** Bucket operations: create/head/list/delete/location, policy, tagging, public access block. */
import type { RequestContext } from '../../../core/context.js';
import type { S3Handlers } from '../api.gen.js';
import { isPublicPolicy, s3PolicyProblem } from '../domain/bucket-policy.js';
import { s3Errors } from '../domain/errors.js';
import { isValidBucketName } from '../domain/names.js';
import { tagMapToSet, tagSetToMap } from '../domain/tags.js';
import { free, needBucket, owner, type S3Env } from '../context.js';
import type { PublicAccessBlock } from '../records.js';

const DEFAULT_REGION = 'us-east-1';

function regionOfConstraint(lc: string | undefined): string {
  if (!lc) return DEFAULT_REGION;
  return lc === 'EU' ? 'eu-west-1' : lc;
}

async function createBucket(env: S3Env, ctx: RequestContext, name: string, lc: string | undefined): Promise<{ Location: string }> {
  if (!isValidBucketName(name)) throw s3Errors.invalidBucketName(name);
  if (lc === DEFAULT_REGION) throw s3Errors.invalidLocationConstraint();
  const region = regionOfConstraint(lc);
  const existing = await env.store.bucket(name);
  const conflict = (accountId: string) => {
    if (accountId !== ctx.accountId) return s3Errors.bucketAlreadyExists(name);
    // us-east-1 keeps the legacy answer: re-creating your own bucket there succeeds.
    return region === DEFAULT_REGION ? undefined : s3Errors.bucketAlreadyOwnedByYou(name);
  };
  if (existing) {
    const e = conflict(existing.accountId);
    if (e) throw e;
    return { Location: `/${name}` };
  }
  try {
    await env.store.insertBucket({ name, accountId: ctx.accountId, region, createdAt: ctx.now });
  } catch (err) {
    const now = await env.store.bucket(name);
    if (!now) throw err;
    const e = conflict(now.accountId);
    if (e) throw e;
  }
  return { Location: region === DEFAULT_REGION ? `/${name}` : `http://${name}.s3.amazonaws.com/` };
}

function publicPolicyBlocked(ctx: RequestContext, bucket: string): Error {
  return s3Errors.accessDenied(
    `User: ${ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
  );
}

export function bucketHandlers(env: S3Env): S3Handlers {
  return {
    CreateBucket: (input, ctx) => createBucket(env, ctx, input.Bucket, input.CreateBucketConfiguration?.LocationConstraint),

    async HeadBucket(input) {
      const b = await needBucket(env, input.Bucket);
      return { BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` };
    },

    async ListBuckets(input, ctx) {
      const all = (await env.store.bucketsOf(ctx.accountId))
        .filter((b) => !input.Prefix || b.name.startsWith(input.Prefix))
        .filter((b) => !input.BucketRegion || b.region === input.BucketRegion)
        .filter((b) => !input.ContinuationToken || b.name > input.ContinuationToken);
      const max = input.MaxBuckets ?? 10_000;
      const page = all.slice(0, max);
      return {
        Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
        Owner: owner(ctx.accountId),
        ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
        ...(all.length > max ? { ContinuationToken: page[page.length - 1].name } : {}),
      };
    },

    async DeleteBucket(input) {
      await needBucket(env, input.Bucket);
      const r = await env.store.deleteBucket(input.Bucket);
      if (!r) throw s3Errors.bucketNotEmpty(input.Bucket);
      free(env, r.freed);
      return {};
    },

    async GetBucketLocation(input) {
      const b = await needBucket(env, input.Bucket);
      return b.region === DEFAULT_REGION ? {} : { LocationConstraint: b.region };
    },

    async PutBucketPolicy(input, ctx) {
      const b = await needBucket(env, input.Bucket);
      const doc = input.Policy ?? '';
      const problem = s3PolicyProblem(doc, b.name) ?? env.validatePolicy(doc);
      if (problem) throw s3Errors.malformedPolicy(problem);
      if (b.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(doc)) throw publicPolicyBlocked(ctx, b.name);
      await env.store.updateBucket(b.name, { policy: doc });
      return {};
    },

    async GetBucketPolicy(input) {
      const b = await needBucket(env, input.Bucket);
      if (b.policy === undefined) throw s3Errors.noSuchBucketPolicy(b.name);
      return { Policy: b.policy };
    },

    async DeleteBucketPolicy(input) {
      const b = await needBucket(env, input.Bucket);
      await env.store.updateBucket(b.name, { policy: null });
      return {};
    },

    async GetBucketPolicyStatus(input) {
      const b = await needBucket(env, input.Bucket);
      if (b.policy === undefined) throw s3Errors.noSuchBucketPolicy(b.name);
      return { PolicyStatus: { IsPublic: isPublicPolicy(b.policy) } };
    },

    async PutBucketTagging(input) {
      const b = await needBucket(env, input.Bucket);
      await env.store.updateBucket(b.name, { tags: tagSetToMap(input.Tagging?.TagSet ?? [], 50) });
      return {};
    },

    async GetBucketTagging(input) {
      const b = await needBucket(env, input.Bucket);
      if (!b.tags || Object.keys(b.tags).length === 0) throw s3Errors.noSuchTagSet(b.name);
      return { TagSet: tagMapToSet(b.tags) };
    },

    async DeleteBucketTagging(input) {
      const b = await needBucket(env, input.Bucket);
      await env.store.updateBucket(b.name, { tags: null });
      return {};
    },

    async PutPublicAccessBlock(input) {
      const b = await needBucket(env, input.Bucket);
      const c = input.PublicAccessBlockConfiguration ?? {};
      const pab: PublicAccessBlock = {
        BlockPublicAcls: c.BlockPublicAcls ?? false,
        IgnorePublicAcls: c.IgnorePublicAcls ?? false,
        BlockPublicPolicy: c.BlockPublicPolicy ?? false,
        RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
      };
      await env.store.updateBucket(b.name, { publicAccessBlock: pab });
      return {};
    },

    async GetPublicAccessBlock(input) {
      const b = await needBucket(env, input.Bucket);
      if (!b.publicAccessBlock) throw s3Errors.noSuchPublicAccessBlock(b.name);
      return { PublicAccessBlockConfiguration: { ...b.publicAccessBlock } };
    },

    async DeletePublicAccessBlock(input) {
      const b = await needBucket(env, input.Bucket);
      await env.store.updateBucket(b.name, { publicAccessBlock: null });
      return {};
    },

    async GetBucketVersioning(input) {
      await needBucket(env, input.Bucket);
      return {};
    },
  };
}
