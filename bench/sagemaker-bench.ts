/**
 * What the SageMaker benchmarks (hosting.ts, jobs.ts, pipelines.ts) share: building when dist/ is older than src/
 * (their containers run dist/runtime/*.cjs), the machine header of a RESULTS.md section, data-science-1's
 * DataScientist session, and the small statistics and number formats of their tables.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DATA_SCIENTIST_ROLE } from './invoke-load.js';
import { DS1_SCIENTIST, REGION } from './load.js';
import { ROOT } from './server.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when any of `distFiles` (paths under dist/) is older than src/. */
export function ensureBuilt(distFiles: readonly string[]): void {
  const built = (f: string) => {
    try {
      return statSync(join(ROOT, 'dist', f)).mtimeMs;
    } catch {
      return 0;
    }
  };
  if (newestMtime(join(ROOT, 'src')) <= Math.min(...distFiles.map(built))) return;
  console.error('dist/ is older than src/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 600_000 });
  if (r.status !== 0) throw new Error('npm run build failed: fix the sources, or pass --skip-build to measure the dist/ that is there');
}

/** The machine lines of a RESULTS.md section: date, code, CPUs, `node` (with `tools`), an optional disk line, `free -h`. */
export function machineLines(opts: { readonly cpus: number; readonly tools?: string; readonly disk?: string; readonly codeNote?: string }): string[] {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src');
  const code = process.env.MLZONE_BENCH_CODE ?? (head ? `commit ${head}${dirty ? ` + uncommitted changes in ${dirty.split('\n').length} src file(s)` : ''}` : 'not a git checkout');
  return [
    `- date: ${execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()}`,
    `- code: ${code}${opts.codeNote ?? ''}`,
    `- CPUs: ${opts.cpus} (\`nproc\`) × ${cpu}`,
    `- node ${process.version}; ${opts.tools ? `${opts.tools}; ` : ''}load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    ...(opts.disk ? [`- disk: ${spawnSync('df', ['-h', '--output=source,size,avail', tmpdir()], { encoding: 'utf8' }).stdout.trim().split('\n').pop()?.replace(/\s+/g, ' ')} (${tmpdir()}: ${opts.disk})`] : []),
    '- `free -h`:',
    '',
    '```',
    execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd(),
    '```',
  ];
}

export interface Session {
  readonly sm: SageMakerClient;
  readonly s3: S3Client;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

/** data-science-1's DataScientist role session, with SageMaker and S3 clients on it. */
export async function dataScientistSession(url: string, sessionName: string): Promise<Session> {
  const base = { endpoint: url, region: REGION, maxAttempts: 1 };
  const sts = new STSClient({ ...base, credentials: DS1_SCIENTIST });
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: DATA_SCIENTIST_ROLE, RoleSessionName: sessionName, DurationSeconds: 3600 }))).Credentials!;
  const credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  return { sm: new SageMakerClient({ ...base, credentials }), s3: new S3Client({ ...base, credentials, forcePathStyle: true }), credentials };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Epoch milliseconds with sub-millisecond resolution (mlzone stamps its records with Date.now()). */
export const nowMs = () => performance.timeOrigin + performance.now();
export const median = (xs: readonly number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const max = (xs: readonly number[]) => (xs.filter(Number.isFinite).length === 0 ? NaN : Math.max(...xs.filter(Number.isFinite)));
const fixed = (digits: number) => (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '–');
export const f0 = fixed(0);
export const f1 = fixed(1);
export const f2 = fixed(2);
