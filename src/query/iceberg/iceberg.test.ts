import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../core/data-catalog.js';
import { QueryEngine, type QueryResult } from '../engine.js';
import { QueryFailure } from '../errors.js';
import { FakeCatalog } from '../fake-catalog.js';
import { ctxAs, localLake } from '../test-support.js';
import { readAvroContainer, snappyDecompress, writeAvroContainer } from './avro.js';
import { IcebergReader, parseJsonKeepingLongs } from './table.js';
import { IcebergFixture, type SnapshotInfo } from './test-support.js';

const FULL = 'arn:aws:iam::111111111111:role/Full';
const EU = 'arn:aws:iam::111111111111:role/Eu';

let root: string;
let engine: QueryEngine;
let catalog: FakeCatalog;
let events: IcebergFixture;
const snaps: SnapshotInfo[] = [];

function icebergTable(name: string, location: string, metadataLocation: string | undefined, columns = [{ name: 'id', type: 'bigint' }]): CatalogTable {
  return {
    catalogId: '111111111111',
    databaseName: 'lake',
    name,
    columns,
    partitionKeys: [],
    location,
    inputFormat: 'org.apache.hadoop.mapred.FileInputFormat',
    serdeLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
    serdeParameters: {},
    parameters: { table_type: 'ICEBERG', ...(metadataLocation ? { metadata_location: metadataLocation } : {}) },
    partitions: [],
  };
}

const EVENT_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'label', type: 'string' },
  { name: 'region', type: 'string' },
  { name: 'score', type: 'double' },
];

