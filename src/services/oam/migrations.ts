/**
 * Schema of the OAM service, portable between SQLite and PostgreSQL. A sink is unique per account and region
 * (AWS allows one); a source account links to a given sink at most once. Resource types and link configuration
 * are JSON text.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';

export const migrations: Migration[] = [
  {
    name: 'oam-001-sinks-links',
    async up(db: Kysely<any>): Promise<void> {
      const text = binaryText(db);
      await db.schema
        .createTable('oam_sink')
        .addColumn('arn', text, (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('policy', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oam_sink_account_region').on('oam_sink').columns(['account_id', 'region']).unique().execute();
      await db.schema
        .createTable('oam_link')
        .addColumn('arn', text, (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('sink_arn', text, (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('label_template', 'text', (c) => c.notNull())
        .addColumn('resource_types', 'text', (c) => c.notNull())
        .addColumn('link_configuration', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oam_link_source_sink').on('oam_link').columns(['account_id', 'sink_arn']).unique().execute();
      await db.schema.createIndex('oam_link_sink').on('oam_link').columns(['sink_arn']).execute();
      await db.schema
        .createTable('oam_tag')
        .addColumn('resource_arn', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('oam_tag_pk', ['resource_arn', 'key'])
        .execute();
    },
  },
];
