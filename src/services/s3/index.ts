/**
 * Amazon S3 for mlzone: buckets (names global across accounts), objects whose bytes live in the blob store
 * and whose metadata lives in the database, multipart uploads, tagging, bucket policies and Block Public
 * Access.
 *
 * The rest of mlzone uses this module only: the gateway registers `definition`; the IAM enforcement reads
 * bucket owners and policies through `policies`; the blueprint loader creates buckets with `seeder`; the app
 * calls `sweep()` once at start to free blobs a crash left unreferenced.
 *
 * @example
 * const s3 = createS3Service({ db, clock, blobs: await createFsBlobStore(dir), validatePolicy });
 * await runMigrations(db, s3.migrations);
 * await s3.seeder.createBucket({ accountId: '333333333333', region: 'us-east-1', bucket: 'lake', tags: {} });
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { BlobStore } from '../../persistence/blob/blob-store.js';
import type { Database, Migration } from '../../persistence/db.js';
import { createS3Authz } from './authz.js';
import type { S3Env } from './context.js';
import { s3PolicyProblem, withoutPublicGrants } from './domain/bucket-policy.js';
import { s3Errors } from './domain/errors.js';
import { isValidBucketName } from './domain/names.js';
import { bucketHandlers } from './handlers/buckets.js';
import { multipartHandlers } from './handlers/multipart.js';
import { objectHandlers } from './handlers/objects.js';
import { s3Migrations } from './migrations.js';
import { createObjectFiles, type S3ObjectFiles } from './object-files.js';
import type { BucketRecord, PublicAccessBlock } from './records.js';
import { createS3Store } from './store.js';

export type { PublicAccessBlock } from './records.js';
export type { ObjectFile, S3ObjectFiles } from './object-files.js';

export interface S3Deps {
  readonly db: Database;
  readonly clock: Clock;
  readonly blobs: BlobStore;
  /** IAM's check of a resource-based policy document; returns AWS's message for a bad one. */
  readonly validatePolicy: (document: string) => string | undefined;
  readonly log?: (msg: string, err?: unknown) => void;
}

/** What IAM enforcement needs to know about buckets (S3 ARNs name no account). */
export interface BucketDirectory {
  /** The account that owns a bucket; undefined when there is no such bucket. */
  bucketOwner(bucket: string): Promise<string | undefined>;
  /**
   * The bucket policy as IAM must evaluate it: with `RestrictPublicBuckets`, a public policy's public grants
   * are left out (only the owner account's principals and AWS services keep access).
   */
  bucketPolicy(bucket: string): Promise<string | undefined>;
  publicAccessBlock(bucket: string): Promise<PublicAccessBlock | undefined>;
  /** Bucket tags (`aws:ResourceTag/*` for bucket-level actions). */
  bucketTags(bucket: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** The blueprint loader's way in (structurally the `BucketSeeder` of app/seed-blueprint.ts). */
export interface S3Seeder {
  createBucket(input: NewSeedBucket, trx?: Kysely<any>): Promise<void>;
  /**
   * Many buckets in the loader's transaction: each `createBucket` validates like the one above and
   * throws the same error at once; `save()` inserts them in one statement.
   */
  begin(trx: Kysely<any>): S3SeedBatch;
  invalidate(): void;
}

export interface NewSeedBucket {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
  readonly policy?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface S3SeedBatch {
  createBucket(input: NewSeedBucket): void;
  save(): Promise<void>;
}

export interface S3Service {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  readonly policies: BucketDirectory;
  readonly seeder: S3Seeder;
  /** Object bodies as local files for the query engine (no authorization: its caller decides). */
  readonly files: S3ObjectFiles;
  /** Deletes blobs no object or part references (leftovers of a crash); returns how many. */
  sweep(): Promise<number>;
}

/** Operations a caller without credentials may attempt; only a bucket policy granting `*` lets them through. */
const ANONYMOUS_OPERATIONS = [
  'HeadBucket',
  'GetBucketLocation',
  'ListObjects',
  'ListObjectsV2',
  'GetObject',
  'HeadObject',
  'PutObject',
  'DeleteObject',
  'GetObjectTagging',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
];

export function createS3Service(deps: S3Deps): S3Service {
  const store = createS3Store(deps.db);
  /** The record of a bucket the loader asks for, after CreateBucket's and PutBucketPolicy's checks. */
  const newBucket = (input: NewSeedBucket): BucketRecord => {
    if (!isValidBucketName(input.bucket)) throw s3Errors.invalidBucketName(input.bucket);
    if (input.policy !== undefined) {
      const problem = s3PolicyProblem(input.policy, input.bucket) ?? deps.validatePolicy(input.policy);
      if (problem) throw s3Errors.malformedPolicy(`${input.bucket}: ${problem}`);
    }
    return {
      name: input.bucket,
      accountId: input.accountId,
      region: input.region,
      createdAt: deps.clock.now(),
      ...(input.policy !== undefined ? { policy: input.policy } : {}),
      ...(Object.keys(input.tags).length > 0 ? { tags: { ...input.tags } } : {}),
    };
  };
  // The authorizer caches compiled policies by document: hand it the same string for the same policy.
  const restricted = new Map<string, string | undefined>();
  const restrictedPolicy = (doc: string) => {
    if (!restricted.has(doc)) {
      if (restricted.size >= 1000) restricted.clear();
      restricted.set(doc, withoutPublicGrants(doc));
    }
    return restricted.get(doc);
  };
  const env: S3Env = { store, blobs: deps.blobs, clock: deps.clock, validatePolicy: deps.validatePolicy, log: deps.log };
  const handlers = { ...bucketHandlers(env), ...objectHandlers(env), ...multipartHandlers(env) };
  return {
    definition: {
      name: 's3',
      handlers: handlers as ServiceDefinition['handlers'],
      authz: createS3Authz(store),
      anonymous: ANONYMOUS_OPERATIONS,
    },
    migrations: s3Migrations,
    files: createObjectFiles(store, deps.blobs),
    policies: {
      bucketOwner: async (bucket) => (await store.bucket(bucket))?.accountId,
      async bucketPolicy(bucket) {
        const b = await store.bucket(bucket);
        if (b?.policy === undefined) return undefined;
        return b.publicAccessBlock?.RestrictPublicBuckets ? restrictedPolicy(b.policy) : b.policy;
      },
      publicAccessBlock: async (bucket) => (await store.bucket(bucket))?.publicAccessBlock,
      bucketTags: async (bucket) => (await store.bucket(bucket))?.tags,
    },
    seeder: {
      async createBucket(input, trx) {
        await store.insertBucket(newBucket(input), trx);
      },
      begin(trx) {
        let staged: BucketRecord[] = [];
        return {
          createBucket: (input) => void staged.push(newBucket(input)),
          async save() {
            const batch = staged;
            staged = [];
            await store.insertBuckets(batch, trx);
          },
        };
      },
      invalidate: () => store.invalidate(),
    },
    async sweep() {
      const referenced = await store.referencedBlobs();
      return deps.blobs.sweep((id) => referenced.has(id));
    },
  };
}