beforeAll(async () => {
  const lake = await localLake();
  root = lake.root;
  const put = async (key: string, bytes: Uint8Array) => {
    const path = join(root, 'lake', key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  };
  catalog = new FakeCatalog();
  engine = new QueryEngine(catalog, lake.files, { timeoutMs: 5000 });
  const access = { [FULL]: 'all' as const, [EU]: [{ rowFilter: "region = 'EU'", columns: ['id', 'label', 'region'] }] };

  // events (v2): append, append, schema evolution (rename name→label, add score), append, delete a file + position delete.
  events = new IcebergFixture('s3://lake/events', put, [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'name', type: 'string' },
    { id: 3, name: 'region', type: 'string' },
  ]);
  const a = await events.parquet(`SELECT * FROM (VALUES (1::BIGINT, 'a', 'EU'), (2::BIGINT, 'b', 'US')) AS t(id, name, region)`, { id: 1, name: 2, region: 3 });
  snaps.push(await events.commit({ add: [a], timestampMs: Date.UTC(2026, 0, 1) }));
  const b = await events.parquet(`SELECT * FROM (VALUES (3::BIGINT, 'c', 'EU'), (4::BIGINT, 'd', 'APAC')) AS t(id, name, region)`, { id: 1, name: 2, region: 3 });
  snaps.push(await events.commit({ add: [b], timestampMs: Date.UTC(2026, 0, 2) }));
  events.evolveSchema([
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'label', type: 'string' },
    { id: 3, name: 'region', type: 'string' },
    { id: 4, name: 'score', type: 'double' },
  ]);
  const c = await events.parquet(`SELECT * FROM (VALUES (5::BIGINT, 'e', 'EU', 9.5::DOUBLE)) AS t(id, label, region, score)`, { id: 1, label: 2, region: 3, score: 4 });
  snaps.push(await events.commit({ add: [c], timestampMs: Date.UTC(2026, 0, 3) }));
  const del = await events.positionDeletes([[a.uri, 0]]);
  snaps.push(await events.commit({ add: [del], remove: [b.uri], timestampMs: Date.UTC(2026, 0, 4) }));
  catalog.put({ table: icebergTable('events', 's3://lake/events/', snaps.at(-1)!.metadataUri, EVENT_COLUMNS), access });

  // legacy (v1): two appends; the manifest list uses v1 names for fields 504–506.
  const legacy = new IcebergFixture('s3://lake/legacy', put, [{ id: 1, name: 'id', type: 'long' }], 1);
  await legacy.commit({ add: [await legacy.parquet('SELECT 10::BIGINT AS id', { id: 1 })] });
  const legacyMeta = await legacy.commit({ add: [await legacy.parquet('SELECT 11::BIGINT AS id', { id: 1 })] });
  catalog.put({ table: icebergTable('legacy', 's3://lake/legacy/', legacyMeta.metadataUri), access: { '*': 'all' } });

  // eqdel (v2): an equality delete hides older rows with id 2 but not a row with id 2 appended after it.
  const eq = new IcebergFixture('s3://lake/eqdel', put, [{ id: 1, name: 'id', type: 'long' }, { id: 2, name: 'v', type: 'string' }]);
  await eq.commit({ add: [await eq.parquet(`SELECT * FROM (VALUES (1::BIGINT, 'x'), (2::BIGINT, 'y'), (3::BIGINT, 'z')) AS t(id, v)`, { id: 1, v: 2 })] });
  await eq.commit({ add: [await eq.equalityDeletes('SELECT 2::BIGINT AS id', { id: 1 })] });
  // An equality delete file written without field ids (read by name): deletes v = 'z' (field 2).
  const noIds = await eq.parquet(`SELECT 'z' AS v`, {}, 1);
  await eq.commit({ add: [{ ...noIds, content: 2, equalityIds: [2] }] });
  const eqMeta = await eq.commit({ add: [await eq.parquet(`SELECT 2::BIGINT AS id, 'again' AS v`, { id: 1, v: 2 })] });
  catalog.put({ table: icebergTable('eqdel', 's3://lake/eqdel/', eqMeta.metadataUri, [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }]), access: { '*': 'all' } });

  // eqpart (v2, identity-partitioned by region): an equality delete of id 2 in EU leaves id 2 in US alone.
  const part = new IcebergFixture('s3://lake/eqpart', put, [{ id: 1, name: 'id', type: 'long' }, { id: 2, name: 'region', type: 'string' }], 2, [{ name: 'region', sourceId: 2, fieldId: 1000, type: 'string' }]);
  await part.commit({
    add: [
      await part.parquet(`SELECT * FROM (VALUES (1::BIGINT, 'EU'), (2::BIGINT, 'EU')) AS t(id, region)`, { id: 1, region: 2 }, 0, { region: 'EU' }),
      await part.parquet(`SELECT 2::BIGINT AS id, 'US' AS region`, { id: 1, region: 2 }, 0, { region: 'US' }),
    ],
  });
  const partMeta = await part.commit({ add: [await part.equalityDeletes('SELECT 2::BIGINT AS id', { id: 1 }, { region: 'EU' })] });
  catalog.put({
    table: icebergTable('eqpart', 's3://lake/eqpart/', partMeta.metadataUri, [{ name: 'id', type: 'bigint' }, { name: 'region', type: 'string' }]),
    access: { '*': 'all', [EU]: [{ rowFilter: "region = 'EU'", columns: ['id', 'region'] }] },
  });

  // same: data, a position delete and an equality delete in one commit (same sequence number): the position
  // delete applies to the new file, the equality delete does not.
  const same = new IcebergFixture('s3://lake/same', put, [{ id: 1, name: 'id', type: 'long' }]);
  const sameData = await same.parquet('SELECT * FROM (VALUES (7::BIGINT), (8::BIGINT), (9::BIGINT)) AS t(id)', { id: 1 });
  const sameMeta = await same.commit({ add: [sameData, await same.positionDeletes([[sameData.uri, 0]]), await same.equalityDeletes('SELECT 8::BIGINT AS id', { id: 1 })] });
  catalog.put({ table: icebergTable('same', 's3://lake/same/', sameMeta.metadataUri), access: { '*': 'all' } });

  // A plain Parquet table, for time travel on a table that has no versions.
  catalog.put({ table: { ...icebergTable('plain', 's3://lake/customers/', undefined), parameters: { classification: 'parquet' }, serdeLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' }, access: { '*': 'all' } });

  // attacker: its manifest names a data file of another table's location.
  const victim = new IcebergFixture('s3://lake/victim', put, [{ id: 1, name: 'id', type: 'long' }]);
  const secret = await victim.parquet('SELECT 42::BIGINT AS id', { id: 1 });
  const attacker = new IcebergFixture('s3://lake/attacker', put, [{ id: 1, name: 'id', type: 'long' }]);
  const attackerMeta = await attacker.commit({ add: [secret] });
  catalog.put({ table: icebergTable('attacker', 's3://lake/attacker/', attackerMeta.metadataUri), access: { '*': 'all' } });
  catalog.put({ table: icebergTable('elsewhere', 's3://lake/attacker/', attackerMeta.metadataUri), access: { '*': 'all' }, dataAccess: 'caller' });

  // imported: one file added without field ids (read through the name mapping: "name" is field 2, now "label";
  // "info" is a struct, so the footer has nested columns), one written by Iceberg with ids.
  const imported = new IcebergFixture('s3://lake/imported', put, [
    { id: 1, name: 'id', type: 'long' },
    { id: 2, name: 'label', type: 'string' },
    { id: 3, name: 'info', type: { type: 'struct', fields: [{ id: 4, name: 'a', type: 'int' }] } },
  ]);
  imported.properties['schema.name-mapping.default'] = JSON.stringify([
    { 'field-id': 1, names: ['id'] },
    { 'field-id': 2, names: ['label', 'name'] },
    { 'field-id': 3, names: ['info'], fields: [{ 'field-id': 4, names: ['a'] }] },
  ]);
  await imported.commit({ add: [await imported.parquet(`SELECT 1::BIGINT AS id, {'a': 7} AS info, 'from hive' AS name`, {})] });
  const importedMeta = await imported.commit({ add: [await imported.parquet(`SELECT 2::BIGINT AS id, 'from iceberg' AS label`, { id: 1, label: 2 })] });
  catalog.put({ table: icebergTable('imported', 's3://lake/imported/', importedMeta.metadataUri, [{ name: 'id', type: 'bigint' }, { name: 'label', type: 'string' }, { name: 'info', type: 'struct<a:int>' }]), access: { '*': 'all' } });
  // nomap: a file without ids and no name mapping: columns map by current name, case-insensitively.
  const nomap = new IcebergFixture('s3://lake/nomap', put, [{ id: 1, name: 'id', type: 'long' }, { id: 2, name: 'label', type: 'string' }]);
  const nomapMeta = await nomap.commit({ add: [await nomap.parquet(`SELECT 5::BIGINT AS "ID", 'x' AS label`, {})] });
  catalog.put({ table: icebergTable('nomap', 's3://lake/nomap/', nomapMeta.metadataUri, [{ name: 'id', type: 'bigint' }, { name: 'label', type: 'string' }]), access: { '*': 'all' } });
  // hivepart: a file added from a Hive table holds only "id"; region, day and amount are identity partition values.
  const hive = new IcebergFixture(
    's3://lake/hivepart',
    put,
    [
      { id: 1, name: 'id', type: 'long' },
      { id: 2, name: 'region', type: 'string' },
      { id: 3, name: 'day', type: 'date' },
      { id: 4, name: 'amount', type: 'decimal(9,2)' },
    ],
    2,
    [
      { name: 'region', sourceId: 2, fieldId: 1000, type: 'string' },
      { name: 'day', sourceId: 3, fieldId: 1001, type: { type: 'int', logicalType: 'date' } },
      { name: 'amount', sourceId: 4, fieldId: 1002, type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    ],
  );
  const hiveMeta = await hive.commit({
    add: [
      await hive.parquet('SELECT 1::BIGINT AS id', {}, 0, { region: 'EU', day: 19000, amount: Uint8Array.of(0xff, 0x85) }),
      await hive.parquet(`SELECT 2::BIGINT AS id, 'US' AS region`, {}, 0, { region: 'US', day: 0, amount: Uint8Array.of(0x30, 0x39) }),
    ],
  });
  catalog.put({ table: icebergTable('hivepart', 's3://lake/hivepart/', hiveMeta.metadataUri, [{ name: 'id', type: 'bigint' }, { name: 'region', type: 'string' }, { name: 'day', type: 'date' }, { name: 'amount', type: 'decimal(9,2)' }]), access: { '*': 'all' } });

  // badfile: its data file is not Parquet.
  const badfile = new IcebergFixture('s3://lake/badfile', put, [{ id: 1, name: 'id', type: 'long' }]);
  const badData = await badfile.parquet('SELECT 1::BIGINT AS id', { id: 1 });
  const badMeta = await badfile.commit({ add: [badData] });
  await writeFile(join(root, 'lake', badData.uri.slice('s3://lake/'.length)), 'this is not parquet');
  catalog.put({ table: icebergTable('badfile', 's3://lake/badfile/', badMeta.metadataUri), access: { '*': 'all' } });

  // empty: metadata without a snapshot.
  const empty = new IcebergFixture('s3://lake/empty', put, [{ id: 1, name: 'id', type: 'long' }]);
  catalog.put({ table: icebergTable('empty', 's3://lake/empty/', await empty.writeMetadata()), access: { '*': 'all' } });

  // broken tables: missing metadata, corrupt manifest, missing data file, no metadata_location.
  catalog.put({ table: icebergTable('nometa', 's3://lake/events/', 's3://lake/events/metadata/99999-gone.metadata.json'), access: { '*': 'all' } });
  catalog.put({ table: icebergTable('noprop', 's3://lake/events/', undefined), access: { '*': 'all' } });
  const corrupt = new IcebergFixture('s3://lake/corrupt', put, [{ id: 1, name: 'id', type: 'long' }]);
  const corruptFile = await corrupt.parquet('SELECT 1::BIGINT AS id', { id: 1 });
  const corruptMeta = await corrupt.commit({ add: [corruptFile] });
  catalog.put({ table: icebergTable('corrupt', 's3://lake/corrupt/', corruptMeta.metadataUri), access: { '*': 'all' } });
  const lost = new IcebergFixture('s3://lake/lost', put, [{ id: 1, name: 'id', type: 'long' }]);
  const lostFile = await lost.parquet('SELECT 1::BIGINT AS id', { id: 1 });
  const lostMeta = await lost.commit({ add: [lostFile] });
  await rm(join(root, 'lake', lostFile.uri.slice('s3://lake/'.length)));
  catalog.put({ table: icebergTable('lost', 's3://lake/lost/', lostMeta.metadataUri), access: { '*': 'all' } });
  // Overwrite every manifest of `corrupt` (not the list) with bytes that are not Avro.
  const { readdir } = await import('node:fs/promises');
  for (const f of await readdir(join(root, 'lake', 'corrupt', 'metadata'))) if (f.endsWith('-m0.avro')) await writeFile(join(root, 'lake', 'corrupt', 'metadata', f), 'Obj\u0001garbage');
});

afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function run(arn: string, sql: string): Promise<QueryResult> {
  const gated = await engine.check(sql);
  return engine.start(ctxAs(arn), { gated, database: 'lake' }).result;
}

async function failure(arn: string, sql: string): Promise<QueryFailure> {
  try {
    await run(arn, sql);
  } catch (e) {
    if (e instanceof QueryFailure) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('Avro object container files', () => {
  it('round-trips records with unions, maps, arrays and 63-bit longs, deflate and null codecs', () => {
    const schema = {
      type: 'record',
      name: 'r',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'maybe', type: ['null', 'string'] },
        { name: 'tags', type: { type: 'array', items: 'int' } },
        { name: 'sizes', type: { type: 'map', values: 'long' } },
        { name: 'ok', type: 'boolean' },
        { name: 'x', type: 'double' },
      ],
    } as const;
    const records = [
      { id: 3051729675574597004n, maybe: null, tags: [1, -2, 300], sizes: new Map([['a', 5]]), ok: true, x: 1.5 },
      { id: -7, maybe: 'é', tags: [], sizes: new Map(), ok: false, x: -0.25 },
    ];
    for (const codec of ['null', 'deflate'] as const) {
      const file = readAvroContainer(writeAvroContainer(schema, records, { codec }));
      expect(file.metadata.get('avro.codec')).toBe(codec);
      expect(file.records).toEqual(records);
    }
  });

  it('refuses bad magic, truncated blocks and a wrong sync marker with a message', () => {
    const good = writeAvroContainer({ type: 'record', name: 'r', fields: [{ name: 's', type: 'string' }] }, [{ s: 'hello' }], { codec: 'null' });
    expect(() => readAvroContainer(Buffer.from('PAR1'))).toThrow(/bad magic/);
    expect(() => readAvroContainer(good.subarray(0, good.length - 3))).toThrow(/truncated/);
    const badSync = Buffer.from(good);
    badSync[badSync.length - 1] ^= 0xff;
    expect(() => readAvroContainer(badSync)).toThrow(/sync marker/);
    expect(deflateRawSync(Buffer.from('x')).length).toBeGreaterThan(0);
  });

  it('decodes raw snappy literals and back-references', () => {
    // "abcabcabcX": length 10, literal "abc" (tag 2<<2), copy-1 len 6 offset 3, literal "X".
    const block = Uint8Array.of(10, 0x08, 0x61, 0x62, 0x63, ((6 - 4) << 2) | 1, 3, 0x00, 0x58);
    expect(Buffer.from(snappyDecompress(block)).toString()).toBe('abcabcabcX');
    expect(() => snappyDecompress(Uint8Array.of(10, 0x08, 0x61))).toThrow(/snappy/);
  });

  it('keeps 63-bit snapshot ids exact in metadata.json', () => {
    const v = parseJsonKeepingLongs('{"a": 3055729675574597004, "b": "3055729675574597004, x", "c": 12, "d": -1}') as Record<string, unknown>;
    expect(v).toEqual({ a: '3055729675574597004', b: '3055729675574597004, x', c: 12, d: -1 });
  });
});

describe('Iceberg tables', () => {
  it('reads the current snapshot: appends, a deleted file, a position delete, renamed and added columns', async () => {
    const r = await run(FULL, 'SELECT id, label, region, score FROM events ORDER BY id');
    expect(r.rows).toEqual([
      ['2', 'b', 'US', null],
      ['5', 'e', 'EU', '9.5'],
    ]);
    expect(r.columns.map((c) => c.type)).toEqual(['bigint', 'varchar', 'varchar', 'double']);
    expect(r.dataScannedInBytes).toBeGreaterThan(0);
  });

  it('plans older snapshots by id (two appends, before the delete)', async () => {
    const files = (await import('node:fs/promises')).readFile;
    const reader = new IcebergReader('lake.events', async (uri) => files(join(root, 'lake', uri.slice('s3://lake/'.length))).catch(() => undefined));
    const second = await reader.plan(snaps[1]!.metadataUri);
    expect(second.dataFiles).toHaveLength(2);
    expect(second.snapshotId).toBe(snaps[1]!.id.toString());
    const latest = await reader.plan(snaps[3]!.metadataUri);
    expect(latest.dataFiles).toHaveLength(2);
    expect(latest.positionDeletes).toHaveLength(1);
    const first = await reader.plan(snaps[3]!.metadataUri, { kind: 'VERSION', snapshotId: snaps[0]!.id.toString() });
    expect(first.dataFiles).toHaveLength(1);
    expect(first.fields.map((f) => f.name)).toEqual(['id', 'name', 'region']);
  });

  it('reads format v1 tables (manifest lists with v1 field names)', async () => {
    const r = await run(FULL, 'SELECT id FROM legacy ORDER BY id');
    expect(r.rows).toEqual([['10'], ['11']]);
  });

  it('applies equality deletes only to data files older than the delete', async () => {
    const r = await run(FULL, 'SELECT id, v FROM eqdel ORDER BY id, v');
    expect(r.rows).toEqual([
      ['1', 'x'],
      ['2', 'again'],
    ]);
  });

  it('sequence numbers: a position delete applies to its own commit, an equality delete only to older commits', async () => {
    const r = await run(FULL, 'SELECT id FROM same ORDER BY id');
    expect(r.rows).toEqual([['8'], ['9']]);
  });

  it('time travel: FOR VERSION AS OF and FOR TIMESTAMP AS OF read that snapshot with its schema', async () => {
    const v1 = await run(FULL, `SELECT * FROM events FOR VERSION AS OF ${snaps[0]!.id} ORDER BY id`);
    // Snapshot 1 predates the rename: its field 2 was "name", so the Glue column "label" has no field then.
    expect(v1.rows).toEqual([
      ['1', null, 'EU', null],
      ['2', null, 'US', null],
    ]);
    const t2 = await run(FULL, `SELECT id FROM lake.events FOR TIMESTAMP AS OF TIMESTAMP '2026-01-02 12:00:00 UTC' e WHERE e.id > 0 ORDER BY id`);
    expect(t2.rows).toEqual([['1'], ['2'], ['3'], ['4']]);
    const t3 = await run(FULL, `SELECT count(*) FROM events FOR SYSTEM_TIME AS OF TIMESTAMP '2026-01-03 00:00:00' + INTERVAL '1' HOUR`);
    expect(t3.rows).toEqual([['5']]);
    // Lake Formation still applies to the old snapshot.
    const eu = await run(EU, `SELECT * FROM events FOR VERSION AS OF ${snaps[1]!.id} ORDER BY id`);
    expect(eu.rows).toEqual([
      ['1', null, 'EU'],
      ['3', null, 'EU'],
    ]);
  });

  it('time travel errors: unknown snapshot, before the first snapshot, a table without versions', async () => {
    expect((await failure(FULL, 'SELECT * FROM events FOR VERSION AS OF 42')).reason).toBe('INVALID_ARGUMENT: Iceberg snapshot ID does not exists: 42');
    expect((await failure(FULL, "SELECT * FROM events FOR TIMESTAMP AS OF TIMESTAMP '2020-01-01 00:00:00 UTC'")).reason).toBe('INVALID_ARGUMENT: No version history table lake.events at or before 2020-01-01T00:00:00Z');
    expect((await failure(FULL, 'SELECT * FROM plain FOR VERSION AS OF 1')).reason).toBe('NOT_SUPPORTED: line 1:15: This connector does not support versioned tables');
    expect((await failure(FULL, `SELECT * FROM events a JOIN events FOR VERSION AS OF ${snaps[0]!.id} b ON a.id = b.id`)).reason).toMatch(/^NOT_SUPPORTED: line 1:29: Reading table awsdatacatalog.lake.events at more than one version/);
    expect((await failure(FULL, "SELECT * FROM events FOR TIMESTAMP AS OF read_text('/etc/passwd')")).reason).toMatch(/^TYPE_MISMATCH: line 1:42: Invalid time travel expression/);
  });

  it('a data file without a partition column takes its identity partition value from the manifest', async () => {
    const r = await run(FULL, 'SELECT id, region, day, amount FROM hivepart ORDER BY id');
    expect(r.rows).toEqual([
      ['1', 'EU', '2022-01-08', '-1.23'],
      ['2', 'US', '1970-01-01', '123.45'],
    ]);
  });

  it("with Lake Formation vending access, files outside the table location are refused; with the caller's own S3 access they are read", async () => {
    const f = await failure(FULL, 'SELECT * FROM attacker');
    expect(f.reason).toMatch(/^Permission denied on S3 path: s3:\/\/lake\/victim\/data\/.*\.parquet is outside the location s3:\/\/lake\/attacker\/ of table lake\.attacker/);
    expect(f.errorType).toBe(1501);
    expect((await run(FULL, 'SELECT id FROM elsewhere')).rows).toEqual([['42']]);
  });

  it('time travel after anything but a table name is a syntax error', async () => {
    for (const sql of [`WITH x AS (SELECT * FROM events) SELECT * FROM x FOR VERSION AS OF ${snaps[0]!.id}`, `SELECT * FROM events e FOR VERSION AS OF ${snaps[0]!.id}`]) {
      const f = await failure(FULL, sql);
      expect(f.malformed).toBe(true);
      expect(f.reason).toMatch(/mismatched input 'FOR'/);
    }
  });

  it('an equality delete of a partitioned spec applies only within its partition', async () => {
    const r = await run(FULL, 'SELECT id, region FROM eqpart ORDER BY id, region');
    expect(r.rows).toEqual([
      ['1', 'EU'],
      ['2', 'US'],
    ]);
  });

  it('data files without field ids read through the name mapping, else by current name', async () => {
    const r = await run(FULL, 'SELECT id, label, info.a AS a FROM imported ORDER BY id');
    expect(r.rows).toEqual([
      ['1', 'from hive', '7'],
      ['2', 'from iceberg', null],
    ]);
    expect((await run(FULL, 'SELECT id, label FROM nomap')).rows).toEqual([['5', 'x']]);
  });

  it('a data file that is not Parquet fails with ICEBERG_CANNOT_OPEN_SPLIT naming its S3 URI, not a local path', async () => {
    const f = await failure(FULL, 'SELECT * FROM badfile');
    expect(f.reason).toMatch(/^ICEBERG_CANNOT_OPEN_SPLIT: Error opening Iceberg split s3:\/\/lake\/badfile\/data\/.*\.parquet \(table lake\.badfile\): /);
    expect(f.reason).not.toContain(root);
  });

  it('prunes data files by identity partition value for simple WHERE conjuncts, never changing the answer', async () => {
    const full = await run(FULL, 'SELECT id FROM eqpart ORDER BY id');
    const us = await run(FULL, "SELECT e.id FROM eqpart e WHERE e.region = 'US' AND id > 0");
    expect(us.rows).toEqual([['2']]);
    expect(us.dataScannedInBytes).toBeLessThan(full.dataScannedInBytes);
    const eu = await run(FULL, "SELECT id FROM eqpart WHERE region IN ('EU', 'APAC')");
    expect(eu.rows).toEqual([['1']]);
    expect(eu.dataScannedInBytes).toBeLessThan(full.dataScannedInBytes);
    // Not a conjunct every row satisfies, a literal of another type, or the table read twice: nothing pruned.
    for (const sql of ["SELECT id FROM eqpart WHERE region = 'US' OR id = 1", 'SELECT id FROM eqpart WHERE region = 1', "SELECT id FROM eqpart WHERE region = 'US' AND id IN (SELECT id FROM eqpart)"]) {
      const r = await run(FULL, sql).catch((e: unknown) => e as QueryFailure);
      if (r instanceof QueryFailure) continue;
      expect(r.dataScannedInBytes, sql).toBe(full.dataScannedInBytes);
    }
    expect((await run(FULL, "SELECT id FROM eqpart WHERE region = 'US' OR id = 1 ORDER BY id")).rows).toEqual([['1'], ['2']]);
    // Under a row filter, bytes scanned per partition would describe hidden rows: no pruning.
    const filtered = await run(EU, "SELECT id FROM eqpart WHERE region = 'EU'");
    expect(filtered.rows).toEqual([['1']]);
    expect(filtered.dataScannedInBytes).toBe(full.dataScannedInBytes);
  });

  it('a table without a snapshot has no rows', async () => {
    const r = await run(FULL, 'SELECT count(*) AS n FROM empty');
    expect(r.rows).toEqual([['0']]);
  });

  it('applies Lake Formation columns and row filters to an Iceberg table', async () => {
    const r = await run(EU, 'SELECT * FROM events ORDER BY id');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'label', 'region']);
    expect(r.rows).toEqual([['5', 'e', 'EU']]);
    const f = await failure(EU, 'SELECT score FROM events');
    expect(f.reason).toMatch(/^COLUMN_NOT_FOUND: line 1:8: Column 'score' cannot be resolved or requester is not authorized/);
  });

  it('broken metadata fails with ICEBERG_* errors that name the problem', async () => {
    const missing = await failure(FULL, 'SELECT * FROM nometa');
    expect(missing.reason).toBe('ICEBERG_MISSING_METADATA: Metadata not found in metadata location for table lake.nometa');
    expect(missing.errorType).toBe(233);
    expect((await failure(FULL, 'SELECT * FROM noprop')).reason).toBe('ICEBERG_INVALID_METADATA: Table is missing [metadata_location] property: lake.noprop');
    const corrupt = await failure(FULL, 'SELECT * FROM corrupt');
    expect(corrupt.reason).toMatch(/^ICEBERG_INVALID_METADATA: The manifest s3:\/\/lake\/corrupt\/metadata\/.*-m0\.avro of table lake\.corrupt is not a valid Avro file: /);
    const lost = await failure(FULL, 'SELECT * FROM lost');
    expect(lost.reason).toMatch(/^ICEBERG_CANNOT_OPEN_SPLIT: Error opening Iceberg split s3:\/\/lake\/lost\/data\/.*\.parquet \(table lake\.lost\): the file does not exist$/);
  });
});

