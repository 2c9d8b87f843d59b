/**
 * The organization at a glance for `/_mlzone/status`: every account of the organization (vended ones too) with
 * its OU, status, the blueprint's personas in it, and what lives there (see inventory.ts). Accounts the
 * blueprint keeps outside the organization are listed after, marked so.
 */
import type { Blueprint } from '../org/blueprint-types.js';
import type { Database } from '../persistence/db.js';
import type { OrgDirectory } from '../services/organizations/index.js';
import { accountInventory } from './inventory.js';
import type { AccountInventory } from './inventory.js';

export interface AccountStatusLine {
  id: string;
  name: string;
  status: string;
  /** OU names from the root (`Workloads/Development`); empty in the root; absent outside the organization. */
  ou?: string;
  outsideOrganization?: true;
  /** `<persona>: <role or user>` from the blueprint. */
  personas: string[];
  resources: AccountInventory;
}

export interface OrganizationStatus {
  id?: string;
  managementAccountId?: string;
  accounts: AccountStatusLine[];
}

export async function organizationStatus(db: Database, org: OrgDirectory, blueprint: Blueprint): Promise<OrganizationStatus> {
  const [o, members, inventory] = await Promise.all([org.organization(), org.accounts(), accountInventory(db)]);
  const fromBlueprint = new Map(blueprint.accounts.map((a) => [a.id, a]));
  const personas = (id: string): string[] => {
    const a = fromBlueprint.get(id);
    return a ? a.roles.filter((r) => r.persona).map((r) => `${r.persona}: ${r.name}`) : [];
  };
  const resources = (id: string): AccountInventory => inventory.get(id) ?? { roles: 0, users: 0, buckets: 0, repositories: 0, sagemaker: {} };
  const lines: AccountStatusLine[] = [];
  for (const a of members) {
    lines.push({ id: a.id, name: a.name, status: a.status, ou: (await org.ouPathNames?.(a.id)) ?? '', personas: personas(a.id), resources: resources(a.id) });
  }
  const inOrg = new Set(members.map((a) => a.id));
  for (const a of blueprint.accounts) {
    if (!inOrg.has(a.id)) lines.push({ id: a.id, name: a.name, status: 'ACTIVE', outsideOrganization: true, personas: personas(a.id), resources: resources(a.id) });
  }
  return { ...(o ? { id: o.id, managementAccountId: o.managementAccountId } : {}), accounts: lines };
}
