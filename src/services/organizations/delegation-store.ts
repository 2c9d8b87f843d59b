/** Rows of trusted service access (`orgs_service_access`) and delegated administrators (`orgs_delegated_admin`). */
import type { Kysely } from 'kysely';

type AccessRow = { service_principal: string; enabled_at: number | string | bigint };
type AdminRow = { account_id: string; service_principal: string; registered_at: number | string | bigint };
type Tables = { orgs_service_access: AccessRow; orgs_delegated_admin: AdminRow };
type Ex = Kysely<any>;
const t = (ex: Ex) => ex.withTables<Tables>();

export interface ServiceAccess {
  readonly servicePrincipal: string;
  readonly enabledAt: number;
}

export interface Delegation {
  readonly accountId: string;
  readonly servicePrincipal: string;
  readonly registeredAt: number;
}

export const delegationStore = {
  /** Services with trusted access, by principal. */
  async services(ex: Ex): Promise<ServiceAccess[]> {
    const rows = await t(ex).selectFrom('orgs_service_access').selectAll().orderBy('service_principal').execute();
    return rows.map((r) => ({ servicePrincipal: r.service_principal, enabledAt: Number(r.enabled_at) }));
  },

  async enable(ex: Ex, servicePrincipal: string, at: number): Promise<void> {
    const found = await t(ex).selectFrom('orgs_service_access').select('service_principal').where('service_principal', '=', servicePrincipal).executeTakeFirst();
    if (!found) await t(ex).insertInto('orgs_service_access').values({ service_principal: servicePrincipal, enabled_at: at }).execute();
  },

  async disable(ex: Ex, servicePrincipal: string): Promise<void> {
    await t(ex).deleteFrom('orgs_service_access').where('service_principal', '=', servicePrincipal).execute();
  },

  /** Delegations, by account then service. */
  async delegations(ex: Ex): Promise<Delegation[]> {
    const rows = await t(ex).selectFrom('orgs_delegated_admin').selectAll().orderBy('account_id').orderBy('service_principal').execute();
    return rows.map((r) => ({ accountId: r.account_id, servicePrincipal: r.service_principal, registeredAt: Number(r.registered_at) }));
  },

  async register(ex: Ex, d: Delegation): Promise<void> {
    await t(ex).insertInto('orgs_delegated_admin').values({ account_id: d.accountId, service_principal: d.servicePrincipal, registered_at: d.registeredAt }).execute();
  },

  async deregister(ex: Ex, accountId: string, servicePrincipal: string): Promise<void> {
    await t(ex).deleteFrom('orgs_delegated_admin').where('account_id', '=', accountId).where('service_principal', '=', servicePrincipal).execute();
  },

  async isDelegatedAdmin(ex: Ex, accountId: string): Promise<boolean> {
    return (await t(ex).selectFrom('orgs_delegated_admin').select('account_id').where('account_id', '=', accountId).executeTakeFirst()) !== undefined;
  },
};
