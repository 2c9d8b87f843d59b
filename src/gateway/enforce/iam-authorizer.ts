/**
 * The `Authorizer` backed by the IAM engine: for each request an operation declared, gather the layers
 * AWS evaluates (identity, boundary, session, SCPs of the caller's account, RCPs of the resource's
 * account, the resource's own policy), add the global condition keys, and ask `iam/authorize`. A denial
 * becomes AWS's AccessDenied with the reason suffix; every decision is kept for `mlzone explain`.
 */
import type { RequestContext } from '../../core/context.js';
import { AwsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { resourceOwnerOf, type AuthzRequest } from '../../core/service.js';
import { authorize } from '../../iam/authorize.js';
import { compileStoredPolicy } from '../../iam/compile.js';
import { denialMessage } from '../../iam/explain.js';
import { LOWER_CASE_KEYS, type AuthorizationRequest, type AuthorizationResult, type CompiledPolicy, type ConditionLookup, type PolicyKind, type PolicyRef, type RequestPrincipal } from '../../iam/types.js';
import type { AuthorizationRecord, Authorizer } from '../authorizer.js';
import { PrincipalConditions, RequestConditions } from './condition-context.js';
import type { PolicySources, StoredPolicy } from './policy-sources.js';

export interface DecisionDetail {
  readonly action: string;
  readonly resource: string;
  readonly principal: string;
  readonly context: Record<string, string | readonly string[]>;
  readonly policies: ReadonlyArray<{ readonly id: string; readonly kind: PolicyKind; readonly document: string }>;
  readonly request: AuthorizationRequest;
  readonly result: AuthorizationResult;
}

const COMPILED_CACHE_LIMIT = 5000;

function requestPrincipal(p: Principal): RequestPrincipal {
  return {
    arn: p.arn,
    accountId: p.accountId,
    type: p.type,
    roleArn: p.roleArn,
    service: p.service,
    uniqueId: p.type === 'AssumedRole' ? p.roleId : p.userId,
    isServiceLinkedRole: p.roleArn?.includes(':role/aws-service-role/') ?? false,
  };
}

export function accessDenied(style: 'query' | 'json' | 'rest-json' | 'rest-xml', message: string): AwsError {
  if (style === 'query' || style === 'rest-xml') return new AwsError('AccessDenied', message, { status: 403 });
  return new AwsError('AccessDeniedException', message, { status: style === 'rest-json' ? 403 : 400 });
}

/**
 * The AccessDenied text. S3 explains a denial only to callers of the bucket owner's account or organization;
 * anyone else (anonymous callers included) reads a plain "Access Denied"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
 */
function messageFor(d: DecisionDetail): string {
  // `request` and `context` are rebuilt on each read: read each once.
  const request = d.request;
  if (d.resource.startsWith('arn:aws:s3:::')) {
    const p = request.principal;
    const sameAccount = p.accountId !== '' && p.accountId === request.resourceAccount;
    const context = d.context;
    const orgId = context['aws:PrincipalOrgID'];
    const sameOrg = orgId !== undefined && orgId === context['aws:ResourceOrgID'];
    if (!sameAccount && !sameOrg) return 'Access Denied';
  }
  return denialMessage(request, d.result);
}

/** What a decision needs about the principal and its account: the same for every request of that principal. */
interface PrincipalHalf {
  readonly generation: number;
  readonly identity: readonly StoredPolicy[];
  readonly identityRefs: PolicyRef[];
  readonly boundary: StoredPolicy | undefined;
  readonly boundaryRef: PolicyRef | undefined;
  readonly principalTags: Readonly<Record<string, string>>;
  readonly mgmt: string | undefined;
  readonly orgId: string | undefined;
  readonly orgPath: string | undefined;
  readonly scps: ReadonlyArray<ReadonlyArray<StoredPolicy>>;
  readonly scpRefs: PolicyRef[][];
}
/** The half plus what one principal object (a session, a user's key) adds: its session policies and context keys. */
interface Caller {
  readonly half: PrincipalHalf;
  readonly principal: RequestPrincipal;
  readonly sessionStored: readonly StoredPolicy[];
  readonly sessionRefs: PolicyRef[] | undefined;
  readonly conditions: PrincipalConditions;
  /** Earlier decisions by action, then resource (see `evaluate`). */
  readonly decisions: Map<string, Map<string, KeptResult>>;
}
interface KeptResult {
  readonly resourceAccount: string;
  readonly rcps: PolicyRef[][];
  readonly resourcePolicy: CompiledPolicy | undefined;
  readonly reads: ReadonlyArray<readonly [string, ConditionValue | undefined]>;
  readonly result: AuthorizationResult;
}
type ConditionValue = string | readonly string[];
const DECISIONS_PER_CALLER = 256;

/** Passes the engine's lookups through and remembers each key and the value it got. */
class RecordingConditions implements ConditionLookup {
  readonly [LOWER_CASE_KEYS] = true as const;
  readonly reads: Array<readonly [string, ConditionValue | undefined]> = [];
  constructor(private readonly inner: ConditionLookup) {}
  get(key: string): ConditionValue | undefined {
    const v = this.inner.get(key);
    this.reads.push([key, v]);
    return v;
  }
}

function sameReads(reads: ReadonlyArray<readonly [string, ConditionValue | undefined]>, now: ConditionLookup): boolean {
  for (const [key, before] of reads) {
    const v = now.get(key);
    if (v === before) continue;
    if (typeof v === 'string' || typeof before === 'string' || v === undefined || before === undefined) return false;
    if (v.length !== before.length || v.some((x, i) => x !== before[i])) return false;
  }
  return true;
}
/**
 * A key that equal results share: a fresh evaluation's result is swapped for an equal one made earlier, so that the
 * decisions kept (per caller, and for `mlzone explain`) share one object per outcome instead of one per request —
 * a caller denied on a thousand new resource names got a thousand equal results of ~0.7 KB each.
 */
function resultKey(r: AuthorizationResult): string {
  let k = `${r.decision}\u0000${r.reason.kind}\u0000${r.reason.policyKind ?? ''}\u0000${r.reason.policyId ?? ''}`;
  for (const m of r.matched) k += `\u0001${m.kind}\u0000${m.policyId}\u0000${m.statementIndex}\u0000${m.sid ?? ''}\u0000${m.effect}`;
  for (const e of r.evaluated) k += `\u0002${e.kind}\u0000${e.policyId}\u0000${e.outcome}`;
  return k;
}
const RESULTS_LIMIT = 1000;

/** Whether an account is in the organization, and its RCPs. */
interface ResourceAccountHalf {
  readonly generation: number;
  readonly inOrg: boolean;
  readonly rcps: ReadonlyArray<ReadonlyArray<StoredPolicy>>;
  readonly rcpRefs: PolicyRef[][];
}
/** A resource's own policy and tags, kept only for resources `generation()` covers (`coversResource`). */
interface ResourceHalf {
  readonly generation: number;
  readonly policy: ResourcePolicy | undefined;
  readonly policyRef: PolicyRef | undefined;
  readonly tags: Readonly<Record<string, string>> | undefined;
}
type ResourcePolicy = NonNullable<Awaited<ReturnType<PolicySources['resourcePolicy']>>>;

/**
 * A decision as kept for `mlzone explain`. It holds what the decision was made from — the request context, the
 * declared request and the gathered halves, all immutable and the halves shared by every request they served — and
 * rebuilds the engine's request, the condition keys and the list of policies each time they are read, keeping none
 * of them: a busy server keeps thousands of denials and explains few, and everything held per decision outlives the
 * young generation (the engine's request and its condition lookup were ~1 KB a denial).
 */
class Detail implements DecisionDetail {
  constructor(
    private readonly ctx: RequestContext,
    private readonly req: AuthzRequest,
    private readonly resourceAccount: string,
    private readonly caller: Caller,
    private readonly account: ResourceAccountHalf,
    private readonly resourceHalf: ResourceHalf,
    readonly result: AuthorizationResult,
  ) {}
  get action(): string {
    return this.req.action;
  }
  get resource(): string {
    return this.req.resource;
  }
  get principal(): string {
    return this.ctx.principal.arn;
  }
  get request(): AuthorizationRequest {
    return engineRequest(this.ctx, this.req, this.resourceAccount, this.caller, this.account, this.resourceHalf, this.#lookup());
  }
  get context(): Record<string, string | readonly string[]> {
    return this.#lookup().toRecord();
  }
  #lookup(): RequestConditions {
    return conditionsOf(this.ctx, this.req, this.resourceAccount, this.caller, this.account, this.resourceHalf);
  }
  get policies(): DecisionDetail['policies'] {
    const { identity, boundary, scps } = this.caller.half;
    const rp = this.resourceHalf.policy;
    return [
      ...identity.map((x) => ({ id: x.id, kind: 'identity' as const, document: x.document })),
      ...(boundary ? [{ id: boundary.id, kind: 'boundary' as const, document: boundary.document }] : []),
      ...this.caller.sessionStored.map((x) => ({ id: x.id, kind: 'session' as const, document: x.document })),
      ...(rp ? [{ id: rp.id, kind: rp.kind, document: rp.document }] : []),
      ...scps.flat().map((x) => ({ id: x.id, kind: 'scp' as const, document: x.document })),
      ...this.account.rcps.flat().map((x) => ({ id: x.id, kind: 'rcp' as const, document: x.document })),
    ];
  }
}

/** The engine's request for one declared request, from what was gathered for it (a pure function of its inputs). */
function engineRequest(
  ctx: RequestContext,
  req: AuthzRequest,
  resourceAccount: string,
  caller: Caller,
  account: ResourceAccountHalf,
  resource: ResourceHalf,
  context: ConditionLookup,
): AuthorizationRequest {
  const half = caller.half;
  return {
    principal: caller.principal,
    action: req.action,
    resource: req.resource,
    resourceAccount,
    context,
    identityPolicies: half.identityRefs,
    resourcePolicy: resource.policyRef,
    permissionsBoundary: half.boundaryRef,
    sessionPolicies: caller.sessionRefs,
    scps: half.scpRefs,
    principalIsManagementAccount: half.mgmt !== undefined && ctx.principal.accountId === half.mgmt,
    rcps: account.rcpRefs,
    resourceIsManagementAccount: half.mgmt !== undefined && resourceAccount === half.mgmt,
  };
}

function conditionsOf(ctx: RequestContext, req: AuthzRequest, resourceAccount: string, caller: Caller, account: ResourceAccountHalf, resource: ResourceHalf): RequestConditions {
  return new RequestConditions(caller.conditions, ctx, req, {
    resourceAccount,
    resourceOrgId: account.inOrg ? caller.half.orgId : undefined,
    resourceTags: resource.tags,
  });
}

/** The account that owns a declared request's resource, else (an account-less ARN, `*`) the caller's. */
function resourceAccountOf(req: AuthzRequest, principal: Principal): string {
  return resourceOwnerOf(req) ?? principal.accountId;
}

export function createIamAuthorizer(sources: PolicySources): Authorizer {
  // Keyed by the document string itself, then by kind: the directories hand out the same cached string object on
  // every request, so a hit is a pointer comparison. A `${kind}\n${doc}` key was a new string per lookup, copied
  // (flattened) and compared in full — 83 KB per request for ReadOnlyAccess.
  const compiled = new Map<string, Partial<Record<PolicyKind, CompiledPolicy>>>();
  const compile = (kind: PolicyKind, doc: string): CompiledPolicy => {
    let byKind = compiled.get(doc);
    let c = byKind?.[kind];
    if (!c) {
      // Stored documents were validated when written; write-time-only rules must not reject them here.
      c = compileStoredPolicy(doc, kind);
      if (!byKind) {
        if (compiled.size >= COMPILED_CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
        byKind = {};
        compiled.set(doc, byKind);
      }
      byKind[kind] = c;
    }
    return c;
  };
  const refs = (list: readonly StoredPolicy[], kind: PolicyKind): PolicyRef[] => list.map((p) => ({ id: p.id, kind, policy: compile(kind, p.document) }));

  // Reused while `sources.generation()` is unchanged (every IAM or Organizations write changes it); a gathering
  // that raced a write is used for its own request but not kept. Bounded: cleared when full.
  const principalHalves = new Map<string, PrincipalHalf>();
  const accountHalves = new Map<string, ResourceAccountHalf>();
  const resourceHalves = new Map<string, Map<string, ResourceHalf>>();
  // By principal object: a session's principal is the same object on every request, and so is a user's while its key
  // is cached. Entries go with their principal.
  const callers = new WeakMap<Principal, Caller>();
  // Distinct results by content (see resultKey); cleared when full.
  const results = new Map<string, AuthorizationResult>();
  const intern = (r: AuthorizationResult): AuthorizationResult => {
    const key = resultKey(r);
    const known = results.get(key);
    if (known !== undefined) return known;
    if (results.size >= RESULTS_LIMIT) results.clear();
    results.set(key, r);
    return r;
  };
  const HALF_CACHE_LIMIT = 10_000;
  const generation = sources.generation?.bind(sources);
  const keep = <V>(m: Map<string, V>, key: string, v: V, g: number | undefined): void => {
    if (g === undefined || generation!() !== g) return;
    if (m.size >= HALF_CACHE_LIMIT) m.clear();
    m.set(key, v);
  };

  async function gatherPrincipal(p: Principal, g: number): Promise<PrincipalHalf> {
    const isIamPrincipal = p.type === 'IAMUser' || p.type === 'AssumedRole' || p.type === 'FederatedUser';
    const org = sources.organization;
    const [identity, boundary, principalTags, mgmt, orgId, orgPath] = await Promise.all([
      isIamPrincipal ? sources.identityPolicies(p) : Promise.resolve([]),
      isIamPrincipal ? sources.permissionsBoundary(p) : Promise.resolve(undefined),
      isIamPrincipal ? sources.principalTags(p) : Promise.resolve({}),
      org.managementAccountId(),
      org.orgId(),
      p.accountId ? org.orgPath(p.accountId) : Promise.resolve(undefined),
    ]);
    const scps = orgPath !== undefined && p.type !== 'AWSService' ? await org.policiesFor(p.accountId, 'SERVICE_CONTROL_POLICY') : [];
    return {
      generation: g,
      identity,
      identityRefs: refs(identity, 'identity'),
      boundary,
      boundaryRef: boundary ? { id: boundary.id, kind: 'boundary' as const, policy: compile('boundary', boundary.document) } : undefined,
      principalTags,
      mgmt,
      orgId,
      orgPath,
      scps,
      scpRefs: scps.map((level) => refs(level, 'scp')),
    };
  }

  async function gatherCaller(p: Principal, g: number | undefined): Promise<Caller> {
    // Everything the principal half reads depends on these fields only (see PolicySources).
    const principalKey = `${p.type}\n${p.accountId}\n${p.name ?? ''}\n${p.arn}`;
    let half = principalHalves.get(principalKey);
    if (half === undefined || half.generation !== g) {
      half = await gatherPrincipal(p, g ?? -1);
      keep(principalHalves, principalKey, half, g);
    }
    const sessionStored: StoredPolicy[] = [];
    if (p.sessionPolicy) sessionStored.push({ id: `${p.arn}#session-policy`, document: p.sessionPolicy });
    for (const arn of p.sessionPolicyArns ?? []) {
      const doc = await sources.managedPolicy(arn);
      if (doc) sessionStored.push({ id: arn, document: doc });
    }
    const caller: Caller = {
      half,
      principal: requestPrincipal(p),
      sessionStored,
      sessionRefs: p.sessionPolicy !== undefined || p.sessionPolicyArns?.length ? refs(sessionStored, 'session') : undefined,
      conditions: new PrincipalConditions(p, { principalTags: half.principalTags, orgId: half.orgPath !== undefined ? half.orgId : undefined, orgPath: half.orgPath }),
      decisions: new Map(),
    };
    if (g !== undefined && half.generation === g && generation!() === g) callers.set(p, caller);
    return caller;
  }

  async function gatherAccount(accountId: string, g: number): Promise<ResourceAccountHalf> {
    const inOrg = await sources.organization.inOrganization(accountId);
    const rcps = inOrg ? await sources.organization.policiesFor(accountId, 'RESOURCE_CONTROL_POLICY') : [];
    return { generation: g, inOrg, rcps, rcpRefs: rcps.map((level) => refs(level, 'rcp')) };
  }

  async function gatherResource(resource: string, action: string, g: number | undefined): Promise<ResourceHalf> {
    const [policy, tags] = await Promise.all([sources.resourcePolicy(resource, action), sources.resourceTags(resource)]);
    const half: ResourceHalf = {
      generation: g ?? -1,
      policy,
      policyRef: policy ? { id: policy.id, kind: policy.kind, policy: compile(policy.kind, policy.document) } : undefined,
      tags,
    };
    if (g !== undefined && sources.coversResource?.(resource) && generation!() === g) {
      let byAction = resourceHalves.get(resource);
      if (byAction === undefined) {
        if (resourceHalves.size >= HALF_CACHE_LIMIT) resourceHalves.clear();
        resourceHalves.set(resource, (byAction = new Map()));
      }
      byAction.set(action, half);
    }
    return half;
  }

  /** The decision for `req` when everything it needs is gathered and current, else undefined (see `gathered`). */
  function cached(ctx: RequestContext, req: AuthzRequest, resourceAccount: string, g: number | undefined): Detail | undefined {
    const caller = callers.get(ctx.principal);
    if (caller === undefined || caller.half.generation !== g) return undefined;
    const account = accountHalves.get(resourceAccount);
    if (account === undefined || account.generation !== g) return undefined;
    const resource = resourceHalves.get(req.resource)?.get(req.action);
    if (resource === undefined || resource.generation !== g) return undefined;
    return evaluate(ctx, req, resourceAccount, caller, account, resource);
  }

  async function gathered(ctx: RequestContext, req: AuthzRequest, resourceAccount: string, g: number | undefined): Promise<Detail> {
    const p = ctx.principal;
    let caller = callers.get(p);
    if (caller === undefined || caller.half.generation !== g) caller = await gatherCaller(p, g);
    let account = accountHalves.get(resourceAccount);
    if (account === undefined || account.generation !== g) {
      account = await gatherAccount(resourceAccount, g ?? -1);
      keep(accountHalves, resourceAccount, account, g);
    }
    let resource = resourceHalves.get(req.resource)?.get(req.action);
    if (resource === undefined || resource.generation !== g) resource = await gatherResource(req.resource, req.action, g);
    return evaluate(ctx, req, resourceAccount, caller, account, resource);
  }

  /**
   * `authorize(request)`, or the result an earlier request of the same caller got for the same action, resource and
   * policies when every condition key the engine read then has the same value now. The engine is a pure function of
   * its request and reads the context only through `get`, so equal reads mean it would take the same path again.
   */
  function evaluate(ctx: RequestContext, req: AuthzRequest, resourceAccount: string, caller: Caller, account: ResourceAccountHalf, resource: ResourceHalf): Detail {
    const conditions = conditionsOf(ctx, req, resourceAccount, caller, account, resource);
    const resourcePolicy = resource.policyRef?.policy;
    let byResource = caller.decisions.get(req.action);
    const hit = byResource?.get(req.resource);
    let result: AuthorizationResult;
    if (hit !== undefined && hit.resourceAccount === resourceAccount && hit.rcps === account.rcpRefs && hit.resourcePolicy === resourcePolicy && sameReads(hit.reads, conditions)) {
      result = hit.result;
    } else {
      const recording = new RecordingConditions(conditions);
      result = intern(authorize(engineRequest(ctx, req, resourceAccount, caller, account, resource, recording)));
      if (byResource === undefined) {
        if (caller.decisions.size >= DECISIONS_PER_CALLER) caller.decisions.clear();
        caller.decisions.set(req.action, (byResource = new Map()));
      } else if (byResource.size >= DECISIONS_PER_CALLER) {
        byResource.clear();
      }
      byResource.set(req.resource, { resourceAccount, rcps: account.rcpRefs, resourcePolicy, reads: recording.reads, result });
    }
    return new Detail(ctx, req, resourceAccount, caller, account, resource, result);
  }

  /** Whether to go on after `d`: undefined when allowed, else the refusal. */
  function refusal(d: Detail, details: Detail[], style: Parameters<Authorizer['authorize']>[2]): AuthorizationRecord | undefined {
    if (d.result.decision === 'Allow') return undefined;
    return { decision: d.result.decision, details, error: accessDenied(style, messageFor(d)) };
  }

  async function authorizeFrom(ctx: RequestContext, requests: readonly AuthzRequest[], style: Parameters<Authorizer['authorize']>[2], details: Detail[], from: number): Promise<AuthorizationRecord> {
    for (let i = from; i < requests.length; i++) {
      const req = requests[i]!;
      const resourceAccount = resourceAccountOf(req, ctx.principal);
      const g = generation?.();
      const d = cached(ctx, req, resourceAccount, g) ?? (await gathered(ctx, req, resourceAccount, g));
      details.push(d);
      const refused = refusal(d, details, style);
      if (refused) return refused;
    }
    return { decision: 'Allow', details };
  }

  return {
    // Synchronous while everything a request needs is gathered (the usual case): an await costs a trip through the
    // microtask queue and a promise per call.
    authorize(ctx, requests, style) {
      const details: Detail[] = [];
      const g = generation?.();
      for (let i = 0; i < requests.length; i++) {
        const req = requests[i]!;
        const d = cached(ctx, req, resourceAccountOf(req, ctx.principal), g);
        if (d === undefined) return authorizeFrom(ctx, requests, style, details, i);
        details.push(d);
        const refused = refusal(d, details, style);
        if (refused) return refused;
      }
      return { decision: 'Allow', details };
    },
  };
}
