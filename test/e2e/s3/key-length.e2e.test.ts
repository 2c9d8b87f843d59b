/** S3 refuses keys over 1,024 UTF-8 bytes with KeyTooLongError and stores nothing (PutObject, CopyObject, CreateMultipartUpload). */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique } from '../support/sessions.js';

let server: TestServer;
let s3: S3Client;
let Bucket: string;

beforeAll(async () => {
  server = await startTestServer();
  const creds = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
  s3 = new S3Client({ ...clientConfig(server.url, creds), forcePathStyle: true });
  Bucket = unique('keys-');
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'source', Body: 'source bytes' }));
});
afterAll(() => server.close());

// 1,024 bytes is the ceiling; 'é' is two bytes in UTF-8, so 513 of them (513 characters) are 1,026 bytes.
const atLimit = 'k'.repeat(1024);
const overInBytes = 'é'.repeat(513);
const tooLong = { name: 'KeyTooLongError', message: 'Your key is too long', $metadata: { httpStatusCode: 400 } };

async function keys(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

describe('S3 key length', () => {
  it('PutObject: a key of 1,024 bytes is stored, one over it is refused and nothing is stored', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: atLimit, Body: 'fits' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: atLimit }))).ContentLength).toBe(4);
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: `${atLimit}x`, Body: 'too long' }))).rejects.toMatchObject(tooLong);
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: overInBytes, Body: 'too long in bytes' }))).rejects.toMatchObject(tooLong);
    expect(await keys()).not.toContain(`${atLimit}x`);
    expect(await keys()).not.toContain(overInBytes);
  });

  it('CopyObject to a key over 1,024 bytes is refused and creates nothing', async () => {
    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: overInBytes, CopySource: `${Bucket}/source` }))).rejects.toMatchObject(tooLong);
    expect(await keys()).not.toContain(overInBytes);
  });

  it('CreateMultipartUpload for a key over 1,024 bytes is refused and starts no upload', async () => {
    await expect(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: `${atLimit}y` }))).rejects.toMatchObject(tooLong);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});
