import type { RequestContext } from './context.js';

/**
 * The port between the governed catalog (Glue Data Catalog + Lake Formation + RAM, implemented by the
 * `lakeformation` service and published from its index.ts) and the query engine (Athena, `src/query/` and
 * `services/athena`). The catalog side resolves names as the caller (resource links followed, RAM shares
 * accepted), and decides what the caller may read; the query side builds the permitted views, lists the files
 * and runs SQL. Reference: ../shared/reference/athena-lakeformation-duckdb.md §3.2, §4.6, §5.
 */

/** A column as Glue stores it: Hive type strings (`string`, `bigint`, `decimal(10,2)`, `array<string>` …). */
export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
}

/** A table's physical description, always the owner's table (never a resource link). */
export interface CatalogTable {
  /** The owner account (the Glue catalog id). */
  readonly catalogId: string;
  readonly databaseName: string;
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  readonly partitionKeys: readonly CatalogColumn[];
  /** `s3://bucket/prefix/` */
  readonly location: string;
  readonly inputFormat?: string;
  readonly serdeLibrary?: string;
  readonly serdeParameters: Readonly<Record<string, string>>;
  /** `classification`, `skip.header.line.count`, `table_type` … */
  readonly parameters: Readonly<Record<string, string>>;
  /** Registered partitions (values in partition-key order, each with its location). Empty when unpartitioned. */
  readonly partitions: readonly { readonly values: readonly string[]; readonly location: string }[];
}

/** One Lake Formation grant as rows × columns (§3.2): `rowFilter` undefined = all rows. */
export interface CellGrant {
  readonly rowFilter?: string;
  readonly columns: readonly string[];
}

export interface ReadableTable {
  readonly table: CatalogTable;
  /**
   * undefined: the caller reads the whole table (IAM mode: IAM_ALLOWED_PRINCIPALS, or no LF enforcement);
   * otherwise the caller's effective grants, already intersected with what the owner shared with the
   * caller's account (columns ∩, row filters ANDed). Never empty: no grant means `resolveTable` throws.
   */
  readonly grants?: readonly CellGrant[];
  /**
   * How the data files are read: `lakeformation` — the location is registered and Lake Formation vends the
   * credentials (the caller needs no S3 permission); `caller` — the caller's own IAM permissions on S3 decide.
   */
  readonly dataAccess: 'lakeformation' | 'caller';
  /** One line for `mlzone explain` and errors: which grant (or IAM mode) decided. */
  readonly decidedBy: string;
}

/** Why a name did not resolve; the query engine maps these to Athena's messages. */
export class CatalogLookupError extends Error {
  constructor(
    readonly kind: 'SCHEMA_NOT_FOUND' | 'TABLE_NOT_FOUND' | 'ACCESS_DENIED',
    message: string,
  ) {
    super(message);
    this.name = 'CatalogLookupError';
  }
}

export interface DataCatalogPort {
  /**
   * `database.table` as Athena resolves it for the caller in the caller's account and region: the database
   * may be a database resource link, the table a table resource link; links are followed to the owner.
   * Throws `CatalogLookupError` (a table the caller has no permission on is TABLE_NOT_FOUND, as on AWS).
   */
  resolveTable(ctx: RequestContext, database: string, table: string): Promise<ReadableTable>;
  /** Databases the caller may see (for Athena's ListDatabases), names in the caller's catalog. */
  listDatabases(ctx: RequestContext): Promise<readonly string[]>;
  /** Tables of a database the caller may see (for ListTableMetadata / SHOW TABLES). */
  listTables(ctx: RequestContext, database: string): Promise<readonly string[]>;
}
