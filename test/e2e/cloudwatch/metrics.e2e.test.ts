/**
 * CloudWatch metrics with real clients over its three protocols: the JS SDK v3 (awsJson 1.0 by default, and
 * forced to RPC v2 CBOR and awsQuery), boto3 and the AWS CLI (RPC v2 CBOR). Data is written and read back through
 * PutMetricData, GetMetricStatistics, GetMetricData (metric math, SEARCH) and ListMetrics; alarms are evaluated by
 * the service's tick; IAM decides every call (the DataScientist persona may write metrics but not dashboards).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { SmithyRpcV2CborProtocol } from '@smithy/core/cbor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
let server: TestServer;
let scientist: Creds;
let readOnly: Creds;
let admin: Creds;
beforeAll(async () => {
  server = await startTestServer();
  admin = await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
  scientist = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`);
  readOnly = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/ReadOnly`);
});
afterAll(() => server.close());

type Protocol = 'json' | 'cbor' | 'query';
function cw(creds: Creds, protocol: Protocol = 'json'): CloudWatchClient {
  const forced = protocol === 'cbor' ? { protocol: SmithyRpcV2CborProtocol } : protocol === 'query' ? { protocol: AwsQueryProtocol } : {};
  return new CloudWatchClient({ ...clientConfig(server.url, creds), ...forced } as never);
}

const minute = (t: number) => Math.floor(t / 60_000) * 60_000;

describe.each(['json', 'cbor', 'query'] as const)('metrics over %s with the JS SDK', (protocol) => {
  it('stores values, counts and statistic sets and reads them back as statistics and percentiles', async () => {
    const ns = unique('App/');
    const t0 = minute(Date.now()) - 5 * 60_000;
    const dims = [{ Name: 'Host', Value: 'a' }];
    const c = cw(scientist, protocol);
    await c.send(
      new PutMetricDataCommand({
        Namespace: ns,
        MetricData: [
          { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0 + 1000), Values: Array.from({ length: 100 }, (_, i) => i + 1), Unit: 'Milliseconds' },
          { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0 + 61_000), StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 }, Unit: 'Milliseconds' },
          { MetricName: 'Requests', Timestamp: new Date(t0 + 2000), Values: [1, 2], Counts: [3, 4] },
        ],
      }),
    );
    const stats = await c.send(
      new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(t0), EndTime: new Date(t0 + 120_000), Period: 60, Statistics: ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'] }),
    );
    const points = (stats.Datapoints ?? []).sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ Sum: 5050, Average: 50.5, Minimum: 1, Maximum: 100, SampleCount: 100, Unit: 'Milliseconds' });
    expect(points[0]!.Timestamp!.getTime()).toBe(t0);
    expect(points[1]).toMatchObject({ Sum: 40, Average: 10, Minimum: 5, Maximum: 15, SampleCount: 4 });
    const p = await c.send(
      new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 60, ExtendedStatistics: ['p50', 'p90', 'p99'] }),
    );
    const ext = p.Datapoints![0]!.ExtendedStatistics!;
    expect(ext.p50).toBeGreaterThan(49 * 0.98);
    expect(ext.p50).toBeLessThan(51 * 1.02);
    expect(ext.p90).toBeGreaterThan(89);
    expect(ext.p90).toBeLessThan(92);
    expect(ext.p99).toBeGreaterThan(97);
    expect(ext.p99).toBeLessThanOrEqual(100);
    const counted = await c.send(new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Requests', StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 300, Statistics: ['Sum', 'SampleCount'] }));
    expect(counted.Datapoints![0]).toMatchObject({ Sum: 1 * 3 + 2 * 4, SampleCount: 7 });
  });

  it('refuses NaN, old timestamps and mixed Value/Values with AWS codes, writing nothing', async () => {
    const ns = unique('Bad/');
    const c = cw(scientist, protocol);
    const bad = [
      { MetricName: 'ok', Value: 1 },
      { MetricName: 'old', Value: 1, Timestamp: new Date(Date.now() - 15 * 86400_000) },
    ];
    await expect(c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: bad }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'The parameter MetricData.member.2.Timestamp must specify a time no more than two weeks in the past.',
    });
    await expect(c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'x', Value: 1, Values: [2] }] }))).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
    });
    if (protocol !== 'query') {
      await expect(c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'x', Value: NaN }] }))).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message: 'The value NaN for parameter MetricData.member.1.Value is invalid.',
      });
    }
    const listed = await c.send(new ListMetricsCommand({ Namespace: ns }));
    expect(listed.Metrics).toEqual([]);
  });
});

describe('GetMetricData', () => {
  it('computes metric math, SEARCH and METRICS over stored series, pages and scans in order', async () => {
    const ns = unique('Math/');
    const t0 = minute(Date.now()) - 10 * 60_000;
    const c = cw(scientist);
    const data = [];
    for (let i = 0; i < 5; i++) {
      for (const host of ['a', 'b']) data.push({ MetricName: 'Hits', Dimensions: [{ Name: 'Host', Value: host }], Timestamp: new Date(t0 + i * 60_000 + 5000), Value: host === 'a' ? i : 10 * i });
    }
    await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
    const stat = (host: string) => ({ Metric: { Namespace: ns, MetricName: 'Hits', Dimensions: [{ Name: 'Host', Value: host }] }, Period: 60, Stat: 'Sum' });
    const out = await c.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 5 * 60_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { Id: 'a', MetricStat: stat('a'), ReturnData: false },
          { Id: 'b', MetricStat: stat('b'), ReturnData: false },
          { Id: 'total', Expression: 'a + b', Label: 'Total' },
          { Id: 'scaled', Expression: '2 * a - 1' },
          { Id: 'all', Expression: `SUM(SEARCH('{${ns},Host} MetricName="Hits"', 'Sum', 60))` },
          { Id: 'avg', Expression: 'AVG(METRICS())' },
          { Id: 'rate', Expression: 'RATE(b)' },
        ],
      }),
    );
    const byId = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id, r]));
    expect(byId.total).toMatchObject({ Label: 'Total', Values: [0, 11, 22, 33, 44], StatusCode: 'Complete' });
    expect(byId.total!.Timestamps!.map((t: Date) => t.getTime())).toEqual([0, 1, 2, 3, 4].map((i) => t0 + i * 60_000));
    expect(byId.scaled!.Values).toEqual([-1, 1, 3, 5, 7]);
    expect(byId.all!.Values).toEqual([0, 11, 22, 33, 44]);
    expect(byId.avg!.Values).toEqual([0, 5.5, 11, 16.5, 22]);
    expect(byId.rate!.Values).toEqual([10 / 60, 10 / 60, 10 / 60, 10 / 60]);

    const first = await c.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 5 * 60_000), MaxDatapoints: 3, MetricDataQueries: [{ Id: 'a', MetricStat: stat('a') }] }));
    expect(first.MetricDataResults![0]).toMatchObject({ Values: [4, 3, 2], StatusCode: 'PartialData' });
    const second = await c.send(
      new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 5 * 60_000), MaxDatapoints: 3, NextToken: first.NextToken, MetricDataQueries: [{ Id: 'a', MetricStat: stat('a') }] }),
    );
    expect(second.MetricDataResults![0]).toMatchObject({ Values: [1, 0], StatusCode: 'Complete' });
    expect(second.NextToken).toBeUndefined();

    const listed = await c.send(new ListMetricsCommand({ Namespace: ns, Dimensions: [{ Name: 'Host', Value: 'b' }] }));
    expect(listed.Metrics).toEqual([{ Namespace: ns, MetricName: 'Hits', Dimensions: [{ Name: 'Host', Value: 'b' }] }]);
    const recent = await c.send(new ListMetricsCommand({ Namespace: ns, RecentlyActive: 'PT3H' }));
    expect(recent.Metrics).toHaveLength(2);
  });
});

describe('alarms and dashboards', () => {
  it('evaluates an alarm on stored data (INSUFFICIENT_DATA → ALARM → OK) and records its history', async () => {
    const ns = unique('Alarm/');
    const name = unique('high-latency-');
    const c = cw(scientist);
    await c.send(
      new PutMetricAlarmCommand({ AlarmName: name, Namespace: ns, MetricName: 'Latency', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    const describe1 = await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    expect(describe1.MetricAlarms![0]).toMatchObject({ StateValue: 'INSUFFICIENT_DATA', AlarmArn: `arn:aws:cloudwatch:us-east-1:${accounts.dataScience1}:alarm:${name}` });
    const m = minute(Date.now());
    await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [m - 120_000, m - 60_000].map((t) => ({ MetricName: 'Latency', Value: 150, Timestamp: new Date(t + 1000) })) }));
    await server.app.cloudwatch.tick(m + 1000);
    const alarmed = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    expect(alarmed.StateValue).toBe('ALARM');
    const at = (t: number) => new Date(t).toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d).*$/, '$3/$2/$1 $4');
    expect(alarmed.StateReason).toBe(
      `Threshold Crossed: 2 out of the last 2 datapoints [150.0 (${at(m - 60_000)}), 150.0 (${at(m - 120_000)})] were greater than the threshold (100.0) (minimum 2 datapoints for OK -> ALARM transition).`,
    );
    await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'Latency', Value: 10, Timestamp: new Date(m + 1000) }] }));
    await server.app.cloudwatch.tick(m + 61_000);
    expect((await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!.StateValue).toBe('OK');
    // DescribeAlarmHistory and SetAlarmState are not in AmazonSageMakerFullAccess: the ReadOnly persona reads history.
    const history = await cw(readOnly).send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate' }));
    expect(history.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual(['Alarm updated from ALARM to OK', 'Alarm updated from INSUFFICIENT_DATA to ALARM']);
    await expect(c.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'test' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await c.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    await expect(c.send(new DeleteAlarmsCommand({ AlarmNames: [name] }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('validates dashboard bodies as AWS does and stores, lists, tags and deletes dashboards', async () => {
    const adminClient = cw(admin);
    const name = unique('ops-');
    await expect(adminClient.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: 'not json' }))).rejects.toMatchObject({
      name: 'DashboardInvalidInputError',
      message: 'The field DashboardBody must be a valid JSON object',
    });
    const missing = await adminClient.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: '{"widgets":[{"type":"chart"}]}' })).catch((e: unknown) => e as Record<string, unknown>);
    expect(missing).toMatchObject({ name: 'DashboardInvalidInputError', dashboardValidationMessages: [{ DataPath: '/widgets/0/type' }] });
    const body = JSON.stringify({ widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 3, properties: { markdown: '# hi' } }] });
    expect(await adminClient.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body }))).toMatchObject({ DashboardValidationMessages: [] });
    const got = await adminClient.send(new GetDashboardCommand({ DashboardName: name }));
    expect(got).toMatchObject({ DashboardName: name, DashboardBody: body, DashboardArn: `arn:aws:cloudwatch::${accounts.management}:dashboard/${name}` });
    const list = await adminClient.send(new ListDashboardsCommand({ DashboardNamePrefix: name }));
    expect(list.DashboardEntries).toEqual([expect.objectContaining({ DashboardName: name, Size: body.length })]);
    await adminClient.send(new TagResourceCommand({ ResourceARN: got.DashboardArn, Tags: [{ Key: 'team', Value: 'ops' }] }));
    expect((await adminClient.send(new ListTagsForResourceCommand({ ResourceARN: got.DashboardArn }))).Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
    await adminClient.send(new DeleteDashboardsCommand({ DashboardNames: [name] }));
    await expect(adminClient.send(new GetDashboardCommand({ DashboardName: name }))).rejects.toMatchObject({ name: 'ResourceNotFound', message: `Dashboard ${name} does not exist` });
  });

  it("denies what the personas' policies do not allow", async () => {
    await expect(cw(scientist).send(new PutDashboardCommand({ DashboardName: 'x', DashboardBody: '{"widgets":[]}' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(cw(readOnly, 'cbor').send(new PutMetricDataCommand({ Namespace: 'Ro', MetricData: [{ MetricName: 'x', Value: 1 }] }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(cw(readOnly, 'query').send(new PutMetricDataCommand({ Namespace: 'Ro', MetricData: [{ MetricName: 'x', Value: 1 }] }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe.skipIf(!hasBoto3)('boto3 (RPC v2 CBOR)', () => {
  it('puts and reads metrics, and sees AWS errors', async () => {
    const r = await run(python, [join(here, 'boto3_metrics.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: scientist.accessKeyId,
      MLZONE_SECRET: scientist.secretAccessKey,
      MLZONE_TOKEN: scientist.sessionToken!,
      MLZONE_NS: unique('Boto/'),
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    expect(out.protocol).toBe('smithy-rpc-v2-cbor');
    expect(out.stats).toMatchObject({ Sum: 6, SampleCount: 3, Maximum: 3 });
    expect(out.data).toEqual([6]);
    expect(out.metrics).toEqual([{ Namespace: out.ns, MetricName: 'Boto', Dimensions: [{ Name: 'Kind', Value: 'py' }] }]);
    expect(out.error).toEqual({ Code: 'InvalidParameterValue', Message: 'The value AWS/Mine for parameter Namespace is invalid.' });
  });
});

describe.skipIf(!hasCommand('aws'))('AWS CLI (RPC v2 CBOR)', () => {
  it('put-metric-data and get-metric-statistics', async () => {
    const cli = cliProfiles(server, 'ds1-scientist');
    try {
      const ns = unique('Cli/');
      const put = await run('aws', ['cloudwatch', 'put-metric-data', '--namespace', ns, '--metric-name', 'Jobs', '--value', '7', '--unit', 'Count', '--endpoint-url', server.url, '--region', 'us-east-1'], cli.env);
      expect(put.code, put.stderr).toBe(0);
      const now = Date.now();
      const get = await run(
        'aws',
        ['cloudwatch', 'get-metric-statistics', '--namespace', ns, '--metric-name', 'Jobs', '--statistics', 'Sum', '--period', '60', '--start-time', new Date(now - 600_000).toISOString(), '--end-time', new Date(now + 60_000).toISOString(), '--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json'],
        cli.env,
      );
      expect(get.code, get.stderr).toBe(0);
      expect(JSON.parse(get.stdout)).toMatchObject({ Label: 'Jobs', Datapoints: [{ Sum: 7, Unit: 'Count' }] });
    } finally {
      cli.remove();
    }
  });
});
