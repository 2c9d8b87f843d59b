/**
 * The bounded event history. CloudTrail's event history keeps 90 days; mlzone's also keeps at most a configured
 * number of events and/or bytes per recipient account (organization trails delivering to S3 are the durable copy).
 *
 * A sweep, off the request path, deletes per account first what is older than the window, then the oldest events
 * beyond the caps, in batches of `batchSize` (one short transaction each, with a turn of the event loop between
 * them, so a large backlog never holds the database or the loop for long). It runs every `intervalMs`, and sooner
 * when the events written since the last sweep may have taken an account past a cap by a tenth.
 */
import type { AuditEntry } from './domain/event.js';
import type { EventLimits, EventStore } from './store.js';

export interface RetentionOptions extends Partial<EventLimits> {
  /** Milliseconds between sweeps. Default 60,000. */
  readonly intervalMs?: number;
  /** Rows per delete transaction. Default 500. */
  readonly batchSize?: number;
}

export interface RetentionSweeper {
  /** One full sweep now (tests, and the timer); resolves with the number of events deleted. */
  sweep(): Promise<number>;
  /** The sink calls this with every written batch: it schedules an early sweep when a cap may be passed. */
  written(batch: readonly AuditEntry[]): void;
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  close(): Promise<void>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createRetentionSweeper(
  store: Pick<EventStore, 'usage' | 'deleteOldest' | 'deleteUnusedIdentities'>,
  now: () => number,
  limits: EventLimits,
  options: Pick<RetentionOptions, 'intervalMs' | 'batchSize'> & { log?: (msg: string, err?: unknown) => void } = {},
): RetentionSweeper {
  const intervalMs = options.intervalMs ?? 60_000;
  const batchSize = options.batchSize ?? 500;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;
  let early: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // Per account: events held at the last sweep plus those written since (bytes are not tracked here: the early
  // trigger is about counts, and the byte cap is checked against the database at every sweep).
  const seen = new Map<string, number>();

  async function sweepOnce(): Promise<number> {
    let deleted = 0;
    const cutoff = now() - limits.maxAgeMs;
    for (const u of await store.usage()) {
      if (closed) break;
      // Older than the window.
      for (;;) {
        const n = await store.deleteOldest(u.account, batchSize, cutoff);
        deleted += n;
        if (n < batchSize || closed) break;
        await yieldToLoop();
      }
    }
    // The caps, on the usage as it is after the window's deletions.
    for (const u of await store.usage()) {
      let { events, bytes } = u;
      while (!closed) {
        const overEvents = limits.maxEvents !== undefined ? events - limits.maxEvents : 0;
        const overBytes = limits.maxBytes !== undefined ? bytes - limits.maxBytes : 0;
        if (overEvents <= 0 && overBytes <= 0) break;
        // Bytes are met by deleting their share of events at the account's mean size (the next pass corrects).
        const forBytes = overBytes > 0 && events > 0 ? Math.ceil(overBytes / (bytes / events)) : 0;
        const want = Math.min(batchSize, Math.max(overEvents, forBytes, 1));
        const n = await store.deleteOldest(u.account, want);
        deleted += n;
        if (n === 0) break;
        const after = (await store.usage()).find((x) => x.account === u.account);
        if (!after) break;
        ({ events, bytes } = after);
        await yieldToLoop();
      }
      seen.set(u.account, events);
    }
    if (deleted > 0 && !closed) await store.deleteUnusedIdentities(now());
    return deleted;
  }

  function sweep(): Promise<number> {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  function background(): void {
    sweep().catch((e: unknown) => options.log?.('cloudtrail: event history sweep failed', e));
  }

  return {
    sweep,
    written(batch) {
      if (limits.maxEvents === undefined || closed) return;
      let due = false;
      for (const e of batch) {
        const n = (seen.get(e.recipientAccountId) ?? 0) + 1;
        seen.set(e.recipientAccountId, n);
        if (n > limits.maxEvents * 1.1) due = true;
      }
      if (due && !early && !running) {
        early = setTimeout(() => {
          early = undefined;
          background();
        }, 0);
        early.unref?.();
      }
    },
    start() {
      if (timer || closed) return;
      timer = setInterval(background, intervalMs);
      timer.unref?.();
      // Whatever a previous run left beyond the bounds goes soon after start.
      early ??= setTimeout(() => {
        early = undefined;
        background();
      }, 0);
      early.unref?.();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      if (early) clearTimeout(early);
      timer = early = undefined;
      await running?.catch(() => undefined);
    },
  };
}
