/**
 * `ProcessingInputs[].DatasetDefinition` (reference §3.2): before the container starts, an Athena dataset is
 * produced by running the definition's query **as the job's role** through Athena — an
 * `UNLOAD (<QueryString>) TO '<OutputS3Uri>/<job>/<input>/<attempt>/' WITH (format = …)` in the given catalog,
 * database and workgroup — so Lake Formation decides what the job may see exactly as it does for the role's own
 * queries: `SELECT *` narrows to the granted columns, row filters drop rows, a table the role may not read fails
 * the query. The unloaded files are then staged into `LocalPath` like an S3 input. A failed query fails the job
 * with `ClientError: … Athena query failed: <Athena's reason>`.
 *
 * Redshift datasets are refused when the job is created (mlzone does not serve Redshift), as are the Athena
 * output formats mlzone does not write (ORC, AVRO).
 */
import { randomUUID } from 'node:crypto';
import { isAwsError } from '../../../core/errors.js';
import type { Principal } from '../../../core/principal.js';
import type { AthenaDatasetDefinition, ProcessingInput } from '../api.gen.js';
import { errors } from '../domain/errors.js';
import type { HostingPorts } from '../hosting/ports.js';
import { JobFailure } from './role-s3.js';
import type { JobControl } from './scheduler.js';

/** The output formats mlzone's Athena unloads. */
const SUPPORTED_FORMATS = new Set(['PARQUET', 'JSON', 'TEXTFILE']);

/** CreateProcessingJob's checks of the dataset inputs: what mlzone cannot run is refused before a job exists. */
export function validateDatasetInputs(inputs: readonly ProcessingInput[]): void {
  for (const [index, input] of inputs.entries()) {
    const dd = input.DatasetDefinition;
    if (input.S3Input && dd) throw errors.validation(`Input ${input.InputName} must specify exactly one of S3Input and DatasetDefinition.`);
    if (!input.S3Input && !dd) throw errors.validation(`Input ${input.InputName} must specify exactly one of S3Input and DatasetDefinition.`);
    if (!dd) continue;
    if (dd.RedshiftDatasetDefinition) {
      throw errors.validation(`RedshiftDatasetDefinition (input ${input.InputName}) is not supported: mlzone does not serve Amazon Redshift. Use an AthenaDatasetDefinition or an S3Input.`);
    }
    const athena = dd.AthenaDatasetDefinition;
    if (!athena) throw errors.validation(`DatasetDefinition of input ${input.InputName} must specify exactly one of AthenaDatasetDefinition and RedshiftDatasetDefinition.`);
    if (!SUPPORTED_FORMATS.has(athena.OutputFormat)) {
      // AWS's own validation wording, with the value set mlzone writes (AWS also writes ORC and AVRO).
      throw errors.validation(
        `1 validation error detected: Value '${athena.OutputFormat}' at 'processingInputs.${index + 1}.member.datasetDefinition.athenaDatasetDefinition.outputFormat' failed to satisfy constraint: Member must satisfy enum value set: [PARQUET, JSON, TEXTFILE] (OutputFormat ${athena.OutputFormat} is not supported by mlzone)`,
      );
    }
    if (athena.OutputCompression === 'ZLIB') throw errors.validation(`OutputCompression ZLIB of input ${input.InputName} applies to ORC only: use GZIP or SNAPPY.`);
    if (athena.OutputCompression === 'SNAPPY' && athena.OutputFormat !== 'PARQUET') throw errors.validation(`OutputCompression SNAPPY of input ${input.InputName} is not supported for ${athena.OutputFormat}: use GZIP.`);
    if (dd.InputMode === 'Pipe') throw errors.validation(`InputMode Pipe of input ${input.InputName} is not supported by mlzone: use File.`);
    if (dd.LocalPath === undefined && input.AppManaged !== true) throw errors.validation(`LocalPath is required for DatasetDefinition input ${input.InputName} when AppManaged is false.`);
  }
}

