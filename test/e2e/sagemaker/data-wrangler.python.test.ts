/**
 * SageMaker Data Wrangler jobs with the JS SDK, laid out as the SageMaker Python SDK's `DataWranglerProcessor` and
 * Studio's export notebook lay them out (reference §8.3): the `.flow` as the input `flow`, one input per source
 * named after its dataset (an Athena source becomes an AthenaDatasetDefinition, run as the job's role), the node
 * output `<node_id>.default` as the ProcessingOutput, `--output-config` as the one container argument.
 *
 * data-science-1's execution role was granted the EU rows of `sales.customers` without `ssn` (a data-cells filter
 * shared from the lake): the flow's Athena source sees only those. A CSV source goes through missing-value
 * handling, column management and encoders to Parquet. A flow with an operator mlzone does not interpret fails.
 * Needs Debian's Python with pandas (apt-get install -y python3-pandas); skipped without it.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateProcessingJobCommand, DescribeProcessingJobCommand, SageMakerClient, type DescribeProcessingJobCommandOutput, type ProcessingInput } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { role, shareCustomersWithJobs } from '../support/lake-share.js';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds, credentialsEnv } from '../support/sessions.js';

const PYTHON = '/usr/bin/python3';
const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasPandas) console.warn(`skipping Data Wrangler jobs: ${PYTHON} lacks pandas (apt-get install -y python3-pandas)`);

const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const DATA_WRANGLER = '663277389841.dkr.ecr.us-east-1.amazonaws.com/sagemaker-data-wrangler-container:3.x';
const id = unique('dw');

let server: TestServer;
let scientist: Creds;

interface FlowNode {
  node_id: string;
  type: 'SOURCE' | 'TRANSFORM' | 'DESTINATION';
  operator: string;
  parameters: Record<string, unknown>;
  trained_parameters?: Record<string, unknown>;
  inputs: { name: string; node_id: string; output_name: string }[];
  outputs: { name: string }[];
}

/** A linear flow: a source, then each transform fed by the previous node. */
function flow(source: Omit<FlowNode, 'inputs' | 'outputs' | 'type'>, transforms: Omit<FlowNode, 'inputs' | 'outputs' | 'type'>[]): { nodes: FlowNode[]; last: string } {
  const nodes: FlowNode[] = [{ ...source, type: 'SOURCE', inputs: [], outputs: [{ name: 'default' }] }];
  for (const t of transforms) nodes.push({ ...t, type: 'TRANSFORM', inputs: [{ name: 'default', node_id: nodes[nodes.length - 1]!.node_id, output_name: 'default' }], outputs: [{ name: 'default' }] });
  return { nodes, last: nodes[nodes.length - 1]!.node_id };
}

const transform = (node_id: string, operator: string, parameters: Record<string, unknown>, trained?: Record<string, unknown>) => ({
  node_id,
  operator: `sagemaker.spark.${operator}`,
  parameters,
  ...(trained ? { trained_parameters: trained } : {}),
});

/** Athena source (the shared customers) → cast → one-hot region → custom pandas. */
function athenaFlow(): { nodes: FlowNode[]; last: string } {
  return flow(
    {
      node_id: 'src-athena',
      operator: 'sagemaker.athena_source_0.1',
      parameters: {
        dataset_definition: {
          datasetSourceType: 'Athena',
          name: 'customers',
          catalogName: 'AwsDataCatalog',
          databaseName: 'lake',
          queryString: 'SELECT * FROM customers',
          s3OutputLocation: `s3://${BUCKET}/${id}/athena/`,
          outputFormat: 'parquet',
        },
      },
    },
    [
      transform('cast', 'infer_and_cast_type_0.1', {}, { schema: { id: 'long', name: 'string', region: 'string', spend: 'float' } }),
      transform('onehot', 'encode_categorical_0.1', { operator: 'One-hot encode', one_hot_encode_parameters: { input_column: ['region'], drop_last: false, output_style: 'Columns' } }),
      transform('double', 'custom_pandas_0.1', { code: "df['spend2'] = df['spend'] * 2\ndf = df.sort_values('id')" }),
    ],
  );
}

const s3 = () => new S3Client({ ...clientConfig(server.url, scientist), forcePathStyle: true });

