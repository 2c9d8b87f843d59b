import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine, type QueryResult } from './engine.js';
import { QueryFailure } from './errors.js';
import { FakeCatalog } from './fake-catalog.js';
import { csvTable, ctxAs, localLake, parquetTable } from './test-support.js';

const FULL = 'arn:aws:iam::111111111111:role/Full';
const NO_SSN = 'arn:aws:iam::111111111111:role/NoSsn';
const EU = 'arn:aws:iam::111111111111:role/Eu';
const CELLS = 'arn:aws:iam::111111111111:role/Cells';
const NOBODY = 'arn:aws:iam::111111111111:role/Nobody';

let root: string;
let engine: QueryEngine;

beforeAll(async () => {
  const lake = await localLake();
  root = lake.root;
  const catalog = new FakeCatalog();
  const access = {
    [FULL]: 'all' as const,
    [NO_SSN]: [{ columns: ['id', 'name', 'region', 'spend'] }],
    [EU]: [{ rowFilter: "region = 'EU'", columns: ['id', 'name', 'region', 'spend'] }],
    // EU rows with everything but ssn, plus names of every row.
    [CELLS]: [{ rowFilter: "region = 'EU'", columns: ['id', 'name', 'spend'] }, { columns: ['name'] }],
  };
  catalog.put({ table: parquetTable('s3://lake/customers/'), access });
  catalog.put({ table: csvTable('s3://lake/customers_csv/'), access });
  engine = new QueryEngine(catalog, lake.files, { timeoutMs: 3000 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(arn: string, sql: string, database = 'sales'): Promise<QueryResult> {
  const gated = await engine.check(sql);
  return engine.start(ctxAs(arn), { gated, database }).result;
}

async function failure(arn: string, sql: string, database = 'sales'): Promise<QueryFailure> {
  try {
    await run(arn, sql, database);
  } catch (e) {
    if (e instanceof QueryFailure) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('query engine over a fake catalog', () => {
  it('reads Parquet and OpenCSV (header skipped, _SUCCESS ignored) with Glue types', async () => {
    for (const t of ['customers', 'customers_csv']) {
      const r = await run(FULL, `SELECT id, name, spend FROM ${t} ORDER BY id`);
      expect(r.columns.map((c) => [c.name, c.type])).toEqual([
        ['id', 'bigint'],
        ['name', 'varchar'],
        ['spend', 'double'],
      ]);
      expect(r.rows).toEqual([
        ['1', 'Ana', '10.5'],
        ['2', 'Bo', '20.0'],
        ['3', 'Cy', '30.25'],
        ['4', 'Di', '40.0'],
      ]);
      expect(r.dataScannedInBytes).toBeGreaterThan(0);
    }
  });

  it('names unaliased expressions _colN and reports sum() as bigint', async () => {
    const r = await run(FULL, 'SELECT count(*), sum(id) AS total, region FROM customers GROUP BY region ORDER BY 3');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['_col0', 'bigint'],
      ['total', 'bigint'],
      ['region', 'varchar'],
    ]);
  });

  it('resolves db.t, awsdatacatalog.db.t and quoted mixed-case names', async () => {
    for (const sql of ['SELECT count(*) FROM sales.customers', 'SELECT count(*) FROM awsdatacatalog.sales.customers', 'SELECT count(*) FROM "AwsDataCatalog"."sales"."customers"']) {
      expect((await run(FULL, sql, 'default')).rows).toEqual([['4']]);
    }
  });

  it('SELECT * returns only permitted columns; naming a forbidden one is COLUMN_NOT_FOUND', async () => {
    const r = await run(NO_SSN, 'SELECT * FROM customers ORDER BY id');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'name', 'region', 'spend']);
    const f = await failure(NO_SSN, 'SELECT id,\n  ssn FROM customers');
    expect(f.reason).toBe("COLUMN_NOT_FOUND: line 2:3: Column 'ssn' cannot be resolved or requester is not authorized to access requested resources");
    expect([f.errorCategory, f.errorType]).toEqual([2, 1006]);
    const q = await failure(NO_SSN, 'SELECT c.ssn FROM customers c');
    expect(q.reason).toContain("line 1:8: Column 'c.ssn' cannot be resolved");
    await expect(failure(NO_SSN, 'SELECT * FROM (SELECT ssn FROM customers)')).resolves.toBeInstanceOf(QueryFailure);
  });

  it('row filters apply, even to aggregates and to predicates on hidden rows', async () => {
    expect((await run(EU, 'SELECT name FROM customers_csv ORDER BY id')).rows).toEqual([['Ana'], ['Cy']]);
    expect((await run(EU, "SELECT count(*) FROM customers WHERE region = 'US'")).rows).toEqual([['0']]);
  });

  it('several grants give cell-level results: hidden cells are NULL', async () => {
    const r = await run(CELLS, 'SELECT * FROM customers ORDER BY name');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'name', 'spend']);
    expect(r.rows).toEqual([
      ['1', 'Ana', '10.5'],
      [null, 'Bo', null],
      ['3', 'Cy', '30.25'],
      [null, 'Di', null],
    ]);
  });

  it('a table without a grant is TABLE_NOT_FOUND; an unknown database SCHEMA_NOT_FOUND; another catalog CATALOG_NOT_FOUND', async () => {
    expect((await failure(NOBODY, 'SELECT 1 FROM customers')).reason).toBe("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.customers' does not exist");
    expect((await failure(FULL, 'SELECT 1 FROM nope.t')).reason).toBe("SCHEMA_NOT_FOUND: line 1:15: Schema 'nope' does not exist");
    expect((await failure(FULL, 'SELECT 1 FROM memory.sales.customers')).reason).toMatch(/^CATALOG_NOT_FOUND/);
    expect((await failure(FULL, "SELECT * FROM '/etc/passwd'")).reason).toMatch(/^(TABLE|SCHEMA)_NOT_FOUND/);
  });

  it('stops a query when its time is up (recursive CTE bomb)', async () => {
    const slow = new QueryEngine(new FakeCatalog(), async () => [], { timeoutMs: 300 });
    const gated = await slow.check('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r');
    const f = await slow.start(ctxAs(FULL), { gated }).result.catch((e: unknown) => e);
    expect(f).toBeInstanceOf(QueryFailure);
  });

  it('cancel() interrupts a running query', async () => {
    const gated = await engine.check('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) SELECT count(*) FROM r');
    const running = engine.start(ctxAs(FULL), { gated });
    await running.started;
    setTimeout(() => running.cancel(), 100);
    await expect(running.result).rejects.toThrow('Query cancelled by user');
  });
});

