/**
 * mlzone's linear learner: the model math and the wire formats of SageMaker's built-in `linear-learner`
 * inference (https://docs.aws.amazon.com/sagemaker/latest/dg/LL-in-formats.html), kept pure so the serving
 * process (`serve.ts`) stays a thin HTTP shell and everything here is unit tested without a process.
 *
 * The model file is ours, not AWS's (AWS's is an MXNet parameter file): `mlzone-linear-learner.json` inside
 * `model.tar.gz`, written by mlzone's training. Only `regressor` and `binary_classifier` exist today.
 *
 * Hot path: one invocation parses, scores and formats without intermediate objects beyond the records
 * themselves; the server targets thousands of requests per second on two cores.
 */

/** The file inside `model.tar.gz` that holds a linear learner model. */
export const LINEAR_LEARNER_MODEL_FILE = 'mlzone-linear-learner.json';

export type PredictorType = 'regressor' | 'binary_classifier';

export interface LinearLearnerModel {
  readonly predictorType: PredictorType;
  readonly featureDim: number;
  readonly weights: Float64Array;
  readonly bias: number;
}

/** The JSON written to {@link LINEAR_LEARNER_MODEL_FILE}. */
export interface LinearLearnerModelFile {
  predictor_type: PredictorType;
  feature_dim: number;
  weights: number[];
  bias: number;
}

export interface Prediction {
  score: number;
  predicted_label?: 0 | 1;
}

