/**
 * Schema of the Organizations service. Portable between SQLite and PostgreSQL: text columns, epoch
 * milliseconds as bigint, composite primary keys instead of surrogate ids.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';

export const migrations: Migration[] = [
  {
    name: 'organizations-001-tables',
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('orgs_organization')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('management_account_id', 'text', (c) => c.notNull())
        .addColumn('feature_set', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('orgs_root')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('orgs_ou')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orgs_ou_parent_name').on('orgs_ou').columns(['parent_id', 'name']).unique().execute();
      await db.schema
        .createTable('orgs_account')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('joined_method', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orgs_account_email').on('orgs_account').column('email').unique().execute();
      await db.schema
        .createTable('orgs_policy')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orgs_policy_type_name').on('orgs_policy').columns(['type', 'name']).unique().execute();
      await db.schema
        .createTable('orgs_policy_attachment')
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('attached_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('orgs_policy_attachment_pk', ['policy_id', 'target_id'])
        .execute();
      await db.schema.createIndex('orgs_policy_attachment_target').on('orgs_policy_attachment').column('target_id').execute();
      await db.schema
        .createTable('orgs_enabled_policy_type')
        .addColumn('root_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('orgs_enabled_policy_type_pk', ['root_id', 'type'])
        .execute();
      await db.schema
        .createTable('orgs_tag')
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('orgs_tag_pk', ['resource_id', 'key'])
        .execute();
    },
  },
];

/**
 * The account lifecycle: CreateAccount requests (asynchronous, so their status is a row of its own) and the
 * moment an account was closed (closed accounts stay listed as SUSPENDED for 90 days, as on AWS).
 */
migrations.push({
  name: 'organizations-002-account-lifecycle',
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('orgs_account').addColumn('closed_at', 'bigint').execute();
    await db.schema
      .createTable('orgs_create_account_request')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('role_name', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('account_id', 'text')
      .addColumn('failure_reason', 'text')
      .execute();
    await db.schema.createIndex('orgs_create_account_request_state').on('orgs_create_account_request').columns(['state', 'requested_at']).execute();
  },
});

/**
 * Running the landing zone: invitations (handshakes), the accounts that left the organization (so they can be
 * invited back under their own name and email), trusted service access, delegated administrators, and when a
 * policy's content last changed (DescribeEffectivePolicy's LastUpdatedTimestamp).
 */
migrations.push({
  name: 'organizations-003-handshakes-delegation',
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('orgs_handshake')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('notes', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('state_changed_at', 'bigint', (c) => c.notNull())
      .addColumn('responder_account_id', 'text')
      .execute();
    await db.schema.createIndex('orgs_handshake_target').on('orgs_handshake').columns(['target_type', 'target_id']).execute();
    await db.schema
      .createTable('orgs_former_account')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('left_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('orgs_service_access')
      .addColumn('service_principal', 'text', (c) => c.primaryKey())
      .addColumn('enabled_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('orgs_delegated_admin')
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('service_principal', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('orgs_delegated_admin_pk', ['account_id', 'service_principal'])
      .execute();
    await db.schema.alterTable('orgs_policy').addColumn('updated_at', 'bigint').execute();
  },
});
