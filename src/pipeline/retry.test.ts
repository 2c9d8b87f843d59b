import { describe, expect, it } from 'vitest';
import { PipelineDefinitionError } from './errors.js';
import { callFailureType, jobFailureType, parseRetryPolicies, retryDelay } from './retry.js';

describe('RetryPolicies', () => {
  it('fill AWS’s defaults: IntervalSeconds 1, BackoffRate 2.0', () => {
    expect(parseRetryPolicies('T', 'Training', [{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], MaxAttempts: 3 }])).toEqual([{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }]);
  });

  it.each([
    [[{ ExceptionType: ['Step.NOPE'] }], /ExceptionType "Step.NOPE" is not one of/],
    [[{ ExceptionType: [] }], /non-empty list/],
    [[{ ExceptionType: ['Step.THROTTLING'], MaxAttempts: 21 }], /MaxAttempts must be an integer from 1 to 20/],
    [[{ ExceptionType: ['Step.THROTTLING'], MaxAttempts: 2, ExpireAfterMin: 5 }], /either MaxAttempts or ExpireAfterMin/],
    [[{ ExceptionType: ['Step.THROTTLING'], IntervalSeconds: 43201 }], /IntervalSeconds must be an integer from 1 to 43200/],
  ])('refuse %j', (policies, message) => {
    expect(() => parseRetryPolicies('T', 'Training', policies)).toThrow(PipelineDefinitionError);
    expect(() => parseRetryPolicies('T', 'Training', policies)).toThrow(message);
  });

  it('refuse them on steps that do not retry, and SageMaker job errors on steps without a job', () => {
    expect(() => parseRetryPolicies('C', 'Condition', [{ ExceptionType: ['Step.SERVICE_FAULT'] }])).toThrow(/Condition steps do not take RetryPolicies/);
    expect(() => parseRetryPolicies('M', 'Model', [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'] }])).toThrow(/applies to job steps only/);
    expect(parseRetryPolicies('M', 'Model', [{ ExceptionType: ['Step.SERVICE_FAULT'] }])).toHaveLength(1);
  });

  it('wait IntervalSeconds × BackoffRate^(n-2) before attempt n, up to MaxAttempts', () => {
    const policies = parseRetryPolicies('T', 'Training', [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 3 }]);
    expect(retryDelay(policies, 'SageMaker.JOB_INTERNAL_ERROR', 1, 0, 0)).toBe(10_000);
    expect(retryDelay(policies, 'SageMaker.JOB_INTERNAL_ERROR', 2, 0, 0)).toBe(30_000);
    expect(retryDelay(policies, 'SageMaker.JOB_INTERNAL_ERROR', 3, 0, 0)).toBeUndefined();
    expect(retryDelay(policies, 'SageMaker.CAPACITY_ERROR', 1, 0, 0)).toBeUndefined();
  });

  it('stop retrying once ExpireAfterMin has passed since the first attempt', () => {
    const policies = parseRetryPolicies('T', 'Training', [{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], IntervalSeconds: 60, BackoffRate: 1, ExpireAfterMin: 2 }]);
    expect(retryDelay(policies, 'SageMaker.CAPACITY_ERROR', 1, 0, 30_000)).toBe(60_000);
    expect(retryDelay(policies, 'SageMaker.CAPACITY_ERROR', 2, 0, 90_000)).toBeUndefined();
  });

  it('retry service faults and throttling a few times even without a policy, nothing else', () => {
    expect(retryDelay([], 'Step.SERVICE_FAULT', 1, 0, 0)).toBe(1000);
    expect(retryDelay([], 'Step.THROTTLING', 3, 0, 0)).toBeUndefined();
    expect(retryDelay([], 'SageMaker.JOB_INTERNAL_ERROR', 1, 0, 0)).toBeUndefined();
  });

  it('classify failed calls and failed jobs', () => {
    expect(callFailureType('ThrottlingException', false)).toBe('Step.THROTTLING');
    expect(callFailureType('InternalFailure', true)).toBe('Step.SERVICE_FAULT');
    expect(callFailureType('ResourceLimitExceeded', false)).toBe('SageMaker.RESOURCE_LIMIT');
    expect(callFailureType('ValidationException', false)).toBeUndefined();
    expect(jobFailureType('InternalServerError: We encountered an internal error.')).toBe('SageMaker.JOB_INTERNAL_ERROR');
    expect(jobFailureType('CapacityError: Unable to provision requested ML compute capacity.')).toBe('SageMaker.CAPACITY_ERROR');
    expect(jobFailureType('AlgorithmError: boom')).toBeUndefined();
  });
});
