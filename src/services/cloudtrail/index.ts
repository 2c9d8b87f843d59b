/**
 * CloudTrail for mlzone: the audit trail of every call in every account, and `LookupEvents` over it.
 *
 * Published port:
 * - `sink`: the gateway's `AuditSink` (pass it as `audit` to `createPipeline`); it queues events and
 *   writes them in batches. Call `sink.flush()` before closing the database.
 * - `definition`: the `cloudtrail` service (LookupEvents; other operations answer NotImplemented).
 * - `migrations`: the event history tables.
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
import type { EventRetention } from './store.js';

export type { CloudTrailSink, AuditSinkOptions } from './sink.js';
export type { EventRetention } from './store.js';
export type { TrailOrganization, TrailWriter, DeliveryOptions } from './delivery.js';
export type { CloudTrailEvent, UserIdentity } from './domain/event.js';

export interface CloudTrailService {
  readonly definition: ServiceDefinition;
  readonly sink: CloudTrailSink;
  readonly migrations: Migration[];
  /** Delivers the events waiting for trails now (tests; the app calls it on close, after `sink.flush()`). */
  deliver(): Promise<void>;
}

export interface CloudTrailDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** Batching knobs and the log for write failures; defaults suit a single process. */
  readonly sink?: AuditSinkOptions;
  /**
   * Bounds the stored history (for ephemeral, in-memory runs, whose database would otherwise grow with every
   * call): the newest `perAccount` events of each recipient account stay, older ones are deleted every
   * `perAccount / 10` new events of that account. Unset: every event is kept.
   */
  readonly retention?: EventRetention;
  /** Writes trail log files to S3 as the CloudTrail service principal; without it trails deliver nothing. */
  readonly writer?: TrailWriter;
  /** The organization, for organization trails. */
  readonly organization?: TrailOrganization;
  readonly delivery?: DeliveryOptions;
}

export function createCloudTrailService(deps: CloudTrailDeps): CloudTrailService {
  const store = createEventStore(deps.db, deps.retention);
  const trails = new TrailStore(deps.db);
  const now = () => deps.clock.now();
  const delivery = new TrailDelivery(trails, deps.writer, deps.organization, now, { log: deps.sink?.log, ...deps.delivery });
  const sink = createAuditSink(store, (call) => buildEvents(call, ids.uuid), { ...deps.sink, onWritten: (batch) => delivery.offer(batch) });
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
  };
}
