/**
 * The metric definitions AWS attaches to its built-in algorithms (`AlgorithmSpecification.MetricDefinitions` in
 * DescribeTrainingJob when the image is AWS's), so that the SageMaker service can compute `FinalMetricDataList`
 * for jobs that define none themselves (reference §2.4: the first capture group of each regex, last value wins).
 *
 * Sources:
 * - linear-learner: the definitions a real DescribeHyperParameterTuningJob returned for `linear-learner:1`
 *   (AWS's own set, recorded 2020), plus `roc_auc_score`, which the linear-learner tuning page lists
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner-tuning.html).
 * - XGBoost: sagemaker-xgboost-container `algorithm_mode/metrics.py` (validation:<metric> for every metric XGBoost
 *   reports, regex `.*\[[0-9]+\].*#011validation-<metric>:(\S+)`), with the train: counterparts. `#011` is how
 *   CloudWatch shows a tab; the job runtime writes log lines the same way, so these match.
 */

import type { RuntimeImage } from '../types.js';

/** One `MetricDefinition` (AWS member names). */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

const q = (name: string, channel: string, metric: string, kind: 'loss' | 'score'): MetricDefinition => ({
  Name: `${channel}:${name}`,
  Regex: `#quality_metric: host=\\S+, ${channel} ${metric} <${kind}>=(\\S+)`,
});

function linearLearnerDefinitions(): MetricDefinition[] {
  const defs: MetricDefinition[] = [
    { Name: 'train:progress', Regex: '#progress_metric: host=\\S+, completed (\\S+) %' },
    { Name: 'train:throughput', Regex: '#throughput_metric: host=\\S+, train throughput=(\\S+) records/second' },
    { Name: 'train:objective_loss', Regex: '#quality_metric: host=\\S+, epoch=\\S+, train \\S+_objective <loss>=(\\S+)' },
    { Name: 'validation:objective_loss', Regex: '#quality_metric: host=\\S+, epoch=\\S+, validation \\S+_objective <loss>=(\\S+)' },
    { Name: 'train:objective_loss:final', Regex: '#quality_metric: host=\\S+, train \\S+_objective <loss>=(\\S+)' },
    { Name: 'validation:objective_loss:final', Regex: '#quality_metric: host=\\S+, validation \\S+_objective <loss>=(\\S+)' },
    { Name: 'test:objective_loss', Regex: '#quality_metric: host=\\S+, test \\S+_objective <loss>=(\\S+)' },
  ];
  for (const channel of ['train', 'validation', 'test']) {
    defs.push(
      q('mse', channel, 'mse', 'loss'),
      q('absolute_loss', channel, 'absolute_loss', 'loss'),
      q('binary_classification_accuracy', channel, 'binary_classification_accuracy', 'score'),
      q('binary_f_beta', channel, 'binary_f_\\S+', 'score'),
      q('precision', channel, 'precision', 'score'),
      q('recall', channel, 'recall', 'score'),
      q('roc_auc_score', channel, 'roc_auc_score', 'score'),
    );
    if (channel !== 'train') {
      defs.push(
        q('multiclass_accuracy', channel, 'multiclass_accuracy', 'score'),
        q('multiclass_top_k_accuracy', channel, 'multiclass_top_k_accuracy_\\S+', 'score'),
        q('dcg', channel, 'dcg', 'score'),
        q('macro_precision', channel, 'macro_precision', 'score'),
        q('macro_recall', channel, 'macro_recall', 'score'),
        q('macro_f_beta', channel, 'macro_f_\\S+', 'score'),
      );
    }
  }
  return defs;
}

/** AWS's built-in metric definitions of `linear-learner`. */
export const LINEAR_LEARNER_METRIC_DEFINITIONS: readonly MetricDefinition[] = Object.freeze(linearLearnerDefinitions());

/** The metrics XGBoost can report (sagemaker-xgboost-container `xgb_constants.py`). */
const XGBOOST_METRICS = [
  'accuracy', 'auc', 'aucpr', 'balanced_accuracy', 'f1', 'f1_binary', 'f1_macro', 'map', 'ndcg', 'precision', 'r2', 'recall',
  'precision_macro', 'precision_micro', 'recall_macro', 'recall_micro',
  'aft-nloglik', 'cox-nloglik', 'error', 'gamma-deviance', 'gamma-nloglik', 'interval-regression-accuracy', 'logloss', 'mae',
  'mape', 'merror', 'mlogloss', 'mphe', 'mse', 'poisson-nloglik', 'rmse', 'rmsle', 'tweedie-nloglik',
];

/** AWS's built-in metric definitions of the XGBoost image in algorithm mode (no `sagemaker_program`). */
export const XGBOOST_METRIC_DEFINITIONS: readonly MetricDefinition[] = Object.freeze(
  ['train', 'validation'].flatMap((channel) =>
    XGBOOST_METRICS.map((metric) => ({ Name: `${channel}:${metric}`, Regex: `.*\\[[0-9]+\\].*#011${channel}-${metric}:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*` })),
  ),
);

/**
 * The metric definitions AWS adds to a training job on this image: linear-learner's, XGBoost's in algorithm mode
 * (no `sagemaker_program` hyperparameter), none otherwise (script mode and users' images define their own).
 */
export function builtinMetricDefinitions(image: RuntimeImage, hyperParameters: Readonly<Record<string, string>> = {}): readonly MetricDefinition[] {
  if (image.kind === 'builtin') return LINEAR_LEARNER_METRIC_DEFINITIONS;
  if (image.kind === 'framework' && image.framework === 'xgboost' && hyperParameters.sagemaker_program === undefined) return XGBOOST_METRIC_DEFINITIONS;
  return [];
}

/** A metric value found in a log line. */
export interface MetricMatch {
  readonly name: string;
  readonly value: number;
}

/**
 * Compiles definitions once; the returned function gives every metric a log line carries (the first capture
 * group of each matching regex, parsed as a float; definitions whose capture is not a number are skipped, as AWS
 * drops them). AWS's regexes are Java-style; the ones in use (`\S`, `\[`, groups, classes) mean the same in
 * JavaScript. A definition whose regex JavaScript cannot compile is ignored.
 */
export function metricMatcher(definitions: readonly MetricDefinition[]): (line: string) => MetricMatch[] {
  const compiled: { name: string; re: RegExp }[] = [];
  for (const d of definitions) {
    try {
      compiled.push({ name: d.Name, re: new RegExp(d.Regex) });
    } catch {
      // not a regex JavaScript understands: no data points, as for a regex that never matches
    }
  }
  return (line) => {
    const out: MetricMatch[] = [];
    for (const { name, re } of compiled) {
      const m = re.exec(line);
      if (m === null || m[1] === undefined) continue;
      const value = Number.parseFloat(m[1]);
      if (Number.isFinite(value)) out.push({ name, value });
    }
    return out;
  };
}
