import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db.js';
import { runDatabaseContract } from '../database.contract.js';
import { runMigrations } from '../migrate.js';
import { binaryText } from '../portable-sql.js';
import { openPostgres } from './index.js';
import { dropTestSchema, openTestPostgres, testSchemaOf } from './testing.js';

/** e.g. MLZONE_TEST_PG=postgres://postgres@127.0.0.1:5432/test */
const url = process.env.MLZONE_TEST_PG;
const suite = url ? describe : describe.skip;
const title = url ? 'PostgreSQL' : 'PostgreSQL (skipped: set MLZONE_TEST_PG=postgres://user@host:port/db to run)';

// Each contract test gets its own schema, dropped when it is done.
const open = async (schema?: string): Promise<Database> => openTestPostgres(url!, schema);
const drop = (schema: string): Promise<void> => dropTestSchema(url!, schema);

suite(title, () => {
  runDatabaseContract(
    'postgres',
    () => open(),
    async (db) => {
      await db.close();
      await drop(testSchemaOf(db));
    },
    async (db) => {
      await db.close();
      return open(testSchemaOf(db));
    },
  );

  describe('openPostgres', () => {
    it('keeps every table in its schema and out of public', async () => {
      const db = await open();
      const schema = testSchemaOf(db);
      try {
        await runMigrations(db, [{ name: 'p-001', up: (k) => k.schema.createTable('only_here').addColumn('id', 'integer').execute() }]);
        const rows = await sql<{ table_schema: string; table_name: string }>`
          select table_schema, table_name from information_schema.tables
          where table_name in ('only_here', 'mlzone_migrations') and table_schema in (${schema}, 'public')
          order by table_name`.execute(db.kysely);
        expect(rows.rows).toEqual([
          { table_schema: schema, table_name: 'mlzone_migrations' },
          { table_schema: schema, table_name: 'only_here' },
        ]);
      } finally {
        await db.close();
        await drop(schema);
      }
    });

    it('creates nothing when closed before its first query, even if used afterwards', async () => {
      const db = await open();
      const schema = testSchemaOf(db);
      await db.close();
      await expect(db.kysely.selectFrom('anything').selectAll().execute()).rejects.toThrow(/database is closed/);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
        expect(found.rowCount).toBe(0);
      } finally {
        await client.end();
      }
    });

    it('rejects a schema name it would have to quote', () => {
      expect(() => openPostgres({ connectionString: url!, schema: 'Bad"Name' })).toThrow(/invalid schema name/);
    });

    it('fails a query whose bigint does not fit a JS number instead of rounding it', async () => {
      const db = await open();
      try {
        expect((await sql<{ v: number }>`select ${'9007199254740991'}::bigint as v`.execute(db.kysely)).rows[0].v).toBe(Number.MAX_SAFE_INTEGER);
        await expect(sql`select ${'9007199254740993'}::bigint as v`.execute(db.kysely)).rejects.toThrow(RangeError);
        // The connection stays usable.
        expect((await sql<{ n: number }>`select count(*) as n from (values (1), (2)) v`.execute(db.kysely)).rows[0].n).toBe(2);
      } finally {
        await db.close();
        await drop(testSchemaOf(db));
      }
    });

    it('keeps byte order with binaryText even where a linguistic collation would not', async () => {
      const db = await open();
      try {
        await runMigrations(db, [
          {
            name: 'p-001',
            up: (k) =>
              k.schema
                .createTable('names')
                .addColumn('binary_name', binaryText(k))
                .addColumn('linguistic_name', sql`text collate "en-x-icu"`)
                .execute(),
          },
        ]);
        const values = ['b', 'B', 'a', 'A', 'a-b', 'ab'];
        await db.kysely.insertInto('names').values(values.map((v) => ({ binary_name: v, linguistic_name: v }))).execute();
        const order = async (col: string) => (await db.kysely.selectFrom('names').select(col).orderBy(col).execute()).map((r) => r[col]);
        expect(await order('binary_name')).toEqual([...values].sort());
        expect(await order('linguistic_name')).not.toEqual([...values].sort());
      } finally {
        await db.close();
        await drop(testSchemaOf(db));
      }
    });

    it('lets two processes race to migrate the same schema: each migration runs once', async () => {
      const schema = `mlzone_test_${randomBytes(6).toString('hex')}`;
      const a = await open(schema);
      const b = await open(schema);
      try {
        let runs = 0;
        const migrations = ['r-001', 'r-002', 'r-003'].map((name) => ({
          name,
          up: async (k: Parameters<typeof binaryText>[0]) => {
            runs++;
            await k.schema.createTable(name.replace('-', '_')).addColumn('id', 'integer').execute();
          },
        }));
        const [ra, rb] = await Promise.all([runMigrations(a, migrations), runMigrations(b, migrations)]);
        expect([...ra, ...rb].sort()).toEqual(['r-001', 'r-002', 'r-003']);
        expect(runs).toBe(3);
      } finally {
        await a.close();
        await b.close();
        await drop(schema);
      }
    });
  });
});
