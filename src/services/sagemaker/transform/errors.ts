/**
 * Why a transform job fails while it processes data. These are not API errors (nothing here is an HTTP answer): the
 * job runner catches them and writes `message` into the job's `FailureReason` (SageMaker prefixes the object's
 * `bucket/key: ` in the job log; the runner adds that, these messages don't carry it).
 */

export type TransformDataErrorKind =
  /** A record (or, with SplitType None, the whole object) is larger than MaxPayloadInMB. */
  | 'PayloadTooLarge'
  /** An InputFilter/OutputFilter SageMaker's JSONPath subset cannot parse or does not support. */
  | 'InvalidJsonPath'
  /** A filter that parsed but does not fit the record (an index out of range, a missing member, a name on CSV). */
  | 'FilterFailed'
  /** With JoinSource=Input, the model answered a different number of records than it was sent. */
  | 'RecordCountMismatch'
  /** The input is not what its SplitType or content type says (bad RecordIO/TFRecord framing, bad CSV or JSON). */
  | 'MalformedRecord'
  /** A combination SageMaker's data processing does not cover (a join on a binary format, an unknown SplitType). */
  | 'Unsupported';

export class TransformDataError extends Error {
  readonly kind: TransformDataErrorKind;

  constructor(kind: TransformDataErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransformDataError';
    this.kind = kind;
  }
}

export function isTransformDataError(e: unknown): e is TransformDataError {
  return e instanceof TransformDataError;
}
