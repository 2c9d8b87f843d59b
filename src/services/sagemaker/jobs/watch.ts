/**
 * Wakes whoever follows a job (a pipeline step) when the job's record changes, so a step ends as soon as its job
 * does instead of at the next poll. Waits are registered before the follower reads the record, so a change between
 * the read and the wait is not lost; each wait also ends after `timeoutMs`, a safety net for changes made elsewhere
 * (another process, a restart).
 */
export class JobWatch {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves at the job's next change, or after `timeoutMs`. */
  next(jobArn: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(jobArn) ?? new Set<() => void>();
      this.waiters.set(jobArn, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(jobArn) === set) this.waiters.delete(jobArn);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      set.add(done);
    });
  }

  /** The job's record changed (called after the write committed). */
  changed(jobArn: string): void {
    const set = this.waiters.get(jobArn);
    if (set) for (const done of [...set]) done();
  }
}
