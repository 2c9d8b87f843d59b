/**
 * The training process behind mlzone's built-in `linear-learner` image: the SageMaker training contract around
 * `train-linear-learner.ts`. It reads `/opt/ml/input/config/*.json` and the channels under `/opt/ml/input/data/`,
 * writes `/opt/ml/model/mlzone-linear-learner.json`, and on a bad configuration or bad data writes the reason to
 * `/opt/ml/output/failure` (which becomes the job's FailureReason) and exits non-zero, as AWS's algorithms do.
 *
 * `/opt/ml` is `MLZONE_JOB_DIR` when the runtime could not mount the job directory there. Built to
 * dist/runtime/builtin-train.cjs by scripts/bundle.mjs; run from sources with `node --import tsx`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, DenseCsvReader, channelFiles } from './dense-csv.js';
import type { DenseMatrix } from './dense-csv.js';
import { LINEAR_LEARNER_MODEL_FILE, serializeLinearLearnerModel } from './linear-learner.js';
import { ClientError, evaluate, finalMetricLines, parseLinearLearnerHyperparameters, trainLinearLearner } from './train-linear-learner.js';

const base = process.env.MLZONE_JOB_DIR || '/opt/ml';
const configDir = join(base, 'input', 'config');
const dataDir = join(base, 'input', 'data');
const pid = process.pid;

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function log(line: string, level: 'INFO' | 'WARNING' | 'ERROR' = 'INFO'): void {
  process.stdout.write(`[${stamp()} ${level} ${pid}] ${line}\n`);
}

function readJson(name: string, fallback: unknown): any {
  const path = join(configDir, name);
  if (!existsSync(path)) return fallback;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ClientError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** RecordIO's magic number, as it starts every record of an `application/x-recordio-protobuf` file. */
const RECORDIO_MAGIC = 0xced7230a;

function looksLikeRecordIo(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32LE(0) === RECORDIO_MAGIC;
  } finally {
    closeSync(fd);
  }
}

function readChannel(channel: string, contentType: string | undefined, expectedCols?: number): DenseMatrix {
  const dir = join(dataDir, channel);
  const files = existsSync(dir) ? channelFiles(dir) : [];
  if (files.length === 0) throw new ClientError(`the ${channel} channel has no data (no files under /opt/ml/input/data/${channel})`);
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-recordio-protobuf' || type === 'application/x-recordio' || (type === '' && looksLikeRecordIo(files[0].path))) {
    throw new ClientError(
      `the ${channel} channel is RecordIO-protobuf${type === '' ? ' (the files start with the RecordIO magic number)' : ` (ContentType ${contentType})`}, which mlzone's linear-learner does not read; give it CSV instead (ContentType text/csv: the label in the first column, then the features, no header)`,
    );
  }
  if (type !== '' && type !== 'text/csv') {
    throw new ClientError(`the ${channel} channel has ContentType ${contentType}; linear-learner reads text/csv (and application/x-recordio-protobuf, which mlzone does not)`);
  }
  if (type === '') log(`The ${channel} channel has no ContentType (AWS's default for linear-learner is application/x-recordio-protobuf); the files are not RecordIO, so they are read as text/csv. Set ContentType text/csv on the channel to run the same way on AWS.`, 'WARNING');
  const reader = new DenseCsvReader(expectedCols);
  for (const f of files) reader.addFile(f.path, `${channel}/${f.name}`);
  return reader.finish();
}

function fail(kind: 'ClientError' | 'AlgorithmError', message: string, code: number): never {
  const text = `${kind}: ${message}`;
  try {
    mkdirSync(join(base, 'output'), { recursive: true });
    writeFileSync(join(base, 'output', 'failure'), text);
  } catch {
    // the log line below still says it
  }
  log(text, 'ERROR');
  process.exit(code);
}

function main(): void {
  const started = Date.now();
  const rawHps = readJson('hyperparameters.json', {}) as Record<string, unknown>;
  const inputConfig = readJson('inputdataconfig.json', {}) as Record<string, { ContentType?: string }>;
  const resources = readJson('resourceconfig.json', {}) as { current_host?: string };
  const host = resources.current_host ?? 'algo-1';
  log(`Reading provided configuration from ${join(configDir, 'hyperparameters.json')}: ${JSON.stringify(rawHps)}`);
  const hyperParameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHps)) hyperParameters[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const { hp, config } = parseLinearLearnerHyperparameters(hyperParameters);
  log(`Final configuration: ${JSON.stringify(config)}`);

  // Channels staged without an inputdataconfig.json entry count too (a job directory made by hand).
  const staged = existsSync(dataDir) ? readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  const channels = new Set([...Object.keys(inputConfig), ...staged]);
  if (!channels.has('train')) throw new ClientError("the train channel is required (InputDataConfig has no channel named 'train')");
  const parseStarted = Date.now();
  const train = readChannel('train', inputConfig.train?.ContentType, hp.featureDim === 'auto' ? undefined : hp.featureDim + 1);
  const validation = channels.has('validation') ? readChannel('validation', inputConfig.validation?.ContentType, train.cols) : undefined;
  const test = channels.has('test') ? readChannel('test', inputConfig.test?.ContentType, train.cols) : undefined;
  const parseSeconds = (Date.now() - parseStarted) / 1000;
  log(`Read ${train.rows} train records with ${train.cols - 1} features${validation ? `, ${validation.rows} validation records` : ''}${test ? `, ${test.rows} test records` : ''} in ${parseSeconds.toFixed(2)} s`);
  log('mlzone trains one model (AWS trains num_models in parallel and keeps the best); auto regularisation means none; a binary classifier keeps the 0.5 threshold');

  const trainStarted = Date.now();
  const result = trainLinearLearner({ train, validation, hp, host, log: (l) => log(l) });
  log(`Trained with ${result.method === 'normal-equations' ? 'the normal equations (exact least squares)' : `minibatch ${hp.optimizer === 'auto' ? 'adam' : hp.optimizer}, ${result.epochsRun} epochs`} in ${((Date.now() - trainStarted) / 1000).toFixed(2)} s`);

  for (const [name, m] of [['train', train], ['validation', validation], ['test', test]] as const) {
    if (m === undefined) continue;
    for (const line of finalMetricLines(host, name, evaluate(result.model, m, hp), hp.loss)) log(line);
  }
  const modelDir = join(base, 'model');
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, LINEAR_LEARNER_MODEL_FILE), serializeLinearLearnerModel(result.model));
  log(`Saved the model to ${join(modelDir, LINEAR_LEARNER_MODEL_FILE)}; total ${((Date.now() - started) / 1000).toFixed(2)} s`);
}

try {
  main();
} catch (e) {
  if (e instanceof ClientError || e instanceof DataError) fail('ClientError', e.message, 2);
  fail('AlgorithmError', (e as Error).stack ?? String(e), 1);
}
