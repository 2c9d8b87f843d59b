/** What every S3 handler module shares: the store, the blob store and small helpers over them. */
import type { Clock } from '../../core/clock.js';
import type { BlobStore, StoredBlob } from '../../persistence/blob/blob-store.js';
import { digestingSource, precheck, type BodyChecks, type BodyDigests } from './body.js';
import { isChecksumAlgorithm, type ChecksumAlgorithm } from './domain/checksum.js';
import { s3Errors } from './domain/errors.js';
import { canonicalUserId } from './domain/names.js';
import type { BucketRecord, ContentHeaders } from './records.js';
import type { S3Store } from './store.js';

export interface S3Env {
  readonly store: S3Store;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  /** IAM's grammar check of a resource policy (MalformedPolicy message), injected by the app. */
  readonly validatePolicy: (document: string) => string | undefined;
  readonly log?: (msg: string, err?: unknown) => void;
}

export async function needBucket(env: S3Env, name: string): Promise<BucketRecord> {
  const b = await env.store.bucket(name);
  if (!b) throw s3Errors.noSuchBucket(name);
  return b;
}

/** Frees blobs a committed write no longer references; failures only leave orphans for the next sweep. */
export function free(env: S3Env, ids: readonly string[]): void {
  for (const id of ids) void env.blobs.delete(id).catch((e: unknown) => env.log?.(`s3: could not delete blob ${id}`, e));
}

/** Writes a request body to a new blob, checking digests on the way. */
export async function writeBody(env: S3Env, body: unknown, checks: BodyChecks): Promise<{ blob: StoredBlob; digests: BodyDigests }> {
  precheck(checks);
  const { source, result } = digestingSource(body, checks);
  const blob = await env.blobs.write(source);
  return { blob, digests: result() };
}

/** Checksum members of a request, by algorithm. */
export function sentChecksums(input: Partial<Record<`Checksum${ChecksumAlgorithm}`, string>>): Partial<Record<ChecksumAlgorithm, string>> {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  if (input.ChecksumCRC32 !== undefined) out.CRC32 = input.ChecksumCRC32;
  if (input.ChecksumCRC32C !== undefined) out.CRC32C = input.ChecksumCRC32C;
  if (input.ChecksumSHA1 !== undefined) out.SHA1 = input.ChecksumSHA1;
  if (input.ChecksumSHA256 !== undefined) out.SHA256 = input.ChecksumSHA256;
  return out;
}

export function algorithmOf(s: string | undefined): ChecksumAlgorithm | undefined {
  return isChecksumAlgorithm(s) ? (s.toUpperCase() as ChecksumAlgorithm) : undefined;
}

/** `Checksum<ALG>: value` as an output member. */
export function checksumOutput(c: { algorithm: ChecksumAlgorithm; value: string } | undefined): Record<string, string> {
  return c ? { [`Checksum${c.algorithm}`]: c.value } : {};
}

interface ContentInput {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
}

/** The content headers to store; `aws-chunked` is a transfer detail, not the object's encoding. */
export function contentHeaders(input: ContentInput): ContentHeaders {
  const enc = input.ContentEncoding?.split(',').map((e) => e.trim()).filter((e) => e !== '' && e !== 'aws-chunked').join(',');
  const out: Record<string, string> = {};
  out.ContentType = input.ContentType ?? 'binary/octet-stream';
  if (enc) out.ContentEncoding = enc;
  if (input.ContentDisposition !== undefined) out.ContentDisposition = input.ContentDisposition;
  if (input.ContentLanguage !== undefined) out.ContentLanguage = input.ContentLanguage;
  if (input.CacheControl !== undefined) out.CacheControl = input.CacheControl;
  if (input.Expires !== undefined) out.Expires = input.Expires;
  if (input.WebsiteRedirectLocation !== undefined) out.WebsiteRedirectLocation = input.WebsiteRedirectLocation;
  return out;
}

/** Content headers as output members. */
export function headersOutput(h: ContentHeaders): Record<string, unknown> {
  return { ...h };
}

export function owner(accountId: string): { ID: string; DisplayName: string } {
  return { ID: canonicalUserId(accountId), DisplayName: accountId };
}
