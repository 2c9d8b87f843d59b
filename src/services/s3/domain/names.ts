/**
 * Bucket naming rules for general purpose buckets
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
import { createHash } from 'node:crypto';

const NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  if (!NAME.test(name) || IP.test(name) || name.includes('..') || name.includes('.-') || name.includes('-.')) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

/** S3's ceiling on an object key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** The key's size in UTF-8 bytes when it is over `MAX_KEY_BYTES`, else undefined (S3 answers KeyTooLongError). */
export function oversizedKey(key: string): number | undefined {
  // A UTF-16 unit takes at most three bytes: short keys need no count.
  if (key.length * 3 <= MAX_KEY_BYTES) return undefined;
  const size = Buffer.byteLength(key, 'utf8');
  return size > MAX_KEY_BYTES ? size : undefined;
}

/** The canonical user id S3 shows as `Owner.ID` for an account: stable 64 hex characters. */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`mlzone-canonical-user:${accountId}`).digest('hex');
}
