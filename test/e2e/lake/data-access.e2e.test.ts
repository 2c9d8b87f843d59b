/**
 * Lake Formation's credential vending with the JS SDK: GetTemporaryGlueTableCredentials and
 * GetTemporaryDataLocationCredentials return a session of the location's registered (service-linked) role that
 * reads the table's files and nothing outside the location, only for a caller with the Lake Formation permission
 * and `lakeformation:GetDataAccess` in IAM.
 */
import { CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetTemporaryDataLocationCredentialsCommand, GetTemporaryGlueTableCredentialsCommand, GrantPermissionsCommand, LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED, LAKE, createDatabaseWithTables, makeLakeAdmins, putCustomersParquet, registerCurated, role } from '../support/lake.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const REGION = 'us-east-1';
const ANALYST = role(LAKE, 'OrganizationAccountAccessRole');
const tableArn = (t: string) => `arn:aws:glue:${REGION}:${LAKE}:table/vend/${t}`;

let server: TestServer;
let lakeAdmin: Creds;
let platform: Creds;
let analyst: Creds;

const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
const s3 = (c: Creds) => new S3Client({ ...clientConfig(server.url, c), forcePathStyle: true });
const vended = (out: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }): Creds => ({ accessKeyId: out.AccessKeyId!, secretAccessKey: out.SecretAccessKey!, sessionToken: out.SessionToken! });
const read = async (c: Creds, key: string) => (await s3(c).send(new GetObjectCommand({ Bucket: CURATED, Key: key }))).Body!.transformToByteArray();

