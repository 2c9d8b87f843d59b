import type { DataCatalogPort } from '../core/data-catalog.js';
import type { AuthMode } from '../gateway/authenticate.js';

/** Everything `mlzone up` (and tests) can set. */
export interface AppConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Holds `mlzone.db` and, later, object data. Ignored when `ephemeral`. */
  readonly dataDir: string;
  /** Keep everything in memory; nothing survives the process. */
  readonly ephemeral: boolean;
  /** Path of a blueprint YAML; the shipped default when undefined. */
  readonly blueprintPath?: string;
  readonly auth: AuthMode;
  /** PostgreSQL connection string; SQLite under `dataDir` when undefined. */
  readonly databaseUrl?: string;
  /** PostgreSQL schema (tests isolate runs with one schema each). */
  readonly databaseSchema?: string;
  readonly log?: (msg: string) => void;
  /** How long a hosting container may take to answer `/ping` when its variant does not say; default 60 s. */
  readonly containerStartupTimeoutMs?: number;
  /** How long InvokeEndpoint waits for `/invocations`; default 60 s as on AWS. */
  readonly invocationTimeoutMs?: number;
  /** The Python that serves framework images (scikit-learn, XGBoost); default MLZONE_PYTHON, /usr/bin/python3, python3. */
  readonly python?: string;
  /** How many training/processing/transform jobs run at once; default the number of cores. */
  readonly jobConcurrency?: number;
  /** Passes container output lines to `log` (they are otherwise kept only for failure reasons). */
  readonly logContainers?: boolean;
  /**
   * Seals STS session tokens in place of the key derived from the blueprint: servers sharing it accept each
   * other's sessions, and nobody holding only the blueprint can mint one.
   */
  readonly sessionSecret?: string;
  /** Trail delivery batching: every `intervalMs` (default 5000) or `maxEvents` (default 1000) events. */
  readonly trailDelivery?: { readonly intervalMs?: number; readonly maxEvents?: number };
  /** A request body that sends nothing for this long is refused (S3's RequestTimeout) and its connection closed; default 20 s, 0 turns it off. */
  readonly bodyIdleTimeoutMs?: number;
  /**
   * Caps on the CloudTrail event history each account keeps, beyond CloudTrail's 90 days: the oldest events past
   * `maxEventsPerAccount` events or `maxBytesPerAccount` bytes are deleted by a periodic sweep. Unset: no cap
   * (an ephemeral server keeps at most 10,000 events per account unless told otherwise).
   */
  readonly auditHistory?: { readonly maxEventsPerAccount?: number; readonly maxBytesPerAccount?: number; readonly sweepIntervalMs?: number };
  /** The governed catalog Athena queries (Glue + Lake Formation); without one every table is TABLE_NOT_FOUND. */
  readonly catalog?: DataCatalogPort;
}

export const defaultConfig: AppConfig = {
  host: '127.0.0.1',
  port: 4566,
  dataDir: '.mlzone',
  ephemeral: false,
  auth: 'strict',
};
