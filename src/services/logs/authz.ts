/**
 * What IAM must allow for each CloudWatch Logs operation: `logs:<Operation>` on the log group
 * `arn:aws:logs:<region>:<account>:log-group:<name>:*` (PutLogEvents: the log stream), per the service
 * authorization reference. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
 *
 * A read naming a linked source account's group by ARN is authorized in the caller's account: in CloudWatch
 * cross-account observability the link, not a resource policy, grants the monitoring account its view, and
 * the handler checks the link.
 */
import type { RequestContext } from '../../core/context.js';
import type { AuthzFn, AuthzRequest } from '../../core/service.js';
import type { CloudWatchLogsOperations } from './api.gen.js';
import { groupOf, logGroupArn, logStreamArn, parseGroupIdentifier, type GroupRef } from './domain/names.js';

type Authz = { [K in keyof CloudWatchLogsOperations]?: AuthzFn<CloudWatchLogsOperations[K]['input']> };

const onGroup = (op: string, g: GroupRef, ctx: RequestContext): AuthzRequest => ({
  action: `logs:${op}`,
  resource: `${logGroupArn(g.account, g.region, g.name)}:*`,
  resourceAccount: ctx.accountId,
});

/** Every log group of the caller's account: for inputs that name none (or one the handler will refuse). */
const anyGroup = (ctx: RequestContext) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:*`;

const named = (op: string) => (i: { logGroupName: string }, ctx: RequestContext) => [onGroup(op, { account: ctx.accountId, region: ctx.region, name: i.logGroupName }, ctx)];

/** A group named by name or identifier; an input the handler will refuse is authorized on `*`. */
function identified(op: string) {
  return (i: { logGroupName?: string; logGroupIdentifier?: string }, ctx: RequestContext): AuthzRequest[] => {
    try {
      return [onGroup(op, groupOf(i, ctx.accountId, ctx.region), ctx)];
    } catch {
      return [{ action: `logs:${op}`, resource: anyGroup(ctx) }];
    }
  };
}

function byArn(op: string) {
  return (i: { resourceArn: string }, ctx: RequestContext): AuthzRequest[] => {
    try {
      return [onGroup(op, parseGroupIdentifier(i.resourceArn, ctx.accountId, ctx.region), ctx)];
    } catch {
      return [{ action: `logs:${op}`, resource: anyGroup(ctx) }];
    }
  };
}

const tagContext = (tags: Record<string, string> | undefined): Record<string, string | readonly string[]> => {
  if (!tags || Object.keys(tags).length === 0) return {};
  const out: Record<string, string | readonly string[]> = { 'aws:TagKeys': Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) out[`aws:RequestTag/${k}`] = v;
  return out;
};

export const logsAuthz: Authz = {
  CreateLogGroup: (i, ctx) => {
    const req = { ...onGroup('CreateLogGroup', { account: ctx.accountId, region: ctx.region, name: i.logGroupName }, ctx), context: tagContext(i.tags) };
    return i.tags && Object.keys(i.tags).length ? [req, { ...req, action: 'logs:TagResource' }] : [req];
  },
  DeleteLogGroup: named('DeleteLogGroup'),
  DescribeLogGroups: () => [{ action: 'logs:DescribeLogGroups', resource: '*' }],
  PutRetentionPolicy: named('PutRetentionPolicy'),
  DeleteRetentionPolicy: named('DeleteRetentionPolicy'),
  CreateLogStream: (i, ctx) => [{ action: 'logs:CreateLogStream', resource: logStreamArn(ctx.accountId, ctx.region, i.logGroupName, i.logStreamName), resourceAccount: ctx.accountId }],
  DeleteLogStream: (i, ctx) => [{ action: 'logs:DeleteLogStream', resource: logStreamArn(ctx.accountId, ctx.region, i.logGroupName, i.logStreamName), resourceAccount: ctx.accountId }],
  DescribeLogStreams: identified('DescribeLogStreams'),
  PutLogEvents: (i, ctx) => [{ action: 'logs:PutLogEvents', resource: logStreamArn(ctx.accountId, ctx.region, i.logGroupName, i.logStreamName), resourceAccount: ctx.accountId }],
  GetLogEvents: (i, ctx) => {
    try {
      const g = groupOf(i, ctx.accountId, ctx.region);
      return [{ action: 'logs:GetLogEvents', resource: logStreamArn(g.account, g.region, g.name, i.logStreamName), resourceAccount: ctx.accountId }];
    } catch {
      return [{ action: 'logs:GetLogEvents', resource: `${anyGroup(ctx)}:log-stream:*` }];
    }
  },
  FilterLogEvents: identified('FilterLogEvents'),
  StartQuery: (i, ctx) => {
    const ids = [...(i.logGroupName !== undefined ? [i.logGroupName] : []), ...(i.logGroupNames ?? []), ...(i.logGroupIdentifiers ?? [])];
    const out: AuthzRequest[] = [];
    for (const id of ids) {
      try {
        out.push(onGroup('StartQuery', parseGroupIdentifier(id, ctx.accountId, ctx.region), ctx));
      } catch {
        out.push({ action: 'logs:StartQuery', resource: anyGroup(ctx) });
      }
    }
    return out.length ? out : [{ action: 'logs:StartQuery', resource: anyGroup(ctx) }];
  },
  GetQueryResults: (_i, ctx) => [{ action: 'logs:GetQueryResults', resource: anyGroup(ctx) }],
  StopQuery: () => [{ action: 'logs:StopQuery', resource: '*' }],
  DescribeQueries: () => [{ action: 'logs:DescribeQueries', resource: '*' }],
  TagResource: (i, ctx) => byArn('TagResource')(i, ctx).map((r) => ({ ...r, context: tagContext(i.tags) })),
  UntagResource: (i, ctx) => byArn('UntagResource')(i, ctx).map((r) => ({ ...r, context: { 'aws:TagKeys': i.tagKeys } })),
  ListTagsForResource: byArn('ListTagsForResource'),
};
