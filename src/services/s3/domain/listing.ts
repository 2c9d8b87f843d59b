/**
 * ListObjects / ListObjectsV2 / ListMultipartUploads paging, independent of storage.
 *
 * The store walks keys in UTF-8 byte order starting after a cursor and offers each one to a `Listing`.
 * The listing groups keys that contain the delimiter after the prefix into common prefixes, stops once
 * `maxKeys` entries (keys + prefixes) are collected, and when a common prefix was just emitted tells the
 * store to seek past every key under it instead of reading them all.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export interface ListingParams {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
}

export type Offer =
  | { readonly kind: 'next' }
  /** Continue from the first key ≥ `from` (all keys under the last common prefix are skipped). */
  | { readonly kind: 'seek'; readonly from: string }
  /** The page is full; there is at least one more entry. */
  | { readonly kind: 'full' };

export class Listing<T> {
  readonly contents: T[] = [];
  readonly commonPrefixes: string[] = [];
  /** The key or common prefix listed last: V1's NextMarker, V2's continuation point. */
  last: string | undefined;
  private lastIsPrefix = false;
  truncated = false;

  constructor(private readonly params: ListingParams) {}

  private get count(): number {
    return this.contents.length + this.commonPrefixes.length;
  }

  offer(key: string, entry: T): Offer {
    const { prefix, delimiter, maxKeys } = this.params;
    if (!key.startsWith(prefix)) return { kind: 'next' };
    if (this.count >= maxKeys) {
      this.truncated = true;
      return { kind: 'full' };
    }
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        const common = key.slice(0, at + delimiter.length);
        this.commonPrefixes.push(common);
        this.last = common;
        this.lastIsPrefix = true;
        return { kind: 'seek', from: successor(common) };
      }
    }
    this.contents.push(entry);
    this.last = key;
    this.lastIsPrefix = false;
    return { kind: 'next' };
  }

  /** Where the next page starts (inclusive): just after the last key, or past everything under the last prefix. */
  resumeFrom(): string | undefined {
    if (this.last === undefined) return undefined;
    return this.lastIsPrefix ? successor(this.last) : after(this.last);
  }
}

/** The smallest string greater than `s`. */
export function after(s: string): string {
  return `${s}\u0000`;
}

/** The smallest string greater than every string that starts with `s` (code point order = UTF-8 byte order). */
export function successor(s: string): string {
  const cps = [...s];
  while (cps.length > 0) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      // Skip the surrogate range, which never appears as a code point in a valid string.
      const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return '\u{10ffff}'.repeat(s.length + 1);
}

/** UTF-8 byte order (= code point order), which is how S3 sorts keys; JS `<` compares UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** ListObjectsV2's opaque continuation token: the (inclusive) position the next page starts from. */
export function encodeContinuationToken(from: string): string {
  return Buffer.from(JSON.stringify({ f: from }), 'utf8').toString('base64');
}

export function decodeContinuationToken(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { f?: unknown };
    return typeof v.f === 'string' ? v.f : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keys as they go out with `encoding-type=url`: percent-encoded like S3 does (botocore decodes them with
 * unquote_plus, so `+` and space must both be encoded); `/` stays readable.
 */
export function urlEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
