/**
 * Bounded loopback load generator: keep-alive `http.Agent` (maxSockets = concurrency), `concurrency` workers each
 * sending one request at a time, every request SigV4-signed fresh (bench/signer.ts), latency per request from
 * `process.hrtime.bigint()`. Stops at `maxRequests` or `seconds`, whichever comes first, after a warm-up that is
 * not recorded. Any non-200 answer (or socket error / timeout) is an error.
 *
 * It is meant to run in its own process, apart from the server, so that the server owns its event loop:
 *
 *   node --import tsx bench/load.ts --url http://127.0.0.1:4566 --op gci --concurrency 16 --seconds 10
 *
 * prints one JSON line (LoadResult). `--op`: `gci` (sts:GetCallerIdentity as the ds1-scientist user),
 * `getrole` (iam:GetRole DataScientist in 444444444444 as an assumed-role session of ReadOnly, i.e. with a
 * session token; `--role` picks another role name), `gci-session` (GetCallerIdentity with that session).
 * `--spin` keeps the generator's event loop awake (see `LoadOptions.spin`). `--url` must be a loopback address.
 */
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { busyShare, cpuSecondsOf, load1, machineCpu } from './procfs.js';
import { formSigner, type Credentials, type SignedForm } from './signer.js';

export const DS1_SCIENTIST: Credentials = { accessKeyId: 'AKIAXFEF5XS35DJLOYMK', secretAccessKey: 'bf5368b614687e04cff0feefd3c9977d17c89062' };
export const READONLY_ROLE = 'arn:aws:iam::444444444444:role/ReadOnly';
export const REGION = 'us-east-1';

export type Op = 'gci' | 'getrole' | 'gci-session';
export const OPS: readonly Op[] = ['gci', 'getrole', 'gci-session'];

export interface LoadOptions {
  readonly url: string;
  readonly op: Op;
  readonly concurrency: number;
  /** Upper bound on measured requests. */
  readonly maxRequests: number;
  /** Upper bound on the measured phase, seconds. */
  readonly seconds: number;
  /** Warm-up (not recorded), seconds; also bounded by maxRequests. */
  readonly warmupSeconds: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  /** The server's pid, to report its CPU use during the measured phase. */
  readonly serverPid?: number;
  /**
   * RoleName for `getrole` (DataScientist by default). With `--auth off` every caller is the management account's
   * root, so GetRole looks in 111111111111, where the blueprint's role is Admin.
   */
  readonly role?: string;
  /** Called as the measured phase starts (true) and ends (false). */
  readonly onMeasuredPhase?: (started: boolean) => void;
  /**
   * Keep this process's event loop from sleeping while it runs (a `setImmediate` chain; the generator then uses its
   * whole core). Over loopback the server's write runs the receiver's TCP input and wakes the receiver: waking a
   * generator asleep in epoll costs the server's core an inter-processor interrupt (~2–5 µs on this VM), and a slower
   * server finds the generator asleep more often — a cost a real network puts on the client's machine.
   */
  readonly spin?: boolean;
}

export interface LoadResult {
  readonly op: Op;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50us: number;
  readonly p90us: number;
  readonly p99us: number;
  readonly maxus: number;
  /** Up to three distinct error samples (status + first bytes of the body). */
  readonly errorSamples: string[];
  /** CPU time of this generator process during the measured phase, in cores (1 = one core busy). */
  readonly clientCpu: number;
  /** CPU time of the server process during the measured phase, in cores (when its pid was given). */
  readonly serverCpu?: number;
  /** Share of the whole machine's CPUs busy during the measured phase (all processes, 0..1). */
  readonly machineBusy: number;
  /** 1-minute load average when the measured phase started. */
  readonly load1: number;
}

interface Reply {
  status: number;
  body: string;
}

function assertLoopback(url: URL): void {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`load generator targets loopback only, not ${url.hostname}`);
}

function send(agent: Agent, url: URL, signed: SignedForm, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString() }));
        res.on('error', (e) => resolve({ status: 0, body: String(e) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end(signed.body);
  });
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m?.[1];
}

