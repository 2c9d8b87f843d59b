/**
 * Data access for the IAM tables. An `IamStore` wraps one executor: the database for reads, or the
 * transaction of a write, so that every statement of a write runs in that transaction. No rules live
 * here (see `domain/` and `operations.ts`); only queries and the mapping of rows (PostgreSQL returns
 * bigint columns as strings, so numbers are normalised on the way out).
 */
import type { Kysely } from 'kysely';
import type { Tag } from './domain/tags.js';

export type OwnerKind = 'user' | 'role' | 'group';
export type TagResourceKind = 'user' | 'role' | 'policy';

interface UsersTable {
  user_id: string;
  account_id: string;
  user_name: string;
  name_key: string;
  path: string;
  arn: string;
  create_date: number;
  permissions_boundary_arn: string | null;
}
interface AccessKeysTable {
  access_key_id: string;
  account_id: string;
  user_id: string;
  secret_access_key: string;
  status: string;
  create_date: number;
  last_used_date: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
}
interface RolesTable {
  role_id: string;
  account_id: string;
  role_name: string;
  name_key: string;
  path: string;
  arn: string;
  assume_role_policy_document: string;
  description: string | null;
  max_session_duration: number;
  permissions_boundary_arn: string | null;
  create_date: number;
  last_used_date: number | null;
  last_used_region: string | null;
}
interface GroupsTable {
  group_id: string;
  account_id: string;
  group_name: string;
  name_key: string;
  path: string;
  arn: string;
  create_date: number;
}
interface GroupMembersTable {
  group_id: string;
  user_id: string;
  account_id: string;
}
interface ManagedPoliciesTable {
  policy_id: string;
  account_id: string;
  policy_name: string;
  name_key: string;
  path: string;
  arn: string;
  description: string | null;
  default_version_id: string;
  next_version: number;
  create_date: number;
}
interface PolicyVersionsTable {
  policy_id: string;
  version_id: string;
  version_number: number;
  document: string;
  create_date: number;
}
interface InlinePoliciesTable {
  owner_kind: string;
  owner_id: string;
  policy_name: string;
  account_id: string;
  document: string;
}
interface AttachmentsTable {
  owner_kind: string;
  owner_id: string;
  policy_arn: string;
  account_id: string;
  attach_date: number;
}
interface TagsTable {
  resource_kind: string;
  resource_id: string;
  key_lc: string;
  tag_key: string;
  tag_value: string;
  position: number;
}

/** The tables of `migrations.ts`, for `db.kysely.withTables<IamTables>()`. */
export interface IamTables {
  iam_users: UsersTable;
  iam_access_keys: AccessKeysTable;
  iam_roles: RolesTable;
  iam_groups: GroupsTable;
  iam_group_members: GroupMembersTable;
  iam_managed_policies: ManagedPoliciesTable;
  iam_policy_versions: PolicyVersionsTable;
  iam_inline_policies: InlinePoliciesTable;
  iam_attachments: AttachmentsTable;
  iam_tags: TagsTable;
}

export type UserRow = UsersTable;
export type AccessKeyRow = AccessKeysTable;
export type RoleRow = RolesTable;
export type GroupRow = GroupsTable;
export type ManagedPolicyRow = ManagedPoliciesTable;
export type PolicyVersionRow = PolicyVersionsTable;
export interface InlinePolicyRow {
  readonly policyName: string;
  readonly document: string;
}
export interface AttachmentRow {
  readonly ownerKind: OwnerKind;
  readonly ownerId: string;
  readonly policyArn: string;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function userOut(r: UsersTable): UserRow {
  return { ...r, create_date: num(r.create_date) };
}
function keyOut(r: AccessKeysTable): AccessKeyRow {
  return { ...r, create_date: num(r.create_date), last_used_date: numOrNull(r.last_used_date) };
}
function roleOut(r: RolesTable): RoleRow {
  return {
    ...r,
    create_date: num(r.create_date),
    max_session_duration: num(r.max_session_duration),
    last_used_date: numOrNull(r.last_used_date),
  };
}
function groupOut(r: GroupsTable): GroupRow {
  return { ...r, create_date: num(r.create_date) };
}
function policyOut(r: ManagedPoliciesTable): ManagedPolicyRow {
  return { ...r, create_date: num(r.create_date), next_version: num(r.next_version) };
}
function versionOut(r: PolicyVersionsTable): PolicyVersionRow {
  return { ...r, create_date: num(r.create_date), version_number: num(r.version_number) };
}

function tagRow(kind: TagResourceKind, resourceId: string, t: Tag, position: number): TagsTable {
  return { resource_kind: kind, resource_id: resourceId, key_lc: t.Key.toLowerCase(), tag_key: t.Key, tag_value: t.Value, position };
}

export class IamStore {
  private readonly db: Kysely<IamTables>;

