/**
 * A job's output lines, written to CloudWatch Logs as SageMaker does (group `/aws/sagemaker/TrainingJobs` or
 * `/aws/sagemaker/ProcessingJobs`, stream `<job>/algo-<n>-<epoch seconds>`) in batches through the `LogsSink`.
 * Metric definitions are matched line by line as the lines arrive: the last value of each metric is the final one,
 * and each value is published as SageMaker publishes training metrics: CloudWatch namespace
 * `/aws/sagemaker/TrainingJobs`, the definition's name, dimension `Host` = `<job>/algo-<n>`, through the
 * `MetricsSink` (batched like the lines).
 */
import type { MetricDatum } from '../../../core/observability.js';
import { ContainerLog, type LogDestination } from '../hosting/container-log.js';
import type { HostingPorts } from '../hosting/ports.js';

export const TRAINING_METRICS_NAMESPACE = '/aws/sagemaker/TrainingJobs';
/** How long a metric value waits for others before they are published together. */
const METRIC_FLUSH_MS = 1000;

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
  private pendingMetrics: MetricDatum[] = [];
  private publishing: Promise<void> = Promise.resolve();
  private metricTimer: NodeJS.Timeout | undefined;

  /** `host`: the `Host` dimension of the metrics (`<job>/algo-<n>`); without it the values are not published. */
  constructor(
    private readonly ports: Pick<HostingPorts, 'logs' | 'log' | 'metrics'>,
    readonly destination: LogDestination,
    definitions: readonly MetricDefinition[],
    private readonly now: () => number,
    private readonly host?: string,
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
      if (!Number.isFinite(value)) continue;
      this.finals.set(m.name, { value, at });
      if (this.host !== undefined && this.ports.metrics) {
        this.pendingMetrics.push({ metricName: m.name, dimensions: [{ name: 'Host', value: this.host }], timestamp: at, value, unit: 'None' });
        this.metricTimer ??= setTimeout(() => void this.publish(), METRIC_FLUSH_MS);
      }
    }
  }

  /** Resolves once every line and metric value so far is stored. */
  async flush(): Promise<void> {
    await Promise.all([this.out.flush(), this.publish()]);
  }

  private publish(): Promise<void> {
    if (this.metricTimer) clearTimeout(this.metricTimer);
    this.metricTimer = undefined;
    const data = this.pendingMetrics;
    this.pendingMetrics = [];
    const sink = this.ports.metrics;
    if (data.length === 0 || !sink) return this.publishing;
    const { accountId, region } = this.destination;
    // PutMetricData takes at most 1,000 datums a call.
    this.publishing = this.publishing
      .then(async () => {
        for (let i = 0; i < data.length; i += 1000) await sink.put(accountId, region, TRAINING_METRICS_NAMESPACE, data.slice(i, i + 1000));
      })
      .catch((e: unknown) => this.ports.log?.(`sagemaker: ${data.length} metric value(s) for ${this.host ?? ''} were not published: ${e instanceof Error ? e.message : String(e)}`));
    return this.publishing;
  }
}
