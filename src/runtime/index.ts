/**
 * The container runtime's public surface (ARCHITECTURE.md §7). `app/` creates the runtime and hands the
 * `ContainerRuntime` to the services; training and the services import the pure helpers (image resolution,
 * model artifacts, the built-in model format) from here rather than from the files behind it.
 */
export * from './types.js';
export { createProcessRuntime } from './process-runtime.js';
export type { LaunchCommand, ProcessRuntime, ProcessRuntimeOptions } from './process-runtime.js';
export { trainingConfigFiles, trainingEnvironment } from './training-contract.js';
export type { ChannelConfig, TrainingContractInput, TrainingEnvironment } from './training-contract.js';
export { LINEAR_LEARNER_METRIC_DEFINITIONS, XGBOOST_METRIC_DEFINITIONS, builtinMetricDefinitions, metricMatcher } from './builtin/metric-definitions.js';
export type { MetricDefinition, MetricMatch } from './builtin/metric-definitions.js';
export { awsImageUri, frameworkImageOf, knownImageRegions, parseImageUri } from './images.js';
export type { ParsedImageUri } from './images.js';
export { createModelArtifact, createModelArtifactFromDir, extractModelArtifact } from './model-artifact.js';
export type { ExtractOptions } from './model-artifact.js';
export {
  InvalidRequestError,
  LINEAR_LEARNER_MODEL_FILE,
  formatPredictions,
  invokeLinearLearner,
  parseLinearLearnerModel,
  parseRecords,
  predictOne,
  serializeLinearLearnerModel,
} from './builtin/linear-learner.js';
export type { LinearLearnerModel, LinearLearnerModelFile, Prediction, PredictorType } from './builtin/linear-learner.js';
