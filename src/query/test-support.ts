/**
 * Test fixtures for the query engine: a directory standing in for S3 (`s3://b/k` → `<root>/b/k`), a customers
 * table in CSV (OpenCSVSerde with a header) and in Parquet, and request contexts. Not imported by production code.
 */
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RequestContext } from '../core/context.js';
import type { CatalogTable } from '../core/data-catalog.js';
import type { DataFilesPort } from './engine.js';

export const CUSTOMER_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'string' },
  { name: 'region', type: 'string' },
  { name: 'ssn', type: 'string' },
  { name: 'spend', type: 'double' },
];

export const CUSTOMERS: readonly (readonly [number, string, string, string, number])[] = [
  [1, 'Ana', 'EU', '111-11-1111', 10.5],
  [2, 'Bo', 'US', '222-22-2222', 20],
  [3, 'Cy', 'EU', '333-33-3333', 30.25],
  [4, 'Di', 'APAC', '444-44-4444', 40],
];

export function ctxAs(arn: string, accountId = '111111111111'): RequestContext {
  return {
    requestId: 'test',
    service: 'athena',
    operation: 'StartQueryExecution',
    region: 'us-east-1',
    principal: { type: 'AssumedRole', accountId, arn, userId: 'AROA:x', roleArn: arn },
    accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    now: Date.now(),
    secureTransport: true,
  };
}

export function csvTable(location: string): CatalogTable {
  return {
    catalogId: '111111111111',
    databaseName: 'sales',
    name: 'customers_csv',
    columns: CUSTOMER_COLUMNS,
    partitionKeys: [],
    location,
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    serdeLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
    serdeParameters: { separatorChar: ',', quoteChar: '"' },
    parameters: { classification: 'csv', 'skip.header.line.count': '1' },
    partitions: [],
  };
}

export function parquetTable(location: string): CatalogTable {
  return {
    catalogId: '111111111111',
    databaseName: 'sales',
    name: 'customers',
    columns: CUSTOMER_COLUMNS,
    partitionKeys: [],
    location,
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    serdeLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    serdeParameters: {},
    parameters: { classification: 'parquet' },
    partitions: [],
  };
}

export const customersCsv = () => 'id,name,region,ssn,spend\n' + CUSTOMERS.map((r) => r.join(',')).join('\n') + '\n';

/** Writes the customers as Parquet to `path` with DuckDB itself. */
export async function writeCustomersParquet(path: string): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const values = CUSTOMERS.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', '${r[3]}', ${r[4]})`).join(', ');
  await c.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(id, name, region, ssn, spend)) TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  inst.closeSync();
}

/** A directory laid out as buckets; returns it and a files port listing `s3://` locations in it. */
export async function localLake(): Promise<{ root: string; files: DataFilesPort }> {
  const root = await mkdtemp(join(tmpdir(), 'mlzone-query-'));
  await mkdir(join(root, 'lake', 'customers_csv'), { recursive: true });
  await mkdir(join(root, 'lake', 'customers'), { recursive: true });
  await writeFile(join(root, 'lake', 'customers_csv', 'part-0.csv'), customersCsv());
  await writeFile(join(root, 'lake', 'customers_csv', '_SUCCESS'), '');
  await writeCustomersParquet(join(root, 'lake', 'customers', 'part-0.parquet'));
  const files: DataFilesPort = async (_ctx, location) => {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location)!;
    const prefix = m[2]!.replace(/\/?$/, '/').replace(/^\/$/, '');
    const dir = join(root, m[1]!, prefix);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    const out = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const path = join(e.parentPath, e.name);
      const rel = relative(dir, path).split(sep).join('/');
      if (rel.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))) continue;
      out.push({ path, size: (await stat(path)).size, uri: `s3://${m[1]}/${prefix}${rel}` });
    }
    return out.sort((a, b) => a.uri.localeCompare(b.uri));
  };
  return { root, files };
}