describe('metadata.json validation', () => {
  const plan = (meta: unknown, asOf?: Parameters<IcebergReader['plan']>[1]) =>
    new IcebergReader('db.t', async (uri) => (uri === 's3://b/t/metadata/m.json' ? Buffer.from(typeof meta === 'string' ? meta : JSON.stringify(meta)) : undefined)).plan('s3://b/t/metadata/m.json', asOf);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long' }] };
  const reason = async (p: Promise<unknown>) => ((await p.then(() => undefined, (e: unknown) => e)) as QueryFailure | undefined)?.reason;

  it('refuses unsupported versions, non-JSON, a missing schema and a dangling current snapshot', async () => {
    expect(await reason(plan({ 'format-version': 3, schemas: [schema], 'current-schema-id': 0 }))).toBe('ICEBERG_INVALID_METADATA: Cannot read unsupported version 3 (table db.t, s3://b/t/metadata/m.json)');
    expect(await reason(plan('{"format-version": 2,'))).toMatch(/^ICEBERG_INVALID_METADATA: Invalid metadata file for table db\.t: s3:\/\/b\/t\/metadata\/m\.json is not JSON/);
    expect(await reason(plan({ 'format-version': 2, schemas: [] }))).toBe('ICEBERG_INVALID_METADATA: Invalid metadata file for table db.t: no current schema in s3://b/t/metadata/m.json');
    expect(await reason(plan({ 'format-version': 2, schemas: [schema], 'current-schema-id': 0, 'current-snapshot-id': 5, snapshots: [] }))).toBe(
      'ICEBERG_INVALID_METADATA: Invalid metadata file for table db.t: current snapshot 5 is not in snapshots',
    );
  });

  it('a missing manifest list is ICEBERG_MISSING_METADATA; time travel uses the snapshot log', async () => {
    const meta = {
      'format-version': 2,
      schemas: [schema],
      'current-schema-id': 0,
      'current-snapshot-id': 3055729675574597004n.toString(),
      snapshots: [
        { 'snapshot-id': 1, 'timestamp-ms': 1000, 'manifest-list': 's3://b/t/metadata/snap-1.avro' },
        { 'snapshot-id': 3055729675574597004n.toString(), 'timestamp-ms': 2000, 'manifest-list': 's3://b/t/metadata/snap-2.avro' },
      ],
      'snapshot-log': [
        { 'snapshot-id': 1, 'timestamp-ms': 1000 },
        { 'snapshot-id': 3055729675574597004n.toString(), 'timestamp-ms': 2000 },
      ],
    };
    // Ids written as bare 63-bit integers, as Java writes them.
    const text = JSON.stringify(meta).replaceAll('"3055729675574597004"', '3055729675574597004');
    expect(await reason(plan(text))).toBe('ICEBERG_MISSING_METADATA: The manifest list s3://b/t/metadata/snap-2.avro of table db.t does not exist');
    expect(await reason(plan(text, { kind: 'TIMESTAMP', epochMs: 1500 }))).toBe('ICEBERG_MISSING_METADATA: The manifest list s3://b/t/metadata/snap-1.avro of table db.t does not exist');
    expect(await reason(plan(text, { kind: 'VERSION', snapshotId: '3055729675574597004' }))).toMatch(/snap-2\.avro/);
    expect(await reason(plan(text, { kind: 'VERSION', snapshotId: '3055729675574597005' }))).toBe('INVALID_ARGUMENT: Iceberg snapshot ID does not exists: 3055729675574597005');
  });
});
