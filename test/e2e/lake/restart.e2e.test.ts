/**
 * The lake survives a restart on the same data dir — SQLite, and PostgreSQL when MLZONE_TEST_PG is set: Glue's
 * catalog, Lake Formation's settings, registered location, data-cells filter, opt-ins and grants (the revoked default
 * "database creators" grant stays revoked), and RAM's share all answer as before, and a consumer's query is filtered
 * as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDatabaseCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  AddLFTagsToResourceCommand,
  CreateDataCellsFilterCommand,
  CreateLakeFormationOptInCommand,
  CreateLFTagCommand,
  CreateLFTagExpressionCommand,
  GetLFTagExpressionCommand,
  GrantPermissionsCommand,
  LakeFormationClient,
  ListLakeFormationOptInsCommand,
  ListPermissionsCommand,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import { GetResourceSharesCommand, RAMClient } from '@aws-sdk/client-ram';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/app/config.js';
import { CURATED, LAKE, acceptInvitations, athenaQuery, createDatabaseWithTables, csvTable, makeLakeAdmins, putCustomersCsv, registerCurated, role } from '../support/lake.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const DS2 = accounts.dataScience2;
const pgUrl = process.env.MLZONE_TEST_PG;

async function rows(url: string, c: Creds, sql: string, output: string): Promise<string[][]> {
  const out = await athenaQuery(url, c, sql, output);
  if (out.execution.Status!.State !== 'SUCCEEDED') throw new Error(out.execution.Status!.StateChangeReason);
  return out.rows;
}

/** Builds the lake on a first server, restarts on the same storage and checks everything on the second. */
async function survivesRestart(config: Partial<AppConfig>): Promise<void> {
  let server: TestServer | undefined = await startTestServer(config);
  try {
    const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
    const lakeAccess = await assumeRole(server.url, platform, role(LAKE, 'OrganizationAccountAccessRole'));
    const ds2Access = await assumeRole(server.url, platform, role(DS2, 'OrganizationAccountAccessRole'));
    const lake = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
    await makeLakeAdmins(server.url, lakeAccess, [role(LAKE, 'LakeAdmin')]);
    await makeLakeAdmins(server.url, ds2Access, [role(DS2, 'OrganizationAccountAccessRole')]);
    await putCustomersCsv(server.url, lake, 'kept/customers/part-0.csv');
    const lf = new LakeFormationClient(clientConfig(server.url, lake));
    await registerCurated(server.url, lake, 'kept');
    await createDatabaseWithTables(server.url, lake, 'kept', [csvTable('customers', `s3://${CURATED}/kept/customers/`)]);
    // A named LF-Tag expression and a policy granted by its name.
    await lf.send(new CreateLFTagCommand({ TagKey: 'domain', TagValues: ['sales'] }));
    await lf.send(new AddLFTagsToResourceCommand({ Resource: { Table: { DatabaseName: 'kept', Name: 'customers' } }, LFTags: [{ TagKey: 'domain', TagValues: ['sales'] }] }));
    await lf.send(new CreateLFTagExpressionCommand({ Name: 'sales_data', Expression: [{ TagKey: 'domain', TagValues: ['sales'] }] }));
    await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'OrganizationAccountAccessRole') }, Resource: { LFTagPolicy: { ResourceType: 'TABLE', ExpressionName: 'sales_data' } }, Permissions: ['DESCRIBE'] }));
    // A hybrid access mode opt-in.
    await lf.send(new CreateLakeFormationOptInCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'OrganizationAccountAccessRole') }, Resource: { Table: { DatabaseName: 'kept', Name: 'customers' } } }));
    const filter = { TableCatalogId: LAKE, DatabaseName: 'kept', TableName: 'customers', Name: 'us_only' };
    await lf.send(new CreateDataCellsFilterCommand({ TableData: { ...filter, RowFilter: { FilterExpression: "region = 'US'" }, ColumnNames: ['id', 'region'] } }));
    await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { DataCellsFilter: filter }, Permissions: ['SELECT'], PermissionsWithGrantOption: ['SELECT'] }));
    await acceptInvitations(server.url, ds2Access);
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
    // Only data lake admins and principals granted CREATE_DATABASE create databases from now on.
    await lf.send(new RevokePermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' }, Resource: { Catalog: {} }, Permissions: ['CREATE_DATABASE'] }));
    await server.close();
    server = undefined;

    server = await startTestServer(config);
    expect(server.app.seeded).toBe(false);
    const ds2Again = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin')), role(DS2, 'OrganizationAccountAccessRole'));
    const lakeAgain = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
    expect(await rows(server.url, ds2Again, 'SELECT * FROM kept_link.customers', `s3://sagemaker-us-east-1-${DS2}/restart/`)).toEqual(before);
    const table = await new GlueClient(clientConfig(server.url, lakeAgain)).send(new GetTableCommand({ DatabaseName: 'kept', Name: 'customers' }));
    expect(table.Table!.StorageDescriptor!.Location).toBe(`s3://${CURATED}/kept/customers/`);
    const granted = await new LakeFormationClient(clientConfig(server.url, lakeAgain)).send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 } }));
    expect(granted.PrincipalResourcePermissions!.map((p) => p.Resource?.DataCellsFilter?.Name)).toContain('us_only');
    const lfAgain = new LakeFormationClient(clientConfig(server.url, lakeAgain));
    expect(await lfAgain.send(new GetLFTagExpressionCommand({ Name: 'sales_data' }))).toMatchObject({ Name: 'sales_data', Expression: [{ TagKey: 'domain', TagValues: ['sales'] }] });
    const optIns = (await lfAgain.send(new ListLakeFormationOptInsCommand({}))).LakeFormationOptInsInfoList!;
    expect(optIns.map((o) => [o.Principal?.DataLakePrincipalIdentifier, o.Resource?.Table?.Name])).toEqual([[role(LAKE, 'OrganizationAccountAccessRole'), 'customers']]);
    const byName = await lfAgain.send(new ListPermissionsCommand({ ResourceType: 'LF_TAG_POLICY_TABLE' }));
    expect(byName.PrincipalResourcePermissions!.map((p) => p.Resource?.LFTagPolicy?.ExpressionName)).toEqual(['sales_data']);
    const lakeAccessAgain = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin')), role(LAKE, 'OrganizationAccountAccessRole'));
    expect((await lfAgain.send(new ListPermissionsCommand({ Resource: { Catalog: {} } }))).PrincipalResourcePermissions).toEqual([]);
    await expect(new GlueClient(clientConfig(server.url, lakeAccessAgain)).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'after_restart' } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'Insufficient Lake Formation permission(s): Required Create Database on Catalog',
    });
    const shares = await new RAMClient(clientConfig(server.url, lakeAccessAgain)).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
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
