// The built-in linear-learner training as a real job: staged CSV in, a model the built-in server then serves, the
// failure file AWS's convention asks for, and the time 1M rows × 20 features take.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessRuntime } from '../process-runtime.js';
import type { JobContainerSpec, JobExit } from '../types.js';
import { LINEAR_LEARNER_MODEL_FILE, parseLinearLearnerModel } from './linear-learner.js';
import { LINEAR_LEARNER_METRIC_DEFINITIONS, metricMatcher } from './metric-definitions.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-ll-job-'));
const runtime = createProcessRuntime({ stopGraceMs: 1000 });
afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function job(hyperParameters: Record<string, string>, channels: Record<string, string | ((path: string) => void)>, contentType: string | undefined = 'text/csv'): JobContainerSpec & { lines: string[] } {
  const jobDir = join(root, `job-${++counter}`);
  for (const [channel, data] of Object.entries(channels)) {
    mkdirSync(join(jobDir, 'input/data', channel), { recursive: true });
    const path = join(jobDir, 'input/data', channel, 'data.csv');
    if (typeof data === 'string') writeFileSync(path, data);
    else data(path);
  }
  const lines: string[] = [];
  return {
    image: { kind: 'builtin', algorithm: 'linear-learner' },
    kind: 'training',
    jobDir,
    environment: {},
    hyperParameters,
    channels: Object.keys(channels),
    channelConfig: Object.fromEntries(Object.keys(channels).map((c) => [c, contentType === undefined ? {} : { ContentType: contentType }])),
    hosts: ['algo-1'],
    currentHost: 'algo-1',
    name: `acct/ll-${counter}/algo-1`,
    log: (l) => lines.push(l),
    lines,
  };
}

async function run(spec: JobContainerSpec): Promise<JobExit> {
  return (await runtime.startJob(spec)).exited;
}

function failure(spec: JobContainerSpec): string {
  return readFileSync(join(spec.jobDir, 'output/failure'), 'utf8');
}

/** y = 2 x1 − 3 x2 + 0.5, exactly. */
const LINEAR = Array.from({ length: 50 }, (_, i) => {
  const x1 = (i % 7) - 3;
  const x2 = ((i * 3) % 11) / 2;
  return `${2 * x1 - 3 * x2 + 0.5},${x1},${x2}`;
}).join('\n');