  constructor(executor: Kysely<any>) {
    this.db = executor as Kysely<IamTables>;
  }

  // ---- batches (the blueprint loader) ---------------------------------------------------------------

  /** Users, roles and local managed policies of some accounts, for validating a batch against them. */
  async entitiesOf(accountIds: readonly string[]): Promise<{ users: UserRow[]; roles: RoleRow[]; policyArns: string[] }> {
    if (accountIds.length === 0) return { users: [], roles: [], policyArns: [] };
    const ids = [...accountIds];
    const users = await this.db.selectFrom('iam_users').selectAll().where('account_id', 'in', ids).execute();
    const roles = await this.db.selectFrom('iam_roles').selectAll().where('account_id', 'in', ids).execute();
    const policies = await this.db.selectFrom('iam_managed_policies').select('arn').where('account_id', 'in', ids).execute();
    return { users: users.map(userOut), roles: roles.map(roleOut), policyArns: policies.map((p) => p.arn) };
  }
  /** Which of these access key ids are taken. */
  async existingAccessKeyIds(accessKeyIds: readonly string[]): Promise<string[]> {
    if (accessKeyIds.length === 0) return [];
    const rows = await this.db.selectFrom('iam_access_keys').select('access_key_id').where('access_key_id', 'in', [...accessKeyIds]).execute();
    return rows.map((r) => r.access_key_id);
  }
  /** Inserts new entities and what hangs off them, one multi-row insert per table. */
  async insertBatch(b: {
    users: readonly UserRow[];
    accessKeys: readonly AccessKeyRow[];
    roles: readonly RoleRow[];
    tags: ReadonlyArray<{ kind: TagResourceKind; resourceId: string; tags: readonly Tag[] }>;
    attachments: ReadonlyArray<{ accountId: string; kind: OwnerKind; ownerId: string; policyArn: string; at: number }>;
    inline: ReadonlyArray<{ accountId: string; kind: OwnerKind; ownerId: string; policyName: string; document: string }>;
  }): Promise<void> {
    if (b.users.length > 0) await this.db.insertInto('iam_users').values([...b.users]).execute();
    if (b.accessKeys.length > 0) await this.db.insertInto('iam_access_keys').values([...b.accessKeys]).execute();
    if (b.roles.length > 0) await this.db.insertInto('iam_roles').values([...b.roles]).execute();
    const tags = b.tags.flatMap((x) => x.tags.map((t, i) => tagRow(x.kind, x.resourceId, t, i)));
    if (tags.length > 0) await this.db.insertInto('iam_tags').values(tags).execute();
    if (b.attachments.length > 0) {
      await this.db
        .insertInto('iam_attachments')
        .values(b.attachments.map((a) => ({ account_id: a.accountId, owner_kind: a.kind, owner_id: a.ownerId, policy_arn: a.policyArn, attach_date: a.at })))
        .execute();
    }
    if (b.inline.length > 0) {
      await this.db
        .insertInto('iam_inline_policies')
        .values(b.inline.map((p) => ({ account_id: p.accountId, owner_kind: p.kind, owner_id: p.ownerId, policy_name: p.policyName, document: p.document })))
        .execute();
    }
  }

  // ---- users ----------------------------------------------------------------------------------------

  async findUser(accountId: string, nameKey: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('iam_users').selectAll().where('account_id', '=', accountId).where('name_key', '=', nameKey).executeTakeFirst();
    return r && userOut(r);
  }
  async findUserById(userId: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('iam_users').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r && userOut(r);
  }
  async listUsers(accountId: string): Promise<UserRow[]> {
    return (await this.db.selectFrom('iam_users').selectAll().where('account_id', '=', accountId).execute()).map(userOut);
  }
  async insertUser(row: UserRow): Promise<void> {
    await this.db.insertInto('iam_users').values(row).execute();
  }
  async updateUser(userId: string, patch: Partial<Omit<UserRow, 'user_id' | 'account_id'>>): Promise<void> {
    await this.db.updateTable('iam_users').set(patch).where('user_id', '=', userId).execute();
  }
  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('iam_users').where('user_id', '=', userId).execute();
  }
  async countUsers(accountId: string): Promise<number> {
    return this.countIn('iam_users', accountId);
  }

