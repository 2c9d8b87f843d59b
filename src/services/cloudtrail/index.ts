/**
 * CloudTrail for mlzone: the audit trail of every call in every account, and `LookupEvents` over it.
 *
 * Published port:
 * - `sink`: the gateway's `AuditSink` (pass it as `audit` to `createPipeline`); it queues events and
 *   writes them in batches. Call `sink.flush()` before closing the database.
 * - `definition`: the `cloudtrail` service (LookupEvents; other operations answer NotImplemented).
 * - `migrations`: the event history tables.
 * - `retention`: the sweep that bounds the history (90 days, and the configured caps per account); `start()` runs
 *   it periodically, `close()` stops it.
 *
 * Each call becomes one event per recipient account: the caller's and, when different, each resource
 * owner's. LookupEvents returns the management events whose recipient is the caller's account.
 *
 * @example
 * const cloudtrail = createCloudTrailService({ db, clock: systemClock });
 * await runMigrations(db, cloudtrail.migrations);
 * const pipeline = createPipeline({ …, audit: cloudtrail.sink });
 * // on shutdown
 * await cloudtrail.sink.flush();
 */
import type { Clock } from '../../core/clock.js';
import { ids } from '../../core/ids.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { cloudTrailAuthz } from './authz.js';
import { buildEvents } from './domain/event.js';
import { cloudTrailHandlers } from './handlers.js';
import { createAuditSink } from './sink.js';
import type { AuditSinkOptions, CloudTrailSink } from './sink.js';
import { cloudTrailMigrations, createEventStore } from './store.js';
import { TrailDelivery } from './delivery.js';
import type { DeliveryOptions, TrailOrganization, TrailWriter } from './delivery.js';
import { trailHandlers } from './trail-handlers.js';
import { TrailStore, trailMigrations } from './trails.js';
import { createRetentionSweeper, type RetentionOptions, type RetentionSweeper } from './retention.js';
import { HISTORY_MS } from './domain/lookup.js';

export type { CloudTrailSink, AuditSinkOptions } from './sink.js';
export type { RetentionOptions } from './retention.js';
export type { TrailOrganization, TrailWriter, DeliveryOptions } from './delivery.js';
export type { CloudTrailEvent, UserIdentity } from './domain/event.js';

export interface CloudTrailService {
  readonly definition: ServiceDefinition;
  readonly sink: CloudTrailSink;
  readonly migrations: Migration[];
  /** Delivers the events waiting for trails now (tests; the app calls it on close, after `sink.flush()`). */
  deliver(): Promise<void>;
  readonly retention: Pick<RetentionSweeper, 'sweep' | 'start' | 'close'>;
}

export interface CloudTrailDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** Batching knobs and the log for write failures; defaults suit a single process. */
  readonly sink?: AuditSinkOptions;
  /**
   * Bounds the stored history per recipient account: events older than `maxAgeMs` (default 90 days, as CloudTrail's
   * event history) and the oldest beyond `maxEvents` / `maxBytes` (default: no cap) are deleted by a periodic sweep.
   */
  readonly retention?: RetentionOptions;
  /** Writes trail log files to S3 as the CloudTrail service principal; without it trails deliver nothing. */
  readonly writer?: TrailWriter;
  /** The organization, for organization trails. */
  readonly organization?: TrailOrganization;
  readonly delivery?: DeliveryOptions;
}

export function createCloudTrailService(deps: CloudTrailDeps): CloudTrailService {
  const store = createEventStore(deps.db);
  const trails = new TrailStore(deps.db);
  const now = () => deps.clock.now();
  const delivery = new TrailDelivery(trails, deps.writer, deps.organization, now, { log: deps.sink?.log, ...deps.delivery });
  const r = deps.retention ?? {};
  const retention = createRetentionSweeper(
    store,
    now,
    { maxAgeMs: r.maxAgeMs ?? HISTORY_MS, ...(r.maxEvents !== undefined ? { maxEvents: r.maxEvents } : {}), ...(r.maxBytes !== undefined ? { maxBytes: r.maxBytes } : {}) },
    { ...(r.intervalMs !== undefined ? { intervalMs: r.intervalMs } : {}), ...(r.batchSize !== undefined ? { batchSize: r.batchSize } : {}), ...(deps.sink?.log ? { log: deps.sink.log } : {}) },
  );
  const sink = createAuditSink(store, (call) => buildEvents(call, ids.uuid), {
    ...deps.sink,
    onWritten: (batch) => {
      delivery.offer(batch);
      retention.written(batch);
    },
  });
  const deliver = async () => {
    await sink.flush();
    await delivery.flush();
  };
  const handlers = {
    ...cloudTrailHandlers({ store, sink, clock: deps.clock }),
    ...trailHandlers({ trails, writer: deps.writer, org: deps.organization, now, flush: deliver }),
  };
  return {
    definition: { name: 'cloudtrail', handlers, authz: cloudTrailAuthz },
    sink,
    migrations: [...cloudTrailMigrations, ...trailMigrations],
    deliver,
    retention,
  };
}
