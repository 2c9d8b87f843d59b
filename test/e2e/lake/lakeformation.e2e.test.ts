/**
 * Lake Formation's API through the JS SDK, in the data-lake account of the default landing zone: the default
 * settings (IAM access control for new tables), who may change settings and grant, registered locations, data-cells
 * filters and their validation (row filters that try to escape the predicate are refused), grants and revokes with
 * AWS's errors, ListPermissions filters, BatchGrantPermissions' per-entry failures.
 */
import type { QueryExecution } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  BatchGrantPermissionsCommand,
  CreateDataCellsFilterCommand,
  DeleteDataCellsFilterCommand,
  DeregisterResourceCommand,
  DescribeResourceCommand,
  GetDataCellsFilterCommand,
  GetDataLakeSettingsCommand,
  GrantPermissionsCommand,
  LakeFormationClient,
  ListDataCellsFilterCommand,
  ListPermissionsCommand,
  ListResourcesCommand,
  PutDataLakeSettingsCommand,
  RegisterResourceCommand,
  RevokePermissionsCommand,
  UpdateDataCellsFilterCommand,
} from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED, LAKE, athenaQuery, csvTable, putCustomersCsv } from '../support/lake.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const role = (name: string) => `arn:aws:iam::${LAKE}:role/${name}`;

let server: TestServer;
let accountAdmin: Creds;
let lakeAdmin: Creds;
const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: { name: string; message: string }) => ({ name: e.name, message: e.message }));

async function table(c: Creds, database: string, name: string, prefix: string): Promise<void> {
  await new GlueClient(clientConfig(server.url, c)).send(new CreateTableCommand({ DatabaseName: database, TableInput: csvTable(name, `s3://${CURATED}/${prefix}/`) }));
}

const query = async (c: Creds, sql: string): Promise<QueryExecution> => (await athenaQuery(server.url, c, sql, `s3://mlzone-raw-${LAKE}/lf-test/`)).execution;

