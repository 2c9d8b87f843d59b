/**
 * The one error type of mlzone. Anything a handler, the auth chain or a codec throws on purpose is an
 * `AwsError`; only `protocol/` turns it into bytes (query `<ErrorResponse>`, JSON `__type`, S3 `<Error>`).
 */
export type Fault = 'Sender' | 'Receiver';

export interface AwsErrorInit {
  readonly status?: number;
  readonly fault?: Fault;
  /** Extra members of the error shape, serialized beside Code and Message (e.g. S3's `BucketName`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, init: AwsErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AwsError';
    this.code = code;
    this.status = init.status ?? 400;
    this.fault = init.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.fields = init.fields ?? {};
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

/** Anything that is not already an AwsError becomes InternalFailure (500); the cause is kept for the log. */
export function toAwsError(e: unknown): AwsError {
  if (isAwsError(e)) return e;
  return new AwsError('InternalFailure', 'We encountered an internal error. Please try again.', {
    status: 500,
    fault: 'Receiver',
    cause: e,
  });
}

/** The common catalog: codes every protocol may produce, independent of any one service model. */
export const CommonErrors = {
  accessDenied: (message: string, code = 'AccessDenied', status = 403) => new AwsError(code, message, { status }),
  validation: (message: string, code = 'ValidationError') => new AwsError(code, message, { status: 400 }),
  invalidClientTokenId: (message = 'The security token included in the request is invalid.', code = 'InvalidClientTokenId') =>
    new AwsError(code, message, { status: 403 }),
  signatureDoesNotMatch: (message: string) => new AwsError('SignatureDoesNotMatch', message, { status: 403 }),
  expiredToken: (message = 'The security token included in the request is expired') =>
    new AwsError('ExpiredToken', message, { status: 403 }),
  missingAuthenticationToken: (message = 'Request is missing Authentication Token') =>
    new AwsError('MissingAuthenticationToken', message, { status: 403 }),
  notImplemented: (service: string, operation: string) =>
    new AwsError('NotImplemented', `The operation ${operation} of service ${service} is not implemented by mlzone`, {
      status: 501,
      fault: 'Receiver',
    }),
  unknownOperation: (message = 'The action or operation requested is invalid. Verify that the action is typed correctly.') =>
    new AwsError('InvalidAction', message, { status: 400 }),
  internal: (cause?: unknown) => toAwsError(cause ?? new Error('internal')),
} as const;
