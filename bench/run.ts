/**
 * The benchmark matrix (`npm run bench`): builds if dist/ is stale, then measures
 *   - start-up (spawn → first 200 from /_mlzone/health), ephemeral and with an existing data dir;
 *   - the ceiling (bare node:http, bench/ceiling.ts) and mlzone with `--auth strict` and `--auth off`, for
 *     sts:GetCallerIdentity (IAM user keys), iam:GetRole (assumed-role session, with a session token) and
 *     GetCallerIdentity with the session, at concurrency 1 and 16 — each cell in a fresh load-generator process
 *     (bench/load.ts), `--repeat` times, the median run by requests/s reported. Servers and cells are interleaved
 *     (each repeat runs every server once), so a drift of the machine's speed hits strict and off alike. Unless
 *     `--no-pin`, every server runs on CPU 0 and every load generator on CPU 1 (taskset): on a 2-core machine,
 *     a server and its generator left to the scheduler preempt each other, which measures the scheduler. Pinned
 *     generators also keep their event loop awake unless `--no-spin` (bench/load.ts `spin`): a sleeping generator
 *     makes every response the server writes over loopback pay for waking it;
 *   - the server's RSS after start and after the load;
 *   - with `--micro`, the IAM decision-latency and SigV4 micro-benchmarks.
 * Prints markdown; `--out <file>` also writes it there. Loopback only; every loop is bounded.
 *
 *   npm run bench -- [--seconds 8] [--warmup 2] [--repeat 3] [--startup-runs 10] [--only startup,ceiling,strict,off] [--no-pin] [--no-spin] [--micro] [--out f.md]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult, Op } from './load.js';
import { memoryOf, type Memory } from './procfs.js';
import { pinned, ROOT, spawnCeiling, spawnMlzone, type Child } from './server.js';
import { measureStartup, startupTable } from './startup.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '3' },
    'startup-runs': { type: 'string', default: '10' },
    only: { type: 'string', default: 'startup,ceiling,strict,off' },
    micro: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    'no-spin': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const SECONDS = Math.min(Math.max(1, Number(values.seconds)), 60);
const WARMUP = Math.min(Math.max(0, Number(values.warmup)), 30);
const REPEAT = Math.min(Math.max(1, Number(values.repeat)), 9);
const STARTUP_RUNS = Math.min(Math.max(1, Number(values['startup-runs'])), 50);
const ONLY = new Set(values.only!.split(','));
const PIN = !values['no-pin'] && availableParallelism() >= 2;
// A spinning generator takes its whole core: only when it has one of its own.
const SPIN = PIN && !values['no-spin'];
const SERVER_CPU = PIN ? 0 : undefined;
const LOAD_CPU = PIN ? 1 : undefined;

function newestMtime(dir: string, filter: (name: string) => boolean): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'dist', 'mlzone.cjs')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const src = newestMtime(join(ROOT, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  if (src <= built) return;
  console.error('dist/ is older than src/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 600_000 });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function machine(): string[] {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const free = execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd();
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src');
  return [
    `- date: ${execFileSync('date', ['-u'], { encoding: 'utf8' }).trim()}`,
    `- code: ${process.env.MLZONE_BENCH_CODE ?? (head ? `commit ${head}${dirty ? ` + uncommitted changes in ${dirty.split('\n').length} src file(s)` : ''}` : 'not a git checkout')}`,
    `- CPUs: ${availableParallelism()} (\`nproc\`) × ${cpu}`,
    `- node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '- `free -h`:',
    '',
    '```',
    free,
    '```',
  ];
}

/** One load-generator process for one cell; resolves with its JSON result. */
function loadCell(url: string, op: Op, concurrency: number, serverPid: number, role: string): Promise<LoadResult> {
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'load.ts'), '--url', url, '--op', op, '--concurrency', String(concurrency)];
  args.push('--seconds', String(SECONDS), '--warmup', String(WARMUP), '--server-pid', String(serverPid), '--role', role);
  if (SPIN) args.push('--spin');
  return new Promise((resolve, reject) => {
    const [command, argv] = pinned(LOAD_CPU, process.execPath, args);
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + WARMUP + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load ${op} c${concurrency} failed (${code}): ${err.trim()}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
    });
  });
}

