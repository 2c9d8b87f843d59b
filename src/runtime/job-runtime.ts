/**
 * Job containers (training and processing) as process groups (ARCHITECTURE.md §7): a job runs to completion — no
 * /ping, no restart — in its own process group, which `stop()` and mlzone's death (the guard of process-group.ts)
 * kill as a whole, as `docker stop` would.
 *
 * Life of a job:
 *   start    prepare the job directory (the contract's config files and folders) → spawn, under `unshare` with
 *            the job directory on /opt/ml where the machine allows (opt-ml.ts) → resolve once the process runs
 *            └─ the program is missing / cannot start → ContainerError('start'), nothing left running
 *   running  every output line → spec.log and a tail (tabs written as `#011`, as CloudWatch shows them, so AWS's
 *            metric regexes match)
 *   exited   the main process ends → whatever else of its group still runs is killed → `exited` resolves with
 *            the exit code or signal and the last lines
 *   stop     SIGTERM to the group → SIGKILL after the grace period → `exited` resolves
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { jobPlan } from './job-launch.js';
import type { JobPlan } from './job-launch.js';
import { hostEnvironment } from './launch.js';
import { OPT_ML, detectOptMl, hostPath, namespaceCommand } from './opt-ml.js';
import type { OptMlMode } from './opt-ml.js';
import { LineSplitter, OutputTail, groupAlive, guardGroup, signalGroup } from './process-group.js';
import { channelNames, trainingConfigFiles } from './training-contract.js';
import { ContainerError } from './types.js';
import type { JobContainerSpec, JobExit, JobRuntime, RunningJobContainer } from './types.js';

export interface JobRuntimeOptions {
  /** The Python for framework images. */
  readonly python: string;
  /** Extra Node.js flags for the built-in algorithms. */
  readonly nodeArgs: readonly string[];
  /** Between SIGTERM and SIGKILL on stop. */
  readonly stopGraceMs: number;
  /** `host` runs every job with host paths even where `/opt/ml` could be mounted (tests; debugging). */
  readonly optMl: 'auto' | 'host';
}

/** The job side of the process runtime; `createProcessRuntime()` exposes it as `JobRuntime`. */
export interface ProcessJobRuntime extends JobRuntime {
  /** Jobs whose process has not ended yet. */
  runningJobs(): readonly RunningJobContainer[];
  /** Synchronous last resort when the Node.js process exits. */
  killAll(): void;
  /** Stops every job and refuses new ones. */
  close(): Promise<void>;
}

/** Lines of output kept for `JobExit.tail`. */
const TAIL_LINES = 40;

export function createJobRuntime(options: JobRuntimeOptions): ProcessJobRuntime {
  const jobs = new Set<ProcessJob>();
  let closed = false;
  let pythonBin: string | undefined;
  /** A folder with `python` and `python3` linked to mlzone's Python, put first on framework jobs' PATH. */
  const pythonDir = (path: string | undefined): string | undefined => {
    if (pythonBin !== undefined) return pythonBin;
    const python = findProgram(options.python, path, process.cwd());
    if (python === undefined) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'mlzone-python-'));
    for (const name of ['python', 'python3']) symlinkSync(python, join(dir, name));
    pythonBin = dir;
    return dir;
  };
  let mode: Promise<OptMlMode> | undefined;
  const optMl = (): Promise<OptMlMode> => {
    if (options.optMl === 'host') return Promise.resolve({ kind: 'host', reason: 'the runtime was configured to use host paths (optMl: host)' });
    mode ??= detectOptMl();
    return mode;
  };

  return {
    async startJob(spec) {
      if (closed) throw new ContainerError('start', 'the container runtime is shut down');
      const jobDir = resolve(spec.jobDir);
      const how = await optMl();
      const base = how.kind === 'namespace' ? OPT_ML : jobDir;
      let plan: JobPlan;
      try {
        prepareJobDir({ ...spec, jobDir }, base);
        plan = jobPlan({ ...spec, jobDir }, base, { python: options.python, nodeArgs: options.nodeArgs, numCpus: availableParallelism() });
      } catch (e) {
        if (e instanceof ContainerError) throw e;
        throw new ContainerError('start', `cannot prepare the job: ${(e as Error).message}`);
      }
      const env = { ...hostEnvironment(), ...plan.imageEnvironment, ...spec.environment, ...plan.contractEnvironment };
      if (plan.pythonOnPath) {
        const dir = pythonDir(env.PATH);
        if (dir !== undefined) env.PATH = env.PATH ? `${dir}${delimiter}${env.PATH}` : dir;
      }
      const toHost = (p: string) => (how.kind === 'namespace' ? p : hostPath(p, jobDir));
      const argv = how.kind === 'namespace' ? [...plan.argv] : plan.argv.map(toHost);
      const program = argv[0];
      if (findProgram(hostPath(program, jobDir), env.PATH, hostPath(plan.cwd, jobDir)) === undefined) {
        const error = Object.assign(new Error(`spawn ${program} ENOENT`), { code: 'ENOENT' }) as NodeJS.ErrnoException;
        throw new ContainerError('start', plan.describeSpawnError?.(error) ?? `cannot run ${program}: no such program`);
      }
      const { command, args, cwd, environment } =
        how.kind === 'namespace'
          ? { ...namespaceCommand(how, jobDir, plan.cwd, argv, env), cwd: jobDir }
          : { command: program, args: argv.slice(1), cwd: hostPath(plan.cwd, jobDir), environment: env };
      const job = new ProcessJob(spec, options.stopGraceMs, () => jobs.delete(job));
      if (how.kind === 'host') job.note(`/opt/ml is not available to this job: ${how.reason}. The job runs with host paths: its /opt/ml is ${jobDir} (the SM_* variables point there and arguments starting with /opt/ml/ were rewritten; paths hardcoded in the job's own code are not)`);
      jobs.add(job);
      await job.spawn(command, args, cwd, environment, plan.describeSpawnError);
      return job;
    },
    runningJobs() {
      return [...jobs];
    },
    killAll() {
      for (const j of jobs) j.killNow();
    },
    async close() {
      closed = true;
      await Promise.all([...jobs].map((j) => j.stop()));
      if (pythonBin !== undefined) rmSync(pythonBin, { recursive: true, force: true });
      pythonBin = undefined;
    },
  };
}

