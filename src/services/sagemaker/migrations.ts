/**
 * Schema of the SageMaker service: one table for every resource kind (models, endpoint configs, endpoints,
 * model package groups and packages, jobs …). Each row keeps the columns that lookups, listings and sorting use,
 * and the rest of the resource as its Describe-shaped JSON document, which is also what Search filters on. A
 * new resource kind needs no migration. Portable between SQLite and PostgreSQL (text, bigint epoch ms, JSON text).
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';

export const migrations: Migration[] = [
  {
    name: 'sagemaker-001-resources',
    async up(db: Kysely<any>): Promise<void> {
      const text = binaryText(db);
      await db.schema
        .createTable('sagemaker_resource')
        .addColumn('arn', text, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        // The resource this one belongs to (a package's group ARN, an endpoint's config name), for listings.
        .addColumn('parent', text)
        .addColumn('version', 'bigint')
        .addColumn('status', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addColumn('policy', 'text')
        .execute();
      await db.schema.createIndex('sagemaker_resource_listing').on('sagemaker_resource').columns(['account_id', 'region', 'kind', 'created_at']).execute();
      await db.schema.createIndex('sagemaker_resource_parent').on('sagemaker_resource').columns(['parent', 'kind']).execute();
      await db.schema
        .createTable('sagemaker_tag')
        .addColumn('arn', text, (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sagemaker_tag_pk', ['arn', 'key'])
        .execute();
      // Monotonic counters (model package versions per group: deleted numbers are never reused).
      await db.schema
        .createTable('sagemaker_counter')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    // A job's output lines as CloudWatch Logs would hold them (`/aws/sagemaker/TrainingJobs`, stream
    // `<job>/algo-1-<epoch>`), until mlzone serves CloudWatch Logs itself.
    name: 'sagemaker-002-job-logs',
    async up(db: Kysely<any>): Promise<void> {
      const text = binaryText(db);
      await db.schema
        .createTable('sagemaker_job_log')
        .addColumn('log_group', text, (c) => c.notNull())
        .addColumn('log_stream', text, (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sagemaker_job_log_pk', ['log_group', 'log_stream', 'seq'])
        .execute();
    },
  },
];
