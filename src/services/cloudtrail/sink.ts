/**
 * The audit sink the gateway calls after every request. `record()` must not slow the request down, so it
 * only builds the events (synchronous, no I/O) and queues them; a flush writes everything queued in one
 * transaction. Flushes happen
 *
 *   - on a short timer after the first queued event (`flushDelayMs`),
 *   - as soon as the queue reaches `batchSize`,
 *   - when someone calls `flush()`: LookupEvents does, so a caller always sees its own earlier calls,
 *     and the app does on close.
 *
 * Flushes run one after another. The queue is bounded (`maxQueued`): when the database cannot keep up,
 * new events are dropped and counted rather than growing memory without limit. A failed write puts its
 * batch back at the head of the queue (within the bound) and rejects that flush.
 */
import type { AuditSink, CallRecord } from '../../gateway/audit-port.js';
import type { AuditEntry } from './domain/event.js';
import type { EventStore, QueuedEntry } from './store.js';

export interface AuditSinkOptions {
  /** Milliseconds between the first queued event and the flush that writes it. Default 25. */
  readonly flushDelayMs?: number;
  /** Queue length that triggers a flush at once. Default 256. */
  readonly batchSize?: number;
  /** Events kept in memory at most; beyond it new events are dropped. Default 20,000. */
  readonly maxQueued?: number;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Called with each batch once it is in the history (trail delivery takes it from there). */
  readonly onWritten?: (batch: readonly AuditEntry[]) => void;
}

export interface CloudTrailSink extends AuditSink {
  /** Writes everything queued so far; resolves once it is committed. */
  flush(): Promise<void>;
  /** Queued (not yet written) and dropped event counts. */
  stats(): { queued: number; dropped: number };
}

export function createAuditSink(store: Pick<EventStore, 'insert'>, build: (call: CallRecord) => AuditEntry[], options: AuditSinkOptions = {}): CloudTrailSink {
  const flushDelayMs = options.flushDelayMs ?? 25;
  const batchSize = options.batchSize ?? 256;
  const maxQueued = options.maxQueued ?? 20_000;
  const log = options.log ?? (() => undefined);

  let queue: QueuedEntry[] = [];
  let seq = 0;
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sizeFlushPending = false;
  // The end of the chain of flushes; each flush starts after the previous one settled.
  let tail: Promise<void> = Promise.resolve();

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await store.insert(batch);
      } catch (e) {
        const room = Math.max(0, maxQueued - queue.length);
        if (room < batch.length) dropped += batch.length - room;
        queue = [...batch.slice(0, room), ...queue];
        throw e;
      }
      options.onWritten?.(batch);
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const run = tail.then(drain);
    tail = run.catch(() => undefined);
    return run;
  }

  function flushInBackground(): void {
    flush().catch((e: unknown) => log('audit trail: writing events failed; they stay queued', e));
  }

  return {
    record(call: CallRecord): void {
      let entries: AuditEntry[];
      try {
        entries = build(call);
      } catch (e) {
        // The audit trail never fails a request.
        log(`audit trail: cannot build the event of request ${call.ctx.requestId}`, e);
        return;
      }
      if (entries.length === 0) return;
      if (queue.length + entries.length > maxQueued) {
        if (dropped === 0) log(`audit trail: more than ${maxQueued} events waiting; dropping new events`);
        dropped += entries.length;
        return;
      }
      for (const e of entries) queue.push({ ...e, seq: ++seq });
      if (queue.length >= batchSize) {
        if (!sizeFlushPending) {
          sizeFlushPending = true;
          flush()
            .catch((e: unknown) => log('audit trail: writing events failed; they stay queued', e))
            .finally(() => {
              sizeFlushPending = false;
            });
        }
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          flushInBackground();
        }, flushDelayMs);
        timer.unref?.();
      }
    },
    flush,
    stats: () => ({ queued: queue.length, dropped }),
  };
}
