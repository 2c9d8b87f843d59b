/**
 * The authorizer: one (principal, action, resource, context) → Allow | ExplicitDeny | ImplicitDeny, pure and
 * synchronous, following AWS's evaluation logic as restated in reference/iam.md §1
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *
 * Flow:
 *   0. Decide which layers apply. SCPs: IAM principals of member accounts (not the management account, not
 *      service-linked roles, not service principals or anonymous callers). RCPs: resources of member accounts,
 *      every caller except service-linked roles (Organizations "Resources and entities not restricted by RCPs").
 *      Identity, boundary and session policies: IAM principals only.
 *   1. Evaluate every statement of every applicable policy once, recording matched statements and, for the
 *      resource policy, *how* the caller matched its Principal (direct / via-role / account).
 *   2. Explicit deny anywhere wins; the reported type is the first in the order
 *      scp, rcp, resource-based, identity-based, boundary, session.
 *   3. RCPs, then SCPs: every level of the path needs at least one matching Allow.
 *   4. Resource policy required (role trust, KMS key policy): no matching Allow → implicit deny.
 *   5. Service principals and anonymous callers: only the resource policy can grant.
 *      Root in its own account: allowed.
 *   6. Same account: a resource-policy grant that names the caller directly (its user/session/federated ARN,
 *      `*`) is enough on its own; a grant naming the caller's role (or the IAM user behind a federated session)
 *      replaces the identity policy but stays capped by the boundary and session policies; a grant naming the
 *      account only delegates to IAM. Then identity → boundary → session, in AWS's order.
 *   7. Cross account: the resource policy must allow (any principal form), and the caller's own side
 *      (identity, boundary, session) must allow regardless of how the resource policy named it.
 *
 * Anything that throws while evaluating fails closed (AWS: an evaluation error ends in denial).
 */
import { arnAccountId } from '../core/arn.js';
import { normalizeContext } from './context.js';
import type {
  AuthorizationRequest,
  AuthorizationResult,
  EvaluatedPolicy,
  MatchedStatement,
  NormalizedContext,
  PolicyKind,
  PolicyRef,
  PrincipalMatch,
  ReasonKind,
  RequestPrincipal,
} from './types.js';

// Per-policy outcome packed into a number so the hot path does not allocate: bit 0 allow, bit 1 deny,
// bits 2-3 the strongest principal match among matching Allow statements.
const ALLOW = 1;
const DENY = 2;
const MATCH_SHIFT = 2;
const MATCH_RANK: Record<PrincipalMatch, number> = { account: 1, 'via-role': 2, direct: 3 };

interface Scratch {
  readonly actionLower: string;
  readonly resource: string;
  readonly ctx: NormalizedContext;
  readonly caller: RequestPrincipal;
  readonly matched: MatchedStatement[];
  readonly evaluated: EvaluatedPolicy[];
}

function evaluatePolicy(ref: PolicyRef, s: Scratch): number {
  let out = 0;
  let bestRank = 0;
  const statements = ref.policy.statements;
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i]!;
    if (!st.matchAction(s.actionLower)) continue;
    let rank = 0;
    if (st.matchPrincipal !== undefined) {
      const pm = st.matchPrincipal(s.caller);
      if (pm === undefined) continue;
      rank = MATCH_RANK[pm];
    }
    if (!st.matchResource(s.resource, s.ctx)) continue;
    if (st.hasConditions && !st.matchConditions(s.ctx)) continue;
    s.matched.push(
      st.sid === undefined
        ? { policyId: ref.id, kind: ref.kind, statementIndex: st.index, effect: st.effect }
        : { policyId: ref.id, kind: ref.kind, statementIndex: st.index, sid: st.sid, effect: st.effect },
    );
    if (st.effect === 'Deny') out |= DENY;
    else {
      out |= ALLOW;
      if (rank > bestRank) bestRank = rank;
    }
  }
  s.evaluated.push({ policyId: ref.id, kind: ref.kind, outcome: out & DENY ? 'deny' : out & ALLOW ? 'allow' : 'no-match' });
  return out | (bestRank << MATCH_SHIFT);
}

