/**
 * Staging a channel or processing input: the objects under an `S3Prefix`, or listed by a `ManifestFile` (its first
 * element `{"prefix": …}`, then keys relative to it), downloaded as the role into a folder, keeping each key's path
 * below the prefix. `ShardedByS3Key` gives host i of n every n-th object; `FullyReplicated` gives each host all.
 */
import { join } from 'node:path';
import { JobFailure, parseS3Uri, type RoleS3 } from './role-s3.js';

export interface StagedObject {
  readonly bucket: string;
  readonly key: string;
  /** Path below the channel folder. */
  readonly relative: string;
}

async function manifestObjects(s3: RoleS3, uri: string): Promise<StagedObject[]> {
  const at = parseS3Uri(uri);
  if (!at) throw new JobFailure(`ClientError: ${uri} is not an S3 URI.`);
  const text = (await s3.read(at.bucket, at.key)).toString('utf8');
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new JobFailure(`ClientError: The manifest file ${uri} is not valid JSON: it must be a list whose first element is {"prefix": "s3://…"} followed by keys.`);
  }
  if (!Array.isArray(entries) || typeof (entries[0] as { prefix?: unknown })?.prefix !== 'string') {
    throw new JobFailure(`ClientError: The manifest file ${uri} must be a list whose first element is {"prefix": "s3://…"}.`);
  }
  const prefix = parseS3Uri((entries[0] as { prefix: string }).prefix);
  if (!prefix) throw new JobFailure(`ClientError: The prefix of manifest ${uri} is not an S3 URI.`);
  return entries.slice(1).map((e) => {
    const rel = String(e);
    return { bucket: prefix.bucket, key: `${prefix.key}${rel}`, relative: rel };
  });
}

/** The objects an input names (sorted by key, as the service lists them). */
export async function inputObjects(s3: RoleS3, uri: string, dataType: string): Promise<StagedObject[]> {
  if (dataType === 'ManifestFile') return manifestObjects(s3, uri);
  const at = parseS3Uri(uri);
  if (!at) throw new JobFailure(`ClientError: ${uri} is not an S3 URI.`);
  const listed = await s3.list(uri);
  const objects = listed.filter((o) => !o.key.endsWith('/'));
  if (objects.length === 0) throw new JobFailure(`ClientError: No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region (us-east-1), that objects exist under that S3 prefix, and that the role has "s3:ListBucket" permissions on bucket "${at.bucket}".`);
  // Each object lands at its key less the prefix (`data/train` + `data/train/a.csv` → `a.csv`); an object whose key
  // is the prefix itself keeps its file name.
  return objects.map((o) => {
    const rest = o.key.slice(at.key.length).replace(/^\/+/, '');
    return { bucket: at.bucket, key: o.key, relative: rest || o.key.slice(o.key.lastIndexOf('/') + 1) };
  });
}

export function shard<T>(objects: readonly T[], distribution: string | undefined, host: number, hosts: number): T[] {
  return distribution === 'ShardedByS3Key' ? objects.filter((_, i) => i % hosts === host) : [...objects];
}

export async function download(s3: RoleS3, objects: readonly StagedObject[], dir: string): Promise<void> {
  // A few at a time: the internal client has no network to wait on, but files do.
  const queue = [...objects];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) await s3.download(o.bucket, o.key, join(dir, o.relative));
    }),
  );
}
