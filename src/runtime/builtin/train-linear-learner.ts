/**
 * mlzone's linear learner training: AWS's documented hyperparameters
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/ll_hyperparameters.html) over dense CSV, producing the model
 * `linear-learner.ts` serves and the log lines AWS's built-in metric definitions parse (`metric-definitions.ts`).
 * Pure apart from the `log` callback, so the process entry (`train.ts`) stays a thin shell.
 *
 * How it trains:
 *   - regressor, squared loss, no L1, `optimizer` auto, ≤ 64 features: the exact ridge/least-squares solution from
 *     the normal equations (two passes over the data, a Cholesky solve in standardised space). One "epoch" is
 *     reported, since nothing iterates.
 *   - everything else: minibatch Adam (or sgd / rmsprop) in standardised space, `epochs` passes over the rows
 *     (shuffled once, batches in a new random order every epoch), early stopping on the validation objective (on
 *     the training objective without a validation channel), the best epoch's model kept. Standardisation is folded
 *     into the weights on the fly, so the data is never copied.
 *
 * What differs from AWS (on purpose, and written in the job's log): one model is trained, not `num_models` in
 * parallel; `auto` regularisation means none; a binary classifier's threshold stays 0.5 (the served model format
 * has no threshold), so `binary_classifier_model_selection_criteria` does not move it; multiclass is not
 * implemented.
 */
import type { LinearLearnerModel, PredictorType } from './linear-learner.js';
import type { DenseMatrix } from './dense-csv.js';

/** A problem with the job's configuration or data: AWS's algorithms report these as `ClientError: …`. */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientError';
  }
}

export type RegressorLoss = 'squared_loss' | 'absolute_loss' | 'eps_insensitive_squared_loss' | 'eps_insensitive_absolute_loss' | 'quantile_loss' | 'huber_loss';
export type ClassifierLoss = 'logistic' | 'hinge_loss';
export type Loss = RegressorLoss | ClassifierLoss;

export interface LinearLearnerHyperparameters {
  readonly predictorType: PredictorType;
  readonly featureDim: number | 'auto';
  readonly epochs: number;
  readonly miniBatchSize: number;
  readonly learningRate: number | 'auto';
  readonly optimizer: 'auto' | 'adam' | 'sgd' | 'rmsprop';
  readonly loss: Loss;
  readonly wd: number;
  readonly l1: number;
  readonly useBias: boolean;
  readonly normalizeData: boolean;
  readonly normalizeLabel: boolean;
  readonly beta1: number;
  readonly beta2: number;
  readonly momentum: number;
  readonly earlyStoppingPatience: number;
  readonly earlyStoppingTolerance: number;
  readonly useLrScheduler: boolean;
  readonly lrSchedulerStep: number | 'auto';
  readonly lrSchedulerFactor: number | 'auto';
  readonly lrSchedulerMinimumLr: number | 'auto';
  readonly initBias: number;
  readonly fBeta: number;
  readonly positiveExampleWeightMult: number | 'balanced';
  readonly huberDelta: number;
  readonly lossInsensitivity: number;
  readonly quantile: number;
  readonly margin: number;
  readonly biasLrMult: number;
  readonly biasWdMult: number;
  readonly selectionCriteria: string;
}

/**
 * Every hyperparameter AWS's linear-learner accepts, with its default (the "Final configuration" the algorithm
 * logs). Names starting with `_` are AWS-internal ones the SDK or tuning may pass.
 */
export const LINEAR_LEARNER_DEFAULTS: Readonly<Record<string, string>> = {
  predictor_type: '',
  feature_dim: 'auto',
  epochs: '15',
  mini_batch_size: '1000',
  learning_rate: 'auto',
  optimizer: 'auto',
  loss: 'auto',
  wd: 'auto',
  l1: 'auto',
  use_bias: 'true',
  normalize_data: 'true',
  normalize_label: 'auto',
  unbias_data: 'auto',
  unbias_label: 'auto',
  num_point_for_scaler: '10000',
  beta_1: 'auto',
  beta_2: 'auto',
  momentum: 'auto',
  bias_lr_mult: 'auto',
  bias_wd_mult: 'auto',
  use_lr_scheduler: 'true',
  lr_scheduler_step: 'auto',
  lr_scheduler_factor: 'auto',
  lr_scheduler_minimum_lr: 'auto',
  early_stopping_patience: '3',
  early_stopping_tolerance: '0.001',
  init_method: 'uniform',
  init_scale: '0.07',
  init_sigma: '0.01',
  init_bias: '0.0',
  num_models: 'auto',
  num_calibration_samples: '10000000',
  binary_classifier_model_selection_criteria: 'accuracy',
  target_recall: '0.8',
  target_precision: '0.8',
  positive_example_weight_mult: '1.0',
  f_beta: '1.0',
  huber_delta: '1.0',
  loss_insensitivity: '0.01',
  quantile: '0.5',
  margin: '1.0',
  num_classes: '1',
  accuracy_top_k: '3',
  balance_multiclass_weights: 'false',
  _kvstore: 'auto',
  _num_gpus: 'auto',
  _num_kv_servers: 'auto',
  _log_level: 'info',
  _tuning_objective_metric: '',
  _enable_profiler: 'false',
};

