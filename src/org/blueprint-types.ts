/** A landing-zone blueprint after schema validation and placeholder resolution. */
export interface Blueprint {
  readonly version: 1;
  readonly organization: {
    readonly id: string;
    readonly rootId: string;
    readonly managementAccount: string;
    readonly region: string;
    readonly policyTypes: readonly PolicyType[];
  };
  readonly ous: readonly BlueprintOu[];
  readonly accounts: readonly BlueprintAccount[];
  readonly serviceControlPolicies: readonly BlueprintOrgPolicy[];
  readonly resourceControlPolicies: readonly BlueprintOrgPolicy[];
  /** Images of the landing zone's registries that run as a local command (a team's own model server). */
  readonly containerImages: readonly BlueprintContainerImage[];
}

/**
 * A container image mapped to a local command: `image` is an ECR image URI of the landing zone, with a tag or digest
 * (that image only) or without (every image of the repository). The pull is still checked against the repository.
 */
export interface BlueprintContainerImage {
  readonly image: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory; relative paths are relative to the blueprint file's folder. */
  readonly cwd?: string;
  readonly environment: Readonly<Record<string, string>>;
}

export type PolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface BlueprintOu {
  readonly name: string;
  readonly accounts: readonly string[];
  readonly ous: readonly BlueprintOu[];
}

export interface BlueprintAccount {
  readonly name: string;
  readonly id: string;
  readonly short: string;
  readonly email: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * An account of the landing zone's world that is not a member of its organization (a partner's, a vendor's): it
   * has IAM, buckets and repositories like any other, but no OU, no SCPs, and no `aws:PrincipalOrgID`.
   */
  readonly outsideOrganization?: boolean;
  readonly users: readonly BlueprintUser[];
  readonly roles: readonly BlueprintRole[];
  readonly buckets: readonly BlueprintBucket[];
  readonly repositories: readonly BlueprintRepository[];
  /** This account's CloudWatch cross-account observability sink (one per account and region, as on AWS). */
  readonly sink?: BlueprintSink;
  /** Links that share this account's telemetry with monitoring accounts (at most five, as on AWS). */
  readonly links: readonly BlueprintLink[];
}

/**
 * An Observability Access Manager sink: makes the account a monitoring account. Only source accounts its policy
 * allows (`oam:CreateLink`, with `oam:ResourceTypes` and `aws:PrincipalOrgID` conditions as needed) can link to it
 * through the API; the blueprint's own links are checked like CreateLink (same account, region, duplicates).
 */
export interface BlueprintSink {
  readonly name: string;
  /** Sink policy JSON (placeholders resolved), if any. */
  readonly policy?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A link from this (source) account to the sink of `monitoringAccount`. */
export interface BlueprintLink {
  /** Name of an account of this blueprint that has a `sink`. */
  readonly monitoringAccount: string;
  /** OAM resource types shared (`AWS::CloudWatch::Metric`, `AWS::Logs::LogGroup`, …), without repeats. */
  readonly resourceTypes: readonly string[];
  /** `$AccountName`, `$AccountEmail`, `$AccountEmailNoDomain` and text; `$AccountName` when not given. */
  readonly labelTemplate: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An S3 bucket the landing zone starts with (data-lake buckets, artifact buckets). */
export interface BlueprintBucket {
  readonly name: string;
  /** Bucket policy JSON (placeholders resolved), if any. */
  readonly policy?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An ECR repository the landing zone starts with (shared training and inference images). */
export interface BlueprintRepository {
  readonly name: string;
  /** Repository policy JSON (placeholders resolved), if any. */
  readonly policy?: string;
  readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  readonly tags: Readonly<Record<string, string>>;
}

export interface BlueprintUser {
  readonly name: string;
  readonly accessKeys: ReadonlyArray<{ readonly id: string; readonly secret: string }>;
  readonly managedPolicies: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, string>>;
}

export interface BlueprintRole {
  readonly name: string;
  /** Suffix of the CLI profile name: `<account short>-<persona>`. */
  readonly persona: string;
  readonly description?: string;
  /** The trust policy, generated from trustedUsers/trustedRoles/service unless given verbatim. */
  readonly trustPolicy: string;
  readonly trustedUsers: readonly string[];
  /** `account-name:RoleName` entries. */
  readonly trustedRoles: readonly string[];
  readonly service?: string;
  readonly managedPolicies: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly maxSessionDuration?: number;
  readonly permissionsBoundary?: string;
}

export interface BlueprintOrgPolicy {
  readonly name: string;
  readonly description: string;
  /** Account names, OU names or `Root`. */
  readonly targets: readonly string[];
  readonly document: string;
}
