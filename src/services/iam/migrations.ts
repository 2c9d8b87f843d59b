/**
 * IAM schema. Portable between SQLite and PostgreSQL: text, bigint epoch milliseconds, integer 0/1 for
 * booleans. Every entity is keyed by its unique id (AIDA…/AROA…/AGPA…/ANPA…) so renames touch one row;
 * `name_key` is the lower-cased name, unique per account, because IAM names ignore case.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';

async function up001(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('iam_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .addColumn('permissions_boundary_arn', 'text')
    .execute();
  await db.schema.createIndex('iam_users_name').on('iam_users').columns(['account_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('iam_access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('secret_access_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .addColumn('last_used_date', 'bigint')
    .addColumn('last_used_service', 'text')
    .addColumn('last_used_region', 'text')
    .execute();
  await db.schema.createIndex('iam_access_keys_user').on('iam_access_keys').column('user_id').execute();

  await db.schema
    .createTable('iam_roles')
    .addColumn('role_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('role_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('assume_role_policy_document', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('max_session_duration', 'integer', (c) => c.notNull())
    .addColumn('permissions_boundary_arn', 'text')
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .addColumn('last_used_date', 'bigint')
    .addColumn('last_used_region', 'text')
    .execute();
  await db.schema.createIndex('iam_roles_name').on('iam_roles').columns(['account_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('iam_groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('iam_groups_name').on('iam_groups').columns(['account_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('iam_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('iam_group_members_user').on('iam_group_members').column('user_id').execute();

  await db.schema
    .createTable('iam_managed_policies')
    .addColumn('policy_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('default_version_id', 'text', (c) => c.notNull())
    .addColumn('next_version', 'integer', (c) => c.notNull())
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('iam_managed_policies_name').on('iam_managed_policies').columns(['account_id', 'name_key']).unique().execute();
  await db.schema.createIndex('iam_managed_policies_arn').on('iam_managed_policies').column('arn').unique().execute();

  await db.schema
    .createTable('iam_policy_versions')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('create_date', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_policy_versions_pk', ['policy_id', 'version_id'])
    .execute();

  await db.schema
    .createTable('iam_inline_policies')
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_inline_policies_pk', ['owner_kind', 'owner_id', 'policy_name'])
    .execute();

  await db.schema
    .createTable('iam_attachments')
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('policy_arn', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('attach_date', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_attachments_pk', ['owner_kind', 'owner_id', 'policy_arn'])
    .execute();
  await db.schema.createIndex('iam_attachments_policy').on('iam_attachments').columns(['account_id', 'policy_arn']).execute();

  await db.schema
    .createTable('iam_tags')
    .addColumn('resource_kind', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('key_lc', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_tags_pk', ['resource_kind', 'resource_id', 'key_lc'])
    .execute();
}

/** The IAM service's schema steps, applied in order by `runMigrations`. */
export const iamMigrations: readonly Migration[] = [{ name: 'iam-001-initial', up: up001 }];
