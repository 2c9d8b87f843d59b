import type { AppConfig } from '../app/config.js';
import { createApp } from '../app/create-app.js';

export interface UpOptions {
  port: string;
  host: string;
  dataDir: string;
  ephemeral?: boolean;
  blueprint?: string;
  auth: string;
  databaseUrl?: string;
  jobConcurrency?: string;
  python?: string;
  logContainers?: boolean;
  sessionSecret?: string;
  auditMaxEvents?: string;
  auditMaxBytes?: string;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 };

/** `500MB`, `2GiB`, `1048576`: a byte count (decimal units for kB/MB/GB, binary for KiB/MiB/GiB); undefined when not one. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m && Object.hasOwn(SIZE_UNITS, m[2]!.toLowerCase()) ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const AUTH_MODES = ['strict', 'accounts', 'off'] as const;

export async function up(opts: UpOptions): Promise<void> {
  const started = process.hrtime.bigint();
  if (!AUTH_MODES.includes(opts.auth as (typeof AUTH_MODES)[number])) {
    throw new Error(`--auth must be one of ${AUTH_MODES.join(', ')}`);
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not '${opts.port}'`);
  const jobs = opts.jobConcurrency === undefined ? undefined : Number(opts.jobConcurrency);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new Error(`--job-concurrency must be a positive whole number, not '${opts.jobConcurrency}'`);
  const maxEvents = opts.auditMaxEvents === undefined ? undefined : Number(opts.auditMaxEvents);
  if (maxEvents !== undefined && (!Number.isSafeInteger(maxEvents) || maxEvents < 1)) throw new Error(`--audit-max-events must be a positive whole number, not '${opts.auditMaxEvents}'`);
  const maxBytes = opts.auditMaxBytes === undefined ? undefined : parseByteSize(opts.auditMaxBytes);
  if (opts.auditMaxBytes !== undefined && maxBytes === undefined) throw new Error(`--audit-max-bytes must be a size such as 1073741824, 500MB or 2GiB, not '${opts.auditMaxBytes}'`);
  const config: AppConfig = {
    host: opts.host,
    port,
    dataDir: opts.dataDir,
    ephemeral: Boolean(opts.ephemeral),
    blueprintPath: opts.blueprint,
    auth: opts.auth as AppConfig['auth'],
    databaseUrl: opts.databaseUrl,
    ...(jobs !== undefined ? { jobConcurrency: jobs } : {}),
    ...(opts.python ? { python: opts.python } : {}),
    ...(opts.logContainers ? { logContainers: true } : {}),
    ...(opts.sessionSecret ? { sessionSecret: opts.sessionSecret } : {}),
    ...(maxEvents !== undefined || maxBytes !== undefined
      ? { auditHistory: { ...(maxEvents !== undefined ? { maxEventsPerAccount: maxEvents } : {}), ...(maxBytes !== undefined ? { maxBytesPerAccount: maxBytes } : {}) } }
      : {}),
    log: (msg) => console.error(msg),
  };
  const app = await createApp(config).catch((e: unknown) => {
    throw (e as { code?: string }).code === 'EADDRINUSE'
      ? new Error(`port ${port} on ${opts.host} is in use (another mlzone, or another program); pick another with --port <n> or MLZONE_PORT (--port 0 picks a free one), or stop what listens there`)
      : e;
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = [
    `mlzone is serving the landing zone on ${app.url}  (auth: ${config.auth}, ${config.ephemeral ? 'ephemeral' : `data: ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}`}, ready in ${ms.toFixed(0)} ms)`,
    '',
    '  account            id            personas (roles)',
    ...app.blueprint.accounts.map((a) => `  ${a.name.padEnd(18)} ${a.id}  ${a.roles.map((r) => r.name).join(', ')}${a.outsideOrganization ? '  (outside the organization)' : ''}`),
    '',
    `Profiles for the AWS CLI / SDKs:  mlzone profiles --endpoint ${app.url} [--write]   (in the mlzone folder: npm run mlzone -- profiles …)`,
    `Then e.g.:  aws --profile ds1-scientist sts get-caller-identity`,
  ];
  console.log(lines.join('\n'));
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`\n${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
