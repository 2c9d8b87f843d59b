/**
 * SageMaker Pipelines, the pure part: the definition (parse and validate), parameters of a start, expressions and
 * conditions, and the scheduling decisions over the step graph. No I/O: reading S3 (`Std:JsonGet`) goes through the
 * `Scope` the caller passes; running steps and storing executions belong to the SageMaker service.
 */
export { PipelineDefinitionError, PipelineExpressionError } from './errors.js';
export {
  CONDITION_TYPES,
  DEFINITION_VERSION,
  PARAMETER_NAME_PATTERN,
  PARAMETER_TYPES,
  STEP_NAME_PATTERN,
  STEP_TYPES,
  parseDefinition,
  type ParameterDef,
  type ParameterType,
  type ParameterValue,
  type ParsedDefinition,
  type PropertyFileDef,
  type StepNode,
} from './definition.js';
export { parameterString, parameterStrings, resolveParameters } from './parameters.js';
export { compareCondition, evaluateConditions, evaluateJsonPath, joinString, referencedSteps, resolve, type Scope, type StepView } from './expressions.js';
export { RUNNING_STATES, finished, runnableSteps, unreachableSteps, type StepState } from './dag.js';
export { EXECUTION_VARIABLES, isExpression } from './syntax.js';
export { RETRYABLE_TYPES, callFailureType, jobFailureType, parseRetryPolicies, retryDelay, type RetryPolicy, type RetryableType } from './retry.js';
