/**
 * The global condition keys of one request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * merged with the keys the operation itself declared. Absent facts stay absent: `...IfExists` and `Null`
 * depend on that.
 *
 * Two forms of the same keys:
 *   - `conditionContext` lists them all as a record (explanations, tests);
 *   - `RequestConditions` answers one key at a time for the engine, computing it only when a policy asks for it
 *     (most requests are decided by policies that read few keys or none). Its caller's part
 *     (`PrincipalConditions`) is the same for every request of one session or user while IAM and Organizations
 *     are unchanged, so the authorizer keeps it.
 * A test checks that both forms agree.
 */
import { isIP } from 'node:net';
import type { RequestContext } from '../../core/context.js';
import type { Principal } from '../../core/principal.js';
import type { AuthzRequest } from '../../core/service.js';
import { LOWER_CASE_KEYS, type ConditionLookup } from '../../iam/types.js';

export type ConditionContext = Record<string, string | readonly string[]>;
type Value = string | readonly string[];

export interface PrincipalFacts {
  readonly principalTags: Readonly<Record<string, string>>;
  readonly orgId?: string;
  readonly orgPath?: string;
}

export interface ResourceFacts {
  readonly resourceAccount: string;
  readonly resourceOrgId?: string;
  readonly resourceTags?: Readonly<Record<string, string>>;
}

export type ContextFacts = PrincipalFacts & ResourceFacts;

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The caller's keys: principal ARN, account, type and ids, organization, principal and session tags. */
export function principalContext(p: Principal, facts: PrincipalFacts): ConditionContext {
  const out: ConditionContext = { 'aws:PrincipalIsAWSService': String(p.type === 'AWSService') };
  if (p.type !== 'AWSService' && p.type !== 'Anonymous') {
    out['aws:PrincipalArn'] = p.roleArn ?? p.arn;
    out['aws:PrincipalAccount'] = p.accountId;
    out['aws:PrincipalType'] = p.type === 'Root' ? 'Account' : p.type === 'IAMUser' ? 'User' : p.type;
    out['aws:userid'] = p.userId;
    if (p.type === 'IAMUser' && p.name) out['aws:username'] = p.name;
    if (facts.orgId) out['aws:PrincipalOrgID'] = facts.orgId;
    if (facts.orgPath) out['aws:PrincipalOrgPaths'] = [facts.orgPath];
    const tags: Record<string, string> = { ...facts.principalTags };
    for (const t of p.sessionTags ?? []) tags[t.key] = t.value;
    for (const [k, v] of Object.entries(tags)) out[`aws:PrincipalTag/${k}`] = v;
    if (p.sourceIdentity !== undefined) out['aws:SourceIdentity'] = p.sourceIdentity;
    if (p.sessionIssuedAt !== undefined) out['aws:TokenIssueTime'] = isoSeconds(p.sessionIssuedAt);
  } else if (p.service) {
    out['aws:PrincipalServiceName'] = p.service;
  }
  return out;
}

function sourceIpOf(ctx: RequestContext): string | undefined {
  // Calls made by a service on a principal's behalf carry no client IP (AWS leaves aws:SourceIp out).
  const ip = ctx.sourceIp.replace(/^::ffff:/, '');
  return isIP(ip) ? ip : undefined;
}

/** The keys of this request and its resource (everything but the caller's), as a record. */
export function requestKeys(ctx: RequestContext, req: AuthzRequest, facts: ResourceFacts): ConditionContext {
  const out: ConditionContext = {
    'aws:CurrentTime': isoSeconds(ctx.now),
    'aws:EpochTime': String(Math.floor(ctx.now / 1000)),
    'aws:SecureTransport': String(ctx.secureTransport),
    'aws:RequestedRegion': ctx.region,
    'aws:ResourceAccount': facts.resourceAccount,
    'aws:ViaAWSService': String(Boolean(ctx.via?.calledVia?.length)),
  };
  const ip = sourceIpOf(ctx);
  if (ip !== undefined) out['aws:SourceIp'] = ip;
  if (ctx.userAgent) out['aws:UserAgent'] = ctx.userAgent;
  if (facts.resourceOrgId) out['aws:ResourceOrgID'] = facts.resourceOrgId;
  // IAM resources (roles, users) answer to both spellings of their tags.
  const iamResource = req.resource.startsWith('arn:aws:iam::');
  for (const [k, v] of Object.entries(facts.resourceTags ?? {})) {
    out[`aws:ResourceTag/${k}`] = v;
    if (iamResource) out[`iam:ResourceTag/${k}`] = v;
  }
  if (ctx.via?.sourceArn) out['aws:SourceArn'] = ctx.via.sourceArn;
  if (ctx.via?.sourceAccount) out['aws:SourceAccount'] = ctx.via.sourceAccount;
  if (ctx.via?.calledVia?.length) {
    out['aws:CalledVia'] = ctx.via.calledVia;
    out['aws:CalledViaFirst'] = ctx.via.calledVia[0]!;
    out['aws:CalledViaLast'] = ctx.via.calledVia[ctx.via.calledVia.length - 1]!;
  }
  for (const [k, v] of Object.entries(req.context ?? {})) out[k] = v;
  return out;
}

