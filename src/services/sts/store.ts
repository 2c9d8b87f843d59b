import type { Kysely } from 'kysely';
import type { Migration } from '../../persistence/db.js';

/**
 * Sessions used to be rows here; tokens now carry their session (domain/session-token.ts), so nothing reads or
 * writes this table. The migration stays: data dirs that ran it keep their migration history valid.
 */
export const stsMigrations: Migration[] = [
  {
    name: 'sts-001-sessions',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sts_sessions')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('secret_access_key', 'text', (c) => c.notNull())
        .addColumn('token_sha256', 'text', (c) => c.notNull())
        .addColumn('principal_json', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sts_sessions_expires').on('sts_sessions').column('expires_at').execute();
    },
  },
];
