/**
 * SageMaker's errors with AWS's codes and wording. SageMaker answers a missing model, endpoint, endpoint config or
 * job with ValidationException (the botocore `EndpointDeleted` waiter relies on it), and so does the registry for a
 * missing model package group or package ("ModelPackageGroup <arn> does not exist." — seen in AWS's own
 * CloudFormation provider and real tracebacks; the reference's §0.1 says ResourceNotFound, which is wrong there).
 * Pipelines and feature groups answer ResourceNotFound.
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
