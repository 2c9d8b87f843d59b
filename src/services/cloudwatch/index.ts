/**
 * CloudWatch metrics for mlzone: PutMetricData, GetMetricStatistics, GetMetricData (metric math, SEARCH),
 * ListMetrics, dashboards, metric alarms evaluated on a timer, tags. Served over RPC v2 CBOR, awsJson 1.0 and
 * awsQuery from the one model (the protocol layer picks the codec per request).
 *
 * Published ports:
 * - `definition`, `migrations`;
 * - `sink`: a `MetricsSink` for services that publish metrics (batched; `sink.close()` on shutdown);
 * - `start()` / `stop()`: the timer that evaluates alarms and enforces retention; `tick(now)` runs it once.
 *
 * Optional dependency `links` (OAM): a monitoring account then sees its linked source accounts' metrics.
 *
 * @example
 * const cloudwatch = createCloudWatchService({ db, clock: systemClock, links: oam.links });
 * await runMigrations(db, cloudwatch.migrations);
 * cloudwatch.start();
 * // on shutdown
 * await cloudwatch.stop();
 */
import type { Clock } from '../../core/clock.js';
import type { ObservabilityLinks } from '../../core/observability.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { cloudWatchAuthz } from './authz.js';
import { createAlarms } from './handlers/alarms.js';
import { dashboardHandlers } from './handlers/dashboards.js';
import type { HandlerDeps } from './handlers/deps.js';
import { metricHandlers } from './handlers/metrics.js';
import { tagHandlers } from './handlers/tags.js';
import { createMetricsSink, type BufferedMetricsSink } from './sink.js';
import { cloudWatchMigrations, createMetricStore } from './store.js';

export type { BufferedMetricsSink } from './sink.js';

export interface CloudWatchService {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  readonly sink: BufferedMetricsSink;
  /** Evaluates every alarm and drops expired data, as the timer does. */
  tick(now?: number): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface CloudWatchDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly links?: ObservabilityLinks;
  /** How often alarms are evaluated (default 10 s; AWS evaluates every minute). */
  readonly evaluationIntervalMs?: number;
  /** How often the metrics sink writes what it aggregated (default 2 s). */
  readonly sinkFlushMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

export function createCloudWatchService(deps: CloudWatchDeps): CloudWatchService {
  const store = createMetricStore(deps.db);
  const hd: HandlerDeps = { store, links: deps.links, now: () => deps.clock.now(), log: deps.log };
  const alarms = createAlarms(hd);
  const sink = createMetricsSink(store, hd.now, { flushMs: deps.sinkFlushMs, log: deps.log });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = (now = deps.clock.now()) => {
    running = running.then(async () => {
      await sink.flush();
      await alarms.evaluateAll(now);
      await store.expire(now);
    }).catch((e: unknown) => deps.log?.('cloudwatch: alarm evaluation failed', e));
    return running;
  };
  return {
    definition: {
      name: 'cloudwatch',
      handlers: { ...metricHandlers(hd), ...dashboardHandlers(hd), ...alarms.handlers, ...tagHandlers(hd) },
      authz: cloudWatchAuthz,
    },
    migrations: cloudWatchMigrations,
    sink,
    tick,
    start() {
      if (timer) return;
      timer = setInterval(() => void tick(), deps.evaluationIntervalMs ?? 10_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await sink.close();
    },
  };
}
