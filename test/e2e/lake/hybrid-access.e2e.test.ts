/**
 * Lake Formation hybrid access mode through the JS SDK, in the data-lake account: a location registered with
 * HybridAccessEnabled keeps serving IAM_ALLOWED_PRINCIPALS to everyone but the principals a data lake admin opts in
 * (CreateLakeFormationOptIn) for a database or table on it; for those, their own grants decide what Glue and Athena
 * show. Deleting the opt-in gives IAM back. On a location registered without hybrid access an opt-in changes nothing.
 * Only data lake admins opt in or out; ListLakeFormationOptIns filters and pages. SQLite, or PostgreSQL with MLZONE_TEST_PG.
 */
import { CreateTableCommand, DeleteTableCommand, GetTableCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateLakeFormationOptInCommand,
  DeleteLakeFormationOptInCommand,
  GrantPermissionsCommand,
  ListLakeFormationOptInsCommand,
  PutDataLakeSettingsCommand,
  RegisterResourceCommand,
  type Resource,
} from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED, LAKE, athenaQuery, createDatabaseWithTables, csvTable, glueClient, lfClient, putCustomersCsv, role } from '../support/lake.js';
import { startOnBackend } from '../support/backend.js';
import { accounts, clientConfig, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

let server: TestServer;
let accountAdmin: Creds;
let lakeAdmin: Creds;
/** Two analysts whose IAM policies let them query the lake; neither is a data lake admin. */
let alice: Creds;
let ALICE: string;
let bob: Creds;
let BOB: string;

const ALL_COLUMNS = ['id', 'name', 'region', 'ssn', 'spend'];
const CUSTOMERS: Resource = { Table: { DatabaseName: 'hybriddb', Name: 'customers' } };
const DATABASE: Resource = { Database: { Name: 'hybriddb' } };
const PLAIN: Resource = { Table: { DatabaseName: 'hybriddb', Name: 'plain_customers' } };
const principal = (arn: string) => ({ DataLakePrincipalIdentifier: arn });
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: { name: string; message: string }) => ({ name: e.name, message: e.message }));

/** The columns of `SELECT *` on `table` as `c` sees them, or the reason the query failed. */
async function selectAll(c: Creds, table: string): Promise<string[] | string> {
  const out = await athenaQuery(server.url, c, `SELECT * FROM hybriddb.${table}`, `s3://mlzone-raw-${LAKE}/hybrid-test/`);
  return out.execution.Status!.State === 'SUCCEEDED' ? out.rows[0]! : out.execution.Status!.StateChangeReason!;
}

/** The columns Glue's GetTable shows `c`, or the error's name. */
async function glueColumns(c: Creds, table: string): Promise<string[] | string> {
  try {
    const t = await glueClient(server.url, c).send(new GetTableCommand({ DatabaseName: 'hybriddb', Name: table }));
    return t.Table!.StorageDescriptor!.Columns!.map((x) => x.Name!);
  } catch (e) {
    return (e as Error).name;
  }
}

