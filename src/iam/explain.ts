/**
 * Turning an `AuthorizationResult` into words: AWS's AccessDenied message (reference/iam.md §7.1,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html) and a structured
 * explanation for `mlzone explain`.
 *
 *   User: <caller ARN> is not authorized to perform: <action> on resource: <resource> <reason>
 *   reason (implicit) = because no <type> allows the <action> action
 *   reason (explicit) = with an explicit deny in a|an <type>[: <policy ARN>]
 *
 * Role trust denials carry no reason (the STS text AWS prints); `on resource:` is left out for `*`.
 */
import type { AuthorizationRequest, AuthorizationResult, PolicyKind, PolicyRef } from './types.js';

const TYPE_NAME: Record<PolicyKind, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  trust: 'role trust policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
  boundary: 'permissions boundary',
  session: 'session policy',
};

/** Policy types whose denying policy ARN AWS appends in the 2026 message format (AWS Security Blog). */
const ARN_SUFFIX_KINDS = new Set<PolicyKind>(['identity', 'scp', 'rcp', 'boundary', 'session']);

export interface DenialMessageOptions {
  /**
   * Append `: <policy ARN>` to explicit denies from SCPs, RCPs, identity, boundary and session policies whose
   * id is an ARN (managed policies; inline policies have none). AWS does this only for same-account and
   * same-organization callers, so the caller decides; off by default (SDK users match on the older prefix).
   */
  readonly includePolicyArn?: boolean;
  /** S3 prints the resource in double quotes. Default: true for `arn:aws:s3:::…` resources. */
  readonly quoteResource?: boolean;
}

function article(typeName: string): string {
  return /^[aeiou]/.test(typeName) ? 'an' : 'a';
}

/** The reason clause alone (`because no … allows …` / `with an explicit deny in …`), or '' when AWS prints none. */
export function denialReason(action: string, result: AuthorizationResult, options: DenialMessageOptions = {}): string {
  const { reason } = result;
  switch (reason.kind) {
    case 'allowed':
    case 'evaluation-error':
      return '';
    case 'explicit-deny': {
      const kind = reason.policyKind ?? 'identity';
      if (kind === 'trust') return '';
      const type = TYPE_NAME[kind];
      const arn =
        options.includePolicyArn && ARN_SUFFIX_KINDS.has(kind) && reason.policyId?.startsWith('arn:') ? `: ${reason.policyId}` : '';
      return `with an explicit deny in ${article(type)} ${type}${arn}`;
    }
    case 'no-identity-allow':
      return `because no identity-based policy allows the ${action} action`;
    case 'no-resource-allow':
      return reason.policyKind === 'trust' ? '' : `because no resource-based policy allows the ${action} action`;
    case 'scp':
      return `because no service control policy allows the ${action} action`;
    case 'rcp':
      return `because no resource control policy allows the ${action} action`;
    case 'boundary':
      return `because no permissions boundary allows the ${action} action`;
    case 'session':
      return `because no session policy allows the ${action} action`;
    default: {
      const never: never = reason.kind;
      return never;
    }
  }
}

/**
 * AWS's AccessDenied message for a denied result (empty string for `Allow`).
 * @example denialMessage(req, result) // "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action"
 */
export function denialMessage(
  req: Pick<AuthorizationRequest, 'principal' | 'action' | 'resource'>,
  result: AuthorizationResult,
  options: DenialMessageOptions = {},
): string {
  if (result.decision === 'Allow') return '';
  const quote = options.quoteResource ?? req.resource.startsWith('arn:aws:s3:::');
  const on = req.resource === '*' ? '' : ` on resource: ${quote ? `"${req.resource}"` : req.resource}`;
  const reason = denialReason(req.action, result, options);
  return `User: ${req.principal.arn} is not authorized to perform: ${req.action}${on}${reason ? ` ${reason}` : ''}`;
}

export interface ExplainedStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly matched: boolean;
}

export interface ExplainedPolicy {
  readonly policyId: string;
  readonly kind: PolicyKind;
  /** Where the policy sits: `identity`, `scp level 1 (OU)`, … */
  readonly layer: string;
  /** `not-applicable` when the layer does not apply to this caller (management account, service principal…). */
  readonly outcome: 'allow' | 'deny' | 'no-match' | 'not-applicable';
  readonly statements: readonly ExplainedStatement[];
}

