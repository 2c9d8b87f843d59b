/**
 * The Glue Data Catalog with the JS SDK against the default landing zone: databases and tables with Glue's errors
 * and name folding, table versions, partitions and their expressions, resource links, paging, SearchTables
 * filtered by Lake Formation, and the catalog resource policy (its conditions, and that it decides cross-account
 * access together with Lake Formation).
 * On PostgreSQL when MLZONE_TEST_PG is set (support/backend.ts).
 */
import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchGetPartitionCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeletePartitionCommand,
  DeleteResourcePolicyCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetResourcePolicyCommand,
  GetTableCommand,
  GetTablesCommand,
  GetTableVersionCommand,
  GetTableVersionsCommand,
  GlueClient,
  PutResourcePolicyCommand,
  SearchTablesCommand,
  UpdateDatabaseCommand,
  UpdateTableCommand,
  type Column,
  type Table,
} from '@aws-sdk/client-glue';
import { GrantPermissionsCommand, LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnBackend } from '../support/backend.js';
import { LAKE, role } from '../support/lake.js';
import { accounts, clientConfig, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;

let server: TestServer;
let lakeAdmin: Creds;
const admins: Record<string, Creds> = {};

const glue = (c: Creds) => new GlueClient(clientConfig(server.url, c));
const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));

const columns: Column[] = [
  { Name: 'Id', Type: 'bigint' },
  { Name: 'Payload', Type: 'string', Comment: 'raw event body' },
];

