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
