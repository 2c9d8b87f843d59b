/**
 * For tests against the local PostgreSQL (`MLZONE_TEST_PG`): a database in a schema of its own, so runs never
 * share tables, and dropping that schema afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db.js';
import { openPostgres } from './postgres-database.js';

const schemas = new WeakMap<Database, string>();

/** Opens `url` in `schema` (a new random one by default); the schema is created on first use. */
export function openTestPostgres(url: string, schema = `mlzone_test_${randomBytes(6).toString('hex')}`): Database {
  const db = openPostgres({ connectionString: url, schema });
  schemas.set(db, schema);
  return db;
}

/** The schema a database from `openTestPostgres` lives in. */
export function testSchemaOf(db: Database): string {
  const schema = schemas.get(db);
  if (schema === undefined) throw new Error('not a database from openTestPostgres');
  return schema;
}

export async function dropTestSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
