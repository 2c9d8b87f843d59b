/**
 * A job's output lines, kept as CloudWatch Logs would (group `/aws/sagemaker/TrainingJobs`, stream
 * `<job>/algo-1-<epoch seconds>`) in the database, written in batches so a chatty container costs few writes.
 * Metric definitions are matched line by line as the lines arrive: the last value of each metric is the final one.
 */
import type { Database } from '../../../persistence/db.js';
import { store } from '../store.js';

export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

export class JobLog {
  private pending: Array<{ at: number; message: string }> = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly metrics: Array<{ name: string; re: RegExp }>;
  /** The last value each metric took, and when. */
  readonly finals = new Map<string, { value: number; at: number }>();
  readonly tail: string[] = [];

  constructor(
    private readonly db: Database,
    readonly group: string,
    readonly stream: string,
    definitions: readonly MetricDefinition[],
    private readonly now: () => number,
  ) {
    this.metrics = [];
    for (const d of definitions) {
      try {
        this.metrics.push({ name: d.Name, re: new RegExp(d.Regex) });
      } catch {
        // A definition that is not a regular expression matches nothing (CreateTrainingJob checked the syntax).
      }
    }
  }

  line(message: string): void {
    const at = this.now();
    this.pending.push({ at, message });
    this.tail.push(message);
    if (this.tail.length > 50) this.tail.shift();
    for (const m of this.metrics) {
      const hit = m.re.exec(message);
      const value = hit?.[1] !== undefined ? Number(hit[1]) : NaN;
      if (Number.isFinite(value)) this.finals.set(m.name, { value, at });
    }
    this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => (lines.length ? this.db.transaction((trx) => store.appendLog(trx, this.group, this.stream, lines)) : undefined)).catch(() => undefined);
    return this.writing;
  }
}
