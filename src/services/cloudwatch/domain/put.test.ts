/**
 * PutMetricData's validation and bucketing, pure: every datum is checked before anything is returned to write, with
 * CloudWatch's wording; accepted datums become minute buckets (and second buckets for high resolution).
 */
import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import type { MetricDatum } from '../../../core/observability.js';
import { bucketWrites } from './put.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 30);
const write = (data: MetricDatum[]) => bucketWrites('777777777777', 'us-east-1', 'App', data, NOW);
function refusal(data: MetricDatum[]): { code: string; message: string } {
  try {
    write(data);
  } catch (e) {
    if (isAwsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('accepted');
}
const ok: MetricDatum = { metricName: 'ok', value: 1 };

describe('refusals (the whole request, nothing to write)', () => {
  it('values that are not finite or beyond ±2^360', () => {
    expect(refusal([ok, { metricName: 'x', value: NaN }])).toEqual({ code: 'InvalidParameterValue', message: 'The value NaN for parameter MetricData.member.2.Value is invalid.' });
    expect(refusal([{ metricName: 'x', value: 2 ** 361 }]).message).toBe(`The value ${2 ** 361} for parameter MetricData.member.1.Value is invalid.`);
    expect(refusal([{ metricName: 'x', values: [1, -(2 ** 361)] }]).message).toBe(`The value ${-(2 ** 361)} for parameter MetricData.member.1.Values.member.2 is invalid.`);
    expect(write([{ metricName: 'x', value: 2 ** 360 }, { metricName: 'y', value: -(2 ** 360) }])).toHaveLength(2);
  });

  it('more than 30 dimensions, duplicate dimension names, more than 1,000 datums, more than 150 values', () => {
    const dims = Array.from({ length: 31 }, (_, i) => ({ name: `d${i}`, value: 'v' }));
    expect(refusal([{ metricName: 'x', dimensions: dims, value: 1 }]).message).toBe('The collection MetricData.member.1.Dimensions must not have a size greater than 30.');
    expect(write([{ metricName: 'x', dimensions: dims.slice(1), value: 1 }])).toHaveLength(1);
    expect(refusal([{ metricName: 'x', dimensions: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }], value: 1 }]).message).toBe('No metric may have duplicate dimension names.');
    expect(refusal(Array.from({ length: 1001 }, () => ok)).message).toBe('The collection MetricData must not have a size greater than 1000.');
    expect(refusal([{ metricName: 'x', values: Array.from({ length: 151 }, (_, i) => i) }]).message).toBe('The collection MetricData.member.1.Values must not have a size greater than 150.');
  });

  it('Value, Values and StatisticValues together or none of them', () => {
    expect(refusal([{ metricName: 'x', value: 1, values: [1] }])).toEqual({ code: 'InvalidParameterCombination', message: 'The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.' });
    expect(refusal([{ metricName: 'x' }])).toEqual({ code: 'InvalidParameterCombination', message: 'At least one of the parameters MetricData.member.1.Value, MetricData.member.1.StatisticValues or MetricData.member.1.Values must be specified.' });
  });

  it('Counts of another length than Values, a negative count, a statistic set with no samples or min above max', () => {
    expect(refusal([{ metricName: 'x', values: [1, 2], counts: [1] }]).message).toBe('The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.');
    expect(refusal([{ metricName: 'x', values: [1], counts: [-1] }]).message).toBe('The value -1 for parameter MetricData.member.1.Counts.member.1 is invalid.');
    expect(refusal([{ metricName: 'x', statisticValues: { sampleCount: 0, sum: 0, minimum: 0, maximum: 0 } }]).message).toBe('The value 0 for parameter MetricData.member.1.StatisticValues.SampleCount is invalid.');
    expect(refusal([{ metricName: 'x', statisticValues: { sampleCount: 2, sum: 3, minimum: 2, maximum: 1 } }]).message).toBe('The parameter MetricData.member.1.StatisticValues.Maximum must be greater than MetricData.member.1.StatisticValues.Minimum.');
  });

  it('timestamps more than two weeks back or two hours ahead, and a storage resolution other than 1 or 60', () => {
    expect(refusal([{ metricName: 'x', value: 1, timestamp: NOW - 14 * 86_400_000 - 1 }]).message).toBe('The parameter MetricData.member.1.Timestamp must specify a time no more than two weeks in the past.');
    expect(refusal([{ metricName: 'x', value: 1, timestamp: NOW + 2 * 3_600_000 + 1 }]).message).toBe('The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.');
    expect(write([{ metricName: 'x', value: 1, timestamp: NOW - 14 * 86_400_000 }])).toHaveLength(1);
    expect(refusal([{ metricName: 'x', value: 1, storageResolution: 5 }]).message).toBe('The value 5 for parameter MetricData.member.1.StorageResolution is invalid.');
  });
});

describe('bucketing', () => {
  it('a datum goes to its minute, a high-resolution one to its second too; dimensions are sorted by name', () => {
    const w = write([{ metricName: 'lat', dimensions: [{ name: 'z', value: '1' }, { name: 'a', value: '2' }], value: 3, timestamp: NOW - 1500, storageResolution: 1, unit: 'Milliseconds' }]);
    expect(w.map((x) => [x.res, x.t - (NOW - 30_000), x.unit, x.bucket.count, x.bucket.sum])).toEqual([
      [60, 0, 'Milliseconds', 1, 3],
      [1, 28_000, 'Milliseconds', 1, 3],
    ]);
    expect(w[0]!.metric.dimensions).toEqual([{ Name: 'a', Value: '2' }, { Name: 'z', Value: '1' }]);
  });

  it('Values with Counts and statistic sets keep exact counts, sums and extremes', () => {
    const [v] = write([{ metricName: 'x', values: [1, 10], counts: [3, 2] }]);
    expect(v!.bucket).toMatchObject({ count: 5, sum: 23, min: 1, max: 10 });
    const [s] = write([{ metricName: 'x', statisticValues: { sampleCount: 4, sum: 40, minimum: 5, maximum: 15 } }]);
    expect(s!.bucket).toMatchObject({ count: 4, sum: 40, min: 5, max: 15 });
  });
});