  // ---- access keys ----------------------------------------------------------------------------------

  async findAccessKey(accessKeyId: string): Promise<AccessKeyRow | undefined> {
    const r = await this.db.selectFrom('iam_access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return r && keyOut(r);
  }
  async listAccessKeys(userId: string): Promise<AccessKeyRow[]> {
    return (await this.db.selectFrom('iam_access_keys').selectAll().where('user_id', '=', userId).execute()).map(keyOut);
  }
  async insertAccessKey(row: AccessKeyRow): Promise<void> {
    await this.db.insertInto('iam_access_keys').values(row).execute();
  }
  async updateAccessKeyStatus(accessKeyId: string, status: string): Promise<void> {
    await this.db.updateTable('iam_access_keys').set({ status }).where('access_key_id', '=', accessKeyId).execute();
  }
  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.db.deleteFrom('iam_access_keys').where('access_key_id', '=', accessKeyId).execute();
  }

  // ---- roles ----------------------------------------------------------------------------------------

  async findRole(accountId: string, nameKey: string): Promise<RoleRow | undefined> {
    const r = await this.db.selectFrom('iam_roles').selectAll().where('account_id', '=', accountId).where('name_key', '=', nameKey).executeTakeFirst();
    return r && roleOut(r);
  }
  async listRoles(accountId: string): Promise<RoleRow[]> {
    return (await this.db.selectFrom('iam_roles').selectAll().where('account_id', '=', accountId).execute()).map(roleOut);
  }
  async insertRole(row: RoleRow): Promise<void> {
    await this.db.insertInto('iam_roles').values(row).execute();
  }
  async updateRole(roleId: string, patch: Partial<Omit<RoleRow, 'role_id' | 'account_id'>>): Promise<void> {
    await this.db.updateTable('iam_roles').set(patch).where('role_id', '=', roleId).execute();
  }
  async deleteRole(roleId: string): Promise<void> {
    await this.db.deleteFrom('iam_roles').where('role_id', '=', roleId).execute();
  }
  async countRoles(accountId: string): Promise<number> {
    return this.countIn('iam_roles', accountId);
  }

  // ---- groups ---------------------------------------------------------------------------------------

