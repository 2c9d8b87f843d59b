/**
 * Property: whatever the grants and the query, no result cell holds a value the grants do not allow — every
 * non-NULL value returned in column c equals c's value in some row a grant covering c admits. Seeded
 * generator (reproducible), 80 random grant sets × queries over the customers table, read as Parquet and as an
 * Iceberg table (two snapshots, one position delete) in turn.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CellGrant } from '../core/data-catalog.js';
import { QueryEngine } from './engine.js';
import { QueryFailure } from './errors.js';
import { FakeCatalog } from './fake-catalog.js';
import { IcebergFixture } from './iceberg/test-support.js';
import { CUSTOMER_COLUMNS, CUSTOMERS, ctxAs, localLake, parquetTable } from './test-support.js';

type Row = (typeof CUSTOMERS)[number];
const COLS = CUSTOMER_COLUMNS.map((c) => c.name);
const FILTERS: [string, (r: Row) => boolean][] = [
  ["region = 'EU'", (r) => r[2] === 'EU'],
  ['id > 2', (r) => r[0] > 2],
  ["region IN ('US', 'APAC')", (r) => r[2] === 'US' || r[2] === 'APAC'],
  ['spend BETWEEN 15 AND 35', (r) => r[4] >= 15 && r[4] <= 35],
  ["name LIKE 'A%' OR name LIKE 'D%'", (r) => r[1].startsWith('A') || r[1].startsWith('D')],
];
const USER_PREDICATES = ['', " WHERE region = 'US'", ' WHERE id >= 2', " WHERE ssn LIKE '1%'", ' WHERE spend > 0'];

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let root: string;
let lake: Awaited<ReturnType<typeof localLake>>;
let icebergMetadata: string;
beforeAll(async () => {
  lake = await localLake();
  root = lake.root;
  const put = async (key: string, bytes: Uint8Array) => {
    await mkdir(dirname(join(root, 'lake', key)), { recursive: true });
    await writeFile(join(root, 'lake', key), bytes);
  };
  const ids = { id: 1, name: 2, region: 3, ssn: 4, spend: 5 };
  const t = new IcebergFixture('s3://lake/customers_ice', put, CUSTOMER_COLUMNS.map((c, i) => ({ id: i + 1, name: c.name, type: c.type === 'bigint' ? 'long' : c.type })));
  const values = (rows: readonly Row[]) => rows.map((r) => `(${r[0]}::BIGINT, '${r[1]}', '${r[2]}', '${r[3]}', ${r[4]}::DOUBLE)`).join(', ');
  const select = (rows: readonly Row[]) => `SELECT * FROM (VALUES ${values(rows)}) AS t(id, name, region, ssn, spend)`;
  await t.commit({ add: [await t.parquet(select(CUSTOMERS.slice(0, 2)), ids)] });
  // The second file also holds a row that a position delete removes (it must never show up either).
  const second = await t.parquet(select([...CUSTOMERS.slice(2), [9, 'Zed', 'EU', '999-99-9999', 1]]), ids);
  await t.commit({ add: [second] });
  icebergMetadata = (await t.commit({ add: [await t.positionDeletes([[second.uri, 2]])] })).metadataUri;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

it('no result cell escapes the grants', async () => {
  const rand = prng(20261206);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  for (let i = 0; i < 80; i++) {
    const grants: { grant: CellGrant; admits: (r: Row) => boolean }[] = [];
    for (let g = 0, n = 1 + Math.floor(rand() * 3); g < n; g++) {
      const columns = COLS.filter(() => rand() < 0.5);
      if (columns.length === 0) columns.push(pick(COLS));
      const filter = rand() < 0.3 ? undefined : pick(FILTERS);
      grants.push({ grant: { columns, ...(filter ? { rowFilter: filter[0] } : {}) }, admits: filter ? filter[1] : () => true });
    }
    const catalog = new FakeCatalog();
    const table =
      i % 2 === 0
        ? parquetTable('s3://lake/customers/')
        : { ...parquetTable('s3://lake/customers_ice/'), parameters: { table_type: 'ICEBERG', metadata_location: icebergMetadata } };
    catalog.put({ table, access: { '*': grants.map((g) => g.grant) } });
    const engine = new QueryEngine(catalog, lake.files);
    const wanted = COLS.filter(() => rand() < 0.6);
    const sql = `SELECT ${wanted.length && rand() < 0.8 ? wanted.join(', ') : '*'} FROM customers${pick(USER_PREDICATES)}`;
    let result;
    try {
      result = await engine.start(ctxAs('arn:aws:iam::111111111111:role/R'), { gated: await engine.check(sql), database: 'sales' }).result;
    } catch (e) {
      expect(e, sql).toBeInstanceOf(QueryFailure);
      expect((e as QueryFailure).reason, sql).toMatch(/^COLUMN_NOT_FOUND/);
      continue;
    }
    for (const row of result.rows) {
      row.forEach((value, k) => {
        if (value === null) return;
        const col = result.columns[k]!.name;
        const ci = COLS.indexOf(col);
        const allowedSomewhere = CUSTOMERS.some(
          (r) => grants.some((g) => g.grant.columns.includes(col) && g.admits(r)) && (ci === 4 ? Number(value) === r[ci] : String(r[ci]) === value),
        );
        expect(allowedSomewhere, `${sql} with ${JSON.stringify(grants.map((g) => g.grant))}: ${col}=${value}`).toBe(true);
      });
    }
  }
}, 60_000);