beforeAll(async () => {
  server = await startTestServer();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  analyst = await assumeRole(server.url, platform, ANALYST);
  await makeLakeAdmins(server.url, analyst, [role(LAKE, 'LakeAdmin')]);
  await putCustomersParquet(server.url, lakeAdmin, 'vend/customers/part-0.parquet');
  const admin = s3(lakeAdmin);
  // Outside the table's location: a sibling prefix sharing its name's start, and another prefix of the bucket.
  await admin.send(new PutObjectCommand({ Bucket: CURATED, Key: 'vend/customers_private/ssn.csv', Body: 'secret' }));
  await admin.send(new PutObjectCommand({ Bucket: CURATED, Key: 'elsewhere/secret.csv', Body: 'secret' }));
  await registerCurated(server.url, lakeAdmin, 'vend');
  await createDatabaseWithTables(server.url, lakeAdmin, 'vend', []);
  const glue = new GlueClient(clientConfig(server.url, lakeAdmin));
  const columns = [
    { Name: 'id', Type: 'bigint' },
    { Name: 'ssn', Type: 'string' },
  ];
  for (const [name, location] of [
    ['customers', `s3://${CURATED}/vend/customers/`],
    ['customers_cols', `s3://${CURATED}/vend/customers/`],
    ['unregistered', `s3://${CURATED}/elsewhere/`],
  ] as const) {
    await glue.send(new CreateTableCommand({ DatabaseName: 'vend', TableInput: { Name: name, TableType: 'EXTERNAL_TABLE', StorageDescriptor: { Columns: columns, Location: location } } }));
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('GetTemporaryGlueTableCredentials', () => {
  it('is refused without SELECT on the table', async () => {
    await expect(lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['SELECT'] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Nor with INSERT, which only the table's creator (ALL) holds.
    await expect(lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['INSERT'] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(lf(lakeAdmin).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['INSERT'] }))).resolves.toMatchObject({ AccessKeyId: expect.stringMatching(/^ASIA/) });
  });

  it('vends credentials that read the table files and nothing outside its location', async () => {
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { Table: { DatabaseName: 'vend', Name: 'customers' } }, Permissions: ['SELECT'] }));
    const out = await lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['SELECT'], DurationSeconds: 900 }));
    expect(out.AccessKeyId).toMatch(/^ASIA/);
    expect(out.VendedS3Path).toEqual([`s3://${CURATED}/vend/customers`]);
    expect(out.Expiration!.getTime() - Date.now()).toBeGreaterThan(800_000);
    expect(out.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    const creds = vended(out);
    expect((await read(creds, 'vend/customers/part-0.parquet')).length).toBeGreaterThan(0);
    const listed = await s3(creds).send(new ListObjectsV2Command({ Bucket: CURATED, Prefix: 'vend/customers/' }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(['vend/customers/part-0.parquet']);
    await expect(read(creds, 'vend/customers_private/ssn.csv')).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(read(creds, 'elsewhere/secret.csv')).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3(creds).send(new ListObjectsV2Command({ Bucket: CURATED, Prefix: 'elsewhere/' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3(creds).send(new PutObjectCommand({ Bucket: CURATED, Key: 'vend/customers/evil.parquet', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // The caller's credentials are the vended session of Lake Formation's service-linked role.
    const ident = await s3(creds).send(new GetObjectCommand({ Bucket: CURATED, Key: 'vend/customers/part-0.parquet' }));
    expect(ident.$metadata.httpStatusCode).toBe(200);
  });

  it('needs lakeformation:GetDataAccess (and the operation) in IAM', async () => {
    const only = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
    const noDataAccess = await assumeRole(server.url, platform, ANALYST, { Policy: only(['lakeformation:GetTemporaryGlueTableCredentials']) });
    await expect(lf(noDataAccess).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['SELECT'] }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('lakeformation:GetDataAccess'),
    });
    const both = await assumeRole(server.url, platform, ANALYST, { Policy: only(['lakeformation:GetTemporaryGlueTableCredentials', 'lakeformation:GetDataAccess']) });
    await expect(lf(both).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers'), Permissions: ['SELECT'] }))).resolves.toMatchObject({ AccessKeyId: expect.stringMatching(/^ASIA/) });
  });

  it('a column grant needs an engine that supports COLUMN_PERMISSION', async () => {
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { TableWithColumns: { DatabaseName: 'vend', Name: 'customers_cols', ColumnNames: ['id'] } }, Permissions: ['SELECT'] }),
    );
    await expect(lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers_cols'), Permissions: ['SELECT'] }))).rejects.toMatchObject({ name: 'PermissionTypeMismatchException' });
    const out = await lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('customers_cols'), Permissions: ['SELECT'], SupportedPermissionTypes: ['COLUMN_PERMISSION'] }));
    expect((await read(vended(out), 'vend/customers/part-0.parquet')).length).toBeGreaterThan(0);
  });

  it('refuses a table whose location is not registered, and an unknown table', async () => {
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { Table: { DatabaseName: 'vend', Name: 'unregistered' } }, Permissions: ['SELECT'] }));
    await expect(lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('unregistered'), Permissions: ['SELECT'] }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(lf(analyst).send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn('missing'), Permissions: ['SELECT'] }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });
});

describe('GetTemporaryDataLocationCredentials', () => {
  it('needs DATA_LOCATION_ACCESS, and READ credentials read but never write', async () => {
    const location = `s3://${CURATED}/vend/customers`;
    await expect(lf(analyst).send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [location] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: ANALYST }, Resource: { DataLocation: { ResourceArn: `arn:aws:s3:::${CURATED}/vend` } }, Permissions: ['DATA_LOCATION_ACCESS'] }));
    const out = await lf(analyst).send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [location], CredentialsScope: 'READ' }));
    expect(out.AccessibleDataLocations).toEqual([`s3://${CURATED}/vend/customers`]);
    const creds = vended(out.Credentials!);
    expect((await read(creds, 'vend/customers/part-0.parquet')).length).toBeGreaterThan(0);
    await expect(read(creds, 'elsewhere/secret.csv')).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3(creds).send(new PutObjectCommand({ Bucket: CURATED, Key: 'vend/customers/x.csv', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const rw = vended((await lf(analyst).send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [location], CredentialsScope: 'READWRITE' }))).Credentials!);
    await s3(rw).send(new PutObjectCommand({ Bucket: CURATED, Key: 'vend/customers/x.csv', Body: 'x' }));
    await expect(lf(analyst).send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [`s3://${CURATED}/elsewhere`] }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});
