/**
 * Step RetryPolicies: which failures a policy covers and when the next attempt starts.
 *
 * A policy is `{ExceptionType: [...], IntervalSeconds = 1, BackoffRate = 2.0, MaxAttempts | ExpireAfterMin}`; the
 * delay before attempt n (n ≥ 2) is `IntervalSeconds × BackoffRate^(n-2)`. `Step.SERVICE_FAULT` and
 * `Step.THROTTLING` are retried even without a policy (AWS does; how often it does not say — mlzone allows
 * DEFAULT_ATTEMPTS attempts). A step whose failure no policy covers fails at once.
 */
import { PipelineDefinitionError } from './errors.js';

export const RETRYABLE_TYPES = ['Step.SERVICE_FAULT', 'Step.THROTTLING', 'SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'] as const;
export type RetryableType = (typeof RETRYABLE_TYPES)[number];

/** Step types that take RetryPolicies (and which exception types each may name). */
const JOB_STEP_TYPES = new Set(['Processing', 'Training', 'Transform', 'Tuning', 'AutoML', 'EMR']);
const CALL_STEP_TYPES = new Set(['Model', 'RegisterModel', 'CreateModel']);

export interface RetryPolicy {
  readonly ExceptionType: readonly RetryableType[];
  readonly IntervalSeconds: number;
  readonly BackoffRate: number;
  readonly MaxAttempts?: number;
  readonly ExpireAfterMin?: number;
}

const DEFAULT_ATTEMPTS = 3;

function invalid(step: string, why: string): never {
  // wording: mlzone's own (AWS's message for a bad policy is not documented).
  throw new PipelineDefinitionError(`Invalid RetryPolicies of step '${step}': ${why}`);
}

function numberIn(step: string, value: unknown, field: string, min: number, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    invalid(step, `${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Checks a step's RetryPolicies as written and returns them with defaults filled in. */
export function parseRetryPolicies(step: string, stepType: string, raw: readonly unknown[]): RetryPolicy[] {
  if (raw.length > 0 && !JOB_STEP_TYPES.has(stepType) && !CALL_STEP_TYPES.has(stepType)) {
    invalid(step, `${stepType} steps do not take RetryPolicies (Processing, Training, Tuning, Transform, Model and RegisterModel steps do).`);
  }
  return raw.map((r) => {
    const p = r as Record<string, unknown>;
    if (!Array.isArray(p.ExceptionType) || p.ExceptionType.length === 0) invalid(step, 'ExceptionType must be a non-empty list.');
    for (const t of p.ExceptionType) {
      if (!RETRYABLE_TYPES.includes(t as RetryableType)) invalid(step, `ExceptionType ${JSON.stringify(t)} is not one of ${RETRYABLE_TYPES.join(', ')}.`);
      if (String(t).startsWith('SageMaker.') && !JOB_STEP_TYPES.has(stepType)) invalid(step, `${String(t)} applies to job steps only; a ${stepType} step can retry Step.SERVICE_FAULT and Step.THROTTLING.`);
    }
    if (p.MaxAttempts !== undefined && p.ExpireAfterMin !== undefined) invalid(step, 'give either MaxAttempts or ExpireAfterMin, not both.');
    const maxAttempts = numberIn(step, p.MaxAttempts, 'MaxAttempts', 1, 20, true);
    const expireAfterMin = numberIn(step, p.ExpireAfterMin, 'ExpireAfterMin', 0, 14400, true);
    return {
      ExceptionType: p.ExceptionType as RetryableType[],
      IntervalSeconds: numberIn(step, p.IntervalSeconds, 'IntervalSeconds', 1, 43200, true) ?? 1,
      BackoffRate: numberIn(step, p.BackoffRate, 'BackoffRate', 0, 1_000_000, false) ?? 2.0,
      ...(maxAttempts !== undefined ? { MaxAttempts: maxAttempts } : {}),
      ...(expireAfterMin !== undefined ? { ExpireAfterMin: expireAfterMin } : {}),
    };
  });
}

/** The exception type of a failed service call (an AwsError's code and fault), if it is a retryable one. */
export function callFailureType(code: string, serverFault: boolean): RetryableType | undefined {
  if (code === 'ThrottlingException' || code === 'Throttling' || code === 'TooManyRequestsException') return 'Step.THROTTLING';
  if (code === 'ResourceLimitExceeded') return 'SageMaker.RESOURCE_LIMIT';
  if (serverFault) return 'Step.SERVICE_FAULT';
  return undefined;
}

/** The exception type of a job that ended Failed, read from its FailureReason (AWS prefixes the error class). */
export function jobFailureType(failureReason: string): RetryableType | undefined {
  if (/^InternalServerError\b/.test(failureReason)) return 'SageMaker.JOB_INTERNAL_ERROR';
  if (/^CapacityError\b/.test(failureReason)) return 'SageMaker.CAPACITY_ERROR';
  if (/^ResourceLimitExceeded\b/.test(failureReason)) return 'SageMaker.RESOURCE_LIMIT';
  return undefined;
}

/**
 * Milliseconds to wait before the next attempt, or undefined when the step must fail: `attempt` is the attempt that
 * just failed (1-based), `firstStartedAt` when the first attempt started.
 */
export function retryDelay(policies: readonly RetryPolicy[], type: RetryableType | undefined, attempt: number, firstStartedAt: number, now: number): number | undefined {
  if (type === undefined) return undefined;
  const policy = policies.find((p) => p.ExceptionType.includes(type));
  if (!policy) {
    if (type !== 'Step.SERVICE_FAULT' && type !== 'Step.THROTTLING') return undefined;
    return attempt < DEFAULT_ATTEMPTS ? 1000 * 2 ** (attempt - 1) : undefined;
  }
  const delay = 1000 * policy.IntervalSeconds * policy.BackoffRate ** (attempt - 1);
  if (policy.ExpireAfterMin !== undefined) return now + delay - firstStartedAt <= policy.ExpireAfterMin * 60_000 ? delay : undefined;
  return attempt < (policy.MaxAttempts ?? DEFAULT_ATTEMPTS) ? delay : undefined;
}
