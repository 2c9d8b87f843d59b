/** Multipart uploads: create, upload (and copy) parts, complete, abort, list parts and uploads. */
import { randomBytes } from 'node:crypto';
import type { S3Handlers } from '../api.gen.js';
import { readSegments } from '../body.js';
import { compositeChecksum, fullObjectChecksum, multipartEtag } from '../domain/checksum.js';
import { s3Errors } from '../domain/errors.js';
import { copySourceRange } from '../domain/range.js';
import { parseTaggingHeader } from '../domain/tags.js';
import { algorithmOf, checksumOutput, contentHeaders, free, needBucket, owner, sentChecksums, writeBody, type S3Env } from '../context.js';
import type { ObjectChecksum, ObjectRecord, PartRecord, UploadRecord } from '../records.js';
import { copySource, readSourceObject } from './copy-source.js';
import { checkKeyLength, checkWrite } from './objects.js';

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

async function needUpload(env: S3Env, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
  await needBucket(env, bucket);
  const u = await env.store.upload(uploadId);
  if (!u || u.bucket !== bucket || u.key !== key) throw s3Errors.noSuchUpload(uploadId);
  return u;
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(n));
  }
}

async function recordPart(env: S3Env, part: PartRecord): Promise<void> {
  const r = await env.store.putPart(part).catch((e: unknown) => {
    free(env, [part.blob]);
    throw e;
  });
  if (!r) {
    free(env, [part.blob]);
    throw s3Errors.noSuchUpload(part.uploadId);
  }
  free(env, r.freed);
}

const bare = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

function completedChecksum(u: UploadRecord, chosen: readonly PartRecord[]): ObjectChecksum | undefined {
  const algorithm = u.spec.checksumAlgorithm;
  if (!algorithm || chosen.some((p) => p.checksum === undefined)) return undefined;
  if (u.spec.checksumType === 'FULL_OBJECT') {
    const value = fullObjectChecksum(algorithm, chosen.map((p) => ({ checksum: p.checksum!, size: p.size })));
    return value === undefined ? undefined : { algorithm, value, type: 'FULL_OBJECT' };
  }
  return { algorithm, value: compositeChecksum(algorithm, chosen.map((p) => p.checksum!)), type: 'COMPOSITE' };
}

