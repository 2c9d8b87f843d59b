/**
 * The `process` container runtime (ARCHITECTURE.md §7): each hosting container is a supervised child process
 * group speaking the SageMaker hosting contract (reference §4.2) on a loopback port. The same runtime runs job
 * containers (training, processing) to completion; that side lives in job-runtime.ts.
 *
 * Life of an instance:
 *   start    spawn (own process group) → poll GET /ping until 200 ──► healthy
 *            └─ exits first / startup timeout passes → kill the group, reject with the output's last lines
 *   healthy  main process dies ──► unhealthy at once → kill what is left of the group → wait (backoff 100 ms,
 *            doubling to 5 s) → respawn on the same port → /ping 200 ──► healthy again
 *   stop     SIGTERM to the group → SIGKILL after the grace period (5 s; AWS waits 30) → no more restarts
 *
 * When the main process exits, the rest of its group is killed too: a container ends with its main process,
 * and an orphan left listening on the port would answer for the next incarnation.
 *
 * `invoke` is the hot path of InvokeEndpoint: one keep-alive agent per instance, no per-call work beyond the
 * request itself, and every call ends — with the container's answer (any status), 'invoke-timeout' or
 * 'unavailable' (never a hang).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { createJobRuntime } from './job-runtime.js';
import { containerEnvironment, defaultLaunch, defaultPython } from './launch.js';
import type { LaunchCommand } from './launch.js';
import { LineSplitter, OutputTail, freePort, groupAlive, guardGroup, ping, signalGroup, treeRssBytes } from './process-group.js';
import { ContainerError } from './types.js';
import type {
  ContainerRuntime,
  HostingContainer,
  HostingContainerSpec,
  InvocationRequest,
  InvocationResponse,
  JobRuntime,
  RunningJobContainer,
  RuntimeImage,
  StreamedInvocationResponse,
} from './types.js';

export type { LaunchCommand } from './launch.js';

export interface ProcessRuntimeOptions {
  /** The Python for framework images; default `MLZONE_PYTHON`, then `/usr/bin/python3` if it exists, then `python3`. */
  readonly python?: string;
  /** Extra Node.js flags for the built-in algorithms' processes (e.g. `--max-old-space-size=64`). */
  readonly nodeArgs?: readonly string[];
  /** Overrides how an image is launched; return undefined to keep the default. */
  readonly commandFor?: (image: RuntimeImage, spec: HostingContainerSpec) => LaunchCommand | undefined;
  /** Between SIGTERM and SIGKILL on stop; default 5000 ms. */
  readonly stopGraceMs?: number;
  /** Restart backoff: first delay and cap; default 100 ms doubling to 5000 ms. */
  readonly restartBackoffMs?: { readonly initial: number; readonly max: number };
  /**
   * How jobs see `/opt/ml`: `auto` (default) mounts the job directory there in a private mount namespace where the
   * machine allows it, else uses host paths; `host` always uses host paths. See opt-ml.ts.
   */
  readonly optMl?: 'auto' | 'host';
}

/** The process runtime: hosting containers and job containers, stopped together by `close()`. */
export type ProcessRuntime = ContainerRuntime &
  JobRuntime & {
    /** Jobs whose process has not ended yet, for `mlzone status`. */
    runningJobs(): readonly RunningJobContainer[];
  };

interface Settings {
  readonly stopGraceMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

/** A container that stays healthy this long gets the initial restart delay again when it next dies. */
const STABLE_MS = 10_000;
/** Lines of output quoted in a failure reason. */
const REASON_LINES = 20;
const PING_TIMEOUT_MS = 2_000;
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: NodeJS.ErrnoException;
}

/** One incarnation of the container's main process. */
interface Proc {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  exit: Exit | undefined;
  /** Settles once the process exited and its output was read (or shortly after, if orphans hold the pipes). */
  readonly exited: Promise<void>;
}

type Outcome = 'ready' | 'exited' | 'timeout' | 'stopped';

/**
 * Creates the runtime. Nothing starts until `startHosting` or `startJob`; `close()` stops every instance and job,
 * and those still running when the Node.js process exits are killed by an exit hook (they are detached, so nothing
 * else would; the guard of each group covers a SIGKILLed mlzone).
 */