const REGRESSOR_LOSSES: readonly RegressorLoss[] = ['squared_loss', 'absolute_loss', 'eps_insensitive_squared_loss', 'eps_insensitive_absolute_loss', 'quantile_loss', 'huber_loss'];
const CLASSIFIER_LOSSES: readonly ClassifierLoss[] = ['logistic', 'hinge_loss'];
const SELECTION_CRITERIA = ['accuracy', 'f_beta', 'precision_at_target_recall', 'recall_at_target_precision', 'loss_function'];

/**
 * Checks and types the `HyperParameters` map (strings, as AWS passes them; a JSON-quoted string such as `"\"regressor\""`
 * is accepted too). Throws ClientError naming the first problem. Also returns the final configuration (defaults
 * filled in), which the algorithm logs as AWS's does.
 */
export function parseLinearLearnerHyperparameters(raw: Readonly<Record<string, string>>): { hp: LinearLearnerHyperparameters; config: Record<string, string> } {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in LINEAR_LEARNER_DEFAULTS)) {
      throw new ClientError(`Additional hyperparameters are not allowed (${JSON.stringify(key)} was unexpected); linear-learner accepts: ${Object.keys(LINEAR_LEARNER_DEFAULTS).filter((k) => !k.startsWith('_')).join(', ')}`);
    }
    given[key] = unquote(String(value));
  }
  if (given.predictor_type === undefined || given.predictor_type === '') {
    throw new ClientError("No value(s) were specified for 'predictor_type' which are required hyperparameter(s)");
  }
  const config: Record<string, string> = { ...LINEAR_LEARNER_DEFAULTS, ...given };
  const predictorType = config.predictor_type;
  if (predictorType === 'multiclass_classifier') {
    throw new ClientError("predictor_type 'multiclass_classifier' is not implemented by mlzone's linear-learner; use 'regressor' or 'binary_classifier'");
  }
  if (predictorType !== 'regressor' && predictorType !== 'binary_classifier') {
    throw new ClientError(`predictor_type must be one of 'binary_classifier', 'multiclass_classifier', 'regressor', got ${JSON.stringify(predictorType)}`);
  }
  const regressor = predictorType === 'regressor';

  const lossName = config.loss;
  let loss: Loss;
  if (lossName === 'auto') loss = regressor ? 'squared_loss' : 'logistic';
  else if (regressor && (REGRESSOR_LOSSES as readonly string[]).includes(lossName)) loss = lossName as Loss;
  else if (!regressor && (CLASSIFIER_LOSSES as readonly string[]).includes(lossName)) loss = lossName as Loss;
  else if ((REGRESSOR_LOSSES as readonly string[]).includes(lossName) || (CLASSIFIER_LOSSES as readonly string[]).includes(lossName) || lossName === 'softmax_loss') {
    throw new ClientError(`loss ${JSON.stringify(lossName)} cannot be used with predictor_type ${JSON.stringify(predictorType)}; use ${(regressor ? REGRESSOR_LOSSES : CLASSIFIER_LOSSES).join(', ')} or auto`);
  } else {
    throw new ClientError(`loss must be auto or one of ${[...REGRESSOR_LOSSES, ...CLASSIFIER_LOSSES, 'softmax_loss'].join(', ')}, got ${JSON.stringify(lossName)}`);
  }

  const optimizer = config.optimizer;
  if (optimizer !== 'auto' && optimizer !== 'adam' && optimizer !== 'sgd' && optimizer !== 'rmsprop') {
    throw new ClientError(`optimizer must be one of auto, adam, sgd, rmsprop, got ${JSON.stringify(optimizer)}`);
  }
  const criteria = config.binary_classifier_model_selection_criteria;
  if (!SELECTION_CRITERIA.includes(criteria)) {
    throw new ClientError(`binary_classifier_model_selection_criteria must be one of ${SELECTION_CRITERIA.join(', ')}, got ${JSON.stringify(criteria)}`);
  }
  const pewm = config.positive_example_weight_mult;
  const hp: LinearLearnerHyperparameters = {
    predictorType,
    featureDim: config.feature_dim === 'auto' ? 'auto' : int(config, 'feature_dim', 1),
    epochs: int(config, 'epochs', 1),
    miniBatchSize: int(config, 'mini_batch_size', 1),
    learningRate: autoOr(config, 'learning_rate', (k) => num(config, k, { min: 0, minOpen: true })),
    optimizer,
    loss,
    wd: autoOr(config, 'wd', (k) => num(config, k, { min: 0 }), 0),
    l1: autoOr(config, 'l1', (k) => num(config, k, { min: 0 }), 0),
    useBias: bool(config, 'use_bias'),
    normalizeData: bool(config, 'normalize_data'),
    normalizeLabel: config.normalize_label === 'auto' ? regressor : bool(config, 'normalize_label'),
    beta1: autoOr(config, 'beta_1', (k) => num(config, k, { min: 0, max: 1, maxOpen: true }), 0.9),
    beta2: autoOr(config, 'beta_2', (k) => num(config, k, { min: 0, max: 1, maxOpen: true }), 0.999),
    momentum: autoOr(config, 'momentum', (k) => num(config, k, { min: 0, max: 1, maxOpen: true }), 0.9),
    earlyStoppingPatience: int(config, 'early_stopping_patience', 1),
    earlyStoppingTolerance: num(config, 'early_stopping_tolerance', { min: 0 }),
    useLrScheduler: bool(config, 'use_lr_scheduler'),
    lrSchedulerStep: autoOr(config, 'lr_scheduler_step', (k) => int(config, k, 1)),
    lrSchedulerFactor: autoOr(config, 'lr_scheduler_factor', (k) => num(config, k, { min: 0, max: 1, minOpen: true, maxOpen: true })),
    lrSchedulerMinimumLr: autoOr(config, 'lr_scheduler_minimum_lr', (k) => num(config, k, { min: 0 })),
    initBias: num(config, 'init_bias', {}),
    fBeta: num(config, 'f_beta', { min: 0, minOpen: true }),
    positiveExampleWeightMult: pewm === 'balanced' || pewm === 'auto' ? 'balanced' : num(config, 'positive_example_weight_mult', { min: 0, minOpen: true }),
    huberDelta: num(config, 'huber_delta', { min: 0, minOpen: true }),
    lossInsensitivity: num(config, 'loss_insensitivity', { min: 0 }),
    quantile: num(config, 'quantile', { min: 0, max: 1, minOpen: true, maxOpen: true }),
    margin: num(config, 'margin', { min: 0 }),
    biasLrMult: autoOr(config, 'bias_lr_mult', (k) => num(config, k, { min: 0, minOpen: true }), 1),
    biasWdMult: autoOr(config, 'bias_wd_mult', (k) => num(config, k, { min: 0 }), 0),
    selectionCriteria: criteria,
  };
  // Checked for their form only (they tune what mlzone does not do: parallel models, calibration, multiclass).
  for (const k of ['num_point_for_scaler', 'num_calibration_samples', 'num_classes', 'accuracy_top_k']) int(config, k, 1);
  for (const k of ['target_recall', 'target_precision', 'init_scale', 'init_sigma']) num(config, k, { min: 0 });
  if (config.num_models !== 'auto') int(config, 'num_models', 1);
  for (const k of ['unbias_data', 'unbias_label']) if (config[k] !== 'auto') bool(config, k);
  bool(config, 'balance_multiclass_weights');
  if (!['uniform', 'normal'].includes(config.init_method)) throw new ClientError(`init_method must be uniform or normal, got ${JSON.stringify(config.init_method)}`);
  return { hp, config };
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const s = JSON.parse(t) as unknown;
      if (typeof s === 'string') return s;
    } catch {
      // not JSON: keep it
    }
  }
  return t;
}