interface Cell {
  readonly target: string;
  readonly result: LoadResult;
  readonly all: readonly number[];
}

interface Target {
  readonly name: string;
  readonly start: () => Promise<Child>;
  readonly cells: ReadonlyArray<readonly [Op, number]>;
  /** RoleName GetRole asks for: the caller's account must hold it (with --auth off the caller is 111111111111's root). */
  readonly role: string;
}

const MATRIX: ReadonlyArray<readonly [Op, number]> = [
  ['gci', 1],
  ['gci', 16],
  ['getrole', 1],
  ['getrole', 16],
  ['gci-session', 16],
];

/** Starts every target, then runs each cell `REPEAT` times, every target once per round; then stops them. */
async function measureTargets(targets: readonly Target[], cells: Cell[], memory: Array<{ target: string; afterStart?: Memory; afterLoad?: Memory }>): Promise<void> {
  const running: Array<{ t: Target; child: Child; afterStart?: Memory }> = [];
  try {
    for (const t of targets) {
      const child = await t.start();
      running.push({ t, child, afterStart: memoryOf(child.pid) });
    }
    const keys = [...new Map(targets.flatMap((t) => t.cells.map((c) => [`${c[0]} ${c[1]}`, c] as const))).values()];
    for (const [op, c] of keys) {
      const runs = new Map<Target, LoadResult[]>();
      for (let i = 0; i < REPEAT; i++) {
        for (const { t, child } of running) {
          if (!t.cells.some(([o, cc]) => o === op && cc === c)) continue;
          const list = runs.get(t) ?? [];
          list.push(await loadCell(child.url, op, c, child.pid, t.role));
          runs.set(t, list);
        }
      }
      for (const [t, list] of runs) {
        const byRps = [...list].sort((a, b) => a.rps - b.rps);
        cells.push({ target: t.name, result: byRps[Math.floor((byRps.length - 1) / 2)]!, all: list.map((r) => r.rps) });
        console.error(`${t.name} ${op} c${c}: ${list.map((r) => r.rps.toFixed(0)).join(' / ')} req/s, errors ${list.map((r) => r.errors).join('/')}`);
      }
    }
    for (const { t, child, afterStart } of running) memory.push({ target: t.name, afterStart, afterLoad: memoryOf(child.pid) });
  } finally {
    for (const { child } of running) await child.stop();
  }
}

const OP_LABEL: Record<Op, string> = {
  gci: 'sts:GetCallerIdentity (user keys)',
  getrole: 'iam:GetRole (role session)',
  'gci-session': 'sts:GetCallerIdentity (role session)',
};

function loadTable(cells: readonly Cell[]): string {
  const ms = (us: number) => (us / 1000).toFixed(2);
  const out = [
    '| server | call | c | req/s (median) | all runs | p50 ms | p90 ms | p99 ms | errors | server CPU (cores) | server CPU µs/req | req/s per server core | client CPU (cores) | machine busy | load1 |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { target, result: r, all } of cells) {
    const cpuPerReq = r.serverCpu !== undefined && r.serverCpu > 0 ? ((r.serverCpu / r.rps) * 1e6).toFixed(0) : '';
    const perCore = r.serverCpu !== undefined && r.serverCpu > 0 ? (r.rps / r.serverCpu).toFixed(0) : '';
    out.push(
      `| ${target} | ${target === 'ceiling' ? 'fixed XML (same signed request)' : OP_LABEL[r.op]} | ${r.concurrency} | **${r.rps.toFixed(0)}** | ${all.map((x) => x.toFixed(0)).join(' / ')} | ${ms(r.p50us)} | ${ms(r.p90us)} | ${ms(r.p99us)} | ${r.errors} | ${r.serverCpu?.toFixed(2) ?? ''} | ${cpuPerReq} | ${perCore} | ${r.clientCpu.toFixed(2)} | ${(r.machineBusy * 100).toFixed(0)}% | ${r.load1.toFixed(1)} |`,
    );
  }
  return out.join('\n');
}