describe('Trino dialect', () => {
  it('answers Trino functions with Trino semantics (macros created only when called)', async () => {
    const r = await run(FULL, "SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00', TIMESTAMP '2024-01-02 01:00'), day_of_week(DATE '2024-01-07'), regexp_like('abc', 'b'), cardinality(sequence(1, 5)), 7 / 2");
    expect(r.rows).toEqual([['0', '7', 'true', '5', '3']]);
  });
});

describe('what decided each table (mlzone explain)', () => {
  it('a result names the grant that decided every table read', async () => {
    const r = await run(NO_SSN, 'SELECT c.id FROM customers c JOIN customers_csv d ON c.id = d.id');
    expect(r.tableAccess).toEqual(['sales.customers: fake grant', 'sales.customers_csv: fake grant']);
  });

  it('a failure keeps the decisions made before it, and the catalog wording of a missing grant', async () => {
    const column = await failure(NO_SSN, 'SELECT ssn FROM customers');
    expect(column.reason).toMatch(/COLUMN_NOT_FOUND/);
    expect(column.tableAccess).toEqual(['sales.customers: fake grant']);
    const missing = await failure(NOBODY, 'SELECT id FROM customers');
    expect(missing.reason).toMatch(/TABLE_NOT_FOUND/);
    expect(missing.tableAccess).toEqual(['sales.customers: Table sales.customers not found']);
  });
});
