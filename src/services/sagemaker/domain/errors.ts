/**
 * SageMaker's errors with AWS's codes and wording. SageMaker answers a missing model, endpoint, endpoint config or
 * job with ValidationException (the botocore `EndpointDeleted` waiter relies on it), and a missing registry or
 * pipeline resource with ResourceNotFound.
 */
import { AwsError } from '../../../core/errors.js';

export const errors = {
  validation: (message: string) => new AwsError('ValidationException', message, { status: 400 }),
  notFound: (message: string) => new AwsError('ResourceNotFound', message, { status: 400 }),
  inUse: (message: string) => new AwsError('ResourceInUse', message, { status: 400 }),
  limitExceeded: (message: string) => new AwsError('ResourceLimitExceeded', message, { status: 400 }),
  conflict: (message: string) => new AwsError('ConflictException', message, { status: 400 }),
  invalidToken: () => new AwsError('ValidationException', 'Invalid pagination token', { status: 400 }),
};
