/**
 * The `DataCatalogPort` the query engine uses: names resolved as Athena does in the caller's account (database and
 * table resource links followed to the owner), the RAM share checked, and the effective grants computed.
 */
import type { RequestContext } from '../../core/context.js';
import { CatalogLookupError, type CatalogTable, type DataCatalogPort, type ReadableTable } from '../../core/data-catalog.js';
import type { GlueTable } from '../glue/index.js';
import { principalIds, type Access } from './access.js';

const notFound = (db: string, t: string) => new CatalogLookupError('TABLE_NOT_FOUND', `Table awsdatacatalog.${db}.${t} does not exist`);

function physical(t: GlueTable, partitions: readonly { Values?: string[]; StorageDescriptor?: { Location?: string } }[]): CatalogTable {
  const sd = t.StorageDescriptor ?? {};
  return {
    catalogId: t.CatalogId!,
    databaseName: t.DatabaseName!,
    name: t.Name,
    columns: (sd.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type ?? 'string' })),
    partitionKeys: (t.PartitionKeys ?? []).map((c) => ({ name: c.Name, type: c.Type ?? 'string' })),
    location: sd.Location ?? '',
    ...(sd.InputFormat !== undefined ? { inputFormat: sd.InputFormat } : {}),
    ...(sd.SerdeInfo?.SerializationLibrary !== undefined ? { serdeLibrary: sd.SerdeInfo.SerializationLibrary } : {}),
    serdeParameters: sd.SerdeInfo?.Parameters ?? {},
    parameters: t.Parameters ?? {},
    partitions: partitions.map((p) => ({ values: p.Values ?? [], location: p.StorageDescriptor?.Location ?? '' })),
  };
}

export function createCatalogPort(access: Access): DataCatalogPort {
  const { glue } = access;

  /** A link (database or table) is usable by its creator, admins and whoever holds a permission on it. */
  async function linkVisible(ctx: RequestContext, database: string, table?: string): Promise<boolean> {
    if (await access.isAdmin(ctx, ctx.accountId)) return true;
    const grants = await access.store.grants(ctx.accountId);
    const ids = new Set([...principalIds(ctx), 'IAM_ALLOWED_PRINCIPALS']);
    return grants.some((g) => {
      if (!ids.has(g.principal) || g.resource.catalogId !== ctx.accountId || !('database' in g.resource) || g.resource.database !== database) return false;
      if (table === undefined) return g.resource.kind === 'database';
      return 'table' in g.resource && (g.resource.table === table || g.resource.table === '*');
    });
  }

  async function target(ctx: RequestContext, database: string, table: string): Promise<{ t: GlueTable; via?: string }> {
    const dbName = database.toLowerCase();
    const tName = table.toLowerCase();
    const d = await glue.database(ctx.accountId, dbName);
    if (!d) throw new CatalogLookupError('SCHEMA_NOT_FOUND', `Schema '${dbName}' does not exist`);
    let catalogId = ctx.accountId;
    let tdb = d.Name;
    let tname = tName;
    let via: string | undefined;
    if (d.TargetDatabase) {
      if (!(await linkVisible(ctx, d.Name))) throw new CatalogLookupError('SCHEMA_NOT_FOUND', `Schema '${dbName}' does not exist`);
      catalogId = d.TargetDatabase.CatalogId ?? ctx.accountId;
      tdb = (d.TargetDatabase.DatabaseName ?? '').toLowerCase();
      via = `database link ${ctx.accountId}:${d.Name} → ${catalogId}:${tdb}`;
    } else {
      const local = await glue.table(ctx.accountId, d.Name, tName);
      if (!local) throw notFound(dbName, tName);
      if (local.TargetTable) {
        if (!(await linkVisible(ctx, d.Name, local.Name))) throw notFound(dbName, tName);
        catalogId = local.TargetTable.CatalogId ?? ctx.accountId;
        tdb = (local.TargetTable.DatabaseName ?? '').toLowerCase();
        tname = (local.TargetTable.Name ?? '').toLowerCase();
        via = `table link ${ctx.accountId}:${d.Name}.${local.Name} → ${catalogId}:${tdb}.${tname}`;
      }
    }
    const t = await glue.table(catalogId, tdb, tname);
    // A link to a link is not followed (Athena does not either).
    if (!t || t.TargetTable) throw notFound(dbName, tName);
    if (!(await access.shareAccepted(ctx, catalogId, tdb, tname))) throw notFound(dbName, tName);
    return { t, ...(via ? { via } : {}) };
  }

  return {
    async resolveTable(ctx, database, table): Promise<ReadableTable> {
      const { t, via } = await target(ctx, database, table);
      const eff = await access.effective(ctx, t);
      const partitions = (t.PartitionKeys ?? []).length ? await glue.partitions(t.CatalogId!, t.DatabaseName!, t.Name) : [];
      const registered = await access.registered(t.StorageDescriptor?.Location, t.CatalogId!);
      const dataAccess = registered && !eff.iam ? 'lakeformation' : 'caller';
      const prefix = via ? `${via}; ` : '';
      if (eff.iam) return { table: physical(t, partitions), dataAccess, decidedBy: `${prefix}${eff.by}` };
      if (!eff.cells.length) throw new CatalogLookupError('TABLE_NOT_FOUND', `Table awsdatacatalog.${database.toLowerCase()}.${table.toLowerCase()} does not exist or ${ctx.principal.arn} has no Lake Formation permission on ${t.CatalogId}:${t.DatabaseName}.${t.Name}`);
      return {
        table: physical(t, partitions),
        grants: eff.cells.map((c) => ({ columns: c.columns, ...(c.rowFilter !== undefined ? { rowFilter: c.rowFilter } : {}) })),
        dataAccess,
        decidedBy: `${prefix}${eff.cells.map((c) => c.by).join('; ')}`,
      };
    },
    async listDatabases(ctx) {
      const out: string[] = [];
      for (const d of await glue.databases(ctx.accountId)) {
        if (d.TargetDatabase ? await linkVisible(ctx, d.Name) : await visibleDatabase(ctx, d.Name)) out.push(d.Name);
      }
      return out;
    },
    async listTables(ctx, database) {
      const d = await glue.database(ctx.accountId, database.toLowerCase());
      if (!d) throw new CatalogLookupError('SCHEMA_NOT_FOUND', `Schema '${database.toLowerCase()}' does not exist`);
      const names = d.TargetDatabase
        ? (await glue.tables(d.TargetDatabase.CatalogId ?? ctx.accountId, d.TargetDatabase.DatabaseName ?? '')).map((t) => t.Name)
        : (await glue.tables(ctx.accountId, d.Name)).map((t) => t.Name);
      const out: string[] = [];
      for (const n of names) {
        try {
          await this.resolveTable(ctx, d.Name, n);
          out.push(n);
        } catch (e) {
          if (!(e instanceof CatalogLookupError)) throw e;
        }
      }
      return out;
    },
  };

  async function visibleDatabase(ctx: RequestContext, name: string): Promise<boolean> {
    if (await access.isAdmin(ctx, ctx.accountId)) return true;
    const ids = new Set([...principalIds(ctx), 'IAM_ALLOWED_PRINCIPALS']);
    if ((await access.store.grants(ctx.accountId)).some((g) => ids.has(g.principal) && g.resource.catalogId === ctx.accountId && 'database' in g.resource && g.resource.database === name)) return true;
    return access.tagVisibleDatabase(ctx.accountId, [...ids], ctx.accountId, name);
  }
}
