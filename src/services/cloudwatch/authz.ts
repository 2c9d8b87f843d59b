import type { AuthzFn } from '../../core/service.js';
import { alarmArn } from './handlers/alarms.js';
import { dashboardArn } from './handlers/dashboards.js';

/**
 * What each implemented CloudWatch operation asks IAM, per the service authorization reference (iam-data): metric
 * data operations on `*` (PutMetricData with `cloudwatch:namespace`), dashboards and alarms on their ARNs, tags on
 * the tagged resource with the request's tag keys.
 */
function tagContext(tags: readonly { Key: string; Value: string }[] | undefined): Record<string, string | string[]> {
  if (!tags?.length) return {};
  return { 'aws:TagKeys': tags.map((t) => t.Key), ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])) };
}

const onStar = (action: string): AuthzFn => () => [{ action, resource: '*' }];

export const cloudWatchAuthz: Record<string, AuthzFn> = {
  PutMetricData: (input: { Namespace: string }) => [{ action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': input.Namespace } }],
  GetMetricData: onStar('cloudwatch:GetMetricData'),
  GetMetricStatistics: onStar('cloudwatch:GetMetricStatistics'),
  ListMetrics: onStar('cloudwatch:ListMetrics'),
  ListDashboards: onStar('cloudwatch:ListDashboards'),
  PutDashboard: (input: { DashboardName: string; Tags?: { Key: string; Value: string }[] }, ctx) => [
    { action: 'cloudwatch:PutDashboard', resource: dashboardArn(ctx.accountId, input.DashboardName), context: tagContext(input.Tags) },
  ],
  GetDashboard: (input: { DashboardName: string }, ctx) => [{ action: 'cloudwatch:GetDashboard', resource: dashboardArn(ctx.accountId, input.DashboardName) }],
  DeleteDashboards: (input: { DashboardNames: string[] }, ctx) =>
    input.DashboardNames.map((n) => ({ action: 'cloudwatch:DeleteDashboards', resource: dashboardArn(ctx.accountId, n) })),
  PutMetricAlarm: (input: { AlarmName: string; Tags?: { Key: string; Value: string }[]; AlarmActions?: string[] }, ctx) => [
    {
      action: 'cloudwatch:PutMetricAlarm',
      resource: alarmArn(ctx.region, ctx.accountId, input.AlarmName),
      context: { ...tagContext(input.Tags), ...(input.AlarmActions?.length ? { 'cloudwatch:AlarmActions': input.AlarmActions } : {}) },
    },
  ],
  DescribeAlarms: (_input, ctx) => [{ action: 'cloudwatch:DescribeAlarms', resource: alarmArn(ctx.region, ctx.accountId, '*') }],
  DeleteAlarms: (input: { AlarmNames: string[] }, ctx) => input.AlarmNames.map((n) => ({ action: 'cloudwatch:DeleteAlarms', resource: alarmArn(ctx.region, ctx.accountId, n) })),
  SetAlarmState: (input: { AlarmName: string }, ctx) => [{ action: 'cloudwatch:SetAlarmState', resource: alarmArn(ctx.region, ctx.accountId, input.AlarmName) }],
  DescribeAlarmHistory: (input: { AlarmName?: string }, ctx) => [
    { action: 'cloudwatch:DescribeAlarmHistory', resource: alarmArn(ctx.region, ctx.accountId, input.AlarmName ?? '*') },
  ],
  TagResource: (input: { ResourceARN: string; Tags: { Key: string; Value: string }[] }) => [
    { action: 'cloudwatch:TagResource', resource: input.ResourceARN, context: tagContext(input.Tags) },
  ],
  UntagResource: (input: { ResourceARN: string; TagKeys: string[] }) => [
    { action: 'cloudwatch:UntagResource', resource: input.ResourceARN, context: { 'aws:TagKeys': input.TagKeys } },
  ],
  ListTagsForResource: (input: { ResourceARN: string }) => [{ action: 'cloudwatch:ListTagsForResource', resource: input.ResourceARN }],
} satisfies Record<string, AuthzFn>;