beforeAll(async () => {
  server = await startOnBackend();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  for (const account of [LAKE, DS1]) admins[account] = await assumeRole(server.url, platform, role(account, 'OrganizationAccountAccessRole'));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('databases', () => {
  it('folds names to lower case, refuses a duplicate and names a missing database as Glue does', async () => {
    const g = glue(admins[LAKE]!);
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'Raw_Events', Description: 'landing', Parameters: { team: 'platform' } } }));
    const got = await g.send(new GetDatabaseCommand({ Name: 'RAW_EVENTS' }));
    expect(got.Database).toMatchObject({ Name: 'raw_events', Description: 'landing', Parameters: { team: 'platform' }, CatalogId: LAKE });
    expect(got.Database?.CreateTime).toBeInstanceOf(Date);
    await expect(g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'raw_events' } }))).rejects.toMatchObject({ name: 'AlreadyExistsException', message: 'Database already exists.' });
    await expect(g.send(new GetDatabaseCommand({ Name: 'Nope' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Database nope not found.' });
  });

  it('validates names from the model', async () => {
    const g = glue(admins[LAKE]!);
    await expect(g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'x'.repeat(256) } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/at 'databaseInput\.name' failed to satisfy constraint: Member must have length less than or equal to 255/),
    });
    await expect(g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'two\nlines' } }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/regular expression pattern/) });
    await expect(g.send(new CreateTableCommand({ DatabaseName: 'raw_events', TableInput: { Name: '' } }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('updates and deletes a database; a deleted one is not found', async () => {
    const g = glue(admins[LAKE]!);
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'scratch' } }));
    await g.send(new UpdateDatabaseCommand({ Name: 'scratch', DatabaseInput: { Name: 'scratch', Description: 'temp work' } }));
    expect((await g.send(new GetDatabaseCommand({ Name: 'scratch' }))).Database?.Description).toBe('temp work');
    await g.send(new DeleteDatabaseCommand({ Name: 'Scratch' }));
    await expect(g.send(new GetDatabaseCommand({ Name: 'scratch' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Database scratch not found.' });
    await expect(g.send(new DeleteDatabaseCommand({ Name: 'scratch' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('pages GetDatabases with MaxResults and NextToken, and refuses a token from elsewhere', async () => {
    const g = glue(admins[LAKE]!);
    for (let i = 0; i < 5; i++) await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: `paged_${i}` } }));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await g.send(new GetDatabasesCommand({ MaxResults: 2, NextToken: token }));
      expect(out.DatabaseList!.length).toBeLessThanOrEqual(2);
      names.push(...out.DatabaseList!.map((d) => d.Name!));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(names.filter((n) => n.startsWith('paged_'))).toEqual(['paged_0', 'paged_1', 'paged_2', 'paged_3', 'paged_4']);
    expect(new Set(names).size).toBe(names.length);
    expect(pages).toBeGreaterThanOrEqual(3);
    const tables = await g.send(new GetTablesCommand({ DatabaseName: 'raw_events', MaxResults: 1 }));
    await expect(g.send(new GetDatabasesCommand({ NextToken: 'bm90LWEtdG9rZW4' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    if (tables.NextToken) await expect(g.send(new GetDatabasesCommand({ NextToken: tables.NextToken }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('tables and their versions', () => {
  it('creates a table with lower-cased names, refuses a duplicate and names what is missing', async () => {
    const g = glue(admins[LAKE]!);
    await g.send(
      new CreateTableCommand({
        DatabaseName: 'Raw_Events',
        TableInput: { Name: 'Clicks', Description: 'web clicks', StorageDescriptor: { Columns: columns, Location: 's3://bucket/clicks/' }, PartitionKeys: [{ Name: 'Day', Type: 'string' }], Parameters: { classification: 'parquet' } },
      }),
    );
    const { Table: t } = await g.send(new GetTableCommand({ DatabaseName: 'raw_events', Name: 'CLICKS' }));
    expect(t).toMatchObject({ Name: 'clicks', DatabaseName: 'raw_events', CatalogId: LAKE, TableType: 'EXTERNAL_TABLE', VersionId: '1', Parameters: { classification: 'parquet' } });
    expect(t?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['id', 'payload']);
    expect(t?.PartitionKeys?.map((c) => c.Name)).toEqual(['day']);
    await expect(g.send(new CreateTableCommand({ DatabaseName: 'raw_events', TableInput: { Name: 'clicks' } }))).rejects.toMatchObject({ name: 'AlreadyExistsException', message: 'Table already exists.' });
    await expect(g.send(new GetTableCommand({ DatabaseName: 'raw_events', Name: 'Nope' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Table nope not found.' });
    await expect(g.send(new GetTableCommand({ DatabaseName: 'missing', Name: 'clicks' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Database missing not found.' });
    await expect(g.send(new CreateTableCommand({ DatabaseName: 'missing', TableInput: { Name: 't' } }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Database missing not found.' });
  });

  it('archives a version on each UpdateTable unless SkipArchive, and returns any version', async () => {
    const g = glue(admins[LAKE]!);
    const sd = (extra: Column[]) => ({ Columns: [...columns, ...extra], Location: 's3://bucket/clicks/' });
    await g.send(new UpdateTableCommand({ DatabaseName: 'raw_events', TableInput: { Name: 'clicks', Parameters: { classification: 'parquet' }, StorageDescriptor: sd([{ Name: 'v2', Type: 'int' }]), PartitionKeys: [{ Name: 'day', Type: 'string' }] } }));
    await g.send(
      new UpdateTableCommand({ DatabaseName: 'raw_events', SkipArchive: true, TableInput: { Name: 'clicks', Parameters: { classification: 'parquet' }, StorageDescriptor: sd([{ Name: 'v3', Type: 'int' }]), PartitionKeys: [{ Name: 'day', Type: 'string' }] } }),
    );
    const { Table: now } = await g.send(new GetTableCommand({ DatabaseName: 'raw_events', Name: 'clicks' }));
    expect(now?.VersionId).toBe('3');
    expect(now?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['id', 'payload', 'v3']);
    const versions = await g.send(new GetTableVersionsCommand({ DatabaseName: 'raw_events', TableName: 'clicks' }));
    // Newest first; version 2 was replaced with SkipArchive, so it was never archived.
    expect(versions.TableVersions?.map((v) => v.VersionId)).toEqual(['3', '1']);
    const first = await g.send(new GetTableVersionCommand({ DatabaseName: 'raw_events', TableName: 'clicks', VersionId: '1' }));
    expect(first.TableVersion?.Table?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['id', 'payload']);
    const current = await g.send(new GetTableVersionCommand({ DatabaseName: 'raw_events', TableName: 'clicks' }));
    expect(current.TableVersion?.VersionId).toBe('3');
    await expect(g.send(new GetTableVersionCommand({ DatabaseName: 'raw_events', TableName: 'clicks', VersionId: '2' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    const paged = await g.send(new GetTableVersionsCommand({ DatabaseName: 'raw_events', TableName: 'clicks', MaxResults: 1 }));
    expect(paged.TableVersions?.map((v) => v.VersionId)).toEqual(['3']);
    const rest = await g.send(new GetTableVersionsCommand({ DatabaseName: 'raw_events', TableName: 'clicks', MaxResults: 1, NextToken: paged.NextToken }));
    expect(rest.TableVersions?.map((v) => v.VersionId)).toEqual(['1']);
    expect(rest.NextToken).toBeUndefined();
  });

  it('pages GetTables and filters them by Expression', async () => {
    const g = glue(admins[LAKE]!);
    for (const n of ['orders_2023', 'orders_2024', 'refunds']) await g.send(new CreateTableCommand({ DatabaseName: 'raw_events', TableInput: { Name: n } }));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await g.send(new GetTablesCommand({ DatabaseName: 'raw_events', MaxResults: 2, NextToken: token }));
      seen.push(...out.TableList!.map((t) => t.Name!));
      token = out.NextToken;
    } while (token);
    expect(seen).toEqual(['clicks', 'orders_2023', 'orders_2024', 'refunds']);
    const orders = await g.send(new GetTablesCommand({ DatabaseName: 'raw_events', Expression: 'orders*' }));
    expect(orders.TableList?.map((t) => t.Name)).toEqual(['orders_2023', 'orders_2024']);
    await g.send(new DeleteTableCommand({ DatabaseName: 'raw_events', Name: 'refunds' }));
    await expect(g.send(new GetTableCommand({ DatabaseName: 'raw_events', Name: 'refunds' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', message: 'Table refunds not found.' });
  });
});

describe('partitions', () => {
  const values = (ps: { Values?: string[] }[] | undefined) => (ps ?? []).map((p) => p.Values!.join('/'));

  beforeAll(async () => {
    const g = glue(admins[LAKE]!);
    await g.send(
      new CreateTableCommand({
        DatabaseName: 'raw_events',
        TableInput: {
          Name: 'sales',
          StorageDescriptor: { Columns: columns, Location: 's3://bucket/sales/' },
          PartitionKeys: [
            { Name: 'region', Type: 'string' },
            { Name: 'month', Type: 'int' },
            { Name: 'label', Type: 'string' },
          ],
        },
      }),
    );
  });

  it('creates partitions one by one and in a batch, reporting each failed entry', async () => {
    const g = glue(admins[LAKE]!);
    await g.send(new CreatePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionInput: { Values: ['eu', '1', '1'], StorageDescriptor: { Location: 's3://bucket/sales/eu/1/' } } }));
    await expect(g.send(new CreatePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionInput: { Values: ['eu', '1', '1'] } }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: 'Partition already exists.',
    });
    const batch = [
      ['eu', '2', '2'],
      ['eu', '10', '10'],
      ['us', '3', '3'],
      ['us', '12', '12'],
      ['apac', '5', '5'],
      ['eu', '1', '1'],
      ['too', 'few'],
    ];
    const out = await g.send(new BatchCreatePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionInputList: batch.map((v) => ({ Values: v })) }));
    expect(out.Errors).toEqual([
      { PartitionValues: ['eu', '1', '1'], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' } },
      { PartitionValues: ['too', 'few'], ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: expect.stringMatching(/number of partition keys/i) } },
    ]);
    const got = await g.send(new GetPartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionValues: ['eu', '1', '1'] }));
    expect(got.Partition).toMatchObject({ Values: ['eu', '1', '1'], DatabaseName: 'raw_events', TableName: 'sales', CatalogId: LAKE, StorageDescriptor: { Location: 's3://bucket/sales/eu/1/' } });
    await expect(g.send(new GetPartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionValues: ['eu', '9', '9'] }))).rejects.toMatchObject({
      name: 'EntityNotFoundException',
      message: 'Cannot find partition.',
    });
  });

  it.each([
    ["region = 'eu'", ['eu/1/1', 'eu/10/10', 'eu/2/2']],
    ["region <> 'eu'", ['apac/5/5', 'us/12/12', 'us/3/3']],
    // An int key compares as a number, a string key as text ('10' < '3').
    ['month > 3', ['apac/5/5', 'eu/10/10', 'us/12/12']],
    ["label > '3'", ['apac/5/5']],
    ["region = 'eu' AND month >= 2", ['eu/10/10', 'eu/2/2']],
    ["region = 'us' OR month = 1", ['eu/1/1', 'us/12/12', 'us/3/3']],
    ["region IN ('us', 'apac')", ['apac/5/5', 'us/12/12', 'us/3/3']],
    ['month BETWEEN 2 AND 5', ['apac/5/5', 'eu/2/2', 'us/3/3']],
    ["region LIKE 'e%'", ['eu/1/1', 'eu/10/10', 'eu/2/2']],
    ["NOT (region = 'eu') AND label NOT IN ('12')", ['apac/5/5', 'us/3/3']],
  ])('GetPartitions with %s', async (expression, expected) => {
    const out = await glue(admins[LAKE]!).send(new GetPartitionsCommand({ DatabaseName: 'raw_events', TableName: 'sales', Expression: expression }));
    expect(values(out.Partitions).sort()).toEqual(expected);
  });

  it('refuses an expression on a column that is not a partition key, and pages GetPartitions', async () => {
    const g = glue(admins[LAKE]!);
    await expect(g.send(new GetPartitionsCommand({ DatabaseName: 'raw_events', TableName: 'sales', Expression: "payload = 'x'" }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await g.send(new GetPartitionsCommand({ DatabaseName: 'raw_events', TableName: 'sales', MaxResults: 2, NextToken: token }));
      seen.push(...values(out.Partitions));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(seen.sort()).toEqual(['apac/5/5', 'eu/1/1', 'eu/10/10', 'eu/2/2', 'us/12/12', 'us/3/3']);
    expect(pages).toBe(3);
  });

  it('gets partitions in a batch and deletes them one by one or in a batch', async () => {
    const g = glue(admins[LAKE]!);
    const got = await g.send(new BatchGetPartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionsToGet: [{ Values: ['eu', '1', '1'] }, { Values: ['us', '3', '3'] }, { Values: ['xx', '0', '0'] }] }));
    expect(values(got.Partitions).sort()).toEqual(['eu/1/1', 'us/3/3']);
    await g.send(new DeletePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionValues: ['eu', '1', '1'] }));
    await expect(g.send(new DeletePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionValues: ['eu', '1', '1'] }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    const del = await g.send(new BatchDeletePartitionCommand({ DatabaseName: 'raw_events', TableName: 'sales', PartitionsToDelete: [{ Values: ['us', '3', '3'] }, { Values: ['eu', '1', '1'] }] }));
    expect(del.Errors).toEqual([{ PartitionValues: ['eu', '1', '1'], ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Cannot find partition.' } }]);
    const left = await g.send(new GetPartitionsCommand({ DatabaseName: 'raw_events', TableName: 'sales' }));
    expect(values(left.Partitions).sort()).toEqual(['apac/5/5', 'eu/10/10', 'eu/2/2', 'us/12/12']);
  });
});

describe('resource links', () => {
  it('a database link carries TargetDatabase and takes no tables; a table link returns the link shape', async () => {
    const g = glue(admins[LAKE]!);
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'events_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'raw_events' } } }));
    const db = await g.send(new GetDatabaseCommand({ Name: 'events_link' }));
    expect(db.Database).toMatchObject({ Name: 'events_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'raw_events' } });
    await expect(g.send(new CreateTableCommand({ DatabaseName: 'events_link', TableInput: { Name: 't' } }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'links' } }));
    await g.send(new CreateTableCommand({ DatabaseName: 'links', TableInput: { Name: 'clicks_link', TargetTable: { CatalogId: LAKE, DatabaseName: 'raw_events', Name: 'clicks' } } }));
    const { Table: link } = await g.send(new GetTableCommand({ DatabaseName: 'links', Name: 'clicks_link' }));
    expect(link).toMatchObject({ Name: 'clicks_link', DatabaseName: 'links', TargetTable: { CatalogId: LAKE, DatabaseName: 'raw_events', Name: 'clicks' } });
    expect(link?.StorageDescriptor).toBeUndefined();
    expect(link?.TableType).toBeUndefined();
  });
});

describe('SearchTables', () => {
  const names = (ts: Table[] | undefined) => (ts ?? []).map((t) => `${t.DatabaseName}.${t.Name}`);

  it('searches text, filters by property and sorts', async () => {
    const g = glue(admins[LAKE]!);
    expect(names((await g.send(new SearchTablesCommand({ SearchText: 'orders' }))).TableList)).toEqual(['raw_events.orders_2023', 'raw_events.orders_2024']);
    // Column comments are searched too.
    expect(names((await g.send(new SearchTablesCommand({ SearchText: 'raw event body' }))).TableList)).toEqual(['raw_events.clicks', 'raw_events.sales']);
    const parquet = await g.send(new SearchTablesCommand({ Filters: [{ Key: 'classification', Value: 'parquet' }] }));
    expect(names(parquet.TableList)).toEqual(['raw_events.clicks']);
    // Name filters match whole tokens: "2024" is a token of orders_2024, "order" is not a token of either.
    expect(names((await g.send(new SearchTablesCommand({ Filters: [{ Key: 'Name', Value: '2024' }] }))).TableList)).toEqual(['raw_events.orders_2024']);
    expect((await g.send(new SearchTablesCommand({ Filters: [{ Key: 'Name', Value: 'order' }] }))).TableList).toEqual([]);
    const desc = await g.send(new SearchTablesCommand({ SearchText: 'orders', SortCriteria: [{ FieldName: 'Name', Sort: 'DESC' }] }));
    expect(names(desc.TableList)).toEqual(['raw_events.orders_2024', 'raw_events.orders_2023']);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await g.send(new SearchTablesCommand({ Filters: [{ Key: 'CreateTime', Value: future, Comparator: 'GREATER_THAN' }] }))).TableList).toEqual([]);
    expect((await g.send(new SearchTablesCommand({ SearchText: 'orders', Filters: [{ Key: 'CreateTime', Value: future, Comparator: 'LESS_THAN' }] }))).TableList).toHaveLength(2);
  });

  it('pages its results', async () => {
    const g = glue(admins[LAKE]!);
    const all = names((await g.send(new SearchTablesCommand({}))).TableList);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await g.send(new SearchTablesCommand({ MaxResults: 2, NextToken: token }));
      expect(out.TableList!.length).toBeLessThanOrEqual(2);
      seen.push(...names(out.TableList));
      token = out.NextToken;
    } while (token);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(3);
  });

  it('shows only the tables Lake Formation lets the caller describe', async () => {
    const g = glue(admins[LAKE]!);
    // A database whose new tables get no IAM_ALLOWED_PRINCIPALS grant: only their creator (and grantees) see them.
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'governed', CreateTableDefaultPermissions: [] } }));
    await g.send(new CreateTableCommand({ DatabaseName: 'governed', TableInput: { Name: 'secret_orders', StorageDescriptor: { Columns: columns } } }));
    expect(names((await g.send(new SearchTablesCommand({ SearchText: 'secret' }))).TableList)).toEqual(['governed.secret_orders']);
    const steward = glue(lakeAdmin);
    expect((await steward.send(new SearchTablesCommand({ SearchText: 'secret' }))).TableList).toEqual([]);
    await expect(steward.send(new GetTableCommand({ DatabaseName: 'governed', Name: 'secret_orders' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await lf(admins[LAKE]!).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }, Resource: { Table: { DatabaseName: 'governed', Name: 'secret_orders' } }, Permissions: ['DESCRIBE'] }),
    );
    expect(names((await steward.send(new SearchTablesCommand({ SearchText: 'secret' }))).TableList)).toEqual(['governed.secret_orders']);
  });
});

describe('the catalog resource policy', () => {
  const policy = (account: string, actions: string[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: actions, Resource: `arn:aws:glue:us-east-1:${LAKE}:*` }] });

  it('puts, gets and deletes with PolicyExistsCondition and PolicyHashCondition', async () => {
    const g = glue(admins[LAKE]!);
    await expect(g.send(new GetResourcePolicyCommand({}))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(g.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase']), PolicyExistsCondition: 'MUST_EXIST' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(g.send(new PutResourcePolicyCommand({ PolicyInJson: '{"Statement":"nope"' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    const first = await g.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase']), PolicyExistsCondition: 'NOT_EXIST' }));
    expect(first.PolicyHash).toBeTruthy();
    await expect(g.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase']), PolicyExistsCondition: 'NOT_EXIST' }))).rejects.toMatchObject({ name: 'ConditionCheckFailureException' });
    const got = await g.send(new GetResourcePolicyCommand({}));
    expect(got.PolicyHash).toBe(first.PolicyHash);
    expect(JSON.parse(got.PolicyInJson!)).toEqual(JSON.parse(policy(DS1, ['glue:GetDatabase'])));
    await expect(g.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase', 'glue:GetTable']), PolicyHashCondition: 'stale' }))).rejects.toMatchObject({ name: 'ConditionCheckFailureException' });
    const second = await g.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase', 'glue:GetTable']), PolicyHashCondition: first.PolicyHash, PolicyExistsCondition: 'MUST_EXIST' }));
    expect(second.PolicyHash).not.toBe(first.PolicyHash);
    await expect(g.send(new DeleteResourcePolicyCommand({ PolicyHashCondition: first.PolicyHash }))).rejects.toMatchObject({ name: 'ConditionCheckFailureException' });
    await g.send(new DeleteResourcePolicyCommand({ PolicyHashCondition: second.PolicyHash }));
    await expect(g.send(new GetResourcePolicyCommand({}))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(g.send(new DeleteResourcePolicyCommand({}))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('decides cross-account reads together with Lake Formation', async () => {
    const owner = glue(admins[LAKE]!);
    const other = glue(admins[DS1]!);
    const read = () => other.send(new GetTableCommand({ CatalogId: LAKE, DatabaseName: 'raw_events', Name: 'clicks' }));
    // No policy: IAM denies the other account (its own admin policy is not enough across accounts).
    await expect(read()).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/glue:GetTable/) });
    // The policy allows; the table keeps its IAM_ALLOWED_PRINCIPALS grant, so IAM alone decides.
    await owner.send(new PutResourcePolicyCommand({ PolicyInJson: policy(DS1, ['glue:GetDatabase', 'glue:GetTable']) }));
    expect((await read()).Table).toMatchObject({ Name: 'clicks', CatalogId: LAKE });
    // An action the policy does not name stays denied.
    await expect(other.send(new GetPartitionsCommand({ CatalogId: LAKE, DatabaseName: 'raw_events', TableName: 'sales' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // A table under Lake Formation (no IAM_ALLOWED_PRINCIPALS grant, nothing granted to the account): denied anyway.
    await expect(other.send(new GetTableCommand({ CatalogId: LAKE, DatabaseName: 'governed', Name: 'secret_orders' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await owner.send(new DeleteResourcePolicyCommand({}));
    await expect(read()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
