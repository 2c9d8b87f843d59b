/** Object operations: put/get/head/delete/copy, listing, object tagging. */
import type { S3Handlers } from '../api.gen.js';
import { readSegments } from '../body.js';
import { evaluateConditions, etagMatches, type Conditions } from '../domain/conditional.js';
import { s3Errors } from '../domain/errors.js';
import { Listing, after, decodeContinuationToken, encodeContinuationToken, successor, urlEncodeKey } from '../domain/listing.js';
import { contentRange, resolveRange } from '../domain/range.js';
import { oversizedKey } from '../domain/names.js';
import { parseTaggingHeader, tagMapToSet, tagSetToMap } from '../domain/tags.js';
import { algorithmOf, checksumOutput, contentHeaders, free, headersOutput, needBucket, owner, sentChecksums, writeBody, type S3Env } from '../context.js';
import type { ObjectRecord } from '../records.js';
import { copySource, readSourceObject } from './copy-source.js';

const LIST_BATCH = 1000;

function checkRead(o: ObjectRecord, c: Conditions): void {
  const outcome = evaluateConditions(c, o.etag, o.lastModified);
  if (outcome.kind === 'precondition-failed') throw s3Errors.preconditionFailed(outcome.condition);
  if (outcome.kind === 'not-modified') throw s3Errors.notModified();
}

/** PutObject / CompleteMultipartUpload `If-Match` / `If-None-Match: *` against the current object. */
export function checkWrite(ifMatch: string | undefined, ifNoneMatch: string | undefined, current: ObjectRecord | undefined, key: string): void {
  if (ifNoneMatch !== undefined && current) throw s3Errors.preconditionFailed('If-None-Match');
  if (ifMatch !== undefined) {
    if (!current) throw s3Errors.noSuchKey(key);
    if (!etagMatches(ifMatch, current.etag)) throw s3Errors.preconditionFailed('If-Match');
  }
}

/** The members GetObject and HeadObject share. */
function describe(o: ObjectRecord, withChecksum: boolean): Record<string, unknown> {
  return {
    ...headersOutput(o.headers),
    ETag: o.etag,
    LastModified: new Date(o.lastModified),
    AcceptRanges: 'bytes',
    ...(Object.keys(o.metadata).length > 0 ? { Metadata: { ...o.metadata } } : {}),
    ...(Object.keys(o.tags).length > 0 ? { TagCount: Object.keys(o.tags).length } : {}),
    ...(o.partsCount !== undefined ? { PartsCount: o.partsCount } : {}),
    ...(o.storageClass !== 'STANDARD' ? { StorageClass: o.storageClass } : {}),
    ...(withChecksum && o.checksum ? { ...checksumOutput(o.checksum), ChecksumType: o.checksum.type } : {}),
  };
}

function responseOverrides(input: {
  ResponseCacheControl?: string;
  ResponseContentDisposition?: string;
  ResponseContentEncoding?: string;
  ResponseContentLanguage?: string;
  ResponseContentType?: string;
  ResponseExpires?: Date;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.ResponseCacheControl !== undefined) out.CacheControl = input.ResponseCacheControl;
  if (input.ResponseContentDisposition !== undefined) out.ContentDisposition = input.ResponseContentDisposition;
  if (input.ResponseContentEncoding !== undefined) out.ContentEncoding = input.ResponseContentEncoding;
  if (input.ResponseContentLanguage !== undefined) out.ContentLanguage = input.ResponseContentLanguage;
  if (input.ResponseContentType !== undefined) out.ContentType = input.ResponseContentType;
  if (input.ResponseExpires !== undefined) out.Expires = input.ResponseExpires;
  return out;
}

async function needObject(env: S3Env, bucket: string, key: string): Promise<ObjectRecord> {
  await needBucket(env, bucket);
  const o = await env.store.object(bucket, key);
  if (!o) throw s3Errors.noSuchKey(key);
  return o;
}