export interface Explanation {
  readonly principal: { readonly arn: string; readonly type: string; readonly accountId: string };
  readonly action: string;
  readonly resource: string;
  readonly decision: AuthorizationResult['decision'];
  readonly reason: AuthorizationResult['reason'];
  /** AWS's AccessDenied text, absent when allowed. */
  readonly message?: string;
  readonly policies: readonly ExplainedPolicy[];
  /** One sentence for humans. */
  readonly verdict: string;
}

function levelName(i: number, count: number): string {
  if (i === 0) return 'root';
  if (i === count - 1) return 'account';
  return `OU ${i}`;
}

function collect(req: AuthorizationRequest): Array<{ ref: PolicyRef; layer: string }> {
  const out: Array<{ ref: PolicyRef; layer: string }> = [];
  req.scps?.forEach((level, i, all) => level.forEach((ref) => out.push({ ref, layer: `scp ${levelName(i, all.length)}` })));
  req.rcps?.forEach((level, i, all) => level.forEach((ref) => out.push({ ref, layer: `rcp ${levelName(i, all.length)}` })));
  if (req.resourcePolicy) out.push({ ref: req.resourcePolicy, layer: req.resourcePolicy.kind === 'trust' ? 'trust' : 'resource' });
  for (const ref of req.identityPolicies) out.push({ ref, layer: 'identity' });
  if (req.permissionsBoundary) out.push({ ref: req.permissionsBoundary, layer: 'boundary' });
  for (const ref of req.sessionPolicies ?? []) out.push({ ref, layer: 'session' });
  return out;
}

function verdictOf(req: AuthorizationRequest, result: AuthorizationResult): string {
  const { reason } = result;
  if (result.decision === 'Allow') return `Allowed: ${req.action} on ${req.resource}`;
  if (reason.kind === 'explicit-deny') {
    return `Explicitly denied by ${TYPE_NAME[reason.policyKind ?? 'identity']} ${reason.policyId ?? ''}`.trim();
  }
  if (reason.kind === 'evaluation-error') return 'Denied: a policy could not be evaluated (fails closed)';
  const missing: Record<string, string> = {
    'no-identity-allow': 'no identity-based policy allows it',
    'no-resource-allow': reason.policyKind === 'trust' ? 'the role trust policy does not allow the caller' : 'no resource-based policy allows it',
    scp: 'a service control policy level has no matching Allow',
    rcp: 'a resource control policy level has no matching Allow',
    boundary: 'the permissions boundary does not allow it',
    session: 'no session policy allows it',
  };
  return `Implicitly denied: ${missing[reason.kind] ?? reason.kind}`;
}

/** Structured explanation of a decision: every policy considered, which statements matched, and why. */
export function explain(req: AuthorizationRequest, result: AuthorizationResult, options: DenialMessageOptions = {}): Explanation {
  const matchedKeys = new Set(result.matched.map((m) => `${m.kind}\u0000${m.policyId}\u0000${m.statementIndex}`));
  const outcomes = new Map(result.evaluated.map((e) => [`${e.kind}\u0000${e.policyId}`, e.outcome]));
  const policies = collect(req).map(({ ref, layer }): ExplainedPolicy => ({
    policyId: ref.id,
    kind: ref.kind,
    layer,
    outcome: outcomes.get(`${ref.kind}\u0000${ref.id}`) ?? 'not-applicable',
    statements: ref.policy.statements.map((st) => ({
      index: st.index,
      ...(st.sid !== undefined ? { sid: st.sid } : {}),
      effect: st.effect,
      matched: matchedKeys.has(`${ref.kind}\u0000${ref.id}\u0000${st.index}`),
    })),
  }));
  const message = result.decision === 'Allow' ? undefined : denialMessage(req, result, options);
  return {
    principal: { arn: req.principal.arn, type: req.principal.type, accountId: req.principal.accountId },
    action: req.action,
    resource: req.resource,
    decision: result.decision,
    reason: result.reason,
    ...(message !== undefined ? { message } : {}),
    policies,
    verdict: verdictOf(req, result),
  };
}
