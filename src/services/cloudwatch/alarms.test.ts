/**
 * Alarms evaluated by the service's tick on stored data, with an injected clock: the newest EvaluationPeriods
 * complete periods, DatapointsToAlarm, each TreatMissingData on an alarm with no data, and the state's history.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import { rootArn } from '../../core/principal.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import { createCloudWatchService, type CloudWatchService } from './index.js';

const ACCOUNT = '777777777777';
const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
let now = T0;
const clock = { now: () => now };
const ctx = (): RequestContext => ({
  requestId: 'r', service: 'cloudwatch', operation: 'x', region: 'us-east-1', accountId: ACCOUNT, sourceIp: '127.0.0.1', userAgent: 'vitest', now, secureTransport: false,
  principal: { type: 'Root', accountId: ACCOUNT, arn: rootArn(ACCOUNT), userId: ACCOUNT } as RequestContext['principal'],
});

describe('alarm evaluation on stored data', () => {
  let db: Database;
  let cw: CloudWatchService;
  const call = (op: string, input: unknown) => cw.definition.handlers[op]!(input, ctx()) as Promise<any>;
  const put = (minutesAgo: number, value: number) =>
    call('PutMetricData', { Namespace: 'Prod', MetricData: [{ MetricName: 'Errors5xx', Timestamp: new Date(T0 - minutesAgo * MIN + 1000), Value: value }] });
  const alarm = (name: string, extra: Record<string, unknown> = {}) =>
    call('PutMetricAlarm', { AlarmName: name, Namespace: 'Prod', MetricName: 'Errors5xx', Period: 60, Statistic: 'Sum', EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, ...extra });
  const state = async (name: string) => (await call('DescribeAlarms', { AlarmNames: [name] })).MetricAlarms[0];

  beforeEach(async () => {
    now = T0 + 10_000;
    db = openSqlite({ file: ':memory:' });
    cw = createCloudWatchService({ db, clock });
    await runMigrations(db, cw.migrations);
  });
  afterEach(async () => {
    await cw.stop();
    await db.close();
  });

  it('alarms on 2 of the 3 newest complete periods, with the datapoints in StateReasonData, and returns to OK', async () => {
    await put(3, 6);
    await put(1, 9);
    await put(0, 100); // the current minute is not complete: not evaluated
    await alarm('two-of-three', { DatapointsToAlarm: 2 });
    expect((await state('two-of-three')).StateValue).toBe('INSUFFICIENT_DATA');
    await cw.tick();
    const a = await state('two-of-three');
    expect(a.StateValue).toBe('ALARM');
    expect(a.StateReason).toBe('Threshold Crossed: 2 out of the last 3 datapoints [9.0 (01/03/26 11:59:00), 6.0 (01/03/26 11:57:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).');
    const data = JSON.parse(a.StateReasonData);
    expect(data.evaluatedDatapoints).toEqual([
      { timestamp: new Date(T0 - 3 * MIN).toISOString(), value: 6 },
      { timestamp: new Date(T0 - 2 * MIN).toISOString() },
      { timestamp: new Date(T0 - MIN).toISOString(), value: 9 },
    ]);
    // Three minutes later the window holds the 100 and two empty minutes: one breach is not enough.
    now = T0 + 3 * MIN + 10_000;
    await cw.tick();
    expect((await state('two-of-three')).StateValue).toBe('OK');
    const history = (await call('DescribeAlarmHistory', { AlarmName: 'two-of-three' })).AlarmHistoryItems.map((h: any) => h.HistorySummary);
    expect(history).toEqual(['Alarm updated from ALARM to OK', 'Alarm updated from INSUFFICIENT_DATA to ALARM', 'Alarm "two-of-three" created']);
  });

  it('needs all three periods by default (DatapointsToAlarm = EvaluationPeriods)', async () => {
    await put(3, 6);
    await put(2, 6);
    await put(1, 4);
    await alarm('all-three');
    await cw.tick();
    expect((await state('all-three')).StateValue).toBe('OK');
  });

  it('with no data at all: missing → INSUFFICIENT_DATA, breaching → ALARM, notBreaching → OK, ignore keeps the state', async () => {
    await alarm('m', { TreatMissingData: 'missing' });
    await alarm('b', { TreatMissingData: 'breaching' });
    await alarm('n', { TreatMissingData: 'notBreaching' });
    await alarm('i', { TreatMissingData: 'ignore' });
    await call('SetAlarmState', { AlarmName: 'i', StateValue: 'ALARM', StateReason: 'set by hand' });
    await call('SetAlarmState', { AlarmName: 'm', StateValue: 'OK', StateReason: 'set by hand' });
    await cw.tick();
    expect(Object.fromEntries(await Promise.all(['m', 'b', 'n', 'i'].map(async (n) => [n, (await state(n)).StateValue])))).toEqual({ m: 'INSUFFICIENT_DATA', b: 'ALARM', n: 'OK', i: 'ALARM' });
    expect((await state('i')).StateReason).toBe('set by hand');
  });
});