/** Writes the contract's files and creates its folders in the job directory (host paths). */
export function prepareJobDir(spec: JobContainerSpec, base: string): void {
  const dir = spec.jobDir;
  if (spec.kind === 'training') {
    const configDir = join(dir, 'input', 'config');
    mkdirSync(configDir, { recursive: true });
    const files = trainingConfigFiles({
      basePath: base,
      hyperParameters: spec.hyperParameters ?? {},
      channels: spec.channels ?? [],
      channelConfig: spec.channelConfig,
      hosts: spec.hosts,
      currentHost: spec.currentHost,
      instanceType: spec.instanceType,
      numCpus: 1,
    });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(configDir, name), text);
    for (const channel of channelNames({ channels: spec.channels ?? [], channelConfig: spec.channelConfig })) mkdirSync(join(dir, 'input', 'data', channel), { recursive: true });
    for (const sub of ['model', join('output', 'data'), 'checkpoints']) mkdirSync(join(dir, sub), { recursive: true });
  } else {
    mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'config', 'resourceconfig.json'), JSON.stringify({ current_host: spec.currentHost, hosts: [...spec.hosts] }));
    mkdirSync(join(dir, 'output'), { recursive: true });
  }
}

/** The file `program` runs, found as the kernel would (a path, or a name searched in PATH); undefined if none. */
function findProgram(program: string, path: string | undefined, cwd: string): string | undefined {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) {
    const p = isAbsolute(program) ? program : resolve(cwd, program);
    return runnable(p) ? p : undefined;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, program);
    if (existsSync(p) && runnable(p)) return p;
  }
  return undefined;
}

class ProcessJob implements RunningJobContainer {
  readonly name: string;
  readonly exited: Promise<JobExit>;
  private settle!: (exit: JobExit) => void;
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopped: Promise<void> | undefined;
  private readonly tail = new OutputTail(TAIL_LINES);

  constructor(
    private readonly spec: JobContainerSpec,
    private readonly stopGraceMs: number,
    private readonly onEnded: () => void,
  ) {
    this.name = spec.name;
    this.exited = new Promise((r) => (this.settle = r));
  }

  get pid(): number | undefined {
    return this.exit === undefined ? this.child?.pid : undefined;
  }

  /** Starts the process; rejects with ContainerError('start') when it cannot be started. */
  spawn(command: string, args: readonly string[], cwd: string, env: Record<string, string>, describe?: (e: NodeJS.ErrnoException) => string): Promise<void> {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onLine = (line: string) => this.line(line);
    const out = new LineSplitter(onLine);
    const err = new LineSplitter(onLine);
    child.stdout?.on('data', (c: Buffer) => out.write(c));
    child.stderr?.on('data', (c: Buffer) => err.write(c));
    return new Promise((resolveStart, rejectStart) => {
      // `on`, not `once`: a later 'error' (a failed kill) without a listener would crash mlzone.
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return;
        this.onEnded();
        rejectStart(new ContainerError('start', describe?.(e) ?? `cannot run ${command}: ${e.message}`));
      });
      child.once('spawn', () => {
        const pid = child.pid as number;
        const guard = guardGroup(pid);
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          out.flush();
          err.flush();
          this.onEnded();
          const exit = this.exit ?? { code: null, signal: null };
          this.settle({ code: exit.code, signal: exit.signal, tail: this.tail.last(TAIL_LINES) });
        };
        child.once('exit', (code, signal) => {
          this.exit = { code, signal };
          // A container ends with its main process: nothing of its group may outlive it.
          signalGroup(pid, 'SIGKILL');
          guard.stdin?.end();
          // Orphans that held the pipes are killed above; the output is complete once the pipes close.
          const timer = setTimeout(finish, 200);
          child.once('close', () => {
            clearTimeout(timer);
            finish();
          });
        });
        resolveStart();
      });
    });
  }

  stop(): Promise<void> {
    this.stopped ??= this.terminate();
    return this.stopped;
  }

  killNow(): void {
    const pid = this.pid;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }

  /** A line of mlzone's own in the job's log. */
  note(message: string): void {
    this.line(`mlzone: ${message}`);
  }

  private line(raw: string): void {
    // CloudWatch shows a tab as #011 (syslog's escape), and AWS's metric regexes are written against that.
    const line = raw.includes('\t') ? raw.replace(/\t/g, '#011') : raw;
    this.tail.push(line);
    try {
      this.spec.log(line);
    } catch {
      // A failing log sink must not take the server down with it; the line stays in the tail.
    }
  }

  private async terminate(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    if (this.exit === undefined) {
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.stopGraceMs)))]);
      clearTimeout(timer);
      if (!graceful) signalGroup(pid, 'SIGKILL');
    }
    await this.exited;
    signalGroup(pid, 'SIGKILL');
    // SIGKILL is delivered asynchronously; stop() promises that nothing is left, so wait (bounded) until it is so.
    for (let i = 0; i < 100 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  }
}
