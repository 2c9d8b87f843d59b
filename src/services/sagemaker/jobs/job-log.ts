/**
 * A job's output lines, written to CloudWatch Logs as SageMaker does (group `/aws/sagemaker/TrainingJobs` or
 * `/aws/sagemaker/ProcessingJobs`, stream `<job>/algo-<n>-<epoch seconds>`) in batches through the `LogsSink`.
 * Metric definitions are matched line by line as the lines arrive: the last value of each metric is the final one.
 */
import { ContainerLog, type LogDestination } from '../hosting/container-log.js';
import type { HostingPorts } from '../hosting/ports.js';

export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

export class JobLog {
  private readonly out: ContainerLog;
  private readonly metrics: Array<{ name: string; re: RegExp }>;
  /** The last value each metric took, and when. */
  readonly finals = new Map<string, { value: number; at: number }>();
  readonly tail: string[] = [];

  constructor(
    ports: Pick<HostingPorts, 'logs' | 'log'>,
    readonly destination: LogDestination,
    definitions: readonly MetricDefinition[],
    private readonly now: () => number,
  ) {
    this.out = new ContainerLog(ports.logs, destination, now, ports.log);
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
    this.out.line(message);
    this.tail.push(message);
    if (this.tail.length > 50) this.tail.shift();
    for (const m of this.metrics) {
      const hit = m.re.exec(message);
      const value = hit?.[1] !== undefined ? Number(hit[1]) : NaN;
      if (Number.isFinite(value)) this.finals.set(m.name, { value, at });
    }
  }

  /** Resolves once every line so far is stored. */
  flush(): Promise<void> {
    return this.out.flush();
  }
}
