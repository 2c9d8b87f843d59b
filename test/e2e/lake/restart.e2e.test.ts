/**
 * The lake survives a restart on the same data dir — SQLite, and PostgreSQL when MLZONE_TEST_PG is set: Glue's
 * catalog, Lake Formation's settings, registered location, data-cells filter and grants, and RAM's share all answer
 * as before, and a consumer's query is filtered as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateDataCellsFilterCommand, GrantPermissionsCommand, LakeFormationClient, ListPermissionsCommand, PutDataLakeSettingsCommand, RegisterResourceCommand } from '@aws-sdk/client-lakeformation';
import { AcceptResourceShareInvitationCommand, GetResourceShareInvitationsCommand, GetResourceSharesCommand, RAMClient } from '@aws-sdk/client-ram';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/app/config.js';
import { customersCsv } from '../../../src/query/test-support.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const LAKE = accounts.dataLake;
const DS2 = accounts.dataScience2;
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const pgUrl = process.env.MLZONE_TEST_PG;

async function rows(url: string, c: Creds, sql: string, output: string): Promise<string[][]> {
  const athena = new AthenaClient(clientConfig(url, c));
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, ResultConfiguration: { OutputLocation: output } }));
  for (;;) {
    const q = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution!;
    if (q.Status!.State === 'QUEUED' || q.Status!.State === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (q.Status!.State !== 'SUCCEEDED') throw new Error(q.Status!.StateChangeReason);
    return (await athena.send(new GetQueryResultsCommand({ QueryExecutionId }))).ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? ''));
  }
}

/** Builds the lake on a first server, restarts on the same storage and checks everything on the second. */
async function survivesRestart(config: Partial<AppConfig>): Promise<void> {
  let server: TestServer | undefined = await startTestServer(config);
  try {
    const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
    const lakeAccess = await assumeRole(server.url, platform, role(LAKE, 'OrganizationAccountAccessRole'));
    const ds2Access = await assumeRole(server.url, platform, role(DS2, 'OrganizationAccountAccessRole'));
    const lake = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
    const noDefaults = { CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] };
    await new LakeFormationClient(clientConfig(server.url, lakeAccess)).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }], ...noDefaults } }));
    await new LakeFormationClient(clientConfig(server.url, ds2Access)).send(new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: [{ DataLakePrincipalIdentifier: role(DS2, 'OrganizationAccountAccessRole') }], ...noDefaults } }));
    await new S3Client({ ...clientConfig(server.url, lake), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: `mlzone-curated-${LAKE}`, Key: 'kept/customers/part-0.csv', Body: customersCsv() }));
    const lf = new LakeFormationClient(clientConfig(server.url, lake));
    await lf.send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::mlzone-curated-${LAKE}/kept`, UseServiceLinkedRole: true }));
    const glue = new GlueClient(clientConfig(server.url, lake));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'kept' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'kept',
        TableInput: {
          Name: 'customers',
          Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
          StorageDescriptor: {
            Columns: ['id', 'name', 'region', 'ssn', 'spend'].map((n) => ({ Name: n, Type: n === 'id' ? 'bigint' : n === 'spend' ? 'double' : 'string' })),
            Location: `s3://mlzone-curated-${LAKE}/kept/customers/`,
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
          },
        },
      }),
    );
    const filter = { TableCatalogId: LAKE, DatabaseName: 'kept', TableName: 'customers', Name: 'us_only' };
    await lf.send(new CreateDataCellsFilterCommand({ TableData: { ...filter, RowFilter: { FilterExpression: "region = 'US'" }, ColumnNames: ['id', 'region'] } }));
    await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { DataCellsFilter: filter }, Permissions: ['SELECT'], PermissionsWithGrantOption: ['SELECT'] }));
    const ds2Ram = new RAMClient(clientConfig(server.url, ds2Access));
    for (const inv of (await ds2Ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations ?? []) {
      await ds2Ram.send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
    }
    const ds2Glue = new GlueClient(clientConfig(server.url, ds2Access));
    await ds2Glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'kept_link', TargetDatabase: { CatalogId: LAKE, DatabaseName: 'kept' } } }));
    await new LakeFormationClient(clientConfig(server.url, ds2Access)).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(DS2, 'OrganizationAccountAccessRole') }, Resource: { DataCellsFilter: filter }, Permissions: ['SELECT'] }),
    );
    const before = await rows(server.url, ds2Access, 'SELECT * FROM kept_link.customers', `s3://sagemaker-us-east-1-${DS2}/restart/`);
    expect(before).toEqual([
      ['id', 'region'],
      ['2', 'US'],
    ]);
    await server.close();
    server = undefined;

    server = await startTestServer(config);
    expect(server.app.seeded).toBe(false);
    const ds2Again = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin')), role(DS2, 'OrganizationAccountAccessRole'));
    const lakeAgain = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
    expect(await rows(server.url, ds2Again, 'SELECT * FROM kept_link.customers', `s3://sagemaker-us-east-1-${DS2}/restart/`)).toEqual(before);
    const table = await new GlueClient(clientConfig(server.url, lakeAgain)).send(new GetTableCommand({ DatabaseName: 'kept', Name: 'customers' }));
    expect(table.Table!.StorageDescriptor!.Location).toBe(`s3://mlzone-curated-${LAKE}/kept/customers/`);
    const granted = await new LakeFormationClient(clientConfig(server.url, lakeAgain)).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 } }));
    expect(granted.PrincipalResourcePermissions!.map((p) => p.Resource?.DataCellsFilter?.Name)).toContain('us_only');
    const shares = await new RAMClient(clientConfig(server.url, await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin')), role(LAKE, 'OrganizationAccountAccessRole')))).send(
      new GetResourceSharesCommand({ resourceOwner: 'SELF' }),
    );
    expect(shares.resourceShares!.some((s) => s.name?.startsWith('LakeFormation-V3-'))).toBe(true);
  } finally {
    await server?.close();
  }
}

describe('the governed lake across a restart', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (pgUrl && schemas.length) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
      await client.end();
    }
  });

  it('on SQLite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-lake-'));
    dirs.push(dataDir);
    await survivesRestart({ ephemeral: false, dataDir });
  }, 60_000);

  it.skipIf(!pgUrl)('on PostgreSQL (MLZONE_TEST_PG)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-lake-pg-'));
    dirs.push(dataDir);
    const schema = `mlzone_lake_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    schemas.push(schema);
    await survivesRestart({ ephemeral: false, dataDir, databaseUrl: pgUrl, databaseSchema: schema });
  }, 60_000);
});