function int(config: Record<string, string>, key: string, min: number): number {
  const v = config[key];
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new ClientError(`Hyperparameter ${key}: could not parse value ${JSON.stringify(v)} as an integer`);
  if (n < min) throw new ClientError(`Hyperparameter ${key}: value ${n} is out of range (it must be at least ${min})`);
  return n;
}

function num(config: Record<string, string>, key: string, r: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }): number {
  const v = config[key];
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new ClientError(`Hyperparameter ${key}: could not parse value ${JSON.stringify(v)} as a number`);
  const low = r.min !== undefined && (r.minOpen ? n <= r.min : n < r.min);
  const high = r.max !== undefined && (r.maxOpen ? n >= r.max : n > r.max);
  if (low || high) {
    const lo = r.min === undefined ? '' : `${r.minOpen ? '(' : '['}${r.min}`;
    const hi = r.max === undefined ? '' : `${r.max}${r.maxOpen ? ')' : ']'}`;
    throw new ClientError(`Hyperparameter ${key}: value ${n} is out of range ${lo || '(-inf'}, ${hi || 'inf)'}`);
  }
  return n;
}

function bool(config: Record<string, string>, key: string): boolean {
  const v = config[key].toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ClientError(`Hyperparameter ${key}: could not parse value ${JSON.stringify(config[key])} as a boolean (true or false)`);
}

function autoOr<T>(config: Record<string, string>, key: string, parse: (key: string) => T): T | 'auto';
function autoOr<T>(config: Record<string, string>, key: string, parse: (key: string) => T, auto: T): T;
function autoOr<T>(config: Record<string, string>, key: string, parse: (key: string) => T, auto?: T): T | 'auto' {
  if (config[key] === 'auto') return auto === undefined ? 'auto' : auto;
  return parse(key);
}

// ---- evaluation ----------------------------------------------------------------------------------------------

export interface RegressionMetrics {
  readonly kind: 'regressor';
  readonly objective: number;
  readonly mse: number;
  readonly absoluteLoss: number;
}

export interface ClassificationMetrics {
  readonly kind: 'binary_classifier';
  readonly objective: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly fBeta: number;
  readonly rocAuc: number;
}

export type Metrics = RegressionMetrics | ClassificationMetrics;

/** The name AWS logs for a loss's objective (`train mse_objective <loss>=…`). */
export function objectiveName(loss: Loss): string {
  switch (loss) {
    case 'squared_loss':
      return 'mse_objective';
    case 'logistic':
      return 'binary_classification_cross_entropy_objective';
    default:
      return `${loss}_objective`;
  }
}