beforeAll(async () => {
  server = await startTestServer();
  accountAdmin = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), role('OrganizationAccountAccessRole'));
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role('LakeAdmin'));
  await putCustomersCsv(server.url, lakeAdmin, 'iam/customers/part-0.csv');
  await putCustomersCsv(server.url, lakeAdmin, 'lf/customers/part-0.csv');
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('Lake Formation in the data-lake account', () => {
  it('starts as AWS does: no admins, IAM_ALLOWED_PRINCIPALS ALL for new databases and tables', async () => {
    const s = (await lf(accountAdmin).send(new GetDataLakeSettingsCommand({}))).DataLakeSettings!;
    expect(s.DataLakeAdmins).toEqual([]);
    expect(s.CreateDatabaseDefaultPermissions).toEqual([{ Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' }, Permissions: ['ALL'] }]);
    expect(s.CreateTableDefaultPermissions).toEqual([{ Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' }, Permissions: ['ALL'] }]);
  });

  it('a table created under the defaults is governed by IAM alone: every column and row for an IAM principal allowed to query', async () => {
    await new GlueClient(clientConfig(server.url, lakeAdmin)).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'iamdb' } }));
    await table(lakeAdmin, 'iamdb', 'customers', 'iam/customers');
    const q = await query(accountAdmin, 'SELECT count(*), count(ssn) FROM iamdb.customers');
    expect(q.Status?.StateChangeReason).toBeUndefined();
    expect(q.Status).toMatchObject({ State: 'SUCCEEDED' });
  });

  it('only an IAM principal allowed PutDataLakeSettings changes the settings; admins must be IAM roles or users', async () => {
    expect(await refusal(lf(lakeAdmin).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [] } })))).toMatchObject({ name: 'AccessDeniedException' });
    expect(await refusal(lf(accountAdmin).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: 'not-a-principal' }] } })))).toMatchObject({
      name: 'InvalidInputException',
    });
    await lf(accountAdmin).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: role('LakeAdmin') }], CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }));
    expect((await lf(lakeAdmin).send(new GetDataLakeSettingsCommand({}))).DataLakeSettings!.DataLakeAdmins).toEqual([{ DataLakePrincipalIdentifier: role('LakeAdmin') }]);
  });

  it('registers a location once, describes, lists and deregisters it', async () => {
    const arn = `arn:aws:s3:::${CURATED}/lf`;
    await lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: arn, UseServiceLinkedRole: true }));
    expect(await refusal(lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: arn, UseServiceLinkedRole: true })))).toMatchObject({ name: 'AlreadyExistsException' });
    expect(await refusal(lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/other` })))).toMatchObject({ name: 'InvalidInputException' });
    expect((await lf(lakeAdmin).send(new DescribeResourceCommand({ ResourceArn: arn }))).ResourceInfo?.ResourceArn).toBe(arn);
    expect((await lf(lakeAdmin).send(new ListResourcesCommand({}))).ResourceInfoList!.map((r) => r.ResourceArn)).toContain(arn);
    await lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/scratch`, UseServiceLinkedRole: true }));
    await lf(lakeAdmin).send(new DeregisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/scratch` }));
    expect(await refusal(lf(lakeAdmin).send(new DescribeResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/scratch` })))).toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('refuses grants on what does not exist, permissions that do not fit, and grants by someone without the grant option', async () => {
    await new GlueClient(clientConfig(server.url, lakeAdmin)).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lfdb' } }));
    await table(lakeAdmin, 'lfdb', 'customers', 'lf/customers');
    const principal = { DataLakePrincipalIdentifier: role('OrganizationAccountAccessRole') };
    expect(await refusal(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Table: { DatabaseName: 'lfdb', Name: 'nope' } }, Permissions: ['SELECT'] })))).toEqual({
      name: 'EntityNotFoundException',
      message: 'Table nope not found.',
    });
    expect(await refusal(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Database: { Name: 'lfdb' } }, Permissions: ['SELECT'] })))).toMatchObject({ name: 'InvalidInputException' });
    expect(await refusal(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Table: { DatabaseName: 'lfdb' } }, Permissions: ['SELECT'] })))).toEqual({
      name: 'InvalidInputException',
      message: 'Table name and table wildcard cannot both be empty.',
    });
    expect(
      await refusal(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { TableWithColumns: { DatabaseName: 'lfdb', Name: 'customers', ColumnNames: ['nope'] } }, Permissions: ['SELECT'] }))),
    ).toMatchObject({ name: 'InvalidInputException', message: 'Column nope not found in table lfdb.customers.' });
    expect(
      await refusal(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Table: { DatabaseName: 'lfdb', Name: 'customers' } }, Permissions: ['SELECT'], PermissionsWithGrantOption: ['ALTER'] }))),
    ).toMatchObject({ name: 'InvalidInputException' });
    // The account's administrator is no data lake admin and holds no grant option: it cannot grant.
    expect(await refusal(lf(accountAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Table: { DatabaseName: 'lfdb', Name: 'customers' } }, Permissions: ['SELECT'] })))).toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('validates data-cells filters: row filters are predicates over the table, never a way out of it', async () => {
    const base = { TableCatalogId: LAKE, DatabaseName: 'lfdb', TableName: 'customers', ColumnWildcard: {} };
    for (const FilterExpression of ["region = 'EU'; DROP TABLE x", "region IN (SELECT region FROM other)", "read_csv('/etc/passwd') IS NOT NULL", "nope = 1", "region = 'EU' -- ", ') OR (1=1']) {
      expect(await refusal(lf(lakeAdmin).send(new CreateDataCellsFilterCommand({ TableData: { ...base, Name: 'bad', RowFilter: { FilterExpression } } }))), FilterExpression).toMatchObject({ name: 'InvalidInputException' });
    }
    expect(await refusal(lf(lakeAdmin).send(new CreateDataCellsFilterCommand({ TableData: { ...base, Name: 'both', ColumnNames: ['id'], RowFilter: { AllRowsWildcard: {} } } })))).toMatchObject({
      name: 'InvalidInputException',
      message: 'Either ColumnNames or ColumnWildcard must be specified.',
    });
    await lf(lakeAdmin).send(new CreateDataCellsFilterCommand({ TableData: { ...base, Name: 'us', RowFilter: { FilterExpression: "region = 'US' AND spend > 1" } } }));
    expect(await refusal(lf(lakeAdmin).send(new CreateDataCellsFilterCommand({ TableData: { ...base, Name: 'us', RowFilter: { AllRowsWildcard: {} } } })))).toMatchObject({ name: 'AlreadyExistsException' });
    const got = await lf(lakeAdmin).send(new GetDataCellsFilterCommand({ TableCatalogId: LAKE, DatabaseName: 'lfdb', TableName: 'customers', Name: 'us' }));
    expect(got.DataCellsFilter?.RowFilter?.FilterExpression).toBe("region = 'US' AND spend > 1");
    await lf(lakeAdmin).send(new UpdateDataCellsFilterCommand({ TableData: { TableCatalogId: LAKE, DatabaseName: 'lfdb', TableName: 'customers', Name: 'us', RowFilter: { FilterExpression: "region = 'US'" }, ColumnNames: ['id', 'region'] } }));
    const listed = await lf(lakeAdmin).send(new ListDataCellsFilterCommand({ Table: { CatalogId: LAKE, DatabaseName: 'lfdb', Name: 'customers' } }));
    expect(listed.DataCellsFilters!.map((f) => [f.Name, f.RowFilter?.FilterExpression, f.ColumnNames])).toEqual([['us', "region = 'US'", ['id', 'region']]]);
  });

  it('a granted filter decides what the grantee reads; the grant is listed; revoke takes it back; revoking twice is an error', async () => {
    const principal = { DataLakePrincipalIdentifier: role('OrganizationAccountAccessRole') };
    const resource = { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'lfdb', TableName: 'customers', Name: 'us' } };
    const denied = await query(accountAdmin, 'SELECT * FROM lfdb.customers');
    expect(denied.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: principal, Resource: resource, Permissions: ['SELECT'] }));
    const allowed = await query(accountAdmin, 'SELECT id, region FROM lfdb.customers');
    expect(allowed.Status).toMatchObject({ State: 'SUCCEEDED' });
    const ssn = await query(accountAdmin, 'SELECT ssn FROM lfdb.customers');
    expect(ssn.Status?.StateChangeReason).toMatch(/COLUMN_NOT_FOUND/);
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: principal }));
    expect(listed.PrincipalResourcePermissions!.map((p) => [p.Resource?.DataCellsFilter?.Name, p.Permissions])).toEqual([['us', ['SELECT']]]);
    await lf(lakeAdmin).send(new RevokePermissionsCommand({ Principal: principal, Resource: resource, Permissions: ['SELECT'] }));
    expect((await query(accountAdmin, 'SELECT id FROM lfdb.customers')).Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    expect(await refusal(lf(lakeAdmin).send(new RevokePermissionsCommand({ Principal: principal, Resource: resource, Permissions: ['SELECT'] })))).toEqual({
      name: 'InvalidInputException',
      message: 'No permissions revoked. Grantee has no permissions and no grantable permissions on resource.',
    });
  });

  it('BatchGrantPermissions grants the good entries and reports each failed one', async () => {
    const out = await lf(lakeAdmin).send(
      new BatchGrantPermissionsCommand({
        Entries: [
          { Id: 'ok', Principal: { DataLakePrincipalIdentifier: role('DataConsumer') }, Resource: { Table: { DatabaseName: 'lfdb', Name: 'customers' } }, Permissions: ['DESCRIBE'] },
          { Id: 'missing', Principal: { DataLakePrincipalIdentifier: role('DataConsumer') }, Resource: { Table: { DatabaseName: 'lfdb', Name: 'gone' } }, Permissions: ['DESCRIBE'] },
        ],
      }),
    );
    expect(out.Failures!.map((f) => [f.RequestEntry?.Id, f.Error?.ErrorCode])).toEqual([['missing', 'EntityNotFoundException']]);
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role('DataConsumer') } }));
    expect(listed.PrincipalResourcePermissions!.map((p) => p.Permissions)).toEqual([['DESCRIBE']]);
  });

  it('deletes a filter only as a data lake admin', async () => {
    const key = { TableCatalogId: LAKE, DatabaseName: 'lfdb', TableName: 'customers', Name: 'us' };
    expect(await refusal(lf(accountAdmin).send(new DeleteDataCellsFilterCommand(key)))).toMatchObject({ name: 'AccessDeniedException' });
    await lf(lakeAdmin).send(new DeleteDataCellsFilterCommand(key));
    expect(await refusal(lf(lakeAdmin).send(new GetDataCellsFilterCommand(key)))).toMatchObject({ name: 'EntityNotFoundException' });
  });
});
