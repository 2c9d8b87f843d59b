/**
 * The record engine of batch transform: what SageMaker does between reading an input object and writing its `.out`
 * object, with no I/O of its own (the runner reads S3, calls the containers and writes S3).
 *
 * Flow for one input object (`transformObject` strings the steps together; each is exported for a runner that
 * wants its own scheduling):
 *   decodeInput (Gzip)  →  splitRecords (SplitType)  →  DataProcessor.filterInput (InputFilter, per record)
 *   →  batches (BatchStrategy, MaxPayloadInMB)  →  invoke /invocations per batch, in order
 *   →  DataProcessor.finishBatch (JoinSource, OutputFilter)  →  assemble (AssembleWith)  →  outputKey
 *
 * Records of different objects are never mixed in one request ("It doesn't combine mini-batches from different input
 * files", batch-transform.md), so everything here works on one object.
 */
import { gunzipSync } from 'node:zlib';
import { compileDataProcessing, type DataProcessingSpec } from './data-processing.js';
import { TransformDataError } from './errors.js';
import { splitFramed, unframe } from './framing.js';
import { splitLines } from './lines.js';

export type SplitType = 'None' | 'Line' | 'RecordIO' | 'TFRecord';
export type BatchStrategy = 'SingleRecord' | 'MultiRecord';
export type AssembleWith = 'None' | 'Line';
export type CompressionType = 'None' | 'Gzip';

export { compileDataProcessing, filterValidationMessage, recordFormat } from './data-processing.js';
export type { DataProcessingConfig, DataProcessingSpec, DataProcessor, RecordFormat } from './data-processing.js';
export { TransformDataError, isTransformDataError } from './errors.js';
export type { TransformDataErrorKind } from './errors.js';

/** MaxPayloadInMB when the request leaves it out (CreateTransformJob: "The default value is 6 MB"). */
export const DEFAULT_MAX_PAYLOAD_IN_MB = 6;

const MIB = 1024 * 1024;

/** MaxPayloadInMB in bytes; 0 (HTTP chunked streaming of the whole object) means no limit and stays 0. */
export function maxPayloadBytes(maxPayloadInMB: number | undefined): number {
  return (maxPayloadInMB ?? DEFAULT_MAX_PAYLOAD_IN_MB) * MIB;
}

/** The object's bytes as records see them: `CompressionType=Gzip` objects are decompressed first. */
export function decodeInput(data: Buffer, compressionType: CompressionType | undefined): Buffer {
  if (compressionType !== 'Gzip') return data;
  try {
    return gunzipSync(data);
  } catch (cause) {
    throw new TransformDataError('MalformedRecord', 'CompressionType is Gzip but the object is not valid gzip data', { cause });
  }
}

/**
 * Splits an object into records.
 * - `None`: the whole object is one record (even an empty one).
 * - `Line`: one record per `\n`-terminated line, without its line ending (`\r\n` too); a final newline does not make
 *   an empty record. Empty lines in the middle *are* records: SageMaker's documentation promises one output line per
 *   input line, in order, and AWS's own emulation (the Python SDK's local-mode `LineSplitter`) yields blank lines too;
 *   dropping them would shift every later prediction against its `JoinSource=Input` row.
 * - `RecordIO` / `TFRecord`: one record per logical record, *with* its framing (see framing.ts); `batches` strips the
 *   framing for SingleRecord requests and keeps it for MultiRecord ones, as SageMaker does.
 *
 * @example splitRecords(Buffer.from('a,1\r\nb,2\n'), 'Line').map(String) // ['a,1', 'b,2']
 */
export function splitRecords(data: Buffer, splitType: SplitType): Buffer[] {
  switch (splitType) {
    case 'None':
      return [data];
    case 'Line':
      return splitLines(data);
    case 'RecordIO':
    case 'TFRecord':
      return splitFramed(data, splitType);
    default: {
      const never: never = splitType;
      throw new TransformDataError('Unsupported', `unsupported SplitType \`${String(never)}\``);
    }
  }
}