/** The loss of one record on the label's own scale (z: the raw linear score). */
function lossValue(hp: LinearLearnerHyperparameters, z: number, y: number): number {
  switch (hp.loss) {
    case 'squared_loss': {
      const r = z - y;
      return r * r;
    }
    case 'absolute_loss':
      return Math.abs(z - y);
    case 'eps_insensitive_squared_loss': {
      const a = Math.max(0, Math.abs(z - y) - hp.lossInsensitivity);
      return a * a;
    }
    case 'eps_insensitive_absolute_loss':
      return Math.max(0, Math.abs(z - y) - hp.lossInsensitivity);
    case 'quantile_loss': {
      const r = y - z;
      return r >= 0 ? hp.quantile * r : (hp.quantile - 1) * r;
    }
    case 'huber_loss': {
      const a = Math.abs(z - y);
      return a <= hp.huberDelta ? 0.5 * a * a : hp.huberDelta * (a - 0.5 * hp.huberDelta);
    }
    case 'logistic':
      // log(1 + e^z) - y z, computed without overflow
      return (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
    case 'hinge_loss':
      return Math.max(0, hp.margin - (2 * y - 1) * z);
    default: {
      const never: never = hp.loss;
      throw new Error(`unknown loss ${String(never)}`);
    }
  }
}

/** Metrics of `model` on `m` (raw data): the objective and what AWS reports for the predictor type. */
export function evaluate(model: LinearLearnerModel, m: DenseMatrix, hp: LinearLearnerHyperparameters): Metrics {
  const { rows, cols, data } = m;
  const d = cols - 1;
  const w = model.weights;
  const b = model.bias;
  let objective = 0;
  if (model.predictorType === 'regressor') {
    let se = 0;
    let ae = 0;
    for (let r = 0, o = 0; r < rows; r++, o += cols) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j] * data[o + 1 + j];
      const y = data[o];
      const e = z - y;
      se += e * e;
      ae += Math.abs(e);
      objective += lossValue(hp, z, y);
    }
    const n = Math.max(rows, 1);
    return { kind: 'regressor', objective: objective / n, mse: se / n, absoluteLoss: ae / n };
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const scores = new Float64Array(rows);
  const labels = new Uint8Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * data[o + 1 + j];
    const y = data[o];
    objective += lossValue(hp, z, y);
    scores[r] = z;
    labels[r] = y;
    const predicted = z >= 0;
    if (predicted) {
      if (y === 1) tp++;
      else fp++;
    } else if (y === 1) fn++;
    else tn++;
  }
  const n = Math.max(rows, 1);
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const b2 = hp.fBeta * hp.fBeta;
  const fBeta = precision + recall > 0 ? ((1 + b2) * precision * recall) / (b2 * precision + recall) : 0;
  return { kind: 'binary_classifier', objective: objective / n, accuracy: (tp + tn) / n, precision, recall, fBeta, rocAuc: rocAuc(scores, labels) };
}

/** Area under the ROC curve (ties count half); 0.5 when only one class is present. */
export function rocAuc(scores: Float64Array, labels: Uint8Array): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i];
  const neg = n - pos;
  if (pos === 0 || neg === 0) return 0.5;
  // Sum of the (average, for ties) ranks of the positives: the Mann-Whitney U statistic.
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

// ---- training ------------------------------------------------------------------------------------------------

export interface TrainInput {
  readonly train: DenseMatrix;
  readonly validation?: DenseMatrix;
  readonly hp: LinearLearnerHyperparameters;
  /** For the metric lines: `host=<host>`. */
  readonly host: string;
  /** One log line (metric lines and notes). */
  readonly log: (line: string) => void;
  /** Seed of the shuffling; fixed by default so a job is reproducible. */
  readonly seed?: number;
}

export interface TrainResult {
  readonly model: LinearLearnerModel;
  readonly method: 'normal-equations' | 'minibatch';
  readonly epochsRun: number;
}

/** The largest feature count the normal equations are used for (their cost grows with its square). */
const NORMAL_EQUATIONS_MAX_FEATURES = 64;

/** Checks the data against the hyperparameters (feature count, labels); throws ClientError. */
export function checkData(m: DenseMatrix, hp: LinearLearnerHyperparameters, channel: string): void {
  if (m.rows === 0) throw new ClientError(`the ${channel} channel has no records`);
  const features = m.cols - 1;
  if (features < 1) throw new ClientError(`the ${channel} channel has only one column; linear-learner needs the label followed by at least one feature`);
  if (hp.featureDim !== 'auto' && hp.featureDim !== features) {
    throw new ClientError(`feature_dim is ${hp.featureDim} but the ${channel} data has ${features} features (${m.cols} columns: the label, then the features)`);
  }
  if (hp.predictorType === 'binary_classifier') {
    const { rows, cols, data } = m;
    for (let r = 0; r < rows; r++) {
      const y = data[r * cols];
      if (y !== 0 && y !== 1) throw new ClientError(`the ${channel} data has label ${y} in record ${r + 1}; a binary_classifier needs labels 0 and 1`);
    }
  }
}

/** Trains a model; logs AWS-style metric lines through `input.log`. */
export function trainLinearLearner(input: TrainInput): TrainResult {
  const { train, validation, hp } = input;
  checkData(train, hp, 'train');
  if (validation !== undefined) {
    checkData(validation, hp, 'validation');
    if (validation.cols !== train.cols) throw new ClientError(`the validation data has ${validation.cols - 1} features but the train data has ${train.cols - 1}`);
  }
  const d = train.cols - 1;
  const closedForm = hp.predictorType === 'regressor' && hp.loss === 'squared_loss' && hp.l1 === 0 && hp.optimizer === 'auto' && d <= NORMAL_EQUATIONS_MAX_FEATURES;
  return closedForm ? normalEquations(input) : minibatch(input);
}

