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

/** The AWS-managed RAM permissions attached per resource type (what `ListPermissions` and shares report). */
export const MANAGED_PERMISSIONS: Readonly<Record<string, string>> = {
  'glue:Catalog': 'AWSRAMDefaultPermissionGlueCatalog',
  'glue:Database': 'AWSRAMDefaultPermissionGlueDatabase',
  'glue:Table': 'AWSRAMDefaultPermissionGlueTable',
};

export function glueResourceType(arn: string): string | undefined {
  const m = /^arn:aws:glue:[^:]*:\d{12}:(catalog|database|table)(\/|$)/.exec(arn);
  if (!m) return undefined;
  return { catalog: 'glue:Catalog', database: 'glue:Database', table: 'glue:Table' }[m[1] as 'catalog' | 'database' | 'table'];
}
