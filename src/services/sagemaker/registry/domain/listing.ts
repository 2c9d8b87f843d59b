/**
 * Filtering and ordering of ListModelPackageGroups and ListModelPackages. Both sort by `CreationTime` (default) or
 * `Name`, `Ascending` by default (API reference), and page with `core/pagination.ts keysetPage`, whose keys must
 * increase along the listing: `sortKey` builds a string whose plain order is the requested order (descending keys are
 * the ascending ones with every character inverted), so a page boundary survives inserts and deletes.
 */
import type { ModelApprovalStatus, ModelPackageType } from '../../api.gen.js';

export type SortBy = 'Name' | 'CreationTime';
export type SortOrder = 'Ascending' | 'Descending';

/** What a listing orders and filters on, taken from a stored record. */
export interface Listed {
  readonly arn: string;
  /** A group's name; a package's name (a version's group name). */
  readonly name: string;
  readonly version?: number;
  readonly createdAt: number;
}

export interface CommonFilter {
  readonly nameContains?: string;
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
}

/**
 * SageMaker list filters: `NameContains` as a case-insensitive substring (best guess: AWS does not say; its other
 * `NameContains` filters ignore case), creation times exclusive on both ends ("created after"/"created before").
 */
export function matchesCommon(item: Listed, f: CommonFilter): boolean {
  if (f.nameContains !== undefined && f.nameContains !== '' && !item.name.toLowerCase().includes(f.nameContains.toLowerCase())) return false;
  if (f.creationTimeAfter !== undefined && !(item.createdAt > f.creationTimeAfter)) return false;
  if (f.creationTimeBefore !== undefined && !(item.createdAt < f.creationTimeBefore)) return false;
  return true;
}

/**
 * Which packages ListModelPackages shows: with a group, that group's versions (the type filter does not apply: a group
 * holds versions only); without, `ModelPackageType` decides, and its default is `Unversioned` (API reference:
 * "UNVERSIONED … This is the default value if no ModelPackageType is specified").
 */
export function matchesType(item: Listed, type: ModelPackageType | undefined, byGroup: boolean): boolean {
  if (byGroup) return item.version !== undefined;
  switch (type ?? 'Unversioned') {
    case 'Versioned':
      return item.version !== undefined;
    case 'Both':
      return true;
    default:
      return item.version === undefined;
  }
}

export function matchesApproval(status: string | undefined, wanted: ModelApprovalStatus | undefined): boolean {
  return wanted === undefined || status === wanted;
}

const SEP = '\u0001';
const pad = (n: number, width: number) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');

/** Every character mirrored (0xFFFF - c) and a terminator that sorts after all of them: reverses the string order. */
function descending(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) out += String.fromCharCode(0xffff - key.charCodeAt(i));
  return `${out}\uffff`;
}

/** A key whose string order is the listing's order (ties broken by version, then ARN, so keys are unique). */
export function sortKey(item: Listed, by: SortBy, order: SortOrder): string {
  const created = pad(item.createdAt, 16);
  const version = pad(item.version ?? 0, 10);
  const asc = by === 'Name' ? [item.name, version, created, item.arn].join(SEP) : [created, item.name, version, item.arn].join(SEP);
  return order === 'Descending' ? descending(asc) : asc;
}

/** `items` filtered by `keep`, each with its sort key, in listing order (ready for `keysetPage`). */
export function ordered<T>(items: readonly T[], listed: (item: T) => Listed, keep: (item: T) => boolean, by: SortBy, order: SortOrder): Array<{ item: T; key: string }> {
  const out = items.filter(keep).map((item) => ({ item, key: sortKey(listed(item), by, order) }));
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