interface Scaling {
  /** Feature means and scales (0 and 1 when not normalising). */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly labelMean: number;
  readonly labelScale: number;
}

function scaling(m: DenseMatrix, hp: LinearLearnerHyperparameters): Scaling {
  const { rows, cols, data } = m;
  const d = cols - 1;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  let labelMean = 0;
  let labelScale = 1;
  if (!hp.normalizeData && !hp.normalizeLabel) return { mean, scale, labelMean, labelScale };
  const sum = new Float64Array(cols);
  for (let o = 0; o < data.length; o += cols) for (let j = 0; j < cols; j++) sum[j] += data[o + j];
  const mu = sum.map((s) => s / rows);
  const sq = new Float64Array(cols);
  for (let o = 0; o < data.length; o += cols) {
    for (let j = 0; j < cols; j++) {
      const e = data[o + j] - mu[j];
      sq[j] += e * e;
    }
  }
  // Without a bias the model has no intercept: shifting the data would give it one in disguise.
  const shift = hp.useBias;
  if (hp.normalizeData) {
    for (let j = 0; j < d; j++) {
      const sd = Math.sqrt(sq[j + 1] / rows);
      mean[j] = shift ? mu[j + 1] : 0;
      scale[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
    }
  }
  if (hp.normalizeLabel && hp.predictorType === 'regressor') {
    const sd = Math.sqrt(sq[0] / rows);
    labelMean = shift ? mu[0] : 0;
    labelScale = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale, labelMean, labelScale };
}

function metricLine(host: string, channel: string, epoch: number | undefined, name: string, kind: 'loss' | 'score', value: number): string {
  return `#quality_metric: host=${host}, ${epoch === undefined ? '' : `epoch=${epoch}, `}${channel} ${name} <${kind}>=${value}`;
}

/** The exact solution of (ridge) least squares: X'X accumulated once, solved by Cholesky in standardised space. */
function normalEquations(input: TrainInput): TrainResult {
  const { train, validation, hp, host, log } = input;
  const { rows, cols, data } = train;
  const d = cols - 1;
  const started = Date.now();
  const s = scaling(train, { ...hp, normalizeData: true, normalizeLabel: true });
  // Centre on the means when there is a bias (then the intercept is solved for separately), else not at all.
  const mx = hp.useBias ? meansOf(train) : new Float64Array(cols);
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d);
  const x = new Float64Array(d);
  for (let o = 0; o < data.length; o += cols) {
    const y = data[o] - mx[0];
    for (let j = 0; j < d; j++) x[j] = data[o + 1 + j] - mx[j + 1];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      xty[i] += xi * y;
      const row = i * d;
      for (let j = i; j < d; j++) xtx[row + j] += xi * x[j];
    }
  }
  // Standardise: A = D X'X D / n + wd I, c = D X'y / (n sy), with D = diag(1/scale).
  const sc = s.scale;
  const sy = s.labelScale;
  const a = new Float64Array(d * d);
  const c = new Float64Array(d);
  const active: number[] = [];
  for (let i = 0; i < d; i++) if (xtx[i * d + i] > 0) active.push(i);
  const k = active.length;
  for (let p = 0; p < k; p++) {
    const i = active[p];
    c[p] = xty[i] / (sc[i] * rows * sy);
    for (let q = p; q < k; q++) {
      const j = active[q];
      const v = xtx[i * d + j] / (sc[i] * sc[j] * rows);
      a[p * k + q] = v;
      a[q * k + p] = v;
    }
    a[p * k + p] += hp.wd;
  }
  const v = choleskySolve(a.subarray(0, k * k), c.subarray(0, k), k);
  const weights = new Float64Array(d);
  for (let p = 0; p < k; p++) weights[active[p]] = (v[p] * sy) / sc[active[p]];
  let bias = 0;
  if (hp.useBias) {
    bias = mx[0];
    for (let j = 0; j < d; j++) bias -= weights[j] * mx[j + 1];
  }
  const model: LinearLearnerModel = { predictorType: 'regressor', featureDim: d, weights, bias };
  const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
  const trainMetrics = evaluate(model, train, hp);
  const name = objectiveName(hp.loss);
  log(metricLine(host, 'train', 0, name, 'loss', trainMetrics.objective));
  if (validation !== undefined) log(metricLine(host, 'validation', 0, name, 'loss', evaluate(model, validation, hp).objective));
  log(`#progress_metric: host=${host}, completed 100.0 % of epochs`);
  log(`#throughput_metric: host=${host}, train throughput=${rows / seconds} records/second`);
  return { model, method: 'normal-equations', epochsRun: 1 };
}

function meansOf(m: DenseMatrix): Float64Array {
  const { rows, cols, data } = m;
  const sum = new Float64Array(cols);
  for (let o = 0; o < data.length; o += cols) for (let j = 0; j < cols; j++) sum[j] += data[o + j];
  for (let j = 0; j < cols; j++) sum[j] /= rows;
  return sum;
}

