/**
 * The job queue: jobs wait in the database (InProgress, not yet started) and run on a pool of `concurrency` slots
 * in this process. A job's runner gets a control object: StopXxxJob and MaxRuntimeInSeconds stop it through
 * there, and shutdown leaves it InProgress, so the next start of mlzone runs it again (`restore`).
 */
import type { RunningJobContainer } from '../../../runtime/types.js';

export type StopReason = 'stop' | 'timeout' | 'shutdown';

/** What a running job exposes to the scheduler, and what tells the runner it must stop. */
export class JobControl {
  stopReason: StopReason | undefined;
  readonly containers = new Set<RunningJobContainer>();
  private readonly waiters: Array<() => void> = [];

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Resolves when the job is asked to stop (races the runner's waits). */
  whenStopped(): Promise<void> {
    return this.stopped ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  async stop(reason: StopReason): Promise<void> {
    if (this.stopReason === undefined) this.stopReason = reason;
    for (const w of this.waiters.splice(0)) w();
    await Promise.all([...this.containers].map((c) => c.stop()));
  }
}

export type JobRunner = (arn: string, control: JobControl) => Promise<void>;

export class JobScheduler {
  private readonly queue: Array<{ arn: string; run: JobRunner }> = [];
  private readonly running = new Map<string, JobControl>();
  private readonly active = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  submit(arn: string, run: JobRunner): void {
    if (this.closed) return;
    this.queue.push({ arn, run });
    this.pump();
  }

  /** Asks a queued or running job to stop. Returns 'queued' when it had not started (the caller marks it Stopped). */
  stop(arn: string): 'running' | 'queued' | 'unknown' {
    const control = this.running.get(arn);
    if (control) {
      void control.stop('stop');
      return 'running';
    }
    const i = this.queue.findIndex((q) => q.arn === arn);
    if (i >= 0) {
      this.queue.splice(i, 1);
      return 'queued';
    }
    return 'unknown';
  }

  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  /** Jobs in their slots now (for `mlzone status`). */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  async settle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  /** Stops every running job without recording an end: the next start runs them again. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all([...this.running.values()].map((c) => c.stop('shutdown')));
    await this.settle();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const control = new JobControl();
      this.running.set(next.arn, control);
      const done = next
        .run(next.arn, control)
        .catch((e: unknown) => this.log(`sagemaker: job ${next.arn} ended with an internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
        .finally(() => {
          this.running.delete(next.arn);
          this.active.delete(done);
          this.pump();
        });
      this.active.add(done);
    }
  }
}
