/**
 * Lake Formation's records. A grant's resource is normalised (names lower-case, CatalogId filled, column lists
 * sorted) so that grants of the same permission on the same thing merge and revoke finds them.
 */
import { AwsError } from '../../core/errors.js';
import type { DataCellsFilter, Resource } from './api.gen.js';

export const IAM_ALLOWED_PRINCIPALS = 'IAM_ALLOWED_PRINCIPALS';

export type GrantResource =
  | { readonly kind: 'catalog'; readonly catalogId: string }
  | { readonly kind: 'database'; readonly catalogId: string; readonly database: string }
  /** `table: '*'` is the TableWildcard (every table of the database). */
  | { readonly kind: 'table'; readonly catalogId: string; readonly database: string; readonly table: string }
  | { readonly kind: 'columns'; readonly catalogId: string; readonly database: string; readonly table: string; readonly include?: readonly string[]; readonly exclude?: readonly string[] }
  | { readonly kind: 'location'; readonly catalogId: string; readonly arn: string }
  | { readonly kind: 'filter'; readonly catalogId: string; readonly database: string; readonly table: string; readonly name: string };

export interface StoredGrant {
  readonly principal: string;
  readonly resource: GrantResource;
  permissions: string[];
  grantOption: string[];
  /** The RAM share that carries a cross-account grant. */
  shareArn?: string;
  updated: number;
  updatedBy: string;
}

export interface StoredLocation {
  readonly arn: string;
  readonly roleArn?: string;
  readonly hybrid: boolean;
  readonly useServiceLinkedRole: boolean;
  readonly updated: number;
}

export type StoredFilter = DataCellsFilter;

const invalid = (m: string) => new AwsError('InvalidInputException', m);

export function normaliseResource(r: Resource, defaultCatalog: string): GrantResource {
  const set = [r.Catalog, r.Database, r.Table, r.TableWithColumns, r.DataLocation, r.DataCellsFilter, r.LFTag, r.LFTagPolicy, r.LFTagExpression].filter((x) => x !== undefined);
  if (set.length !== 1) throw invalid('Exactly one resource must be specified.');
  if (r.Catalog) return { kind: 'catalog', catalogId: r.Catalog.Id ?? defaultCatalog };
  if (r.Database) return { kind: 'database', catalogId: r.Database.CatalogId ?? defaultCatalog, database: r.Database.Name.toLowerCase() };
  if (r.Table) {
    const t = r.Table;
    if ((t.Name === undefined) === (t.TableWildcard === undefined)) throw invalid('Table name and table wildcard cannot both be present.');
    return { kind: 'table', catalogId: t.CatalogId ?? defaultCatalog, database: t.DatabaseName.toLowerCase(), table: t.Name?.toLowerCase() ?? '*' };
  }
  if (r.TableWithColumns) {
    const t = r.TableWithColumns;
    if ((t.ColumnNames === undefined) === (t.ColumnWildcard === undefined)) throw invalid('Either column names or column wildcard must be specified.');
    const sorted = (cs: readonly string[]) => [...new Set(cs.map((c) => c.toLowerCase()))].sort();
    return {
      kind: 'columns',
      catalogId: t.CatalogId ?? defaultCatalog,
      database: t.DatabaseName.toLowerCase(),
      table: t.Name.toLowerCase(),
      ...(t.ColumnNames ? { include: sorted(t.ColumnNames) } : { exclude: sorted(t.ColumnWildcard!.ExcludedColumnNames ?? []) }),
    };
  }
  if (r.DataLocation) return { kind: 'location', catalogId: r.DataLocation.CatalogId ?? defaultCatalog, arn: r.DataLocation.ResourceArn };
  if (r.DataCellsFilter) {
    const f = r.DataCellsFilter;
    if (!f.DatabaseName || !f.TableName || !f.Name) throw invalid('DataCellsFilter requires DatabaseName, TableName and Name.');
    return { kind: 'filter', catalogId: f.TableCatalogId ?? defaultCatalog, database: f.DatabaseName.toLowerCase(), table: f.TableName.toLowerCase(), name: f.Name };
  }
  throw invalid('LF-Tag resources are not supported by mlzone yet.');
}

export function resourceView(g: GrantResource): Resource {
  switch (g.kind) {
    case 'catalog':
      return { Catalog: { Id: g.catalogId } };
    case 'database':
      return { Database: { CatalogId: g.catalogId, Name: g.database } };
    case 'table':
      return { Table: g.table === '*' ? { CatalogId: g.catalogId, DatabaseName: g.database, TableWildcard: {} } : { CatalogId: g.catalogId, DatabaseName: g.database, Name: g.table } };
    case 'columns':
      return { TableWithColumns: { CatalogId: g.catalogId, DatabaseName: g.database, Name: g.table, ...(g.include ? { ColumnNames: [...g.include] } : { ColumnWildcard: { ExcludedColumnNames: [...(g.exclude ?? [])] } }) } };
    case 'location':
      return { DataLocation: { CatalogId: g.catalogId, ResourceArn: g.arn } };
    case 'filter':
      return { DataCellsFilter: { TableCatalogId: g.catalogId, DatabaseName: g.database, TableName: g.table, Name: g.name } };
  }
}

export function grantKey(principal: string, r: GrantResource): string {
  return JSON.stringify([principal, r]);
}

/** The Glue ARN a cross-account grant shares through RAM. */
export function sharedArn(r: GrantResource, region: string): string | undefined {
  switch (r.kind) {
    case 'catalog':
      return `arn:aws:glue:${region}:${r.catalogId}:catalog`;
    case 'database':
      return `arn:aws:glue:${region}:${r.catalogId}:database/${r.database}`;
    case 'table':
      return r.table === '*' ? `arn:aws:glue:${region}:${r.catalogId}:database/${r.database}` : `arn:aws:glue:${region}:${r.catalogId}:table/${r.database}/${r.table}`;
    case 'columns':
    case 'filter':
      return `arn:aws:glue:${region}:${r.catalogId}:table/${r.database}/${r.table}`;
    default:
      return undefined;
  }
}

/** Permissions each resource kind accepts (the API's `Permission` enum narrowed as Lake Formation does). */
export const VALID_PERMISSIONS: Readonly<Record<GrantResource['kind'], readonly string[]>> = {
  catalog: ['ALL', 'CREATE_DATABASE', 'DESCRIBE', 'ALTER', 'DROP', 'SUPER_USER', 'CREATE_CATALOG'],
  database: ['ALL', 'CREATE_TABLE', 'ALTER', 'DROP', 'DESCRIBE'],
  table: ['ALL', 'SELECT', 'ALTER', 'DROP', 'DELETE', 'INSERT', 'DESCRIBE'],
  columns: ['SELECT'],
  location: ['DATA_LOCATION_ACCESS'],
  filter: ['SELECT', 'DESCRIBE', 'DROP'],
};
