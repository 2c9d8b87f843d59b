/**
 * Data capture: with an endpoint config's `DataCaptureConfig`, a sample of requests and responses lands in S3 as
 * the JSON Lines SageMaker writes — one object per variant and flush under
 * `<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-SSS>-<uuid>.jsonl` — written as the model's
 * execution role (its policies and the bucket's decide, as on AWS). Records are buffered and written about once a
 * second, so capturing costs an invocation only a push onto an array.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../core/principal.js';
import type { DataCaptureConfig } from '../api.gen.js';
import type { HostingPorts } from './ports.js';

export interface CapturedExchange {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly variant: string;
  readonly roleArn?: string;
  readonly config: DataCaptureConfig;
  readonly input: { readonly body: Uint8Array; readonly contentType?: string };
  readonly output: { readonly body: Uint8Array; readonly contentType?: string };
  readonly inferenceId?: string;
  readonly at: number;
}

type Encoding = 'CSV' | 'JSON' | 'BASE64';

const DEFAULT_CSV = ['text/csv'];
const DEFAULT_JSON = ['application/json'];

/** How SageMaker writes a payload of this content type: as text (CSV, JSON) or base64. */
export function encodingOf(contentType: string | undefined, config: DataCaptureConfig): Encoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const csv = config.CaptureContentTypeHeader?.CsvContentTypes ?? DEFAULT_CSV;
  const json = config.CaptureContentTypeHeader?.JsonContentTypes ?? DEFAULT_JSON;
  if (csv.some((t) => t.toLowerCase() === type)) return 'CSV';
  if (json.some((t) => t.toLowerCase() === type)) return 'JSON';
  return 'BASE64';
}

function payload(mode: 'INPUT' | 'OUTPUT', p: CapturedExchange['input'], config: DataCaptureConfig): Record<string, string> {
  const encoding = encodingOf(p.contentType, config);
  const data = encoding === 'BASE64' ? Buffer.from(p.body).toString('base64') : Buffer.from(p.body).toString('utf8');
  return { observedContentType: p.contentType ?? '', mode, data, encoding };
}

/** One JSON Lines record as SageMaker writes it. */
export function captureRecord(x: CapturedExchange): string {
  const modes = new Set((x.config.CaptureOptions ?? []).map((o) => o.CaptureMode));
  const captureData: Record<string, unknown> = {};
  if (modes.has('Input') || modes.has('InputAndOutput')) captureData.endpointInput = payload('INPUT', x.input, x.config);
  if (modes.has('Output') || modes.has('InputAndOutput')) captureData.endpointOutput = payload('OUTPUT', x.output, x.config);
  return JSON.stringify({
    captureData,
    eventMetadata: { eventId: randomUUID(), ...(x.inferenceId !== undefined ? { inferenceId: x.inferenceId } : {}), inferenceTime: new Date(x.at).toISOString() },
    eventVersion: '0',
  });
}

/** The object key of one flush: `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-SSS>-<uuid>.jsonl`. */
export function captureKey(prefix: string, endpoint: string, variant: string, at: number): string {
  const d = new Date(at);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const base = prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${endpoint}/${variant}/${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}/${p2(d.getUTCMinutes())}-${p2(d.getUTCSeconds())}-${String(d.getUTCMilliseconds()).padStart(3, '0')}-${randomUUID()}.jsonl`;
}

export function sampled(config: DataCaptureConfig, random: () => number = Math.random): boolean {
  return config.EnableCapture !== false && random() * 100 < config.InitialSamplingPercentage;
}

const S3_URI = /^s3:\/\/([^/]+)\/?(.*)$/;
const FLUSH_MS = 1000;

interface Batch {
  readonly first: CapturedExchange;
  readonly lines: string[];
}

export class CaptureWriter {
  private readonly batches = new Map<string, Batch>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly sessions = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly ports: HostingPorts, private readonly now: () => number) {}

  record(x: CapturedExchange): void {
    const key = `${x.endpointArn}\u0000${x.variant}`;
    let batch = this.batches.get(key);
    if (!batch) this.batches.set(key, (batch = { first: x, lines: [] }));
    batch.lines.push(captureRecord(x));
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered (also called on shutdown); failures are logged, never thrown at an invocation. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    this.flushing = this.flushing.then(() => Promise.all(batches.map((b) => this.write(b))).then(() => undefined));
    return this.flushing;
  }

  private async write(b: Batch): Promise<void> {
    const x = b.first;
    const m = S3_URI.exec(x.config.DestinationS3Uri);
    if (!m) return;
    try {
      const principal = await this.principal(x);
      if (!principal) return;
      await this.ports.internal().call({
        service: 's3',
        operation: 'PutObject',
        input: { Bucket: m[1], Key: captureKey(m[2] ?? '', x.endpointName, x.variant, this.now()), Body: Buffer.from(`${b.lines.join('\n')}\n`), ContentType: 'application/jsonlines' },
        principal,
        region: x.region,
        via: { calledVia: ['sagemaker.amazonaws.com'], sourceArn: x.endpointArn, sourceAccount: x.accountId },
      });
    } catch (e) {
      this.ports.log?.(`sagemaker: data capture of ${x.endpointName}/${x.variant} to ${x.config.DestinationS3Uri} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async principal(x: CapturedExchange): Promise<Principal | undefined> {
    if (!x.roleArn) return undefined;
    const cached = this.sessions.get(x.roleArn);
    if (cached && cached.until > this.now()) return cached.principal;
    const principal = await this.ports.executionRoles.assume(x.roleArn, { sourceArn: x.endpointArn, sourceAccount: x.accountId });
    // Sessions last an hour; a fresh one is taken well before that.
    this.sessions.set(x.roleArn, { principal, until: this.now() + 30 * 60_000 });
    return principal;
  }
}