export function createProcessRuntime(options: ProcessRuntimeOptions = {}): ProcessRuntime {
  const launchOptions = { python: options.python ?? defaultPython(), nodeArgs: options.nodeArgs ?? [] };
  const settings: Settings = {
    stopGraceMs: options.stopGraceMs ?? 5_000,
    backoffInitialMs: options.restartBackoffMs?.initial ?? 100,
    backoffMaxMs: options.restartBackoffMs?.max ?? 5_000,
  };
  const instances = new Set<ProcessContainer>();
  const jobs = createJobRuntime({ ...launchOptions, stopGraceMs: settings.stopGraceMs, optMl: options.optMl ?? 'auto' });
  let closed = false;
  const killAll = () => {
    for (const c of instances) c.killNow();
    jobs.killAll();
  };
  let hooked = false;
  const hook = () => {
    if (!hooked) {
      process.on('exit', killAll);
      hooked = true;
    }
  };

  return {
    async startJob(spec) {
      if (closed) throw new ContainerError('start', 'the container runtime is shut down');
      hook();
      return jobs.startJob(spec);
    },
    runningJobs() {
      return jobs.runningJobs();
    },
    async startHosting(spec) {
      if (closed) throw new ContainerError('start', 'the container runtime is shut down');
      let launch: LaunchCommand;
      try {
        launch = options.commandFor?.(spec.image, spec) ?? defaultLaunch(spec.image, launchOptions);
      } catch (e) {
        if (e instanceof ContainerError) throw e;
        throw new ContainerError('start', `cannot prepare the container: ${(e as Error).message}`);
      }
      await mkdir(spec.workDir, { recursive: true });
      const port = await freePort();
      const container = new ProcessContainer(spec, port, launch, containerEnvironment(spec, port, launch), settings, () => instances.delete(container));
      instances.add(container);
      hook();
      try {
        await container.start();
      } catch (e) {
        instances.delete(container);
        throw e;
      }
      return container;
    },
    running() {
      return [...instances].filter((c) => c.isRunning());
    },
    async close() {
      closed = true;
      await Promise.all([...[...instances].map((c) => c.stop()), jobs.close()]);
      if (hooked) process.off('exit', killAll);
      hooked = false;
    },
  };
}

class ProcessContainer implements HostingContainer {
  readonly name: string;
  private current: Proc | undefined;
  private isHealthy = false;
  private started = false;
  private healthySince = 0;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly stopSignal = new AbortController();
  private readonly tail = new OutputTail();
  private readonly agent = new Agent({ keepAlive: true, scheduling: 'lifo' });

  constructor(
    private readonly spec: HostingContainerSpec,
    readonly port: number,
    private readonly launch: LaunchCommand,
    private readonly env: Record<string, string>,
    private readonly settings: Settings,
    private readonly onStopped: () => void,
  ) {
    this.name = spec.name;
  }

  get pid(): number | undefined {
    const proc = this.current;
    return proc !== undefined && proc.exit === undefined ? proc.pid : undefined;
  }

  healthy(): boolean {
    return this.isHealthy;
  }

  isRunning(): boolean {
    return this.started && !this.stopping;
  }

  rssBytes(): number | undefined {
    const pid = this.pid;
    return pid === undefined ? undefined : treeRssBytes(pid);
  }

