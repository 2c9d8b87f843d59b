/**
 * A governed table shared to a data-science account's SageMaker execution role (the bootstrap of
 * test/e2e/lake/governed-lake.e2e.test.ts, reduced to one consumer): the lake admin catalogs `sales.customers`
 * (Parquet, in the LF-registered curated bucket), creates the data-cells filter `eu_no_ssn` (EU rows, every column
 * but `ssn`) and grants it to data-science-1 through RAM; data-science-1's admin accepts, links the table as
 * `lake.customers` and grants its `SageMakerExecution` role DESCRIBE on the link and SELECT on the filter.
 * data-science-2 links the same table but is granted nothing. Jobs then query it as their execution role.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateDataCellsFilterCommand, GrantPermissionsCommand, LakeFormationClient, PutDataLakeSettingsCommand, RegisterResourceCommand } from '@aws-sdk/client-lakeformation';
import { AcceptResourceShareInvitationCommand, GetResourceShareInvitationsCommand, RAMClient } from '@aws-sdk/client-ram';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { writeCustomersParquet } from '../../../src/query/test-support.js';
import { accounts, clientConfig, users, type TestServer } from './server.js';
import { assumeRole, type Creds } from './sessions.js';

export const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

export interface SharedLake {
  readonly lakeAdmin: Creds;
  /** OrganizationAccountAccessRole sessions by account. */
  readonly admins: Readonly<Record<string, Creds>>;
}

/** Shares `sales.customers` (EU rows, no ssn) with data-science-1's SageMakerExecution role as `lake.customers`. */
export async function shareCustomersWithJobs(server: TestServer): Promise<SharedLake> {
  const LAKE = accounts.dataLake;
  const DS1 = accounts.dataScience1;
  const DS2 = accounts.dataScience2;
  const CURATED = `mlzone-curated-${LAKE}`;
  const lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  const admins: Record<string, Creds> = {};
  for (const account of [LAKE, DS1, DS2]) admins[account] = await assumeRole(server.url, platform, role(account, 'OrganizationAccountAccessRole'));
  const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
  const glue = (c: Creds) => new GlueClient(clientConfig(server.url, c));
  const ram = (c: Creds) => new RAMClient(clientConfig(server.url, c));

  await lf(admins[LAKE]!).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }], CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }));
  for (const account of [DS1, DS2]) {
    await lf(admins[account]!).send(
      new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: role(account, 'OrganizationAccountAccessRole') }], CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }),
    );
  }
  const file = join(tmpdir(), `mlzone-lake-share-${process.pid}.parquet`);
  await writeCustomersParquet(file);
  await new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: CURATED, Key: 'sales/customers/part-0.parquet', Body: await readFile(file) }));
  await rm(file, { force: true });
  await lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/sales`, UseServiceLinkedRole: true }));
  await glue(lakeAdmin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales', LocationUri: `s3://${CURATED}/sales/` } }));
  await glue(lakeAdmin).send(
    new CreateTableCommand({
      DatabaseName: 'sales',
      TableInput: {
        Name: 'customers',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet' },
        StorageDescriptor: {
          Columns: [
            { Name: 'id', Type: 'bigint' },
            { Name: 'name', Type: 'string' },
            { Name: 'region', Type: 'string' },
            { Name: 'ssn', Type: 'string' },
            { Name: 'spend', Type: 'double' },
          ],
          Location: `s3://${CURATED}/sales/customers/`,
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    }),
  );
  await lf(lakeAdmin).send(
    new CreateDataCellsFilterCommand({
      TableData: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn', RowFilter: { FilterExpression: "region = 'EU'" }, ColumnWildcard: { ExcludedColumnNames: ['ssn'] } },
    }),
  );
  const filter = { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn' } };
  await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS1 }, Resource: filter, Permissions: ['SELECT'], PermissionsWithGrantOption: ['SELECT'] }));
  const ds1 = admins[DS1]!;
  for (const inv of (await ram(ds1).send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations ?? []) {
    if (inv.status === 'PENDING') await ram(ds1).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
  }
  for (const account of [DS1, DS2]) {
    await glue(admins[account]!).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    await glue(admins[account]!).send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'customers', TargetTable: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' } } }));
  }
  const execution = { DataLakePrincipalIdentifier: role(DS1, 'SageMakerExecution') };
  await lf(ds1).send(new GrantPermissionsCommand({ Principal: execution, Resource: { Table: { DatabaseName: 'lake', Name: 'customers' } }, Permissions: ['DESCRIBE'] }));
  await lf(ds1).send(new GrantPermissionsCommand({ Principal: execution, Resource: filter, Permissions: ['SELECT'] }));
  return { lakeAdmin, admins };
}
