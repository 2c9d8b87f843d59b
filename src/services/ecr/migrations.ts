/**
 * Schema of the ECR service. Portable between SQLite and PostgreSQL: text columns (names compared in byte
 * order), epoch milliseconds as bigint, JSON as text. Images and tags hang off the repository ARN, which
 * names account, region and repository at once.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';

export const migrations: Migration[] = [
  {
    name: 'ecr-001-repositories-images',
    async up(db: Kysely<any>): Promise<void> {
      const text = binaryText(db);
      await db.schema
        .createTable('ecr_repository')
        .addColumn('arn', text, (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('tag_mutability', 'text', (c) => c.notNull())
        .addColumn('exclusion_filters', 'text', (c) => c.notNull())
        .addColumn('scan_on_push', 'integer', (c) => c.notNull())
        .addColumn('encryption_type', 'text', (c) => c.notNull())
        .addColumn('kms_key', 'text')
        .addColumn('policy', 'text')
        .execute();
      await db.schema.createIndex('ecr_repository_registry').on('ecr_repository').columns(['account_id', 'region', 'name']).unique().execute();
      await db.schema
        .createTable('ecr_repository_tag')
        .addColumn('repository_arn', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ecr_repository_tag_pk', ['repository_arn', 'key'])
        .execute();
      await db.schema
        .createTable('ecr_image')
        .addColumn('repository_arn', text, (c) => c.notNull())
        .addColumn('digest', text, (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('artifact_media_type', 'text')
        .addColumn('size_bytes', 'bigint')
        .addColumn('pushed_at', 'bigint', (c) => c.notNull())
        .addColumn('last_pulled_at', 'bigint')
        .addPrimaryKeyConstraint('ecr_image_pk', ['repository_arn', 'digest'])
        .execute();
      await db.schema
        .createTable('ecr_image_tag')
        .addColumn('repository_arn', text, (c) => c.notNull())
        .addColumn('tag', text, (c) => c.notNull())
        .addColumn('digest', text, (c) => c.notNull())
        .addColumn('tagged_at', 'bigint', (c) => c.notNull())
        // Order of assignment within the repository (times repeat within a millisecond).
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ecr_image_tag_pk', ['repository_arn', 'tag'])
        .execute();
      await db.schema.createIndex('ecr_image_tag_digest').on('ecr_image_tag').columns(['repository_arn', 'digest']).execute();
    },
  },
];
