import type { Principal } from '../../core/principal.js';

/** A policy document as stored, with the id explanations use (policy ARN, `<arn>#inline/<name>`, SCP ARN). */
export interface StoredPolicy {
  readonly id: string;
  readonly document: string;
}

/**
 * Where the IAM authorizer gets everything it evaluates. `app/` implements it over the IAM and
 * Organizations services' published directories and each service's resource-policy lookup.
 */
export interface PolicySources {
  /** Inline and managed policies of the user (with its groups) or of the session's role. */
  identityPolicies(principal: Principal): Promise<readonly StoredPolicy[]>;
  permissionsBoundary(principal: Principal): Promise<StoredPolicy | undefined>;
  /** Managed session policies passed as `PolicyArns` when the session was created. */
  managedPolicy(policyArn: string): Promise<string | undefined>;
  /** Tags of the IAM user or role behind the principal (`aws:PrincipalTag/*` before session tags). */
  principalTags(principal: Principal): Promise<Readonly<Record<string, string>>>;
  /** The resource's own policy (role trust policy, bucket policy, repository policy…) for this action. */
  resourcePolicy(resourceArn: string, action: string): Promise<{ readonly id: string; readonly document: string; readonly kind: 'trust' | 'resource' } | undefined>;
  /** Tags of the resource (`aws:ResourceTag/*`), when the service knows them. */
  resourceTags(resourceArn: string): Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * Optional: a number that changes whenever any answer above about principals or the organization may change
   * (IAM or Organizations write). While it is unchanged the authorizer reuses what it gathered for a principal.
   * Resource policies and tags are covered only where `coversResource` says so; the others are asked every time.
   */
  generation?(): number;
  /** Optional: whether `generation()` also changes whenever this resource's policy or tags may change. */
  coversResource?(resourceArn: string): boolean;
  readonly organization: {
    managementAccountId(): Promise<string | undefined>;
    orgId(): Promise<string | undefined>;
    /** `o-xxx/r-xxxx/ou-…/` or undefined for an account outside the organization. */
    orgPath(accountId: string): Promise<string | undefined>;
    inOrganization(accountId: string): Promise<boolean>;
    policiesFor(accountId: string, type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'): Promise<ReadonlyArray<ReadonlyArray<StoredPolicy>>>;
  };
}
