/**
 * Lake Formation governs Glue writes that create, change or drop catalog objects (mlzone issue #11): with a fresh
 * account's defaults IAM_ALLOWED_PRINCIPALS holds CREATE_DATABASE on the catalog and IAM decides; once an admin
 * revokes it only data lake admins and principals granted CREATE_DATABASE create databases. CreateTable needs
 * CREATE_TABLE on the database unless IAM_ALLOWED_PRINCIPALS holds it there; UpdateTable/CreatePartition need ALTER,
 * DeleteTable and DeleteDatabase DROP. IAM is asked first: its denial wins. A refused write leaves nothing behind.
 * Another account writes in a governed catalog only where IAM_ALLOWED_PRINCIPALS lets IAM decide.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  PutResourcePolicyCommand,
  UpdateTableCommand,
  type Column,
} from '@aws-sdk/client-glue';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GrantPermissionsCommand, ListPermissionsCommand, RevokePermissionsCommand, type Resource } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED, LAKE, acceptInvitations, csvTable, glueClient, lfClient, makeLakeAdmins, role } from '../support/lake.js';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds, credentialsEnv } from '../support/sessions.js';

let server: TestServer;
let accountAdmin: Creds;
let lakeAdmin: Creds;
/** A role with AWSGlueConsoleFullAccess that is no data lake admin. */
let writer: Creds;
let WRITER: string;
/** A role with no IAM permission at all. */
let nobody: Creds;
let NOBODY: string;

const CATALOG: Resource = { Catalog: {} };
const IAM_ALLOWED = { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' };
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: { name: string; message: string }) => ({ name: e.name, message: e.message }));
const lfDenied = (message: string) => ({ name: 'AccessDeniedException', message: `Insufficient Lake Formation permission(s): ${message}` });
const table = (name: string, columns?: Column[]) => csvTable(name, `s3://${CURATED}/writes/${name}/`, columns);

