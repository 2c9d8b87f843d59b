/**
 * The LogsSink other services write through (SageMaker jobs and endpoints): it writes as CloudWatch Logs'
 * own producers do, creating the group and stream on first use, splitting what it is given into batches
 * that keep PutLogEvents' limits, and leaving out events the group's retention has already expired.
 */
import type { Clock } from '../../core/clock.js';
import type { LogsSink } from '../../core/observability.js';
import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from './domain/batch.js';
import { DAY_MS } from './domain/names.js';
import type { LogsStore } from './store.js';

export function createLogsSink(store: LogsStore, clock: Clock): LogsSink {
  return {
    async put(account, region, logGroupName, logStreamName, events) {
      if (events.length === 0) return;
      const g = { account, region, name: logGroupName };
      await store.createGroup(g, clock.now(), {});
      await store.createStream(g, logStreamName, clock.now());
      const group = await store.group(g);
      const cutoff = group?.retentionDays === undefined ? -Infinity : clock.now() - group.retentionDays * DAY_MS;
      const sorted = events
        .filter((e) => e.timestamp >= cutoff)
        .map((e) => ({ timestamp: e.timestamp, message: truncate(e.message) }))
        .sort((a, b) => a.timestamp - b.timestamp);
      let batch: Array<{ timestamp: number; message: string }> = [];
      let bytes = 0;
      for (const e of sorted) {
        const size = Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD_BYTES;
        if (batch.length && (batch.length >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES)) {
          await store.append(g, logStreamName, batch, clock.now());
          batch = [];
          bytes = 0;
        }
        batch.push(e);
        bytes += size;
      }
      if (batch.length) await store.append(g, logStreamName, batch, clock.now());
    },
  };
}

/** A longer line is cut to the largest event CloudWatch Logs stores (AWS's agents do the same). */
function truncate(message: string): string {
  const max = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;
  if (message.length * 3 <= max || Buffer.byteLength(message, 'utf8') <= max) return message === '' ? ' ' : message;
  return Buffer.from(message, 'utf8').subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}