/** One request to the model: its body and which records (by position in the object) it carries. */
export interface Batch {
  readonly body: Buffer;
  /** Position of the first record of the batch in the object. */
  readonly start: number;
  /** Number of records in the batch. */
  readonly count: number;
}

/**
 * Groups records into request bodies.
 * - `SingleRecord`: one record per request (RecordIO/TFRecord framing removed).
 * - `MultiRecord`: as many consecutive records as fit in `maxPayloadBytes`; Line records are joined with `\n`,
 *   framed records are concatenated with their framing.
 * `maxPayloadBytes` 0 means no limit (MaxPayloadInMB=0, streaming). A record that alone exceeds the limit fails
 * the job: "The value in MaxPayloadInMB must be greater than, or equal to, the size of a single record".
 */
export function batches(records: readonly Buffer[], strategy: BatchStrategy, maxPayloadBytes: number, splitType: SplitType): Batch[] {
  const limit = maxPayloadBytes > 0 ? maxPayloadBytes : Infinity;
  const framed = splitType === 'RecordIO' || splitType === 'TFRecord';
  const tooLarge = (index: number, size: number) =>
    new TransformDataError(
      'PayloadTooLarge',
      `Record ${index + 1} is ${size} bytes, larger than MaxPayloadInMB (${maxPayloadBytes / MIB} MB = ${maxPayloadBytes} bytes). Increase MaxPayloadInMB${splitType === 'None' ? ' or split the input with SplitType' : ''}`,
    );

  if (strategy === 'SingleRecord' || splitType === 'None') {
    return records.map((record, i) => {
      const body = framed ? unframe(record, splitType) : record;
      if (body.length > limit) throw tooLarge(i, body.length);
      return { body, start: i, count: 1 };
    });
  }

  const separator = splitType === 'Line' ? 1 : 0;
  const out: Batch[] = [];
  let start = 0;
  let size = 0;
  const flush = (end: number) => {
    if (end === start) return;
    const parts = records.slice(start, end);
    out.push({ body: splitType === 'Line' ? joinLines(parts) : Buffer.concat(parts), start, count: end - start });
    start = end;
    size = 0;
  };
  records.forEach((record, i) => {
    if (record.length > limit) throw tooLarge(i, record.length);
    const added = (i > start ? separator : 0) + record.length;
    if (i > start && size + added > limit) {
      flush(i);
      size = record.length;
    } else {
      size += added;
    }
  });
  flush(records.length);
  return out;
}

function joinLines(lines: readonly Buffer[]): Buffer {
  if (lines.length === 1) return lines[0]!;
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    if (i > 0) parts.push(NEWLINE);
    parts.push(l);
  });
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/**
 * Builds the output object from the answers, in input order. `Line`: every answer is followed by `\n` ("To add a
 * newline character at the end of every transformed record, specify Line", API_TransformOutput; the Python SDK's
 * local mode writes the answer then `\n` unconditionally); `None`: plain concatenation.
 */
export function assemble(responses: readonly Buffer[], assembleWith: AssembleWith): Buffer {
  if (assembleWith === 'None') return Buffer.concat(responses);
  const parts: Buffer[] = [];
  for (const r of responses) parts.push(r, NEWLINE);
  return Buffer.concat(parts);
}

/**
 * The answer to a MultiRecord Line request cut back into one answer per record (one line each, `\r\n` handled, a
 * final newline optional). A different number of lines than records is an error.
 */
export function splitResponse(response: Buffer, expected: number): Buffer[] {
  const lines = splitLines(response);
  if (lines.length !== expected) {
    throw new TransformDataError(
      'RecordCountMismatch',
      `the model returned ${lines.length} line${lines.length === 1 ? '' : 's'} for a request of ${expected} record${expected === 1 ? '' : 's'}; with SplitType=Line each record needs one line of output`,
    );
  }
  return lines;
}

export interface OutputKeyOptions {
  /** The input came from a ManifestFile: the output is named after the object's base name alone. */
  readonly manifest?: boolean;
}

