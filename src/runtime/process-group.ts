/**
 * The operating-system side of a container that is a child process group: signalling the whole group, reading
 * its memory from /proc, keeping its last output lines, probing its port. Separate from process-runtime.ts so
 * the supervision logic there reads as a state machine, without syscalls in between.
 *
 * A container's main process is started `detached` (its own process group, pgid = its pid), so a signal to
 * `-pid` reaches everything it started, like `docker stop` reaches a container's whole PID namespace.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** Sends `signal` to every process in the group led by `pid`; false when the group no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A watcher for one container's process group: a shell that waits for EOF on a pipe only mlzone holds open, then
 * kills the group. When mlzone dies, even by SIGKILL, the pipe closes and the container goes with it, so no orphan
 * keeps a port or a model loaded; when the container ends first, closing the pipe ends the watcher.
 */
export function guardGroup(pgid: number): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', 'cat >/dev/null; kill -KILL "-$1" 2>/dev/null', 'mlzone-guard', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.stdin?.on('error', () => undefined);
  guard.on('error', () => undefined);
  // Neither the watcher nor its pipe may keep mlzone's event loop alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return guard;
}

/**
 * Whether any process of the group led by `pgid` is still alive. Zombies do not count: an orphan that was
 * killed stays a zombie until init reaps it, and some sandboxes' init never does. Linux only (scans /proc);
 * elsewhere it falls back to a signal probe, which counts zombies.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readStat(Number(name));
    if (stat !== undefined && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

function readStat(pid: number): { state: string; pgid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgid: Number(fields[2]) };
}

/**
 * Resident memory (VmRSS) of `pid` and all its descendants, in bytes, from /proc; undefined when /proc cannot
 * tell (another OS, or the process is gone). Descendants are found through /proc/<pid>/task/<tid>/children.
 * VmRSS counts shared pages (the node or python binary) in every process, so the sum overstates what the
 * group adds to the machine.
 */
export function treeRssBytes(pid: number): number | undefined {
  const main = vmRssKb(pid);
  if (main === undefined) return undefined;
  let total = main;
  const seen = new Set<number>([pid]);
  const stack = childrenOf(pid);
  while (stack.length > 0) {
    const p = stack.pop() as number;
    if (seen.has(p)) continue;
    seen.add(p);
    total += vmRssKb(p) ?? 0;
    for (const c of childrenOf(p)) stack.push(c);
  }
  return total * 1024;
}

function vmRssKb(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  // A zombie has no VmRSS line: it holds no memory.
  return m === null ? 0 : Number(m[1]);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const p of text.split(' ')) if (p.trim() !== '') out.push(Number(p));
  }
  return out;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET /ping on a fresh connection; the status, or 0 when it cannot connect or takes longer than `timeoutMs`. */
export function ping(port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(status);
    };
    const req = get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', () => done(0));
      res.on('close', () => done(res.complete ? (res.statusCode ?? 0) : 0));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(0);
    }, timeoutMs);
    req.on('error', () => done(0));
  });
}

/** The last lines a container wrote (stdout and stderr interleaved), for failure reasons. */
export class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly capacity = 40) {}

  push(line: string): void {
    this.lines.push(line.length > 500 ? line.slice(0, 500) + '…' : line);
    if (this.lines.length > this.capacity * 2) this.lines.splice(0, this.lines.length - this.capacity);
  }

  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}

/** Splits a byte stream into lines (UTF-8), calling `onLine` for each complete one; `flush()` emits the rest. */
export class LineSplitter {
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(text.slice(start, end));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    // A process that never writes a newline must not grow this without bound.
    if (this.partial.length > 64 * 1024) {
      this.onLine(this.partial);
      this.partial = '';
    }
  }

  flush(): void {
    this.partial += this.decoder.end();
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
  }
}
