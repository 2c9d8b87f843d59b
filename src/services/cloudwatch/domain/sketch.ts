/**
 * One aggregation bucket of a metric (a minute, or a second for high-resolution data): count, sum, min, max and
 * a bounded log-histogram for percentiles. Bins are powers of 1.02 (each bin spans 2%, so a percentile is within
 * 1% of the true value, as CloudWatch's own percentiles are approximations); a bucket holds at most a few
 * hundred bins whatever the number of values, so storage and query time do not grow with the point count.
 */
export interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** bin index → count; `z` for zero, `n<i>` negative bins, `<i>` positive bins. */
  bins: Record<string, number>;
}

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

function binOf(v: number): string {
  if (v === 0) return 'z';
  const i = Math.ceil(Math.log(Math.abs(v)) / LOG_GAMMA);
  return v < 0 ? `n${i}` : String(i);
}

/** A representative value of a bin: the geometric middle of its bounds. */
function binValue(key: string): number {
  if (key === 'z') return 0;
  const neg = key.startsWith('n');
  const i = Number(neg ? key.slice(1) : key);
  const v = (2 * GAMMA ** i) / (GAMMA + 1);
  return neg ? -v : v;
}

export function emptyBucket(): Bucket {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, bins: {} };
}

/** Adds `v` seen `n` times. */
export function addValue(b: Bucket, v: number, n = 1): void {
  if (n <= 0) return;
  b.count += n;
  b.sum += v * n;
  if (v < b.min) b.min = v;
  if (v > b.max) b.max = v;
  const k = binOf(v);
  b.bins[k] = (b.bins[k] ?? 0) + n;
}

/**
 * Adds a statistic set: count, sum, min and max are exact; for percentiles the set's values are unknown, so its
 * samples go to the bin of its average (AWS computes no percentiles for statistic sets unless it can).
 */
export function addStatisticSet(b: Bucket, s: { sampleCount: number; sum: number; minimum: number; maximum: number }): void {
  if (s.sampleCount <= 0) return;
  b.count += s.sampleCount;
  b.sum += s.sum;
  b.min = Math.min(b.min, s.minimum);
  b.max = Math.max(b.max, s.maximum);
  const k = binOf(s.sum / s.sampleCount);
  b.bins[k] = (b.bins[k] ?? 0) + s.sampleCount;
}

export function mergeInto(into: Bucket, from: Bucket): void {
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  for (const k in from.bins) into.bins[k] = (into.bins[k] ?? 0) + from.bins[k]!;
}

/** The p-th percentile (0..100), clamped to the exact min and max. */
export function percentile(b: Bucket, p: number): number | undefined {
  if (b.count === 0) return undefined;
  if (p <= 0) return b.min;
  if (p >= 100) return b.max;
  const sorted = Object.entries(b.bins)
    .map(([k, c]) => [binValue(k), c] as const)
    .sort((x, y) => x[0] - y[0]);
  const rank = (p / 100) * b.count;
  let seen = 0;
  for (const [v, c] of sorted) {
    seen += c;
    if (seen >= rank) return Math.min(b.max, Math.max(b.min, v));
  }
  return b.max;
}

/** Trimmed mean TM(lo:hi) in percent, over the histogram's representative values. */
export function trimmedMean(b: Bucket, lo: number, hi: number): number | undefined {
  const values = rankedValues(b, lo, hi);
  if (values.count === 0) return undefined;
  return values.sum / values.count;
}

function rankedValues(b: Bucket, lo: number, hi: number): { sum: number; count: number } {
  const sorted = Object.entries(b.bins)
    .map(([k, c]) => [Math.min(b.max, Math.max(b.min, binValue(k))), c] as const)
    .sort((x, y) => x[0] - y[0]);
  const from = (lo / 100) * b.count;
  const to = (hi / 100) * b.count;
  let seen = 0;
  let sum = 0;
  let count = 0;
  for (const [v, c] of sorted) {
    const start = Math.max(seen, from);
    const end = Math.min(seen + c, to);
    if (end > start) {
      sum += v * (end - start);
      count += end - start;
    }
    seen += c;
  }
  return { sum, count };
}

/**
 * A statistic of a bucket by CloudWatch's name: `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`,
 * `pNN(.NN)`, `TM(lo%:hi%)`/`TMnn`, `IQM`. Undefined for an empty bucket or an unknown name.
 */
export function statistic(b: Bucket, stat: string): number | undefined {
  if (b.count === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return b.sum;
    case 'Average':
      return b.sum / b.count;
    case 'Minimum':
      return b.min;
    case 'Maximum':
      return b.max;
    case 'SampleCount':
      return b.count;
    case 'IQM':
      return trimmedMean(b, 25, 75);
  }
  const p = /^p(\d{1,2}(?:\.\d{1,10})?|100)$/.exec(stat);
  if (p) return percentile(b, Number(p[1]));
  const tm = /^(?:TM|tm)(\d{1,2}(?:\.\d+)?)$/.exec(stat);
  if (tm) return trimmedMean(b, 0, Number(tm[1]));
  const range = /^(?:TM|tm)\((\d{1,3}(?:\.\d+)?)?%?:(\d{1,3}(?:\.\d+)?)?%?\)$/.exec(stat);
  if (range) return trimmedMean(b, Number(range[1] ?? 0), Number(range[2] ?? 100));
  return undefined;
}

const STATS = new Set(['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount', 'IQM']);

/** Whether CloudWatch knows `stat` (a statistic or an extended statistic this module computes). */
export function isKnownStatistic(stat: string): boolean {
  if (STATS.has(stat)) return true;
  const probe: Bucket = { count: 1, sum: 1, min: 1, max: 1, bins: { '0': 1 } };
  return statistic(probe, stat) !== undefined;
}
