/**
 * The List* operations' common rules (ListModels, ListEndpointConfigs, ListEndpoints, …): `NameContains` (case
 * insensitive, as the console's search box), creation/modification time windows, `SortBy` Name | CreationTime
 * (| Status), `SortOrder` (default Descending), `MaxResults` (default 10) and a NextToken that names the listing.
 */
import { decodePageToken, encodePageToken, type Page } from '../../../core/pagination.js';
import type { ResourceRecord } from '../store.js';
import { errors } from './errors.js';

export interface ListFilters {
  readonly NameContains?: string;
  readonly CreationTimeBefore?: Date;
  readonly CreationTimeAfter?: Date;
  readonly LastModifiedTimeBefore?: Date;
  readonly LastModifiedTimeAfter?: Date;
  readonly StatusEquals?: string;
  readonly SortBy?: string;
  readonly SortOrder?: string;
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

const ms = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

export function listPage<D>(records: readonly ResourceRecord<D>[], f: ListFilters, scope: string): Page<ResourceRecord<D>> {
  const name = f.NameContains?.toLowerCase();
  const [cb, ca, mb, ma] = [ms(f.CreationTimeBefore), ms(f.CreationTimeAfter), ms(f.LastModifiedTimeBefore), ms(f.LastModifiedTimeAfter)];
  const kept = records.filter(
    (r) =>
      (name === undefined || r.name.toLowerCase().includes(name)) &&
      (cb === undefined || r.createdAt < cb) &&
      (ca === undefined || r.createdAt > ca) &&
      (mb === undefined || r.modifiedAt < mb) &&
      (ma === undefined || r.modifiedAt > ma) &&
      (f.StatusEquals === undefined || r.status === f.StatusEquals),
  );
  const by = f.SortBy ?? 'CreationTime';
  const descending = (f.SortOrder ?? 'Descending') === 'Descending';
  const primary = (r: ResourceRecord<D>): string =>
    by === 'Name' ? r.name : by === 'Status' ? (r.status ?? '') : String(r.createdAt).padStart(15, '0');
  const keyed = kept.map((r) => ({ r, key: `${primary(r)}\u0000${r.arn}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (descending) keyed.reverse();
  const listing = `${scope}/${by}/${descending ? 'd' : 'a'}/${JSON.stringify([f.NameContains, cb, ca, mb, ma, f.StatusEquals])}`;
  let start = 0;
  if (f.NextToken) {
    const after = decodePageToken(f.NextToken, listing);
    if (after === undefined) throw errors.invalidToken();
    // Keyset: resume after the last key returned, so inserts and deletes between pages neither repeat nor skip.
    start = keyed.findIndex((x) => (descending ? x.key < after : x.key > after));
    if (start < 0) start = keyed.length;
  }
  const size = f.MaxResults ?? 10;
  const items = keyed.slice(start, start + size);
  const more = start + size < keyed.length;
  return { items: items.map((x) => x.r), ...(more ? { nextToken: encodePageToken(listing, items[items.length - 1]!.key) } : {}) };
}