  /** The first start; rejects with a ContainerError after making sure nothing of the instance runs. */
  async start(): Promise<void> {
    const deadline = Date.now() + this.spec.startupTimeoutMs;
    const proc = this.spawnProc();
    const outcome = await this.waitReady(proc, deadline);
    if (outcome === 'ready') {
      this.started = true;
      this.isHealthy = proc.exit === undefined;
      this.healthySince = Date.now();
      void this.supervise();
      return;
    }
    this.stopping = true;
    this.stopSignal.abort();
    await this.terminate(proc);
    this.agent.destroy();
    throw this.startFailure(proc, outcome);
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Synchronous last resort when the Node.js process exits. */
  killNow(): void {
    const pid = this.current?.pid;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.isHealthy = false;
    this.stopSignal.abort();
    const proc = this.current;
    if (proc !== undefined) await this.terminate(proc);
    this.agent.destroy();
    this.onStopped();
  }

  private spawnProc(): Proc {
    const child = spawn(this.launch.command, this.launch.args, {
      cwd: this.launch.cwd ?? this.spec.workDir,
      env: this.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const guard = child.pid !== undefined ? guardGroup(child.pid) : undefined;
    let settle!: () => void;
    const proc: Proc = { child, pid: child.pid, exit: undefined, exited: new Promise<void>((r) => (settle = r)) };
    this.current = proc;
    const onLine = (line: string) => {
      this.tail.push(line);
      try {
        this.spec.log?.(line);
      } catch {
        // A failing log sink must not take the server down with it; the line stays in the tail.
      }
    };
    const out = new LineSplitter(onLine);
    const err = new LineSplitter(onLine);
    child.stdout?.on('data', (c: Buffer) => out.write(c));
    child.stderr?.on('data', (c: Buffer) => err.write(c));
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      out.flush();
      err.flush();
      settle();
    };
    child.on('exit', (code, signal) => {
      proc.exit = { code, signal };
      if (this.current === proc) this.isHealthy = false;
      // The container ends with its main process: nothing of its group may outlive it (see the header).
      if (proc.pid !== undefined) signalGroup(proc.pid, 'SIGKILL');
      guard?.stdin?.end();
      const timer = setTimeout(finish, 200);
      child.once('close', () => {
        clearTimeout(timer);
        finish();
      });
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Only a failed spawn matters here (the program is missing or not executable); the child never ran.
      if (proc.pid === undefined && proc.exit === undefined) {
        proc.exit = { code: null, signal: null, error: e };
        finish();
      }
    });
    return proc;
  }

  private async waitReady(proc: Proc, deadline: number): Promise<Outcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) return 'stopped';
      if (proc.exit !== undefined) return 'exited';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      const status = await Promise.race([ping(this.port, Math.min(PING_TIMEOUT_MS, left)), proc.exited.then(() => -1)]);
      if (this.stopping) return 'stopped';
      if (proc.exit !== undefined) return 'exited';
      if (status === 200) return 'ready';
      // Poll fast while a quick server comes up, then back off a little for slow ones (Python importing sklearn).
      const wait = Math.min(attempt < 50 ? 20 : 100, deadline - Date.now());
      if (wait > 0) await Promise.race([sleep(wait, this.stopSignal.signal), proc.exited]);
    }
  }

  private async supervise(): Promise<void> {
    let backoff = this.settings.backoffInitialMs;
    for (;;) {
      const dead = this.current as Proc;
      await dead.exited;
      if (this.stopping) return;
      if (Date.now() - this.healthySince >= STABLE_MS) backoff = this.settings.backoffInitialMs;
      this.note(`the container exited (${describeExit(dead.exit)}); restarting it in ${backoff} ms`);
      for (;;) {
        await sleep(backoff, this.stopSignal.signal);
        if (this.stopping) return;
        backoff = Math.min(backoff * 2, this.settings.backoffMaxMs);
        const next = this.spawnProc();
        const outcome = await this.waitReady(next, Date.now() + this.spec.startupTimeoutMs);
        if (this.stopping) return;
        if (outcome === 'ready') {
          this.isHealthy = next.exit === undefined;
          this.healthySince = Date.now();
          this.note('the restarted container answers /ping; it is healthy again');
          break;
        }
        if (outcome === 'timeout') {
          this.note(`the restarted container did not answer /ping within ${this.spec.startupTimeoutMs} ms; restarting it in ${backoff} ms`);
          await this.terminate(next);
          if (this.stopping) return;
        } else {
          this.note(`the restarted container exited (${describeExit(next.exit)}); restarting it in ${backoff} ms`);
        }
      }
    }
  }

  /** Ends the process and its whole group: SIGTERM, SIGKILL after the grace period, then waits for them to die. */
  private async terminate(proc: Proc): Promise<void> {
    const pid = proc.pid;
    if (pid === undefined) return;
    if (proc.exit === undefined) {
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([proc.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.settings.stopGraceMs)))]);
      clearTimeout(timer);
      if (!graceful) signalGroup(pid, 'SIGKILL');
    }
    await proc.exited;
    signalGroup(pid, 'SIGKILL');
    // SIGKILL is delivered asynchronously; stop() promises that nothing is left, so wait (bounded) until it is so.
    for (let i = 0; i < 100 && groupAlive(pid); i++) await sleep(10);
  }

  private note(message: string): void {
    try {
      this.spec.log?.(`mlzone: ${message}`);
    } catch {
      // see spawnProc
    }
  }

  private startFailure(proc: Proc, outcome: Outcome): ContainerError {
    const exit = proc.exit;
    if (exit?.error !== undefined) {
      const e = exit.error;
      return new ContainerError('start', this.launch.describeSpawnError?.(e) ?? `cannot start ${this.launch.command}: ${e.message}`);
    }
    if (outcome === 'stopped') return new ContainerError('start', 'the container was stopped while it was starting');
    const lines = this.tail.last(REASON_LINES);
    // Lines starting with `mlzone: ` are our own servers explaining themselves (a missing package, a bad model).
    const explained = lines.filter((l) => l.startsWith('mlzone: ')).map((l) => l.slice('mlzone: '.length));
    const lead = explained.length > 0 ? `${explained[explained.length - 1]}. ` : '';
    const output = lines.length > 0 ? `\nLast output of the container:\n${lines.join('\n')}` : '\nThe container wrote no output.';
    if (outcome === 'timeout') {
      const seconds = Math.round(this.spec.startupTimeoutMs / 100) / 10;
      return new ContainerError(
        'ping-timeout',
        `${lead}The container did not answer GET /ping with 200 within ${seconds} s (ContainerStartupHealthCheckTimeoutInSeconds); it must listen on SAGEMAKER_BIND_TO_PORT.${output}`,
      );
    }
    return new ContainerError('exited', `${lead}The container exited (${describeExit(exit)}) before answering GET /ping.${output}`);
  }

  invoke(req: InvocationRequest): Promise<InvocationResponse> {
    if (!this.isHealthy) return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => this.send(req, resolve, reject, false));
  }

  private send(req: InvocationRequest, resolve: (r: InvocationResponse) => void, reject: (e: Error) => void, retried: boolean): void {
    let done = false;
    const r = request(
      { agent: this.agent, host: '127.0.0.1', port: this.port, method: 'POST', path: '/invocations', headers: invocationHeaders(req) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
            contentType: res.headers['content-type'],
            customAttributes: customAttributesOf(res),
          });
        });
        res.on('close', () => {
          if (done || res.complete) return;
          done = true;
          clearTimeout(timer);
          reject(new ContainerError('unavailable', 'the container closed the connection before it finished its answer'));
        });
      },
    );
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      r.destroy();
      reject(new ContainerError('invoke-timeout', `the container did not answer /invocations within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // A kept-alive connection the server closed just as we reused it: the request never reached the server.
      if (!retried && r.reusedSocket && e.code === 'ECONNRESET') {
        this.send(req, resolve, reject, true);
        return;
      }
      reject(this.unavailable(e));
    });
    r.end(req.body);
  }

  invokeStream(req: InvocationRequest): Promise<StreamedInvocationResponse> {
    if (!this.isHealthy) return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let answered = false;
      const r = request(
        { agent: this.agent, host: '127.0.0.1', port: this.port, method: 'POST', path: '/invocations', headers: invocationHeaders(req) },
        (res) => {
          answered = true;
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            customAttributes: customAttributesOf(res),
            chunks: streamBody(res, timer, () => timedOut, req.timeoutMs),
          });
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        r.destroy();
        if (!answered) reject(new ContainerError('invoke-timeout', `the container did not answer /invocations within ${req.timeoutMs} ms`));
      }, req.timeoutMs);
      r.on('error', (e) => {
        if (answered || timedOut) return;
        clearTimeout(timer);
        reject(this.unavailable(e));
      });
      r.end(req.body);
    });
  }

  private unavailable(cause?: Error): ContainerError {
    if (cause !== undefined) return new ContainerError('unavailable', `cannot reach the container of ${this.name}: ${cause.message}`);
    return new ContainerError('unavailable', `the container of ${this.name} is ${this.stopping ? 'stopped' : 'restarting'}`);
  }
}

async function* streamBody(res: IncomingMessage, timer: NodeJS.Timeout, timedOut: () => boolean, timeoutMs: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
    if (!res.complete) throw new Error('connection closed');
  } catch (e) {
    if (timedOut()) throw new ContainerError('invoke-timeout', `the container did not finish its answer to /invocations within ${timeoutMs} ms`);
    throw new ContainerError('unavailable', `the container's answer broke off: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    if (!res.complete) res.destroy();
  }
}

function invocationHeaders(req: InvocationRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'Content-Length': req.body.byteLength };
  if (req.contentType !== undefined) headers['Content-Type'] = req.contentType;
  if (req.accept !== undefined) headers.Accept = req.accept;
  if (req.customAttributes !== undefined) headers['X-Amzn-SageMaker-Custom-Attributes'] = req.customAttributes;
  return headers;
}

function customAttributesOf(res: IncomingMessage): string | undefined {
  const v = res.headers['x-amzn-sagemaker-custom-attributes'];
  return Array.isArray(v) ? v.join(',') : v;
}

function describeExit(exit: Exit | undefined): string {
  if (exit === undefined) return 'still running';
  if (exit.error !== undefined) return exit.error.message;
  return exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal}`;
}

/** Resolves after `ms`, or at once when `signal` aborts (no rejection: callers check their own state). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
