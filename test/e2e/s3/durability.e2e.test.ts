import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { clientConfig, users } from '../support/server.js';
import { assumeRole } from '../support/sessions.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-s3-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const MiB = 1024 * 1024;

function blobFiles(): string[] {
  const root = join(dataDir, 'blobs');
  return readdirSync(root)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(root, d)));
}

/** A body that sends 3 MiB and then stalls: the server is killed while it is writing the blob. */
function stalledBody(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < 3) {
        sent++;
        this.push(randomBytes(MiB));
      }
    },
  });
}

describe('S3 objects across kill -9', () => {
  it('keeps acknowledged objects, never shows a half-written one, and frees space on delete', async () => {
    const first = await startCli(['--data-dir', dataDir]);
    const creds = await assumeRole(first.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin', { DurationSeconds: 3600 });
    const s3 = (url: string) => new S3Client({ ...clientConfig(url, creds), forcePathStyle: true });
    const Bucket = 'restart-bucket';
    await s3(first.url).send(new CreateBucketCommand({ Bucket }));
    const small = randomBytes(1000);
    const big = randomBytes(11 * MiB);
    await s3(first.url).send(new PutObjectCommand({ Bucket, Key: 'small', Body: small }));
    await new Upload({ client: s3(first.url), params: { Bucket, Key: 'big', Body: big }, partSize: 5 * MiB }).done();
    const halfDone = s3(first.url).send(new PutObjectCommand({ Bucket, Key: 'half', Body: stalledBody(), ContentLength: 64 * MiB })).catch((e: unknown) => e);
    // Wait until the server has the temporary file of the stalled upload open.
    for (let i = 0; i < 100 && readdirSync(join(dataDir, 'blobs', 'tmp')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(dataDir, 'blobs', 'tmp'))).toHaveLength(1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(await halfDone).toBeInstanceOf(Error);

    const second = await startCli(['--data-dir', dataDir]);
    try {
      const client = s3(second.url);
      const got = async (Key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());
      expect(md5(await got('small'))).toBe(md5(small));
      expect(md5(await got('big'))).toBe(md5(big));
      await expect(client.send(new HeadObjectCommand({ Bucket, Key: 'half' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
      // One blob for `small`, three parts for `big`: nothing else is visible under a blob name.
      expect(blobFiles()).toHaveLength(4);
      await client.send(new DeleteObjectCommand({ Bucket, Key: 'small' }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: 'big' }));
      await new Promise((r) => setTimeout(r, 200));
      expect(blobFiles()).toHaveLength(0);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 90_000);
});
