import type { RequestContext } from '../../core/context.js';

/**
 * What Glue asks of Lake Formation (bound by `app/`; Glue never imports it). Without governance every record is
 * visible to whoever IAM lets in, as in an account that never used Lake Formation.
 */
export interface GlueGovernance {
  /**
   * The `CreateTableDefaultPermissions` a new database takes when CreateDatabase names none: the account's setting
   * at the time (Lake Formation's `CreateTableDefaultPermissions`), kept on the database as AWS does.
   */
  tableDefaults(catalogId: string): Promise<readonly { Principal?: { DataLakePrincipalIdentifier?: string }; Permissions?: string[] }[]>;
  /** After a database or table is created: the creator's implicit permissions and the default ones. */
  created(ctx: RequestContext, catalogId: string, database: string, table?: string): Promise<void>;
  /** After a database or table is deleted: its grants go with it (and what they shared with other accounts). */
  dropped(ctx: RequestContext, catalogId: string, database: string, table?: string): Promise<void>;
  databaseVisible(ctx: RequestContext, catalogId: string, database: string): Promise<boolean>;
  /** `hidden`: no permission at all; `all`: every column; otherwise the columns the caller may see. */
  tableVisibility(ctx: RequestContext, catalogId: string, database: string, table: string): Promise<'hidden' | 'all' | ReadonlySet<string>>;
  /** Databases of other catalogs shared with the caller's account (accepted shares), for ResourceShareType. */
  foreignDatabases(ctx: RequestContext): Promise<readonly { catalogId: string; database: string }[]>;
  /** True when the S3 location of a table is registered with Lake Formation. */
  registered(location: string | undefined): Promise<boolean>;
}