/**
 * Solves A v = c for a symmetric positive semi-definite A (row-major k×k). Collinear features make A singular: a
 * small ridge, growing until the factorisation succeeds, picks the minimum-norm-like solution.
 */
export function choleskySolve(a: Float64Array, c: Float64Array, k: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i];
  const base = trace > 0 ? trace / k : 1;
  for (let jitter = 0; ; jitter = jitter === 0 ? base * 1e-12 : jitter * 100) {
    const l = new Float64Array(k * k);
    let ok = true;
    for (let i = 0; i < k && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = a[i * k + j] + (i === j ? jitter : 0);
        for (let p = 0; p < j; p++) sum -= l[i * k + p] * l[j * k + p];
        if (i === j) {
          if (!(sum > base * 1e-13)) {
            ok = false;
            break;
          }
          l[i * k + i] = Math.sqrt(sum);
        } else {
          l[i * k + j] = sum / l[j * k + j];
        }
      }
    }
    if (!ok) {
      if (jitter > base) throw new Error('the normal equations cannot be solved (the features are degenerate)');
      continue;
    }
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let sum = c[i];
      for (let p = 0; p < i; p++) sum -= l[i * k + p] * y[p];
      y[i] = sum / l[i * k + i];
    }
    const v = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      let sum = y[i];
      for (let p = i + 1; p < k; p++) sum -= l[p * k + i] * v[p];
      v[i] = sum / l[i * k + i];
    }
    return v;
  }
}

/** A small, seedable generator (mulberry32): shuffles must not depend on Math.random to be reproducible. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleRows(m: DenseMatrix, random: () => number): void {
  const { rows, cols, data } = m;
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    if (j === i) continue;
    const a = i * cols;
    const b = j * cols;
    for (let k = 0; k < cols; k++) {
      const t = data[a + k];
      data[a + k] = data[b + k];
      data[b + k] = t;
    }
  }
}

/**
 * Minibatch training in standardised space. The parameters v (weights) and v0 (bias) score a record as
 * z = v0 + Σ v_j (x_j − μ_j)/s_j on the label's standardised scale; each batch first folds that into raw weights
 * u_j = v_j/s_j and c = v0 − Σ u_j μ_j, so the data is read as it is.
 */
