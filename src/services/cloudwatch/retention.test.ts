/**
 * CloudWatch's retention through the service with an injected clock: second data 3 hours, minute data 15 days then
 * 5-minute roll-ups for 63 days, then hourly roll-ups for 455 days; ListMetrics shows two weeks of metrics; alarm
 * history two weeks. On SQLite, and on PostgreSQL too when MLZONE_TEST_PG is set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import { rootArn } from '../../core/principal.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
import { testBackends } from '../../persistence/test-backends.js';
import { createCloudWatchService, type CloudWatchService } from './index.js';

const ACCOUNT = '777777777777';
const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
let now = T0;
const clock = { now: () => now };

function ctx(): RequestContext {
  return {
    requestId: 'r', service: 'cloudwatch', operation: 'x', region: 'us-east-1', accountId: ACCOUNT, sourceIp: '127.0.0.1', userAgent: 'vitest', now, secureTransport: false,
    principal: { type: 'Root', accountId: ACCOUNT, arn: rootArn(ACCOUNT), userId: ACCOUNT } as RequestContext['principal'],
  };
}

const backends = testBackends();

for (const backend of backends) {
  describe(`CloudWatch retention (${backend.name})`, () => {
    let db: Database;
    let cw: CloudWatchService;
    const call = (op: string, input: unknown) => cw.definition.handlers[op]!(input, ctx()) as Promise<any>;
    const put = (t: number, value: number, extra: Record<string, unknown> = {}) =>
      call('PutMetricData', { Namespace: 'App', MetricData: [{ MetricName: 'Latency', Timestamp: new Date(t), Value: value, ...extra }] });
    const stats = async (start: number, end: number, period: number) =>
      ((await call('GetMetricStatistics', { Namespace: 'App', MetricName: 'Latency', StartTime: new Date(start), EndTime: new Date(end), Period: period, Statistics: ['Sum', 'SampleCount', 'Minimum', 'Maximum'] })).Datapoints as any[])
        .map((d) => ({ t: (d.Timestamp as Date).getTime() - start, sum: d.Sum, n: d.SampleCount, min: d.Minimum, max: d.Maximum }))
        .sort((a, b) => a.t - b.t);
    const rows = async (res: number) => Number(((await db.kysely.selectFrom('cloudwatch_buckets').select((e) => e.fn.countAll().as('n')).where('res', '=', res).executeTakeFirst()) as any).n);

    beforeEach(async () => {
      now = T0;
      db = backend.open();
      cw = createCloudWatchService({ db, clock });
      await runMigrations(db, cw.migrations);
    });
    afterEach(async () => {
      await cw.stop();
      await backend.dispose(db);
    });

    it('keeps second data 3 hours and minute data 15 days, then serves it as 5-minute roll-ups with the same statistics', async () => {
      const base = T0 + 10 * MIN; // 00:10, a 5-minute boundary
      for (let i = 0; i < 5; i++) await put(base + i * MIN + 1000, i + 1, { StorageResolution: 1 });
      expect(await rows(1)).toBe(5);
      expect(await rows(60)).toBe(5);

      now = base + 3 * HOUR + 10 * MIN;
      await cw.tick();
      expect(await rows(1)).toBe(0); // high-resolution data went after three hours
      expect(await stats(base, base + 5 * MIN, 1)).toEqual([]);
      expect(await stats(base, base + 5 * MIN, 60)).toHaveLength(5);

      now = base + 15 * DAY + 10 * MIN;
      await cw.tick();
      expect(await rows(60)).toBe(0);
      expect(await rows(300)).toBe(1);
      // One 5-minute datapoint with the same sum, count, min and max; at a 1-minute period it is one point too.
      expect(await stats(base, base + 5 * MIN, 300)).toEqual([{ t: 0, sum: 15, n: 5, min: 1, max: 5 }]);
      expect(await stats(base, base + 5 * MIN, 60)).toEqual([{ t: 0, sum: 15, n: 5, min: 1, max: 5 }]);
      // p50 survives the roll-up (the histogram is merged, not averaged).
      const p = await call('GetMetricStatistics', { Namespace: 'App', MetricName: 'Latency', StartTime: new Date(base), EndTime: new Date(base + 5 * MIN), Period: 300, ExtendedStatistics: ['p50'] });
      expect(p.Datapoints[0].ExtendedStatistics.p50).toBeCloseTo(3, 1);
    });

    it('rolls 5-minute data into hours after 63 days and drops it after 455 days, the metric with it', async () => {
      const base = T0 + 2 * HOUR;
      now = base + HOUR;
      for (let i = 0; i < 12; i++) await put(base + i * 5 * MIN, 10);
      now = base + 16 * DAY;
      await cw.tick();
      expect(await rows(300)).toBe(12);
      now = base + 64 * DAY;
      await cw.tick();
      expect(await rows(300)).toBe(0);
      expect(await rows(3600)).toBe(1);
      expect(await stats(base, base + HOUR, 3600)).toEqual([{ t: 0, sum: 120, n: 12, min: 10, max: 10 }]);
      // GetMetricData still finds the metric (its row stays while it can have data) though ListMetrics no longer lists it.
      expect((await call('ListMetrics', { Namespace: 'App' })).Metrics).toEqual([]);
      const gmd = await call('GetMetricData', {
        StartTime: new Date(base), EndTime: new Date(base + HOUR),
        MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Latency' }, Period: 3600, Stat: 'Sum' } }],
      });
      expect(gmd.MetricDataResults[0].Values).toEqual([120]);
      now = base + 456 * DAY;
      await cw.tick();
      expect(await rows(3600)).toBe(0);
      expect(await db.kysely.selectFrom('cloudwatch_metrics').selectAll().execute()).toEqual([]);
    });

    it('rolls up more rows than one chunk, and merges a slot rolled up in two passes', async () => {
      // 2,500 metrics × one minute each: more than the 2,000 rows moved per transaction.
      const data = Array.from({ length: 1000 }, (_, i) => ({ MetricName: 'Bulk', Dimensions: [{ Name: 'N', Value: String(i) }], Timestamp: new Date(T0 + MIN), Value: 1 }));
      for (let k = 0; k < 3; k++) await call('PutMetricData', { Namespace: 'App', MetricData: data.map((d) => ({ ...d, Dimensions: [{ Name: 'N', Value: `${k}-${d.Dimensions[0]!.Value}` }] })) });
      // Two minutes of one 5-minute slot, expired on two different ticks.
      await put(T0 + 5 * MIN, 1);
      await put(T0 + 8 * MIN, 2);
      now = T0 + 15 * DAY + 6 * MIN;
      await cw.tick();
      expect(await rows(60)).toBe(1);
      expect(await rows(300)).toBe(3001);
      now = T0 + 15 * DAY + 9 * MIN;
      await cw.tick();
      expect(await rows(60)).toBe(0);
      expect(await stats(T0 + 5 * MIN, T0 + 10 * MIN, 300)).toEqual([{ t: 0, sum: 3, n: 2, min: 1, max: 2 }]);
    });

    it('lists a metric for two weeks after its last datapoint', async () => {
      await put(T0, 1);
      now = T0 + 13 * DAY;
      expect((await call('ListMetrics', {})).Metrics).toHaveLength(1);
      now = T0 + 14 * DAY + MIN;
      expect((await call('ListMetrics', {})).Metrics).toHaveLength(0);
      expect((await call('GetMetricData', { StartTime: new Date(T0 - HOUR), EndTime: new Date(now), MetricDataQueries: [{ Id: 's', Expression: "SEARCH('{App} Latency', 'Sum', 60)" }] })).MetricDataResults).toEqual([]);
    });

    it('keeps alarm history two weeks', async () => {
      await call('PutMetricAlarm', { AlarmName: 'a', Namespace: 'App', MetricName: 'Latency', Period: 60, Statistic: 'Sum', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1 });
      await call('SetAlarmState', { AlarmName: 'a', StateValue: 'ALARM', StateReason: 'test' });
      const history = async () => (await call('DescribeAlarmHistory', { StartDate: new Date(0), EndDate: new Date(now + DAY) })).AlarmHistoryItems as unknown[];
      const before = (await history()).length;
      expect(before).toBeGreaterThan(0);
      now = T0 + 15 * DAY;
      await cw.tick();
      // The tick's own evaluation may add a fresh item; none of the old ones is left.
      expect((await history()).every((h: any) => (h.Timestamp as Date).getTime() >= T0 + 14 * DAY)).toBe(true);
    });
  });
}
