/**
 * Schema of the Athena service, portable between SQLite and PostgreSQL (text, epoch milliseconds as bigint, JSON
 * as text). Query executions keep what GetQueryExecution reports and the result columns; the rows themselves
 * live in the caller's results bucket. Workgroups, named queries and prepared statements share one table of
 * documents keyed by kind.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';

export const athenaMigrations: Migration[] = [
  {
    name: 'athena-001-queries-resources',
    async up(db: Kysely<any>): Promise<void> {
      const text = binaryText(db);
      await db.schema
        .createTable('athena_query')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('workgroup', text, (c) => c.notNull())
        .addColumn('client_token', text)
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('athena_query_workgroup').on('athena_query').columns(['account_id', 'region', 'workgroup', 'submitted_at']).execute();
      await db.schema.createIndex('athena_query_token').on('athena_query').columns(['account_id', 'region', 'client_token']).execute();
      await db.schema.createIndex('athena_query_state').on('athena_query').columns(['state']).execute();
      await db.schema
        .createTable('athena_resource')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', text, (c) => c.notNull())
        .addColumn('workgroup', text, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('athena_resource_pk', ['account_id', 'region', 'kind', 'key'])
        .execute();
    },
  },
];