/** Result of one layer that is a plain list of policies (identity, session, one SCP/RCP level). */
interface LayerOutcome {
  allow: boolean;
  denyBy: PolicyRef | undefined;
}

function evaluateList(refs: readonly PolicyRef[] | undefined, s: Scratch, into: LayerOutcome): LayerOutcome {
  into.allow = false;
  into.denyBy = undefined;
  if (refs === undefined) return into;
  for (const ref of refs) {
    const r = evaluatePolicy(ref, s);
    if (r & ALLOW) into.allow = true;
    if (r & DENY && into.denyBy === undefined) into.denyBy = ref;
  }
  return into;
}

/** Org layers: every level needs an Allow; the first explicit deny is remembered. */
function evaluateLevels(levels: readonly (readonly PolicyRef[])[], s: Scratch): { allLevelsAllow: boolean; denyBy: PolicyRef | undefined } {
  let allLevelsAllow = true;
  let denyBy: PolicyRef | undefined;
  const layer: LayerOutcome = { allow: false, denyBy: undefined };
  for (const level of levels) {
    evaluateList(level, s, layer);
    if (!layer.allow) allLevelsAllow = false;
    if (layer.denyBy !== undefined && denyBy === undefined) denyBy = layer.denyBy;
  }
  return { allLevelsAllow, denyBy };
}

function isIamPrincipal(p: RequestPrincipal): boolean {
  return p.type === 'Root' || p.type === 'IAMUser' || p.type === 'AssumedRole' || p.type === 'FederatedUser';
}

function deny(
  decision: 'ExplicitDeny' | 'ImplicitDeny',
  kind: ReasonKind,
  policyKind: PolicyKind | undefined,
  s: Scratch,
  policyId?: string,
): AuthorizationResult {
  const reason =
    policyId !== undefined ? { kind, policyKind, policyId } : policyKind !== undefined ? { kind, policyKind } : { kind };
  return { decision, reason, matched: s.matched, evaluated: s.evaluated };
}

function explicit(ref: PolicyRef, s: Scratch): AuthorizationResult {
  return deny('ExplicitDeny', 'explicit-deny', ref.kind, s, ref.id);
}

