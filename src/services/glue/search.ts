/**
 * SearchTables' matching, pure: `SearchText` against a table's text (names, description, owner, type, parameters,
 * column names and comments; case-insensitive substring, or an exact value when quoted), `Filters`
 * (PropertyPredicate: string fields match by token as Glue documents it, time fields with a Comparator) and
 * `SortCriteria`. https://docs.aws.amazon.com/glue/latest/webapi/API_SearchTables.html
 */
import type { PropertyPredicate, SortCriterion, Table } from './api.gen.js';

export type SearchError = (message: string) => Error;

const TIME_FIELDS = new Set(['createtime', 'updatetime', 'lastaccesstime', 'lastanalyzedtime']);

/** The table's searchable strings. */
function texts(t: Table): string[] {
  const cols = [...(t.StorageDescriptor?.Columns ?? []), ...(t.PartitionKeys ?? [])];
  return [
    t.Name,
    t.DatabaseName ?? '',
    t.Description ?? '',
    t.Owner ?? '',
    t.TableType ?? '',
    t.StorageDescriptor?.Location ?? '',
    ...Object.values(t.Parameters ?? {}),
    ...cols.flatMap((c) => [c.Name, c.Comment ?? '']),
  ].filter((s) => s !== '');
}

export function matchesText(t: Table, searchText: string | undefined): boolean {
  const q = (searchText ?? '').trim();
  if (q === '') return true;
  const quoted = /^"(.*)"$/s.exec(q);
  if (quoted) return texts(t).some((s) => s.toLowerCase() === quoted[1]!.toLowerCase());
  return texts(t).some((s) => s.toLowerCase().includes(q.toLowerCase()));
}

/** The value of a filter key on a table: a top-level string field, or else a table parameter of that name. */
function field(t: Table, key: string): string | undefined {
  const known: Record<string, string | undefined> = {
    name: t.Name,
    databasename: t.DatabaseName,
    description: t.Description,
    owner: t.Owner,
    tabletype: t.TableType,
    location: t.StorageDescriptor?.Location,
    catalogid: t.CatalogId,
  };
  const k = key.toLowerCase();
  if (k in known) return known[k];
  return t.Parameters?.[key];
}

/** Glue splits the field's value on punctuation into tokens and compares each token with the value. */
const tokens = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/i).filter(Boolean);

function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? Number(v) * (Number(v) < 1e11 ? 1000 : 1) : Date.parse(v);
  return NaN;
}

export function checkFilters(filters: readonly PropertyPredicate[] | undefined, invalid: SearchError): void {
  for (const f of filters ?? []) {
    if (!f.Key) throw invalid('Key in the property predicate is required.');
    if (TIME_FIELDS.has(f.Key.toLowerCase()) && Number.isNaN(timeOf(f.Value))) throw invalid(`Invalid value for ${f.Key}: ${f.Value ?? ''}`);
  }
}

export function matchesFilters(t: Table, filters: readonly PropertyPredicate[] | undefined): boolean {
  for (const f of filters ?? []) {
    const key = f.Key!;
    if (TIME_FIELDS.has(key.toLowerCase())) {
      const have = timeOf((t as unknown as Record<string, unknown>)[key.charAt(0).toUpperCase() + key.slice(1)]);
      const want = timeOf(f.Value);
      if (Number.isNaN(have)) return false;
      const tests: Record<string, boolean> = { EQUALS: have === want, GREATER_THAN: have > want, LESS_THAN: have < want, GREATER_THAN_EQUALS: have >= want, LESS_THAN_EQUALS: have <= want };
      if (!tests[f.Comparator ?? 'EQUALS']) return false;
      continue;
    }
    const v = field(t, key);
    if (v === undefined) return false;
    const want = (f.Value ?? '').toLowerCase();
    if (v.toLowerCase() !== want && !tokens(v).includes(want)) return false;
  }
  return true;
}

/** Sorted per the (at most one) criterion, else by catalog, database and name. */
export function sortTables(list: Table[], criteria: readonly SortCriterion[] | undefined): Table[] {
  const c = criteria?.[0];
  const base = (a: Table, b: Table) => `${a.CatalogId}/${a.DatabaseName}/${a.Name}`.localeCompare(`${b.CatalogId}/${b.DatabaseName}/${b.Name}`);
  if (!c?.FieldName) return [...list].sort(base);
  const k = c.FieldName;
  const dir = c.Sort === 'DESC' ? -1 : 1;
  const value = (t: Table): string | number => (TIME_FIELDS.has(k.toLowerCase()) ? timeOf((t as unknown as Record<string, unknown>)[k.charAt(0).toUpperCase() + k.slice(1)]) : (field(t, k) ?? ''));
  return [...list].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const d = va < vb ? -1 : va > vb ? 1 : 0;
    return d !== 0 ? d * dir : base(a, b);
  });
}
