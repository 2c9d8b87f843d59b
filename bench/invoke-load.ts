/**
 * Bounded loopback load generator for model invocations, in two forms measured with the same code:
 *   - `mlzone`: SageMaker Runtime InvokeEndpoint through mlzone (`POST /endpoints/<name>/invocations`, rest-json),
 *     every request SigV4-signed fresh as a DataScientist session of data-science-1 (temporary credentials, so a
 *     session token too), the headers the JS SDK v3 signs for this call minus its own bookkeeping ones;
 *   - `direct`: the same body `POST /invocations` straight to the containers' loopback ports (round-robin when there
 *     are several, as mlzone spreads over instances) — the ceiling mlzone's overhead is measured against.
 * Keep-alive `http.Agent` (maxSockets = concurrency), `concurrency` workers each sending one request at a time,
 * latency per request from `process.hrtime.bigint()`, a warm-up that is not recorded, bounded by count and time.
 * Any non-200 answer (or socket error / timeout) is an error. Run it in its own process, apart from the server:
 *
 *   node --import tsx bench/invoke-load.ts --target mlzone --url http://127.0.0.1:4566 --endpoint ll1 --concurrency 16
 *   node --import tsx bench/invoke-load.ts --target direct --ports 40001,40002 --concurrency 16 [--pids 123,456] [--spin]
 *
 * prints one JSON line (InvokeLoadResult). `--pids`: processes whose CPU time is reported (server, containers).
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { busyShare, cpuSecondsOf, load1, machineCpu } from './procfs.js';
import { amzDate, deriveSigningKey, formSigner, type Credentials } from './signer.js';
import { DS1_SCIENTIST, REGION } from './load.js';

/** The role the invocations are made as (data-science-1's scientists deploy and call their endpoints with it). */
export const DATA_SCIENTIST_ROLE = 'arn:aws:iam::444444444444:role/DataScientist';
/** A few features of CSV, one record: what a small online prediction sends. */
export const PAYLOAD = '1.5,-2,0.25,3\n';
export const CONTENT_TYPE = 'text/csv';
export const ACCEPT = 'application/json';

export type InvokeTarget = 'mlzone' | 'direct';

export interface InvokeLoadOptions {
  readonly target: InvokeTarget;
  /** mlzone's URL (target `mlzone`). */
  readonly url?: string;
  /** EndpointName (target `mlzone`). */
  readonly endpoint?: string;
  /** The containers' ports (target `direct`), called round-robin. */
  readonly ports?: readonly number[];
  readonly concurrency: number;
  readonly maxRequests: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly timeoutMs: number;
  /** Processes whose CPU use during the measured phase is reported. */
  readonly pids?: readonly number[];
  /** Keep the event loop awake (see bench/load.ts `LoadOptions.spin`). */
  readonly spin?: boolean;
}

export interface InvokeLoadResult {
  readonly target: InvokeTarget;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50us: number;
  readonly p90us: number;
  readonly p99us: number;
  readonly maxus: number;
  readonly errorSamples: string[];
  /** CPU of this generator during the measured phase, cores. */
  readonly clientCpu: number;
  /** CPU of each of `pids` during the measured phase, cores (pid → cores; absent when it vanished). */
  readonly pidCpu: Record<string, number>;
  readonly machineBusy: number;
  readonly load1: number;
}

interface Reply {
  status: number;
  body: string;
}

