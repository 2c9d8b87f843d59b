/** The source of CopyObject / UploadPartCopy: `x-amz-copy-source: [/]bucket/key[?versionId=…]`, URL-encoded. */
import { evaluateConditions, type Conditions } from '../domain/conditional.js';
import { s3Errors } from '../domain/errors.js';
import { needBucket, type S3Env } from '../context.js';
import type { ObjectRecord } from '../records.js';

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
}

export function copySource(header: string): CopySource {
  const q = header.indexOf('?');
  const path = (q < 0 ? header : header.slice(0, q)).replace(/^\//, '');
  const slash = path.indexOf('/');
  const invalid = () => s3Errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', header);
  if (slash <= 0 || slash === path.length - 1) throw invalid();
  try {
    return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw invalid();
  }
}

/** The source object, after its `x-amz-copy-source-if-*` conditions (a failed one is 412 for copies). */
export async function readSourceObject(env: S3Env, src: CopySource, conditions: Conditions): Promise<ObjectRecord> {
  await needBucket(env, src.bucket);
  const o = await env.store.object(src.bucket, src.key);
  if (!o) throw s3Errors.noSuchKey(src.key);
  const outcome = evaluateConditions(conditions, o.etag, o.lastModified);
  if (outcome.kind !== 'proceed') throw s3Errors.preconditionFailed(outcome.kind === 'not-modified' ? 'x-amz-copy-source-If-None-Match' : `x-amz-copy-source-${outcome.condition}`);
  return o;
}
