/**
 * Reads and writes of the Organizations tables. Every function takes the executor to use (the database
 * or an open transaction), so one operation's reads and writes share a transaction. No checks here: the
 * service validates against a snapshot (domain/rules.ts) before it calls a writer.
 */
import type { Kysely } from 'kysely';
import type {
  AccountRecord,
  AccountStatus,
  JoinedMethod,
  OrganizationRecord,
  OrgRows,
  OuRecord,
  PolicyRecord,
  PolicyType,
  RootRecord,
  Tag,
} from './domain/model.js';
import type { OrgAdditions } from './domain/draft.js';

type OrgTables = {
  orgs_organization: { id: string; management_account_id: string; feature_set: string; created_at: number | string | bigint };
  orgs_root: { id: string; name: string };
  orgs_ou: { id: string; parent_id: string; name: string; created_at: number | string | bigint };
  orgs_account: {
    id: string;
    name: string;
    email: string;
    parent_id: string;
    status: string;
    joined_method: string;
    joined_at: number | string | bigint;
    closed_at?: number | string | bigint | null;
  };
  orgs_policy: { id: string; type: string; name: string; description: string; content: string; created_at: number | string | bigint; updated_at?: number | string | bigint | null };
  orgs_policy_attachment: { policy_id: string; target_id: string; attached_at: number | string | bigint };
  orgs_enabled_policy_type: { root_id: string; type: string };
  orgs_tag: { resource_id: string; key: string; value: string };
};

type Ex = Kysely<any>;
const t = (ex: Ex) => ex.withTables<OrgTables>();

/** bigint columns come back as numbers from SQLite and as strings from PostgreSQL. */
const ms = (v: number | string | bigint): number => Number(v);

