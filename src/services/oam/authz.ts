/**
 * What IAM must allow for each OAM operation, per the service authorization reference: sink operations on the
 * sink ARN, link operations on the link ARN, ListSinks/ListLinks/CreateSink on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchobservabilityaccessmanager.html
 *
 * CreateLink is authorized on the sink, which lives in the monitoring account: the call is cross-account, so the
 * caller's identity policy AND the sink policy (PolicySources.resourcePolicy) must allow `oam:CreateLink` with
 * `oam:ResourceTypes`. UpdateLink is checked the same way against the link's sink, so a link cannot widen what it
 * shares beyond what the sink policy allows. With IncludeTags, reading tags also needs `oam:ListTagsForResource`.
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { OamOperations } from './api.gen.js';
import { parseOamArn, resolveIdentifier, type OamKind } from './domain/names.js';
import type { OamStore } from './store.js';

type Ctx = Record<string, string | readonly string[]>;
type Authz = { [K in keyof OamOperations]?: AuthzFn<OamOperations[K]['input']> };

function requestTags(tags: Readonly<Record<string, string>> | undefined): Ctx {
  const keys = Object.keys(tags ?? {});
  if (keys.length === 0) return {};
  const out: Ctx = { 'aws:TagKeys': keys };
  for (const k of keys) out[`aws:RequestTag/${k}`] = tags![k]!;
  return out;
}

/** A request on the resource an identifier names; `*` when it names none (the handler then refuses it). */
function on(action: string, identifier: string, kind: OamKind, ctx: RequestContext, context: Ctx = {}): AuthzRequest {
  const name = resolveIdentifier(identifier, kind, ctx);
  return name ? { action: `oam:${action}`, resource: name.arn, resourceAccount: name.accountId, context } : { action: `oam:${action}`, resource: '*', context };
}

function onArn(action: string, resourceArn: string, context: Ctx = {}): AuthzRequest {
  const name = parseOamArn(resourceArn);
  return name ? { action: `oam:${action}`, resource: name.arn, resourceAccount: name.accountId, context } : { action: `oam:${action}`, resource: '*', context };
}

function withTags(reqs: AuthzRequest[], includeTags: boolean | undefined, identifier: string, kind: OamKind, ctx: RequestContext): AuthzRequest[] {
  return includeTags ? [...reqs, on('ListTagsForResource', identifier, kind, ctx)] : reqs;
}

export function oamAuthz(store: OamStore): Authz {
  return {
    CreateSink: (i) => [{ action: 'oam:CreateSink', resource: '*', context: requestTags(i.Tags) }],
    GetSink: (i, ctx) => withTags([on('GetSink', i.Identifier, 'sink', ctx)], i.IncludeTags, i.Identifier, 'sink', ctx),
    ListSinks: () => [{ action: 'oam:ListSinks', resource: '*' }],
    DeleteSink: (i, ctx) => [on('DeleteSink', i.Identifier, 'sink', ctx)],
    PutSinkPolicy: (i, ctx) => [on('PutSinkPolicy', i.SinkIdentifier, 'sink', ctx)],
    GetSinkPolicy: (i, ctx) => [on('GetSinkPolicy', i.SinkIdentifier, 'sink', ctx)],
    ListAttachedLinks: (i, ctx) => [on('ListAttachedLinks', i.SinkIdentifier, 'sink', ctx)],
    CreateLink: (i, ctx) => [on('CreateLink', i.SinkIdentifier, 'sink', ctx, { ...requestTags(i.Tags), 'oam:ResourceTypes': [...new Set(i.ResourceTypes)] })],
    GetLink: (i, ctx) => withTags([on('GetLink', i.Identifier, 'link', ctx)], i.IncludeTags, i.Identifier, 'link', ctx),
    ListLinks: () => [{ action: 'oam:ListLinks', resource: '*' }],
    UpdateLink: async (i, ctx) => {
      const types = { 'oam:ResourceTypes': [...new Set(i.ResourceTypes)] };
      const reqs = [on('UpdateLink', i.Identifier, 'link', ctx, types)];
      const name = resolveIdentifier(i.Identifier, 'link', ctx);
      const link = name ? await store.link(name.arn) : undefined;
      if (link) reqs.push(onArn('UpdateLink', link.sinkArn, types));
      return withTags(reqs, i.IncludeTags, i.Identifier, 'link', ctx);
    },
    DeleteLink: (i, ctx) => [on('DeleteLink', i.Identifier, 'link', ctx)],
    TagResource: (i) => [onArn('TagResource', i.ResourceArn, requestTags(i.Tags))],
    UntagResource: (i) => [onArn('UntagResource', i.ResourceArn, { 'aws:TagKeys': i.TagKeys })],
    ListTagsForResource: (i) => [onArn('ListTagsForResource', i.ResourceArn)],
  };
}
