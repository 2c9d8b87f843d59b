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

/** The canonical user id S3 shows as `Owner.ID` for an account: stable 64 hex characters. */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`mlzone-canonical-user:${accountId}`).digest('hex');
}
