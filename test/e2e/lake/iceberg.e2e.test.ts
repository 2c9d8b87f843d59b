/**
 * Iceberg tables of the governed lake, with the JS SDK: the lake admin writes a real Iceberg table into the
 * registered curated bucket through S3 (metadata.json, Avro manifest list and manifests, Parquet data and
 * position-delete files), catalogs it in Glue with `table_type=ICEBERG`, and shares EU rows without `score` with
 * data-science-1 through a data cells filter. Athena reads the current snapshot (appends, a removed file, a position
 * delete, a renamed and an added column), time travels, applies Lake Formation to the scientist exactly as for a
 * Parquet table, and fails broken metadata with Athena's ICEBERG_* errors.
 */
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateDataCellsFilterCommand, GrantPermissionsCommand, LakeFormationClient, RegisterResourceCommand } from '@aws-sdk/client-lakeformation';
import { DeleteObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcebergFixture, type SnapshotInfo } from '../../../src/query/iceberg/test-support.js';
import { CURATED, LAKE, acceptInvitations, athenaQuery, makeLakeAdmins, resultsBucket, role, type QueryOutcome } from '../support/lake.js';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds, credentialsEnv } from '../support/sessions.js';

const DS1 = accounts.dataScience1;

let server: TestServer;
let lakeAdmin: Creds;
let scientist: Creds;
const admins: Record<string, Creds> = {};
const snaps: SnapshotInfo[] = [];

const glue = (c: Creds) => new GlueClient(clientConfig(server.url, c));
const lf = (c: Creds) => new LakeFormationClient(clientConfig(server.url, c));
const query = (c: Creds, account: string, sql: string): Promise<QueryOutcome> => athenaQuery(server.url, c, sql, `s3://${resultsBucket(account)}/athena/`);

function icebergTableInput(name: string, metadataLocation: string) {
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { table_type: 'ICEBERG', metadata_location: metadataLocation },
    StorageDescriptor: {
      Columns: [
        { Name: 'id', Type: 'bigint' },
        { Name: 'label', Type: 'string' },
        { Name: 'region', Type: 'string' },
        { Name: 'score', Type: 'double' },
      ],
      Location: `s3://${CURATED}/iceberg/${name}`,
      InputFormat: 'org.apache.hadoop.mapred.FileInputFormat',
      OutputFormat: 'org.apache.hadoop.mapred.FileOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' },
    },
  };
}

