/**
 * Athena's metadata API over the DataCatalogPort: one catalog (`AwsDataCatalog`), the databases and tables the
 * caller may see, and a table's columns as the caller may read them (only permitted columns).
 */
import type { RequestContext } from '../../core/context.js';
import { CatalogLookupError } from '../../core/data-catalog.js';
import type { Handlers } from '../../core/service.js';
import { AthenaErrors, type AthenaOperations, type TableMetadata } from './api.gen.js';
import { invalid, type AthenaEnv } from './context.js';

const CATALOG = 'AwsDataCatalog';

function requireCatalog(name: string): void {
  if (name.toLowerCase() !== CATALOG.toLowerCase()) throw AthenaErrors.MetadataException(`Catalog ${name} does not exist`);
}

const page = <T>(all: readonly T[], token: string | undefined, max: number) => {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken');
  return { items: all.slice(start, start + max), ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}) };
};

export function catalogHandlers(env: AthenaEnv): Handlers<AthenaOperations> {
  const databases = async (ctx: RequestContext) => (env.catalog ? env.catalog.listDatabases(ctx) : []);
  const tableMetadata = async (ctx: RequestContext, database: string, table: string): Promise<TableMetadata> => {
    if (!env.catalog) throw AthenaErrors.MetadataException(`Namespace ${database} not found`);
    try {
      const r = await env.catalog.resolveTable(ctx, database, table);
      const permitted = (name: string) => r.grants === undefined || r.grants.some((g) => g.columns.some((c) => c.toLowerCase() === name.toLowerCase()));
      return {
        Name: table,
        TableType: 'EXTERNAL_TABLE',
        Columns: r.table.columns.filter((c) => permitted(c.name)).map((c) => ({ Name: c.name, Type: c.type })),
        PartitionKeys: r.table.partitionKeys.filter((c) => permitted(c.name)).map((c) => ({ Name: c.name, Type: c.type })),
        Parameters: { ...r.table.parameters, location: r.table.location, ...(r.table.inputFormat ? { inputformat: r.table.inputFormat } : {}), ...(r.table.serdeLibrary ? { 'serde.serialization.lib': r.table.serdeLibrary } : {}) },
      };
    } catch (e) {
      if (e instanceof CatalogLookupError) throw AthenaErrors.MetadataException(e.kind === 'SCHEMA_NOT_FOUND' ? `Namespace ${database} not found` : `Table ${table} not found`);
      throw e;
    }
  };
  return {
    ListDataCatalogs: async () => ({ DataCatalogsSummary: [{ CatalogName: CATALOG, Type: 'GLUE' }] }),
    GetDataCatalog: async (input, ctx) => {
      requireCatalog(input.Name);
      return { DataCatalog: { Name: CATALOG, Description: 'AWS Glue Data Catalog', Type: 'GLUE', Parameters: { 'catalog-id': ctx.accountId } } };
    },
    ListDatabases: async (input, ctx) => {
      requireCatalog(input.CatalogName);
      const p = page(await databases(ctx), input.NextToken, input.MaxResults ?? 50);
      return { DatabaseList: p.items.map((Name) => ({ Name })), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },
    GetDatabase: async (input, ctx) => {
      requireCatalog(input.CatalogName);
      const all = await databases(ctx);
      const name = all.find((d) => d.toLowerCase() === input.DatabaseName.toLowerCase());
      if (!name) throw AthenaErrors.MetadataException(`Database ${input.DatabaseName} not found.`);
      return { Database: { Name: name } };
    },
    ListTableMetadata: async (input, ctx) => {
      requireCatalog(input.CatalogName);
      if (!env.catalog || !(await databases(ctx)).some((d) => d.toLowerCase() === input.DatabaseName.toLowerCase())) throw AthenaErrors.MetadataException(`Database ${input.DatabaseName} not found.`);
      let names = [...(await env.catalog.listTables(ctx, input.DatabaseName))];
      if (input.Expression) {
        const re = new RegExp(`^${input.Expression.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i');
        names = names.filter((n) => re.test(n));
      }
      const p = page(names, input.NextToken, input.MaxResults ?? 50);
      const tables: TableMetadata[] = [];
      for (const n of p.items) tables.push(await tableMetadata(ctx, input.DatabaseName, n));
      return { TableMetadataList: tables, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
    },
    GetTableMetadata: async (input, ctx) => {
      requireCatalog(input.CatalogName);
      return { TableMetadata: await tableMetadata(ctx, input.DatabaseName, input.TableName) };
    },
  };
}