/** Walks keys ≥ `from` in order, feeding a Listing; seeks past common prefixes instead of reading under them. */
async function walk(env: S3Env, bucket: string, listing: Listing<ObjectRecord>, prefix: string, from: string): Promise<void> {
  let cursor = from;
  for (;;) {
    const rows = await env.store.listObjects(bucket, cursor, prefix, LIST_BATCH);
    let seek: string | undefined;
    for (const r of rows) {
      const o = listing.offer(r.key, r);
      if (o.kind === 'full') return;
      if (o.kind === 'seek') {
        seek = o.from;
        break;
      }
    }
    if (seek !== undefined) {
      cursor = seek;
      continue;
    }
    if (rows.length < LIST_BATCH) return;
    cursor = after(rows[rows.length - 1].key);
  }
}

function listEntry(o: ObjectRecord, withOwner: boolean, encode: (s: string) => string, ownerAccount: string) {
  return {
    Key: encode(o.key),
    LastModified: new Date(o.lastModified),
    ETag: o.etag,
    Size: o.size,
    StorageClass: o.storageClass,
    ...(o.checksum ? { ChecksumAlgorithm: [o.checksum.algorithm], ChecksumType: o.checksum.type } : {}),
    ...(withOwner ? { Owner: owner(ownerAccount) } : {}),
  };
}

function maxKeysOf(n: number | undefined): number {
  if (n === undefined) return 1000;
  if (n < 0) throw s3Errors.invalidArgument('max-keys cannot be negative', 'max-keys', String(n));
  return Math.min(n, 1000);
}

/**
 * Makes a freshly written blob the object `input.Bucket/input.Key` (one segment, a FULL_OBJECT checksum) under the
 * request's write conditions; the blob is freed when the write is refused, the replaced object's blobs after it.
 */
async function commitWrittenBlob(
  env: S3Env,
  input: { Bucket: string; Key: string; IfMatch?: string; IfNoneMatch?: string; StorageClass?: string },
  now: number,
  written: Awaited<ReturnType<typeof writeBody>>,
  attrs: Pick<ObjectRecord, 'headers' | 'metadata' | 'tags'>,
): Promise<{ o: ObjectRecord; checksum: ObjectRecord['checksum'] }> {
  const { blob, digests } = written;
  const checksum = digests.checksum ? { ...digests.checksum, type: 'FULL_OBJECT' as const } : undefined;
  const o: ObjectRecord = {
    bucket: input.Bucket,
    key: input.Key,
    size: digests.size,
    etag: `"${digests.md5Hex}"`,
    lastModified: now,
    segments: [{ blob: blob.id, size: blob.size }],
    ...attrs,
    ...(checksum ? { checksum } : {}),
    storageClass: input.StorageClass ?? 'STANDARD',
  };
  try {
    free(env, (await env.store.putObject(o, (current) => checkWrite(input.IfMatch, input.IfNoneMatch, current, input.Key))).freed);
  } catch (e) {
    free(env, [blob.id]);
    throw e;
  }
  return { o, checksum };
}

/** A key a write would create must fit S3's 1,024 UTF-8 bytes; checked before the body is read or a bucket looked up. */
export function checkKeyLength(key: string): void {
  const size = oversizedKey(key);
  if (size !== undefined) throw s3Errors.keyTooLong(size);
}

