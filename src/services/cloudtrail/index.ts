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
import type { EventRetention } from './store.js';

export type { CloudTrailSink, AuditSinkOptions } from './sink.js';
export type { EventRetention } from './store.js';
export type { CloudTrailEvent, UserIdentity } from './domain/event.js';

export interface CloudTrailService {
  readonly definition: ServiceDefinition;
  readonly sink: CloudTrailSink;
  readonly migrations: Migration[];
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
}

export function createCloudTrailService(deps: CloudTrailDeps): CloudTrailService {
  const store = createEventStore(deps.db, deps.retention);
  const sink = createAuditSink(store, (call) => buildEvents(call, ids.uuid), deps.sink);
  return {
    definition: { name: 'cloudtrail', handlers: cloudTrailHandlers({ store, sink, clock: deps.clock }), authz: cloudTrailAuthz },
    sink,
    migrations: cloudTrailMigrations,
  };
}