interface QueryExecution {
  readonly Status?: { readonly State?: string; readonly StateChangeReason?: string };
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

function quoteSql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * `OutputS3Uri` as `s3://bucket/prefix` (no trailing slash). The model also allows `https://` URLs: virtual-hosted
 * (`bucket.s3[.region].amazonaws.com/prefix`) or path-style (`s3[.region].amazonaws.com/bucket/prefix`).
 */
export function s3Base(uri: string): string {
  const trimmed = uri.replace(/\/+$/, '');
  const m = /^https:\/\/([^/]+)\/?(.*)$/.exec(trimmed);
  if (!m) return trimmed;
  const [, host, path] = m as unknown as [string, string, string];
  const virtual = /^(.+?)\.s3[.-]/.exec(host);
  if (virtual) return `s3://${virtual[1]}${path ? `/${path}` : ''}`;
  return `s3://${path}`;
}

/** The UNLOAD statement for a definition (exported for the unit test). */
export function unloadStatement(def: AthenaDatasetDefinition, target: string): string {
  const query = def.QueryString.trim().replace(/;\s*$/, '');
  const props = [`format = ${quoteSql(def.OutputFormat)}`];
  if (def.OutputCompression) props.push(`compression = ${quoteSql(def.OutputCompression)}`);
  return `UNLOAD (${query}) TO ${quoteSql(target)} WITH (${props.join(', ')})`;
}

/**
 * Runs the input's Athena query as the role and returns the S3 prefix that holds the unloaded files.
 * Waits as long as the query runs; a stopped job cancels it (and gets undefined).
 */
export async function produceAthenaDataset(
  ports: HostingPorts,
  as: Principal,
  region: string,
  job: { readonly arn: string; readonly name: string },
  input: ProcessingInput,
  control: JobControl,
): Promise<string | undefined> {
  const def = input.DatasetDefinition!.AthenaDatasetDefinition!;
  const call = <O>(operation: string, body: Record<string, unknown>) =>
    ports.internal().call<O>({ service: 'athena', operation, input: body, principal: as, region, via: { calledVia: ['sagemaker.amazonaws.com'], sourceArn: job.arn } });
  const base = s3Base(def.OutputS3Uri);
  const target = `${base}/${job.name}/${input.InputName}/${randomUUID()}/`;
  const what = `Input ${input.InputName}: Athena query failed`;
  let id: string;
  try {
    const started = await call<{ QueryExecutionId: string }>('StartQueryExecution', {
      QueryString: unloadStatement(def, target),
      QueryExecutionContext: { Catalog: def.Catalog, Database: def.Database },
      ResultConfiguration: { OutputLocation: `${base}/` },
      ...(def.WorkGroup ? { WorkGroup: def.WorkGroup } : {}),
    });
    id = started.QueryExecutionId;
  } catch (e) {
    throw new JobFailure(`ClientError: ${what}: ${isAwsError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e)}`.slice(0, 1024));
  }
  let pause = 20;
  for (;;) {
    let execution: QueryExecution | undefined;
    try {
      execution = (await call<{ QueryExecution?: QueryExecution }>('GetQueryExecution', { QueryExecutionId: id })).QueryExecution;
    } catch (e) {
      throw new JobFailure(`ClientError: ${what}: ${isAwsError(e) ? `${e.code}: ${e.message}` : String(e)}`.slice(0, 1024));
    }
    const state = execution?.Status?.State ?? 'FAILED';
    if (state === 'SUCCEEDED') return target;
    if (TERMINAL.has(state)) throw new JobFailure(`ClientError: ${what} (query execution ${id}, ${state}): ${execution?.Status?.StateChangeReason ?? 'no reason given'}`.slice(0, 1024));
    if (control.stopped) {
      await call('StopQueryExecution', { QueryExecutionId: id }).catch(() => undefined);
      return undefined;
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 500);
  }
}
