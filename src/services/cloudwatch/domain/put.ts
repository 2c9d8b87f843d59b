/**
 * PutMetricData validation and bucketing. Every datum is checked before anything is written (a rejected
 * request writes nothing), with CloudWatch's limits and wording: at most 1,000 datums, 30 dimensions, 150 values,
 * finite numbers within ±2^360 (CloudWatch's documented range), timestamps within the past two weeks and at most
 * two hours ahead.
 */
import { CloudWatchErrors } from '../api.gen.js';
import type { MetricDatum } from '../../../core/observability.js';
import type { BucketWrite } from '../store.js';
import { addStatisticSet, addValue, emptyBucket } from './sketch.js';

const TWO_WEEKS_MS = 14 * 86400_000;
const TWO_HOURS_MS = 2 * 3600_000;
const MAX_DATUMS = 1000;
const MAX_VALUES = 150;

const invalid = CloudWatchErrors.InvalidParameterValueException;
const combination = CloudWatchErrors.InvalidParameterCombinationException;

const MAX_MAGNITUDE = 2 ** 360;

function checkNumber(v: number, path: string): void {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_MAGNITUDE) throw invalid(`The value ${v} for parameter ${path} is invalid.`);
}

/** Validates `data` for one namespace and turns it into bucket writes (minute buckets, plus second buckets for high resolution). */
export function bucketWrites(
  account: string,
  region: string,
  namespace: string,
  data: readonly MetricDatum[],
  now: number,
): BucketWrite[] {
  if (data.length > MAX_DATUMS) throw invalid(`The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
  const writes: BucketWrite[] = [];
  data.forEach((d, i) => {
    const p = `MetricData.member.${i + 1}`;
    const dims = [...(d.dimensions ?? [])].map((x) => ({ Name: x.name, Value: x.value }));
    if (dims.length > 30) throw invalid(`The collection ${p}.Dimensions must not have a size greater than 30.`);
    dims.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    for (let k = 1; k < dims.length; k++) {
      if (dims[k]!.Name === dims[k - 1]!.Name) throw invalid(`No metric may have duplicate dimension names.`);
    }
    const hasValue = d.value !== undefined;
    const hasValues = d.values !== undefined && d.values.length > 0;
    const hasSet = d.statisticValues !== undefined;
    if ([hasValue, hasValues, hasSet].filter(Boolean).length > 1) {
      const names = [hasValue && `${p}.Value`, hasValues && `${p}.Values`, hasSet && `${p}.StatisticValues`].filter(Boolean);
      throw combination(`The parameters ${names.join(' and ')} are mutually exclusive and you have specified both.`);
    }
    if (!hasValue && !hasValues && !hasSet) {
      throw combination(`At least one of the parameters ${p}.Value, ${p}.StatisticValues or ${p}.Values must be specified.`);
    }
    const t = d.timestamp ?? now;
    if (t < now - TWO_WEEKS_MS) throw invalid(`The parameter ${p}.Timestamp must specify a time no more than two weeks in the past.`);
    if (t > now + TWO_HOURS_MS) throw invalid(`The parameter ${p}.Timestamp must specify a time no more than two hours in the future.`);
    const res = d.storageResolution ?? 60;
    if (res !== 1 && res !== 60) throw invalid(`The value ${res} for parameter ${p}.StorageResolution is invalid.`);
    const bucket = emptyBucket();
    if (hasValue) {
      checkNumber(d.value!, `${p}.Value`);
      addValue(bucket, d.value!);
    } else if (hasValues) {
      const values = d.values!;
      const counts = d.counts ?? [];
      if (values.length > MAX_VALUES) throw invalid(`The collection ${p}.Values must not have a size greater than ${MAX_VALUES}.`);
      if (counts.length > 0 && counts.length !== values.length) {
        throw invalid(`The parameters ${p}.Values and ${p}.Counts must be of the same size.`);
      }
      values.forEach((v, j) => {
        checkNumber(v, `${p}.Values.member.${j + 1}`);
        const n = counts.length ? counts[j]! : 1;
        checkNumber(n, `${p}.Counts.member.${j + 1}`);
        if (n < 0) throw invalid(`The value ${n} for parameter ${p}.Counts.member.${j + 1} is invalid.`);
        addValue(bucket, v, n);
      });
    } else {
      const s = d.statisticValues!;
      for (const [k, v] of Object.entries(s)) checkNumber(v, `${p}.StatisticValues.${k[0]!.toUpperCase()}${k.slice(1)}`);
      if (s.sampleCount <= 0) throw invalid(`The value ${s.sampleCount} for parameter ${p}.StatisticValues.SampleCount is invalid.`);
      if (s.minimum > s.maximum) throw invalid(`The parameter ${p}.StatisticValues.Maximum must be greater than ${p}.StatisticValues.Minimum.`);
      addStatisticSet(bucket, s);
    }
    const metric = { account, region, namespace, metricName: d.metricName, dimensions: dims };
    const unit = d.unit ?? 'None';
    writes.push({ metric, res: 60, t: Math.floor(t / 60_000) * 60_000, unit, bucket });
    if (res === 1) writes.push({ metric, res: 1, t: Math.floor(t / 1000) * 1000, unit, bucket: { ...bucket, bins: { ...bucket.bins } } });
  });
  return writes;
}
