/**
 * Object and bucket tag sets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html):
 * at most 10 tags per object and 50 per bucket, keys ≤ 128 and values ≤ 256 Unicode characters, unique keys.
 */
import { s3Errors } from './errors.js';

export type TagMap = Readonly<Record<string, string>>;

export function tagSetToMap(tags: ReadonlyArray<{ Key?: string; Value?: string }>, limit: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const key = t.Key ?? '';
    const value = t.Value ?? '';
    if (Object.hasOwn(out, key)) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    if ([...key].length < 1 || [...key].length > 128) throw s3Errors.invalidTag('The TagKey you have provided is invalid');
    if ([...value].length > 256) throw s3Errors.invalidTag('The TagValue you have provided is invalid');
    if (key.startsWith('aws:')) throw s3Errors.invalidTag('Your TagKey cannot be prefixed with aws:');
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(out).length > limit) throw s3Errors.invalidTag(limit === 10 ? 'Object tags cannot be greater than 10' : 'Bucket tag count cannot be greater than 50');
  return out;
}

/** The `x-amz-tagging` header of PutObject / CreateMultipartUpload: a URL query string `k1=v1&k2=v2`. */
export function parseTaggingHeader(header: string | undefined): Record<string, string> {
  if (!header) return {};
  const tags: Array<{ Key: string; Value: string }> = [];
  for (const part of header.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw s3Errors.invalidArgument('The header \'x-amz-tagging\' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.', 'x-amz-tagging', header);
      }
    };
    tags.push({ Key: dec(eq < 0 ? part : part.slice(0, eq)), Value: dec(eq < 0 ? '' : part.slice(eq + 1)) });
  }
  return tagSetToMap(tags, 10);
}

export function tagMapToSet(tags: TagMap): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