function decide(req: AuthorizationRequest, s: Scratch): AuthorizationResult {
  const p = req.principal;
  const iam = isIamPrincipal(p);
  const resourceAccount = req.resourceAccount ?? arnAccountId(req.resource) ?? p.accountId;
  const sameAccount = iam && p.accountId === resourceAccount;

  // Step 0/1: evaluate every applicable layer once.
  const scpApplies = iam && !req.principalIsManagementAccount && !p.isServiceLinkedRole && req.scps !== undefined && req.scps.length > 0;
  const rcpApplies = !req.resourceIsManagementAccount && !p.isServiceLinkedRole && req.rcps !== undefined && req.rcps.length > 0;
  const scp = scpApplies ? evaluateLevels(req.scps!, s) : undefined;
  const rcp = rcpApplies ? evaluateLevels(req.rcps!, s) : undefined;
  const rbp = req.resourcePolicy !== undefined ? evaluatePolicy(req.resourcePolicy, s) : 0;
  const identity = evaluateList(iam ? req.identityPolicies : undefined, s, { allow: false, denyBy: undefined });
  const boundaryRef = iam ? req.permissionsBoundary : undefined;
  const boundary = boundaryRef !== undefined ? evaluatePolicy(boundaryRef, s) : 0;
  const sessionRefs = iam && (p.type === 'AssumedRole' || p.type === 'FederatedUser') ? req.sessionPolicies : undefined;
  const session = evaluateList(sessionRefs, s, { allow: false, denyBy: undefined });

  // Step 2: explicit deny, in the reporting order of reference/iam.md §1.8.
  if (scp?.denyBy) return explicit(scp.denyBy, s);
  if (rcp?.denyBy) return explicit(rcp.denyBy, s);
  if (rbp & DENY) return explicit(req.resourcePolicy!, s);
  if (identity.denyBy) return explicit(identity.denyBy, s);
  if (boundary & DENY) return explicit(boundaryRef!, s);
  if (session.denyBy) return explicit(session.denyBy, s);

  // Step 3: organization guardrails.
  if (rcp && !rcp.allLevelsAllow) return deny('ImplicitDeny', 'rcp', 'rcp', s);
  if (scp && !scp.allLevelsAllow) return deny('ImplicitDeny', 'scp', 'scp', s);

  // Step 4: a resource that must allow the caller itself.
  const rbpKind: PolicyKind = req.resourcePolicy?.kind ?? 'resource';
  const rbpRank = (rbp >> MATCH_SHIFT) & 3;
  const rbpAllows = (rbp & ALLOW) !== 0;
  const required = req.resourcePolicyRequired === true || rbpKind === 'trust';
  if (required && !rbpAllows) return deny('ImplicitDeny', 'no-resource-allow', rbpKind, s);

  // Step 5: callers without an IAM identity; root in its own account.
  if (!iam) return rbpAllows ? allowed(s) : deny('ImplicitDeny', 'no-resource-allow', rbpKind, s);
  if (p.type === 'Root' && sameAccount) return allowed(s);

  if (sameAccount) {
    // Step 6.
    if (rbpAllows && rbpRank === MATCH_RANK.direct) return allowed(s);
    const viaRole = rbpAllows && rbpRank === MATCH_RANK['via-role'];
    if (!identity.allow && !viaRole) return deny('ImplicitDeny', 'no-identity-allow', 'identity', s);
    return callerCaps(p, boundaryRef, boundary, sessionRefs, session.allow, s) ?? allowed(s);
  }

  // Step 7.
  if (!rbpAllows) return deny('ImplicitDeny', 'no-resource-allow', rbpKind, s);
  if (p.type === 'Root') return allowed(s);
  if (!identity.allow) return deny('ImplicitDeny', 'no-identity-allow', 'identity', s);
  return callerCaps(p, boundaryRef, boundary, sessionRefs, session.allow, s) ?? allowed(s);
}

/** The caller-side caps that apply after an identity (or via-role) grant: boundary, then session policies. */
function callerCaps(
  p: RequestPrincipal,
  boundaryRef: PolicyRef | undefined,
  boundary: number,
  sessionRefs: readonly PolicyRef[] | undefined,
  sessionAllows: boolean,
  s: Scratch,
): AuthorizationResult | undefined {
  if (boundaryRef !== undefined && !(boundary & ALLOW)) return deny('ImplicitDeny', 'boundary', 'boundary', s);
  if (p.type === 'AssumedRole' && sessionRefs !== undefined && sessionRefs.length > 0 && !sessionAllows) {
    return deny('ImplicitDeny', 'session', 'session', s);
  }
  // A federated-user session has no permissions of its own unless a session policy grants them [doc].
  if (p.type === 'FederatedUser' && !sessionAllows) return deny('ImplicitDeny', 'session', 'session', s);
  return undefined;
}

function allowed(s: Scratch): AuthorizationResult {
  return { decision: 'Allow', reason: { kind: 'allowed' }, matched: s.matched, evaluated: s.evaluated };
}

/**
 * Decides one authorization. Pure: everything it needs is in `req`; policies are compiled beforehand.
 * @example authorize({ principal, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {}, identityPolicies })
 */
export function authorize(req: AuthorizationRequest): AuthorizationResult {
  const s: Scratch = {
    actionLower: req.action.toLowerCase(),
    resource: req.resource,
    ctx: normalizeContext(req.context),
    caller: req.principal,
    matched: [],
    evaluated: [],
  };
  try {
    return decide(req, s);
  } catch {
    return deny('ImplicitDeny', 'evaluation-error', undefined, s);
  }
}
