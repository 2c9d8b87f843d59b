/**
 * Reads stored buckets back as period aggregates: second buckets for periods under a minute (high-resolution
 * data), otherwise minute buckets and the 5-minute and hourly roll-ups of older data (each time slot is in one
 * tier only, so merging them counts nothing twice; old data has only its roll-up's resolution, as on AWS).
 * Periods are aligned to multiples of the period since the epoch.
 */
import type { Series } from './domain/math.js';
import type { Bucket } from './domain/sketch.js';
import { mergeInto, statistic } from './domain/sketch.js';
import type { MetricStore, Resolution, StoredMetric } from './store.js';

export interface PeriodAggregate {
  readonly t: number;
  readonly unit: string;
  readonly bucket: Bucket;
}

/** The metric's data in [start, end) aggregated per `periodSec`, oldest first; `unit` keeps only that unit's data. */
export async function periodAggregates(
  store: MetricStore,
  metricId: string,
  periodSec: number,
  start: number,
  end: number,
  unit?: string,
): Promise<PeriodAggregate[]> {
  const periodMs = periodSec * 1000;
  const res: Resolution[] = periodSec < 60 ? [1] : [60, 300, 3600];
  const rows = await store.buckets(metricId, res, Math.floor(start / periodMs) * periodMs, end);
  const byPeriod = new Map<number, PeriodAggregate>();
  for (const r of rows) {
    if (unit !== undefined && r.unit !== unit) continue;
    const t = Math.floor(r.t / periodMs) * periodMs;
    if (t < Math.floor(start / periodMs) * periodMs) continue;
    const agg = byPeriod.get(t);
    // The row's bucket was just read for this call: the first one of a period becomes the aggregate itself.
    if (!agg) byPeriod.set(t, { t, unit: r.unit, bucket: r.bucket });
    else mergeInto(agg.bucket, r.bucket);
  }
  return [...byPeriod.values()].sort((a, b) => a.t - b.t);
}

export async function statSeries(
  store: MetricStore,
  metric: StoredMetric,
  stat: string,
  periodSec: number,
  start: number,
  end: number,
  label: string,
  unit?: string,
  callerAccount?: string,
): Promise<Series> {
  const points = new Map<number, number>();
  for (const a of await periodAggregates(store, metric.id, periodSec, start, end, unit)) {
    const v = statistic(a.bucket, stat);
    if (v !== undefined) points.set(a.t, v);
  }
  return { label, points, ...(callerAccount !== undefined && metric.account !== callerAccount ? { accountId: metric.account } : {}) };
}