beforeAll(async () => {
  server = await startTestServer();
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, role(LAKE, 'LakeAdmin'));
  const platform = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  for (const account of [LAKE, DS1]) admins[account] = await assumeRole(server.url, platform, role(account, 'OrganizationAccountAccessRole'));
  scientist = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('Iceberg tables in the governed lake', () => {
  it('the lake admin writes an Iceberg table through S3 and catalogs it in Glue', async () => {
    await makeLakeAdmins(server.url, admins[LAKE]!, [role(LAKE, 'LakeAdmin')]);
    await makeLakeAdmins(server.url, admins[DS1]!, [role(DS1, 'OrganizationAccountAccessRole')]);
    const s3 = new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true });
    const put = async (key: string, bytes: Uint8Array) => {
      await s3.send(new PutObjectCommand({ Bucket: CURATED, Key: key, Body: bytes }));
    };
    const t = new IcebergFixture(`s3://${CURATED}/iceberg/events`, put, [
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'name', type: 'string' },
      { id: 3, name: 'region', type: 'string' },
    ]);
    const a = await t.parquet(`SELECT * FROM (VALUES (1::BIGINT, 'a', 'EU'), (2::BIGINT, 'b', 'US')) AS v(id, name, region)`, { id: 1, name: 2, region: 3 });
    snaps.push(await t.commit({ add: [a], timestampMs: Date.UTC(2026, 0, 1) }));
    const b = await t.parquet(`SELECT * FROM (VALUES (3::BIGINT, 'c', 'EU'), (4::BIGINT, 'd', 'APAC')) AS v(id, name, region)`, { id: 1, name: 2, region: 3 });
    snaps.push(await t.commit({ add: [b], timestampMs: Date.UTC(2026, 0, 2) }));
    t.evolveSchema([
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'label', type: 'string' },
      { id: 3, name: 'region', type: 'string' },
      { id: 4, name: 'score', type: 'double' },
    ]);
    const c = await t.parquet(`SELECT * FROM (VALUES (5::BIGINT, 'e', 'EU', 9.5::DOUBLE), (6::BIGINT, 'f', 'US', 1.0::DOUBLE)) AS v(id, label, region, score)`, { id: 1, label: 2, region: 3, score: 4 });
    snaps.push(await t.commit({ add: [c], timestampMs: Date.UTC(2026, 0, 3) }));
    snaps.push(await t.commit({ add: [await t.positionDeletes([[a.uri, 1]])], remove: [b.uri], timestampMs: Date.UTC(2026, 0, 4) }));

    // A second table whose only manifest is then deleted from S3.
    const broken = new IcebergFixture(`s3://${CURATED}/iceberg/broken`, put, [{ id: 1, name: 'id', type: 'long' }]);
    const brokenSnap = await broken.commit({ add: [await broken.parquet('SELECT 1::BIGINT AS id', { id: 1 })] });

    await lf(lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/iceberg`, UseServiceLinkedRole: true }));
    const g = glue(lakeAdmin);
    await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'ice', LocationUri: `s3://${CURATED}/iceberg/` } }));
    await g.send(new CreateTableCommand({ DatabaseName: 'ice', TableInput: icebergTableInput('events', snaps.at(-1)!.metadataUri) }));
    await g.send(new CreateTableCommand({ DatabaseName: 'ice', TableInput: icebergTableInput('broken', brokenSnap.metadataUri) }));
    // Delete the broken table's manifest (its key ends in -m0.avro), found by listing through S3.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: CURATED, Prefix: 'iceberg/broken/metadata/' }));
    const manifests = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('-m0.avro'));
    expect(manifests).toHaveLength(1);
    for (const key of manifests) await s3.send(new DeleteObjectCommand({ Bucket: CURATED, Key: key }));

    await lf(lakeAdmin).send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: role(LAKE, 'LakeAdmin') }, Resource: { Table: { DatabaseName: 'ice', TableWildcard: {} } }, Permissions: ['SELECT', 'DESCRIBE'] }));
  });

  it('Athena reads the current snapshot: two appends, a removed file, a position delete, renamed and added columns', async () => {
    const out = await query(lakeAdmin, LAKE, 'SELECT id, label, region, score FROM ice.events ORDER BY id');
    expect(out.execution.Status?.StateChangeReason).toBeUndefined();
    expect(out.rows).toEqual([
      ['id', 'label', 'region', 'score'],
      ['1', 'a', 'EU', ''],
      ['5', 'e', 'EU', '9.5'],
      ['6', 'f', 'US', '1.0'],
    ]);
    expect(out.execution.Statistics?.DataScannedInBytes).toBeGreaterThan(0);
  });

  it('time travel reads older snapshots by version and by timestamp', async () => {
    const byVersion = await query(lakeAdmin, LAKE, `SELECT id FROM ice.events FOR VERSION AS OF ${snaps[1]!.id} ORDER BY id`);
    expect(byVersion.execution.Status?.StateChangeReason).toBeUndefined();
    expect(byVersion.rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    const byTime = await query(lakeAdmin, LAKE, `SELECT count(*) FROM ice.events FOR TIMESTAMP AS OF TIMESTAMP '2026-01-01 12:00:00 UTC'`);
    expect(byTime.rows.slice(1)).toEqual([['2']]);
    const tooEarly = await query(lakeAdmin, LAKE, `SELECT * FROM ice.events FOR TIMESTAMP AS OF TIMESTAMP '2025-01-01 00:00:00 UTC'`);
    expect(tooEarly.execution.Status?.State).toBe('FAILED');
    expect(tooEarly.execution.Status?.StateChangeReason).toBe('INVALID_ARGUMENT: No version history table ice.events at or before 2025-01-01T00:00:00Z');
  });

  it('a missing manifest fails the query with ICEBERG_MISSING_METADATA naming the file', async () => {
    const out = await query(lakeAdmin, LAKE, 'SELECT * FROM ice.broken');
    expect(out.execution.Status?.State).toBe('FAILED');
    expect(out.execution.Status?.StateChangeReason).toMatch(new RegExp(`^ICEBERG_MISSING_METADATA: The manifest s3://${CURATED}/iceberg/broken/metadata/.*-m0\\.avro of table ice\\.broken does not exist$`));
    expect(out.execution.Status?.AthenaError).toMatchObject({ ErrorCategory: 2, ErrorType: 233, Retryable: false });
  });

  it("data-science-1's scientist gets the EU rows without score, through RAM and a resource link", async () => {
    await lf(lakeAdmin).send(
      new CreateDataCellsFilterCommand({
        TableData: { TableCatalogId: LAKE, DatabaseName: 'ice', TableName: 'events', Name: 'eu_no_score', RowFilter: { FilterExpression: "region = 'EU'" }, ColumnWildcard: { ExcludedColumnNames: ['score'] } },
      }),
    );
    await lf(lakeAdmin).send(
      new GrantPermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: DS1 },
        Resource: { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'ice', TableName: 'events', Name: 'eu_no_score' } },
        Permissions: ['SELECT'],
        PermissionsWithGrantOption: ['SELECT'],
      }),
    );
    const admin = admins[DS1]!;
    await acceptInvitations(server.url, admin);
    await glue(admin).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    await glue(admin).send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'events', TargetTable: { CatalogId: LAKE, DatabaseName: 'ice', Name: 'events' } } }));
    const principal = { DataLakePrincipalIdentifier: role(DS1, 'DataScientist') };
    await lf(admin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { Table: { DatabaseName: 'lake', Name: 'events' } }, Permissions: ['DESCRIBE'] }));

    // Before its own admin grants it, the scientist cannot read the table at all.
    const denied = await query(scientist, DS1, 'SELECT * FROM lake.events');
    expect(denied.execution.Status?.State).toBe('FAILED');
    expect(denied.execution.Status?.StateChangeReason).toMatch(/^TABLE_NOT_FOUND/);

    await lf(admin).send(new GrantPermissionsCommand({ Principal: principal, Resource: { DataCellsFilter: { TableCatalogId: LAKE, DatabaseName: 'ice', TableName: 'events', Name: 'eu_no_score' } }, Permissions: ['SELECT'] }));
    const star = await query(scientist, DS1, 'SELECT * FROM lake.events ORDER BY id');
    expect(star.execution.Status?.StateChangeReason).toBeUndefined();
    expect(star.rows).toEqual([
      ['id', 'label', 'region'],
      ['1', 'a', 'EU'],
      ['5', 'e', 'EU'],
    ]);
    // The filter applies to old snapshots too.
    const old = await query(scientist, DS1, `SELECT id FROM lake.events FOR VERSION AS OF ${snaps[1]!.id} ORDER BY id`);
    expect(old.rows.slice(1).map((r) => r[0])).toEqual(['1', '3']);
    const score = await query(scientist, DS1, 'SELECT score FROM lake.events');
    expect(score.execution.Status?.State).toBe('FAILED');
    expect(score.execution.Status?.StateChangeReason).toBe("COLUMN_NOT_FOUND: line 1:8: Column 'score' cannot be resolved or requester is not authorized to access requested resources");
  });

  it("outside a registered location the metadata is read with the caller's own S3 permissions, as the data is", async () => {
    const RAW = `mlzone-raw-${LAKE}`;
    const s3 = new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true });
    const t = new IcebergFixture(`s3://${RAW}/iceberg/unreg`, async (key, bytes) => {
      await s3.send(new PutObjectCommand({ Bucket: RAW, Key: key, Body: bytes }));
    }, [{ id: 1, name: 'id', type: 'long' }]);
    const snap = await t.commit({ add: [await t.parquet('SELECT 41::BIGINT AS id', { id: 1 })] });
    await glue(lakeAdmin).send(new CreateTableCommand({ DatabaseName: 'ice', TableInput: { ...icebergTableInput('unreg', snap.metadataUri), StorageDescriptor: { ...icebergTableInput('unreg', snap.metadataUri).StorageDescriptor, Location: `s3://${RAW}/iceberg/unreg` } } }));
    const ok = await query(lakeAdmin, LAKE, 'SELECT id FROM ice.unreg');
    expect(ok.execution.Status?.StateChangeReason).toBeUndefined();
    expect(ok.rows.slice(1)).toEqual([['41']]);
    // The bucket now refuses reads of the table's metadata: the query fails on the metadata, as the caller.
    await new S3Client({ ...clientConfig(server.url, admins[LAKE]!), forcePathStyle: true }).send(
      new PutBucketPolicyCommand({
        Bucket: RAW,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${RAW}/iceberg/unreg/metadata/*` }] }),
      }),
    );
    const denied = await query(lakeAdmin, LAKE, 'SELECT id FROM ice.unreg');
    expect(denied.execution.Status?.State).toBe('FAILED');
    expect(denied.execution.Status?.StateChangeReason).toMatch(new RegExp(`^Permission denied on S3 path: s3://${RAW}/iceberg/unreg/metadata/`));
  });

  it.skipIf(!hasBoto3)('boto3: the scientist reads the current and an older snapshot, never score', async () => {
    const r = await run(python, [join(dirname(fileURLToPath(import.meta.url)), 'iceberg_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_RESULTS: `s3://${resultsBucket(DS1)}/boto3/`,
      MLZONE_SNAPSHOT: snaps[1]!.id.toString(),
      ...credentialsEnv(scientist),
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      current: { state: 'SUCCEEDED', rows: [['id', 'label', 'region'], ['1', 'a', 'EU'], ['5', 'e', 'EU']] },
      old: { state: 'SUCCEEDED', rows: [['id'], ['1'], ['3']] },
      score: { state: 'FAILED', reason: "COLUMN_NOT_FOUND: line 1:8: Column 'score' cannot be resolved or requester is not authorized to access requested resources" },
    });
  });
});