export function objectHandlers(env: S3Env): S3Handlers {
  return {
    async PutObject(input, ctx) {
      checkKeyLength(input.Key);
      await needBucket(env, input.Bucket);
      const tags = parseTaggingHeader(input.Tagging);
      const written = await writeBody(env, input.Body, {
        contentMd5: input.ContentMD5,
        algorithm: input.ChecksumAlgorithm,
        checksums: sentChecksums(input),
      });
      const { o, checksum } = await commitWrittenBlob(env, input, ctx.now, written, {
        headers: contentHeaders(input),
        metadata: { ...(input.Metadata ?? {}) },
        tags,
      });
      return { ETag: o.etag, ...checksumOutput(checksum), ...(checksum ? { ChecksumType: checksum.type } : {}) };
    },

    async GetObject(input) {
      const o = await needObject(env, input.Bucket, input.Key);
      checkRead(o, { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch, ifModifiedSince: input.IfModifiedSince, ifUnmodifiedSince: input.IfUnmodifiedSince });
      const r = resolveRange(input.Range, o.size);
      if (r.kind === 'unsatisfiable') throw s3Errors.invalidRange(input.Range ?? '', o.size);
      const range = r.kind === 'partial' ? r.range : undefined;
      const body = await readSegments(env.blobs, o.segments, range);
      return {
        ...describe(o, input.ChecksumMode === 'ENABLED' && !range),
        ...responseOverrides(input),
        Body: body as unknown as Uint8Array,
        ContentLength: range ? range.end - range.start + 1 : o.size,
        ...(range ? { ContentRange: contentRange(range, o.size) } : {}),
      };
    },

    async HeadObject(input) {
      const o = await needObject(env, input.Bucket, input.Key);
      checkRead(o, { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch, ifModifiedSince: input.IfModifiedSince, ifUnmodifiedSince: input.IfUnmodifiedSince });
      const r = resolveRange(input.Range, o.size);
      if (r.kind === 'unsatisfiable') throw s3Errors.invalidRange(input.Range ?? '', o.size);
      const range = r.kind === 'partial' ? r.range : undefined;
      return {
        ...describe(o, input.ChecksumMode === 'ENABLED' && !range),
        ...responseOverrides(input),
        ContentLength: range ? range.end - range.start + 1 : o.size,
        ...(range ? { ContentRange: contentRange(range, o.size) } : {}),
      };
    },

    async DeleteObject(input) {
      await needBucket(env, input.Bucket);
      if (input.IfMatch !== undefined) {
        const o = await env.store.object(input.Bucket, input.Key);
        if (o && !etagMatches(input.IfMatch, o.etag)) throw s3Errors.preconditionFailed('If-Match');
      }
      free(env, (await env.store.deleteObject(input.Bucket, input.Key)).freed);
      return {};
    },

    async DeleteObjects(input) {
      await needBucket(env, input.Bucket);
      const objects = input.Delete?.Objects ?? [];
      if (objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
      const deleted: Array<{ Key: string }> = [];
      for (const { Key } of objects) {
        free(env, (await env.store.deleteObject(input.Bucket, Key)).freed);
        deleted.push({ Key });
      }
      return input.Delete?.Quiet ? {} : { Deleted: deleted };
    },

    async CopyObject(input, ctx) {
      checkKeyLength(input.Key);
      await needBucket(env, input.Bucket);
      const src = copySource(input.CopySource);
      const source = await readSourceObject(env, src, {
        ifMatch: input.CopySourceIfMatch,
        ifNoneMatch: input.CopySourceIfNoneMatch,
        ifModifiedSince: input.CopySourceIfModifiedSince,
        ifUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
      });
      const replaceMeta = input.MetadataDirective === 'REPLACE';
      const replaceTags = input.TaggingDirective === 'REPLACE';
      if (src.bucket === input.Bucket && src.key === input.Key && !replaceMeta && input.StorageClass === undefined && input.WebsiteRedirectLocation === undefined) {
        throw s3Errors.invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const algorithm = algorithmOf(input.ChecksumAlgorithm) ?? source.checksum?.algorithm;
      const body = await readSegments(env.blobs, source.segments);
      const written = await writeBody(env, body, { algorithm, checksums: {} });
      const { o, checksum } = await commitWrittenBlob(env, input, ctx.now, written, {
        headers: replaceMeta ? contentHeaders(input) : source.headers,
        metadata: replaceMeta ? { ...(input.Metadata ?? {}) } : source.metadata,
        tags: replaceTags ? parseTaggingHeader(input.Tagging) : source.tags,
      });
      return { CopyObjectResult: { ETag: o.etag, LastModified: new Date(o.lastModified), ...checksumOutput(checksum), ...(checksum ? { ChecksumType: checksum.type } : {}) } };
    },

    async ListObjectsV2(input) {
      const b = await needBucket(env, input.Bucket);
      const prefix = input.Prefix ?? '';
      const maxKeys = maxKeysOf(input.MaxKeys);
      let from = input.StartAfter !== undefined ? after(input.StartAfter) : '';
      if (input.ContinuationToken !== undefined) {
        const f = decodeContinuationToken(input.ContinuationToken);
        if (f === undefined) throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', input.ContinuationToken);
        from = f;
      }
      const listing = new Listing<ObjectRecord>({ prefix, delimiter: input.Delimiter || undefined, maxKeys });
      await walk(env, b.name, listing, prefix, from);
      const url = input.EncodingType === 'url';
      const enc = (s: string) => (url ? urlEncodeKey(s) : s);
      const resume = listing.resumeFrom();
      return {
        IsTruncated: listing.truncated,
        Contents: listing.contents.map((o) => listEntry(o, input.FetchOwner === true, enc, b.accountId)),
        Name: b.name,
        Prefix: enc(prefix),
        ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
        MaxKeys: maxKeys,
        CommonPrefixes: listing.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        ...(url ? { EncodingType: 'url' } : {}),
        KeyCount: listing.contents.length + listing.commonPrefixes.length,
        ...(input.ContinuationToken !== undefined ? { ContinuationToken: input.ContinuationToken } : {}),
        ...(listing.truncated && resume !== undefined ? { NextContinuationToken: encodeContinuationToken(resume) } : {}),
        ...(input.StartAfter !== undefined ? { StartAfter: enc(input.StartAfter) } : {}),
      };
    },

    async ListObjects(input) {
      const b = await needBucket(env, input.Bucket);
      const prefix = input.Prefix ?? '';
      const maxKeys = maxKeysOf(input.MaxKeys);
      const delimiter = input.Delimiter || undefined;
      const marker = input.Marker ?? '';
      // A marker that is a common prefix (V1's NextMarker) resumes past everything under it.
      const from = marker === '' ? '' : delimiter && marker.startsWith(prefix) && marker.endsWith(delimiter) ? successor(marker) : after(marker);
      const listing = new Listing<ObjectRecord>({ prefix, delimiter, maxKeys });
      await walk(env, b.name, listing, prefix, from);
      const url = input.EncodingType === 'url';
      const enc = (s: string) => (url ? urlEncodeKey(s) : s);
      return {
        IsTruncated: listing.truncated,
        Marker: enc(marker),
        ...(listing.truncated && delimiter && listing.last !== undefined ? { NextMarker: enc(listing.last) } : {}),
        Contents: listing.contents.map((o) => listEntry(o, true, enc, b.accountId)),
        Name: b.name,
        Prefix: enc(prefix),
        ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
        MaxKeys: maxKeys,
        CommonPrefixes: listing.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        ...(url ? { EncodingType: 'url' } : {}),
      };
    },

    async PutObjectTagging(input) {
      await needObject(env, input.Bucket, input.Key);
      const tags = tagSetToMap(input.Tagging?.TagSet ?? [], 10);
      if (!(await env.store.setObjectTags(input.Bucket, input.Key, tags))) throw s3Errors.noSuchKey(input.Key);
      return {};
    },

    async GetObjectTagging(input) {
      const o = await needObject(env, input.Bucket, input.Key);
      return { TagSet: tagMapToSet(o.tags) };
    },

    async DeleteObjectTagging(input) {
      await needObject(env, input.Bucket, input.Key);
      await env.store.setObjectTags(input.Bucket, input.Key, {});
      return {};
    },
  };
}