/** Every key of one request, the caller's included. */
export function conditionContext(ctx: RequestContext, req: AuthzRequest, facts: ContextFacts): ConditionContext {
  return { ...principalContext(ctx.principal, facts), ...requestKeys(ctx, req, facts) };
}

function lowerCaseMap(record: Readonly<Record<string, Value>>, prefix = ''): Map<string, Value> {
  const m = new Map<string, Value>();
  for (const k in record) m.set(`${prefix}${k}`.toLowerCase(), record[k]!);
  return m;
}

/** The caller's keys, kept by the authorizer per session or user. */
export class PrincipalConditions {
  readonly record: ConditionContext;
  readonly byLowerKey: Map<string, Value>;
  constructor(p: Principal, facts: PrincipalFacts) {
    this.record = principalContext(p, facts);
    this.byLowerKey = lowerCaseMap(this.record);
  }
}

/** One request's keys for the engine, answered by lower-cased key as policies ask for them. */
export class RequestConditions implements ConditionLookup {
  readonly [LOWER_CASE_KEYS] = true as const;
  #declared: Map<string, Value> | undefined;
  #resourceTags: Map<string, Value> | undefined;
  #record: ConditionContext | undefined;

  constructor(
    private readonly principal: PrincipalConditions,
    private readonly ctx: RequestContext,
    private readonly req: AuthzRequest,
    private readonly facts: ResourceFacts,
  ) {}

  get(key: string): Value | undefined {
    // Keys the operation declared come last in the record, so they win over the global ones.
    if (this.req.context) {
      const v = (this.#declared ??= lowerCaseMap(this.req.context)).get(key);
      if (v !== undefined) return v;
    }
    const { ctx, facts } = this;
    switch (key) {
      case 'aws:currenttime':
        return isoSeconds(ctx.now);
      case 'aws:epochtime':
        return String(Math.floor(ctx.now / 1000));
      case 'aws:securetransport':
        return String(ctx.secureTransport);
      case 'aws:requestedregion':
        return ctx.region;
      case 'aws:resourceaccount':
        return facts.resourceAccount;
      case 'aws:viaawsservice':
        return String(Boolean(ctx.via?.calledVia?.length));
      case 'aws:sourceip':
        return sourceIpOf(ctx);
      case 'aws:useragent':
        return ctx.userAgent || undefined;
      case 'aws:resourceorgid':
        return facts.resourceOrgId || undefined;
      case 'aws:sourcearn':
        return ctx.via?.sourceArn || undefined;
      case 'aws:sourceaccount':
        return ctx.via?.sourceAccount || undefined;
      case 'aws:calledvia':
        return ctx.via?.calledVia?.length ? ctx.via.calledVia : undefined;
      case 'aws:calledviafirst':
        return ctx.via?.calledVia?.length ? ctx.via.calledVia[0] : undefined;
      case 'aws:calledvialast':
        return ctx.via?.calledVia?.length ? ctx.via.calledVia[ctx.via.calledVia.length - 1] : undefined;
    }
    if (key.startsWith('aws:resourcetag/') || (key.startsWith('iam:resourcetag/') && this.req.resource.startsWith('arn:aws:iam::'))) {
      const tags = (this.#resourceTags ??= lowerCaseMap(facts.resourceTags ?? {}));
      return tags.get(key.slice(key.indexOf('/') + 1));
    }
    return this.principal.byLowerKey.get(key);
  }

  /** Every key, as `conditionContext` lists them. */
  toRecord(): ConditionContext {
    return (this.#record ??= { ...this.principal.record, ...requestKeys(this.ctx, this.req, this.facts) });
  }
}
