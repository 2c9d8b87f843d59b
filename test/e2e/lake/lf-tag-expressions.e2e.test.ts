/**
 * Named LF-Tag expressions with the JS SDK (and the AWS CLI): the lake admin saves an expression, grants an
 * LF-Tag policy by its name, and Athena and Glue follow the saved body, also after it changes; grants on the
 * `LFTagExpression` resource decide who may read, alter or drop it. Across accounts RAM follows the grants: a retag
 * removes the table the policy no longer reaches from the share, and revoking the account's last grant removes the
 * share, after which the consumer's queries fail.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand, GetTableCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import {
  AddLFTagsToResourceCommand,
  CreateLFTagCommand,
  CreateLFTagExpressionCommand,
  DeleteLFTagExpressionCommand,
  GetLFTagExpressionCommand,
  GrantPermissionsCommand,
  ListLFTagExpressionsCommand,
  ListPermissionsCommand,
  RemoveLFTagsFromResourceCommand,
  RevokePermissionsCommand,
  UpdateLFTagExpressionCommand,
  type Permission,
} from '@aws-sdk/client-lakeformation';
import { GetResourceSharesCommand, ListResourcesCommand } from '@aws-sdk/client-ram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import {
  LAKE,
  acceptInvitations,
  athenaQuery,
  createDatabaseWithTables,
  glueClient,
  lfClient,
  makeLakeAdmins,
  parquetTable,
  putCustomersParquet,
  ramClient,
  registerCurated,
  resultsBucket,
  role,
  CURATED,
} from '../support/lake.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds, credentialsEnv } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
/** The data-lake account's platform role: full IAM rights, but not a data lake admin. */
const ANALYST = role(LAKE, 'OrganizationAccountAccessRole');
const TABLE_ARN = (t: string) => `arn:aws:glue:us-east-1:${LAKE}:table/named/${t}`;

let server: TestServer;
let lakeAdmin: Creds;
let analyst: Creds;
let ds1Admin: Creds;
let scientist: Creds;

const lf = (c: Creds) => lfClient(server.url, c);
const query = (c: Creds, account: string, sql: string) => athenaQuery(server.url, c, sql, `s3://${resultsBucket(account)}/named/`);
const byName = (name: string) => ({ LFTagPolicy: { ResourceType: 'TABLE' as const, ExpressionName: name } });
const domain = (...values: string[]) => [{ TagKey: 'domain', TagValues: values }];

