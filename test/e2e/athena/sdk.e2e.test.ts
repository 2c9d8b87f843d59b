/**
 * Athena through the JS SDK against a server whose catalog is an in-memory fake of the DataCatalogPort: data
 * put into mlzone's S3 with the SDK (CSV and Parquet), queries run with column/row grants, results written to
 * and read from the caller's results bucket, errors and denials as Athena words them.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  CreateNamedQueryCommand,
  CreatePreparedStatementCommand,
  CreateWorkGroupCommand,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  ListDatabasesCommand,
  ListQueryExecutionsCommand,
  ListTableMetadataCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from '../../../src/query/fake-catalog.js';
import { csvTable, customersCsv, parquetTable, writeCustomersParquet } from '../../../src/query/test-support.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const ACCOUNT = '111111111111';
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const sessionArn = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/${name}`;

let server: TestServer;
let full: Creds;
let analyst: Creds;
let euOnly: Creds;
let athena: AthenaClient;
const data = unique('athena-data-');
const results = unique('athena-results-');
const catalog = new FakeCatalog();

async function waitFor(client: AthenaClient, id: string): Promise<QueryExecution> {
  for (;;) {
    const q = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
    if (!['QUEUED', 'RUNNING'].includes(q.Status!.State!)) return q;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function query(client: AthenaClient, sql: string, extra: Partial<ConstructorParameters<typeof StartQueryExecutionCommand>[0]> = {}) {
  const { QueryExecutionId } = await client.send(new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: 'sales' }, ResultConfiguration: { OutputLocation: `s3://${results}/out/` }, ...extra }));
  const execution = await waitFor(client, QueryExecutionId!);
  return { id: QueryExecutionId!, execution };
}

async function rows(client: AthenaClient, id: string) {
  const out = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
  return { columns: out.ResultSet!.ResultSetMetadata!.ColumnInfo!, rows: out.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null)) };
}

beforeAll(async () => {
  server = await startTestServer({ catalog });
  full = await assumeRole(server.url, users.orgAdmin, ADMIN_ROLE, { RoleSessionName: 'full' });
  analyst = await assumeRole(server.url, users.orgAdmin, ADMIN_ROLE, { RoleSessionName: 'analyst' });
  euOnly = await assumeRole(server.url, users.orgAdmin, ADMIN_ROLE, { RoleSessionName: 'eu' });
  athena = new AthenaClient(clientConfig(server.url, full));
  const s3 = new S3Client({ ...clientConfig(server.url, full), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: data }));
  await s3.send(new CreateBucketCommand({ Bucket: results }));
  const parquet = join(tmpdir(), `${unique('customers-')}.parquet`);
  await writeCustomersParquet(parquet);
  await s3.send(new PutObjectCommand({ Bucket: data, Key: 'customers/part-0.parquet', Body: await readFile(parquet) }));
  await rm(parquet);
  await s3.send(new PutObjectCommand({ Bucket: data, Key: 'customers/_SUCCESS', Body: '' }));
  await s3.send(new PutObjectCommand({ Bucket: data, Key: 'customers_csv/part-0.csv', Body: customersCsv() }));
  // Nobody may write results under denied/.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: results,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${results}/denied/*` }] }),
    }),
  );
  const access = {
    [sessionArn('full')]: 'all' as const,
    [sessionArn('analyst')]: [{ columns: ['id', 'name', 'region', 'spend'] }],
    [sessionArn('eu')]: [{ rowFilter: "region = 'EU'", columns: ['id', 'name', 'region'] }],
  };
  catalog.put({ table: parquetTable(`s3://${data}/customers/`), access });
  catalog.put({ table: csvTable(`s3://${data}/customers_csv/`), access, dataAccess: 'caller' });
}, 60_000);

afterAll(async () => {
  await server.close();
});

describe('Athena with the JS SDK over a fake catalog', () => {
  it('runs a query on Parquet and returns typed results with a header row; writes <id>.csv and .metadata as the caller', async () => {
    const { id, execution } = await query(athena, 'SELECT id, name, spend, count(*) OVER () FROM customers ORDER BY id');
    expect(execution.Status!.State).toBe('SUCCEEDED');
    expect(execution.ResultConfiguration!.OutputLocation).toBe(`s3://${results}/out/${id}.csv`);
    expect(execution.StatementType).toBe('DML');
    expect(execution.Statistics!.DataScannedInBytes).toBeGreaterThan(0);
    const r = await rows(athena, id);
    expect(r.columns.map((c) => [c.Name, c.Type])).toEqual([
      ['id', 'bigint'],
      ['name', 'varchar'],
      ['spend', 'double'],
      ['_col3', 'bigint'],
    ]);
    expect(r.rows[0]).toEqual(['id', 'name', 'spend', '_col3']);
    expect(r.rows.slice(1)).toEqual([
      ['1', 'Ana', '10.5', '4'],
      ['2', 'Bo', '20.0', '4'],
      ['3', 'Cy', '30.25', '4'],
      ['4', 'Di', '40.0', '4'],
    ]);
    const s3 = new S3Client({ ...clientConfig(server.url, full), forcePathStyle: true });
    const csv = await (await s3.send(new GetObjectCommand({ Bucket: results, Key: `out/${id}.csv` }))).Body!.transformToString();
    expect(csv.split('\n')[0]).toBe('"id","name","spend","_col3"');
    await s3.send(new GetObjectCommand({ Bucket: results, Key: `out/${id}.csv.metadata` }));
  });

  it('reads the CSV table (OpenCSVSerde, header skipped) with the caller’s S3 permissions', async () => {
    const { id, execution } = await query(athena, 'SELECT name FROM customers_csv WHERE spend > 15 ORDER BY 1');
    expect(execution.Status!.State).toBe('SUCCEEDED');
    expect((await rows(athena, id)).rows).toEqual([['name'], ['Bo'], ['Cy'], ['Di']]);
  });

  it('column grants: SELECT * returns permitted columns, naming ssn fails with Athena’s COLUMN_NOT_FOUND', async () => {
    const client = new AthenaClient(clientConfig(server.url, analyst));
    const ok = await query(client, 'SELECT * FROM customers');
    expect((await rows(client, ok.id)).rows[0]).toEqual(['id', 'name', 'region', 'spend']);
    const { execution } = await query(client, 'SELECT ssn FROM customers');
    expect(execution.Status!.State).toBe('FAILED');
    expect(execution.Status!.StateChangeReason).toBe("COLUMN_NOT_FOUND: line 1:8: Column 'ssn' cannot be resolved or requester is not authorized to access requested resources");
    expect(execution.Status!.AthenaError).toEqual({ ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: execution.Status!.StateChangeReason });
    await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId! }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      AthenaErrorCode: 'INVALID_QUERY_EXECUTION_STATE',
      message: 'Query did not finish successfully. Final query state: FAILED',
    });
  });

  it('row filters: only EU rows; a table without grant is TABLE_NOT_FOUND', async () => {
    const client = new AthenaClient(clientConfig(server.url, euOnly));
    const { id } = await query(client, 'SELECT name, region FROM customers ORDER BY id');
    expect((await rows(client, id)).rows.slice(1)).toEqual([
      ['Ana', 'EU'],
      ['Cy', 'EU'],
    ]);
    const other = await assumeRole(server.url, users.orgAdmin, ADMIN_ROLE, { RoleSessionName: 'nobody' });
    const { execution } = await query(new AthenaClient(clientConfig(server.url, other)), 'SELECT 1 FROM customers');
    expect(execution.Status!.StateChangeReason).toBe("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.customers' does not exist");
  });

  it('UNLOAD writes the permitted rows as data files as the caller; a non-empty target, ORC and a malformed statement are refused', async () => {
    const client = new AthenaClient(clientConfig(server.url, euOnly));
    const sql = `UNLOAD (SELECT * FROM customers ORDER BY id) TO 's3://${results}/unload/eu/' WITH (format = 'JSON')`;
    const { id, execution } = await query(client, sql);
    expect(execution.Status!.StateChangeReason).toBeUndefined();
    expect(execution.Status!.State).toBe('SUCCEEDED');
    expect(execution.SubstatementType).toBe('UNLOAD');
    const s3 = new S3Client({ ...clientConfig(server.url, full), forcePathStyle: true });
    const manifest = await (await s3.send(new GetObjectCommand({ Bucket: results, Key: `out/${id}-manifest.csv` }))).Body!.transformToString();
    expect(manifest.trim()).toBe(`s3://${results}/unload/eu/${id}_00000`);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: results, Key: `unload/eu/${id}_00000` }))).Body!.transformToString();
    // The row filter and the column grant apply: EU rows, no ssn, no spend.
    expect(body.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, name: 'Ana', region: 'EU' },
      { id: 3, name: 'Cy', region: 'EU' },
    ]);
    const result = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(result.UpdateCount).toBe(2);
    expect(result.ResultSet!.Rows).toEqual([]);
    const again = await query(client, sql);
    expect(again.execution.Status!.State).toBe('FAILED');
    expect(again.execution.Status!.StateChangeReason).toMatch(new RegExp(`^HIVE_PATH_ALREADY_EXISTS: Target directory for table '.*' already exists: s3://${results}/unload/eu/`));
    const orc = await query(client, `UNLOAD (SELECT id FROM customers) TO 's3://${results}/unload/orc/' WITH (format = 'ORC')`);
    expect(orc.execution.Status!.StateChangeReason).toMatch(/^NOT_SUPPORTED: .*ORC/);
    await expect(client.send(new StartQueryExecutionCommand({ QueryString: `UNLOAD SELECT 1 TO 's3://${results}/x/'`, ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      AthenaErrorCode: 'MALFORMED_QUERY',
    });
  });

  it('refuses escapes: syntax errors and non-SELECT statements fail StartQueryExecution; file functions fail the query', async () => {
    for (const sql of ['SELECT 1; SELECT 2', "COPY customers TO '/tmp/x.csv'", "ATTACH '/tmp/x.db'", 'SELECT FROM WHERE']) {
      await expect(athena.send(new StartQueryExecutionCommand({ QueryString: sql, ResultConfiguration: { OutputLocation: `s3://${results}/out/` } })), sql).rejects.toMatchObject({
        name: 'InvalidRequestException',
        AthenaErrorCode: 'MALFORMED_QUERY',
      });
    }
    const { execution } = await query(athena, "SELECT * FROM read_csv('/etc/passwd')");
    expect(execution.Status!.State).toBe('FAILED');
    expect(execution.Status!.StateChangeReason).toMatch(/^FUNCTION_NOT_FOUND: line 1:15: Table function 'read_csv' not registered/);
  });

  it('a results location the bucket policy refuses fails the query with Athena’s message', async () => {
    const { execution } = await query(athena, 'SELECT 1', { ResultConfiguration: { OutputLocation: `s3://${results}/denied/` } });
    expect(execution.Status!.State).toBe('FAILED');
    expect(execution.Status!.StateChangeReason).toMatch(/^Access denied when writing output to url: s3:\/\/.*\/denied\//);
  });

  it('validates the request: output location, workgroup, idempotency token, pagination', async () => {
    await expect(athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }))).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/^No output location provided/) });
    await expect(athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'nope', ResultConfiguration: { OutputLocation: `s3://${results}/` } }))).rejects.toMatchObject({ message: 'WorkGroup is not found.' });
    const token = 'a'.repeat(32);
    const first = await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }));
    const again = await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }));
    expect(again.QueryExecutionId).toBe(first.QueryExecutionId);
    await expect(athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2', ClientRequestToken: token, ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }))).rejects.toMatchObject({ AthenaErrorCode: 'IDEMPOTENT_PARAMETER_MISMATCH' });
    const { id } = await query(athena, 'SELECT * FROM UNNEST(sequence(1, 10)) AS t(n)');
    const page1 = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 4 }));
    expect(page1.ResultSet!.Rows!.map((r) => r.Data![0]!.VarCharValue)).toEqual(['n', '1', '2', '3']);
    const page2 = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 100, NextToken: page1.NextToken }));
    expect(page2.ResultSet!.Rows!.length).toBe(7);
    expect(page2.NextToken).toBeUndefined();
  });

  it('execution parameters, stop, list, batch get', async () => {
    const { id, execution } = await query(athena, 'SELECT name FROM customers WHERE id = ?', { ExecutionParameters: ['3'] });
    expect(execution.Status!.State).toBe('SUCCEEDED');
    expect((await rows(athena, id)).rows[1]).toEqual(['Cy']);
    const slow = await athena.send(
      new StartQueryExecutionCommand({ QueryString: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000000000) SELECT count(*) FROM r', ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }),
    );
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: slow.QueryExecutionId }));
    const stopped = await waitFor(athena, slow.QueryExecutionId!);
    expect(stopped.Status).toMatchObject({ State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' });
    await expect(athena.send(new GetQueryResultsCommand({ QueryExecutionId: slow.QueryExecutionId }))).rejects.toMatchObject({ AthenaErrorCode: 'RESULT_NOT_FOUND' });
    const listed = await athena.send(new ListQueryExecutionsCommand({ MaxResults: 50 }));
    expect(listed.QueryExecutionIds).toContain(id);
    const batch = await athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [id, '00000000-0000-0000-0000-000000000000'] }));
    expect(batch.QueryExecutions!.map((q) => q.QueryExecutionId)).toEqual([id]);
    expect(batch.UnprocessedQueryExecutionIds![0]!.QueryExecutionId).toBe('00000000-0000-0000-0000-000000000000');
    await expect(athena.send(new GetQueryExecutionCommand({ QueryExecutionId: '00000000-0000-0000-0000-000000000000' }))).rejects.toMatchObject({
      message: 'QueryExecution 00000000-0000-0000-0000-000000000000 was not found',
    });
  });

  it('workgroups with enforced result configuration, named queries, prepared statements, metadata', async () => {
    const wg = unique('wg');
    await athena.send(new CreateWorkGroupCommand({ Name: wg, Configuration: { EnforceWorkGroupConfiguration: true, ResultConfiguration: { OutputLocation: `s3://${results}/wg/` } } }));
    expect((await athena.send(new GetWorkGroupCommand({ WorkGroup: wg }))).WorkGroup!.State).toBe('ENABLED');
    expect((await athena.send(new ListWorkGroupsCommand({}))).WorkGroups!.map((w) => w.Name)).toEqual(expect.arrayContaining(['primary', wg]));
    const { execution } = await query(athena, 'SELECT 1', { WorkGroup: wg });
    expect(execution.ResultConfiguration!.OutputLocation).toMatch(new RegExp(`^s3://${results}/wg/`));
    const named = await athena.send(new CreateNamedQueryCommand({ Name: 'n', Database: 'sales', QueryString: 'SELECT 1', WorkGroup: wg }));
    expect((await athena.send(new GetNamedQueryCommand({ NamedQueryId: named.NamedQueryId }))).NamedQuery).toMatchObject({ Name: 'n', WorkGroup: wg });
    await athena.send(new CreatePreparedStatementCommand({ StatementName: 'pstmt', WorkGroup: wg, QueryStatement: 'SELECT ?' }));
    expect((await athena.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' }))).DatabaseList).toEqual([{ Name: 'sales' }]);
    const meta = await new AthenaClient(clientConfig(server.url, analyst)).send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'sales', TableName: 'customers' }));
    expect(meta.TableMetadata!.Columns!.map((c) => c.Name)).toEqual(['id', 'name', 'region', 'spend']);
    expect((await athena.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'sales' }))).TableMetadataList!.map((t) => t.Name)).toEqual(['customers', 'customers_csv']);
  });

  it('authorizes every call: a user without athena permissions is denied', async () => {
    const client = new AthenaClient(clientConfig(server.url, users.ds1Scientist));
    await expect(client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ResultConfiguration: { OutputLocation: `s3://${results}/out/` } }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(client.send(new ListWorkGroupsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
