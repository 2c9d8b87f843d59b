/**
 * `DataProcessing` of a transform job: `InputFilter` before a record is sent, `JoinSource=Input` to put each input
 * record beside its prediction, `OutputFilter` on what is written. Source: "Associate Prediction Results with Input
 * Records" (https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html) and API_DataProcessing.
 *
 * - Only CSV (`text/csv`) and JSON (`application/json`, `application/jsonlines`) records can be filtered or joined.
 *   A CSV row is "taken as a JSON array" of its columns, so only index-based paths apply to it.
 * - The join always uses the original record, not the filtered one (so `InputFilter "$[1:]"` drops the ID column
 *   from the request and `JoinSource Input` brings it back into the output).
 * - CSV join: the input columns followed by the output columns (record `1,2,3` and result `1` give `1,2,3,1`).
 * - JSON join: a JSON object gets the result under `SageMakerOutput` (overwriting a member of that name, as the guide
 *   warns); any other JSON value becomes `{"SageMakerInput": <input>, "SageMakerOutput": <result>}`.
 * - `OutputFilter` applies to the joined record, or to the model's answer when nothing is joined.
 * - CSV and JSON Lines records are handled row by row (a `SplitType=None` CSV object is many rows); a JSON
 *   (`application/json`) record is one document.
 */
import { formatCsvRow, parseCsvRow } from './csv.js';
import { TransformDataError } from './errors.js';
import { evaluateJsonPath, parseJsonPath, unsupportedCharacter, SUPPORTED_OPERATORS, type CompiledJsonPath } from './jsonpath.js';
import { splitLines, splitTextLines } from './lines.js';

export type RecordFormat = 'csv' | 'json' | 'jsonlines';

/** `DataProcessing` as CreateTransformJob takes it (the generated API type fits). */
export interface DataProcessingConfig {
  readonly InputFilter?: string;
  readonly OutputFilter?: string;
  readonly JoinSource?: string;
}

export interface DataProcessingSpec {
  readonly dataProcessing?: DataProcessingConfig;
  /** `TransformInput.ContentType`: how input records are read. */
  readonly contentType?: string;
  /** `TransformOutput.Accept`: how the model's answers are read when nothing is joined (defaults to contentType). */
  readonly accept?: string;
}

/** The record format of a MIME type, or undefined for a type data processing does not read. */
export function recordFormat(contentType: string | undefined): RecordFormat | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json') return 'json';
  if (type === 'application/jsonlines' || type === 'application/x-jsonlines' || type === 'application/jsonl') return 'jsonlines';
  return undefined;
}

/** What a job does to each record and to each answer, with its filters compiled once. */
export interface DataProcessor {
  /** Nothing to do: records are sent and answers written byte for byte. */
  readonly passthrough: boolean;
  readonly joinsInput: boolean;
  /** The request body for one record (InputFilter applied). */
  filterInput(record: Buffer): Buffer;
  /**
   * What is written for one request: `records` are the original records the request carried, `response` the model's
   * answer. Joins and applies OutputFilter; with neither, returns the answer unchanged.
   */
  finishBatch(records: readonly Buffer[], response: Buffer): Buffer;
}

/**
 * Compiles a job's DataProcessing. Throws `InvalidJsonPath` for a filter SageMaker's subset rejects, which fails the
 * job before its first request (as SageMaker reports a bad range filter in the job log).
 *
 * @example
 * const dp = compileDataProcessing({ dataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, contentType: 'text/csv' });
 * dp.filterInput(Buffer.from('id7,1.5,2')).toString(); // '1.5,2'
 * dp.finishBatch([Buffer.from('id7,1.5,2')], Buffer.from('0.9\n')).toString(); // 'id7,0.9'
 */