beforeAll(async () => {
  server = await startTestServer();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  analyst = await assumeRole(server.url, platform, ANALYST);
  ds1Admin = await assumeRole(server.url, platform, role(DS1, 'OrganizationAccountAccessRole'));
  scientist = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
  await makeLakeAdmins(server.url, analyst, [role(LAKE, 'LakeAdmin')]);
  await makeLakeAdmins(server.url, ds1Admin, [role(DS1, 'OrganizationAccountAccessRole')]);
  await putCustomersParquet(server.url, lakeAdmin, 'named/customers/part-0.parquet');
  await registerCurated(server.url, lakeAdmin, 'named');
  const location = `s3://${CURATED}/named/customers/`;
  await createDatabaseWithTables(server.url, lakeAdmin, 'named', [parquetTable('customers', location), parquetTable('orders', location)]);
  await lf(lakeAdmin).send(new CreateLFTagCommand({ TagKey: 'domain', TagValues: ['sales', 'finance'] }));
  await lf(lakeAdmin).send(new AddLFTagsToResourceCommand({ Resource: { Table: { DatabaseName: 'named', Name: 'customers' } }, LFTags: domain('sales') }));
  await lf(lakeAdmin).send(new AddLFTagsToResourceCommand({ Resource: { Table: { DatabaseName: 'named', Name: 'orders' } }, LFTags: domain('finance') }));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('named LF-Tag expressions', () => {
  it('a data lake admin saves one; others may not; names, keys and values are checked', async () => {
    await expect(lf(analyst).send(new CreateLFTagExpressionCommand({ Name: 'sales_data', Expression: domain('sales') }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'Insufficient Lake Formation permission(s): Required Create LF-Tag Expression on Catalog',
    });
    await lf(lakeAdmin).send(new CreateLFTagExpressionCommand({ Name: 'sales_data', Description: 'the sales domain', Expression: domain('sales') }));
    await expect(lf(lakeAdmin).send(new CreateLFTagExpressionCommand({ Name: 'sales_data', Expression: domain('sales') }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(lf(lakeAdmin).send(new CreateLFTagExpressionCommand({ Name: 'nope', Expression: [{ TagKey: 'nope', TagValues: ['x'] }] }))).rejects.toMatchObject({
      name: 'EntityNotFoundException',
      message: 'Tag key does not exist',
    });
    await expect(lf(lakeAdmin).send(new CreateLFTagExpressionCommand({ Name: 'nope', Expression: domain('hr') }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    const got = await lf(lakeAdmin).send(new GetLFTagExpressionCommand({ Name: 'sales_data' }));
    expect(got).toMatchObject({ Name: 'sales_data', Description: 'the sales domain', CatalogId: LAKE, Expression: [{ TagKey: 'domain', TagValues: ['sales'] }] });
    await expect(lf(lakeAdmin).send(new GetLFTagExpressionCommand({ Name: 'missing' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    expect((await lf(lakeAdmin).send(new ListLFTagExpressionsCommand({}))).LFTagExpressions!.map((e) => e.Name)).toEqual(['sales_data']);
    // Someone with no permission on it neither lists nor reads it.
    expect((await lf(analyst).send(new ListLFTagExpressionsCommand({}))).LFTagExpressions).toEqual([]);
    await expect(lf(analyst).send(new GetLFTagExpressionCommand({ Name: 'sales_data' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('an LF-Tag policy granted by expression name reads the tables the saved expression matches, in Athena and in Glue', async () => {
    await expect(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: byName('missing'), Permissions: ['SELECT'] }))).rejects.toMatchObject({
      name: 'EntityNotFoundException',
    });
    await expect(
      lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { LFTagPolicy: { ResourceType: 'TABLE', ExpressionName: 'sales_data', Expression: domain('sales') } }, Permissions: ['SELECT'] })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
    expect((await query(analyst, LAKE, 'SELECT count(*) FROM named.customers')).execution.Status?.State).toBe('FAILED');
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: byName('sales_data'), Permissions: ['SELECT', 'DESCRIBE'] }));
    const customers = await query(analyst, LAKE, 'SELECT count(*) FROM named.customers');
    expect(customers.execution.Status?.StateChangeReason).toBeUndefined();
    expect(customers.rows.slice(1)).toEqual([['4']]);
    expect((await query(analyst, LAKE, 'SELECT count(*) FROM named.orders')).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    expect((await glueClient(server.url, analyst).send(new GetTablesCommand({ DatabaseName: 'named' }))).TableList!.map((t) => t.Name)).toEqual(['customers']);
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, ResourceType: 'LF_TAG_POLICY_TABLE' }));
    expect(listed.PrincipalResourcePermissions!.map((p) => p.Resource?.LFTagPolicy)).toEqual([{ CatalogId: LAKE, ResourceType: 'TABLE', ExpressionName: 'sales_data' }]);
  });

  it('updating the saved expression changes what every grant made with its name reaches', async () => {
    await lf(lakeAdmin).send(new UpdateLFTagExpressionCommand({ Name: 'sales_data', Expression: domain('finance') }));
    expect((await lf(lakeAdmin).send(new GetLFTagExpressionCommand({ Name: 'sales_data' }))).Expression).toEqual(domain('finance'));
    expect((await query(analyst, LAKE, 'SELECT count(*) FROM named.orders')).execution.Status?.StateChangeReason).toBeUndefined();
    expect((await query(analyst, LAKE, 'SELECT count(*) FROM named.customers')).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    await expect(glueClient(server.url, analyst).send(new GetTableCommand({ DatabaseName: 'named', Name: 'customers' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(lf(lakeAdmin).send(new UpdateLFTagExpressionCommand({ Name: 'missing', Expression: domain('sales') }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('grants on the LFTagExpression resource decide who describes, alters and drops it', async () => {
    const expression = { LFTagExpression: { Name: 'sales_data' } };
    await expect(lf(analyst).send(new UpdateLFTagExpressionCommand({ Name: 'sales_data', Expression: domain('sales', 'finance') }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'Insufficient Lake Formation permission(s): Required Alter on sales_data',
    });
    await expect(lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: expression, Permissions: ['SELECT'] }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: expression, Permissions: ['DESCRIBE', 'ALTER'] }));
    expect((await lf(analyst).send(new GetLFTagExpressionCommand({ Name: 'sales_data' }))).Expression).toEqual(domain('finance'));
    expect((await lf(analyst).send(new ListLFTagExpressionsCommand({}))).LFTagExpressions!.map((e) => e.Name)).toEqual(['sales_data']);
    await lf(analyst).send(new UpdateLFTagExpressionCommand({ Name: 'sales_data', Expression: domain('sales', 'finance') }));
    await expect(lf(analyst).send(new DeleteLFTagExpressionCommand({ Name: 'sales_data' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const listed = await lf(lakeAdmin).send(new ListPermissionsCommand({ ResourceType: 'LF_NAMED_TAG_EXPRESSION' }));
    expect(listed.PrincipalResourcePermissions!.map((p) => [p.Principal?.DataLakePrincipalIdentifier, p.Resource?.LFTagExpression, p.Permissions])).toEqual([
      [ANALYST, { CatalogId: LAKE, Name: 'sales_data' }, ['DESCRIBE', 'ALTER']],
    ]);
  });

  it('granted to another account, RAM carries what it reaches; a retag and the last revoke take it back', async () => {
    const grant = { Principal: { DataLakePrincipalIdentifier: DS1 }, Resource: byName('sales_data'), Permissions: ['SELECT', 'DESCRIBE'] as Permission[] };
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ ...grant, PermissionsWithGrantOption: ['SELECT', 'DESCRIBE'] }));
    const owner = ramClient(server.url, analyst);
    const lfShare = async () => (await owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareStatus: 'ACTIVE' }))).resourceShares!.find((s) => s.name?.startsWith('LakeFormation-V3-'));
    const share = await lfShare();
    expect(share).toBeDefined();
    const shared = async () => (await owner.send(new ListResourcesCommand({ resourceOwner: 'SELF', resourceShareArns: [share!.resourceShareArn!] }))).resources!.map((r) => r.arn).sort();
    expect(await shared()).toEqual([TABLE_ARN('customers'), TABLE_ARN('orders')]);
    const perms = await lf(lakeAdmin).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS1 } }));
    expect(perms.PrincipalResourcePermissions!.map((p) => p.AdditionalDetails?.ResourceShare)).toEqual([[share!.resourceShareArn]]);

    // The consumer accepts, links both tables and grants its scientist within what the owner shared.
    await acceptInvitations(server.url, ds1Admin);
    const glue = glueClient(server.url, ds1Admin);
    await createDatabaseWithTables(server.url, ds1Admin, 'lake', []);
    const scientistId = { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') };
    for (const t of ['customers', 'orders']) {
      await glue.send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: t, TargetTable: { CatalogId: LAKE, DatabaseName: 'named', Name: t } } }));
      await lf(ds1Admin).send(new GrantPermissionsCommand({ Principal: scientistId, Resource: { Table: { DatabaseName: 'lake', Name: t } }, Permissions: ['DESCRIBE'] }));
    }
    // The consumer grants customers by name, and orders by the owner's saved expression.
    await lf(ds1Admin).send(new GrantPermissionsCommand({ Principal: scientistId, Resource: { Table: { CatalogId: LAKE, DatabaseName: 'named', Name: 'customers' } }, Permissions: ['SELECT'] }));
    expect((await query(scientist, DS1, 'SELECT count(*) FROM lake.orders')).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    await lf(ds1Admin).send(new GrantPermissionsCommand({ Principal: scientistId, Resource: { LFTagPolicy: { CatalogId: LAKE, ResourceType: 'TABLE', ExpressionName: 'sales_data' } }, Permissions: ['SELECT'] }));
    for (const t of ['customers', 'orders']) expect((await query(scientist, DS1, `SELECT count(*) FROM lake.${t}`)).execution.Status?.StateChangeReason).toBeUndefined();

    // Orders loses its tag: the expression no longer reaches it, RAM drops it, and the consumer can no longer read it.
    await lf(lakeAdmin).send(new RemoveLFTagsFromResourceCommand({ Resource: { Table: { DatabaseName: 'named', Name: 'orders' } }, LFTags: domain('finance') }));
    expect(await shared()).toEqual([TABLE_ARN('customers')]);
    expect((await query(scientist, DS1, 'SELECT count(*) FROM lake.orders')).execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
    expect((await query(scientist, DS1, 'SELECT count(*) FROM lake.customers')).execution.Status?.StateChangeReason).toBeUndefined();

    // The account's last grant goes: so does the share, and the consumer sees nothing of the owner's any more.
    await lf(lakeAdmin).send(new RevokePermissionsCommand(grant));
    expect(await lfShare()).toBeUndefined();
    expect((await ramClient(server.url, ds1Admin).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resources).toEqual([]);
    const after = await query(scientist, DS1, 'SELECT count(*) FROM lake.customers');
    expect(after.execution.Status?.State).toBe('FAILED');
    expect(after.execution.Status?.StateChangeReason).toMatch(/TABLE_NOT_FOUND/);
  });

  it.skipIf(!hasBoto3)('boto3: the analyst reads and lists the expression it may describe, and is refused what it may not do', async () => {
    const r = await run(python, [join(dirname(fileURLToPath(import.meta.url)), 'lf_tag_expressions_boto3.py')], {
      MLZONE_URL: server.url,
      ...credentialsEnv(analyst),
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      get: { Name: 'sales_data', CatalogId: LAKE, Expression: domain('finance', 'sales') },
      listed: ['sales_data'],
      unknownKey: { code: 'EntityNotFoundException', message: 'Tag key does not exist' },
      drop: { code: 'AccessDeniedException', message: 'Insufficient Lake Formation permission(s): Required Drop on sales_data' },
      create: { code: 'AccessDeniedException', message: 'Insufficient Lake Formation permission(s): Required Create LF-Tag Expression on Catalog' },
    });
  });

  it.skipIf(!hasCommand('aws'))('the AWS CLI lists, reads and deletes an expression; deleting it drops the grants made with it', async () => {
    const cli = cliProfiles(server);
    const aws = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)('aws', ['--profile', 'lake-lakeadmin', '--output', 'json', 'lakeformation', ...args], { env: { ...process.env, ...cli.env } });
      return JSON.parse(stdout || '{}');
    };
    try {
      expect((await aws('list-lf-tag-expressions')).LFTagExpressions).toEqual([{ Name: 'sales_data', Description: 'the sales domain', CatalogId: LAKE, Expression: domain('finance', 'sales') }]);
      await aws('delete-lf-tag-expression', '--name', 'sales_data');
      expect((await aws('list-lf-tag-expressions')).LFTagExpressions).toEqual([]);
      expect((await aws('list-permissions', '--principal', `DataLakePrincipalIdentifier=${ANALYST}`)).PrincipalResourcePermissions).toEqual([]);
    } finally {
      cli.remove();
    }
    expect((await query(analyst, LAKE, 'SELECT count(*) FROM named.customers')).execution.Status?.State).toBe('FAILED');
  });
  it('CREATE_LF_TAG_EXPRESSION on the catalog and GRANT_WITH_LF_TAG_EXPRESSION on the pairs make an expression creator, who may drop its own', async () => {
    const analystId = { DataLakePrincipalIdentifier: ANALYST };
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: analystId, Resource: { Catalog: {} }, Permissions: ['CREATE_LF_TAG_EXPRESSION'] }));
    await expect(lf(analyst).send(new CreateLFTagExpressionCommand({ Name: 'analyst_sales', Expression: domain('sales') }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'Insufficient Lake Formation permission(s): Required Grant With LF-Tag Expression on domain',
    });
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: analystId, Resource: { LFTag: { TagKey: 'domain', TagValues: ['sales'] } }, Permissions: ['GRANT_WITH_LF_TAG_EXPRESSION'] }));
    await lf(analyst).send(new CreateLFTagExpressionCommand({ Name: 'analyst_sales', Expression: domain('sales') }));
    // Its creator reads, grants with and drops it without any grant on it.
    expect((await lf(analyst).send(new GetLFTagExpressionCommand({ Name: 'analyst_sales' }))).Expression).toEqual(domain('sales'));
    await lf(analyst).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }, Resource: { LFTagExpression: { Name: 'analyst_sales' } }, Permissions: ['DESCRIBE'] }));
    await lf(analyst).send(new DeleteLFTagExpressionCommand({ Name: 'analyst_sales' }));
    // (Whether sales_data is still there depends on the AWS CLI test having run.)
    expect((await lf(lakeAdmin).send(new ListLFTagExpressionsCommand({}))).LFTagExpressions!.map((e) => e.Name)).not.toContain('analyst_sales');
    const left = await lf(lakeAdmin).send(new ListPermissionsCommand({ ResourceType: 'LF_NAMED_TAG_EXPRESSION' }));
    expect(left.PrincipalResourcePermissions!.map((p) => p.Resource?.LFTagExpression?.Name)).not.toContain('analyst_sales');
  });
});
