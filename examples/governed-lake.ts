/**
 * The governed data lake across the landing zone, every answer computed by mlzone:
 * 1. the platform team names each account's data lake admins (and turns off IAM-only access for new tables);
 * 2. the data-lake account's LakeAdmin uploads customer data, registers the bucket with Lake Formation and catalogs
 *    a `sales.customers` table (with an `ssn` column) in Glue;
 * 3. it grants data-science-1 the table without `ssn`, and data-science-2 a data-cells filter: EU rows, no `ssn`;
 *    Lake Formation shares both through RAM;
 * 4. each data-science account accepts, creates a resource link `lake.customers` and grants its DataScientist role;
 * 5. the scientists query with Athena: each sees exactly what was granted (results in their own bucket);
 * 6. the test account sees nothing; a revoke takes effect on the next query.
 *
 *   npx tsx examples/governed-lake.ts                       # starts an ephemeral mlzone of its own
 *   npx tsx examples/governed-lake.ts http://127.0.0.1:4566 # or uses a running one (default blueprint, fresh state)
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  CreateDataCellsFilterCommand,
  GrantPermissionsCommand,
  LakeFormationClient,
  PutDataLakeSettingsCommand,
  RegisterResourceCommand,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import { AcceptResourceShareInvitationCommand, GetResourceShareInvitationsCommand, RAMClient } from '@aws-sdk/client-ram';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KEYS, landingZone, REGION, show, step, until, type Creds } from './landing-zone.js';

const [MANAGEMENT, LAKE, DS1, DS2, TEST] = ['111111111111', '333333333333', '444444444444', '555555555555', '666666666666'];
const CURATED = `mlzone-curated-${LAKE}`;
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const COLUMNS = ['id', 'name', 'region', 'ssn', 'spend'];
const ROWS = [
  [1, 'Ana', 'EU', '111-11-1111', 10.5],
  [2, 'Bo', 'US', '222-22-2222', 20],
  [3, 'Cy', 'EU', '333-33-3333', 30.25],
  [4, 'Di', 'APAC', '444-44-4444', 40],
];

const zone = landingZone(process.argv[2]);
const { config, assume } = zone;
const lf = (c: Creds) => new LakeFormationClient(config(c));
const glue = (c: Creds) => new GlueClient(config(c));

/** Runs `sql` as `c` with results under the account's own bucket; prints the rows or Athena's reason. */
async function query(who: string, c: Creds, account: string, sql: string): Promise<void> {
  const athena = new AthenaClient(config(c));
  const bucket = account === LAKE ? `mlzone-raw-${LAKE}` : `sagemaker-${REGION}-${account}`;
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, ResultConfiguration: { OutputLocation: `s3://${bucket}/athena/` } }));
  const { QueryExecution: q } = await until(
    () => athena.send(new GetQueryExecutionCommand({ QueryExecutionId })),
    (o) => !['QUEUED', 'RUNNING'].includes(o.QueryExecution!.Status!.State!),
  );
  show(`${who}: ${sql}`);
  if (q!.Status!.State !== 'SUCCEEDED') {
    show(`  → ${q!.Status!.State}: ${q!.Status!.StateChangeReason}`);
    return;
  }
  const rows = (await athena.send(new GetQueryResultsCommand({ QueryExecutionId }))).ResultSet!.Rows!;
  for (const r of rows) show(`  | ${r.Data!.map((d) => d.VarCharValue ?? '').join(' | ')}`);
  show(`  (results: ${q!.ResultConfiguration!.OutputLocation})`);
}

