/**
 * The global condition keys of one request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * merged with the keys the operation itself declared. Absent facts stay absent: `...IfExists` and `Null`
 * depend on that.
 */
import { isIP } from 'node:net';
import type { RequestContext } from '../../core/context.js';
import type { AuthzRequest } from '../../core/service.js';

export interface ContextFacts {
  readonly principalTags: Readonly<Record<string, string>>;
  readonly orgId?: string;
  readonly orgPath?: string;
  readonly resourceAccount: string;
  readonly resourceOrgId?: string;
  readonly resourceTags?: Readonly<Record<string, string>>;
}

export function conditionContext(ctx: RequestContext, req: AuthzRequest, facts: ContextFacts): Record<string, string | readonly string[]> {
  const p = ctx.principal;
  const out: Record<string, string | readonly string[]> = {
    'aws:CurrentTime': new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(ctx.now / 1000)),
    'aws:SecureTransport': String(ctx.secureTransport),
    'aws:RequestedRegion': ctx.region,
    'aws:ResourceAccount': facts.resourceAccount,
    'aws:ViaAWSService': String(Boolean(ctx.via?.calledVia?.length)),
    'aws:PrincipalIsAWSService': String(p.type === 'AWSService'),
  };
  // Calls made by a service on a principal's behalf carry no client IP (AWS leaves aws:SourceIp out).
  const ip = ctx.sourceIp.replace(/^::ffff:/, '');
  if (isIP(ip)) out['aws:SourceIp'] = ip;
  if (ctx.userAgent) out['aws:UserAgent'] = ctx.userAgent;
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
    if (p.sessionIssuedAt !== undefined) out['aws:TokenIssueTime'] = new Date(p.sessionIssuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  } else if (p.service) {
    out['aws:PrincipalServiceName'] = p.service;
  }
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
