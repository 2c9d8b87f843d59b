/**
 * The global condition keys of one request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * merged with the keys the operation itself declared. Absent facts stay absent: `...IfExists` and `Null`
 * depend on that.
 *
 * Built in two parts so that the authorizer can keep the first: the caller's keys (`principalContext`, the same for
 * every request of one session or user while IAM and Organizations are unchanged) and the request's own keys
 * (`requestContext`: time, network, resource, keys the operation declared).
 */
import { isIP } from 'node:net';
import type { RequestContext } from '../../core/context.js';
import type { Principal } from '../../core/principal.js';
import type { AuthzRequest } from '../../core/service.js';

export type ConditionContext = Record<string, string | readonly string[]>;

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

// aws:CurrentTime and aws:EpochTime change once a second; requests within it share the strings.
let clockSecond = Number.NaN;
let clockIso = '';
let clockEpoch = '';
// Clients keep their connection: consecutive requests usually come from the same address.
let lastPeer = '';
let lastIp: string | undefined;

/** `principal` (from `principalContext`) plus the keys of this request and its resource. */
export function requestContext(principal: ConditionContext, ctx: RequestContext, req: AuthzRequest, facts: ResourceFacts): ConditionContext {
  const out: ConditionContext = { ...principal };
  const second = Math.floor(ctx.now / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    clockIso = isoSeconds(second * 1000);
    clockEpoch = String(second);
  }
  out['aws:CurrentTime'] = clockIso;
  out['aws:EpochTime'] = clockEpoch;
  out['aws:SecureTransport'] = ctx.secureTransport ? 'true' : 'false';
  out['aws:RequestedRegion'] = ctx.region;
  out['aws:ResourceAccount'] = facts.resourceAccount;
  out['aws:ViaAWSService'] = ctx.via?.calledVia?.length ? 'true' : 'false';
  // Calls made by a service on a principal's behalf carry no client IP (AWS leaves aws:SourceIp out).
  if (ctx.sourceIp !== lastPeer) {
    const ip = ctx.sourceIp.replace(/^::ffff:/, '');
    lastPeer = ctx.sourceIp;
    lastIp = isIP(ip) ? ip : undefined;
  }
  if (lastIp !== undefined) out['aws:SourceIp'] = lastIp;
  if (ctx.userAgent) out['aws:UserAgent'] = ctx.userAgent;
  if (facts.resourceOrgId) out['aws:ResourceOrgID'] = facts.resourceOrgId;
  const tags = facts.resourceTags;
  if (tags) {
    // IAM resources (roles, users) answer to both spellings of their tags.
    const iamResource = req.resource.startsWith('arn:aws:iam::');
    for (const k in tags) {
      out[`aws:ResourceTag/${k}`] = tags[k]!;
      if (iamResource) out[`iam:ResourceTag/${k}`] = tags[k]!;
    }
  }
  const via = ctx.via;
  if (via) {
    if (via.sourceArn) out['aws:SourceArn'] = via.sourceArn;
    if (via.sourceAccount) out['aws:SourceAccount'] = via.sourceAccount;
    if (via.calledVia?.length) {
      out['aws:CalledVia'] = via.calledVia;
      out['aws:CalledViaFirst'] = via.calledVia[0]!;
      out['aws:CalledViaLast'] = via.calledVia[via.calledVia.length - 1]!;
    }
  }
  if (req.context) for (const k in req.context) out[k] = req.context[k]!;
  return out;
}

export function conditionContext(ctx: RequestContext, req: AuthzRequest, facts: ContextFacts): ConditionContext {
  return requestContext(principalContext(ctx.principal, facts), ctx, req, facts);
}
