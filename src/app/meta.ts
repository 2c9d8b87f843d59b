import type { Kysely } from 'kysely';
import type { Database, Migration } from '../persistence/db.js';

type MetaTables = { mlzone_meta: { key: string; value: string } };

/** Instance-level facts such as which blueprint seeded this data dir. */
export const metaMigrations: Migration[] = [
  {
    name: 'app-001-meta',
    async up(db: Kysely<any>) {
      await db.schema.createTable('mlzone_meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
    },
  },
];

export async function readMeta(db: Database, key: string): Promise<string | undefined> {
  const row = await db.kysely.withTables<MetaTables>().selectFrom('mlzone_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeMeta(db: Database, key: string, value: string): Promise<void> {
  const k = db.kysely.withTables<MetaTables>();
  await k.deleteFrom('mlzone_meta').where('key', '=', key).execute();
  await k.insertInto('mlzone_meta').values({ key, value }).execute();
}
