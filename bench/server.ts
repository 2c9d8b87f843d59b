/**
 * Starting and stopping the processes under test (mlzone and the ceiling) for the benchmarks: each runs as its own
 * child process on a loopback port, and is stopped by its own pid (SIGTERM, then SIGKILL after a bounded wait).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MLZONE_BIN = join(ROOT, 'bin', 'mlzone.js');

export interface Child {
  readonly pid: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** stderr so far (for error reports). */
  stderr(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One GET; resolves with the status (0 when the connection failed or timed out). */
export function getStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), graceMs).unref());
  if ((await Promise.race([exited(child).then(() => 'ok' as const), timer])) === 'late') {
    child.kill('SIGKILL');
    await exited(child);
  }
}

function wrap(child: ChildProcess, url: string, err: () => string): Child {
  return { pid: child.pid!, url, process: child, stderr: err, stop: () => stopChild(child) };
}

/** Polls `url` every `intervalMs` until it answers 200; resolves with the elapsed ms or rejects after `timeoutMs`. */
export async function waitFor200(url: string, child: ChildProcess, t0: number, opts: { intervalMs: number; timeoutMs: number }): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before answering`);
    if ((await getStatus(url, 1000)) === 200) return performance.now() - t0;
    if (performance.now() - t0 > opts.timeoutMs) throw new Error(`no 200 from ${url} within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}

/**
 * `taskset -c <cpu>` before a command when `cpu` is set and taskset exists (Debian's util-linux), so that a server
 * and its load generator each get a core of their own instead of being moved around and preempting each other.
 */
export function pinned(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  if (cpu === undefined || !hasTaskset()) return [command, [...args]];
  return ['taskset', ['-c', String(cpu), command, ...args]];
}
let taskset: boolean | undefined;
function hasTaskset(): boolean {
  return (taskset ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0);
}

export interface MlzoneOptions {
  readonly auth: 'strict' | 'accounts' | 'off';
  /** Run the server on this CPU only (see `pinned`). */
  readonly cpu?: number;
  /** Undefined: --ephemeral. */
  readonly dataDir?: string;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  readonly port?: number;
  /** More `mlzone up` options (e.g. `--audit-max-events 20000`). */
  readonly args?: readonly string[];
}

/** Spawns `node bin/mlzone.js up …`; `ready` resolves with the ms from spawn to the first 200 from /_mlzone/health. */
export async function spawnMlzone(opts: MlzoneOptions, poll = { intervalMs: 5, timeoutMs: 30_000 }): Promise<Child & { readyMs: number }> {
  const port = opts.port ?? (await freePort());
  const storage = opts.dataDir === undefined ? ['--ephemeral'] : ['--data-dir', opts.dataDir];
  const args = [...(opts.nodeArgs ?? []), MLZONE_BIN, 'up', '--host', '127.0.0.1', '--port', String(port), '--auth', opts.auth, ...storage, ...(opts.args ?? [])];
  const t0 = performance.now();
  const [command, argv] = pinned(opts.cpu, process.execPath, args);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += c.toString();
  });
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyMs = await waitFor200(`${url}/_mlzone/health`, child, t0, poll);
    return { ...wrap(child, url, () => err), readyMs };
  } catch (e) {
    await stopChild(child);
    throw new Error(`mlzone did not start: ${(e as Error).message}\n${err}`);
  }
}

/** Spawns the bare node:http ceiling server (bench/ceiling.ts). */
export async function spawnCeiling(cpu?: number): Promise<Child> {
  const port = await freePort();
  const [command, argv] = pinned(cpu, process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ceiling.ts'), '--port', String(port)]);
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${url}/`, child, performance.now(), { intervalMs: 20, timeoutMs: 30_000 });
  } catch (e) {
    await stopChild(child);
    throw new Error(`ceiling did not start: ${(e as Error).message}\n${err}`);
  }
  return wrap(child, url, () => err);
}
