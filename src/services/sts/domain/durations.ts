import { AwsError } from '../../../core/errors.js';

/** AWS's session length rules: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html */
export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
export const CHAINED_SESSION_MAX_SECONDS = 3600;
export const GET_SESSION_TOKEN_DEFAULT_SECONDS = 43_200;
export const ROOT_SESSION_MAX_SECONDS = 3600;

export function assumeRoleDuration(requested: number | undefined, maxSessionDuration: number, chained: boolean): number {
  const d = requested ?? DEFAULT_ROLE_SESSION_SECONDS;
  if (chained && d > CHAINED_SESSION_MAX_SECONDS) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (d > maxSessionDuration) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return d;
}

export function sessionTokenDuration(requested: number | undefined, isRoot: boolean): number {
  const d = requested ?? GET_SESSION_TOKEN_DEFAULT_SECONDS;
  // Root sessions are silently capped at one hour, as AWS documents for account owners.
  return isRoot ? Math.min(d, ROOT_SESSION_MAX_SECONDS) : d;
}