  async findGroup(accountId: string, nameKey: string): Promise<GroupRow | undefined> {
    const r = await this.db.selectFrom('iam_groups').selectAll().where('account_id', '=', accountId).where('name_key', '=', nameKey).executeTakeFirst();
    return r && groupOut(r);
  }
  async listGroups(accountId: string): Promise<GroupRow[]> {
    return (await this.db.selectFrom('iam_groups').selectAll().where('account_id', '=', accountId).execute()).map(groupOut);
  }
  async insertGroup(row: GroupRow): Promise<void> {
    await this.db.insertInto('iam_groups').values(row).execute();
  }
  async updateGroup(groupId: string, patch: Partial<Omit<GroupRow, 'group_id' | 'account_id'>>): Promise<void> {
    await this.db.updateTable('iam_groups').set(patch).where('group_id', '=', groupId).execute();
  }
  async deleteGroup(groupId: string): Promise<void> {
    await this.db.deleteFrom('iam_groups').where('group_id', '=', groupId).execute();
  }
  async countGroups(accountId: string): Promise<number> {
    return this.countIn('iam_groups', accountId);
  }
  async groupMembers(groupId: string): Promise<UserRow[]> {
    const rows = await this.db
      .selectFrom('iam_group_members as m')
      .innerJoin('iam_users as u', 'u.user_id', 'm.user_id')
      .selectAll('u')
      .where('m.group_id', '=', groupId)
      .execute();
    return rows.map(userOut);
  }
  async groupsOfUser(userId: string): Promise<GroupRow[]> {
    const rows = await this.db
      .selectFrom('iam_group_members as m')
      .innerJoin('iam_groups as g', 'g.group_id', 'm.group_id')
      .selectAll('g')
      .where('m.user_id', '=', userId)
      .execute();
    return rows.map(groupOut);
  }
  async isMember(groupId: string, userId: string): Promise<boolean> {
    const r = await this.db.selectFrom('iam_group_members').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    return r !== undefined;
  }
  async addMember(accountId: string, groupId: string, userId: string): Promise<void> {
    await this.db.insertInto('iam_group_members').values({ account_id: accountId, group_id: groupId, user_id: userId }).execute();
  }
  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('iam_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  }

  // ---- managed policies -----------------------------------------------------------------------------

  async findPolicyByArn(arn: string): Promise<ManagedPolicyRow | undefined> {
    const r = await this.db.selectFrom('iam_managed_policies').selectAll().where('arn', '=', arn).executeTakeFirst();
    return r && policyOut(r);
  }
  async findPolicyByName(accountId: string, nameKey: string): Promise<ManagedPolicyRow | undefined> {
    const r = await this.db
      .selectFrom('iam_managed_policies')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('name_key', '=', nameKey)
      .executeTakeFirst();
    return r && policyOut(r);
  }
  async listPolicies(accountId: string): Promise<ManagedPolicyRow[]> {
    return (await this.db.selectFrom('iam_managed_policies').selectAll().where('account_id', '=', accountId).execute()).map(policyOut);
  }
  async insertPolicy(row: ManagedPolicyRow): Promise<void> {
    await this.db.insertInto('iam_managed_policies').values(row).execute();
  }
  async updatePolicy(policyId: string, patch: Partial<Pick<ManagedPolicyRow, 'default_version_id' | 'next_version'>>): Promise<void> {
    await this.db.updateTable('iam_managed_policies').set(patch).where('policy_id', '=', policyId).execute();
  }
  async deletePolicy(policyId: string): Promise<void> {
    await this.db.deleteFrom('iam_policy_versions').where('policy_id', '=', policyId).execute();
    await this.db.deleteFrom('iam_managed_policies').where('policy_id', '=', policyId).execute();
  }
  async listVersions(policyId: string): Promise<PolicyVersionRow[]> {
    return (await this.db.selectFrom('iam_policy_versions').selectAll().where('policy_id', '=', policyId).execute()).map(versionOut);
  }
  async findVersion(policyId: string, versionId: string): Promise<PolicyVersionRow | undefined> {
    const r = await this.db
      .selectFrom('iam_policy_versions')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    return r && versionOut(r);
  }
  async insertVersion(row: PolicyVersionRow): Promise<void> {
    await this.db.insertInto('iam_policy_versions').values(row).execute();
  }
  async deleteVersion(policyId: string, versionId: string): Promise<void> {
    await this.db.deleteFrom('iam_policy_versions').where('policy_id', '=', policyId).where('version_id', '=', versionId).execute();
  }
  /** Latest version create date per local policy of the account (a policy's UpdateDate). */
  async policyUpdateDates(accountId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('iam_policy_versions as v')
      .innerJoin('iam_managed_policies as p', 'p.policy_id', 'v.policy_id')
      .select(['v.policy_id', (eb) => eb.fn.max('v.create_date').as('latest')])
      .where('p.account_id', '=', accountId)
      .groupBy('v.policy_id')
      .execute();
    return new Map(rows.map((r) => [r.policy_id, Number(r.latest)]));
  }

  // ---- inline policies ------------------------------------------------------------------------------

  async listInline(kind: OwnerKind, ownerId: string): Promise<InlinePolicyRow[]> {
    const rows = await this.db
      .selectFrom('iam_inline_policies')
      .select(['policy_name', 'document'])
      .where('owner_kind', '=', kind)
      .where('owner_id', '=', ownerId)
      .execute();
    return rows.map((r) => ({ policyName: r.policy_name, document: r.document }));
  }
  async putInline(accountId: string, kind: OwnerKind, ownerId: string, policyName: string, document: string): Promise<void> {
    const updated = await this.db
      .updateTable('iam_inline_policies')
      .set({ document })
      .where('owner_kind', '=', kind)
      .where('owner_id', '=', ownerId)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return;
    await this.db
      .insertInto('iam_inline_policies')
      .values({ account_id: accountId, owner_kind: kind, owner_id: ownerId, policy_name: policyName, document })
      .execute();
  }
  async deleteInline(kind: OwnerKind, ownerId: string, policyName: string): Promise<number> {
    const r = await this.db
      .deleteFrom('iam_inline_policies')
      .where('owner_kind', '=', kind)
      .where('owner_id', '=', ownerId)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- attachments ----------------------------------------------------------------------------------

  async listAttached(kind: OwnerKind, ownerId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('iam_attachments')
      .select('policy_arn')
      .where('owner_kind', '=', kind)
      .where('owner_id', '=', ownerId)
      .orderBy('attach_date')
      .orderBy('policy_arn')
      .execute();
    return rows.map((r) => r.policy_arn);
  }
  async attach(accountId: string, kind: OwnerKind, ownerId: string, policyArn: string, now: number): Promise<void> {
    await this.db
      .insertInto('iam_attachments')
      .values({ account_id: accountId, owner_kind: kind, owner_id: ownerId, policy_arn: policyArn, attach_date: now })
      .execute();
  }
  async detach(kind: OwnerKind, ownerId: string, policyArn: string): Promise<number> {
    const r = await this.db
      .deleteFrom('iam_attachments')
      .where('owner_kind', '=', kind)
      .where('owner_id', '=', ownerId)
      .where('policy_arn', '=', policyArn)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
  /** Everything attached to `policyArn` in one account. */
  async attachmentsOf(accountId: string, policyArn: string): Promise<AttachmentRow[]> {
    const rows = await this.db
      .selectFrom('iam_attachments')
      .select(['owner_kind', 'owner_id', 'policy_arn'])
      .where('account_id', '=', accountId)
      .where('policy_arn', '=', policyArn)
      .execute();
    return rows.map((r) => ({ ownerKind: r.owner_kind as OwnerKind, ownerId: r.owner_id, policyArn: r.policy_arn }));
  }
  /** AttachmentCount of every policy attached somewhere in the account (AWS managed ones included). */
  async attachmentCounts(accountId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('iam_attachments')
      .select(['policy_arn', (eb) => eb.fn.countAll().as('n')])
      .where('account_id', '=', accountId)
      .groupBy('policy_arn')
      .execute();
    return new Map(rows.map((r) => [r.policy_arn, Number(r.n)]));
  }
  /** PermissionsBoundaryUsageCount of every policy used as a boundary in the account. */
  async boundaryCounts(accountId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const table of ['iam_users', 'iam_roles'] as const) {
      const rows = await this.db
        .selectFrom(table)
        .select(['permissions_boundary_arn', (eb) => eb.fn.countAll().as('n')])
        .where('account_id', '=', accountId)
        .where('permissions_boundary_arn', 'is not', null)
        .groupBy('permissions_boundary_arn')
        .execute();
      for (const r of rows) out.set(r.permissions_boundary_arn!, (out.get(r.permissions_boundary_arn!) ?? 0) + Number(r.n));
    }
    return out;
  }
  async countAttachments(accountId: string): Promise<number> {
    return this.countIn('iam_attachments', accountId);
  }

  // ---- tags -----------------------------------------------------------------------------------------

  async getTags(kind: TagResourceKind, resourceId: string): Promise<Tag[]> {
    const rows = await this.db
      .selectFrom('iam_tags')
      .select(['tag_key', 'tag_value'])
      .where('resource_kind', '=', kind)
      .where('resource_id', '=', resourceId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
  }
  async setTags(kind: TagResourceKind, resourceId: string, tags: readonly Tag[]): Promise<void> {
    await this.deleteTags(kind, resourceId);
    if (tags.length === 0) return;
    await this.db
      .insertInto('iam_tags')
      .values(tags.map((t, i) => tagRow(kind, resourceId, t, i)))
      .execute();
  }
  async deleteTags(kind: TagResourceKind, resourceId: string): Promise<void> {
    await this.db.deleteFrom('iam_tags').where('resource_kind', '=', kind).where('resource_id', '=', resourceId).execute();
  }

  async countPolicies(accountId: string): Promise<number> {
    return this.countIn('iam_managed_policies', accountId);
  }

  private async countIn(table: 'iam_users' | 'iam_roles' | 'iam_groups' | 'iam_attachments' | 'iam_managed_policies', accountId: string): Promise<number> {
    const r = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
