/**
 * S3 as a job's execution role: listing a channel's prefix, downloading its objects into the job folder, uploading
 * what the job left. Every call goes through the internal client as the role's session, so the bucket policies, the
 * role's own policies and the SCPs decide, and each denial becomes the FailureReason AWS would give.
 */
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { isAwsError } from '../../../core/errors.js';
import type { Principal } from '../../../core/principal.js';
import type { HostingPorts } from '../hosting/ports.js';

/** A job failure whose message is the job's FailureReason (AWS prefixes the client's fault with `ClientError:`). */
export class JobFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobFailure';
  }
}

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/?(.*)$/;

export function parseS3Uri(uri: string): S3Location | undefined {
  const m = S3_URI.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

function reasonOf(e: unknown): string {
  return isAwsError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}

export class RoleS3 {
  constructor(
    private readonly ports: HostingPorts,
    private readonly as: Principal,
    private readonly roleArn: string,
    private readonly region: string,
    private readonly sourceArn: string,
  ) {}

  private call<O>(operation: string, input: Record<string, unknown>): Promise<O> {
    return this.ports.internal().call<O>({ service: 's3', operation, input, principal: this.as, region: this.region, via: { calledVia: ['sagemaker.amazonaws.com'], sourceArn: this.sourceArn } });
  }

  /** Every object under `uri` (a key prefix), in key order. */
  async list(uri: string): Promise<Array<{ key: string; size: number }>> {
    const at = parseS3Uri(uri);
    if (!at) throw new JobFailure(`ClientError: ${uri} is not an S3 URI (s3://bucket/prefix).`);
    const out: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.call<{ Contents?: Array<{ Key: string; Size?: number }>; NextContinuationToken?: string; IsTruncated?: boolean }>('ListObjectsV2', {
          Bucket: at.bucket,
          Prefix: at.key,
          ...(token ? { ContinuationToken: token } : {}),
        });
        for (const o of page.Contents ?? []) out.push({ key: o.Key, size: Number(o.Size ?? 0) });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw new JobFailure(`ClientError: Data download failed: could not list ${uri} as ${this.roleArn}. ${reasonOf(e)}`);
    }
    return out;
  }

  async read(bucket: string, key: string): Promise<Buffer> {
    const body = await this.get(bucket, key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }

  /** Streams one object into `file` (its folder is created). */
  async download(bucket: string, key: string, file: string): Promise<void> {
    const body = await this.get(bucket, key);
    await mkdir(dirname(file), { recursive: true });
    await pipeline(Readable.from(body), createWriteStream(file));
  }

  private async get(bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | Uint8Array[]> {
    try {
      const out = await this.call<{ Body?: AsyncIterable<Uint8Array> | Uint8Array }>('GetObject', { Bucket: bucket, Key: key });
      const body = out.Body ?? new Uint8Array(0);
      return body instanceof Uint8Array ? [body] : body;
    } catch (e) {
      throw new JobFailure(`ClientError: Data download failed: could not download s3://${bucket}/${key} as ${this.roleArn}. ${reasonOf(e)}`);
    }
  }

  async upload(uri: string, body: Buffer, what: string): Promise<void> {
    const at = parseS3Uri(uri);
    if (!at) throw new JobFailure(`ClientError: ${uri} is not an S3 URI.`);
    try {
      await this.call('PutObject', { Bucket: at.bucket, Key: at.key, Body: body });
    } catch (e) {
      throw new JobFailure(`ClientError: ${what} upload failed: could not write ${uri} as ${this.roleArn}. ${reasonOf(e)}`);
    }
  }
}

/** Uploads every file below `dir` to `<uri>/<relative path>` (a job's outputs, its checkpoints). */
export async function uploadTree(s3: RoleS3, dir: string, uri: string, what: string): Promise<void> {
  const base = uri.replace(/\/+$/, '');
  const walk = async (at: string, rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(at, e.name), key);
      else if (e.isFile()) await s3.upload(`${base}/${key}`, await readFile(join(at, e.name)), what);
    }
  };
  await walk(dir, '');
}
