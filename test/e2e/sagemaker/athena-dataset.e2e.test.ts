/**
 * Processing inputs from Athena (`ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition`), with the JS SDK:
 * the lake admin shares `sales.customers` with data-science-1 through a data-cells filter (EU rows, no `ssn`);
 * data-science-1's SageMaker execution role runs a processing job whose inputs are `SELECT *` over the resource
 * link, unloaded as JSON and as Parquet; the job sees only the EU rows without `ssn`. data-science-2's role, granted
 * nothing, gets a Failed job whose reason is Athena's. Redshift and the formats mlzone does not write are refused
 * at CreateProcessingJob.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateProcessingJobCommand, DescribeProcessingJobCommand, SageMakerClient, type CreateProcessingJobCommandInput, type DescribeProcessingJobCommandOutput, type ProcessingInput } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { role, shareCustomersWithJobs, type SharedLake } from '../support/lake-share.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const DS2 = accounts.dataScience2;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const bucket = (account: string) => `sagemaker-us-east-1-${account}`;
const COPY = [
  'import os, shutil',
  "for name in ('json', 'parquet'):",
  "    src = '/opt/ml/processing/input/' + name",
  '    if os.path.isdir(src):',
  "        shutil.copytree(src, '/opt/ml/processing/output/' + name, dirs_exist_ok=True)",
].join('\n');

let server: TestServer;
let lake: SharedLake;
const scientists: Record<string, Creds> = {};
const id = unique('athenads');

const athenaInput = (name: string, format: string, query = 'SELECT * FROM customers ORDER BY id', account: string = DS1): ProcessingInput => ({
  InputName: name,
  DatasetDefinition: {
    AthenaDatasetDefinition: { Catalog: 'AwsDataCatalog', Database: 'lake', QueryString: query, OutputS3Uri: `s3://${bucket(account)}/${id}/athena/`, OutputFormat: format as 'PARQUET' },
    LocalPath: `/opt/ml/processing/input/${name}`,
    DataDistributionType: 'FullyReplicated',
    InputMode: 'File',
  },
});

function request(account: string, inputs: ProcessingInput[]): CreateProcessingJobCommandInput {
  return {
    ProcessingJobName: unique('athena'),
    RoleArn: role(account, 'SageMakerExecution'),
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
    AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/copy.py'] },
    ProcessingInputs: [
      ...inputs,
      { InputName: 'code', S3Input: { S3Uri: `s3://${bucket(account)}/${id}/code/copy.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
    ],
    ProcessingOutputConfig: {
      Outputs: ['json', 'parquet'].map((o) => ({ OutputName: o, S3Output: { S3Uri: `s3://${bucket(account)}/${id}/out/${o}`, LocalPath: `/opt/ml/processing/output/${o}`, S3UploadMode: 'EndOfJob' as const } })),
    },
  };
}

async function runJob(account: string, input: CreateProcessingJobCommandInput): Promise<DescribeProcessingJobCommandOutput> {
  const sm = new SageMakerClient(clientConfig(server.url, scientists[account]!));
  await sm.send(new CreateProcessingJobCommand(input));
  const deadline = Date.now() + 45_000;
  for (;;) {
    const d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: input.ProcessingJobName }));
    if (d.ProcessingJobStatus !== 'InProgress') return d;
    if (Date.now() > deadline) throw new Error('still InProgress');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const s3Of = (account: string) => new S3Client({ ...clientConfig(server.url, scientists[account]!), forcePathStyle: true });

beforeAll(async () => {
  server = await startTestServer();
  lake = await shareCustomersWithJobs(server);
  scientists[DS1] = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
  scientists[DS2] = await assumeRole(server.url, users.ds2Scientist, role(DS2, 'DataScientist'));
  for (const account of [DS1, DS2]) await s3Of(account).send(new PutObjectCommand({ Bucket: bucket(account), Key: `${id}/code/copy.py`, Body: COPY }));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('Athena dataset inputs of processing jobs, as the job role', () => {
  it('data-science-1’s job sees only the granted rows and columns, as JSON and as Parquet', async () => {
    const d = await runJob(DS1, request(DS1, [athenaInput('json', 'JSON'), athenaInput('parquet', 'PARQUET')]));
    expect(d.FailureReason).toBeUndefined();
    expect(d.ProcessingJobStatus).toBe('Completed');
    const s3 = s3Of(DS1);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket(DS1), Prefix: `${id}/out/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => k.includes('/out/json/'))).toHaveLength(1);
    expect(keys.filter((k) => k.includes('/out/parquet/'))).toHaveLength(1);
    const jsonKey = keys.find((k) => k.includes('/out/json/'))!;
    const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket(DS1), Key: jsonKey }))).Body!.transformToString();
    expect(text.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, name: 'Ana', region: 'EU', spend: 10.5 },
      { id: 3, name: 'Cy', region: 'EU', spend: 30.25 },
    ]);
    // The Parquet file the job saw, read back with DuckDB: typed columns, no ssn, EU rows only.
    const parquetKey = keys.find((k) => k.includes('/out/parquet/'))!;
    const dir = await mkdtemp(join(tmpdir(), 'mlzone-athenads-'));
    try {
      const file = join(dir, 'data.parquet');
      await writeFile(file, await (await s3.send(new GetObjectCommand({ Bucket: bucket(DS1), Key: parquetKey }))).Body!.transformToByteArray());
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      const reader = await c.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY id`);
      expect(reader.columnNames()).toEqual(['id', 'name', 'region', 'spend']);
      expect(reader.columnTypes().map(String)).toEqual(['BIGINT', 'VARCHAR', 'VARCHAR', 'DOUBLE']);
      expect(reader.getRowsJson()).toEqual([
        ['1', 'Ana', 'EU', 10.5],
        ['3', 'Cy', 'EU', 30.25],
      ]);
      c.closeSync();
      instance.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // The unloaded files stay under OutputS3Uri, written as the role.
    const unloaded = await s3.send(new ListObjectsV2Command({ Bucket: bucket(DS1), Prefix: `${id}/athena/${d.ProcessingJobName}/` }));
    expect((unloaded.Contents ?? []).length).toBe(2);
  });

  it('naming the excluded column fails the job with Athena’s reason', async () => {
    const d = await runJob(DS1, request(DS1, [athenaInput('json', 'JSON', 'SELECT id, ssn FROM customers')]));
    expect(d.ProcessingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: Input json: Athena query failed \(query execution [0-9a-f-]+, FAILED\): COLUMN_NOT_FOUND: .*'ssn'/);
  });

  it('data-science-2’s role, granted nothing, gets a Failed job that names the cause (IAM first, then Lake Formation)', async () => {
    const denied = await runJob(DS2, request(DS2, [athenaInput('json', 'JSON', 'SELECT * FROM customers', DS2)]));
    expect(denied.ProcessingJobStatus).toBe('Failed');
    expect(denied.FailureReason).toMatch(/^ClientError: Input json: Athena query failed: AccessDeniedException: .*SageMakerExecution.* is not authorized to perform: athena:StartQueryExecution/);
    // IAM now lets the role use Athena and the catalog; Lake Formation still grants it nothing on the table.
    await new IAMClient(clientConfig(server.url, lake.admins[DS2]!)).send(
      new PutRolePolicyCommand({
        RoleName: 'SageMakerExecution',
        PolicyName: 'athena',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['athena:*', 'glue:GetDatabase*', 'glue:GetTable*', 'glue:GetPartition*', 'lakeformation:GetDataAccess'], Resource: '*' }] }),
      }),
    );
    const d = await runJob(DS2, request(DS2, [athenaInput('json', 'JSON', 'SELECT * FROM customers', DS2)]));
    expect(d.ProcessingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: Input json: Athena query failed \(query execution [0-9a-f-]+, FAILED\): (TABLE_NOT_FOUND|.*Insufficient Lake Formation permission)/);
  });

  it('Redshift datasets and the formats mlzone does not write are refused at CreateProcessingJob', async () => {
    const sm = new SageMakerClient(clientConfig(server.url, scientists[DS1]!));
    await expect(sm.send(new CreateProcessingJobCommand(request(DS1, [athenaInput('json', 'ORC')])))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^1 validation error detected: Value 'ORC' at 'processingInputs\.1\.member\.datasetDefinition\.athenaDatasetDefinition\.outputFormat' failed to satisfy constraint: Member must satisfy enum value set: \[PARQUET, JSON, TEXTFILE\]/),
    });
    const redshift: ProcessingInput = {
      InputName: 'rs',
      DatasetDefinition: {
        RedshiftDatasetDefinition: { ClusterId: 'c1', Database: 'dev', DbUser: 'u', QueryString: 'select 1', ClusterRoleArn: role(DS1, 'SageMakerExecution'), OutputS3Uri: `s3://${bucket(DS1)}/rs/`, OutputFormat: 'PARQUET' },
        LocalPath: '/opt/ml/processing/input/rs',
      },
    };
    await expect(sm.send(new CreateProcessingJobCommand(request(DS1, [redshift])))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/mlzone does not serve Amazon Redshift/) });
  });
});