/** A request the container refuses: `status` is the HTTP status the container answers with. */
export class InvalidRequestError extends Error {
  constructor(
    readonly status: 400 | 406 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

export const LINEAR_LEARNER_CONTENT_TYPES = ['text/csv', 'application/json', 'application/jsonlines'] as const;
export type LinearLearnerMediaType = (typeof LINEAR_LEARNER_CONTENT_TYPES)[number];

/** Parses and checks a model file; the message of a thrown Error is shown to the user as the endpoint's failure. */
export function parseLinearLearnerModel(text: string): LinearLearnerModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${LINEAR_LEARNER_MODEL_FILE} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${LINEAR_LEARNER_MODEL_FILE} must hold a JSON object`);
  const m = raw as Partial<Record<keyof LinearLearnerModelFile, unknown>>;
  if (m.predictor_type !== 'regressor' && m.predictor_type !== 'binary_classifier') {
    throw new Error(`${LINEAR_LEARNER_MODEL_FILE}: predictor_type must be "regressor" or "binary_classifier", got ${JSON.stringify(m.predictor_type)}`);
  }
  const dim = m.feature_dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) throw new Error(`${LINEAR_LEARNER_MODEL_FILE}: feature_dim must be a positive integer`);
  if (!Array.isArray(m.weights) || m.weights.length !== dim || !m.weights.every((w) => typeof w === 'number' && Number.isFinite(w))) {
    throw new Error(`${LINEAR_LEARNER_MODEL_FILE}: weights must be ${dim} finite numbers (feature_dim)`);
  }
  if (typeof m.bias !== 'number' || !Number.isFinite(m.bias)) throw new Error(`${LINEAR_LEARNER_MODEL_FILE}: bias must be a finite number`);
  return { predictorType: m.predictor_type, featureDim: dim, weights: Float64Array.from(m.weights as number[]), bias: m.bias };
}

/** The inverse of {@link parseLinearLearnerModel}: what training writes. */
export function serializeLinearLearnerModel(model: LinearLearnerModel): string {
  const file: LinearLearnerModelFile = {
    predictor_type: model.predictorType,
    feature_dim: model.featureDim,
    weights: Array.from(model.weights),
    bias: model.bias,
  };
  return JSON.stringify(file);
}

/** w·x + b, then the logistic function for a binary classifier (threshold 0.5). */
export function predictOne(model: LinearLearnerModel, x: ArrayLike<number>): Prediction {
  const w = model.weights;
  let z = model.bias;
  for (let i = 0; i < w.length; i++) z += w[i] * x[i];
  if (model.predictorType === 'regressor') return { score: z };
  const score = 1 / (1 + Math.exp(-z));
  return { score, predicted_label: score >= 0.5 ? 1 : 0 };
}

/** The media type without parameters, lower-cased (`text/csv; charset=utf-8` → `text/csv`). */
export function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/**
 * Decodes a request body into feature vectors. CSV has features only (no label column), one record per line;
 * JSON is `{"instances":[{"features":[…]}]}` or a single `{"features":[…]}` (the dense form AWS documents as
 * `{"data":{"features":{"values":[…]}}}` is accepted too); JSON Lines has one such object per line.
 */
export function parseRecords(body: string, contentType: string | undefined, featureDim: number): number[][] {
  const type = mediaType(contentType) || 'text/csv';
  switch (type) {
    case 'text/csv':
      return parseCsv(body, featureDim);
    case 'application/json':
      return parseJson(body, featureDim);
    case 'application/jsonlines':
    case 'application/x-jsonlines':
      return parseJsonLines(body, featureDim);
    default:
      throw new InvalidRequestError(415, `content type ${contentType} is not supported by linear-learner; use text/csv, application/json or application/jsonlines`);
  }
}

function parseCsv(body: string, featureDim: number): number[][] {
  const records: number[][] = [];
  let start = 0;
  let line = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    line++;
    let text = body.slice(start, end);
    start = end + 1;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') continue;
    const cells = text.split(',');
    if (cells.length !== featureDim) throw wrongDim(featureDim, cells.length, `line ${line}`);
    const row = new Array<number>(featureDim);
    for (let i = 0; i < featureDim; i++) {
      const cell = cells[i].trim();
      const v = cell === '' ? NaN : Number(cell);
      if (Number.isNaN(v)) throw new InvalidRequestError(400, `line ${line}, column ${i + 1}: ${JSON.stringify(cell)} is not a number`);
      row[i] = v;
    }
    records.push(row);
  }
  if (records.length === 0) throw new InvalidRequestError(400, 'the request has no records');
  return records;
}

function parseJson(body: string, featureDim: number): number[][] {
  const doc = parseJsonText(body, 'the request body');
  if (isObject(doc) && Array.isArray(doc.instances)) {
    if (doc.instances.length === 0) throw new InvalidRequestError(400, 'the request has no records ("instances" is empty)');
    return doc.instances.map((instance, i) => featuresOf(instance, featureDim, `instances[${i}]`));
  }
  return [featuresOf(doc, featureDim, 'the request')];
}

function parseJsonLines(body: string, featureDim: number): number[][] {
  const records: number[][] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '') continue;
    records.push(featuresOf(parseJsonText(text, `line ${i + 1}`), featureDim, `line ${i + 1}`));
  }
  if (records.length === 0) throw new InvalidRequestError(400, 'the request has no records');
  return records;
}

function parseJsonText(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(400, `${where} is not valid JSON`);
  }
}

function featuresOf(record: unknown, featureDim: number, where: string): number[] {
  let features: unknown;
  if (isObject(record)) {
    features = record.features;
    if (features === undefined && isObject(record.data) && isObject(record.data.features)) features = record.data.features.values;
  }
  if (!Array.isArray(features)) throw new InvalidRequestError(400, `${where} has no "features" array`);
  if (features.length !== featureDim) throw wrongDim(featureDim, features.length, where);
  for (let i = 0; i < features.length; i++) {
    if (typeof features[i] !== 'number') throw new InvalidRequestError(400, `${where}: features[${i}] is not a number`);
  }
  return features as number[];
}

function wrongDim(expected: number, got: number, where: string): InvalidRequestError {
  return new InvalidRequestError(400, `${where} has ${got} features; the model expects ${expected} (feature_dim)`);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Chooses the response media type from an Accept header: the first supported type listed, JSON for none or
 * `*\/*`; anything else is a 406.
 */
export function responseType(accept: string | undefined): LinearLearnerMediaType {
  if (accept === undefined || accept === '') return 'application/json';
  for (const part of accept.split(',')) {
    const t = mediaType(part);
    if (t === 'application/json' || t === '*/*' || t === 'application/*') return 'application/json';
    if (t === 'text/csv' || t === 'text/*') return 'text/csv';
    if (t === 'application/jsonlines' || t === 'application/x-jsonlines') return 'application/jsonlines';
  }
  throw new InvalidRequestError(406, `accept type ${accept} is not supported by linear-learner; use application/json, application/jsonlines or text/csv`);
}

/**
 * Encodes predictions. JSON and JSON Lines follow AWS's documented response formats. AWS documents no CSV
 * response for linear learner; mlzone writes one line per record: the score for a regressor,
 * `predicted_label,score` for a binary classifier.
 */
export function formatPredictions(predictions: readonly Prediction[], type: LinearLearnerMediaType): string {
  switch (type) {
    case 'application/json':
      return JSON.stringify({ predictions });
    case 'application/jsonlines': {
      let out = '';
      for (const p of predictions) out += JSON.stringify(p) + '\n';
      return out;
    }
    case 'text/csv': {
      let out = '';
      for (const p of predictions) out += (p.predicted_label === undefined ? String(p.score) : `${p.predicted_label},${p.score}`) + '\n';
      return out;
    }
    default: {
      const never: never = type;
      throw new Error(`unknown media type ${String(never)}`);
    }
  }
}

export interface LinearLearnerResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One `/invocations` request end to end: decode, score, encode; refused requests become 4xx answers. */
export function invokeLinearLearner(model: LinearLearnerModel, body: string, contentType: string | undefined, accept: string | undefined): LinearLearnerResponse {
  try {
    const type = responseType(accept);
    const records = parseRecords(body, contentType, model.featureDim);
    const predictions = new Array<Prediction>(records.length);
    for (let i = 0; i < records.length; i++) predictions[i] = predictOne(model, records[i]);
    return { status: 200, contentType: type, body: formatPredictions(predictions, type) };
  } catch (e) {
    if (e instanceof InvalidRequestError) return { status: e.status, contentType: 'application/json', body: JSON.stringify({ message: e.message }) };
    throw e;
  }
}
