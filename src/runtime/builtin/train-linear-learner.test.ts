// mlzone's linear-learner training without a process: the CSV reader, the hyperparameters AWS documents, accuracy
// against an independent least-squares solution, classification, and the metric lines AWS's definitions parse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, DenseCsvReader } from './dense-csv.js';
import type { DenseMatrix } from './dense-csv.js';
import { predictOne } from './linear-learner.js';
import { LINEAR_LEARNER_METRIC_DEFINITIONS, metricMatcher } from './metric-definitions.js';
import { ClientError, evaluate, finalMetricLines, parseLinearLearnerHyperparameters, rocAuc, trainLinearLearner } from './train-linear-learner.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-ll-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function csv(text: string, cols?: number): DenseMatrix {
  const r = new DenseCsvReader(cols);
  r.addText(text, 'train/data.csv');
  return r.finish();
}

function dataError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('no DataError');
}

describe('dense CSV', () => {
  it('reads numbers in every spelling CSV writers use', () => {
    const m = csv('1,-2.5,+3\r\n\n  4 , 5e-3,6E2\n0.000123,-0,.5\n7,8.,1.7976931348623157e308\n');
    expect(m.rows).toBe(4);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual([1, -2.5, 3, 4, 0.005, 600, 0.000123, -0, 0.5, 7, 8, 1.7976931348623157e308]);
  });

  it('is exact to the last bit up to 15 digits, and within a few ulps beyond (np.savetxt writes 19)', () => {
    const values = [0.1, 0.123456789012345, 1e-7, 123456.789, 2 ** 0.5, Math.PI / 7, 6.02214076e23];
    const short = values.slice(0, 4);
    expect(Array.from(csv(short.join(',')).data)).toEqual(short);
    const long = values.map((v) => v.toExponential(18));
    const m = csv(long.join(','));
    for (let i = 0; i < values.length; i++) expect(Math.abs(m.data[i] - Number(long[i])) / Math.abs(values[i])).toBeLessThan(1e-15);
  });

  it('reads files in chunks, across chunk boundaries, with or without a final newline', () => {
    const path = join(root, 'big.csv');
    const rows = 50_000;
    let text = '';
    for (let i = 0; i < rows; i++) text += `${i},${i * 0.5},${-i}\n`;
    writeFileSync(path, text.slice(0, -1));
    const r = new DenseCsvReader();
    r.addFile(path, 'train/big.csv');
    const m = r.finish();
    expect(m.rows).toBe(rows);
    expect(m.data[(rows - 1) * 3 + 1]).toBe((rows - 1) * 0.5);
  });

  it('refuses text, empty cells and ragged rows, naming file, line and column', () => {
    expect(dataError(() => csv('1,2\n3,abc\n'))).toBe('train/data.csv, line 2, column 2: "abc" is not a number (the data must be dense CSV of numbers, label first, no header)');
    expect(dataError(() => csv('label,x\n1,2\n'))).toContain('line 1, column 1: "label" is not a number');
    expect(dataError(() => csv('1,,3\n'))).toContain('line 1, column 2: an empty cell is not a number');
    expect(dataError(() => csv('1,nan\n'))).toContain('"nan" is not a number');
    expect(dataError(() => csv('1,2,3\n4,5\n'))).toBe('train/data.csv, line 2 has 2 columns where the data has 3 (label + 2 features); every record must have the same number of columns');
    expect(dataError(() => csv('1,2,3\n4,5,6,7\n'))).toContain('line 2 has 4 columns where the data has 3');
  });
});

