/**
 * The `MetricsSink` services publish to (SageMaker endpoint invocations …). Producers call `put` on hot paths,
 * so datums are aggregated in memory per (metric, bucket, unit) and written every `flushMs`: an endpoint taking
 * thousands of invocations a second costs one bucket update per minute and metric, not one write per call.
 * Writes are as the AWS service itself (no IAM check), and AWS namespaces are allowed.
 */
import type { MetricDatum, MetricsSink } from '../../core/observability.js';
import { bucketWrites } from './domain/put.js';
import { mergeInto } from './domain/sketch.js';
import type { BucketWrite, MetricStore } from './store.js';
import { metricId } from './store.js';

export interface BufferedMetricsSink extends MetricsSink {
  /** Writes what is buffered now (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  close(): Promise<void>;
}

export function createMetricsSink(
  store: MetricStore,
  now: () => number,
  opts: { flushMs?: number; log?: (msg: string, err?: unknown) => void } = {},
): BufferedMetricsSink {
  let pending = new Map<string, BucketWrite>();
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), opts.flushMs ?? 2000);
  timer.unref();

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending = new Map();
      try {
        await store.write(batch, now());
      } catch (e) {
        opts.log?.('cloudwatch: publishing metrics failed', e);
      }
    });
    return flushing;
  }

  return {
    async put(accountId, region, namespace, data: readonly MetricDatum[]) {
      let writes: BucketWrite[];
      try {
        writes = bucketWrites(accountId, region, namespace, data, now());
      } catch (e) {
        opts.log?.(`cloudwatch: ${namespace} datums refused`, e);
        return;
      }
      for (const w of writes) {
        const key = `${metricId(w.metric)}|${w.res}|${w.t}|${w.unit}`;
        const prev = pending.get(key);
        if (prev) mergeInto(prev.bucket, w.bucket);
        else pending.set(key, w);
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
