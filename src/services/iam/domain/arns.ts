/** IAM ARNs: building them for entities and reading policy ARNs given by callers. Pure. */
import { iamArn } from '../../../core/arn.js';

export const AWS_MANAGED_ACCOUNT = 'aws';

export function userArn(accountId: string, path: string, name: string): string {
  return iamArn(accountId, 'user', path, name);
}
export function roleArn(accountId: string, path: string, name: string): string {
  return iamArn(accountId, 'role', path, name);
}
export function groupArn(accountId: string, path: string, name: string): string {
  return iamArn(accountId, 'group', path, name);
}
export function policyArn(accountId: string, path: string, name: string): string {
  return iamArn(accountId, 'policy', path, name);
}

export interface PolicyArnParts {
  /** 12-digit account or `aws` for AWS managed policies. */
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy((?:\/[^/]+)*\/)([\w+=,.@-]+)$/;

/** `arn:aws:iam::<acct|aws>:policy/<path>name` → parts; undefined when it is not a policy ARN. */
export function parsePolicyArn(arn: string): PolicyArnParts | undefined {
  const m = POLICY_ARN.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1]!, path: m[2]!, name: m[3]! };
}

/** True when the string looks like an ARN at all (AWS answers `InvalidInput` "ARN x is not valid." otherwise). */
export function looksLikeArn(arn: string): boolean {
  return /^arn:[\w-]+:[\w-]*:[\w-]*:[\w-]*:.+$/.test(arn);
}

/** A user or role ARN as found in a trust policy's `Principal.AWS`. */
export { parseIamEntityArn as parseEntityArn } from '../../../core/arn.js';