export function compileDataProcessing(spec: DataProcessingSpec): DataProcessor {
  const dp = spec.dataProcessing ?? {};
  const input = parseJsonPath(dp.InputFilter);
  const output = parseJsonPath(dp.OutputFilter);
  const joinsInput = dp.JoinSource === 'Input';
  const inFormat = recordFormat(spec.contentType);
  const outFormat = spec.accept === undefined ? inFormat : recordFormat(spec.accept);

  const needsFormat = (what: string, format: RecordFormat | undefined, type: string | undefined): RecordFormat => {
    if (format) return format;
    throw new TransformDataError(
      'Unsupported',
      `${what} applies to CSV and JSON data only (text/csv, application/json, application/jsonlines); the content type is ${type ? `\`${type}\`` : 'not set'}`,
    );
  };
  // Fail fast, before any request: a join or filter on a format it cannot read.
  if (!input.identity) needsFormat('InputFilter', inFormat, spec.contentType);
  if (joinsInput) needsFormat('JoinSource=Input', inFormat, spec.contentType);
  else if (!output.identity) needsFormat('OutputFilter', outFormat, spec.accept ?? spec.contentType);
  for (const [name, path, format] of [['InputFilter', input, inFormat], ['OutputFilter', output, joinsInput ? inFormat : outFormat]] as const) {
    if (format === 'csv' && !path.indexOnly) {
      throw new TransformDataError('FilterFailed', `${name} ${path.expression}: CSV rows are arrays of columns, so only index-based JSONPaths such as $[0] or $[1:] apply`);
    }
  }

  return {
    passthrough: input.identity && output.identity && !joinsInput,
    joinsInput,
    filterInput(record) {
      if (input.identity) return record;
      return Buffer.from(mapRows(record, inFormat!, (row) => applyFilter(input, row, inFormat!)), 'utf8');
    },
    finishBatch(records, response) {
      if (joinsInput) return Buffer.from(join(records, response, inFormat!, output), 'utf8');
      if (output.identity) return response;
      return Buffer.from(mapRows(response, outFormat!, (row) => applyFilter(output, row, outFormat!)), 'utf8');
    },
  };
}

/** Applies `fn` to each row of a record (lines for CSV and JSON Lines, the whole document for JSON). */
function mapRows(data: Buffer, format: RecordFormat, fn: (row: string) => string): string {
  return rowsOf(data, format).map(fn).join('\n');
}

function rowsOf(data: Buffer, format: RecordFormat): string[] {
  if (format === 'json') {
    const text = data.toString('utf8');
    // One document, unless the "JSON" is really one document per line (a MultiRecord answer to JSON lines).
    if (text.trim() === '' || isJson(text)) return [text];
    return splitTextLines(text);
  }
  return splitLines(data).map((l) => l.toString('utf8'));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function applyFilter(path: CompiledJsonPath, row: string, format: RecordFormat): string {
  if (format === 'csv') return csvResult(evaluateJsonPath(path, parseCsvRow(row)));
  return JSON.stringify(evaluateJsonPath(path, parseJsonRow(row)));
}

function csvResult(value: unknown): string {
  return formatCsvRow(Array.isArray(value) ? value : [value]);
}

function parseJsonRow(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TransformDataError('MalformedRecord', `record is not valid JSON: \`${text.length > 80 ? `${text.slice(0, 77)}...` : text}\``, { cause });
  }
}

/** A model's answer inside a JSON join: JSON when it parses, else the text itself. */
function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function join(records: readonly Buffer[], response: Buffer, format: RecordFormat, output: CompiledJsonPath): string {
  const inputs = records.flatMap((r) => rowsOf(r, format));
  const text = response.toString('utf8');
  // A single JSON document answers with one document, which may span lines; everything else answers line by line.
  const answers = format === 'json' && inputs.length === 1 ? [text.replace(/\r?\n$/, '')] : splitTextLines(text);
  if (answers.length !== inputs.length) {
    throw new TransformDataError(
      'RecordCountMismatch',
      `JoinSource=Input needs one result per input record: the request carried ${inputs.length} record${inputs.length === 1 ? '' : 's'}, the model returned ${answers.length} line${answers.length === 1 ? '' : 's'}`,
    );
  }
  return inputs
    .map((input, n) => {
      const answer = answers[n]!;
      if (format === 'csv') {
        if (output.identity) return `${input},${answer}`;
        return csvResult(evaluateJsonPath(output, [...parseCsvRow(input), ...parseCsvRow(answer)]));
      }
      const value = parseJsonRow(input);
      const result = parseAnswer(answer);
      const joined =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? { ...(value as Record<string, unknown>), SageMakerOutput: result }
          : { SageMakerInput: value, SageMakerOutput: result };
      return JSON.stringify(evaluateJsonPath(output, joined));
    })
    .join('\n');
}

/**
 * The message CreateTransformJob answers (ValidationException) for a filter with a character SageMaker does not
 * accept, else undefined. Wording from a real answer (aws/aws-sdk#184):
 * `Invalid OutputFilter: "$['account_id','SageMakerOutput']". Unexpected "_" in JsonPath. Supported operators for
 * "application/jsonlines" are ['$', '[', ']', '*', '.', ' ', ',', ':', '-', ''']`.
 * The content type named is the input's for InputFilter and Accept (else the input's) for OutputFilter; AWS's list for
 * text/csv was not seen, the same list is used.
 */
export function filterValidationMessage(spec: DataProcessingSpec): string | undefined {
  const dp = spec.dataProcessing ?? {};
  const checks = [
    ['InputFilter', dp.InputFilter, spec.contentType],
    ['OutputFilter', dp.OutputFilter, spec.accept ?? spec.contentType],
  ] as const;
  for (const [member, expression, type] of checks) {
    if (expression === undefined) continue;
    const ch = unsupportedCharacter(expression);
    if (ch === undefined) continue;
    const operators = SUPPORTED_OPERATORS.map((o) => `'${o}'`).join(', ');
    return `Invalid ${member}: "${expression}". Unexpected "${ch}" in JsonPath. Supported operators for "${type ?? ''}" are [${operators}]`;
  }
  return undefined;
}
