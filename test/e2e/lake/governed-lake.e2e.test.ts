/**
 * The governed data lake across accounts, with the JS SDK against the default landing zone: the lake admin
 * catalogs customer data (Parquet and CSV) in the data-lake account, grants data-science-1 the table without `ssn`
 * and data-science-2 a data-cells filter (EU rows, no `ssn`); RAM carries the shares; each consumer account's
 * admin accepts, links and grants its DataScientist role; Athena answers each scientist with exactly what was
 * granted, results in the consumer's own bucket.
 */
import { join } from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GetPartitionsCommand, GetTableCommand, GetTablesCommand, GetTableVersionsCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateDataCellsFilterCommand, GrantPermissionsCommand, LakeFormationClient, ListPermissionsCommand, PutDataLakeSettingsCommand, RevokePermissionsCommand } from '@aws-sdk/client-lakeformation';
import { GetResourceSharesCommand, RAMClient } from '@aws-sdk/client-ram';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import {
  CURATED,
  LAKE,
  acceptInvitations,
  athenaQuery,
  createDatabaseWithTables,
  csvTable,
  makeLakeAdmins,
  parquetTable,
  putCustomersCsv,
  putCustomersParquet,
  registerCurated,
  resultsBucket,
  role,
  type QueryOutcome,
} from '../support/lake.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds, credentialsEnv } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const DS2 = accounts.dataScience2;

let server: TestServer;
let lakeAdmin: Creds;
const admins: Record<string, Creds> = {};
const scientists: Record<string, Creds> = {};

const glue = (c: Creds) => new GlueClient(clientConfig(server.url, c));
const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
const ram = (c: Creds) => new RAMClient(clientConfig(server.url, c));
const query = (c: Creds, account: string, sql: string): Promise<QueryOutcome> => athenaQuery(server.url, c, sql, `s3://${resultsBucket(account)}/athena/`);

