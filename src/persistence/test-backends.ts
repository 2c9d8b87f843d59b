/**
 * For tests that run against both backends: SQLite in memory always, PostgreSQL too when `MLZONE_TEST_PG` names a
 * server (each database in a schema of its own, dropped on dispose).
 *
 * @example
 * for (const backend of testBackends()) describe(`logs (${backend.name})`, () => { … backend.open() … });
 */
import type { Database } from './db.js';
import { dropTestSchema, openTestPostgres, testSchemaOf } from './postgres/testing.js';
import { openSqlite } from './sqlite/index.js';

export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  open(): Database;
  dispose(db: Database): Promise<void>;
}

export function testBackends(pgUrl = process.env.MLZONE_TEST_PG): TestBackend[] {
  const sqlite: TestBackend = { name: 'sqlite', open: () => openSqlite({ file: ':memory:' }), dispose: (db) => db.close() };
  if (!pgUrl) return [sqlite];
  const postgres: TestBackend = {
    name: 'postgres',
    open: () => openTestPostgres(pgUrl),
    async dispose(db) {
      const schema = testSchemaOf(db);
      await db.close();
      await dropTestSchema(pgUrl, schema);
    },
  };
  return [sqlite, postgres];
}