async function newRole(name: string, policy?: string): Promise<{ arn: string; creds: Creds }> {
  const iam = new IAMClient(clientConfig(server.url, accountAdmin));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${LAKE}:root` }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  if (policy) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
  const arn = role(LAKE, name);
  return { arn, creds: await assumeRole(server.url, accountAdmin, arn) };
}

const catalogGrants = async () => (await lfClient(server.url, lakeAdmin).send(new ListPermissionsCommand({ Resource: CATALOG }))).PrincipalResourcePermissions!.map((p) => ({ principal: p.Principal!.DataLakePrincipalIdentifier, permissions: p.Permissions }));

beforeAll(async () => {
  server = await startTestServer();
  accountAdmin = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), role(LAKE, 'OrganizationAccountAccessRole'));
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  ({ arn: WRITER, creds: writer } = await newRole(unique('GlueWriter'), 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess'));
  ({ arn: NOBODY, creds: nobody } = await newRole(unique('NoPolicy')));
  // LakeAdmin administers the lake; new databases and tables get no IAM_ALLOWED_PRINCIPALS grant.
  await makeLakeAdmins(server.url, accountAdmin, [role(LAKE, 'LakeAdmin')]);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('Lake Formation governs Glue writes', () => {
  it('by default IAM_ALLOWED_PRINCIPALS holds CREATE_DATABASE on the catalog: IAM alone decides who creates databases', async () => {
    expect(await catalogGrants()).toEqual([{ principal: 'IAM_ALLOWED_PRINCIPALS', permissions: ['CREATE_DATABASE'] }]);
    await glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_default' } }));
    expect((await glueClient(server.url, lakeAdmin).send(new GetDatabaseCommand({ Name: 'w_default' }))).Database?.Name).toBe('w_default');
    // IAM is asked first: a role IAM does not allow is refused in IAM's words.
    expect(await refusal(glueClient(server.url, nobody).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_nobody' } })))).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/is not authorized to perform: glue:CreateDatabase on resource: arn:aws:glue:us-east-1:333333333333:catalog/),
    });
  });

  it('once the admin revokes it, a role with full Glue IAM permissions is refused CreateDatabase and nothing is written', async () => {
    await lfClient(server.url, lakeAdmin).send(new RevokePermissionsCommand({ Principal: IAM_ALLOWED, Resource: CATALOG, Permissions: ['CREATE_DATABASE'] }));
    expect(await catalogGrants()).toEqual([]);
    expect(await refusal(glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_refused' } })))).toEqual(lfDenied('Required Create Database on Catalog'));
    expect(await refusal(glueClient(server.url, lakeAdmin).send(new GetDatabaseCommand({ Name: 'w_refused' })))).toMatchObject({ name: 'EntityNotFoundException' });
    // A database resource link is a database too.
    expect(await refusal(glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'w_default' } } })))).toEqual(
      lfDenied('Required Create Database on Catalog'),
    );
    // A data lake admin always may.
    await glueClient(server.url, lakeAdmin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_admin' } }));
  });

  it.skipIf(!hasBoto3)('boto3: the refusals as botocore reports them', async () => {
    const r = await run(python, [join(dirname(fileURLToPath(import.meta.url)), 'governed_writes_boto3.py')], {
      MLZONE_URL: server.url,
      ...credentialsEnv(writer),
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      create_database: { code: 'AccessDeniedException', message: 'Insufficient Lake Formation permission(s): Required Create Database on Catalog' },
      create_table: { code: 'AccessDeniedException', message: 'Insufficient Lake Formation permission(s): Required Create Table on w_admin' },
    });
  });

  it('a CREATE_DATABASE grant lets the role create databases; the creator holds ALL (grantable) on its database and creates tables there', async () => {
    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: WRITER }, Resource: CATALOG, Permissions: ['CREATE_DATABASE'] }));
    await glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_granted' } }));
    const onDb = (await lfClient(server.url, lakeAdmin).send(new ListPermissionsCommand({ Resource: { Database: { Name: 'w_granted' } } }))).PrincipalResourcePermissions!;
    expect(onDb.map((p) => ({ principal: p.Principal!.DataLakePrincipalIdentifier, permissions: p.Permissions, grantable: p.PermissionsWithGrantOption }))).toEqual([{ principal: WRITER, permissions: ['ALL'], grantable: ['ALL'] }]);
    await glueClient(server.url, writer).send(new CreateTableCommand({ DatabaseName: 'w_granted', TableInput: table('mine') }));
    expect((await glueClient(server.url, writer).send(new GetTableCommand({ DatabaseName: 'w_granted', Name: 'mine' }))).Table?.Name).toBe('mine');
    // The grant does not make IAM's answer: a role IAM does not allow stays refused.
    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: NOBODY }, Resource: CATALOG, Permissions: ['CREATE_DATABASE'] }));
    expect(await refusal(glueClient(server.url, nobody).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_nobody' } })))).toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/not authorized to perform: glue:CreateDatabase/) });
  });

  it('CreateTable in a database Lake Formation governs needs CREATE_TABLE on it; a data lake admin always may', async () => {
    const glue = glueClient(server.url, writer);
    expect(await refusal(glue.send(new CreateTableCommand({ DatabaseName: 'w_admin', TableInput: table('t1') })))).toEqual(lfDenied('Required Create Table on w_admin'));
    expect(await refusal(glueClient(server.url, lakeAdmin).send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 't1' })))).toMatchObject({ name: 'EntityNotFoundException' });
    // A table resource link is created in the database too.
    expect(await refusal(glue.send(new CreateTableCommand({ DatabaseName: 'w_admin', TableInput: { Name: 'link', TargetTable: { CatalogId: LAKE, DatabaseName: 'w_granted', Name: 'mine' } } })))).toEqual(
      lfDenied('Required Create Table on w_admin'),
    );
    // Holding CREATE_DATABASE on the catalog says nothing about tables in others' databases.
    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: WRITER }, Resource: { Database: { Name: 'w_admin' } }, Permissions: ['CREATE_TABLE'] }));
    await glue.send(new CreateTableCommand({ DatabaseName: 'w_admin', TableInput: table('t1') }));
    expect((await glueClient(server.url, lakeAdmin).send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 't1' }))).Table?.Name).toBe('t1');
    // The data lake admin creates a table in the role's database without any grant there.
    await glueClient(server.url, lakeAdmin).send(new CreateTableCommand({ DatabaseName: 'w_granted', TableInput: table('by_admin') }));
  });

  it('UpdateTable and CreatePartition need ALTER on the table, DeleteTable DROP, DeleteDatabase DROP on the database', async () => {
    const glue = glueClient(server.url, writer);
    const admin = glueClient(server.url, lakeAdmin);
    const keyed = { ...table('owned'), PartitionKeys: [{ Name: 'dt', Type: 'string' }] };
    await admin.send(new CreateTableCommand({ DatabaseName: 'w_admin', TableInput: keyed }));
    // The role sees the table through its database grant only after DESCRIBE on it.
    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: WRITER }, Resource: { Table: { DatabaseName: 'w_admin', Name: 'owned' } }, Permissions: ['DESCRIBE'] }));
    const changed = { ...keyed, Description: 'changed' };
    expect(await refusal(glue.send(new UpdateTableCommand({ DatabaseName: 'w_admin', TableInput: changed })))).toEqual(lfDenied('Required Alter on owned'));
    expect(await refusal(glue.send(new CreatePartitionCommand({ DatabaseName: 'w_admin', TableName: 'owned', PartitionInput: { Values: ['2026-12-01'] } })))).toEqual(lfDenied('Required Alter on owned'));
    expect(await refusal(glue.send(new DeleteTableCommand({ DatabaseName: 'w_admin', Name: 'owned' })))).toEqual(lfDenied('Required Drop on owned'));
    expect(await refusal(glue.send(new DeleteDatabaseCommand({ Name: 'w_admin' })))).toEqual(lfDenied('Required Drop on w_admin'));
    const stored = (await admin.send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 'owned' }))).Table!;
    expect(stored.Description).toBeUndefined();
    expect(stored.VersionId).toBe('1');
    expect((await admin.send(new GetDatabaseCommand({ Name: 'w_admin' }))).Database?.Name).toBe('w_admin');

    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: WRITER }, Resource: { Table: { DatabaseName: 'w_admin', Name: 'owned' } }, Permissions: ['ALTER', 'DROP'] }));
    await glue.send(new UpdateTableCommand({ DatabaseName: 'w_admin', TableInput: changed }));
    await glue.send(new CreatePartitionCommand({ DatabaseName: 'w_admin', TableName: 'owned', PartitionInput: { Values: ['2026-12-01'] } }));
    expect((await admin.send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 'owned' }))).Table?.Description).toBe('changed');
    await glue.send(new DeleteTableCommand({ DatabaseName: 'w_admin', Name: 'owned' }));
    expect(await refusal(admin.send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 'owned' })))).toMatchObject({ name: 'EntityNotFoundException' });
    // The creator drops its own database (ALL), tables and all.
    await glue.send(new DeleteDatabaseCommand({ Name: 'w_granted' }));
    expect(await refusal(admin.send(new GetDatabaseCommand({ Name: 'w_granted' })))).toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('another account allowed by the catalog resource policy, even granted CREATE_TABLE through RAM, writes nothing in a governed database', async () => {
    const DS2 = accounts.dataScience2;
    const ds2Admin = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), role(DS2, 'OrganizationAccountAccessRole'));
    await makeLakeAdmins(server.url, ds2Admin, [role(DS2, 'OrganizationAccountAccessRole')]);
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DS2}:root` }, Action: ['glue:CreateTable', 'glue:CreateDatabase'], Resource: `arn:aws:glue:us-east-1:${LAKE}:*` }] };
    await glueClient(server.url, accountAdmin).send(new PutResourcePolicyCommand({ PolicyInJson: JSON.stringify(policy) }));
    await lfClient(server.url, lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { Database: { Name: 'w_admin' } }, Permissions: ['CREATE_TABLE', 'DESCRIBE'] }));
    await acceptInvitations(server.url, ds2Admin);
    const other = glueClient(server.url, ds2Admin);
    expect((await other.send(new GetDatabaseCommand({ CatalogId: LAKE, Name: 'w_admin' }))).Database?.Name).toBe('w_admin');
    expect(await refusal(other.send(new CreateTableCommand({ CatalogId: LAKE, DatabaseName: 'w_admin', TableInput: table('from_ds2') })))).toEqual(lfDenied('Required Create Table on w_admin'));
    expect(await refusal(glueClient(server.url, lakeAdmin).send(new GetTableCommand({ DatabaseName: 'w_admin', Name: 'from_ds2' })))).toMatchObject({ name: 'EntityNotFoundException' });
    expect(await refusal(other.send(new CreateDatabaseCommand({ CatalogId: LAKE, DatabaseInput: { Name: 'from_ds2' } })))).toEqual(lfDenied('Required Create Database on Catalog'));
  });

  it('granting IAM_ALLOWED_PRINCIPALS CREATE_DATABASE back hands the decision to IAM again', async () => {
    const lf = lfClient(server.url, lakeAdmin);
    await lf.send(new RevokePermissionsCommand({ Principal: { DataLakePrincipalIdentifier: WRITER }, Resource: CATALOG, Permissions: ['CREATE_DATABASE'] }));
    expect(await refusal(glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_again' } })))).toEqual(lfDenied('Required Create Database on Catalog'));
    await lf.send(new GrantPermissionsCommand({ Principal: IAM_ALLOWED, Resource: CATALOG, Permissions: ['CREATE_DATABASE'] }));
    await glueClient(server.url, writer).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'w_again' } }));
  });
});
