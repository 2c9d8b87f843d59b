/**
 * The IAM policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy on the same engine
 * (`iam/authorize`) the gateway enforces with, gathering a principal's policies the way enforcement does
 * (the directory's identity policies of the user with its groups, or of the role; its permissions
 * boundary; the SCPs of its account when it is a member of the organization).
 *
 * Like AWS's simulator it loads only the policies of the simulated entity: a resource policy takes part
 * only when given as `ResourcePolicy`, and the request context is exactly `ContextEntries` (keys the
 * policies read but the request lacks come back as `MissingContextValues`). RCPs and session policies are
 * not simulated.
 *
 * Results: one `EvaluationResult` per action. Without `ResourceArns` it is evaluated on `*`; with one
 * resource, on that resource (with a one-entry `ResourceSpecificResults`, as AWS answers); with several,
 * `EvalResourceName` is `*`, every resource has its entry in `ResourceSpecificResults`, and the action's
 * decision is `explicitDeny` if any resource is explicitly denied, `allowed` if all are allowed,
 * `implicitDeny` otherwise.
 */
import type { RequestContext } from '../../core/context.js';
import { authorize, compilePolicy, compileStoredPolicy, PolicyError } from '../../iam/index.js';
import type { AuthorizationRequest, AuthorizationResult, CompiledPolicy, PolicyKind, PolicyRef, RequestPrincipal } from '../../iam/index.js';
import { IamErrors } from './api.gen.js';
import type {
  ContextEntry,
  EvaluationResult,
  IamHandlers,
  ResourceSpecificResult,
  SimulateCustomPolicyRequest,
  SimulatePolicyResponse,
  SimulatePrincipalPolicyRequest,
  Statement,
} from './api.gen.js';
import { AWS_MANAGED_ACCOUNT, parsePolicyArn } from './domain/arns.js';
import { paginate } from './domain/pagination.js';
import {
  arnAccount,
  checkActionNames,
  checkResourceArns,
  checkResourceHandlingOption,
  invalidEntityArn,
  missingContextValues,
  parseCallerArn,
  parseContextEntries,
  parseResourceOwner,
  parseSimulationEntityArn,
  policyContextKeys,
  statementSpans,
} from './domain/simulation.js';
import type { StatementSpan } from './domain/simulation.js';
import type { IamDirectory } from './directory.js';
import { IamError } from './errors.js';
import type { IamBackend } from './operations.js';

/**
 * What the simulator needs from AWS Organizations: the SCP levels (root, OUs…, account) that apply to an
 * account, and the management account (exempt from SCPs). Optional: without it no SCP is simulated.
 */
export interface SimulatorOrganizations {
  policiesFor(
    accountId: string,
    type: 'SERVICE_CONTROL_POLICY',
  ): Promise<ReadonlyArray<ReadonlyArray<{ readonly id: string; readonly document: string }>>>;
  managementAccountId(): Promise<string | undefined>;
}

/** A policy taking part in a simulation, with the names AWS reports for its matched statements. */
interface SimPolicy {
  readonly ref: PolicyRef;
  readonly sourceId: string;
  readonly sourceType: string;
}

interface Simulation {
  readonly principal: RequestPrincipal;
  readonly identity: readonly SimPolicy[];
  readonly boundary?: SimPolicy;
  readonly resourcePolicy?: SimPolicy;
  /** Set only when SCPs apply to the principal's account. */
  readonly scps?: readonly (readonly PolicyRef[])[];
  readonly resourceOwner?: string;
  readonly context: Record<string, string | string[]>;
  readonly missing: readonly string[];
}

interface Common {
  readonly PolicyInputList?: readonly string[];
  readonly PermissionsBoundaryPolicyInputList?: readonly string[];
  readonly ActionNames: readonly string[];
  readonly ResourceArns?: readonly string[];
  readonly ResourcePolicy?: string;
  readonly ResourceOwner?: string;
  readonly CallerArn?: string;
  readonly ContextEntries?: readonly ContextEntry[];
  readonly ResourceHandlingOption?: string;
  readonly MaxItems?: number;
  readonly Marker?: string;
}

/** One (action, resource) evaluation, already in AWS's terms. */
interface Evaluated {
  readonly resource: string;
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched: Statement[];
  readonly allowedByOrganizations?: boolean;
  readonly allowedByBoundary?: boolean;
}

