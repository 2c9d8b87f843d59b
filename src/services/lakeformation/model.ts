/**
 * Lake Formation's records. A grant's resource is normalised (names lower-case, CatalogId filled, column lists
 * sorted) so that grants of the same permission on the same thing merge and revoke finds them.
 */
import { AwsError } from '../../core/errors.js';
import type { DataCellsFilter, Resource } from './api.gen.js';
import { expressionView, normaliseExpression, type TagExpression } from './lf-tags.js';

export const IAM_ALLOWED_PRINCIPALS = 'IAM_ALLOWED_PRINCIPALS';

export type GrantResource =
  | { readonly kind: 'catalog'; readonly catalogId: string }
  | { readonly kind: 'database'; readonly catalogId: string; readonly database: string }
  /** `table: '*'` is the TableWildcard (every table of the database). */
  | { readonly kind: 'table'; readonly catalogId: string; readonly database: string; readonly table: string }
  | { readonly kind: 'columns'; readonly catalogId: string; readonly database: string; readonly table: string; readonly include?: readonly string[]; readonly exclude?: readonly string[] }
  | { readonly kind: 'location'; readonly catalogId: string; readonly arn: string }
  | { readonly kind: 'filter'; readonly catalogId: string; readonly database: string; readonly table: string; readonly name: string }
  /** Who may see, associate … an LF-Tag key's values (`values: ['*']`: all of them). */
  | { readonly kind: 'lftag'; readonly catalogId: string; readonly key: string; readonly values: readonly string[] }
  /** Every database or table whose (inherited) LF-Tags match the expression. */
  | { readonly kind: 'tagpolicy'; readonly catalogId: string; readonly resourceType: 'DATABASE' | 'TABLE'; readonly expression: TagExpression; readonly expressionName?: string }
  /** A named LF-Tag expression itself (who may describe, alter, drop or grant with it). */
  | { readonly kind: 'tagexpression'; readonly catalogId: string; readonly name: string };

/** A tag policy grant: by expression, or by the name of a saved LF-Tag expression (resolved when evaluated). */
export type TagPolicyResource = Extract<GrantResource, { kind: 'tagpolicy' }>;

export interface StoredGrant {
  readonly principal: string;
  readonly resource: GrantResource;
  permissions: string[];
  grantOption: string[];
  /** The RAM share that carries a cross-account grant. */
  shareArn?: string;
  /** Set on a grant derived from an LFTagPolicy grant for one resource: the policy, for `mlzone explain`. */
  readonly tagPolicy?: string;
  /** Set on a table grant derived from an LF-Tag policy whose expression some of the table's columns do not match. */
  readonly someColumnsUnmatched?: boolean;
  updated: number;
  updatedBy: string;
}

/** A named LF-Tag expression (CreateLFTagExpression); `createdBy` holds its implicit permissions. */
export interface StoredTagExpression {
  readonly name: string;
  description?: string;
  expression: TagExpression;
  readonly createdBy: string;
  readonly created: number;
  updated: number;
}

export interface StoredLocation {
  readonly arn: string;
  readonly roleArn?: string;
  readonly hybrid: boolean;
  readonly useServiceLinkedRole: boolean;
  readonly updated: number;
}

/**
 * Hybrid access mode (CreateLakeFormationOptIn): on a table whose data location is registered with
 * HybridAccessEnabled, the principal's own Lake Formation grants decide instead of IAM_ALLOWED_PRINCIPALS.
 * `resource` is a database or a table (`table: '*'`: every table of the database).
 */
export interface StoredOptIn {
  readonly principal: string;
  readonly resource: Extract<GrantResource, { kind: 'database' | 'table' }>;
  readonly updated: number;
  readonly updatedBy: string;
}

export type StoredFilter = DataCellsFilter;

export interface StoredLFTag {
  readonly key: string;
  values: string[];
}

/** The LF-Tags directly assigned to a database, a table or a column. */
export interface StoredAssignment {
  readonly database: string;
  readonly table?: string;
  readonly column?: string;
  tags: Record<string, string>;
}

const invalid = (m: string) => new AwsError('InvalidInputException', m);

