/**
 * CloudWatch Logs for mlzone: log groups and streams, PutLogEvents with AWS's batch rules, GetLogEvents,
 * FilterLogEvents with the filter pattern syntax, and Logs Insights queries run by a real query engine.
 *
 * Published port:
 * - `definition`: the `logs` service (JSON 1.1, `Logs_20140328`).
 * - `sink`: a `LogsSink` (core/observability.ts) for services that write logs as AWS would (SageMaker).
 * - `migrations`: the group, stream and event block tables.
 * - `sweep()`: drops events older than their group's retention; `start()` runs it periodically, `close()` stops it.
 *
 * With `links` (implemented by services/oam), a monitoring account also sees the log groups of the source
 * accounts linked to it (DescribeLogGroups `includeLinkedAccounts`, reads by log group ARN, Insights).
 *
 * @example
 * const logs = createLogsService({ db, clock: systemClock });
 * await runMigrations(db, logs.migrations);
 * logs.start();
 * await logs.sink.put('123456789012', 'us-east-1', '/aws/sagemaker/Endpoints/x', 'AllTraffic/i-1', [{ timestamp: Date.now(), message: 'hi' }]);
 */
import type { Clock } from '../../core/clock.js';
import type { LogsSink, ObservabilityLinks } from '../../core/observability.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { logsAuthz } from './authz.js';
import { logsHandlers } from './handlers.js';
import { createQueryRegistry } from './queries.js';
import { createLogsSink } from './sink.js';
import { createLogsStore, logsMigrations } from './store.js';

export { compileFilterPattern } from './domain/filter-pattern.js';

export interface LogsService {
  readonly definition: ServiceDefinition;
  readonly sink: LogsSink;
  readonly migrations: Migration[];
  /** Deletes expired events now; returns how many blocks went. */
  sweep(): Promise<number>;
  /** Sweeps every `sweepIntervalMs` (default one minute) until `close()`. */
  start(): void;
  close(): void;
}

export interface LogsDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly links?: ObservabilityLinks;
  readonly sweepIntervalMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

export function createLogsService(deps: LogsDeps): LogsService {
  const store = createLogsStore(deps.db);
  const queries = createQueryRegistry();
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => store.sweepExpired(deps.clock.now());
  return {
    definition: {
      name: 'logs',
      handlers: logsHandlers({ store, clock: deps.clock, queries, ...(deps.links ? { links: deps.links } : {}) }),
      authz: logsAuthz,
    },
    sink: createLogsSink(store, deps.clock),
    migrations: logsMigrations,
    sweep,
    start() {
      timer ??= setInterval(() => void sweep().catch((e: unknown) => deps.log?.('logs: retention sweep failed', e)), deps.sweepIntervalMs ?? 60_000);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
