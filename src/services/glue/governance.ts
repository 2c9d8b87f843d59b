import type { RequestContext } from '../../core/context.js';

/**
 * The Lake Formation permission a catalog write needs: CREATE_DATABASE on the catalog, CREATE_TABLE, ALTER or DROP
 * on a database, ALTER or DROP on a table.
 */
export type WriteNeed =
  | { readonly permission: 'CREATE_DATABASE' }
  | { readonly permission: 'CREATE_TABLE' | 'ALTER' | 'DROP'; readonly database: string; readonly table?: undefined }
  | { readonly permission: 'ALTER' | 'DROP'; readonly database: string; readonly table: string };

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
  /**
   * Whether Lake Formation lets the caller make a write IAM already allowed (IAM is asked first; its deny wins).
   * Where IAM_ALLOWED_PRINCIPALS holds the permission (a fresh account's defaults) IAM alone decides.
   */
  permits(ctx: RequestContext, catalogId: string, need: WriteNeed): Promise<boolean>;
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