const DECISION = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;
const COMPILED_LIMIT = 2000;

/** SourcePolicyType of an identity policy from its directory id (`<ownerArn>#inline/<name>` or a policy ARN). */
function storedSource(id: string): { sourceId: string; sourceType: string } {
  const inline = id.indexOf('#inline/');
  if (inline >= 0) {
    const owner = id.slice(0, inline);
    const sourceType = owner.includes(':group/') ? 'group' : owner.includes(':role/') ? 'role' : 'user';
    return { sourceId: id.slice(inline + '#inline/'.length), sourceType };
  }
  const parts = parsePolicyArn(id);
  return { sourceId: parts?.name ?? id, sourceType: parts?.accountId === AWS_MANAGED_ACCOUNT ? 'aws-managed' : 'user-managed' };
}

function sessionPrincipal(role: { arn: string; roleId: string; roleName: string; path: string; accountId: string }): RequestPrincipal {
  return {
    arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/SimulatePrincipalPolicy`,
    accountId: role.accountId,
    type: 'AssumedRole',
    roleArn: role.arn,
    uniqueId: role.roleId,
    isServiceLinkedRole: role.path.startsWith('/aws-service-role/'),
  };
}

function userPrincipal(arn: string, accountId: string, uniqueId?: string): RequestPrincipal {
  return { arn, accountId, type: 'IAMUser', ...(uniqueId !== undefined ? { uniqueId } : {}) };
}

export class Simulator {
  private readonly compiled = new Map<string, CompiledPolicy>();
  private readonly spans = new Map<string, StatementSpan[] | undefined>();

  constructor(
    private readonly directory: IamDirectory,
    private readonly backend: IamBackend,
    private readonly organizations?: SimulatorOrganizations,
  ) {}

  // ---- operations -----------------------------------------------------------------------------------

  async simulatePrincipalPolicy(input: SimulatePrincipalPolicyRequest, ctx: RequestContext): Promise<SimulatePolicyResponse> {
    const source = parseSimulationEntityArn(input.PolicySourceArn);
    if (!source) throw invalidEntityArn(input.PolicySourceArn);
    this.checkCommon(input);
    const caller = input.CallerArn !== undefined ? parseCallerArn(input.CallerArn) : undefined;
    if (input.ResourcePolicy !== undefined && caller === undefined && source.kind !== 'user') {
      throw IamError.invalidInput('CallerArn must be specified when a ResourcePolicy is included and PolicySourceArn is not an IAM user.');
    }
    const notFound = (): Error => IamError.noSuchEntity(source.kind, source.name);
    if (source.accountId !== ctx.accountId) throw notFound();

    let principal: RequestPrincipal;
    let stored: Array<{ id: string; document: string }>;
    let boundaryArn: string | undefined;
    switch (source.kind) {
      case 'user': {
        const u = await this.directory.getUser(source.accountId, source.name);
        if (!u) throw notFound();
        principal = userPrincipal(u.arn, u.accountId, u.userId);
        stored = await this.directory.identityPolicies(source.accountId, 'user', u.userName);
        boundaryArn = u.permissionsBoundaryArn;
        break;
      }
      case 'role': {
        const r = await this.directory.getRole(source.accountId, source.name);
        if (!r) throw notFound();
        principal = sessionPrincipal(r);
        stored = await this.directory.identityPolicies(source.accountId, 'role', r.roleName);
        boundaryArn = r.permissionsBoundaryArn;
        break;
      }
      case 'group': {
        const g = await this.backend.findGroupRow(source.accountId, source.name);
        if (!g) throw notFound();
        principal = userPrincipal(g.arn, source.accountId);
        stored = await this.backend.identityPolicies(source.accountId, 'group', g.group_name);
        break;
      }
    }
    if (caller) principal = userPrincipal(input.CallerArn!, caller.accountId);

    const identity: SimPolicy[] = stored.map((p) => ({ ref: this.storedRef(p.id, 'identity', p.document), ...storedSource(p.id) }));
    identity.push(...this.inputPolicies(input.PolicyInputList));
    let boundary = this.inputBoundary(input.PermissionsBoundaryPolicyInputList);
    if (boundary === undefined && boundaryArn !== undefined) {
      const document = await this.directory.managedPolicyDocument(boundaryArn);
      if (document !== undefined) boundary = { ref: this.storedRef(boundaryArn, 'boundary', document), ...storedSource(boundaryArn) };
    }
    const sim = this.simulation(input, principal, identity, boundary, await this.scps(principal));
    return this.respond(sim, input);
  }

  async simulateCustomPolicy(input: SimulateCustomPolicyRequest, ctx: RequestContext): Promise<SimulatePolicyResponse> {
    this.checkCommon(input);
    const caller = input.CallerArn !== undefined ? parseCallerArn(input.CallerArn) : undefined;
    if (input.ResourcePolicy !== undefined && caller === undefined) {
      throw IamError.invalidInput('CallerArn must be specified when a ResourcePolicy is included.');
    }
    const principal = caller
      ? userPrincipal(input.CallerArn!, caller.accountId)
      : userPrincipal(`arn:aws:iam::${ctx.accountId}:user/SimulateCustomPolicy`, ctx.accountId);
    const sim = this.simulation(input, principal, this.inputPolicies(input.PolicyInputList), this.inputBoundary(input.PermissionsBoundaryPolicyInputList), undefined);
    return this.respond(sim, input);
  }

  // ---- building a simulation --------------------------------------------------------------------------

  private checkCommon(input: Common): void {
    checkActionNames(input.ActionNames);
    if (input.ResourceArns !== undefined) checkResourceArns(input.ResourceArns);
    checkResourceHandlingOption(input.ResourceHandlingOption);
    if ((input.PermissionsBoundaryPolicyInputList?.length ?? 0) > 1) {
      throw IamError.invalidInput('Only one permissions boundary policy can be specified in PermissionsBoundaryPolicyInputList.');
    }
  }

  private simulation(
    input: Common,
    principal: RequestPrincipal,
    identity: SimPolicy[],
    boundary: SimPolicy | undefined,
    scps: PolicyRef[][] | undefined,
  ): Simulation {
    const context = parseContextEntries(input.ContextEntries);
    const resourceOwner = input.ResourceOwner !== undefined ? parseResourceOwner(input.ResourceOwner) : undefined;
    const resourcePolicy = input.ResourcePolicy !== undefined ? this.resourcePolicy(input.ResourcePolicy) : undefined;
    const read = [...identity, ...(boundary ? [boundary] : []), ...(resourcePolicy ? [resourcePolicy] : [])].map((p) => p.ref.policy.source);
    for (const level of scps ?? []) for (const ref of level) read.push(ref.policy.source);
    return {
      principal,
      identity,
      ...(boundary ? { boundary } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(scps ? { scps } : {}),
      ...(resourceOwner !== undefined ? { resourceOwner } : {}),
      context: context.values,
      missing: missingContextValues(read.flatMap(policyContextKeys), context.supplied),
    };
  }

  /** SCP levels of the principal's account, when the account is a member (not the management account). */
  private async scps(principal: RequestPrincipal): Promise<PolicyRef[][] | undefined> {
    const org = this.organizations;
    if (!org || principal.isServiceLinkedRole) return undefined;
    const management = await org.managementAccountId();
    if (management === undefined || management === principal.accountId) return undefined;
    const levels = await org.policiesFor(principal.accountId, 'SERVICE_CONTROL_POLICY');
    if (levels.length === 0) return undefined;
    return levels.map((level) => level.map((p) => this.storedRef(p.id, 'scp', p.document)));
  }

  private compile(kind: PolicyKind, document: string, compileFn: () => CompiledPolicy): CompiledPolicy {
    const key = `${kind}\n${document}`;
    let c = this.compiled.get(key);
    if (!c) {
      c = compileFn();
      if (this.compiled.size >= COMPILED_LIMIT) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, c);
    }
    return c;
  }

  /** A stored document (validated when written) compiled leniently, as the gateway does. */
  private storedRef(id: string, kind: PolicyKind, document: string): PolicyRef {
    try {
      return { id, kind, policy: this.compile(kind, `stored\n${document}`, () => compileStoredPolicy(document, kind)) };
    } catch (e) {
      if (e instanceof PolicyError) throw IamErrors.PolicyEvaluationException(`Policy ${id} could not be evaluated: ${e.message}`);
      throw e;
    }
  }

  /** A policy given in the request; AWS refuses a malformed one with InvalidInput. */
  private inputRef(id: string, kind: PolicyKind, document: string): PolicyRef {
    try {
      return { id, kind, policy: this.compile(kind, `input\n${document}`, () => compilePolicy(document, kind, { allowLegacyVersion: true })) };
    } catch (e) {
      if (e instanceof PolicyError) throw IamError.invalidInput(e.message);
      throw e;
    }
  }

  private inputPolicies(list: readonly string[] | undefined): SimPolicy[] {
    return (list ?? []).map((doc, i) => {
      const sourceId = `PolicyInputList.${i + 1}`;
      // AWS reports input policies with this SourcePolicyType (seen in captured responses), not an enum value.
      return { ref: this.inputRef(sourceId, 'identity', doc), sourceId, sourceType: 'IAM Policy' };
    });
  }

  private inputBoundary(list: readonly string[] | undefined): SimPolicy | undefined {
    const doc = list?.[0];
    if (doc === undefined) return undefined;
    const sourceId = 'PermissionsBoundaryPolicyInputList.1';
    return { ref: this.inputRef(sourceId, 'boundary', doc), sourceId, sourceType: 'none' };
  }

  /** The given resource policy; a role trust policy (no Resource element) is accepted as such. */
  private resourcePolicy(document: string): SimPolicy {
    let ref: PolicyRef;
    try {
      ref = this.inputRef('ResourcePolicy', 'resource', document);
    } catch (e) {
      try {
        ref = this.inputRef('ResourcePolicy', 'trust', document);
      } catch {
        throw e;
      }
    }
    return { ref, sourceId: 'ResourcePolicy', sourceType: 'resource' };
  }

  // ---- evaluating -------------------------------------------------------------------------------------

  private evaluate(sim: Simulation, action: string, resource: string): Evaluated {
    // Without a resource policy the simulator answers for the principal's own policies alone: the
    // resource counts as the principal's account. With one, the ARN's account, else ResourceOwner, owns it.
    const resourceAccount = sim.resourcePolicy ? (arnAccount(resource) ?? sim.resourceOwner ?? sim.principal.accountId) : sim.principal.accountId;
    const request: AuthorizationRequest = {
      principal: sim.principal,
      action,
      resource,
      resourceAccount,
      context: sim.context,
      identityPolicies: sim.identity.map((p) => p.ref),
      ...(sim.resourcePolicy ? { resourcePolicy: sim.resourcePolicy.ref } : {}),
      ...(sim.boundary ? { permissionsBoundary: sim.boundary.ref } : {}),
      ...(sim.scps ? { scps: sim.scps, principalIsManagementAccount: false } : {}),
    };
    const result = authorize(request);
    if (result.reason.kind === 'evaluation-error') {
      throw IamErrors.PolicyEvaluationException(`The policies could not be evaluated for ${action} on ${resource}.`);
    }
    const decision = DECISION[result.decision];
    const outcomes = new Map(result.evaluated.map((e) => [`${e.kind}\u0000${e.policyId}`, e.outcome]));
    return {
      resource,
      decision,
      matched: this.matchedStatements(sim, result, decision),
      ...(sim.scps ? { allowedByOrganizations: organizationsAllow(sim.scps, outcomes) } : {}),
      ...(sim.boundary ? { allowedByBoundary: outcomes.get(`boundary\u0000${sim.boundary.ref.id}`) === 'allow' } : {}),
    };
  }

  /** The statements that decided: the matching Allows when allowed, the matching Denies when denied. */
  private matchedStatements(sim: Simulation, result: AuthorizationResult, decision: Evaluated['decision']): Statement[] {
    if (decision === 'implicitDeny') return [];
    const effect = decision === 'allowed' ? 'Allow' : 'Deny';
    const byKey = new Map<string, SimPolicy>();
    for (const p of sim.identity) byKey.set(`identity\u0000${p.ref.id}`, p);
    if (sim.resourcePolicy) byKey.set(`${sim.resourcePolicy.ref.kind}\u0000${sim.resourcePolicy.ref.id}`, sim.resourcePolicy);
    if (sim.boundary && effect === 'Deny') byKey.set(`boundary\u0000${sim.boundary.ref.id}`, sim.boundary);
    const out: Statement[] = [];
    for (const m of result.matched) {
      if (m.effect !== effect) continue;
      const p = byKey.get(`${m.kind}\u0000${m.policyId}`);
      if (!p) continue; // SCP statements: AWS has no SourcePolicyType for them; see OrganizationsDecisionDetail
      const span = this.spanOf(p.ref.policy.source, m.statementIndex);
      out.push({ SourcePolicyId: p.sourceId, SourcePolicyType: p.sourceType, StartPosition: span.start, EndPosition: span.end });
    }
    return out;
  }

  private spanOf(source: string, index: number): StatementSpan {
    let spans = this.spans.get(source);
    if (!this.spans.has(source)) {
      spans = statementSpans(source);
      if (this.spans.size >= COMPILED_LIMIT) this.spans.delete(this.spans.keys().next().value!);
      this.spans.set(source, spans);
    }
    return spans?.[index] ?? { start: { Line: 1, Column: 1 }, end: { Line: 1, Column: 1 } };
  }

  private respond(sim: Simulation, input: Common): SimulatePolicyResponse {
    const resources = input.ResourceArns !== undefined && input.ResourceArns.length > 0 ? input.ResourceArns : undefined;
    const results: EvaluationResult[] = input.ActionNames.map((action) => {
      if (resources === undefined) return topLevel(action, this.evaluate(sim, action, '*'), sim.missing);
      const each = resources.map((r) => this.evaluate(sim, action, r));
      const specific = each.map((e) => resourceSpecific(e, sim.missing));
      if (each.length === 1) return { ...topLevel(action, each[0]!, sim.missing), ResourceSpecificResults: specific };
      return {
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: aggregate(each),
        MatchedStatements: [],
        MissingContextValues: [...sim.missing],
        ...(sim.scps ? { OrganizationsDecisionDetail: { AllowedByOrganizations: each.every((e) => e.allowedByOrganizations === true) } } : {}),
        ...(sim.boundary ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: each.every((e) => e.allowedByBoundary === true) } } : {}),
        ResourceSpecificResults: specific,
      };
    });
    const indexed = results.map((result, i) => ({ result, key: String(i).padStart(6, '0') }));
    const page = paginate(indexed, (x) => x.key, input);
    return {
      EvaluationResults: page.items.map((x) => x.result),
      IsTruncated: page.isTruncated,
      ...(page.marker !== undefined ? { Marker: page.marker } : {}),
    };
  }
}

function topLevel(action: string, e: Evaluated, missing: readonly string[]): EvaluationResult {
  return {
    EvalActionName: action,
    EvalResourceName: e.resource,
    EvalDecision: e.decision,
    MatchedStatements: e.matched,
    MissingContextValues: [...missing],
    ...(e.allowedByOrganizations !== undefined ? { OrganizationsDecisionDetail: { AllowedByOrganizations: e.allowedByOrganizations } } : {}),
    ...(e.allowedByBoundary !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: e.allowedByBoundary } } : {}),
  };
}

function resourceSpecific(e: Evaluated, missing: readonly string[]): ResourceSpecificResult {
  return {
    EvalResourceName: e.resource,
    EvalResourceDecision: e.decision,
    MatchedStatements: e.matched,
    MissingContextValues: [...missing],
    ...(e.allowedByBoundary !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: e.allowedByBoundary } } : {}),
  };
}

function aggregate(each: readonly Evaluated[]): Evaluated['decision'] {
  if (each.some((e) => e.decision === 'explicitDeny')) return 'explicitDeny';
  return each.every((e) => e.decision === 'allowed') ? 'allowed' : 'implicitDeny';
}

/** Every SCP level has a matching Allow and no SCP matched a Deny. */
function organizationsAllow(levels: readonly (readonly PolicyRef[])[], outcomes: ReadonlyMap<string, string>): boolean {
  const outcome = (ref: PolicyRef): string | undefined => outcomes.get(`scp\u0000${ref.id}`);
  if (levels.some((level) => level.some((ref) => outcome(ref) === 'deny'))) return false;
  return levels.every((level) => level.some((ref) => outcome(ref) === 'allow'));
}

/** The two handlers, over one simulator. */
export function createSimulationHandlers(simulator: Simulator): Required<Pick<IamHandlers, 'SimulatePrincipalPolicy' | 'SimulateCustomPolicy'>> {
  return {
    SimulatePrincipalPolicy: (i, ctx) => simulator.simulatePrincipalPolicy(i, ctx),
    SimulateCustomPolicy: (i, ctx) => simulator.simulateCustomPolicy(i, ctx),
  };
}