beforeAll(async () => {
  server = await startTestServer();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  for (const account of [LAKE, DS1, DS2, accounts.test]) admins[account] = await assumeRole(server.url, platform, role(account, 'OrganizationAccountAccessRole'));
  scientists[DS1] = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
  scientists[DS2] = await assumeRole(server.url, users.ds2Scientist, role(DS2, 'DataScientist'));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('the governed lake across accounts', () => {
  it('bootstraps Lake Formation: each account names its data lake admins; new tables get no IAM_ALLOWED_PRINCIPALS grant', async () => {
    await makeLakeAdmins(server.url, admins[LAKE]!, [role(LAKE, 'LakeAdmin')]);
    for (const account of [DS1, DS2]) await makeLakeAdmins(server.url, admins[account]!, [role(account, 'OrganizationAccountAccessRole')]);
    // The LakeAdmin role's managed policy (AWSLakeFormationDataAdmin) denies changing the settings.
    await expect(lf(lakeAdmin).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [] } }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('catalogs customers over Parquet and CSV files in the registered curated bucket', async () => {
    await putCustomersParquet(server.url, lakeAdmin, 'sales/customers/part-0.parquet');
    await putCustomersCsv(server.url, lakeAdmin, 'sales/customers_csv/part-0.csv');
    await registerCurated(server.url, lakeAdmin, 'sales');
    await createDatabaseWithTables(server.url, lakeAdmin, 'sales', [parquetTable('customers', `s3://${CURATED}/sales/customers/`), csvTable('customers_csv', `s3://${CURATED}/sales/customers_csv/`)], {
      LocationUri: `s3://${CURATED}/sales/`,
    });
    // The lake admin itself reads everything (a data lake admin has no implicit SELECT on AWS: grant it).
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }, Resource: { Table: { DatabaseName: 'sales', TableWildcard: {} } }, Permissions: ['SELECT', 'DESCRIBE'] }),
    );
    const all = await query(lakeAdmin, LAKE, 'SELECT count(*), sum(spend) FROM sales.customers_csv');
    expect(all.execution.Status?.StateChangeReason).toBeUndefined();
    expect(all.rows.slice(1)).toEqual([['4', '100.75']]);
  });

  it('grants data-science-1 the table without ssn and data-science-2 the EU rows without ssn, shared through RAM', async () => {
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: DS1 },
        // Lake Formation takes a grant option on columns only with an include list.
        Resource: { TableWithColumns: { DatabaseName: 'sales', Name: 'customers', ColumnNames: ['id', 'name', 'region', 'spend'] } },
        Permissions: ['SELECT'],
        PermissionsWithGrantOption: ['SELECT'],
      }),
    );
    await lf(lakeAdmin).send(
      new CreateDataCellsFilterCommand({
        TableData: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn', RowFilter: { FilterExpression: "region = 'EU'" }, ColumnWildcard: { ExcludedColumnNames: ['ssn'] } },
      }),
    );
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: DS2 },
        Resource: { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn' } },
        Permissions: ['SELECT'],
        PermissionsWithGrantOption: ['SELECT'],
      }),
    );
    const shares = await ram(admins[LAKE]!).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(shares.resourceShares!.map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^LakeFormation-V3-/)]));
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS1 } }));
    expect(listed.PrincipalResourcePermissions!.map((p) => p.Permissions)).toContainEqual(['SELECT']);
  });

  it('each consumer accepts the share, links the table and grants its DataScientist role', async () => {
    for (const account of [DS1, DS2]) {
      const admin = admins[account]!;
      await acceptInvitations(server.url, admin);
      await glue(admin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
      await glue(admin).send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'customers', TargetTable: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' } } }));
      const scientist = { DataLakePrincipalIdentifier: role(account, 'DataScientist') };
      await lf(admin).send(new GrantPermissionsCommand({ Principal: scientist, Resource: { Table: { DatabaseName: 'lake', Name: 'customers' } }, Permissions: ['DESCRIBE'] }));
      const target =
        account === DS1
          ? { TableWithColumns: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers', ColumnNames: ['id', 'name', 'region', 'spend'] } }
          : { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn' } };
      await lf(admin).send(new GrantPermissionsCommand({ Principal: scientist, Resource: target, Permissions: ['SELECT'] }));
    }
    const link = await glue(scientists[DS1]!).send(new GetTableCommand({ DatabaseName: 'lake', Name: 'customers' }));
    expect(link.Table?.TargetTable).toMatchObject({ CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' });
  });

  it("data-science-1's scientist sees every row without ssn, and naming ssn fails as on Athena", async () => {
    const star = await query(scientists[DS1]!, DS1, 'SELECT * FROM lake.customers ORDER BY id');
    expect(star.execution.Status?.StateChangeReason).toBeUndefined();
    expect(star.rows[0]).toEqual(['id', 'name', 'region', 'spend']);
    expect(star.rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    const ssn = await query(scientists[DS1]!, DS1, 'SELECT ssn FROM lake.customers');
    expect(ssn.execution.Status?.State).toBe('FAILED');
    // mlzone explain <query execution id> names the grant that decided the table.
    const explained = (await (await fetch(`${server.url}/_mlzone/explain/${star.execution.QueryExecutionId}`)).json()) as { tables: string[] };
    expect(explained.tables).toEqual([expect.stringMatching(/^lake\.customers: .*SELECT on columns \(id, name, region, spend\) of 333333333333:sales\.customers granted to arn:aws:iam::444444444444:role\/DataScientist/)]);
    expect(ssn.execution.Status?.StateChangeReason).toMatch(/COLUMN_NOT_FOUND.*ssn.*requester is not authorized/s);
    // Results land in the consumer's own bucket, written as the scientist.
    const s3 = new S3Client({ ...clientConfig(server.url, scientists[DS1]!), forcePathStyle: true });
    const csv = await (await s3.send(new GetObjectCommand({ Bucket: resultsBucket(DS1), Key: `athena/${star.execution.QueryExecutionId}.csv` }))).Body!.transformToString();
    expect(csv.split('\n')[0]).toBe('"id","name","region","spend"');
  });

  it("data-science-2's scientist sees only the EU rows", async () => {
    const out = await query(scientists[DS2]!, DS2, 'SELECT id, region FROM lake.customers ORDER BY id');
    expect(out.execution.Status?.StateChangeReason).toBeUndefined();
    expect(out.rows.slice(1)).toEqual([
      ['1', 'EU'],
      ['3', 'EU'],
    ]);
  });

  it("through a database resource link, Glue lists and describes the target's tables the caller is granted, and Athena reads <link>.<table>", async () => {
    const admin = admins[DS1]!;
    const scientist = scientists[DS1]!;
    await glue(admin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'sales' } } }));
    // Before the scientist may describe the link, the link is not there for it.
    await expect(glue(scientist).send(new GetTablesCommand({ DatabaseName: 'sales_link' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await query(scientist, DS1, 'SELECT id FROM sales_link.customers')).execution.Status?.StateChangeReason).toMatch(/SCHEMA_NOT_FOUND/);
    await lf(admin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') }, Resource: { Database: { Name: 'sales_link' } }, Permissions: ['DESCRIBE'] }));
    // The target's tables as the owner's catalog holds them, only those the account and the scientist were granted,
    // with the granted columns only.
    const listed = await glue(scientist).send(new GetTablesCommand({ DatabaseName: 'sales_link' }));
    expect(listed.TableList!.map((t) => [t.CatalogId, t.DatabaseName, t.Name])).toEqual([[LAKE, 'sales', 'customers']]);
    expect(listed.TableList![0]!.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(['id', 'name', 'region', 'spend']);
    const one = await glue(scientist).send(new GetTableCommand({ DatabaseName: 'sales_link', Name: 'customers' }));
    expect(one.Table).toMatchObject({ CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' });
    await expect(glue(scientist).send(new GetTableCommand({ DatabaseName: 'sales_link', Name: 'customers_csv' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Table versions and partitions are read through the link the same way (the scientist's IAM policy has no glue:GetPartitions).
    const versions = await glue(scientist).send(new GetTableVersionsCommand({ DatabaseName: 'sales_link', TableName: 'customers' }));
    expect(versions.TableVersions!.map((v) => [v.Table?.DatabaseName, v.Table?.StorageDescriptor?.Columns?.map((c) => c.Name)])).toEqual([['sales', ['id', 'name', 'region', 'spend']]]);
    expect((await glue(admin).send(new GetPartitionsCommand({ DatabaseName: 'sales_link', TableName: 'customers' }))).Partitions).toEqual([]);
    const star = await query(scientist, DS1, 'SELECT * FROM sales_link.customers ORDER BY id');
    expect(star.execution.Status?.StateChangeReason).toBeUndefined();
    expect(star.rows[0]).toEqual(['id', 'name', 'region', 'spend']);
    expect(star.rows.length).toBe(5);
    expect((await query(scientist, DS1, 'SELECT count(*) FROM sales_link.customers_csv')).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    // The link as the query's database: unqualified names resolve in the target database.
    const inLink = await athenaQuery(server.url, scientist, 'SELECT count(*) FROM customers', `s3://${resultsBucket(DS1)}/athena/`, 'sales_link');
    expect(inLink.execution.Status?.StateChangeReason).toBeUndefined();
    expect(inLink.rows.slice(1)).toEqual([['4']]);
    // data-science-2 (granted the EU rows through a filter) lists the same table through its own link; the test
    // account, granted nothing, cannot follow a link to the lake at all.
    await glue(admins[DS2]!).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'sales' } } }));
    await lf(admins[DS2]!).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(DS2, 'DataScientist') }, Resource: { Database: { Name: 'sales_link' } }, Permissions: ['DESCRIBE'] }));
    expect((await glue(admins[DS2]!).send(new GetTablesCommand({ DatabaseName: 'sales_link' }))).TableList!.map((t) => t.Name)).toEqual(['customers']);
    const tester = admins[accounts.test]!;
    await glue(tester).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'sales' } } }));
    await expect(glue(tester).send(new GetTablesCommand({ DatabaseName: 'sales_link' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('the test account sees nothing, and Glue shows it no shared table', async () => {
    const tester = admins[accounts.test]!;
    const out = await query(tester, accounts.test, `SELECT * FROM "awsdatacatalog"."sales"."customers"`);
    expect(out.execution.Status?.State).toBe('FAILED');
    expect(out.execution.Status?.StateChangeReason).toMatch(/SCHEMA_NOT_FOUND|TABLE_NOT_FOUND/);
    await expect(glue(tester).send(new GetTablesCommand({ CatalogId: LAKE, DatabaseName: 'sales' }))).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied|EntityNotFound/) });
  });

  it.skipIf(!hasBoto3)("boto3: data-science-2's scientist follows the link and reads the EU rows, page by page, never ssn", async () => {
    const c = scientists[DS2]!;
    const r = await run(python, [join(dirname(fileURLToPath(import.meta.url)), 'lake_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_RESULTS: `s3://${resultsBucket(DS2)}/boto3/`,
      MLZONE_LAKE: LAKE,
      ...credentialsEnv(c),
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ target: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' }, state: 'SUCCEEDED', columns: ['id', 'name', 'region', 'spend'] });
    expect(out.rows).toEqual([
      ['id', 'name', 'region', 'spend'],
      ['1', 'Ana', 'EU', '10.5'],
      ['3', 'Cy', 'EU', '30.25'],
    ]);
    expect(out.through_link).toEqual([['sales', 'customers', ['id', 'name', 'region', 'spend']]]);
    expect(out.ssn.state).toBe('FAILED');
    expect(out.ssn.reason).toMatch(/COLUMN_NOT_FOUND/);
  });

  it.skipIf(!hasCommand('aws'))('the AWS CLI: the lake admin lists what data-science-2 was granted; its scientist queries with the ds2-scientist profile', async () => {
    const cli = cliProfiles(server);
    const aws = async (profile: string, ...args: string[]) => {
      const { stdout } = await promisify(execFile)('aws', ['--profile', profile, '--output', 'json', ...args], { env: { ...process.env, ...cli.env } });
      return JSON.parse(stdout || '{}');
    };
    try {
      const perms = await aws('lake-lakeadmin', 'lakeformation', 'list-permissions', '--principal', `DataLakePrincipalIdentifier=${DS2}`);
      expect(perms.PrincipalResourcePermissions).toContainEqual(expect.objectContaining({ Resource: expect.objectContaining({ DataCellsFilter: expect.objectContaining({ Name: 'eu_no_ssn' }) }), Permissions: ['SELECT'] }));
      const started = await aws('ds2-scientist', 'athena', 'start-query-execution', '--query-string', "SELECT count(*) FROM lake.customers WHERE region <> 'EU'", '--result-configuration', `OutputLocation=s3://${resultsBucket(DS2)}/cli/`);
      let state = 'QUEUED';
      while (state === 'QUEUED' || state === 'RUNNING') state = (await aws('ds2-scientist', 'athena', 'get-query-execution', '--query-execution-id', started.QueryExecutionId)).QueryExecution.Status.State;
      expect(state).toBe('SUCCEEDED');
      const results = await aws('ds2-scientist', 'athena', 'get-query-results', '--query-execution-id', started.QueryExecutionId);
      // The row filter applies before the query's own WHERE: no non-EU row exists for data-science-2.
      expect(results.ResultSet.Rows[1].Data[0].VarCharValue).toBe('0');
    } finally {
      cli.remove();
    }
  });

  it('a revoke takes effect on the next query', async () => {
    await lf(admins[DS1]!).send(
      new RevokePermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') },
        Resource: { TableWithColumns: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers', ColumnNames: ['id', 'name', 'region', 'spend'] } },
        Permissions: ['SELECT'],
      }),
    );
    const out = await query(scientists[DS1]!, DS1, 'SELECT id FROM lake.customers');
    expect(out.execution.Status?.State).toBe('FAILED');
    expect(out.execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND|not authorized/);
  });
});
