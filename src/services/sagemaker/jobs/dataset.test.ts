import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import type { ProcessingInput } from '../api.gen.js';
import { s3Base, unloadStatement, validateDatasetInputs } from './dataset.js';

const athena = (over: Record<string, unknown> = {}, dd: Record<string, unknown> = {}): ProcessingInput =>
  ({
    InputName: 'in',
    DatasetDefinition: { AthenaDatasetDefinition: { Catalog: 'AwsDataCatalog', Database: 'db', QueryString: 'SELECT 1', OutputS3Uri: 's3://b/p/', OutputFormat: 'PARQUET', ...over }, LocalPath: '/opt/ml/processing/in', ...dd },
  }) as ProcessingInput;

const refusal = (inputs: ProcessingInput[]) => {
  try {
    validateDatasetInputs(inputs);
  } catch (e) {
    return isAwsError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return undefined;
};

describe('Athena dataset definitions', () => {
  it('wraps the query in an UNLOAD with the format and compression, quoting the target', () => {
    expect(unloadStatement({ Catalog: 'c', Database: 'd', QueryString: 'SELECT * FROM t;  ', OutputS3Uri: 's3://b/p', OutputFormat: 'JSON', OutputCompression: 'GZIP' }, "s3://b/p/it's/")).toBe(
      "UNLOAD (SELECT * FROM t) TO 's3://b/p/it''s/' WITH (format = 'JSON', compression = 'GZIP')",
    );
  });

  it('reads OutputS3Uri as s3:// or as an https URL (virtual-hosted or path-style)', () => {
    expect(s3Base('s3://b/p/')).toBe('s3://b/p');
    expect(s3Base('https://my-bucket.s3.us-east-1.amazonaws.com/a/b/')).toBe('s3://my-bucket/a/b');
    expect(s3Base('https://my.bucket.s3.amazonaws.com')).toBe('s3://my.bucket');
    expect(s3Base('https://s3.us-east-1.amazonaws.com/my-bucket/a')).toBe('s3://my-bucket/a');
  });

  it('refuses at create what mlzone cannot run', () => {
    expect(refusal([athena()])).toBeUndefined();
    expect(refusal([athena({ OutputFormat: 'TEXTFILE', OutputCompression: 'GZIP' })])).toBeUndefined();
    expect(refusal([athena(), athena({ OutputFormat: 'AVRO' })])).toBe(
      "ValidationException: 1 validation error detected: Value 'AVRO' at 'processingInputs.2.member.datasetDefinition.athenaDatasetDefinition.outputFormat' failed to satisfy constraint: Member must satisfy enum value set: [PARQUET, JSON, TEXTFILE] (OutputFormat AVRO is not supported by mlzone)",
    );
    expect(refusal([athena({ OutputCompression: 'ZLIB' })])).toMatch(/ZLIB/);
    expect(refusal([athena({ OutputFormat: 'JSON', OutputCompression: 'SNAPPY' })])).toMatch(/SNAPPY/);
    expect(refusal([athena({}, { InputMode: 'Pipe' })])).toMatch(/Pipe/);
    expect(refusal([athena({}, { LocalPath: undefined })])).toMatch(/LocalPath is required/);
    expect(refusal([{ InputName: 'x' } as ProcessingInput])).toMatch(/exactly one of S3Input and DatasetDefinition/);
    expect(refusal([{ InputName: 'x', DatasetDefinition: { LocalPath: '/opt/ml/processing/x' } } as ProcessingInput])).toMatch(/exactly one of AthenaDatasetDefinition and RedshiftDatasetDefinition/);
  });
});
