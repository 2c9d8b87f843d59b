/**
 * Metric alarms: PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState, DescribeAlarmHistory, and the
 * evaluator that a timer runs (`evaluateAll`). An alarm is evaluated through GetMetricData over its account's
 * visible metrics (its own metric, or its `Metrics` queries, which may name linked source accounts).
 */
import type { Handlers } from '../../../core/service.js';
import type { CloudWatchOperations, MetricAlarm, MetricDataQuery, PutMetricAlarmInput } from '../api.gen.js';
import { CloudWatchErrors } from '../api.gen.js';
import { evaluateAlarm, type StateValue } from '../domain/alarm-state.js';
import { isKnownStatistic } from '../domain/sketch.js';
import { decodeToken, encodeToken, type HandlerDeps } from './deps.js';
import { getMetricData } from './metrics.js';

/** An alarm as stored: the MetricAlarm members, times in epoch ms. */
type StoredAlarm = Omit<MetricAlarm, 'AlarmConfigurationUpdatedTimestamp' | 'StateUpdatedTimestamp' | 'StateTransitionedTimestamp'> & {
  AlarmConfigurationUpdatedTimestamp: number;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
};

export function alarmArn(region: string, account: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}

const invalid = CloudWatchErrors.InvalidParameterValueException;
const combination = CloudWatchErrors.InvalidParameterCombinationException;
const COMPARISONS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];