interface Prepared {
  readonly port: number;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * SigV4 for a rest-json POST with a fixed body (SageMaker Runtime's InvokeEndpoint). Signs accept, content-length,
 * content-type, host, x-amz-content-sha256, x-amz-date and x-amz-security-token, as the JS SDK v3 does (it also
 * signs its amz-sdk-* and user-agent headers). Cached as in bench/signer.ts: the key per day, the payload hash, the
 * constant parts of the canonical request, the date string per second; per request one SHA-256 and one HMAC.
 */
export function restSigner(opts: { host: string; path: string; region: string; service: string; credentials: Credentials; body: Buffer; contentType: string; accept: string }): () => OutgoingHttpHeaders {
  const { host, region, service, credentials, body } = opts;
  const payloadHash = sha256Hex(body);
  const token = credentials.sessionToken;
  const signedHeaders = `accept;content-length;content-type;host;x-amz-content-sha256;x-amz-date${token === undefined ? '' : ';x-amz-security-token'}`;
  // The path is made of unreserved characters only (endpoint names are [a-zA-Z0-9-]), so its canonical form is itself.
  const head = `POST\n${opts.path}\n\naccept:${opts.accept}\ncontent-length:${body.length}\ncontent-type:${opts.contentType}\nhost:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:`;
  const tail = `\n${token === undefined ? '' : `x-amz-security-token:${token}\n`}\n${signedHeaders}\n${payloadHash}`;
  let second = -1;
  let dateStr = '';
  let day = '';
  let key: Buffer = Buffer.alloc(0);
  let scope = '';
  let prefix = '';
  return () => {
    const s = Math.floor(Date.now() / 1000);
    if (s !== second) {
      second = s;
      dateStr = amzDate(s * 1000);
      const d = dateStr.slice(0, 8);
      if (d !== day) {
        day = d;
        key = deriveSigningKey(credentials.secretAccessKey, d, region, service);
        scope = `${d}/${region}/${service}/aws4_request`;
        prefix = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=`;
      }
    }
    const stringToSign = `AWS4-HMAC-SHA256\n${dateStr}\n${scope}\n${sha256Hex(head + dateStr + tail)}`;
    const headers: OutgoingHttpHeaders = {
      accept: opts.accept,
      'content-length': body.length,
      'content-type': opts.contentType,
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': dateStr,
      authorization: prefix + createHmac('sha256', key).update(stringToSign).digest('hex'),
    };
    if (token !== undefined) headers['x-amz-security-token'] = token;
    return headers;
  };
}

function send(agent: Agent, p: Prepared, body: Buffer, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request({ agent, host: '127.0.0.1', port: p.port, method: 'POST', path: p.path, headers: p.headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString() }));
      res.on('error', (e) => resolve({ status: 0, body: String(e) }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end(body);
  });
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** AssumeRole as ds1-scientist into DataScientist (one signed STS call over `agent`) → temporary credentials. */
export async function assumeDataScientist(url: URL, agent: Agent): Promise<Credentials> {
  const form = `Action=AssumeRole&RoleArn=${encodeURIComponent(DATA_SCIENTIST_ROLE)}&RoleSessionName=bench-hosting&DurationSeconds=3600&Version=2011-06-15`;
  const signed = formSigner({ host: url.host, region: REGION, service: 'sts', credentials: DS1_SCIENTIST, form })();
  const r = await send(agent, { port: Number(url.port), path: '/', headers: signed.headers }, signed.body, 10_000);
  const accessKeyId = tag(r.body, 'AccessKeyId');
  const secretAccessKey = tag(r.body, 'SecretAccessKey');
  const sessionToken = tag(r.body, 'SessionToken');
  if (r.status !== 200 || !accessKeyId || !secretAccessKey || !sessionToken) throw new Error(`AssumeRole failed: ${r.status} ${r.body.slice(0, 300)}`);
  return { accessKeyId, secretAccessKey, sessionToken };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A function returning the next request to send (its port, path and headers). */
async function requestsFor(opts: InvokeLoadOptions, agent: Agent, body: Buffer): Promise<() => Prepared> {
  if (opts.target === 'direct') {
    const ports = opts.ports ?? [];
    if (ports.length === 0) throw new Error('--ports is required for --target direct');
    const headers: OutgoingHttpHeaders = { 'content-type': CONTENT_TYPE, accept: ACCEPT, 'content-length': body.length };
    const prepared = ports.map((port) => ({ port, path: '/invocations', headers }));
    let i = 0;
    return () => prepared[i++ % prepared.length]!;
  }
  if (!opts.url || !opts.endpoint) throw new Error('--url and --endpoint are required for --target mlzone');
  if (!/^[a-zA-Z0-9-]+$/.test(opts.endpoint)) throw new Error('endpoint names are [a-zA-Z0-9-]');
  const url = new URL(opts.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`loopback only, not ${url.hostname}`);
  const credentials = await assumeDataScientist(url, agent);
  const path = `/endpoints/${opts.endpoint}/invocations`;
  const sign = restSigner({ host: url.host, path, region: REGION, service: 'sagemaker', credentials, body, contentType: CONTENT_TYPE, accept: ACCEPT });
  const port = Number(url.port);
  return () => ({ port, path, headers: sign() });
}

/** Runs the load described by `opts`; bounded by count and time. */
export async function runInvokeLoad(opts: InvokeLoadOptions): Promise<InvokeLoadResult> {
  if (!(opts.concurrency >= 1 && opts.concurrency <= 256)) throw new Error('concurrency must be within 1..256');
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency });
  const body = Buffer.from(PAYLOAD);
  try {
    const next = await requestsFor(opts, agent, body);
    const probe = await send(agent, next(), body, opts.timeoutMs);
    if (probe.status !== 200) throw new Error(`${opts.target}: probe answered ${probe.status}: ${probe.body.slice(0, 400)}`);

    const latencies = new Float64Array(opts.maxRequests);
    let recorded = 0;
    let errors = 0;
    const samples = new Set<string>();
    const phase = async (seconds: number, record: boolean): Promise<number> => {
      const deadline = performance.now() + seconds * 1000;
      let issued = 0;
      const worker = async () => {
        while (issued < opts.maxRequests && performance.now() < deadline) {
          issued++;
          const t0 = process.hrtime.bigint();
          const r = await send(agent, next(), body, opts.timeoutMs);
          const us = Number(process.hrtime.bigint() - t0) / 1000;
          if (!record) continue;
          if (r.status !== 200) {
            errors++;
            if (samples.size < 3) samples.add(`${r.status} ${r.body.slice(0, 200)}`);
          }
          latencies[recorded++] = us;
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: opts.concurrency }, worker));
      return (performance.now() - t0) / 1000;
    };

    let spinning = opts.spin === true;
    const spin = (): void => {
      if (spinning) setImmediate(spin);
    };
    spin();
    await phase(opts.warmupSeconds, false);
    const loadAtStart = load1();
    const pids = opts.pids ?? [];
    const machine0 = machineCpu();
    const cpu0 = pids.map((p) => cpuSecondsOf(p));
    const self0 = process.cpuUsage();
    const elapsed = await phase(opts.seconds, true);
    spinning = false;
    const self = process.cpuUsage(self0);
    const cpu1 = pids.map((p) => cpuSecondsOf(p));
    const machine1 = machineCpu();
    const pidCpu: Record<string, number> = {};
    pids.forEach((p, i) => {
      const a = cpu0[i];
      const b = cpu1[i];
      if (a !== undefined && b !== undefined) pidCpu[String(p)] = (b - a) / elapsed;
    });
    const sorted = latencies.subarray(0, recorded).sort();
    return {
      target: opts.target,
      concurrency: opts.concurrency,
      requests: recorded,
      errors,
      seconds: elapsed,
      rps: recorded / elapsed,
      p50us: percentile(sorted, 50),
      p90us: percentile(sorted, 90),
      p99us: percentile(sorted, 99),
      maxus: sorted.length ? sorted[sorted.length - 1]! : 0,
      errorSamples: [...samples],
      clientCpu: (self.user + self.system) / 1e6 / elapsed,
      pidCpu,
      machineBusy: busyShare(machine0, machine1),
      load1: loadAtStart,
    };
  } finally {
    agent.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: 'mlzone' },
      url: { type: 'string' },
      endpoint: { type: 'string' },
      ports: { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      requests: { type: 'string', default: '500000' },
      seconds: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '10000' },
      pids: { type: 'string' },
      spin: { type: 'boolean', default: false },
    },
  });
  if (values.target !== 'mlzone' && values.target !== 'direct') throw new Error('--target must be mlzone or direct');
  const list = (s: string | undefined) => (s ?? '').split(',').filter(Boolean).map(Number);
  const result = await runInvokeLoad({
    target: values.target,
    url: values.url,
    endpoint: values.endpoint,
    ports: list(values.ports),
    concurrency: Number(values.concurrency),
    maxRequests: Math.min(Number(values.requests), 2_000_000),
    seconds: Math.min(Number(values.seconds), 120),
    warmupSeconds: Math.min(Number(values.warmup), 30),
    timeoutMs: Number(values.timeout),
    pids: list(values.pids),
    spin: values.spin,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