describe('built-in linear-learner training job', () => {
  it('trains a regressor from staged CSV, writes the model the built-in server serves, logs AWS metric lines', async () => {
    const spec = job({ predictor_type: 'regressor', feature_dim: '2' }, { train: LINEAR, validation: LINEAR.split('\n').slice(0, 10).join('\n') });
    const exit = await run(spec);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    const model = parseLinearLearnerModel(readFileSync(join(spec.jobDir, 'model', LINEAR_LEARNER_MODEL_FILE), 'utf8'));
    expect(model.predictorType).toBe('regressor');
    expect(model.weights[0]).toBeCloseTo(2, 9);
    expect(model.weights[1]).toBeCloseTo(-3, 9);
    expect(model.bias).toBeCloseTo(0.5, 9);
    expect(existsSync(join(spec.jobDir, 'output/failure'))).toBe(false);

    const match = metricMatcher(LINEAR_LEARNER_METRIC_DEFINITIONS);
    const names = new Set(spec.lines.flatMap((l) => match(l).map((m) => m.name)));
    for (const n of ['train:objective_loss', 'validation:objective_loss', 'validation:objective_loss:final', 'validation:mse', 'validation:absolute_loss', 'train:mse', 'train:progress', 'train:throughput']) expect(names, n).toContain(n);

    const endpoint = await runtime.startHosting({ image: spec.image, modelDir: join(spec.jobDir, 'model'), workDir: join(spec.jobDir, 'serve'), environment: {}, name: 'acct/ep/v/1', startupTimeoutMs: 20_000 });
    const res = await endpoint.invoke({ body: Buffer.from('1,1\n0,0\n'), contentType: 'text/csv', accept: 'application/json', timeoutMs: 5000 });
    const { predictions } = JSON.parse(res.body.toString());
    expect(predictions[0].score).toBeCloseTo(-0.5, 8);
    expect(predictions[1].score).toBeCloseTo(0.5, 8);
    await endpoint.stop();
  });

  it('bad data: output/failure says what and where, and the job exits non-zero', async () => {
    const spec = job({ predictor_type: 'regressor' }, { train: '1,2\n3,4\n5,abc\n' });
    const exit = await run(spec);
    expect(exit.code).toBe(2);
    expect(failure(spec)).toBe('ClientError: train/data.csv, line 3, column 2: "abc" is not a number (the data must be dense CSV of numbers, label first, no header)');
    expect(exit.tail.some((l) => l.includes('ClientError: train/data.csv, line 3'))).toBe(true);
  });

  it('a feature count other than feature_dim, an unknown hyperparameter, RecordIO data: each a ClientError', async () => {
    const wrongDim = job({ predictor_type: 'regressor', feature_dim: '3' }, { train: LINEAR });
    expect((await run(wrongDim)).code).toBe(2);
    expect(failure(wrongDim)).toMatch(/^ClientError: train\/data\.csv, line 1 has 3 columns where the data has 4/);

    const unknown = job({ predictor_type: 'regressor', num_trees: '3' }, { train: LINEAR });
    expect((await run(unknown)).code).toBe(2);
    expect(failure(unknown)).toMatch(/^ClientError: Additional hyperparameters are not allowed \("num_trees" was unexpected\)/);

    const recordio = job({ predictor_type: 'regressor' }, { train: LINEAR }, 'application/x-recordio-protobuf');
    expect((await run(recordio)).code).toBe(2);
    expect(failure(recordio)).toContain('RecordIO-protobuf (ContentType application/x-recordio-protobuf), which mlzone\'s linear-learner does not read');

    const missing = job({ predictor_type: 'regressor' }, { validation: LINEAR });
    expect((await run(missing)).code).toBe(2);
    expect(failure(missing)).toContain('the train channel is required');
  });

  it('1M rows × 20 features: the time it takes (printed; asserted loosely for loaded CI machines)', { timeout: 120_000 }, async () => {
    const d = 20;
    const rows = 1_000_000;
    const weights = Array.from({ length: d }, (_, j) => ((j % 5) - 2) * 0.75 + 0.1);
    const write = (label: 'real' | 'binary') => (path: string) => writeRows(path, rows, d, weights, label);
    const results: string[] = [];
    for (const [predictorType, label] of [['binary_classifier', 'binary'], ['regressor', 'real']] as const) {
      const spec = job({ predictor_type: predictorType, feature_dim: String(d) }, { train: write(label) });
      const started = Date.now();
      const exit = await run(spec);
      const seconds = (Date.now() - started) / 1000;
      expect(exit.code, exit.tail.join('\n')).toBe(0);
      const model = parseLinearLearnerModel(readFileSync(join(spec.jobDir, 'model', LINEAR_LEARNER_MODEL_FILE), 'utf8'));
      if (predictorType === 'regressor') {
        for (let j = 0; j < d; j++) expect(model.weights[j]).toBeCloseTo(weights[j], 2);
      } else {
        const accuracy = spec.lines.map((l) => /train binary_classification_accuracy <score>=(\S+)/.exec(l)?.[1]).find((v) => v !== undefined);
        expect(Number(accuracy)).toBeGreaterThan(0.98);
      }
      const detail = spec.lines.filter((l) => /Read \d+ train records|Trained with|total/.test(l)).map((l) => l.replace(/^\[[^\]]*\] /, ''));
      results.push(`${predictorType}: ${seconds.toFixed(2)} s for the job (${detail.join('; ')})`);
      expect(seconds).toBeLessThan(30);
      rmSync(spec.jobDir, { recursive: true, force: true });
    }
    console.info(`linear-learner, 1M rows × 20 features:\n  ${results.join('\n  ')}`);
  });
});

/**
 * Writes `rows` records (label, then `d` features with 6 decimals) fast: digits into a byte buffer, no strings.
 * Features are uniform in [-1, 1); the label is w·x + 0.3 (+ noise) for `real`, its sign as 0/1 for `binary`.
 */
function writeRows(path: string, rows: number, d: number, w: number[], label: 'real' | 'binary'): void {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
  let at = 0;
  let seed = 12345;
  const uniform = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const x = new Float64Array(d);
  const put = (v: number) => {
    let n = Math.round(v * 1e6);
    if (n < 0) {
      buf[at++] = 45;
      n = -n;
    }
    const whole = Math.floor(n / 1e6);
    let frac = n - whole * 1e6;
    at += buf.write(String(whole), at, 'latin1');
    buf[at++] = 46;
    for (let k = 5; k >= 0; k--) {
      buf[at + k] = 48 + (frac % 10);
      frac = Math.floor(frac / 10);
    }
    at += 6;
  };
  for (let r = 0; r < rows; r++) {
    let z = 0.3;
    for (let j = 0; j < d; j++) {
      x[j] = uniform() * 2 - 1;
      z += w[j] * x[j];
    }
    if (label === 'binary') buf[at++] = z > 0 ? 49 : 48;
    else put(z + (uniform() - 0.5) * 0.02);
    for (let j = 0; j < d; j++) {
      buf[at++] = 44;
      put(x[j]);
    }
    buf[at++] = 10;
    if (at > buf.length - 4096) {
      writeSync(fd, buf, 0, at);
      at = 0;
    }
  }
  writeSync(fd, buf, 0, at);
  closeSync(fd);
}
