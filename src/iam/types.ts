/**
 * Types shared by the IAM engine: compiled policies (built once when a policy is written) and the
 * request/result shapes of `authorize()`. Plain data; no I/O.
 */

/** Where a policy document came from; decides which validation rules apply and how it takes part in a decision. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'scp' | 'rcp' | 'boundary' | 'session';

/** Request context after normalisation: looked up by lower-cased key, values as written by the caller. */
export interface NormalizedContext {
  get(lowerCaseKey: string): string | readonly string[] | undefined;
}

/**
 * A request context the caller already answers by lower-cased key (marked with `LOWER_CASE_KEYS`): the engine
 * uses it as it is instead of copying a record. Lets a caller compute keys only when a policy asks for them.
 */
export interface ConditionLookup extends NormalizedContext {
  readonly [LOWER_CASE_KEYS]: true;
}
export const LOWER_CASE_KEYS: unique symbol = Symbol('lower-case condition keys');

/** How the caller matched a `Principal` entry. Decides which implicit denies a same-account grant can override. */
export type PrincipalMatch =
  /** `*`, `{"AWS":"*"}`, the caller's own user/session/federated-user ARN, its service, `NotPrincipal` exclusion not hit. */
  | 'direct'
  /** The role ARN for one of its sessions, or the IAM user ARN for one of its federated sessions. */
  | 'via-role'
  /** The account id or `arn:aws:iam::<acct>:root`: delegates to the account's own IAM. */
  | 'account';

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Action/NotAction test on the lower-cased request action. */
  matchAction(actionLower: string): boolean;
  /** Resource/NotResource test; a statement without either (trust policies) matches every resource. */
  matchResource(resource: string, ctx: NormalizedContext): boolean;
  /** Undefined for policy kinds without Principal; otherwise how (whether) the caller matched. */
  matchPrincipal?: (caller: CallerIdentity) => PrincipalMatch | undefined;
  /** All condition blocks ANDed. */
  matchConditions(ctx: NormalizedContext): boolean;
  readonly hasConditions: boolean;
}

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  /** `2012-10-17`, `2008-10-17`, or undefined when absent (policy variables are then literal text). */
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly CompiledStatement[];
  /** Every `AWS` principal string in Principal/NotPrincipal, so the IAM service can check that users/roles exist. */
  readonly awsPrincipals: readonly string[];
  /** The document as written. */
  readonly source: string;
}

/** A compiled policy with a stable id for explanations and messages. */
export interface PolicyRef {
  /** e.g. `arn:aws:iam::111122223333:policy/Foo`, `inline:role/Admin/policyName`, `scp:p-123`. */
  readonly id: string;
  readonly kind: PolicyKind;
  readonly policy: CompiledPolicy;
}

export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSService' | 'Anonymous';

export interface RequestPrincipal {
  /** ARN AWS reports for the caller (session ARN for role sessions). */
  readonly arn: string;
  /** The caller's account; empty for service principals and anonymous callers. */
  readonly accountId: string;
  readonly type: PrincipalType;
  /** For role sessions: the role ARN with path (`arn:aws:iam::<acct>:role/<path><name>`). */
  readonly roleArn?: string;
  /** For federated users: the IAM user that called GetFederationToken. */
  readonly userArn?: string;
  /** For service principals: `sagemaker.amazonaws.com`. */
  readonly service?: string;
  /** Unique id of the user (`AIDA…`) or role (`AROA…`): policies naming a deleted-and-recreated entity show it. */
  readonly uniqueId?: string;
  /** For web-identity / SAML sessions being authorized against a trust policy: the provider ARN or name. */
  readonly federatedProvider?: string;
  /** S3 canonical user id of the caller's account. */
  readonly canonicalUserId?: string;
  readonly isServiceLinkedRole?: boolean;
}

/** The caller as principal matchers see it; derived once per request from `RequestPrincipal`. */
export type CallerIdentity = RequestPrincipal;

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  /** Account that owns the resource; defaults to the ARN's account field, then to the principal's account. */
  readonly resourceAccount?: string;
  /** Global and service condition keys; key names are case-insensitive. Absent keys are simply absent. */
  readonly context: Readonly<Record<string, string | readonly string[] | undefined>> | ConditionLookup;
  readonly identityPolicies: readonly PolicyRef[];
  readonly resourcePolicy?: PolicyRef;
  readonly permissionsBoundary?: PolicyRef;
  /** Session policies passed when the session was created (inline and managed); absent = none passed. */
  readonly sessionPolicies?: readonly PolicyRef[];
  /** One array per level of the principal account's path: root, OUs…, account. Every level must allow. */
  readonly scps?: readonly (readonly PolicyRef[])[];
  readonly principalIsManagementAccount?: boolean;
  /** Same structure as `scps`, for the resource owner's account. */
  readonly rcps?: readonly (readonly PolicyRef[])[];
  /** RCPs never apply to resources of the management account. */
  readonly resourceIsManagementAccount?: boolean;
  /**
   * The resource's own policy must allow the caller (role trust policies, KMS key policies); an identity
   * policy alone never suffices. Implied when `resourcePolicy.kind` is `trust`.
   */
  readonly resourcePolicyRequired?: boolean;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type ReasonKind =
  | 'explicit-deny'
  | 'no-identity-allow'
  | 'no-resource-allow'
  | 'scp'
  | 'rcp'
  | 'boundary'
  | 'session'
  | 'allowed'
  /** Evaluation threw; AWS fails closed on evaluation errors. */
  | 'evaluation-error';

export interface MatchedStatement {
  readonly policyId: string;
  readonly kind: PolicyKind;
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

export interface EvaluatedPolicy {
  readonly policyId: string;
  readonly kind: PolicyKind;
  readonly outcome: 'allow' | 'deny' | 'no-match';
}

export interface AuthorizationResult {
  readonly decision: Decision;
  /** Which layer decided. For explicit denies `policyId` names the first denying policy. */
  readonly reason: { readonly kind: ReasonKind; readonly policyKind?: PolicyKind; readonly policyId?: string };
  readonly matched: MatchedStatement[];
  readonly evaluated: EvaluatedPolicy[];
}