async function analyst(name: string): Promise<{ arn: string; creds: Creds }> {
  const iam = new IAMClient(clientConfig(server.url, accountAdmin));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${LAKE}:root` }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['athena:*', 'glue:Get*', 's3:*', 'lakeformation:GetDataAccess'], Resource: '*' }] };
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'query-the-lake', PolicyDocument: JSON.stringify(policy) }));
  const arn = role(LAKE, name);
  return { arn, creds: await assumeRole(server.url, accountAdmin, arn) };
}

beforeAll(async () => {
  server = await startOnBackend();
  accountAdmin = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), role(LAKE, 'OrganizationAccountAccessRole'));
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  // LakeAdmin is the data lake admin; new databases and tables keep AWS's IAM_ALLOWED_PRINCIPALS defaults.
  const iamDefaults = [{ Principal: principal('IAM_ALLOWED_PRINCIPALS'), Permissions: ['ALL' as const] }];
  await lfClient(server.url, accountAdmin).send(
    new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [principal(role(LAKE, 'LakeAdmin'))], CreateDatabaseDefaultPermissions: iamDefaults, CreateTableDefaultPermissions: iamDefaults } }),
  );
  ({ arn: ALICE, creds: alice } = await analyst(unique('Alice')));
  ({ arn: BOB, creds: bob } = await analyst(unique('Bob')));
  await putCustomersCsv(server.url, lakeAdmin, 'hybrid/customers/part-0.csv');
  await putCustomersCsv(server.url, lakeAdmin, 'plain/customers/part-0.csv');
  const lf = lfClient(server.url, lakeAdmin);
  await lf.send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/hybrid`, UseServiceLinkedRole: true, HybridAccessEnabled: true }));
  await lf.send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/plain`, UseServiceLinkedRole: true }));
  await createDatabaseWithTables(server.url, lakeAdmin, 'hybriddb', [csvTable('customers', `s3://${CURATED}/hybrid/customers/`), csvTable('plain_customers', `s3://${CURATED}/plain/customers/`)]);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('hybrid access mode', () => {
  it('before any opt-in, IAM decides for everyone: both analysts see every column through Athena and Glue', async () => {
    for (const c of [alice, bob]) {
      expect(await selectAll(c, 'customers')).toEqual(ALL_COLUMNS);
      expect(await glueColumns(c, 'customers')).toEqual(ALL_COLUMNS);
    }
  });

  it('only a data lake admin opts principals in or out, or lists opt-ins', async () => {
    // An analyst without IAM permission for the actions is refused by IAM first.
    expect(await refusal(lfClient(server.url, alice).send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS })))).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/is not authorized to perform: lakeformation:CreateLakeFormationOptIn/),
    });
    // The account's administrator role may call every action, but is no data lake admin.
    const denied = { name: 'AccessDeniedException', message: expect.stringMatching(/not a data lake administrator/) };
    for (const c of [accountAdmin]) {
      expect(await refusal(lfClient(server.url, c).send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS })))).toEqual(denied);
      expect(await refusal(lfClient(server.url, c).send(new DeleteLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS })))).toEqual(denied);
      expect(await refusal(lfClient(server.url, c).send(new ListLakeFormationOptInsCommand({})))).toEqual(denied);
    }
    expect(await selectAll(alice, 'customers')).toEqual(ALL_COLUMNS);
  });

  it('refuses opt-ins on what does not exist or cannot be opted in, and deleting an opt-in that is not there', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    const create = (Principal: { DataLakePrincipalIdentifier?: string }, Resource: Resource) => refusal(lf.send(new CreateLakeFormationOptInCommand({ Principal, Resource })));
    expect(await create(principal(ALICE), { Table: { DatabaseName: 'hybriddb', Name: 'gone' } })).toEqual({ name: 'EntityNotFoundException', message: 'Table gone not found.' });
    expect(await create(principal(ALICE), { Database: { Name: 'nodb' } })).toEqual({ name: 'EntityNotFoundException', message: 'Database nodb not found.' });
    expect(await create(principal(ALICE), { DataLocation: { ResourceArn: `arn:aws:s3:::${CURATED}/hybrid` } })).toMatchObject({ name: 'InvalidInputException' });
    expect(await create(principal('IAM_ALLOWED_PRINCIPALS'), CUSTOMERS)).toMatchObject({ name: 'InvalidInputException' });
    expect(await refusal(lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS, Condition: { Expression: 'x' } })))).toMatchObject({ name: 'InvalidInputException' });
    expect(await refusal(lf.send(new DeleteLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS })))).toMatchObject({ name: 'EntityNotFoundException' });
    expect((await lf.send(new ListLakeFormationOptInsCommand({}))).LakeFormationOptInsInfoList).toEqual([]);
  });

  it('an opted-in analyst sees only the columns it was granted; the other still sees all through IAM; deleting the opt-in gives IAM back', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    await lf.send(new GrantPermissionsCommand({ Principal: principal(ALICE), Resource: { TableWithColumns: { DatabaseName: 'hybriddb', Name: 'customers', ColumnNames: ['id', 'name', 'region'] } }, Permissions: ['SELECT'] }));
    // A grant alone changes nothing while IAM_ALLOWED_PRINCIPALS applies to her.
    expect(await selectAll(alice, 'customers')).toEqual(ALL_COLUMNS);
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS }));
    expect(await selectAll(alice, 'customers')).toEqual(['id', 'name', 'region']);
    expect(await glueColumns(alice, 'customers')).toEqual(['id', 'name', 'region']);
    const ssn = await athenaQuery(server.url, alice, 'SELECT ssn FROM hybriddb.customers', `s3://mlzone-raw-${LAKE}/hybrid-test/`);
    expect(ssn.execution.Status!.StateChangeReason).toMatch(/COLUMN_NOT_FOUND/);
    expect(await selectAll(bob, 'customers')).toEqual(ALL_COLUMNS);
    expect(await glueColumns(bob, 'customers')).toEqual(ALL_COLUMNS);

    await lf.send(new DeleteLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS }));
    expect(await selectAll(alice, 'customers')).toEqual(ALL_COLUMNS);
    expect(await glueColumns(alice, 'customers')).toEqual(ALL_COLUMNS);
  });

  it('an analyst opted in for the database with no grant sees none of its hybrid tables, until the opt-in is deleted', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(BOB), Resource: DATABASE }));
    expect(await selectAll(bob, 'customers')).toMatch(/TABLE_NOT_FOUND/);
    // Glue's answer to a table Lake Formation hides from the caller.
    expect(await glueColumns(bob, 'customers')).toBe('AccessDeniedException');
    const listed = await glueClient(server.url, bob).send(new GetTablesCommand({ DatabaseName: 'hybriddb' }));
    expect(listed.TableList!.map((t) => t.Name)).toEqual(['plain_customers']);
    expect(await selectAll(alice, 'customers')).toEqual(ALL_COLUMNS);
    await lf.send(new DeleteLakeFormationOptInCommand({ Principal: principal(BOB), Resource: DATABASE }));
    expect(await selectAll(bob, 'customers')).toEqual(ALL_COLUMNS);
  });

  it('on a location registered without hybrid access an opt-in changes nothing: IAM_ALLOWED_PRINCIPALS still decides', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(BOB), Resource: PLAIN }));
    expect(await selectAll(bob, 'plain_customers')).toEqual(ALL_COLUMNS);
    expect(await glueColumns(bob, 'plain_customers')).toEqual(ALL_COLUMNS);
    await lf.send(new DeleteLakeFormationOptInCommand({ Principal: principal(BOB), Resource: PLAIN }));
  });

  it('ListLakeFormationOptIns lists, filters by principal and resource, and pages', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: CUSTOMERS }));
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(BOB), Resource: CUSTOMERS }));
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(BOB), Resource: DATABASE }));
    const all = (await lf.send(new ListLakeFormationOptInsCommand({}))).LakeFormationOptInsInfoList!;
    expect(all).toHaveLength(3);
    expect(all.find((o) => o.Principal?.DataLakePrincipalIdentifier === ALICE)).toMatchObject({
      Resource: { Table: { CatalogId: LAKE, DatabaseName: 'hybriddb', Name: 'customers' } },
      LastUpdatedBy: expect.stringContaining(':assumed-role/LakeAdmin/'),
      LastModified: expect.any(Date),
    });
    const bobs = (await lf.send(new ListLakeFormationOptInsCommand({ Principal: principal(BOB) }))).LakeFormationOptInsInfoList!;
    expect(bobs.map((o) => Object.keys(o.Resource!)[0]).sort()).toEqual(['Database', 'Table']);
    const onTable = (await lf.send(new ListLakeFormationOptInsCommand({ Resource: CUSTOMERS }))).LakeFormationOptInsInfoList!;
    expect(onTable.map((o) => o.Principal!.DataLakePrincipalIdentifier).sort()).toEqual([ALICE, BOB].sort());
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await lf.send(new ListLakeFormationOptInsCommand({ MaxResults: 2, NextToken }));
      expect(page.LakeFormationOptInsInfoList!.length).toBeLessThanOrEqual(2);
      seen.push(...page.LakeFormationOptInsInfoList!.map((o) => JSON.stringify([o.Principal, o.Resource])));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen.sort()).toEqual(all.map((o) => JSON.stringify([o.Principal, o.Resource])).sort());
    expect(await refusal(lf.send(new ListLakeFormationOptInsCommand({ NextToken: 'bogus' })))).toMatchObject({ name: 'InvalidInputException' });
  });

  it('dropping a table drops the opt-ins on it', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    const glue = glueClient(server.url, lakeAdmin);
    await glue.send(new CreateTableCommand({ DatabaseName: 'hybriddb', TableInput: csvTable('short_lived', `s3://${CURATED}/hybrid/short_lived/`) }));
    const resource: Resource = { Table: { DatabaseName: 'hybriddb', Name: 'short_lived' } };
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: principal(ALICE), Resource: resource }));
    expect((await lf.send(new ListLakeFormationOptInsCommand({ Resource: resource }))).LakeFormationOptInsInfoList).toHaveLength(1);
    await glue.send(new DeleteTableCommand({ DatabaseName: 'hybriddb', Name: 'short_lived' }));
    expect((await lf.send(new ListLakeFormationOptInsCommand({ Resource: resource }))).LakeFormationOptInsInfoList).toEqual([]);
    // The opt-ins on the database and its other tables stay.
    expect((await lf.send(new ListLakeFormationOptInsCommand({}))).LakeFormationOptInsInfoList).toHaveLength(3);
  });
});
