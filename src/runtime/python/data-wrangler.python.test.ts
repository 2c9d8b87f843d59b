// The Data Wrangler runtime (data_wrangler.py) as a job container, without a server: a job folder laid out as the
// service stages it (processingjobconfig.json, the flow, the sources), run through the process runtime with host
// paths, then the outputs and failure reasons read back. Covers what the e2e tests do not: encoder strategies, the
// Vector style, header-less CSV, JSON lines, sub-operators and arguments mlzone refuses. Skipped without pandas.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessRuntime } from '../process-runtime.js';

const PYTHON = '/usr/bin/python3';
const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasPandas) console.warn(`skipping the Data Wrangler runtime tests: ${PYTHON} lacks pandas (apt-get install -y python3-pandas)`);

const root = mkdtempSync(join(tmpdir(), 'mlzone-dw-runtime-'));
const runtime = createProcessRuntime({ python: PYTHON, stopGraceMs: 1000, optMl: 'host' });
afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

type Node = Record<string, unknown> & { node_id: string };
let counter = 0;

/** Runs a flow whose source `src` reads `files` (under /opt/ml/processing/data); returns the output text and the failure. */
async function run(source: Record<string, unknown>, transforms: Record<string, unknown>[], files: Record<string, string>, args?: string[], featureStore = false): Promise<{ code: number | null; output?: string; failure?: string; lines: string[] }> {
  const jobDir = join(root, `job-${++counter}`);
  const nodes: Node[] = [{ node_id: 'src', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', parameters: { dataset_definition: { name: 'data', ...source } }, inputs: [], outputs: [{ name: 'default' }] }];
  transforms.forEach((t, i) => nodes.push({ node_id: `t${i}`, type: 'TRANSFORM', inputs: [{ name: 'default', node_id: nodes[nodes.length - 1]!.node_id, output_name: 'default' }], outputs: [{ name: 'default' }], ...t }));
  const last = nodes[nodes.length - 1]!.node_id;
  const write = (path: string, text: string) => {
    mkdirSync(join(jobDir, path, '..'), { recursive: true });
    writeFileSync(join(jobDir, path), text);
  };
  write('processing/flow/job.flow', JSON.stringify({ metadata: { version: 1, disable_limits: false }, nodes }));
  for (const [name, text] of Object.entries(files)) write(`processing/data/${name}`, text);
  write(
    'config/processingjobconfig.json',
    JSON.stringify({
      ProcessingInputs: [
        { InputName: 'flow', S3Input: { LocalPath: '/opt/ml/processing/flow' } },
        { InputName: 'data', S3Input: { LocalPath: '/opt/ml/processing/data' } },
      ],
      ProcessingOutputConfig: {
        Outputs: [featureStore ? { OutputName: `${last}.default`, AppManaged: true, FeatureStoreOutput: { FeatureGroupName: 'fg' } } : { OutputName: `${last}.default`, S3Output: { LocalPath: '/opt/ml/processing/out', S3Uri: 's3://b/o' } }],
      },
    }),
  );
  const lines: string[] = [];
  const container = await runtime.startJob({
    image: { kind: 'data-wrangler', version: '3.x' },
    kind: 'processing',
    jobDir,
    arguments: args ?? [`--output-config '{"${last}.default": {"content_type": "CSV"}}'`],
    environment: {},
    hosts: ['algo-1'],
    currentHost: 'algo-1',
    name: `dw/${counter}`,
    log: (l) => lines.push(l),
  });
  const exit = await container.exited;
  const out = join(jobDir, 'processing', 'out');
  const produced = existsSync(out) ? readdirSync(out) : [];
  const failure = join(jobDir, 'output', 'failure');
  return {
    code: exit.code,
    lines,
    ...(produced.length ? { output: readFileSync(join(out, produced[0]!), 'utf8') } : {}),
    ...(existsSync(failure) ? { failure: readFileSync(failure, 'utf8') } : {}),
  };
}

const csv = { s3ExecutionContext: { s3ContentType: 'csv', s3HasHeader: true } };
const COLORS = { 'part-0.csv': 'id,color\n1,red\n2,blue\n3,red\n4,\n5,green\n' };
const encode = (operator: string, parameters: Record<string, unknown>) => ({
  operator: 'sagemaker.spark.encode_categorical_0.1',
  parameters: { operator, [operator === 'Ordinal encode' ? 'ordinal_encode_parameters' : 'one_hot_encode_parameters']: parameters },
});

describe.skipIf(!hasPandas)('the Data Wrangler runtime', () => {
  it('ordinal encoding: frequency order (ties alphabetical); Keep, Skip and Replace with NaN for missing values; Error fails', async () => {
    const keep = await run(csv, [encode('Ordinal encode', { input_column: 'color', output_column: 'code', invalid_handling_strategy: 'Keep' })], COLORS);
    expect(keep.failure).toBeUndefined();
    expect(keep.output!.trim().split('\n')).toEqual(['id,color,code', '1,red,0.0', '2,blue,1.0', '3,red,0.0', '4,,3.0', '5,green,2.0']);
    const skip = await run(csv, [encode('Ordinal encode', { input_column: 'color', invalid_handling_strategy: 'Skip' })], COLORS);
    expect(skip.output!.trim().split('\n')).toEqual(['id,color', '1,0.0', '2,1.0', '3,0.0', '5,2.0']);
    const nan = await run(csv, [encode('Ordinal encode', { input_column: 'color', invalid_handling_strategy: 'Replace with NaN' })], COLORS);
    expect(nan.output!.trim().split('\n')[4]).toBe('4,');
    const error = await run(csv, [encode('Ordinal encode', { input_column: 'color' })], COLORS);
    expect(error.code).toBe(1);
    expect(error.failure).toBe("Data Wrangler flow failed: node t0: column 'color' has missing values and invalid handling is 'Error'");
  });

  it('one-hot encoding: drop_last by default, Columns and Vector styles', async () => {
    const data = { 'part-0.csv': 'id,color\n1,red\n2,blue\n3,red\n' };
    const columns = await run(csv, [encode('One-hot encode', { input_column: ['color'], output_style: 'Columns' })], data);
    expect(columns.output!.trim().split('\n')).toEqual(['id,color_red', '1,1.0', '2,0.0', '3,1.0']);
    const vector = await run(csv, [encode('One-hot encode', { input_column: 'color', drop_last: false, output_style: 'Vector', output_column: 'v' })], data);
    expect(vector.output!.trim().split('\n')).toEqual(['id,color,v', '1,red,"[1.0, 0.0]"', '2,blue,"[0.0, 1.0]"', '3,red,"[1.0, 0.0]"']);
  });

  it('reads header-less CSV with another delimiter as _c0…, and JSON lines; infers types without a trained schema', async () => {
    const piped = await run({ s3ExecutionContext: { s3ContentType: 'csv', s3HasHeader: false, s3FieldDelimiter: '|' } }, [{ operator: 'sagemaker.spark.infer_and_cast_type_0.1', parameters: {} }, { operator: 'sagemaker.spark.custom_pandas_0.1', parameters: { code: "df['sum'] = df['_c0'] + df['_c1']" } }], {
      'a.csv': '1|2.5|x\n3|4|y\n',
    });
    expect(piped.failure).toBeUndefined();
    expect(piped.output!.trim().split('\n')).toEqual(['_c0,_c1,_c2,sum', '1,2.5,x,3.5', '3,4.0,y,7.0']);
    const json = await run({ s3ExecutionContext: { s3ContentType: 'json' } }, [{ operator: 'sagemaker.spark.manage_columns_0.1', parameters: { operator: 'Duplicate column', duplicate_column_parameters: { input_column: 'a', new_name: 'b' } } }], {
      'a.json': '{"a": 1}\n{"a": 2}\n',
    });
    expect(json.output!.trim().split('\n')).toEqual(['a,b', '1,1', '2,2']);
  });

  it('names what it refuses: a sub-operator, a missing column, a bad --output-config, an output that names no node, Feature Store outputs, multi-input operators', async () => {
    const move = await run(csv, [{ operator: 'sagemaker.spark.manage_columns_0.1', parameters: { operator: 'Move column', move_column_parameters: {} } }], COLORS);
    expect(move.failure).toMatch(/^Data Wrangler flow failed: node t0 \(sagemaker\.spark\.manage_columns_0\.1\): operator 'Move column' is not supported by mlzone \(supported: Drop column, Duplicate column, Rename column\)$/);
    const missing = await run(csv, [{ operator: 'sagemaker.spark.manage_columns_0.1', parameters: { operator: 'Drop column', drop_column_parameters: { column_to_drop: 'ssn' } } }], COLORS);
    expect(missing.failure).toBe("Data Wrangler flow failed: node t0: cannot resolve column name 'ssn' (columns: id, color)");
    const bad = await run(csv, [], COLORS, ['--output-config', '{not json']);
    expect(bad.failure).toMatch(/^Data Wrangler flow failed: --output-config must be a JSON object/);
    const nowhere = await run(csv, [], COLORS, ['--output-config', '{"nope.default": {"content_type": "CSV"}}']);
    expect(nowhere.failure).toBe('Data Wrangler flow failed: the output nope.default names no node of the flow');
    const store = await run(csv, [], COLORS, undefined, true);
    expect(store.failure).toMatch(/^Data Wrangler flow failed: the output src\.default goes to Feature Store \(FeatureStoreOutput\), which mlzone's Data Wrangler runtime does not write/);
    const join2 = await run(csv, [{ operator: 'sagemaker.spark.join_tables_0.1', parameters: {} }], COLORS);
    expect(join2.failure).toMatch(/^Data Wrangler flow failed: node t0: operator sagemaker\.spark\.join_tables_0\.1 is not supported by mlzone/);
  });
});
