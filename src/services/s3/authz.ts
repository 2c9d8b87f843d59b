/**
 * What each S3 operation asks IAM, per the service authorization reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). S3 ARNs carry no
 * account, so every request names the bucket owner's account (`resourceAccount`): RCPs of that account apply
 * and cross-account rules hold. A bucket that does not exist is treated as the caller's (S3 then answers
 * NoSuchBucket to callers allowed to ask).
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import { s3Errors } from './domain/errors.js';
import { copySource } from './handlers/copy-source.js';
import type { S3Store } from './store.js';

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

type In = { Bucket: string; Key?: string; [k: string]: unknown };

export function createS3Authz(store: Pick<S3Store, 'bucket'>): Record<string, AuthzFn> {
  const ownerOf = async (bucket: string, ctx: RequestContext) => (await store.bucket(bucket))?.accountId ?? ctx.accountId;

  const onBucket =
    (action: string, context?: (input: In) => Record<string, string>): AuthzFn<In> =>
    async (input, ctx) => [{ action, resource: bucketArn(input.Bucket), resourceAccount: await ownerOf(input.Bucket, ctx), ...(context ? { context: context(input) } : {}) }];

  const onObject =
    (action: string): AuthzFn<In> =>
    async (input, ctx) => [{ action, resource: objectArn(input.Bucket, input.Key ?? ''), resourceAccount: await ownerOf(input.Bucket, ctx) }];

  /** CopyObject / UploadPartCopy: read the source, write the target. */
  const copy: AuthzFn<In & { CopySource: string }> = async (input, ctx) => {
    const src = copySource(input.CopySource);
    return [
      { action: 's3:GetObject', resource: objectArn(src.bucket, src.key), resourceAccount: await ownerOf(src.bucket, ctx) },
      { action: 's3:PutObject', resource: objectArn(input.Bucket, input.Key ?? ''), resourceAccount: await ownerOf(input.Bucket, ctx) },
    ];
  };

  const listContext = (input: In): Record<string, string> => {
    const c: Record<string, string> = { 's3:prefix': typeof input.Prefix === 'string' ? input.Prefix : '' };
    if (typeof input.Delimiter === 'string') c['s3:delimiter'] = input.Delimiter;
    if (typeof input.MaxKeys === 'number') c['s3:max-keys'] = String(input.MaxKeys);
    return c;
  };

  const putObject: AuthzFn<In> = async (input, ctx) => {
    const owner = await ownerOf(input.Bucket, ctx);
    // s3:x-amz-acl: bucket policies (CloudTrail's, for one) require `bucket-owner-full-control` on writes.
    const acl = typeof input.ACL === 'string' ? { context: { 's3:x-amz-acl': input.ACL } } : {};
    const reqs: AuthzRequest[] = [{ action: 's3:PutObject', resource: objectArn(input.Bucket, input.Key ?? ''), resourceAccount: owner, ...acl }];
    if (typeof input.Tagging === 'string' && input.Tagging !== '') reqs.push({ action: 's3:PutObjectTagging', resource: objectArn(input.Bucket, input.Key ?? ''), resourceAccount: owner });
    return reqs;
  };

  const deleteObjects: AuthzFn<In & { Delete?: { Objects?: Array<{ Key: string }> } }> = async (input, ctx) => {
    const owner = await ownerOf(input.Bucket, ctx);
    const keys = input.Delete?.Objects ?? [];
    return keys.map((o) => ({ action: 's3:DeleteObject', resource: objectArn(input.Bucket, o.Key), resourceAccount: owner }));
  };

  const table: Record<string, AuthzFn> = {
    CreateBucket: (input: In, ctx) => [{ action: 's3:CreateBucket', resource: bucketArn(input.Bucket), resourceAccount: ctx.accountId }],
    HeadBucket: onBucket('s3:ListBucket'),
    ListBuckets: () => [{ action: 's3:ListAllMyBuckets', resource: '*' }],
    DeleteBucket: onBucket('s3:DeleteBucket'),
    GetBucketLocation: onBucket('s3:GetBucketLocation'),
    GetBucketVersioning: onBucket('s3:GetBucketVersioning'),
    PutBucketPolicy: onBucket('s3:PutBucketPolicy'),
    GetBucketPolicy: onBucket('s3:GetBucketPolicy'),
    DeleteBucketPolicy: onBucket('s3:DeleteBucketPolicy'),
    GetBucketPolicyStatus: onBucket('s3:GetBucketPolicyStatus'),
    PutBucketTagging: onBucket('s3:PutBucketTagging'),
    GetBucketTagging: onBucket('s3:GetBucketTagging'),
    DeleteBucketTagging: onBucket('s3:PutBucketTagging'),
    PutPublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
    GetPublicAccessBlock: onBucket('s3:GetBucketPublicAccessBlock'),
    DeletePublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
    ListObjects: onBucket('s3:ListBucket', listContext),
    ListObjectsV2: onBucket('s3:ListBucket', listContext),
    ListMultipartUploads: onBucket('s3:ListBucketMultipartUploads'),
    PutObject: putObject,
    GetObject: onObject('s3:GetObject'),
    HeadObject: onObject('s3:GetObject'),
    DeleteObject: onObject('s3:DeleteObject'),
    DeleteObjects: deleteObjects,
    CopyObject: copy,
    PutObjectTagging: onObject('s3:PutObjectTagging'),
    GetObjectTagging: onObject('s3:GetObjectTagging'),
    DeleteObjectTagging: onObject('s3:DeleteObjectTagging'),
    CreateMultipartUpload: putObject,
    UploadPart: onObject('s3:PutObject'),
    UploadPartCopy: copy,
    CompleteMultipartUpload: onObject('s3:PutObject'),
    AbortMultipartUpload: onObject('s3:AbortMultipartUpload'),
    ListParts: onObject('s3:ListMultipartUploadParts'),
  };

  // `x-amz-expected-bucket-owner` / `x-amz-source-expected-bucket-owner`: a bucket of another account is
  // refused before anything else (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
  const out: Record<string, AuthzFn> = {};
  for (const [op, fn] of Object.entries(table)) {
    out[op] = async (input: In, ctx: RequestContext) => {
      await checkExpectedOwner(input.Bucket, input.ExpectedBucketOwner);
      if (typeof input.CopySource === 'string') await checkExpectedOwner(copySource(input.CopySource).bucket, input.ExpectedSourceBucketOwner);
      return fn(input, ctx);
    };
  }
  return out;

  async function checkExpectedOwner(bucket: string, expected: unknown): Promise<void> {
    if (typeof expected !== 'string') return;
    const owner = (await store.bucket(bucket))?.accountId;
    if (owner !== undefined && owner !== expected) throw s3Errors.accessDenied('Access Denied');
  }
}
