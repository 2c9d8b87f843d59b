import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryFailure } from './errors.js';
import { encodeRows, isUnload, parseUnload } from './unload.js';

describe('UNLOAD', () => {
  it('parses the query, the target and the properties (parentheses and quotes inside the query kept)', () => {
    const sql = "UNLOAD (SELECT id, 'a)b' AS s FROM t WHERE (x > 1)) TO 's3://b/p' WITH (format = 'JSON', compression = 'GZIP')";
    expect(isUnload(`  -- c\n${sql}`)).toBe(true);
    expect(isUnload('SELECT 1')).toBe(false);
    expect(parseUnload(sql)).toEqual({ query: "SELECT id, 'a)b' AS s FROM t WHERE (x > 1)", location: 's3://b/p/', format: 'JSON', compression: 'gzip', fieldDelimiter: '\u0001' });
    expect(parseUnload("UNLOAD (SELECT 1) TO 's3://b/p/'")).toMatchObject({ format: 'PARQUET', compression: 'gzip' });
  });

  it('refuses malformed statements as malformed and ORC/AVRO as NOT_SUPPORTED', () => {
    const malformed = (sql: string) => {
      try {
        parseUnload(sql);
      } catch (e) {
        return e instanceof QueryFailure ? e : undefined;
      }
      return undefined;
    };
    expect(malformed("UNLOAD SELECT 1 TO 's3://b/'")?.malformed).toBe(true);
    expect(malformed('UNLOAD (SELECT 1) TO s3://b/')?.malformed).toBe(true);
    expect(malformed("UNLOAD (SELECT 1) TO '/tmp/x'")?.malformed).toBe(true);
    const orc = malformed("UNLOAD (SELECT 1) TO 's3://b/' WITH (format = 'ORC')");
    expect(orc?.malformed).toBe(false);
    expect(orc?.reason).toMatch(/^NOT_SUPPORTED: .*ORC/);
  });

  it('writes typed Parquet, newline-delimited JSON and Hive text from Athena-formatted rows', async () => {
    const columns = [
      { name: 'id', type: 'bigint', precision: 19, scale: 0 },
      { name: 'name', type: 'varchar', precision: 2147483647, scale: 0 },
      { name: 'spend', type: 'double', precision: 17, scale: 0 },
    ];
    const rows = [
      ['1', 'Ana', '10.5'],
      ['2', null, null],
    ];
    const json = await encodeRows(columns, rows, { format: 'JSON', compression: 'none', fieldDelimiter: ',' });
    expect(json.toString('utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, name: 'Ana', spend: 10.5 },
      { id: 2, name: null, spend: null },
    ]);
    const text = await encodeRows(columns, rows, { format: 'TEXTFILE', compression: 'none', fieldDelimiter: '\u0001' });
    expect(text.toString('utf8')).toBe('1\u0001Ana\u000110.5\n2\u0001\\N\u0001\\N\n');
    const parquet = await encodeRows(columns, rows, { format: 'PARQUET', compression: 'snappy', fieldDelimiter: ',' });
    const dir = await mkdtemp(join(tmpdir(), 'mlzone-unload-test-'));
    try {
      await writeFile(join(dir, 'p'), parquet);
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      const reader = await c.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, 'p')}')`);
      expect(reader.columnTypes().map(String)).toEqual(['BIGINT', 'VARCHAR', 'DOUBLE']);
      expect(reader.getRowsJson()).toEqual([
        ['1', 'Ana', 10.5],
        ['2', null, null],
      ]);
      c.closeSync();
      instance.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
