import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';

/**
 * Glue checks an action on the catalog, the database and (for table operations) the table: a policy must allow all
 * of them. https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
 */
const base = (ctx: RequestContext, catalogId: string | undefined) => `arn:aws:glue:${ctx.region}:${catalogId ?? ctx.accountId}`;

function onCatalog(action: string): AuthzFn {
  return (input: { CatalogId?: string }, ctx) => [{ action: `glue:${action}`, resource: `${base(ctx, input.CatalogId)}:catalog` }];
}

/** `aws:RequestTag/*` and `aws:TagKeys` for a create call that tags (Glue's `Tags` is a map). */
function tagContext(tags: Record<string, string> | undefined): Record<string, string | string[]> | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return { 'aws:TagKeys': Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) };
}

function onDatabase(action: string, name: (input: any) => string): AuthzFn {
  return (input: { CatalogId?: string; Tags?: Record<string, string> }, ctx): AuthzRequest[] => {
    const b = base(ctx, input.CatalogId);
    const context = tagContext(input.Tags);
    return [
      { action: `glue:${action}`, resource: `${b}:catalog`, ...(context ? { context } : {}) },
      { action: `glue:${action}`, resource: `${b}:database/${(name(input) ?? '').toLowerCase()}`, ...(context ? { context } : {}) },
    ];
  };
}

function onTable(action: string, db: (input: any) => string, table: (input: any) => string): AuthzFn {
  return (input: { CatalogId?: string }, ctx): AuthzRequest[] => {
    const b = base(ctx, input.CatalogId);
    const d = (db(input) ?? '').toLowerCase();
    return [
      { action: `glue:${action}`, resource: `${b}:catalog` },
      { action: `glue:${action}`, resource: `${b}:database/${d}` },
      // Without a table name (no TableInput) the handler refuses the call; catalog and database are checked first.
      ...(table(input) ? [{ action: `glue:${action}`, resource: `${b}:table/${d}/${String(table(input)).toLowerCase()}` }] : []),
    ];
  };
}

const inDb = (i: { DatabaseName: string }) => i.DatabaseName;
const tableName = (i: { TableName: string }) => i.TableName;

export const glueAuthz: Record<string, AuthzFn> = {
  CreateDatabase: onDatabase('CreateDatabase', (i) => i.DatabaseInput?.Name),
  GetDatabase: onDatabase('GetDatabase', (i) => i.Name),
  GetDatabases: onCatalog('GetDatabases'),
  UpdateDatabase: onDatabase('UpdateDatabase', (i) => i.Name),
  DeleteDatabase: onDatabase('DeleteDatabase', (i) => i.Name),
  // TableInput is optional in the model (OpenTableFormatInput is the other way); the handler refuses neither given.
  CreateTable: onTable('CreateTable', inDb, (i) => i.TableInput?.Name),
  GetTable: onTable('GetTable', inDb, (i) => i.Name),
  GetTables: onDatabase('GetTables', inDb),
  UpdateTable: onTable('UpdateTable', inDb, (i) => i.TableInput?.Name ?? i.Name),
  DeleteTable: onTable('DeleteTable', inDb, (i) => i.Name),
  GetTableVersions: onTable('GetTableVersions', inDb, tableName),
  GetTableVersion: onTable('GetTableVersion', inDb, tableName),
  // Glue checks SearchTables on the catalog; Lake Formation then filters what each caller sees.
  SearchTables: onCatalog('SearchTables'),
  CreatePartition: onTable('CreatePartition', inDb, tableName),
  BatchCreatePartition: onTable('BatchCreatePartition', inDb, tableName),
  GetPartition: onTable('GetPartition', inDb, tableName),
  GetPartitions: onTable('GetPartitions', inDb, tableName),
  BatchGetPartition: onTable('BatchGetPartition', inDb, tableName),
  DeletePartition: onTable('DeletePartition', inDb, tableName),
  BatchDeletePartition: onTable('BatchDeletePartition', inDb, tableName),
  PutResourcePolicy: onCatalog('PutResourcePolicy'),
  GetResourcePolicy: onCatalog('GetResourcePolicy'),
  DeleteResourcePolicy: onCatalog('DeleteResourcePolicy'),
};
