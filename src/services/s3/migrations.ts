import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';

/** Buckets, objects, multipart uploads and parts. Keys sort in byte order on both backends (S3's listing order). */
export const s3Migrations: Migration[] = [
  {
    name: 's3-001-buckets-objects-uploads',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('s3_buckets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('policy', 'text')
        .addColumn('tags_json', 'text')
        .addColumn('public_access_block_json', 'text')
        .execute();
      await db.schema.createIndex('s3_buckets_account').on('s3_buckets').column('account_id').execute();
      await db.schema
        .createTable('s3_objects')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', binaryText(db), (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addColumn('segments_json', 'text', (c) => c.notNull())
        .addColumn('headers_json', 'text', (c) => c.notNull())
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('tags_json', 'text', (c) => c.notNull())
        .addColumn('checksum_json', 'text')
        .addColumn('parts_count', 'integer')
        .addColumn('storage_class', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('s3_objects_pk', ['bucket', 'key'])
        .execute();
      await db.schema
        .createTable('s3_uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', binaryText(db), (c) => c.notNull())
        .addColumn('initiated', 'bigint', (c) => c.notNull())
        .addColumn('initiator_arn', 'text', (c) => c.notNull())
        .addColumn('initiator_id', 'text', (c) => c.notNull())
        .addColumn('owner_account_id', 'text', (c) => c.notNull())
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('s3_uploads_bucket_key').on('s3_uploads').columns(['bucket', 'key', 'upload_id']).execute();
      await db.schema
        .createTable('s3_parts')
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('part_number', 'integer', (c) => c.notNull())
        .addColumn('blob_id', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('checksum', 'text')
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('s3_parts_pk', ['upload_id', 'part_number'])
        .execute();
    },
  },
];