export const store = {
  async load(ex: Ex): Promise<OrgRows> {
    const db = t(ex);
    const [orgs, roots, ous, accounts, policies, attachments, types, tags] = await Promise.all([
      db.selectFrom('orgs_organization').selectAll().execute(),
      db.selectFrom('orgs_root').selectAll().execute(),
      db.selectFrom('orgs_ou').selectAll().orderBy('id').execute(),
      db.selectFrom('orgs_account').selectAll().orderBy('id').execute(),
      db.selectFrom('orgs_policy').selectAll().orderBy('id').execute(),
      db.selectFrom('orgs_policy_attachment').selectAll().orderBy('attached_at').orderBy('policy_id').orderBy('target_id').execute(),
      db.selectFrom('orgs_enabled_policy_type').selectAll().orderBy('type').execute(),
      db.selectFrom('orgs_tag').selectAll().orderBy('resource_id').orderBy('key').execute(),
    ]);
    const o = orgs[0];
    const org: OrganizationRecord | undefined = o && {
      id: o.id,
      managementAccountId: o.management_account_id,
      featureSet: 'ALL',
      createdAt: ms(o.created_at),
    };
    const root: RootRecord | undefined = roots[0] && { id: roots[0].id, name: roots[0].name };
    return {
      org,
      root,
      ous: ous.map((r): OuRecord => ({ id: r.id, name: r.name, parentId: r.parent_id, createdAt: ms(r.created_at) })),
      accounts: accounts.map(
        (r): AccountRecord => ({
          id: r.id,
          name: r.name,
          email: r.email,
          parentId: r.parent_id,
          status: r.status as AccountStatus,
          joinedMethod: r.joined_method as JoinedMethod,
          joinedAt: ms(r.joined_at),
          ...(r.closed_at !== null && r.closed_at !== undefined ? { closedAt: ms(r.closed_at) } : {}),
        }),
      ),
      policies: policies.map(
        (r): PolicyRecord => ({ id: r.id, type: r.type, name: r.name, description: r.description, content: r.content, awsManaged: false }),
      ),
      attachments: attachments.map((r) => ({ policyId: r.policy_id, targetId: r.target_id })),
      enabledTypes: types.map((r) => r.type),
      tags: tags.map((r) => ({ resourceId: r.resource_id, key: r.key, value: r.value })),
    };
  },

  /** Writes what a draft added: one multi-row insert per table (and one delete for replaced tag sets). */
  async insert(ex: Ex, a: OrgAdditions): Promise<void> {
    const db = t(ex);
    if (a.organization) {
      const o = a.organization;
      await db.insertInto('orgs_organization').values({ id: o.id, management_account_id: o.managementAccountId, feature_set: o.featureSet, created_at: o.createdAt }).execute();
    }
    if (a.root) await db.insertInto('orgs_root').values({ id: a.root.id, name: a.root.name }).execute();
    if (a.ous.length > 0) {
      await db
        .insertInto('orgs_ou')
        .values(a.ous.map((ou) => ({ id: ou.id, parent_id: ou.parentId, name: ou.name, created_at: ou.createdAt })))
        .execute();
    }
    if (a.accounts.length > 0) {
      await db
        .insertInto('orgs_account')
        .values(
          a.accounts.map((x) => ({
            id: x.id,
            name: x.name,
            email: x.email,
            parent_id: x.parentId,
            status: x.status,
            joined_method: x.joinedMethod,
            joined_at: x.joinedAt,
          })),
        )
        .execute();
    }
    if (a.policies.length > 0) {
      await db
        .insertInto('orgs_policy')
        .values(
          a.policies.map(({ policy: p, createdAt }) => ({ id: p.id, type: p.type, name: p.name, description: p.description, content: p.content, created_at: createdAt })),
        )
        .execute();
    }
    if (a.enabledTypes.length > 0) {
      await db
        .insertInto('orgs_enabled_policy_type')
        .values(a.enabledTypes.map((e) => ({ root_id: e.rootId, type: e.type })))
        .execute();
    }
    if (a.attachments.length > 0) {
      await db
        .insertInto('orgs_policy_attachment')
        .values(a.attachments.map((x) => ({ policy_id: x.policyId, target_id: x.targetId, attached_at: x.attachedAt })))
        .execute();
    }
    if (a.tagSets.size > 0) {
      await db.deleteFrom('orgs_tag').where('resource_id', 'in', [...a.tagSets.keys()]).execute();
      const rows = [...a.tagSets].flatMap(([resourceId, tags]) => tags.map((x) => ({ resource_id: resourceId, key: x.key, value: x.value })));
      if (rows.length > 0) await db.insertInto('orgs_tag').values(rows).execute();
    }
  },

  async deleteOu(ex: Ex, ouId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_ou').where('id', '=', ouId).execute();
  },

  async setAccountParent(ex: Ex, accountId: string, parentId: string): Promise<void> {
    await t(ex).updateTable('orgs_account').set({ parent_id: parentId }).where('id', '=', accountId).execute();
  },

  async closeAccount(ex: Ex, accountId: string, now: number): Promise<void> {
    await t(ex).updateTable('orgs_account').set({ status: 'SUSPENDED', closed_at: now }).where('id', '=', accountId).execute();
  },

  /** Removes an account with its policy attachments and tags (RemoveAccountFromOrganization). */
  async removeAccount(ex: Ex, accountId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_policy_attachment').where('target_id', '=', accountId).execute();
    await t(ex).deleteFrom('orgs_tag').where('resource_id', '=', accountId).execute();
    await t(ex).deleteFrom('orgs_account').where('id', '=', accountId).execute();
  },

  async renameOu(ex: Ex, ouId: string, name: string): Promise<void> {
    await t(ex).updateTable('orgs_ou').set({ name }).where('id', '=', ouId).execute();
  },

  /** `at`: when the content changed (DescribeEffectivePolicy's LastUpdatedTimestamp). */
  async updatePolicy(ex: Ex, p: PolicyRecord, at: number): Promise<void> {
    await t(ex)
      .updateTable('orgs_policy')
      .set({ name: p.name, description: p.description, content: p.content, updated_at: at })
      .where('id', '=', p.id)
      .execute();
  },

  /** When each policy was created or last updated, and when each was attached to each target, for `policyIds`. */
  async policyTimes(ex: Ex, policyIds: readonly string[]): Promise<{ changed: Map<string, number>; attached: Map<string, number> }> {
    const changed = new Map<string, number>();
    const attached = new Map<string, number>();
    if (policyIds.length === 0) return { changed, attached };
    const ids = [...policyIds];
    for (const r of await t(ex).selectFrom('orgs_policy').select(['id', 'created_at', 'updated_at']).where('id', 'in', ids).execute()) {
      changed.set(r.id, ms(r.updated_at ?? r.created_at));
    }
    for (const r of await t(ex).selectFrom('orgs_policy_attachment').selectAll().where('policy_id', 'in', ids).execute()) {
      attached.set(`${r.policy_id}/${r.target_id}`, ms(r.attached_at));
    }
    return { changed, attached };
  },

  async deletePolicy(ex: Ex, policyId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_policy').where('id', '=', policyId).execute();
  },

  async detach(ex: Ex, policyId: string, targetId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_policy_attachment').where('policy_id', '=', policyId).where('target_id', '=', targetId).execute();
  },

  async detachAllFromTarget(ex: Ex, targetId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_policy_attachment').where('target_id', '=', targetId).execute();
  },

  async detachPolicies(ex: Ex, policyIds: readonly string[]): Promise<void> {
    if (policyIds.length === 0) return;
    await t(ex).deleteFrom('orgs_policy_attachment').where('policy_id', 'in', [...policyIds]).execute();
  },

  async disablePolicyType(ex: Ex, rootId: string, type: PolicyType): Promise<void> {
    await t(ex).deleteFrom('orgs_enabled_policy_type').where('root_id', '=', rootId).where('type', '=', type).execute();
  },

  /** Replaces the whole tag set of a resource. */
  async setTags(ex: Ex, resourceId: string, tags: readonly Tag[]): Promise<void> {
    await t(ex).deleteFrom('orgs_tag').where('resource_id', '=', resourceId).execute();
    if (tags.length === 0) return;
    await t(ex)
      .insertInto('orgs_tag')
      .values(tags.map((x) => ({ resource_id: resourceId, key: x.key, value: x.value })))
      .execute();
  },

  async deleteTags(ex: Ex, resourceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await t(ex).deleteFrom('orgs_tag').where('resource_id', '=', resourceId).where('key', 'in', [...keys]).execute();
  },
};
