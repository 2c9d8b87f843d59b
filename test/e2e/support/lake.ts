/**
 * What the governed-lake e2e files share: the landing zone's lake names, making LakeAdmin (or an account's
 * OrganizationAccountAccessRole) a data lake admin with no IAM_ALLOWED_PRINCIPALS defaults, putting the customers
 * files into the curated bucket and registering it, creating a database and the customers tables, accepting RAM
 * invitations, and an Athena query run until it is done.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient, type Column, type TableInput } from '@aws-sdk/client-glue';
import { LakeFormationClient, PutDataLakeSettingsCommand, RegisterResourceCommand } from '@aws-sdk/client-lakeformation';
import { AcceptResourceShareInvitationCommand, GetResourceShareInvitationsCommand, RAMClient } from '@aws-sdk/client-ram';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { customersCsv, writeCustomersParquet } from '../../../src/query/test-support.js';
import { accounts, clientConfig } from './server.js';
import type { Creds } from './sessions.js';

export const LAKE = accounts.dataLake;
/** The data-lake account's curated bucket (registered with Lake Formation by the tests, per prefix). */
export const CURATED = `mlzone-curated-${LAKE}`;
export const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
/** Where an account's Athena results go: the lake's raw bucket, a consumer's SageMaker default bucket. */
export const resultsBucket = (account: string) => (account === LAKE ? `mlzone-raw-${LAKE}` : `sagemaker-us-east-1-${account}`);

/** The customers data's Glue columns (the files come from src/query/test-support.ts). */
export const CUSTOMER_COLUMNS: Column[] = [
  { Name: 'id', Type: 'bigint' },
  { Name: 'name', Type: 'string' },
  { Name: 'region', Type: 'string' },
  { Name: 'ssn', Type: 'string' },
  { Name: 'spend', Type: 'double' },
];

export const glueClient = (url: string, c: Creds) => new GlueClient(clientConfig(url, c));
export const lfClient = (url: string, c: Creds) => new LakeFormationClient(clientConfig(url, c));
export const ramClient = (url: string, c: Creds) => new RAMClient(clientConfig(url, c));
export const s3Client = (url: string, c: Creds) => new S3Client({ ...clientConfig(url, c), forcePathStyle: true });

/**
 * PutDataLakeSettings as `accountAdmin` (an IAM principal allowed to change the settings, such as the account's
 * OrganizationAccountAccessRole): `admins` become the data lake admins, and new databases and tables get no
 * IAM_ALLOWED_PRINCIPALS grant (Lake Formation governs them).
 */
export async function makeLakeAdmins(url: string, accountAdmin: Creds, admins: readonly string[]): Promise<void> {
  await lfClient(url, accountAdmin).send(
    new PutDataLakeSettingsCommand({ DataLakeSettings: { DataLakeAdmins: admins.map((a) => ({ DataLakePrincipalIdentifier: a })), CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] } }),
  );
}

/** Writes the customers Parquet file to `key` in the curated bucket. */
export async function putCustomersParquet(url: string, c: Creds, key: string): Promise<void> {
  const file = join(tmpdir(), `mlzone-customers-${process.pid}-${Math.floor(Math.random() * 1e9)}.parquet`);
  await writeCustomersParquet(file);
  try {
    await s3Client(url, c).send(new PutObjectCommand({ Bucket: CURATED, Key: key, Body: await readFile(file) }));
  } finally {
    await rm(file, { force: true });
  }
}

/** Writes the customers CSV file (with its header line) to `key` in the curated bucket. */
export async function putCustomersCsv(url: string, c: Creds, key: string): Promise<void> {
  await s3Client(url, c).send(new PutObjectCommand({ Bucket: CURATED, Key: key, Body: customersCsv() }));
}

/** RegisterResource of `s3://<curated>/<prefix>` with the service-linked role. */
export async function registerCurated(url: string, lakeAdmin: Creds, prefix: string): Promise<void> {
  await lfClient(url, lakeAdmin).send(new RegisterResourceCommand({ ResourceArn: `arn:aws:s3:::${CURATED}/${prefix}`, UseServiceLinkedRole: true }));
}

/** A Parquet table over `location` (the customers columns unless told). */
export function parquetTable(name: string, location: string, columns: Column[] = CUSTOMER_COLUMNS): TableInput {
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'parquet' },
    StorageDescriptor: {
      Columns: columns,
      Location: location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}

/** An OpenCSVSerde table over `location` whose files have a header line (the customers columns unless told). */
export function csvTable(name: string, location: string, columns: Column[] = CUSTOMER_COLUMNS): TableInput {
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
    StorageDescriptor: {
      Columns: columns,
      Location: location,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde', Parameters: { separatorChar: ',' } },
    },
  };
}

/** CreateDatabase `database` and CreateTable each of `tables` in it, as `c`. */
export async function createDatabaseWithTables(url: string, c: Creds, database: string, tables: readonly TableInput[], databaseInput: { LocationUri?: string } = {}): Promise<void> {
  const glue = glueClient(url, c);
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database, ...databaseInput } }));
  for (const t of tables) await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: t }));
}

/** Accepts every PENDING resource share invitation of the caller's account. */
export async function acceptInvitations(url: string, c: Creds): Promise<void> {
  const ram = ramClient(url, c);
  for (const inv of (await ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations ?? []) {
    if (inv.status === 'PENDING') await ram.send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
  }
}

export interface QueryOutcome {
  readonly execution: QueryExecution;
  /** The result rows (header first) when the query SUCCEEDED; empty otherwise. */
  readonly rows: string[][];
}

/** StartQueryExecution (in `database` when given), GetQueryExecution until the query is no longer QUEUED or RUNNING, then its first page. */
export async function athenaQuery(url: string, c: Creds, sql: string, outputLocation: string, database?: string): Promise<QueryOutcome> {
  const athena = new AthenaClient(clientConfig(url, c));
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, ResultConfiguration: { OutputLocation: outputLocation }, ...(database ? { QueryExecutionContext: { Database: database } } : {}) }),
  );
  for (;;) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution!.Status!.State!;
    if (state === 'QUEUED' || state === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (state !== 'SUCCEEDED') return { execution: QueryExecution!, rows: [] };
    const out = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
    return { execution: QueryExecution!, rows: out.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? '')) };
  }
}