zone.run(async () => {
  const platform = await assume(KEYS.orgAdmin, role(MANAGEMENT, 'Admin'));
  const admin = async (account: string) => assume(platform, role(account, 'OrganizationAccountAccessRole'));
  const admins = { [LAKE]: await admin(LAKE), [DS1]: await admin(DS1), [DS2]: await admin(DS2), [TEST]: await admin(TEST) };
  const lakeAdmin = await assume(KEYS.lakeAdmin, role(LAKE, 'LakeAdmin'));

  step('1', 'The platform team names the data lake admins of the lake and of each consumer account');
  for (const [account, who] of [[LAKE, role(LAKE, 'LakeAdmin')], [DS1, role(DS1, 'OrganizationAccountAccessRole')], [DS2, role(DS2, 'OrganizationAccountAccessRole')]] as const) {
    await lf(admins[account]!).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: who }], CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }));
    show(`${account}: ${who}`);
  }

  step('2', 'LakeAdmin uploads customers.csv, registers the curated bucket and catalogs sales.customers');
  const csv = `${COLUMNS.join(',')}\n${ROWS.map((r) => r.join(',')).join('\n')}\n`;
  await new S3Client({ ...config(lakeAdmin), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: CURATED, Key: 'sales/customers/part-0.csv', Body: csv }));
  await lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/sales`, UseServiceLinkedRole: true }));
  await glue(lakeAdmin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales' } }));
  await glue(lakeAdmin).send(
    new CreateTableCommand({
      DatabaseName: 'sales',
      TableInput: {
        Name: 'customers',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
        StorageDescriptor: {
          Columns: COLUMNS.map((c) => ({ Name: c, Type: c === 'id' ? 'bigint' : c === 'spend' ? 'double' : 'string' })),
          Location: `s3://${CURATED}/sales/customers/`,
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
        },
      },
    }),
  );
  show(`s3://${CURATED}/sales/customers/ → sales.customers (${COLUMNS.join(', ')})`);

  step('3', 'LakeAdmin grants data-science-1 the table without ssn, data-science-2 the EU rows without ssn');
  await lf(lakeAdmin).send(
    new GrantPermissionsCommand({
      Principal: { DataLakePrincipalIdentifier: DS1 },
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
  const euFilter = { TableCatalogId: LAKE, DatabaseName: 'sales', TableName: 'customers', Name: 'eu_no_ssn' };
  await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { DataCellsFilter: euFilter }, Permissions: ['SELECT'], PermissionsWithGrantOption: ['SELECT'] }));
  show(`${DS1}: SELECT (id, name, region, spend); ${DS2}: SELECT through filter eu_no_ssn (region = 'EU', all columns but ssn)`);

  step('4', 'Each data-science account accepts the RAM share, links lake.customers and grants its DataScientist');
  for (const account of [DS1, DS2]) {
    const ram = new RAMClient(config(admins[account]!));
    for (const inv of (await ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations ?? []) {
      if (inv.status === 'PENDING') await ram.send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
      show(`${account}: ${inv.resourceShareName} from ${inv.senderAccountId} ${inv.status === 'PENDING' ? 'accepted' : inv.status}`);
    }
    await glue(admins[account]!).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    await glue(admins[account]!).send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'customers', TargetTable: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers' } } }));
    const scientist = { DataLakePrincipalIdentifier: role(account, 'DataScientist') };
    await lf(admins[account]!).send(new GrantPermissionsCommand({ Principal: scientist, Resource: { Table: { DatabaseName: 'lake', Name: 'customers' } }, Permissions: ['DESCRIBE'] }));
    const target =
      account === DS1 ? { TableWithColumns: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers', ColumnNames: ['id', 'name', 'region', 'spend'] } } : { DataCellsFilter: euFilter };
    await lf(admins[account]!).send(new GrantPermissionsCommand({ Principal: scientist, Resource: target, Permissions: ['SELECT'] }));
  }

  step('5', 'The scientists query with Athena');
  const ds1 = await assume(KEYS.ds1Scientist, role(DS1, 'DataScientist'));
  const ds2 = await assume(KEYS.ds2Scientist, role(DS2, 'DataScientist'));
  await query('data-science-1', ds1, DS1, 'SELECT * FROM lake.customers ORDER BY id');
  await query('data-science-1', ds1, DS1, 'SELECT name, ssn FROM lake.customers');
  await query('data-science-2', ds2, DS2, 'SELECT * FROM lake.customers ORDER BY id');

  step('6', 'The test account sees nothing; data-science-1 revokes its scientist and the next query fails');
  await query('test', admins[TEST]!, TEST, 'SELECT * FROM awsdatacatalog.sales.customers');
  await lf(admins[DS1]!).send(
    new RevokePermissionsCommand({
      Principal: { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') },
      Resource: { TableWithColumns: { CatalogId: LAKE, DatabaseName: 'sales', Name: 'customers', ColumnNames: ['id', 'name', 'region', 'spend'] } },
      Permissions: ['SELECT'],
    }),
  );
  await query('data-science-1', ds1, DS1, 'SELECT count(*) FROM lake.customers');
});
