import { Agent as HttpAgent } from 'node:http';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash, randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

let server: TestServer;
let s3: S3Client;
let creds: Creds;
const MiB = 1024 * 1024;

beforeAll(async () => {
  server = await startTestServer();
  creds = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
  s3 = new S3Client({ ...clientConfig(server.url, creds), forcePathStyle: true });
});
afterAll(() => server.close());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function bytesOf(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

async function newBucket(): Promise<string> {
  const Bucket = unique('sdk-');
  await s3.send(new CreateBucketCommand({ Bucket }));
  return Bucket;
}

describe('S3 with the JS SDK v3', () => {
  it('creates, heads, lists, locates and deletes buckets; names are global and validated', async () => {
    const Bucket = await newBucket();
    await s3.send(new HeadBucketCommand({ Bucket }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining([Bucket, 'mlzone-raw-333333333333']));
    expect((await s3.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBeUndefined();
    const eu = unique('eu-');
    await s3.send(new CreateBucketCommand({ Bucket: eu, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: eu }))).LocationConstraint).toBe('eu-west-1');
    await expect(s3.send(new CreateBucketCommand({ Bucket: eu, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }))).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
    const admin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
    const other = new S3Client({ ...clientConfig(server.url, admin), forcePathStyle: true });
    await expect(other.send(new CreateBucketCommand({ Bucket }))).rejects.toMatchObject({ name: 'BucketAlreadyExists', $metadata: { httpStatusCode: 409 } });
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))).rejects.toMatchObject({ name: 'InvalidBucketName' });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'x', Body: 'x' }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket }))).rejects.toMatchObject({ name: 'BucketNotEmpty', $metadata: { httpStatusCode: 409 } });
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'x' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket, ExpectedBucketOwner: '444444444444' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await s3.send(new HeadBucketCommand({ Bucket, ExpectedBucketOwner: '333333333333' }));
    // Unfinished multipart uploads do not keep a bucket alive; they go with it.
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'pending' }));
    await s3.send(new DeleteBucketCommand({ Bucket }));
    await expect(s3.send(new HeadBucketCommand({ Bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new ListObjectsV2Command({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('puts and gets objects with metadata, content headers, MD5 ETag and checksums; keys are arbitrary UTF-8', async () => {
    const Bucket = await newBucket();
    for (const Key of ['k 1+x=y&z', 'dir/../x', 'ü/ß', 'a//b', "'()*!~", 'trailing/']) {
      const body = Buffer.from(`body of ${Key}`);
      const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'text/plain', Metadata: { owner: 'lake', 'run-id': '7' }, CacheControl: 'no-cache' }));
      expect(put.ETag).toBe(`"${md5(body)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect((await bytesOf(got.Body)).toString()).toBe(body.toString());
      expect(got).toMatchObject({ ContentType: 'text/plain', CacheControl: 'no-cache', Metadata: { owner: 'lake', 'run-id': '7' }, ContentLength: body.length });
    }
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((c) => c.Key);
    expect(keys).toEqual(["'()*!~", 'a//b', 'dir/../x', 'k 1+x=y&z', 'trailing/', 'ü/ß']);
    const sha = await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'hello', ChecksumAlgorithm: 'SHA256' }));
    expect(sha.ChecksumSHA256).toBe(createHash('sha256').update('hello').digest('base64'));
    const c32c = await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'hello', ChecksumAlgorithm: 'CRC32C' }));
    expect(c32c.ChecksumCRC32C).toBe('mnG7TA==');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'c', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ContentLength: 5, ChecksumCRC32C: 'mnG7TA==' });
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'hello', ChecksumCRC32: 'AAAAAA==' }))).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'hello', ContentMD5: Buffer.alloc(16).toString('base64') }))).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('streams PutObject and GetObject bodies (aws-chunked with a CRC32 trailer)', async () => {
    const Bucket = await newBucket();
    const data = randomBytes(3 * MiB + 17);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'stream.bin', Body: Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), ContentLength: data.length }));
    expect(put.ETag).toBe(`"${md5(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'stream.bin' }));
    const chunks: Buffer[] = [];
    for await (const c of got.Body as Readable) chunks.push(c as Buffer);
    expect(md5(Buffer.concat(chunks))).toBe(md5(data));
  });

  it('answers ranges and conditional requests', async () => {
    const Bucket = await newBucket();
    const body = Buffer.from('0123456789');
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key: 'r', Body: body }));
    const part = await s3.send(new GetObjectCommand({ Bucket, Key: 'r', Range: 'bytes=2-5' }));
    expect((await bytesOf(part.Body)).toString()).toBe('2345');
    expect(part).toMatchObject({ ContentRange: 'bytes 2-5/10', ContentLength: 4, $metadata: { httpStatusCode: 206 } });
    expect((await bytesOf((await s3.send(new GetObjectCommand({ Bucket, Key: 'r', Range: 'bytes=-3' }))).Body)).toString()).toBe('789');
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'r', Range: 'bytes=20-' }))).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'r', IfMatch: '"nope"' }))).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'r', IfNoneMatch: ETag }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'r', IfModifiedSince: new Date(Date.now() + 60_000) }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'r', IfMatch: ETag, IfModifiedSince: new Date(0) }))).ContentLength).toBe(10);
  });

  it('lists with prefix, delimiter, start-after, max-keys and continuation tokens (V2 and V1)', async () => {
    const Bucket = await newBucket();
    const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd', 'e'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c', 'd', 'e']);
    expect(top.KeyCount).toBe(5);
    const under = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'a/', Delimiter: '/' }));
    expect(under.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(under.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, Delimiter: '/', ContinuationToken }));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      ContinuationToken = page.NextContinuationToken;
      if (ContinuationToken) expect(page.IsTruncated).toBe(true);
    } while (ContinuationToken);
    expect(seen.sort()).toEqual(['a/', 'b/', 'c', 'd', 'e']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'b/1' }))).Contents?.map((c) => c.Key)).toEqual(['c', 'd', 'e']);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 3 }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2', 'a/b/3']);
    expect(v1.IsTruncated).toBe(true);
    const v1b = await s3.send(new ListObjectsCommand({ Bucket, Marker: 'a/b/3' }));
    expect(v1b.Contents?.map((c) => c.Key)).toEqual(['b/1', 'c', 'd', 'e']);
  });

  it('deletes many objects, copies within and across buckets, tags objects and buckets', async () => {
    const Bucket = await newBucket();
    const Other = await newBucket();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'copy me', Metadata: { a: '1' }, Tagging: 'team=lake&stage=raw' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: Other, Key: 'dst', CopySource: `${Bucket}/src` }));
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(Buffer.from('copy me'))}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: Other, Key: 'dst' }));
    expect((await bytesOf(got.Body)).toString()).toBe('copy me');
    expect(got.Metadata).toEqual({ a: '1' });
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src`, MetadataDirective: 'REPLACE', Metadata: { b: '2' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'src' }))).Metadata).toEqual({ b: '2' });
    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: 'src', CopySource: `${Bucket}/src` }))).rejects.toMatchObject({ name: 'InvalidRequest' });
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'src' }))).TagSet).toEqual([
      { Key: 'team', Value: 'lake' },
      { Key: 'stage', Value: 'raw' },
    ]);
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'src', Tagging: { TagSet: [{ Key: 'x', Value: 'y' }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'src' }))).TagSet).toEqual([{ Key: 'x', Value: 'y' }]);
    await expect(s3.send(new GetBucketTaggingCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchTagSet' });
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'cost', Value: 'ml' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'cost', Value: 'ml' }]);
    for (const Key of ['d1', 'd2', 'd3']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'd1' }, { Key: 'd2' }, { Key: 'missing' }] } }));
    expect(del.Deleted?.map((d) => d.Key)).toEqual(['d1', 'd2', 'missing']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((c) => c.Key)).toEqual(['d3', 'src']);
  });

  it('runs a multipart upload with part copy, ordered and sized parts, and the -N ETag', async () => {
    const Bucket = await newBucket();
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(1024);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'seed', Body: p2 }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'big', ContentType: 'application/x-test', Metadata: { m: 'v' } }));
    const u1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'big', UploadId, PartNumber: 1, Body: p1 }));
    const u2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'big', UploadId, PartNumber: 2, CopySource: `${Bucket}/seed`, CopySourceRange: 'bytes=0-1023' }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key: 'big', UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 5 * MiB],
      [2, 1024],
    ]);
    await expect(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: u2.CopyPartResult!.ETag }, { PartNumber: 1, ETag: u1.ETag }] } })),
    ).rejects.toMatchObject({ name: 'InvalidPartOrder' });
    await expect(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] } })),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: u1.ETag }, { PartNumber: 2, ETag: u2.CopyPartResult!.ETag }] } }),
    );
    const expected = createHash('md5').update(Buffer.concat([Buffer.from(md5(p1), 'hex'), Buffer.from(md5(p2), 'hex')])).digest('hex');
    expect(done.ETag).toBe(`"${expected}-2"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big', Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` }));
    expect(await bytesOf(got.Body)).toEqual(Buffer.concat([p1.subarray(-2), p2.subarray(0, 2)]));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'big' }));
    expect(head).toMatchObject({ ContentLength: 5 * MiB + 1024, ContentType: 'application/x-test', Metadata: { m: 'v' }, ETag: done.ETag });

    const small = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'small' }));
    const s1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'small', UploadId: small.UploadId, PartNumber: 1, Body: 'tiny' }));
    const s2 = await s3.send(new UploadPartCommand({ Bucket, Key: 'small', UploadId: small.UploadId, PartNumber: 2, Body: 'tiny' }));
    await expect(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'small', UploadId: small.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: s1.ETag }, { PartNumber: 2, ETag: s2.ETag }] } })),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'small', UploadId: small.UploadId }));
    await expect(s3.send(new ListPartsCommand({ Bucket, Key: 'small', UploadId: small.UploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('addresses buckets as virtual hosts (<bucket>.localhost), and finds the blueprint buckets with their tags', async () => {
    // *.localhost does not resolve here: connect every host to the loopback, keep the Host header.
    const lookup = (_host: string, opts: { all?: boolean }, cb: (err: null, address: unknown, family?: number) => void) =>
      opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    const handler = new NodeHttpHandler({ httpAgent: new HttpAgent({ lookup } as never) });
    const port = new URL(server.url).port;
    const virtual = new S3Client({ ...clientConfig(`http://localhost:${port}`, creds), forcePathStyle: false, requestHandler: handler });
    const Bucket = 'mlzone-curated-333333333333';
    const data = randomBytes(MiB + 5);
    await virtual.send(new PutObjectCommand({ Bucket, Key: 'vhost/stream.bin', Body: Readable.from([data]), ContentLength: data.length }));
    const got = await virtual.send(new GetObjectCommand({ Bucket, Key: 'vhost/stream.bin' }));
    expect(md5(await bytesOf(got.Body))).toBe(md5(data));
    expect((await virtual.send(new ListObjectsV2Command({ Bucket, Prefix: 'vhost/' }))).Contents?.map((c) => c.Key)).toEqual(['vhost/stream.bin']);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'classification', Value: 'curated' }]);
  });

  it('uploads a stream with @aws-sdk/lib-storage Upload (multipart, parallel parts)', async () => {
    const Bucket = await newBucket();
    const data = randomBytes(12 * MiB + 3);
    const upload = new Upload({ client: s3, params: { Bucket, Key: 'lib-storage.bin', Body: Readable.from([data]) }, partSize: 5 * MiB, queueSize: 3 });
    const out = await upload.done();
    expect(out.ETag).toMatch(/-3"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'lib-storage.bin' }));
    expect(md5(await bytesOf(got.Body))).toBe(md5(data));
  });
});
