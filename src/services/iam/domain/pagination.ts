/**
 * IAM's `Marker`/`MaxItems`/`IsTruncated` pagination over an already sorted list. The marker is opaque to
 * clients (AWS sends a base64 blob); ours carries the sort key of the last item returned, so a page stays
 * correct when items before it are deleted between calls.
 */
import { IamError } from '../errors.js';

export const DEFAULT_MAX_ITEMS = 100;

export interface Page<T> {
  readonly items: T[];
  readonly isTruncated: boolean;
  /** Present only when truncated: pass it back as `Marker` to get the next page. */
  readonly marker?: string;
}

export interface PageRequest {
  readonly Marker?: string;
  readonly MaxItems?: number;
}

const PREFIX = 'mlz1:';

export function encodeMarker(key: string): string {
  return Buffer.from(PREFIX + key, 'utf8').toString('base64');
}

export function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) throw IamError.invalidInput('Invalid Marker.');
  return text.slice(PREFIX.length);
}

/** Compares sort keys by UTF-16 code units, the order `paginate` expects its input in. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts a copy of `items` by `keyOf` (which must be unique per item). */
export function sortByKey<T>(items: readonly T[], keyOf: (t: T) => string): T[] {
  return [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
}

/** One page of `sorted` (ascending by `keyOf`, keys unique) after the marker. */
export function paginate<T>(sorted: readonly T[], keyOf: (t: T) => string, req: PageRequest): Page<T> {
  const max = req.MaxItems ?? DEFAULT_MAX_ITEMS;
  let start = 0;
  if (req.Marker !== undefined) {
    const after = decodeMarker(req.Marker);
    while (start < sorted.length && compareKeys(keyOf(sorted[start]!), after) <= 0) start++;
  }
  const items = sorted.slice(start, start + max);
  const isTruncated = start + max < sorted.length;
  if (!isTruncated) return { items, isTruncated };
  return { items, isTruncated, marker: encodeMarker(keyOf(items[items.length - 1]!)) };
}