function ratioTable(cells: readonly Cell[]): string {
  const find = (target: string, op: Op, c: number) => cells.find((x) => x.target === target && x.result.op === op && x.result.concurrency === c)?.result;
  const out = ['| call | c | strict req/s | off req/s | strict / off | strict CPU µs/req | off CPU µs/req | off / strict (CPU) |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const [op, c] of MATRIX) {
    const s = find('mlzone strict', op, c);
    const o = find('mlzone off', op, c);
    if (!s || !o) continue;
    const cs = s.serverCpu !== undefined ? (s.serverCpu / s.rps) * 1e6 : NaN;
    const co = o.serverCpu !== undefined ? (o.serverCpu / o.rps) * 1e6 : NaN;
    out.push(
      `| ${OP_LABEL[op]} | ${c} | ${s.rps.toFixed(0)} | ${o.rps.toFixed(0)} | **${((100 * s.rps) / o.rps).toFixed(0)}%** | ${cs.toFixed(0)} | ${co.toFixed(0)} | ${((100 * co) / cs).toFixed(0)}% |`,
    );
  }
  return out.join('\n');
}

function memoryTable(memory: ReadonlyArray<{ target: string; afterStart?: Memory; afterLoad?: Memory }>): string {
  const f = (m?: Memory) => (m ? `${m.rssMiB.toFixed(0)} / ${m.hwmMiB.toFixed(0)}` : '');
  return ['| server | after start: RSS / peak MiB | after the load runs: RSS / peak MiB |', '|---|---:|---:|', ...memory.map((m) => `| ${m.target} | ${f(m.afterStart)} | ${f(m.afterLoad)} |`)].join('\n');
}

function micro(): string {
  const run = (file: string, args: string[] = []) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', file), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    return `\`${file}\`${r.status === 0 ? '' : ` (exit ${r.status})`}:\n\n\`\`\`\n${(r.stdout + (r.status === 0 ? '' : r.stderr)).trim()}\n\`\`\``;
  };
  return [run('iam-decision.bench.ts'), run('sigv4.bench.ts')].join('\n\n');
}

async function main(): Promise<void> {
  if (!values['skip-build']) ensureBuilt();
  const md: string[] = ['## Machine', '', ...machine(), ''];
  md.push(
    `Load: ${SECONDS} s measured after ${WARMUP} s warm-up per run, ${REPEAT} run(s) per cell, each in a fresh generator process; servers interleaved per round; ${PIN ? 'servers on CPU 0, generators on CPU 1 (taskset)' : 'not pinned to CPUs'}; ${SPIN ? 'generators keep their event loop awake (`--spin`)' : 'generators sleep when idle (`--no-spin`)'}.`,
    '',
  );

  if (ONLY.has('startup')) {
    console.error('start-up…');
    md.push('## Start-up (spawn → first 200 from /_mlzone/health)', '', startupTable(await measureStartup(STARTUP_RUNS)), '');
  }

  const cells: Cell[] = [];
  const memory: Array<{ target: string; afterStart?: Memory; afterLoad?: Memory }> = [];
  const targets: Target[] = [];
  if (ONLY.has('ceiling')) targets.push({ name: 'ceiling', start: () => spawnCeiling(SERVER_CPU), cells: [['gci', 1], ['gci', 16]], role: '' });
  if (ONLY.has('strict')) targets.push({ name: 'mlzone strict', start: () => spawnMlzone({ auth: 'strict', cpu: SERVER_CPU }), cells: MATRIX, role: 'DataScientist' });
  if (ONLY.has('off')) targets.push({ name: 'mlzone off', start: () => spawnMlzone({ auth: 'off', cpu: SERVER_CPU }), cells: MATRIX, role: 'Admin' });
  await measureTargets(targets, cells, memory);
  if (cells.length) md.push('## Throughput and latency', '', loadTable(cells), '');
  const ratio = ratioTable(cells);
  if (ratio.split('\n').length > 2) md.push('## Enforcement cost (strict vs off)', '', ratio, '');
  if (memory.length) md.push('## Memory (server process, /proc/<pid>/status VmRSS / VmHWM)', '', memoryTable(memory), '');
  if (values.micro) {
    console.error('micro-benchmarks…');
    md.push('## Micro-benchmarks', '', micro(), '');
  }
  const text = md.join('\n');
  console.log(text);
  if (values.out) writeFileSync(values.out, `${text}\n`);
}

await main();
