/**
 * Sorting and paging Search results. `SortBy` is any property (default `LastModifiedTime`), `SortOrder`
 * Ascending | Descending (default Descending), `MaxResults` 1–100 (default 10) — API reference, Search.
 *
 * - A record's sort value is its property's value: numbers and timestamps before Booleans before text (values of
 *   one property normally share a type); a multi-valued property sorts by its smallest value ascending and its
 *   largest descending (what the search index behind the API does with arrays); records without the property
 *   come last in either order.
 * - `LastModifiedTime` and `CreationTime` fall back on the resource's stored times when the record has no such
 *   member (model package groups have no `LastModifiedTime`, models no `LastModifiedTime` either).
 * - Ties break on the ARN, so the order is total and a page boundary is a key: the NextToken carries the last
 *   record's (sort value, ARN) and the listing it belongs to (`core/pagination.ts`), and the next page starts
 *   after that key even if records were added or deleted meanwhile.
 */
import { decodePageToken, encodePageToken, type Page } from '../../../../core/pagination.js';
import { errors } from '../../domain/errors.js';
import { TIME_FALLBACK_PROPERTIES, propertyValues, type SearchableResource } from './resources.js';
import { typeOf } from './values.js';

export const DEFAULT_SORT_BY = 'LastModifiedTime';
export const DEFAULT_MAX_RESULTS = 10;

/** [rank, value]: rank 0 number or timestamp, 1 Boolean, 2 text, 3 missing. */
export type SortValue = readonly [0 | 1 | 2 | 3, number | string];

export interface Candidate {
  readonly arn: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

const MISSING: SortValue = [3, ''];

function compareValues(a: SortValue, b: SortValue): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export function sortValue(resource: SearchableResource, c: Candidate, sortBy: string, descending: boolean): SortValue {
  const values: SortValue[] = [];
  for (const leaf of propertyValues(resource, c.body, sortBy)) {
    const t = typeOf(leaf);
    if (!t) continue;
    if (t.kind === 'number' || t.kind === 'time') values.push([0, t.n]);
    else if (t.kind === 'boolean') values.push([1, t.b ? 1 : 0]);
    else values.push([2, t.s]);
  }
  if (values.length === 0) {
    if (!TIME_FALLBACK_PROPERTIES.has(sortBy)) return MISSING;
    return [0, sortBy === 'CreationTime' ? c.createdAt : c.modifiedAt];
  }
  values.sort(compareValues);
  return descending ? values[values.length - 1]! : values[0]!;
}

interface Keyed<T> {
  readonly item: T;
  readonly value: SortValue;
  readonly arn: string;
}

function comparator(descending: boolean) {
  return (a: { value: SortValue; arn: string }, b: { value: SortValue; arn: string }): number => {
    const aMissing = a.value[0] === 3;
    const bMissing = b.value[0] === 3;
    let c: number;
    if (aMissing || bMissing) c = aMissing === bMissing ? 0 : aMissing ? 1 : -1;
    else c = descending ? -compareValues(a.value, b.value) : compareValues(a.value, b.value);
    if (c !== 0) return c;
    return a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0;
  };
}

function isSortValue(v: unknown): v is SortValue {
  return Array.isArray(v) && v.length === 2 && [0, 1, 2, 3].includes(v[0] as number) && (typeof v[1] === 'number' || typeof v[1] === 'string');
}

export interface PageRequest {
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
  /** Names the listing (resource, expression, sort, scope); a token from another listing is refused. */
  readonly scope: string;
}

/** One page of `candidates` in Search's order. */
export function searchPage<T extends Candidate>(resource: SearchableResource, candidates: readonly T[], req: PageRequest): Page<T> {
  const sortBy = req.sortBy ?? DEFAULT_SORT_BY;
  const descending = (req.sortOrder ?? 'Descending') === 'Descending';
  const cmp = comparator(descending);
  const keyed: Keyed<T>[] = candidates.map((item) => ({ item, value: sortValue(resource, item, sortBy, descending), arn: item.arn }));
  keyed.sort(cmp);
  let start = 0;
  if (req.nextToken !== undefined && req.nextToken !== '') {
    const raw = decodePageToken(req.nextToken, req.scope);
    let after: unknown;
    try {
      after = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      after = undefined;
    }
    if (!Array.isArray(after) || after.length !== 2 || !isSortValue(after[0]) || typeof after[1] !== 'string') throw errors.invalidToken();
    const last = { value: after[0] as SortValue, arn: after[1] as string };
    start = keyed.findIndex((k) => cmp(k, last) > 0);
    if (start < 0) start = keyed.length;
  }
  const size = req.maxResults ?? DEFAULT_MAX_RESULTS;
  const page = keyed.slice(start, start + size);
  if (start + size >= keyed.length) return { items: page.map((k) => k.item) };
  const lastKey = page[page.length - 1]!;
  return { items: page.map((k) => k.item), nextToken: encodePageToken(req.scope, JSON.stringify([lastKey.value, lastKey.arn])) };
}