function validateAlarm(input: PutMetricAlarmInput): void {
  const single = input.MetricName !== undefined || input.Namespace !== undefined;
  if (single && input.Metrics !== undefined) throw combination('The parameters MetricName and Metrics are mutually exclusive and you have specified both.');
  if (!single && input.Metrics === undefined) throw CloudWatchErrors.MissingRequiredParameterException('Either MetricName and Namespace or Metrics must be specified.');
  if (single) {
    if (input.MetricName === undefined) throw CloudWatchErrors.MissingRequiredParameterException('The parameter MetricName is required.');
    if (input.Namespace === undefined) throw CloudWatchErrors.MissingRequiredParameterException('The parameter Namespace is required.');
    if (input.Period === undefined) throw CloudWatchErrors.MissingRequiredParameterException('The parameter Period is required.');
    if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
      throw combination('Exactly one of Statistic and ExtendedStatistic must be specified.');
    }
    if (input.ExtendedStatistic !== undefined && !isKnownStatistic(input.ExtendedStatistic)) {
      throw invalid(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is invalid.`);
    }
    if (input.Period >= 60 ? input.Period % 60 !== 0 : ![10, 20, 30].includes(input.Period)) {
      throw invalid('Period must be 10, 20, 30 or a multiple of 60.');
    }
  } else if (!input.Metrics!.some((m) => m.ReturnData !== false) || input.Metrics!.filter((m) => m.ReturnData !== false).length > 1) {
    throw invalid('Exactly one element of the metrics list should return data.');
  }
  if (input.EvaluationPeriods === undefined) throw CloudWatchErrors.MissingRequiredParameterException('The parameter EvaluationPeriods is required.');
  if (input.EvaluationPeriods < 1) throw invalid('The value for parameter EvaluationPeriods must be at least 1.');
  if (input.ComparisonOperator === undefined || !COMPARISONS.includes(input.ComparisonOperator)) {
    throw CloudWatchErrors.MissingRequiredParameterException('The parameter ComparisonOperator is required (GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold).');
  }
  if (input.Threshold === undefined) throw CloudWatchErrors.MissingRequiredParameterException('The parameter Threshold is required.');
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
    throw invalid('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  }
  const period = input.Period ?? input.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? input.Metrics?.find((m) => m.Period)?.Period ?? 60;
  if (period * input.EvaluationPeriods > 7 * 86400) throw invalid('The evaluation interval (Period * EvaluationPeriods) must not exceed one week.');
  if (input.TreatMissingData !== undefined && !['breaching', 'notBreaching', 'ignore', 'missing'].includes(input.TreatMissingData)) {
    throw invalid(`The value ${input.TreatMissingData} for parameter TreatMissingData is invalid.`);
  }
}

function wireAlarm(a: StoredAlarm): MetricAlarm {
  return {
    ...a,
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp) as never,
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp) as never,
    StateTransitionedTimestamp: new Date(a.StateTransitionedTimestamp) as never,
  };
}

/** The alarm's queries: its own `Metrics`, or one MetricStat query for a single-metric alarm. */
function alarmQueries(a: StoredAlarm): MetricDataQuery[] {
  if (a.Metrics?.length) return a.Metrics;
  const stat = a.Statistic ?? a.ExtendedStatistic!;
  return [{ Id: 'm1', MetricStat: { Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions }, Period: a.Period!, Stat: stat, ...(a.Unit ? { Unit: a.Unit } : {}) }, ReturnData: true }];
}

function alarmPeriod(a: StoredAlarm): number {
  return a.Period ?? a.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? a.Metrics?.find((m) => m.Period)?.Period ?? 60;
}

export function createAlarms(deps: HandlerDeps) {
  async function history(account: string, region: string, a: StoredAlarm, ts: number, type: string, summary: string, data: unknown): Promise<void> {
    await deps.store.addHistory(account, region, a.AlarmName!, ts, {
      AlarmName: a.AlarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: ts,
      HistoryItemType: type,
      HistorySummary: summary,
      HistoryData: JSON.stringify(data),
    });
  }

  async function setState(account: string, region: string, a: StoredAlarm, state: StateValue, reason: string, reasonData: string | undefined, now: number): Promise<void> {
    const old = a.StateValue as StateValue;
    const updated: StoredAlarm = {
      ...a,
      StateValue: state,
      StateReason: reason,
      ...(reasonData !== undefined ? { StateReasonData: reasonData } : {}),
      StateUpdatedTimestamp: now,
      StateTransitionedTimestamp: old === state ? a.StateTransitionedTimestamp : now,
    };
    await deps.store.putAlarm(account, region, a.AlarmName!, updated);
    if (old !== state) {
      await history(account, region, a, now, 'StateUpdate', `Alarm updated from ${old} to ${state}`, {
        version: '1.0',
        oldState: { stateValue: old, stateReason: a.StateReason },
        newState: { stateValue: state, stateReason: reason, ...(reasonData ? { stateReasonData: JSON.parse(reasonData) } : {}) },
      });
    }
  }

  /** Evaluates one alarm on the data stored up to `now` (periods that have ended). */
  async function evaluate(account: string, region: string, a: StoredAlarm, now: number): Promise<void> {
    const period = alarmPeriod(a) * 1000;
    const n = a.EvaluationPeriods ?? 1;
    const end = Math.floor(now / period) * period;
    const start = end - n * period;
    const out = await getMetricData(
      deps,
      { MetricDataQueries: alarmQueries(a), StartTime: new Date(start) as never, EndTime: new Date(end) as never, ScanBy: 'TimestampAscending' },
      { accountId: account, region },
    );
    const result = out.MetricDataResults[0];
    const byTime = new Map<number, number>();
    (result?.Timestamps as unknown as Date[] | undefined)?.forEach((t, i) => byTime.set(t.getTime(), result!.Values![i]!));
    const values: (number | undefined)[] = [];
    const at: number[] = [];
    for (let t = start; t < end; t += period) {
      values.push(byTime.get(t));
      at.push(t);
    }
    const e = evaluateAlarm(
      {
        threshold: a.Threshold!,
        comparison: a.ComparisonOperator!,
        evaluationPeriods: n,
        datapointsToAlarm: a.DatapointsToAlarm ?? n,
        treatMissingData: a.TreatMissingData ?? 'missing',
      },
      values,
      a.StateValue as StateValue,
      at,
    );
    if (e.state === a.StateValue) return;
    const data = {
      version: '1.0',
      queryDate: new Date(now).toISOString(),
      startDate: new Date(start).toISOString(),
      period: period / 1000,
      recentDatapoints: values.filter((v) => v !== undefined),
      threshold: a.Threshold,
      evaluatedDatapoints: values.map((v, i) => ({ timestamp: new Date(start + i * period).toISOString(), ...(v !== undefined ? { value: v } : {}) })),
    };
    await setState(account, region, a, e.state, e.reason, JSON.stringify(data), now);
  }

  async function evaluateAll(now: number): Promise<void> {
    for (const { account, region, alarm } of await deps.store.alarms()) {
      try {
        await evaluate(account, region, alarm as StoredAlarm, now);
      } catch (e) {
        // An alarm whose queries no longer evaluate keeps its state; the next tick tries again.
        deps.log?.(`cloudwatch: alarm ${String(alarm.AlarmName)} of ${account} not evaluated`, e);
      }
    }
  }

  const handlers: Handlers<CloudWatchOperations> = {
    PutMetricAlarm: async (input, ctx) => {
      validateAlarm(input);
      const existing = (await deps.store.alarms(ctx.accountId, ctx.region)).find((x) => x.alarm.AlarmName === input.AlarmName)?.alarm as StoredAlarm | undefined;
      const { Tags, ...config } = input;
      const alarm: StoredAlarm = {
        ...config,
        AlarmArn: alarmArn(ctx.region, ctx.accountId, input.AlarmName),
        ActionsEnabled: input.ActionsEnabled ?? true,
        OKActions: input.OKActions ?? [],
        AlarmActions: input.AlarmActions ?? [],
        InsufficientDataActions: input.InsufficientDataActions ?? [],
        Dimensions: input.Dimensions ?? (input.Metrics ? undefined : []),
        StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
        StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? ctx.now,
        StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? ctx.now,
        AlarmConfigurationUpdatedTimestamp: ctx.now,
      };
      await deps.store.putAlarm(ctx.accountId, ctx.region, input.AlarmName, alarm);
      if (Tags?.length) await deps.store.tag(alarm.AlarmArn!, Tags);
      await history(ctx.accountId, ctx.region, alarm, ctx.now, 'ConfigurationUpdate', `Alarm "${input.AlarmName}" ${existing ? 'updated' : 'created'}`, {
        version: '1.0',
        type: existing ? 'Update' : 'Create',
        createdAlarm: { alarmName: input.AlarmName, threshold: input.Threshold, comparisonOperator: input.ComparisonOperator },
      });
      return {};
    },
    DescribeAlarms: async (input, ctx) => {
      let all = (await deps.store.alarms(ctx.accountId, ctx.region)).map((x) => x.alarm as StoredAlarm);
      if (input.AlarmNames?.length) all = all.filter((a) => input.AlarmNames!.includes(a.AlarmName!));
      if (input.AlarmNamePrefix !== undefined) all = all.filter((a) => a.AlarmName!.startsWith(input.AlarmNamePrefix!));
      if (input.StateValue !== undefined) all = all.filter((a) => a.StateValue === input.StateValue);
      if (input.ActionPrefix !== undefined) all = all.filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) => x.startsWith(input.ActionPrefix!)));
      const wantMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
      if (!wantMetric) all = [];
      const fp = JSON.stringify([input.AlarmNames, input.AlarmNamePrefix, input.StateValue, input.ActionPrefix, input.AlarmTypes]);
      const offset = decodeToken(input.NextToken, fp);
      const size = input.MaxRecords ?? 50;
      const page = all.slice(offset, offset + size);
      return {
        MetricAlarms: page.map(wireAlarm),
        CompositeAlarms: [],
        ...(offset + size < all.length ? { NextToken: encodeToken(offset + size, fp) } : {}),
      };
    },
    DeleteAlarms: async (input, ctx) => {
      const names = new Set((await deps.store.alarms(ctx.accountId, ctx.region)).map((x) => x.alarm.AlarmName as string));
      const missing = input.AlarmNames.filter((n) => !names.has(n));
      if (missing.length) throw CloudWatchErrors.ResourceNotFound(`The following alarms were not found: ${missing.join(', ')}`);
      await deps.store.deleteAlarms(ctx.accountId, ctx.region, input.AlarmNames);
      for (const n of input.AlarmNames) await deps.store.untag(alarmArn(ctx.region, ctx.accountId, n), (await deps.store.tags(alarmArn(ctx.region, ctx.accountId, n))).map((t) => t.Key));
      return {};
    },
    SetAlarmState: async (input, ctx) => {
      const a = (await deps.store.alarms(ctx.accountId, ctx.region)).find((x) => x.alarm.AlarmName === input.AlarmName)?.alarm as StoredAlarm | undefined;
      if (!a) throw CloudWatchErrors.ResourceNotFound(`Alarm ${input.AlarmName} not found`);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw CloudWatchErrors.InvalidFormatFault('The value for parameter StateReasonData must be valid JSON.');
        }
      }
      await setState(ctx.accountId, ctx.region, a, input.StateValue as StateValue, input.StateReason, input.StateReasonData, ctx.now);
      return {};
    },
    DescribeAlarmHistory: async (input, ctx) => {
      const start = input.StartDate ? (input.StartDate as unknown as Date).getTime() : 0;
      const end = input.EndDate ? (input.EndDate as unknown as Date).getTime() : Number.MAX_SAFE_INTEGER;
      let items = await deps.store.history(ctx.accountId, ctx.region, input.AlarmName, start, end);
      if (input.HistoryItemType !== undefined) items = items.filter((i) => i.HistoryItemType === input.HistoryItemType);
      if (input.AlarmTypes?.length && !input.AlarmTypes.includes('MetricAlarm')) items = [];
      if (input.ScanBy === 'TimestampAscending') items.reverse();
      const fp = JSON.stringify([input.AlarmName, input.HistoryItemType, start, end, input.ScanBy]);
      const offset = decodeToken(input.NextToken, fp);
      const size = input.MaxRecords ?? 100;
      const page = items.slice(offset, offset + size);
      return {
        AlarmHistoryItems: page.map((i) => ({ ...i, Timestamp: new Date(i.Timestamp) })),
        ...(offset + size < items.length ? { NextToken: encodeToken(offset + size, fp) } : {}),
      };
    },
  };
  return { handlers, evaluateAll };
}
