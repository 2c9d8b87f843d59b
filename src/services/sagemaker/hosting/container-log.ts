/**
 * A container's output on its way to CloudWatch Logs, as SageMaker sends it: the lines of one log stream are
 * gathered for a moment and written through the `LogsSink` in one batch (a chatty container costs few writes),
 * in the resource's own account and region. `flush()` resolves once everything written so far is stored: jobs
 * call it before their status becomes final and instances when they stop, so a reader who waited for the status
 * sees every line.
 *
 * Log group and stream names follow AWS (https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html):
 * endpoints `/aws/sagemaker/Endpoints/<EndpointName>` with `<VariantName>/<instance-id>` (plus `/<container>` for an
 * inference pipeline), training `/aws/sagemaker/TrainingJobs` with `<job>/algo-<n>-<epoch seconds>`, processing
 * `/aws/sagemaker/ProcessingJobs` with `<job>/<host>-<epoch seconds>`, batch transform `/aws/sagemaker/TransformJobs`
 * with `<job>/<instance-id>-<epoch seconds>`.
 */
import { randomBytes } from 'node:crypto';
import type { LogsSink } from '../../../core/observability.js';

/** How long a line waits for others before its batch is written. */
const FLUSH_MS = 200;
/** A batch is written at once when it reaches this many lines. */
const MAX_PENDING = 2_000;

export interface LogDestination {
  readonly accountId: string;
  readonly region: string;
  readonly group: string;
  readonly stream: string;
}

/** An EC2-style instance id (`i-` and 17 hex digits) naming an endpoint or transform instance's log stream. */
export function instanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export class ContainerLog {
  private pending: Array<{ timestamp: number; message: string }> = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: LogsSink | undefined,
    readonly destination: LogDestination,
    private readonly now: () => number,
    private readonly onError?: (message: string) => void,
  ) {}

  line(message: string): void {
    if (!this.sink) return;
    this.pending.push({ timestamp: this.now(), message });
    if (this.pending.length >= MAX_PENDING) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is pending; resolves when every line given so far is stored (writes stay in order). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    if (events.length === 0 || !this.sink) return this.writing;
    const { accountId, region, group, stream } = this.destination;
    this.writing = this.writing
      .then(() => this.sink!.put(accountId, region, group, stream, events))
      // Losing a batch must not fail the job or the endpoint; say so where mlzone logs.
      .catch((e: unknown) => this.onError?.(`sagemaker: ${events.length} line(s) for ${group} ${stream} were not stored: ${e instanceof Error ? e.message : String(e)}`));
    return this.writing;
  }
}
