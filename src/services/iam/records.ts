/**
 * The records the IAM service publishes to the rest of mlzone through `IamDirectory` (STS, the auth chain,
 * IAM enforcement). Plain, frozen data; dates in epoch milliseconds; documents as raw JSON text.
 */
export interface TagRecord {
  readonly Key: string;
  readonly Value: string;
}

export interface UserRecord {
  readonly accountId: string;
  readonly userName: string;
  /** `AIDA…` */
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly permissionsBoundaryArn?: string;
  readonly tags: readonly TagRecord[];
  readonly createDate: number;
}

export interface RoleRecord {
  readonly accountId: string;
  readonly roleName: string;
  /** `AROA…` */
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  /** The trust policy as written (raw JSON, not URL-encoded). */
  readonly assumeRolePolicyDocument: string;
  /** Seconds, 3600–43200. */
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly description?: string;
  readonly tags: readonly TagRecord[];
  readonly createDate: number;
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly userArn: string;
}

/**
 * One identity policy of a user or role. `id` is the policy ARN for managed policies and
 * `<ownerArn>#inline/<policyName>` for inline ones (owner = the user, role or group holding it).
 */
export interface IdentityPolicyRecord {
  readonly id: string;
  readonly kind: 'inline' | 'managed';
  readonly document: string;
}
