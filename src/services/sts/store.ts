import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../../core/principal.js';
import type { Database, Migration } from '../../persistence/db.js';

type SessionsTable = {
  sts_sessions: {
    access_key_id: string;
    secret_access_key: string;
    token_sha256: string;
    principal_json: string;
    expires_at: number;
    created_at: number;
  };
};

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

export interface StoredSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly tokenSha256: string;
  readonly principal: Principal;
  readonly expiresAt: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createSessionStore(db: Database) {
  const k = () => db.kysely.withTables<SessionsTable>();
  return {
    async insert(s: StoredSession, now: number): Promise<void> {
      await k()
        .insertInto('sts_sessions')
        .values({
          access_key_id: s.accessKeyId,
          secret_access_key: s.secretAccessKey,
          token_sha256: s.tokenSha256,
          principal_json: JSON.stringify(s.principal),
          expires_at: s.expiresAt,
          created_at: now,
        })
        .execute();
    },
    async find(accessKeyId: string): Promise<StoredSession | undefined> {
      const row = await k().selectFrom('sts_sessions').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
      if (!row) return undefined;
      return {
        accessKeyId: row.access_key_id,
        secretAccessKey: row.secret_access_key,
        tokenSha256: row.token_sha256,
        principal: JSON.parse(row.principal_json) as Principal,
        expiresAt: Number(row.expires_at),
      };
    },
    /** Sessions expired for more than a day are useless; keep a day for `ExpiredToken` answers. */
    async purgeExpired(now: number): Promise<void> {
      await k().deleteFrom('sts_sessions').where('expires_at', '<', now - 86_400_000).execute();
    },
  };
}