/** Uploads the flow and runs it as data-science-1's execution role; returns the job and its output objects. */
async function runFlow(name: string, f: { nodes: FlowNode[]; last: string }, sources: ProcessingInput[], contentType: 'CSV' | 'PARQUET'): Promise<{ job: DescribeProcessingJobCommandOutput; keys: string[] }> {
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/${name}/flow/${name}.flow`, Body: JSON.stringify({ metadata: { version: 1, disable_limits: false }, parameters: [], nodes: f.nodes }) }));
  const output = `${f.last}.default`;
  const sm = new SageMakerClient(clientConfig(server.url, scientist));
  const jobName = unique(`dw-${name}`);
  await sm.send(
    new CreateProcessingJobCommand({
      ProcessingJobName: jobName,
      RoleArn: role(DS1, 'SageMakerExecution'),
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.4xlarge', VolumeSizeInGB: 30 } },
      AppSpecification: { ImageUri: DATA_WRANGLER, ContainerArguments: [`--output-config '${JSON.stringify({ [output]: { content_type: contentType } })}'`] },
      ProcessingInputs: [
        {
          InputName: 'flow',
          S3Input: { S3Uri: `s3://${BUCKET}/${id}/${name}/flow/${name}.flow`, LocalPath: '/opt/ml/processing/flow', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated' },
        },
        ...sources,
      ],
      ProcessingOutputConfig: { Outputs: [{ OutputName: output, S3Output: { S3Uri: `s3://${BUCKET}/${id}/${name}/output`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }] },
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: jobName }));
    if (job.ProcessingJobStatus !== 'InProgress') {
      const listed = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${id}/${name}/output/` }));
      return { job, keys: (listed.Contents ?? []).map((o) => o.Key!) };
    }
    if (Date.now() > deadline) throw new Error('still InProgress');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const read = async (key: string) => (await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();

beforeAll(async () => {
  if (!hasPandas) return;
  server = await startTestServer();
  await shareCustomersWithJobs(server);
  scientist = await assumeRole(server.url, users.ds1Scientist, role(DS1, 'DataScientist'));
  const csv = ['customer,plan,tenure,score', '1,gold,3,0.5', '2,,7,', '3,silver,,0.25', '4,gold,1,0.75', '5,bronze,2,'].join('\n') + '\n';
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/raw/plans.csv`, Body: csv }));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe.skipIf(!hasPandas)('Data Wrangler flows as processing jobs', () => {
  it('an Athena source sees only what the execution role was granted (EU rows, no ssn)', async () => {
    const f = athenaFlow();
    const athena: ProcessingInput = {
      InputName: 'customers',
      AppManaged: false,
      DatasetDefinition: {
        AthenaDatasetDefinition: { Catalog: 'AwsDataCatalog', Database: 'lake', QueryString: 'SELECT * FROM customers', OutputS3Uri: `s3://${BUCKET}/${id}/athena/customers/`, OutputFormat: 'PARQUET' },
        LocalPath: '/opt/ml/processing/customers',
        DataDistributionType: 'FullyReplicated',
        InputMode: 'File',
      },
    };
    const { job, keys } = await runFlow('athena', f, [athena], 'CSV');
    expect(job.FailureReason).toBeUndefined();
    expect(job.ProcessingJobStatus).toBe('Completed');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\/output\/part-00000-[0-9a-f-]+\.csv$/);
    const text = Buffer.from(await read(keys[0]!)).toString('utf8');
    expect(text.trim().split('\n')).toEqual(['id,name,spend,region_EU,spend2', '1,Ana,10.5,1.0,21.0', '3,Cy,30.25,1.0,60.5']);
  });

  it('a CSV source through missing values, columns and encoders, written as Parquet', async () => {
    const f = flow(
      {
        node_id: 'src-s3',
        operator: 'sagemaker.s3_source_0.1',
        parameters: { dataset_definition: { datasetSourceType: 'S3', name: 'plans.csv', s3ExecutionContext: { s3Uri: `s3://${BUCKET}/${id}/raw/plans.csv`, s3ContentType: 'csv', s3HasHeader: true, s3FieldDelimiter: ',' } } },
      },
      [
        transform('cast', 'infer_and_cast_type_0.1', {}),
        transform('impute', 'handle_missing_0.1', { operator: 'Impute', impute_parameters: { column_type: 'Numeric', numeric_parameters: { input_column: ['score'], strategy: 'Mean' } } }),
        transform('fill', 'handle_missing_0.1', { operator: 'Fill missing', fill_missing_parameters: { input_column: ['plan'], fill_value: 'none' } }),
        transform('dropna', 'handle_missing_0.1', { operator: 'Drop missing', drop_missing_parameters: { dimension: 'Drop Rows', drop_rows_parameters: { input_column: ['tenure'] } } }),
        transform('rename', 'manage_columns_0.1', { operator: 'Rename column', rename_column_parameters: { input_column: 'customer', new_name: 'customer_id' } }),
        transform('ordinal', 'encode_categorical_0.1', { operator: 'Ordinal encode', ordinal_encode_parameters: { input_column: ['plan'], invalid_handling_strategy: 'Keep' } }),
        transform('drop', 'manage_columns_0.1', { operator: 'Drop column', drop_column_parameters: { column_to_drop: ['tenure'] } }),
      ],
    );
    const source: ProcessingInput = {
      InputName: 'plans.csv',
      S3Input: { S3Uri: `s3://${BUCKET}/${id}/raw/plans.csv`, LocalPath: '/opt/ml/processing/plans.csv', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated' },
    };
    const { job, keys } = await runFlow('csv', f, [source], 'PARQUET');
    expect(job.FailureReason).toBeUndefined();
    expect(job.ProcessingJobStatus).toBe('Completed');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\.parquet$/);
    const dir = await mkdtemp(join(tmpdir(), 'mlzone-dw-'));
    try {
      const file = join(dir, 'out.parquet');
      await writeFile(file, await read(keys[0]!));
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      const reader = await c.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
      expect(reader.columnNames()).toEqual(['customer_id', 'plan', 'score']);
      expect(reader.columnTypes().map(String)).toEqual(['BIGINT', 'DOUBLE', 'DOUBLE']);
      // Customer 3 had no tenure (dropped); plan: gold (2) → 0, bronze and none (1 each, alphabetical) → 1, 2;
      // the missing scores take the mean of the known ones (0.5, 0.25, 0.75).
      expect(reader.getRowsJson()).toEqual([
        ['1', 0, 0.5],
        ['2', 2, 0.5],
        ['4', 0, 0.75],
        ['5', 1, 0.5],
      ]);
      c.closeSync();
      instance.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an operator mlzone does not interpret fails the job, naming the node and the operator', async () => {
    const f = flow(
      {
        node_id: 'src-s3',
        operator: 'sagemaker.s3_source_0.1',
        parameters: { dataset_definition: { datasetSourceType: 'S3', name: 'plans.csv', s3ExecutionContext: { s3Uri: `s3://${BUCKET}/${id}/raw/plans.csv`, s3ContentType: 'csv', s3HasHeader: true } } },
      },
      [transform('cast', 'infer_and_cast_type_0.1', {}), transform('scale-1', 'process_numeric_0.1', { operator: 'Scale values', scale_values_parameters: { input_column: 'score' } })],
    );
    const source: ProcessingInput = { InputName: 'plans.csv', S3Input: { S3Uri: `s3://${BUCKET}/${id}/raw/plans.csv`, LocalPath: '/opt/ml/processing/plans.csv', S3DataType: 'S3Prefix', S3InputMode: 'File' } };
    const { job, keys } = await runFlow('unsupported', f, [source], 'CSV');
    expect(job.ProcessingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^AlgorithmError: Data Wrangler flow failed: node scale-1: operator sagemaker\.spark\.process_numeric_0\.1 is not supported by mlzone/);
    expect(keys).toEqual([]);
  });

  it.skipIf(!hasBoto3)('boto3, with the request shapes of the SageMaker Python SDK’s DataWranglerProcessor and its waiter', async () => {
    const f = athenaFlow();
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${id}/boto3/flow/customers.flow`, Body: JSON.stringify({ metadata: { version: 1, disable_limits: false }, nodes: f.nodes }) }));
    const r = await run(python, [join(dirname(fileURLToPath(import.meta.url)), 'data_wrangler_boto3.py')], {
      MLZONE_URL: server.url,
      BUCKET,
      PREFIX: id,
      OUTPUT_NODE: f.last,
      FLOW_URI: `s3://${BUCKET}/${id}/boto3/flow/customers.flow`,
      ...credentialsEnv(scientist),
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { status: string; failure?: string; inputs: string[]; outputs: Record<string, string> };
    expect(out.failure).toBeNull();
    expect(out.status).toBe('Completed');
    expect(out.inputs).toEqual(['flow', 'customers']);
    expect(Object.values(out.outputs).map((t) => t.trim().split('\n'))).toEqual([['id,name,spend,region_EU,spend2', '1,Ana,10.5,1.0,21.0', '3,Cy,30.25,1.0,60.5']]);
  });
});
