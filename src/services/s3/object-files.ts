/**
 * Object bodies as local files, for readers that open files themselves (Athena's DuckDB). Does not authorize:
 * the caller has decided (Lake Formation vended access, or the caller's own s3:ListBucket/GetObject checked
 * through the internal client). A multipart object spans several blobs; it is assembled once into a cache file
 * named by bucket, key and ETag (an overwrite has another ETag, so a stale copy is never read).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../persistence/blob/blob-store.js';
import type { ObjectRecord } from './records.js';
import type { S3Store } from './store.js';

export interface ObjectFile {
  readonly key: string;
  readonly size: number;
  readonly localPath: string;
}

export interface S3ObjectFiles {
  /** Objects under `prefix` in key order, each with a local file of its bytes; undefined without such a bucket. */
  objectFiles(bucket: string, prefix: string): Promise<ObjectFile[] | undefined>;
}

const PAGE = 1000;

export function createObjectFiles(store: S3Store, blobs: BlobStore): S3ObjectFiles {
  const cacheDir = join(tmpdir(), 'mlzone-s3-assembled');
  async function assembled(o: ObjectRecord): Promise<string> {
    const name = createHash('sha256').update(`${o.bucket}\0${o.key}\0${o.etag}`).digest('hex');
    const path = join(cacheDir, name);
    const done = await stat(path).then((s) => s.size === o.size, () => false);
    if (done) return path;
    await mkdir(cacheDir, { recursive: true });
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    const out = createWriteStream(temp);
    await pipeline(async function* () {
      for (const seg of o.segments) yield* await blobs.read(seg.blob);
    }, out);
    await rename(temp, path);
    return path;
  }
  async function localPathOf(o: ObjectRecord): Promise<string> {
    if (o.segments.length === 1 && blobs.localPath) {
      const p = blobs.localPath(o.segments[0]!.blob);
      if (p) return p;
    }
    return assembled(o);
  }
  return {
    async objectFiles(bucket, prefix) {
      if (!(await store.bucket(bucket))) return undefined;
      const out: ObjectFile[] = [];
      let from = '';
      for (;;) {
        const page = await store.listObjects(bucket, from, prefix, PAGE);
        for (const o of page) out.push({ key: o.key, size: o.size, localPath: await localPathOf(o) });
        if (page.length < PAGE) return out;
        from = page[page.length - 1]!.key + '\0';
      }
    },
  };
}
