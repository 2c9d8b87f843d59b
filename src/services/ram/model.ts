/** RAM's stored records. Times are epoch milliseconds. */
export type AssociationStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';

export interface SharePrincipal {
  /** An account id, or an organization / OU ARN. */
  readonly id: string;
  status: AssociationStatus;
  readonly external: boolean;
  readonly created: number;
  updated: number;
}

export interface ShareResource {
  readonly arn: string;
  readonly type: string;
  readonly created: number;
}

export interface StoredShare {
  readonly arn: string;
  readonly name: string;
  readonly owner: string;
  readonly region: string;
  readonly allowExternalPrincipals: boolean;
  status: 'ACTIVE' | 'DELETED';
  /** Who made it: Lake Formation's consolidated shares are reused for later grants to the same principal. */
  readonly createdBy: 'lakeformation' | 'ram';
  principals: SharePrincipal[];
  resources: ShareResource[];
  readonly created: number;
  updated: number;
  tags?: { key?: string; value?: string }[];
}

export interface StoredInvitation {
  readonly arn: string;
  readonly shareArn: string;
  readonly shareName: string;
  readonly sender: string;
  readonly receiver: string;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';
  readonly created: number;
}

export interface ManagedPermission {
  readonly name: string;
  readonly resourceType: string;
  readonly version: string;
  /** The permission RAM attaches when a share of this resource type names none. */
  readonly isResourceTypeDefault: boolean;
  /** When AWS published it (ListPermissions reports it as creationTime). */
  readonly created: string;
}

/**
 * The AWS-managed RAM permissions for Glue resources: the defaults RAM attaches to shares made with RAM, the
 * `AWSRAMLFEnabledGlue…` ones Lake Formation attaches to its shares since July 2023, and the older and LF-Tag ones
 * ListPermissions also lists.
 */
export const MANAGED_PERMISSIONS: readonly ManagedPermission[] = [
  { name: 'AWSRAMDefaultPermissionGlueCatalog', resourceType: 'glue:Catalog', version: '1', isResourceTypeDefault: true, created: '2022-06-30T17:04:26.612Z' },
  { name: 'AWSRAMPermissionGlueAllTablesReadWriteForCatalog', resourceType: 'glue:Catalog', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:19:56.250Z' },
  { name: 'AWSRAMPermissionGlueDatabaseReadWriteForCatalog', resourceType: 'glue:Catalog', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:20:20.322Z' },
  { name: 'AWSRAMPermissionGlueTableReadWriteForCatalog', resourceType: 'glue:Catalog', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:19:30.644Z' },
  { name: 'AWSRAMPermissionLFTagGlueDatabaseReadWriteForCatalog', resourceType: 'glue:Catalog', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:22:37.435Z' },
  { name: 'AWSRAMPermissionLFTagGlueTableReadWriteForCatalog', resourceType: 'glue:Catalog', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:21:37.593Z' },
  { name: 'AWSRAMDefaultPermissionGlueDatabase', resourceType: 'glue:Database', version: '1', isResourceTypeDefault: true, created: '2022-06-30T17:04:25.912Z' },
  { name: 'AWSRAMLFEnabledGlueAllTablesReadWriteForDatabase', resourceType: 'glue:Database', version: '1', isResourceTypeDefault: false, created: '2023-06-27T17:05:24.471Z' },
  { name: 'AWSRAMLFEnabledGlueDatabaseReadWrite', resourceType: 'glue:Database', version: '1', isResourceTypeDefault: false, created: '2023-06-27T17:05:27.153Z' },
  { name: 'AWSRAMPermissionGlueAllTablesReadWriteForDatabase', resourceType: 'glue:Database', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:19:43.345Z' },
  { name: 'AWSRAMPermissionGlueDatabaseReadWrite', resourceType: 'glue:Database', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:20:08.415Z' },
  { name: 'AWSRAMPermissionGlueTableReadWriteForDatabase', resourceType: 'glue:Database', version: '3', isResourceTypeDefault: false, created: '2022-10-27T14:19:17.062Z' },
  { name: 'AWSRAMPermissionLFTagGlueDatabaseReadWrite', resourceType: 'glue:Database', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:22:14.138Z' },
  { name: 'AWSRAMPermissionLFTagGlueTableReadWriteForDatabase', resourceType: 'glue:Database', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:21:49.920Z' },
  { name: 'AWSRAMDefaultPermissionGlueTable', resourceType: 'glue:Table', version: '1', isResourceTypeDefault: true, created: '2022-06-30T17:04:24.372Z' },
  { name: 'AWSRAMLFEnabledGlueDatabaseReadWriteForTable', resourceType: 'glue:Table', version: '1', isResourceTypeDefault: false, created: '2023-06-27T17:05:33.534Z' },
  { name: 'AWSRAMLFEnabledGlueTableReadWrite', resourceType: 'glue:Table', version: '1', isResourceTypeDefault: false, created: '2023-06-27T17:05:21.095Z' },
  { name: 'AWSRAMPermissionGlueDatabaseReadWriteForTable', resourceType: 'glue:Table', version: '2', isResourceTypeDefault: false, created: '2022-06-30T17:04:09.034Z' },
  { name: 'AWSRAMPermissionGlueTableReadWrite', resourceType: 'glue:Table', version: '2', isResourceTypeDefault: false, created: '2022-06-30T17:04:03.947Z' },
  { name: 'AWSRAMPermissionLFTagGlueDatabaseReadWriteForTable', resourceType: 'glue:Table', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:22:26.191Z' },
  { name: 'AWSRAMPermissionLFTagGlueTableReadWrite', resourceType: 'glue:Table', version: '1', isResourceTypeDefault: false, created: '2022-10-27T14:22:01.908Z' },
];

export const permissionArn = (name: string) => `arn:aws:ram::aws:permission/${name}`;

/** The permissions a share attaches for a resource type: RAM's default, or the LF-enabled ones for Lake Formation. */
export function attachedPermissions(type: string, createdBy: 'lakeformation' | 'ram'): ManagedPermission[] {
  if (createdBy === 'ram') return MANAGED_PERMISSIONS.filter((p) => p.resourceType === type && p.isResourceTypeDefault);
  return MANAGED_PERMISSIONS.filter((p) => p.resourceType === type && p.name.startsWith('AWSRAMLFEnabledGlue'));
}

export function glueResourceType(arn: string): string | undefined {
  const m = /^arn:aws:glue:[^:]*:\d{12}:(catalog|database|table)(\/|$)/.exec(arn);
  if (!m) return undefined;
  return { catalog: 'glue:Catalog', database: 'glue:Database', table: 'glue:Table' }[m[1] as 'catalog' | 'database' | 'table'];
}
