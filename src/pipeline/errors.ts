/**
 * The two error types of the pipeline layer. Neither is an `AwsError`: the SageMaker service turns a
 * `PipelineDefinitionError` into its `ValidationException` (CreatePipeline, UpdatePipeline, StartPipelineExecution)
 * and writes a `PipelineExpressionError`'s message into the failing step's `FailureReason`.
 */

/** A definition or a start's parameters that SageMaker would refuse; AWS's ValidationException message lives in `.message`. */
export class PipelineDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineDefinitionError';
  }
}

/** A step reference or expression that cannot be resolved; `.message` is written for the step's FailureReason. */
export class PipelineExpressionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineExpressionError';
  }
}
