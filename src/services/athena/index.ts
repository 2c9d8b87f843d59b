/**
 * Amazon Athena for mlzone (awsJson1_1, target AmazonAthena): workgroups, query executions run on the embedded
 * DuckDB engine of `src/query/` with Lake Formation enforcement, results written to S3 as the caller, named
 * queries, prepared statements and the metadata API over the DataCatalogPort.
 *
 * The rest of mlzone uses this module only:
 * - the gateway registers `definition`;
 * - `app/` passes the catalog (the lake's DataCatalogPort; without one every table is TABLE_NOT_FOUND), the S3
 *   object files and the internal client, and calls `recover()` once after migrations so queries a previous
 *   process left running end FAILED.
 *
 * @example
 * const athena = createAthenaService({ db, clock, catalog, objects: s3.files, internal: () => internalClient });
 * await runMigrations(db, athena.migrations);
 * await athena.recover();
 */
import type { Clock } from '../../core/clock.js';
import type { DataCatalogPort } from '../../core/data-catalog.js';
import type { ServiceDefinition } from '../../core/service.js';
import type { Database, Migration } from '../../persistence/db.js';
import { QueryEngine, type QueryLimits, type RunningQuery } from '../../query/engine.js';
import { createAthenaAuthz } from './authz.js';
import { catalogHandlers } from './catalogs.js';
import type { AthenaEnv, AthenaInternalClient } from './context.js';
import { s3DataFiles, type ObjectFilesPort } from './data-files.js';
import { athenaMigrations } from './migrations.js';
import { failInterrupted, queryHandlers } from './queries.js';
import { savedHandlers } from './saved.js';
import { createAthenaStore } from './store.js';
import { workgroupHandlers } from './workgroups.js';

export interface AthenaDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly catalog?: DataCatalogPort;
  readonly objects: ObjectFilesPort;
  readonly internal: () => AthenaInternalClient;
  readonly limits?: Partial<QueryLimits>;
  readonly log?: (msg: string) => void;
}

export interface AthenaService {
  readonly definition: ServiceDefinition;
  readonly migrations: Migration[];
  /** Marks queries a previous process left QUEUED/RUNNING as FAILED; returns how many. */
  recover(): Promise<number>;
  /** Resolves once no query of this process is executing (tests, shutdown). */
  settle(): Promise<void>;
  /** Cancels the queries still executing and waits for them (before the database closes). */
  close(): Promise<void>;
  /**
   * For `mlzone explain`: per table a finished query read (or failed to), the Lake Formation grant or missing grant
   * that decided, and the account that ran it (any account, vended ones too, any region); undefined for an unknown query.
   */
  tableAccess(queryExecutionId: string): Promise<{ readonly accountId: string; readonly tables: readonly string[] } | undefined>;
}

export function createAthenaService(deps: AthenaDeps): AthenaService {
  const store = createAthenaStore(deps.db);
  const running = new Map<string, RunningQuery>();
  const engine = new QueryEngine(deps.catalog, s3DataFiles(deps.objects, deps.internal), deps.limits);
  const tasks = new Set<Promise<void>>();
  const env: AthenaEnv = { store, engine, tasks, ...(deps.catalog ? { catalog: deps.catalog } : {}), internal: deps.internal, clock: deps.clock, running, ...(deps.log ? { log: deps.log } : {}) };
  const handlers = { ...workgroupHandlers(env), ...queryHandlers(env), ...savedHandlers(env), ...catalogHandlers(env) };
  return {
    definition: { name: 'athena', handlers: handlers as ServiceDefinition['handlers'], authz: createAthenaAuthz(store) },
    migrations: athenaMigrations,
    recover: () => failInterrupted(env),
    tableAccess: async (id) => {
      const q = await store.queryById(id);
      return q && { accountId: q.accountId, tables: q.tableAccess ?? [] };
    },
    async settle() {
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    },
    async close() {
      for (const r of running.values()) r.cancel();
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
      await engine.close();
    },
  };
}
