/**
 * Who is calling. Resolved by `auth/principal` from the access key (and session token), consumed by the
 * IAM engine and by handlers (STS GetCallerIdentity, audit). Plain data: no methods, no I/O.
 */
export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSService' | 'Anonymous';

export interface SessionTag {
  readonly key: string;
  readonly value: string;
  readonly transitive: boolean;
}

export interface Principal {
  readonly type: PrincipalType;
  /** The account the principal belongs to (12 digits); empty for anonymous and service principals. */
  readonly accountId: string;
  /** The ARN AWS reports: `arn:aws:iam::<acct>:root`, `...:user/<path><name>`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  /** `aws:userid`: AIDA… for users, `AROA…:<session>` for role sessions, the account id for root. */
  readonly userId: string;
  readonly accessKeyId?: string;
  /** User name (IAMUser) or role name (AssumedRole). */
  readonly name?: string;
  /** For AssumedRole: the role's own ARN (`arn:aws:iam::<acct>:role/<path><name>`) — `aws:PrincipalArn`. */
  readonly roleArn?: string;
  readonly roleId?: string;
  readonly sessionName?: string;
  readonly sessionIssuer?: { readonly arn: string; readonly accountId: string; readonly userName: string; readonly principalId: string; readonly type: 'Role' | 'User' };
  readonly sessionPolicy?: string;
  readonly sessionPolicyArns?: readonly string[];
  readonly sessionTags?: readonly SessionTag[];
  readonly sourceIdentity?: string;
  readonly sessionIssuedAt?: number;
  readonly sessionExpiresAt?: number;
  /** True when the session came from a role assuming a role (chaining caps duration at one hour). */
  readonly chained?: boolean;
  /** For AWSService: `sagemaker.amazonaws.com`. */
  readonly service?: string;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