function minibatch(input: TrainInput): TrainResult {
  const { train, validation, hp, host, log } = input;
  const { rows, cols, data } = train;
  const d = cols - 1;
  const regressor = hp.predictorType === 'regressor';
  const random = rng(input.seed ?? 0x5eed);
  shuffleRows(train, random);
  const s = scaling(train, hp);
  const { mean, scale, labelMean, labelScale } = s;

  const batch = Math.min(hp.miniBatchSize, rows);
  const batches = Math.ceil(rows / batch);
  const totalSteps = batches * hp.epochs;
  const optimizer = hp.optimizer === 'auto' ? 'adam' : hp.optimizer;
  // 'auto': a rate that moves standardised weights by O(1) over the run, also when the data has few batches.
  const lr0 = hp.learningRate !== 'auto' ? hp.learningRate : optimizer === 'sgd' ? 0.1 : totalSteps >= 2000 ? 0.01 : Math.min(0.1, 20 / totalSteps);
  const minLr = hp.lrSchedulerMinimumLr === 'auto' ? lr0 / 100 : hp.lrSchedulerMinimumLr;
  // 'auto' schedule: exponential decay to a twentieth of the rate over the run, applied per step.
  const stepEvery = hp.lrSchedulerStep === 'auto' ? 1 : hp.lrSchedulerStep;
  const factor = hp.lrSchedulerFactor === 'auto' ? Math.pow(0.05, stepEvery / Math.max(totalSteps, 1)) : hp.lrSchedulerFactor;

  let positives = 0;
  if (!regressor) for (let o = 0; o < data.length; o += cols) positives += data[o];
  const posWeight = regressor ? 1 : hp.positiveExampleWeightMult === 'balanced' ? (positives > 0 ? (rows - positives) / positives : 1) : hp.positiveExampleWeightMult;

  // Parameters (standardised space), gradients and optimizer state: index d is the bias.
  const v = new Float64Array(d + 1);
  v[d] = regressor ? (hp.initBias - labelMean) / labelScale : hp.initBias;
  const g = new Float64Array(d + 1);
  const m1 = new Float64Array(d + 1);
  const m2 = new Float64Array(d + 1);
  const u = new Float64Array(d);
  const gx = new Float64Array(d);
  const eps = regressor ? hp.lossInsensitivity / labelScale : 0;
  const delta = regressor ? hp.huberDelta / labelScale : 0;

  const order = new Uint32Array(batches);
  for (let i = 0; i < batches; i++) order[i] = i;
  let lr = lr0;
  let step = 0;
  const name = objectiveName(hp.loss);
  const best = { metric: Infinity, v: new Float64Array(v), epoch: -1 };
  let sinceBest = 0;
  let epochsRun = 0;

  const toModel = (params: Float64Array): LinearLearnerModel => {
    const weights = new Float64Array(d);
    let bias = params[d];
    for (let j = 0; j < d; j++) {
      weights[j] = params[j] / scale[j];
      bias -= weights[j] * mean[j];
    }
    if (regressor) {
      for (let j = 0; j < d; j++) weights[j] *= labelScale;
      bias = bias * labelScale + labelMean;
    }
    return { predictorType: hp.predictorType, featureDim: d, weights, bias };
  };

  for (let epoch = 0; epoch < hp.epochs; epoch++) {
    const started = Date.now();
    for (let i = batches - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let epochLoss = 0;
    for (let bi = 0; bi < batches; bi++) {
      const first = order[bi] * batch;
      const last = Math.min(first + batch, rows);
      // Fold the standardisation into raw weights for this batch.
      let c = v[d];
      for (let j = 0; j < d; j++) {
        u[j] = v[j] / scale[j];
        c -= u[j] * mean[j];
      }
      gx.fill(0);
      const acc = { loss: 0, gsum: 0 };
      if (regressor) regressionBatch(hp, data, cols, first, last, c, u, gx, acc, labelMean, labelScale, eps, delta);
      else if (hp.loss === 'logistic') logisticBatch(data, cols, first, last, c, u, gx, acc, posWeight);
      else hingeBatch(data, cols, first, last, c, u, gx, acc, posWeight, hp.margin);
      epochLoss += acc.loss;
      const gsum = acc.gsum;
      // Gradient in standardised space: g_j = Σ dz (x_j − μ_j)/s_j / n.
      const n = last - first;
      for (let j = 0; j < d; j++) g[j] = (gx[j] - mean[j] * gsum) / (scale[j] * n) + hp.wd * v[j];
      g[d] = gsum / n + hp.wd * hp.biasWdMult * v[d];
      if (!hp.useBias) g[d] = 0;
      step++;
      update(optimizer, v, g, m1, m2, lr, hp, step);
      if (hp.l1 > 0) {
        const t = lr * hp.l1;
        for (let j = 0; j < d; j++) {
          const w = v[j];
          v[j] = w > t ? w - t : w < -t ? w + t : 0;
        }
      }
      if (hp.useLrScheduler && step % stepEvery === 0) lr = Math.max(minLr, lr * factor);
    }
    epochsRun++;
    const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
    const trainObjective = epochLoss / rows;
    log(metricLine(host, 'train', epoch, name, 'loss', trainObjective));
    let criterion = trainObjective;
    if (validation !== undefined) {
      const val = evaluate(toModel(v), validation, hp).objective;
      log(metricLine(host, 'validation', epoch, name, 'loss', val));
      criterion = val;
    }
    if (!Number.isFinite(criterion)) {
      throw new ClientError(`training diverged in epoch ${epoch} (the ${validation ? 'validation' : 'train'} objective is ${criterion}); lower learning_rate or keep normalize_data true`);
    }
    log(`#progress_metric: host=${host}, completed ${((100 * (epoch + 1)) / hp.epochs).toFixed(1)} % of epochs`);
    log(`#throughput_metric: host=${host}, train throughput=${rows / seconds} records/second`);
    const improved = best.epoch < 0 || (best.metric - criterion) / Math.max(Math.abs(best.metric), 1e-300) > hp.earlyStoppingTolerance;
    if (improved || criterion < best.metric) {
      // An improvement below the tolerance does not reset the patience, but its model is still the better one.
      best.metric = criterion;
      best.v.set(v);
      best.epoch = epoch;
    }
    if (improved) {
      sinceBest = 0;
      log(`Epoch ${epoch}: Loss improved. Updating best model`);
    } else if (++sinceBest >= hp.earlyStoppingPatience && epoch + 1 < hp.epochs) {
      log(`Epoch ${epoch}: Loss has not improved for ${sinceBest} epochs (early_stopping_patience ${hp.earlyStoppingPatience}). Stopping training; the model of epoch ${best.epoch} is kept`);
      break;
    }
  }
  return { model: toModel(best.v), method: 'minibatch', epochsRun };
}

interface BatchSums {
  loss: number;
  gsum: number;
}

/**
 * One batch of logistic regression: adds Σ dz·x to gx, Σ dz to acc.gsum and the cross-entropy to acc.loss. Kept
 * apart from the other losses so that the hot loop has no branches beyond the label (one exp, one log1p per record).
 */
function logisticBatch(data: Float64Array, cols: number, first: number, last: number, c: number, u: Float64Array, gx: Float64Array, acc: BatchSums, posWeight: number): void {
  const d = cols - 1;
  let loss = 0;
  let gsum = 0;
  for (let o = first * cols, end = last * cols; o < end; o += cols) {
    let z = c;
    for (let j = 0; j < d; j++) z += u[j] * data[o + 1 + j];
    const y = data[o];
    const e = Math.exp(-Math.abs(z));
    const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    loss += Math.log1p(e) + (z > 0 ? z : 0) - y * z;
    const dz = y === 1 ? (p - 1) * posWeight : p;
    gsum += dz;
    for (let j = 0; j < d; j++) gx[j] += dz * data[o + 1 + j];
  }
  acc.loss += loss;
  acc.gsum += gsum;
}

function hingeBatch(data: Float64Array, cols: number, first: number, last: number, c: number, u: Float64Array, gx: Float64Array, acc: BatchSums, posWeight: number, margin: number): void {
  const d = cols - 1;
  for (let o = first * cols, end = last * cols; o < end; o += cols) {
    let z = c;
    for (let j = 0; j < d; j++) z += u[j] * data[o + 1 + j];
    const sign = 2 * data[o] - 1;
    const gap = margin - sign * z;
    if (gap <= 0) continue;
    acc.loss += gap;
    const dz = sign > 0 ? -posWeight : 1;
    acc.gsum += dz;
    for (let j = 0; j < d; j++) gx[j] += dz * data[o + 1 + j];
  }
}

/** One batch of a regression loss; the label is standardised on the fly, the loss is summed on its own scale. */
function regressionBatch(
  hp: LinearLearnerHyperparameters,
  data: Float64Array,
  cols: number,
  first: number,
  last: number,
  c: number,
  u: Float64Array,
  gx: Float64Array,
  acc: BatchSums,
  labelMean: number,
  labelScale: number,
  eps: number,
  delta: number,
): void {
  const d = cols - 1;
  const loss = hp.loss as RegressorLoss;
  for (let o = first * cols, end = last * cols; o < end; o += cols) {
    let z = c;
    for (let j = 0; j < d; j++) z += u[j] * data[o + 1 + j];
    const yRaw = data[o];
    acc.loss += lossValue(hp, z * labelScale + labelMean, yRaw);
    const dz = regressionGradient(loss, z, (yRaw - labelMean) / labelScale, eps, delta, hp.quantile);
    if (dz === 0) continue;
    acc.gsum += dz;
    for (let j = 0; j < d; j++) gx[j] += dz * data[o + 1 + j];
  }
}

/** d loss / d z on the standardised scale for a regression loss (r = z − y). */
function regressionGradient(loss: RegressorLoss, z: number, y: number, eps: number, delta: number, quantile: number): number {
  const r = z - y;
  switch (loss) {
    case 'squared_loss':
      return r;
    case 'absolute_loss':
      return r > 0 ? 1 : r < 0 ? -1 : 0;
    case 'eps_insensitive_squared_loss': {
      const a = Math.abs(r) - eps;
      return a > 0 ? (r > 0 ? a : -a) : 0;
    }
    case 'eps_insensitive_absolute_loss':
      return Math.abs(r) > eps ? (r > 0 ? 1 : -1) : 0;
    case 'quantile_loss':
      return y > z ? -quantile : 1 - quantile;
    case 'huber_loss':
      return Math.abs(r) <= delta ? r : r > 0 ? delta : -delta;
    default: {
      const never: never = loss;
      throw new Error(`unknown loss ${String(never)}`);
    }
  }
}

function update(optimizer: 'adam' | 'sgd' | 'rmsprop', v: Float64Array, g: Float64Array, m1: Float64Array, m2: Float64Array, lr: number, hp: LinearLearnerHyperparameters, step: number): void {
  const k = v.length;
  const biasLr = hp.biasLrMult;
  switch (optimizer) {
    case 'adam': {
      const b1 = hp.beta1;
      const b2 = hp.beta2;
      const c1 = 1 - Math.pow(b1, step);
      const c2 = 1 - Math.pow(b2, step);
      for (let j = 0; j < k; j++) {
        m1[j] = b1 * m1[j] + (1 - b1) * g[j];
        m2[j] = b2 * m2[j] + (1 - b2) * g[j] * g[j];
        const rate = j === k - 1 ? lr * biasLr : lr;
        v[j] -= (rate * (m1[j] / c1)) / (Math.sqrt(m2[j] / c2) + 1e-8);
      }
      return;
    }
    case 'sgd':
      for (let j = 0; j < k; j++) {
        m1[j] = hp.momentum * m1[j] + g[j];
        v[j] -= (j === k - 1 ? lr * biasLr : lr) * m1[j];
      }
      return;
    case 'rmsprop':
      for (let j = 0; j < k; j++) {
        m2[j] = 0.9 * m2[j] + 0.1 * g[j] * g[j];
        v[j] -= ((j === k - 1 ? lr * biasLr : lr) * g[j]) / (Math.sqrt(m2[j]) + 1e-8);
      }
      return;
    default: {
      const never: never = optimizer;
      throw new Error(`unknown optimizer ${String(never)}`);
    }
  }
}

/** The final metric lines AWS's linear-learner writes for one channel (`train`, `validation`, `test`). */
export function finalMetricLines(host: string, channel: string, metrics: Metrics, loss: Loss): string[] {
  const lines = [metricLine(host, channel, undefined, objectiveName(loss), 'loss', metrics.objective)];
  if (metrics.kind === 'regressor') {
    lines.push(metricLine(host, channel, undefined, 'mse', 'loss', metrics.mse));
    lines.push(metricLine(host, channel, undefined, 'absolute_loss', 'loss', metrics.absoluteLoss));
  } else {
    lines.push(metricLine(host, channel, undefined, 'binary_classification_accuracy', 'score', metrics.accuracy));
    lines.push(metricLine(host, channel, undefined, 'binary_f_beta', 'score', metrics.fBeta));
    lines.push(metricLine(host, channel, undefined, 'precision', 'score', metrics.precision));
    lines.push(metricLine(host, channel, undefined, 'recall', 'score', metrics.recall));
    lines.push(metricLine(host, channel, undefined, 'roc_auc_score', 'score', metrics.rocAuc));
  }
  return lines;
}
