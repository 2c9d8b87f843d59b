/**
 * What bench/metrics.ts and bench/logs.ts share: mlzone as a child process (bench/telemetry-serve.ts: createApp from
 * the sources, `--auth strict`, a fresh data dir so SQLite writes go to disk as in a default deployment), whose CPU
 * time is read from /proc apart from this load generator's, a session of production's
 * OrganizationAccountAccessRole (from the management Admin) in the default blueprint, the machine header and small statistics helpers.
 */
import { execSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { cpuSecondsOf } from './procfs.js';
import { ROOT } from './server.js';

const ORG_ADMIN = { accessKeyId: 'AKIA2TMBRLGFG6WAHVRL', secretAccessKey: '1d54e5811c59864d0de752af9f6ce8b4be10f4c8' };
export const PRODUCTION = '777777777777';

export interface BenchApp {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /** The server's CPU seconds so far (user + system). */
  serverCpu(): number;
  /** Client config as production's OrganizationAccountAccessRole (one attempt: a failure shows as a failure). */
  readonly cfg: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }; maxAttempts: number };
  close(): Promise<void>;
}

export async function startBenchApp(): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-bench-telemetry-'));
  const child = spawn(process.execPath, [...(process.env.MLZONE_BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', join(ROOT, 'bench', 'telemetry-serve.ts'), '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`mlzone exited (${c}) before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  const app = { url };
  const assume = async (credentials: { accessKeyId: string; secretAccessKey: string }, roleArn: string) => {
    const sts = new STSClient({ endpoint: app.url, region: 'us-east-1', credentials });
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bench' }));
    return { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
  };
  // The organization's admin, then production's OrganizationAccountAccessRole (its own personas may not write telemetry).
  const mgmt = await assume(ORG_ADMIN, 'arn:aws:iam::111111111111:role/Admin');
  const credentials = await assume(mgmt, `arn:aws:iam::${PRODUCTION}:role/OrganizationAccountAccessRole`);
  return {
    url,
    pid: child.pid!,
    dataDir,
    serverCpu: () => cpuSecondsOf(child.pid!) ?? NaN,
    cfg: { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function machineHeader(title: string): string {
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: ROOT }).toString().trim() ? ' (with uncommitted changes)' : '';
  return [
    `## ${title}`,
    '',
    `- date: ${new Date().toUTCString()}`,
    `- code: commit ${commit}${dirty}`,
    `- CPUs: ${availableParallelism()} × ${cpus()[0]?.model ?? '?'}; node ${process.version}`,
    `- load average at start: ${loadAvg()}`,
  ].join('\n');
}

/** Prints one row of a Markdown results table. */
export const row = (...cells: string[]): void => console.log(`| ${cells.join(' | ')} |`);

export const loadAvg = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs `task` on `concurrency` workers until `count` items are done; returns the wall time in ms. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        await task(i);
      }
    }),
  );
  return performance.now() - t0;
}