export function multipartHandlers(env: S3Env): S3Handlers {
  return {
    async CreateMultipartUpload(input, ctx) {
      checkKeyLength(input.Key);
      await needBucket(env, input.Bucket);
      const algorithm = algorithmOf(input.ChecksumAlgorithm);
      const type: ObjectChecksum['type'] | undefined = input.ChecksumType === 'FULL_OBJECT' ? 'FULL_OBJECT' : input.ChecksumType === 'COMPOSITE' ? 'COMPOSITE' : undefined;
      const u: UploadRecord = {
        uploadId: randomBytes(24).toString('base64url'),
        bucket: input.Bucket,
        key: input.Key,
        initiated: ctx.now,
        initiatorArn: ctx.principal.arn,
        initiatorId: ctx.principal.userId,
        ownerAccountId: ctx.accountId,
        spec: {
          headers: contentHeaders(input),
          metadata: { ...(input.Metadata ?? {}) },
          tags: parseTaggingHeader(input.Tagging),
          storageClass: input.StorageClass ?? 'STANDARD',
          ...(algorithm ? { checksumAlgorithm: algorithm, checksumType: type ?? 'COMPOSITE' } : {}),
        },
      };
      await env.store.createUpload(u);
      return {
        Bucket: u.bucket,
        Key: u.key,
        UploadId: u.uploadId,
        ...(algorithm ? { ChecksumAlgorithm: algorithm, ChecksumType: u.spec.checksumType } : {}),
      };
    },

    async UploadPart(input, ctx) {
      checkPartNumber(input.PartNumber);
      const u = await needUpload(env, input.Bucket, input.Key, input.UploadId);
      const { blob, digests } = await writeBody(env, input.Body, {
        contentMd5: input.ContentMD5,
        algorithm: input.ChecksumAlgorithm ?? u.spec.checksumAlgorithm,
        checksums: sentChecksums(input),
      });
      const etag = `"${digests.md5Hex}"`;
      await recordPart(env, {
        uploadId: u.uploadId,
        partNumber: input.PartNumber,
        blob: blob.id,
        size: blob.size,
        etag,
        ...(digests.checksum ? { checksum: digests.checksum.value } : {}),
        lastModified: ctx.now,
      });
      return { ETag: etag, ...checksumOutput(digests.checksum) };
    },

    async UploadPartCopy(input, ctx) {
      checkPartNumber(input.PartNumber);
      const u = await needUpload(env, input.Bucket, input.Key, input.UploadId);
      const source = await readSourceObject(env, copySource(input.CopySource), {
        ifMatch: input.CopySourceIfMatch,
        ifNoneMatch: input.CopySourceIfNoneMatch,
        ifModifiedSince: input.CopySourceIfModifiedSince,
        ifUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
      });
      let range;
      if (input.CopySourceRange !== undefined) {
        const r = copySourceRange(input.CopySourceRange, source.size);
        if (r === 'malformed') throw s3Errors.invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 'x-amz-copy-source-range', input.CopySourceRange);
        if (r === 'unsatisfiable') throw s3Errors.invalidRange(input.CopySourceRange, source.size);
        range = r;
      }
      const body = await readSegments(env.blobs, source.segments, range);
      const { blob, digests } = await writeBody(env, body, { algorithm: u.spec.checksumAlgorithm, checksums: {} });
      const etag = `"${digests.md5Hex}"`;
      await recordPart(env, {
        uploadId: u.uploadId,
        partNumber: input.PartNumber,
        blob: blob.id,
        size: blob.size,
        etag,
        ...(digests.checksum ? { checksum: digests.checksum.value } : {}),
        lastModified: ctx.now,
      });
      return { CopyPartResult: { ETag: etag, LastModified: new Date(ctx.now), ...checksumOutput(digests.checksum) } };
    },

    async CompleteMultipartUpload(input, ctx) {
      const u = await needUpload(env, input.Bucket, input.Key, input.UploadId);
      const requested = input.MultipartUpload?.Parts ?? [];
      if (requested.length === 0) throw s3Errors.malformedXml();
      for (let i = 1; i < requested.length; i++) {
        if ((requested[i].PartNumber ?? 0) <= (requested[i - 1].PartNumber ?? 0)) throw s3Errors.invalidPartOrder();
      }
      const current = await env.store.object(input.Bucket, input.Key);
      checkWrite(input.IfMatch, input.IfNoneMatch, current, input.Key);
      let checksum: ObjectChecksum | undefined;
      const done = await env.store.completeUpload(u.uploadId, (parts) => {
        const byNumber = new Map(parts.map((p) => [p.partNumber, p]));
        const chosen = requested.map((r) => {
          const p = byNumber.get(r.PartNumber ?? 0);
          if (!p || bare(p.etag) !== bare(r.ETag)) throw s3Errors.invalidPart(r.PartNumber ?? 0, r.ETag);
          return p;
        });
        chosen.forEach((p, i) => {
          if (i < chosen.length - 1 && p.size < MIN_PART) throw s3Errors.entityTooSmall(p.size);
        });
        checksum = completedChecksum(u, chosen);
        const object: ObjectRecord = {
          bucket: u.bucket,
          key: u.key,
          size: chosen.reduce((n, p) => n + p.size, 0),
          etag: multipartEtag(chosen.map((p) => p.etag)),
          lastModified: ctx.now,
          segments: chosen.map((p) => ({ blob: p.blob, size: p.size })),
          headers: u.spec.headers,
          metadata: u.spec.metadata,
          tags: u.spec.tags,
          ...(checksum ? { checksum } : {}),
          partsCount: chosen.length,
          storageClass: u.spec.storageClass,
        };
        return object;
      });
      if (!done) throw s3Errors.noSuchUpload(input.UploadId);
      free(env, done.freed);
      return {
        Location: `/${u.bucket}/${encodeURIComponent(u.key).replace(/%2F/g, '/')}`,
        Bucket: u.bucket,
        Key: u.key,
        ETag: done.object.etag,
        ...(checksum ? { ...checksumOutput(checksum), ChecksumType: checksum.type } : {}),
      };
    },

    async AbortMultipartUpload(input) {
      await needUpload(env, input.Bucket, input.Key, input.UploadId);
      const r = await env.store.abortUpload(input.UploadId);
      if (!r) throw s3Errors.noSuchUpload(input.UploadId);
      free(env, r.freed);
      return {};
    },

    async ListParts(input) {
      const u = await needUpload(env, input.Bucket, input.Key, input.UploadId);
      const max = Math.min(input.MaxParts ?? 1000, 1000);
      const marker = Number(input.PartNumberMarker ?? 0) || 0;
      const rows = await env.store.parts(u.uploadId, marker, max + 1);
      const page = rows.slice(0, max);
      const truncated = rows.length > max;
      return {
        Bucket: u.bucket,
        Key: u.key,
        UploadId: u.uploadId,
        PartNumberMarker: marker,
        ...(truncated ? { NextPartNumberMarker: page[page.length - 1].partNumber } : {}),
        MaxParts: max,
        IsTruncated: truncated,
        Parts: page.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: new Date(p.lastModified),
          ETag: p.etag,
          Size: p.size,
          ...(p.checksum && u.spec.checksumAlgorithm ? checksumOutput({ algorithm: u.spec.checksumAlgorithm, value: p.checksum }) : {}),
        })),
        Initiator: { ID: u.initiatorArn, DisplayName: u.initiatorArn.split('/').pop() },
        Owner: owner(u.ownerAccountId),
        StorageClass: u.spec.storageClass,
        ...(u.spec.checksumAlgorithm ? { ChecksumAlgorithm: u.spec.checksumAlgorithm, ChecksumType: u.spec.checksumType } : {}),
      };
    },

    async ListMultipartUploads(input) {
      const b = await needBucket(env, input.Bucket);
      const max = Math.min(input.MaxUploads ?? 1000, 1000);
      const rows = await env.store.listUploads(b.name, input.Prefix ?? '', input.KeyMarker ?? '', input.UploadIdMarker ?? '', max + 1);
      const page = rows.slice(0, max);
      const truncated = rows.length > max;
      const last = page[page.length - 1];
      return {
        Bucket: b.name,
        KeyMarker: input.KeyMarker ?? '',
        UploadIdMarker: input.UploadIdMarker ?? '',
        ...(truncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId } : {}),
        ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
        MaxUploads: max,
        IsTruncated: truncated,
        Uploads: page.map((u) => ({
          UploadId: u.uploadId,
          Key: u.key,
          Initiated: new Date(u.initiated),
          StorageClass: u.spec.storageClass,
          Owner: owner(u.ownerAccountId),
          Initiator: { ID: u.initiatorArn, DisplayName: u.initiatorArn.split('/').pop() },
          ...(u.spec.checksumAlgorithm ? { ChecksumAlgorithm: u.spec.checksumAlgorithm, ChecksumType: u.spec.checksumType } : {}),
        })),
      };
    },
  };
}