/** AssumeRole as ds1-scientist into ReadOnly (one signed call) → temporary credentials. */
export const ASSUME_READONLY_FORM = `Action=AssumeRole&RoleArn=${encodeURIComponent(READONLY_ROLE)}&RoleSessionName=bench&DurationSeconds=3600&Version=2011-06-15`;

export async function assumeReadOnly(url: URL, agent: Agent): Promise<Credentials> {
  const sign = formSigner({ host: url.host, region: REGION, service: 'sts', credentials: DS1_SCIENTIST, form: ASSUME_READONLY_FORM });
  const r = await send(agent, url, sign(), 10_000);
  const accessKeyId = tag(r.body, 'AccessKeyId');
  const secretAccessKey = tag(r.body, 'SecretAccessKey');
  const sessionToken = tag(r.body, 'SessionToken');
  if (r.status !== 200 || !accessKeyId || !secretAccessKey || !sessionToken) throw new Error(`AssumeRole failed: ${r.status} ${r.body.slice(0, 300)}`);
  return { accessKeyId, secretAccessKey, sessionToken };
}

async function signerFor(op: Op, url: URL, agent: Agent, role: string): Promise<() => SignedForm> {
  const host = url.host;
  if (op === 'gci') return formSigner({ host, region: REGION, service: 'sts', credentials: DS1_SCIENTIST, form: 'Action=GetCallerIdentity&Version=2011-06-15' });
  const session = await assumeReadOnly(url, agent);
  if (op === 'gci-session') return formSigner({ host, region: REGION, service: 'sts', credentials: session, form: 'Action=GetCallerIdentity&Version=2011-06-15' });
  return formSigner({ host, region: REGION, service: 'iam', credentials: session, form: `Action=GetRole&RoleName=${encodeURIComponent(role)}&Version=2010-05-08` });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs the load described by `opts` and returns its statistics. Bounded by count and time. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  assertLoopback(url);
  if (!(opts.concurrency >= 1 && opts.concurrency <= 256)) throw new Error('concurrency must be within 1..256');
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency });
  try {
    const sign = await signerFor(opts.op, url, agent, opts.role ?? 'DataScientist');
    // Fail fast when the request itself is refused (wrong keys, clock, route): no point in measuring errors.
    const probe = await send(agent, url, sign(), opts.timeoutMs);
    if (probe.status !== 200) throw new Error(`${opts.op}: probe answered ${probe.status}: ${probe.body.slice(0, 400)}`);

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
          const r = await send(agent, url, sign(), opts.timeoutMs);
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
    const machine0 = machineCpu();
    const server0 = opts.serverPid === undefined ? undefined : cpuSecondsOf(opts.serverPid);
    const cpu0 = process.cpuUsage();
    opts.onMeasuredPhase?.(true);
    const elapsed = await phase(opts.seconds, true);
    opts.onMeasuredPhase?.(false);
    spinning = false;
    const cpu = process.cpuUsage(cpu0);
    const server1 = opts.serverPid === undefined ? undefined : cpuSecondsOf(opts.serverPid);
    const machine1 = machineCpu();
    const sorted = latencies.subarray(0, recorded).sort();
    return {
      op: opts.op,
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
      clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
      serverCpu: server0 !== undefined && server1 !== undefined ? (server1 - server0) / elapsed : undefined,
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
      url: { type: 'string' },
      op: { type: 'string', default: 'gci' },
      concurrency: { type: 'string', default: '16' },
      requests: { type: 'string', default: '500000' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '10000' },
      'server-pid': { type: 'string' },
      role: { type: 'string', default: 'DataScientist' },
      spin: { type: 'boolean', default: false },
    },
  });
  if (!values.url) throw new Error('--url is required');
  if (!OPS.includes(values.op as Op)) throw new Error(`--op must be one of ${OPS.join(', ')}`);
  const seconds = Math.min(Number(values.seconds), 120);
  const result = await runLoad({
    url: values.url,
    op: values.op as Op,
    concurrency: Number(values.concurrency),
    maxRequests: Math.min(Number(values.requests), 2_000_000),
    seconds,
    warmupSeconds: Math.min(Number(values.warmup), 30),
    timeoutMs: Number(values.timeout),
    serverPid: values['server-pid'] === undefined ? undefined : Number(values['server-pid']),
    role: values.role,
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