/**
 * Where an input object's results go: `<S3OutputPath>/<input key relative to the prefix>.out` (`input1.csv` →
 * `input1.csv.out`). "Relative to the prefix" is relative to the prefix's folder, i.e. up to its last `/`: an S3Uri
 * naming one object (`s3://b/data/input1.csv`) gives `input1.csv.out`, a folder prefix (`s3://b/data/`) keeps the
 * sub-folders below it, and a prefix without a final slash (`s3://b/data`) keeps `data/` itself — which is how the
 * API reference's example turns `input-name-prefix/…/data.csv` into `output-name-prefix/input-name-prefix/….out`.
 * `outputPath` may be an `s3://` URI or a key prefix; the result has the same form.
 *
 * @example outputKey('in/2024/a.csv', 'in/', 's3://b/out') // 's3://b/out/2024/a.csv.out'
 */
export function outputKey(inputKey: string, inputPrefix: string, outputPath: string, options: OutputKeyOptions = {}): string {
  let relative: string;
  if (options.manifest) {
    relative = inputKey.slice(inputKey.lastIndexOf('/') + 1);
  } else {
    const folder = inputPrefix.slice(0, inputPrefix.lastIndexOf('/') + 1);
    relative = inputKey.startsWith(folder) ? inputKey.slice(folder.length) : inputKey;
  }
  const base = outputPath.replace(/\/+$/, '');
  return base === '' ? `${relative}.out` : `${base}/${relative}.out`;
}

/** How one object is transformed: the job's settings that bear on records. */
export interface TransformSpec extends DataProcessingSpec {
  readonly splitType?: SplitType;
  readonly batchStrategy?: BatchStrategy;
  /** MaxPayloadInMB; undefined = 6, 0 = no limit. */
  readonly maxPayloadInMB?: number;
  readonly assembleWith?: AssembleWith;
  readonly compressionType?: CompressionType;
  /** Requests in flight at once (MaxConcurrentTransforms); answers are still written in input order. */
  readonly maxConcurrentTransforms?: number;
}

/** Sends one request body to the model and resolves with its answer (the runner's /invocations call). */
export type Invoke = (body: Buffer, batch: Batch) => Promise<Buffer>;

/**
 * Transforms one input object end to end and returns the bytes of its `.out` object. Any failure (a record too
 * large, a filter that does not fit, a model error the runner throws from `invoke`) rejects, and SageMaker then
 * writes no output for the object.
 *
 * @example
 * const out = await transformObject(Buffer.from('id1,5\nid2,7\n'), {
 *   contentType: 'text/csv', splitType: 'Line', batchStrategy: 'MultiRecord', assembleWith: 'Line',
 *   dataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
 * }, async (body) => Buffer.from(String(body).split('\n').map((x) => Number(x) * 2).join('\n')));
 * out.toString(); // 'id1,10\nid2,14\n'
 */
export async function transformObject(data: Buffer, spec: TransformSpec, invoke: Invoke): Promise<Buffer> {
  const splitType = spec.splitType ?? 'None';
  const processor = compileDataProcessing(spec);
  if (!processor.passthrough && (splitType === 'RecordIO' || splitType === 'TFRecord')) {
    throw new TransformDataError('Unsupported', `DataProcessing filters and joins apply to CSV and JSON records, not to SplitType ${splitType}`);
  }
  const records = splitRecords(decodeInput(data, spec.compressionType), splitType);
  const bodies = processor.passthrough ? records : records.map((r) => processor.filterInput(r));
  const planned = batches(bodies, spec.batchStrategy ?? 'MultiRecord', maxPayloadBytes(spec.maxPayloadInMB), splitType);
  const answers = await inOrder(planned, Math.max(1, spec.maxConcurrentTransforms ?? 1), (b) => invoke(b.body, b));
  const written = planned.map((b, n) => processor.finishBatch(records.slice(b.start, b.start + b.count), answers[n]!));
  return assemble(written, spec.assembleWith ?? 'None');
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. The first failure rejects
 * and no further item is started (requests already in flight finish on their own).
 */
async function inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
