/**
 * A governed table shared to a data-science account's SageMaker execution role (the bootstrap of
 * test/e2e/lake/governed-lake.e2e.test.ts, reduced to one consumer): the lake admin catalogs `sales.customers`
 * (Parquet, in the LF-registered curated bucket), creates the data-cells filter `eu_no_ssn` (EU rows, every column
 * but `ssn`) and grants it to data-science-1 through RAM; data-science-1's admin accepts, links the table as
 * `lake.customers` and grants its `SageMakerExecution` role DESCRIBE on the link and SELECT on the filter.
 * data-science-2 links the same table but is granted nothing. Jobs then query it as their execution role.
 */
import { CreateDataCellsFilterCommand, GrantPermissionsCommand } from '@aws-sdk/client-lakeformation';
import { CreateTableCommand } from '@aws-sdk/client-glue';
import { CURATED, LAKE, acceptInvitations, createDatabaseWithTables, glueClient, lfClient, makeLakeAdmins, parquetTable, putCustomersParquet, registerCurated, role } from './lake.js';
import { accounts, users, type TestServer } from './server.js';
import { assumeRole, type Creds } from './sessions.js';

export { role } from './lake.js';

export interface SharedLake {
  readonly lakeAdmin: Creds;
  /** OrganizationAccountAccessRole sessions by account. */
  readonly admins: Readonly<Record<string, Creds>>;
}

/** Shares `sales.customers` (EU rows, no ssn) with data-science-1's SageMakerExecution role as `lake.customers`. */
export async function shareCustomersWithJobs(server: TestServer): Promise<SharedLake> {
  const DS1 = accounts.dataScience1;
  const DS2 = accounts.dataScience2;
  const lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  const admins: Record<string, Creds> = {};
  for (const account of [LAKE, DS1, DS2]) admins[account] = await assumeRole(server.url, platform, role(account, 'OrganizationAccountAccessRole'));
  const lf = (c: Creds) => lfClient(server.url, c);

  await makeLakeAdmins(server.url, admins[LAKE]!, [role(LAKE, 'LakeAdmin')]);
  for (const account of [DS1, DS2]) await makeLakeAdmins(server.url, admins[account]!, [role(account, 'OrganizationAccountAccessRole')]);
  await putCustomersParquet(server.url, lakeAdmin, 'sales/customers/part-0.parquet');
  await registerCurated(server.url, lakeAdmin, 'sales');
  await createDatabaseWithTables(server.url, lakeAdmin, 'sales', [parquetTable('customers', `s3://${CURATED}/sales/customers/`)], { LocationUri: `s3://${CURATED}/sales/` });
  await lf(lakeAdmin).send(
    new CreateDataCellsFilterCommand({
      TableData: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn', RowFilter: { FilterExpression: "region = 'EU'" }, ColumnWildcard: { ExcludedColumnNames: ['ssn'] } },
    }),
  );
  const filter = { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn' } };
  await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS1 }, Resource: filter, Permissions: ['SELECT'], PermissionsWithGrantOption: ['SELECT'] }));
  const ds1 = admins[DS1]!;
  await acceptInvitations(server.url, ds1);
  for (const account of [DS1, DS2]) {
    await createDatabaseWithTables(server.url, admins[account]!, 'lake', []);
    await glueClient(server.url, admins[account]!).send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'customers', TargetTable: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' } } }));
  }
  const execution = { DataLakePrincipalIdentifier: role(DS1, 'SageMakerExecution') };
  await lf(ds1).send(new GrantPermissionsCommand({ Principal: execution, Resource: { Table: { DatabaseName: 'lake', Name: 'customers' } }, Permissions: ['DESCRIBE'] }));
  await lf(ds1).send(new GrantPermissionsCommand({ Principal: execution, Resource: filter, Permissions: ['SELECT'] }));
  return { lakeAdmin, admins };
}
