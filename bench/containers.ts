/**
 * The hosting containers of a running mlzone, seen from outside through Linux /proc (the benchmark talks to mlzone
 * as a separate process, so `app.endpoints.running()` is out of reach): which child processes are containers and
 * of which endpoint, their ports, when each was spawned, and their memory (VmRSS of the process group and
 * /proc/<pid>/smaps_rollup). Also the start of a container outside mlzone — the same server program, spawned and
 * polled directly — which is the ceiling for CreateEndpoint → InService.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exited, freePort, getStatus, pinned, ROOT } from './server.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface ContainerProcess {
  readonly pid: number;
  readonly port: number;
  readonly accountId: string;
  /** The endpoint's name as mlzone stores it on disk (lower case). */
  readonly endpoint: string;
  readonly variant: string;
  /** When the process was spawned, in `process.hrtime` milliseconds (CLOCK_MONOTONIC); 10 ms resolution, rounded down. */
  readonly startedMs: number;
}

interface Stat {
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  /** Clock ticks since boot. */
  readonly starttime: number;
}

function statOf(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), starttime: Number(f[19]) };
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57)
    .map(Number);
}

function environOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  try {
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
  } catch {
    // gone, or not ours
  }
  return env;
}

// <workDir>/endpoints/<account>/<region>/<endpoint>/g<generation>/<variant>/c<n>/model (see hosting/deployer.ts).
const MODEL_DIR = /\/endpoints\/(\d{12})\/[^/]+\/([^/]+)\/g\d+\/([^/]+)\/c\d+\/model$/;

/** The container processes mlzone (`serverPid`) runs now: its children that carry the hosting contract's variables. */
export function containersOf(serverPid: number): ContainerProcess[] {
  const out: ContainerProcess[] = [];
  for (const pid of pids()) {
    const stat = statOf(pid);
    if (stat === undefined || stat.ppid !== serverPid || stat.state === 'Z') continue;
    const env = environOf(pid);
    const port = Number(env.get('SAGEMAKER_BIND_TO_PORT'));
    const m = MODEL_DIR.exec(env.get('MLZONE_MODEL_DIR') ?? '');
    if (!port || !m) continue;
    out.push({ pid, port, accountId: m[1]!, endpoint: m[2]!, variant: m[3]!, startedMs: stat.starttime * TICK_MS });
  }
  return out.sort((a, b) => a.startedMs - b.startedMs || a.pid - b.pid);
}

/** Memory of one process, KiB: /proc/<pid>/status VmRSS and the /proc/<pid>/smaps_rollup totals. */
export interface ProcessMemory {
  readonly rss: number;
  /** Proportional set size: each shared page divided by the number of processes mapping it. */
  readonly pss: number;
  readonly pssAnon: number;
  readonly pssFile: number;
  readonly sharedClean: number;
  readonly sharedDirty: number;
  readonly privateClean: number;
  readonly privateDirty: number;
  readonly anonymous: number;
}

export function processMemory(pid: number): ProcessMemory | undefined {
  let rollup: string;
  let status: string;
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return {
    rss: kb(status, 'VmRSS'),
    pss: kb(rollup, 'Pss'),
    pssAnon: kb(rollup, 'Pss_Anon'),
    pssFile: kb(rollup, 'Pss_File'),
    sharedClean: kb(rollup, 'Shared_Clean'),
    sharedDirty: kb(rollup, 'Shared_Dirty'),
    privateClean: kb(rollup, 'Private_Clean'),
    privateDirty: kb(rollup, 'Private_Dirty'),
    anonymous: kb(rollup, 'Anonymous'),
  };
}

/** Sum of VmRSS (KiB) and the number of live processes in the process group `pgid` (a container is one group). */
export function groupRss(pgid: number): { rss: number; processes: number } {
  let rss = 0;
  let processes = 0;
  for (const pid of pids()) {
    const stat = statOf(pid);
    if (stat === undefined || stat.pgid !== pgid || stat.state === 'Z') continue;
    processes++;
    rss += processMemory(pid)?.rss ?? 0;
  }
  return { rss, processes };
}

/** How to start one container program by hand, as mlzone's runtime would (src/runtime/launch.ts). */
export interface BareContainer {
  readonly command: string;
  readonly args: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
}

/** The built-in linear-learner server from the build (dist/runtime/builtin-serve.cjs). */
export function builtinContainer(modelDir: string): BareContainer {
  return { command: process.execPath, args: [join(ROOT, 'dist', 'runtime', 'builtin-serve.cjs')], environment: { MLZONE_ALGORITHM: 'linear-learner', MLZONE_MODEL_DIR: modelDir, SM_MODEL_DIR: modelDir } };
}

/** mlzone's scikit-learn shim (src/runtime/python/serve.py) with Debian's Python. */
export function sklearnContainer(python: string, modelDir: string, environment: Readonly<Record<string, string>>): BareContainer {
  return {
    command: python,
    args: ['-u', '-B', join(ROOT, 'src', 'runtime', 'python', 'serve.py')],
    environment: { MLZONE_FRAMEWORK: 'sklearn', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', MLZONE_MODEL_DIR: modelDir, SM_MODEL_DIR: modelDir, ...environment },
  };
}

/**
 * Spawns `c` (on `cpu` when given) and polls GET /ping every `intervalMs` on a fresh connection until 200; resolves
 * with the ms from spawn to that answer, then stops it. Rejects (after stopping it) when it exits or takes over
 * `timeoutMs`.
 */
export async function bareStartMs(c: BareContainer, cpu: number | undefined, opts = { intervalMs: 2, timeoutMs: 30_000 }): Promise<number> {
  const port = await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: process.env.LANG ?? 'C.UTF-8', ...c.environment, SAGEMAKER_BIND_TO_PORT: String(port) };
  const [command, argv] = pinned(cpu, c.command, c.args);
  const t0 = performance.now();
  const child: ChildProcess = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (err.length < 4000) err += b.toString();
  });
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${c.command} exited (${child.exitCode ?? child.signalCode}) before answering /ping: ${err.trim()}`);
      if ((await getStatus(`http://127.0.0.1:${port}/ping`, 1000)) === 200) return performance.now() - t0;
      if (performance.now() - t0 > opts.timeoutMs) throw new Error(`${c.command} did not answer /ping within ${opts.timeoutMs} ms: ${err.trim()}`);
      await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
  }
}
