/**
 * Log group and stream ARNs and the service's errors, worded as CloudWatch Logs words them. A log group's
 * ARN as DescribeLogGroups shows it (`arn`) ends in `:*`; `logGroupArn` and the identifiers callers pass do not.
 */
import { AwsError } from '../../../core/errors.js';

export const logGroupArn = (account: string, region: string, name: string): string => `arn:aws:logs:${region}:${account}:log-group:${name}`;
export const logStreamArn = (account: string, region: string, group: string, stream: string): string =>
  `${logGroupArn(account, region, group)}:log-stream:${stream}`;

/** A group named by `logGroupName` or by `logGroupIdentifier` (a name or an ARN, maybe in a linked account). */
export interface GroupRef {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

const ARN = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/;

export function parseGroupIdentifier(identifier: string, account: string, region: string): GroupRef {
  if (!identifier.startsWith('arn:')) return { account, region, name: identifier };
  const m = ARN.exec(identifier);
  if (!m) throw invalidParameter(`Invalid log group identifier: ${identifier}`);
  return { region: m[1]!, account: m[2]!, name: m[3]! };
}

/** The group an input names, from whichever of logGroupName / logGroupIdentifier it gives (exactly one). */
export function groupOf(input: { logGroupName?: string; logGroupIdentifier?: string }, account: string, region: string): GroupRef {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined)
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  if (input.logGroupIdentifier !== undefined) return parseGroupIdentifier(input.logGroupIdentifier, account, region);
  if (input.logGroupName !== undefined) return { account, region, name: input.logGroupName };
  throw invalidParameter('Should provide either a log group name or a log group arn.');
}

export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterException', message);
export const groupNotFound = (): AwsError => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = (): AwsError => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
export const groupExists = (): AwsError => new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
export const streamExists = (): AwsError => new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
export const invalidToken = (): AwsError => invalidParameter('The specified nextToken is invalid.');

/** The retention periods PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
export const DAY_MS = 86_400_000;
