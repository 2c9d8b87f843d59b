/**
 * An in-memory DataCatalogPort for tests and for a server started without the lake: tables keyed by
 * `database.table`, what each principal (by ARN, or `*`) may read. Mirrors the port's contract — no grant is
 * TABLE_NOT_FOUND, an unknown database SCHEMA_NOT_FOUND — without Glue, Lake Formation or RAM behind it.
 */
import type { RequestContext } from '../core/context.js';
import { CatalogLookupError, type CatalogTable, type CellGrant, type DataCatalogPort, type ReadableTable } from '../core/data-catalog.js';

export interface FakeTableAccess {
  readonly table: CatalogTable;
  /** Principal ARN (a session's own ARN first, then its role's), account id, or `*` → grants; `'all'` reads the whole table. */
  readonly access: Readonly<Record<string, readonly CellGrant[] | 'all'>>;
  readonly dataAccess?: ReadableTable['dataAccess'];
}

export class FakeCatalog implements DataCatalogPort {
  private readonly tables = new Map<string, FakeTableAccess>();

  put(entry: FakeTableAccess): void {
    this.tables.set(`${entry.table.databaseName}.${entry.table.name}`.toLowerCase(), entry);
  }

  private accessOf(ctx: RequestContext, entry: FakeTableAccess): readonly CellGrant[] | 'all' | undefined {
    const p = ctx.principal;
    return entry.access[p.arn] ?? entry.access[p.roleArn ?? ''] ?? entry.access[p.accountId] ?? entry.access['*'];
  }

  async resolveTable(ctx: RequestContext, database: string, table: string): Promise<ReadableTable> {
    const db = database.toLowerCase();
    if (![...this.tables.values()].some((t) => t.table.databaseName.toLowerCase() === db)) throw new CatalogLookupError('SCHEMA_NOT_FOUND', `Database ${database} not found`);
    const entry = this.tables.get(`${db}.${table.toLowerCase()}`);
    const access = entry && this.accessOf(ctx, entry);
    if (!entry || !access) throw new CatalogLookupError('TABLE_NOT_FOUND', `Table ${database}.${table} not found`);
    return {
      table: entry.table,
      ...(access === 'all' ? {} : { grants: access }),
      dataAccess: entry.dataAccess ?? 'lakeformation',
      decidedBy: access === 'all' ? 'IAM_ALLOWED_PRINCIPALS' : 'fake grant',
    };
  }

  async listDatabases(ctx: RequestContext): Promise<readonly string[]> {
    return [...new Set([...this.tables.values()].filter((t) => this.accessOf(ctx, t)).map((t) => t.table.databaseName))].sort();
  }

  async listTables(ctx: RequestContext, database: string): Promise<readonly string[]> {
    return [...this.tables.values()].filter((t) => t.table.databaseName.toLowerCase() === database.toLowerCase() && this.accessOf(ctx, t)).map((t) => t.table.name).sort();
  }
}