describe('hyperparameters', () => {
  it('fills in AWS defaults and types what it uses', () => {
    const { hp, config } = parseLinearLearnerHyperparameters({ predictor_type: 'regressor', feature_dim: '13', mini_batch_size: '200' });
    expect(hp).toMatchObject({ predictorType: 'regressor', featureDim: 13, epochs: 15, miniBatchSize: 200, loss: 'squared_loss', learningRate: 'auto', useBias: true, normalizeData: true, normalizeLabel: true, earlyStoppingPatience: 3 });
    expect(config.epochs).toBe('15');
    expect(parseLinearLearnerHyperparameters({ predictor_type: 'binary_classifier' }).hp).toMatchObject({ loss: 'logistic', normalizeLabel: false, featureDim: 'auto' });
    // As the SDK sends them (str(True)) and JSON-quoted, as a framework estimator would.
    expect(parseLinearLearnerHyperparameters({ predictor_type: '"regressor"', use_bias: 'False', l1: '0.01' }).hp).toMatchObject({ predictorType: 'regressor', useBias: false, l1: 0.01 });
  });

  it('refuses what AWS refuses, with AWS-style messages', () => {
    const message = (raw: Record<string, string>) => {
      try {
        parseLinearLearnerHyperparameters(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(ClientError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(message({})).toBe("No value(s) were specified for 'predictor_type' which are required hyperparameter(s)");
    expect(message({ predictor_type: 'regressor', learning_rat: '0.1' })).toMatch(/^Additional hyperparameters are not allowed \("learning_rat" was unexpected\); linear-learner accepts: predictor_type, feature_dim/);
    expect(message({ predictor_type: 'classifier' })).toContain("predictor_type must be one of 'binary_classifier', 'multiclass_classifier', 'regressor'");
    expect(message({ predictor_type: 'multiclass_classifier' })).toContain('not implemented');
    expect(message({ predictor_type: 'regressor', epochs: 'ten' })).toBe('Hyperparameter epochs: could not parse value "ten" as an integer');
    expect(message({ predictor_type: 'regressor', epochs: '0' })).toContain('at least 1');
    expect(message({ predictor_type: 'regressor', loss: 'logistic' })).toContain('cannot be used with predictor_type "regressor"');
    expect(message({ predictor_type: 'regressor', use_bias: 'maybe' })).toContain('as a boolean');
    expect(message({ predictor_type: 'regressor', beta_1: '1' })).toContain('out of range');
  });
});

/** A seeded normal generator, so the data (and the tests) are the same every run. */
function gaussians(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function regressionData(rows: number, d: number, seed: number, noise: number): { m: DenseMatrix; w: number[]; b: number } {
  const g = gaussians(seed);
  const w = Array.from({ length: d }, () => g() * 3);
  const b = 4.2;
  const cols = d + 1;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let y = b;
    for (let j = 0; j < d; j++) {
      // Features on different scales and offsets, as real data has.
      const x = g() * (j + 1) + j * 10;
      data[r * cols + 1 + j] = x;
      y += w[j] * x;
    }
    data[r * cols] = y + g() * noise;
  }
  return { m: { rows, cols, data }, w, b };
}

/** Least squares the textbook way: [1 x]'[1 x] β = [1 x]'y by Gaussian elimination with partial pivoting. */
function leastSquares(m: DenseMatrix): { weights: number[]; bias: number } {
  const k = m.cols;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < m.rows; r++) {
    const row = [1, ...Array.from(m.data.subarray(r * k + 1, r * k + k))];
    const y = m.data[r * k];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += row[i] * row[j];
      a[i][k] += row[i] * y;
    }
  }
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  const beta = a.map((row, i) => row[k] / row[i]);
  return { bias: beta[0], weights: beta.slice(1) };
}

const noLog = () => undefined;

describe('training', () => {
  it('a regressor is the least-squares solution (normal equations)', () => {
    const { m } = regressionData(5000, 8, 1, 0.5);
    const exact = leastSquares(m);
    const { hp } = parseLinearLearnerHyperparameters({ predictor_type: 'regressor' });
    const result = trainLinearLearner({ train: m, hp, host: 'algo-1', log: noLog });
    expect(result.method).toBe('normal-equations');
    for (let j = 0; j < 8; j++) expect(result.model.weights[j]).toBeCloseTo(exact.weights[j], 8);
    expect(result.model.bias).toBeCloseTo(exact.bias, 6);
  });

  it('without a bias, the solution through the origin', () => {
    const { m } = regressionData(2000, 3, 2, 0.1);
    const { hp } = parseLinearLearnerHyperparameters({ predictor_type: 'regressor', use_bias: 'false' });
    const result = trainLinearLearner({ train: m, hp, host: 'algo-1', log: noLog });
    expect(result.model.bias).toBe(0);
    // X'X w = X'y holds at the solution: the residual is orthogonal to every feature.
    const k = m.cols;
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      let scale = 0;
      for (let r = 0; r < m.rows; r++) {
        const x = m.data[r * k + 1 + j];
        const e = m.data[r * k] - predictOne(result.model, m.data.subarray(r * k + 1, r * k + k)).score;
        dot += x * e;
        scale += Math.abs(x * m.data[r * k]);
      }
      expect(Math.abs(dot) / scale).toBeLessThan(1e-10);
    }
  });

  it('minibatch Adam (optimizer adam) gets close to the exact solution', () => {
    const { m } = regressionData(20_000, 5, 3, 0.5);
    const exact = leastSquares(m);
    const { hp } = parseLinearLearnerHyperparameters({ predictor_type: 'regressor', optimizer: 'adam', mini_batch_size: '100', epochs: '15' });
    const result = trainLinearLearner({ train: m, hp, host: 'algo-1', log: noLog });
    expect(result.method).toBe('minibatch');
    const exactMse = evaluate({ predictorType: 'regressor', featureDim: 5, weights: Float64Array.from(exact.weights), bias: exact.bias }, m, hp);
    const mse = evaluate(result.model, m, hp);
    expect(mse.objective / exactMse.objective).toBeLessThan(1.02);
    for (let j = 0; j < 5; j++) expect(Math.abs(result.model.weights[j] - exact.weights[j])).toBeLessThan(0.02 * Math.max(1, Math.abs(exact.weights[j])));
  });

  it('a binary classifier separates separable data, and its metric lines are what AWS definitions parse', () => {
    const g = gaussians(7);
    const make = (rows: number) => {
      const cols = 5;
      const data = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        let z = -1;
        for (let j = 1; j < cols; j++) {
          const x = g() * 2 + 1;
          data[r * cols + j] = x;
          z += [0, 1.5, -2, 0.5, 1][j] * x;
        }
        data[r * cols] = z > 0 ? 1 : 0;
      }
      return { rows, cols, data };
    };
    const train = make(20_000);
    const validation = make(2000);
    const lines: string[] = [];
    const { hp } = parseLinearLearnerHyperparameters({ predictor_type: 'binary_classifier', epochs: '10' });
    const result = trainLinearLearner({ train, validation, hp, host: 'algo-1', log: (l) => lines.push(l) });
    const metrics = evaluate(result.model, validation, hp);
    expect(metrics.kind).toBe('binary_classifier');
    if (metrics.kind !== 'binary_classifier') return;
    expect(metrics.accuracy).toBeGreaterThan(0.99);
    expect(metrics.rocAuc).toBeGreaterThan(0.999);
    lines.push(...finalMetricLines('algo-1', 'validation', metrics, hp.loss));

    const match = metricMatcher(LINEAR_LEARNER_METRIC_DEFINITIONS);
    const seen = new Map<string, number[]>();
    for (const l of lines) for (const { name, value } of match(l)) seen.set(name, [...(seen.get(name) ?? []), value]);
    expect(seen.get('train:objective_loss')?.length).toBe(result.epochsRun);
    expect(seen.get('validation:objective_loss')?.length).toBe(result.epochsRun);
    expect(seen.get('validation:objective_loss:final')).toEqual([metrics.objective]);
    expect(seen.get('validation:binary_classification_accuracy')).toEqual([metrics.accuracy]);
    expect(seen.get('validation:binary_f_beta')).toEqual([metrics.fBeta]);
    expect(seen.get('validation:roc_auc_score')).toEqual([metrics.rocAuc]);
    expect(seen.get('train:progress')?.at(-1)).toBeGreaterThan(0);
    // The final lines are not per-epoch lines, and per-epoch lines are not final ones.
    expect(seen.get('train:objective_loss:final')).toBeUndefined();
    const losses = seen.get('train:objective_loss') as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('refuses labels other than 0/1 for a classifier, and a feature count other than feature_dim', () => {
    const { hp } = parseLinearLearnerHyperparameters({ predictor_type: 'binary_classifier' });
    expect(() => trainLinearLearner({ train: csv('0,1\n2,1\n'), hp, host: 'h', log: noLog })).toThrow('label 2 in record 2');
    const dim = parseLinearLearnerHyperparameters({ predictor_type: 'regressor', feature_dim: '3' }).hp;
    expect(() => trainLinearLearner({ train: csv('0,1\n2,1\n'), hp: dim, host: 'h', log: noLog })).toThrow('feature_dim is 3 but the train data has 1 features');
  });

  it('ROC AUC counts ties as half', () => {
    expect(rocAuc(Float64Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1]))).toBe(0.75);
    expect(rocAuc(Float64Array.from([0.5, 0.5]), Uint8Array.from([0, 1]))).toBe(0.5);
  });
});