export function normaliseResource(r: Resource, defaultCatalog: string): GrantResource {
  const set = [r.Catalog, r.Database, r.Table, r.TableWithColumns, r.DataLocation, r.DataCellsFilter, r.LFTag, r.LFTagPolicy, r.LFTagExpression].filter((x) => x !== undefined);
  if (set.length !== 1) throw invalid('Exactly one resource must be specified.');
  if (r.Catalog) return { kind: 'catalog', catalogId: r.Catalog.Id ?? defaultCatalog };
  if (r.Database) return { kind: 'database', catalogId: r.Database.CatalogId ?? defaultCatalog, database: r.Database.Name.toLowerCase() };
  if (r.Table) {
    const t = r.Table;
    if (t.Name === undefined && t.TableWildcard === undefined) throw invalid('Table name and table wildcard cannot both be empty.');
    if (t.Name !== undefined && t.TableWildcard !== undefined) throw invalid('Table name and table wildcard cannot both be present.');
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
  if (r.LFTag) {
    const values = [...new Set(r.LFTag.TagValues.map((v) => v.toLowerCase()))].sort();
    return { kind: 'lftag', catalogId: r.LFTag.CatalogId ?? defaultCatalog, key: r.LFTag.TagKey.toLowerCase(), values: values.includes('*') ? ['*'] : values };
  }
  if (r.LFTagPolicy) {
    const p = r.LFTagPolicy;
    if (p.ResourceType !== 'DATABASE' && p.ResourceType !== 'TABLE') throw invalid(`Invalid resource type ${p.ResourceType}.`);
    if ((p.ExpressionName === undefined) === (p.Expression === undefined)) throw invalid('Exactly one of Expression or ExpressionName must be specified.');
    const base = { kind: 'tagpolicy' as const, catalogId: p.CatalogId ?? defaultCatalog, resourceType: p.ResourceType as 'DATABASE' | 'TABLE' };
    return p.ExpressionName !== undefined ? { ...base, expression: [], expressionName: p.ExpressionName } : { ...base, expression: normaliseExpression(p.Expression!) };
  }
  const e = r.LFTagExpression!;
  return { kind: 'tagexpression', catalogId: e.CatalogId ?? defaultCatalog, name: e.Name };
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
    case 'lftag':
      return { LFTag: { CatalogId: g.catalogId, TagKey: g.key, TagValues: [...g.values] } };
    case 'tagpolicy':
      return { LFTagPolicy: { CatalogId: g.catalogId, ResourceType: g.resourceType, ...(g.expressionName !== undefined ? { ExpressionName: g.expressionName } : { Expression: expressionView(g.expression) }) } };
    case 'tagexpression':
      return { LFTagExpression: { CatalogId: g.catalogId, Name: g.name } };
  }
}

/** A policy by expression name is keyed by the name: its expression is whatever the saved one says now. */
export function grantKey(principal: string, r: GrantResource): string {
  if (r.kind === 'tagpolicy' && r.expressionName !== undefined) return JSON.stringify([principal, { kind: r.kind, catalogId: r.catalogId, resourceType: r.resourceType, expressionName: r.expressionName }]);
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
  catalog: ['ALL', 'CREATE_DATABASE', 'DESCRIBE', 'ALTER', 'DROP', 'SUPER_USER', 'CREATE_CATALOG', 'CREATE_LF_TAG', 'CREATE_LF_TAG_EXPRESSION'],
  database: ['ALL', 'CREATE_TABLE', 'ALTER', 'DROP', 'DESCRIBE'],
  table: ['ALL', 'SELECT', 'ALTER', 'DROP', 'DELETE', 'INSERT', 'DESCRIBE'],
  columns: ['SELECT'],
  location: ['DATA_LOCATION_ACCESS'],
  filter: ['SELECT', 'DESCRIBE', 'DROP'],
  lftag: ['DESCRIBE', 'ASSOCIATE', 'ALTER', 'DROP', 'GRANT_WITH_LF_TAG_EXPRESSION'],
  // Checked against the policy's ResourceType in `validPermissions`.
  tagpolicy: ['ALL', 'CREATE_TABLE', 'ALTER', 'DROP', 'DESCRIBE', 'SELECT', 'INSERT', 'DELETE'],
  tagexpression: ['ALL', 'DESCRIBE', 'ALTER', 'DROP', 'GRANT_WITH_LF_TAG_EXPRESSION'],
};

/** The permissions a grant on `r` may carry: an LFTagPolicy's are those of its resource type. */
export function validPermissions(r: GrantResource): readonly string[] {
  if (r.kind === 'tagpolicy') return VALID_PERMISSIONS[r.resourceType === 'DATABASE' ? 'database' : 'table'];
  return VALID_PERMISSIONS[r.kind];
}
