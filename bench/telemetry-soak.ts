/**
 * Telemetry soak (`npm run bench:telemetry-soak -- --minutes 30`): does a long-running mlzone that is written to continuously
 * stay flat in memory and disk because CloudWatch's and Logs' retention let old data go?
 *
 * mlzone runs as a child process (this file with `--serve`: createApp from the sources, `--auth accounts`, a fresh
 * data dir) on an **accelerated clock**: `--speed 60000` makes one real second 60,000 simulated seconds (16.7 hours),
 * so the real retention rules apply unchanged and still run their course in minutes — log groups with a 30-day
 * retention lose their events after 43 real seconds, minute buckets roll up after 22 s (15 days), 5-minute buckets
 * after 91 s (63 days) and hourly buckets go after 11 minutes (455 days). Timers (the CloudWatch tick every 10 s,
 * the Logs sweep every 60 s) run in real time, as in production.
 *
 * The load, at a fixed modest rate so that the shared machine keeps its cores: every 200 ms one PutMetricData of
 * `--metrics-rate`/5 values over 20 metrics of production's ProdApp namespace and one PutLogEvents of
 * `--logs-rate`/5 events (~120 bytes, half of them JSON) over 4 log groups, round robin; JS SDK v3 as production's root (accounts mode).
 * Every `--sample` seconds: the server's RSS and V8 heap, the data dir's size (database + WAL + blobs), the bytes of
 * each table (SQLite dbstat), row counts of the telemetry tables, the calls done and failed, and one GetMetricData
 * over the last simulated day as a liveness check. Prints one JSON line per sample and a Markdown table at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import Sqlite from 'better-sqlite3';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { memoryOf } from './procfs.js';
import { freePort, ROOT } from './server.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    epoch: { type: 'string' },
    port: { type: 'string' },
    speed: { type: 'string', default: '60000' },
    minutes: { type: 'string', default: '30' },
    sample: { type: 'string', default: '30' },
    'metrics-rate': { type: 'string', default: '500' },
    'logs-rate': { type: 'string', default: '1000' },
    'log-retention-days': { type: 'string', default: '30' },
  },
});
const SPEED = Number(values.speed);
/** The simulated clock both processes share: real time since `epoch`, `SPEED` times faster. */
const simNow = (epoch: number) => () => epoch + (Date.now() - epoch) * SPEED;

async function serve(): Promise<void> {
  const { createApp } = await import('../src/app/create-app.js');
  const epoch = Number(values.epoch);
  const app = await createApp({ host: '127.0.0.1', port: Number(values.port), dataDir: values['data-dir']!, ephemeral: false, auth: 'accounts' }, { now: simNow(epoch) });
  process.stdout.write(JSON.stringify({ url: app.url }) + '\n');
  const report = () => {
    const m = process.memoryUsage();
    process.stdout.write(JSON.stringify({ heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\n');
  };
  const timer = setInterval(report, 5000);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    void app.close().then(() => process.exit(0));
  });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

const MiB = (b: number) => b / 1048576;
const PROD = '777777777777';

async function soak(): Promise<void> {
  const minutes = Number(values.minutes);
  const sampleS = Number(values.sample);
  const metricsPerCall = Math.round(Number(values['metrics-rate']) / 5);
  const eventsPerCall = Math.round(Number(values['logs-rate']) / 5);
  const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-soak-'));
  const epoch = Date.now();
  const now = simNow(epoch);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'telemetry-soak.ts'), '--serve', '--data-dir', dataDir, '--epoch', String(epoch), '--port', String(port), '--speed', String(SPEED)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let heap = { heapUsed: 0, external: 0, arrayBuffers: 0 };
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { url?: string; heapUsed?: number };
      if (m.url) resolve(m.url);
      else heap = m as typeof heap;
    });
  });
  const cfg = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'soak' }, maxAttempts: 1 };
  const cw = new CloudWatchClient(cfg);
  const logs = new CloudWatchLogsClient(cfg);
  const groups = [0, 1, 2, 3].map((i) => `/aws/sagemaker/Endpoints/soak-${i}`);
  for (const g of groups) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: Number(values['log-retention-days']) }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'AllTraffic/i-0' }));
  }
  const db = new Sqlite(join(dataDir, 'mlzone.db'), { readonly: true, fileMustExist: true });
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const tableBytes = () => Object.fromEntries((db.prepare("SELECT name, SUM(pgsize) AS b FROM dbstat WHERE name IN ('cloudwatch_buckets','cloudwatch_metrics','logs_blocks','logs_block_columns','cloudtrail_events') GROUP BY name").all() as { name: string; b: number }[]).map((r) => [r.name, r.b]));

  const stats = { metricCalls: 0, logCalls: 0, failed: 0, lastError: '' };
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  let seq = 0;
  const writer = (async () => {
    let next = Date.now();
    while (Date.now() < endAt) {
      const t = now();
      const data = Array.from({ length: metricsPerCall }, (_, i) => ({
        MetricName: i % 2 === 0 ? 'Invocations' : 'ModelLatency',
        Dimensions: [{ Name: 'EndpointName', Value: `soak-${i % 10}` }, { Name: 'VariantName', Value: 'AllTraffic' }],
        Timestamp: new Date(t),
        Value: i % 2 === 0 ? 1 : 20 + (i % 7),
      }));
      const g = groups[seq % groups.length]!;
      // Half plain text, half JSON (JSON messages also keep per-key columns, which retention must drop with them).
      const events = Array.from({ length: eventsPerCall }, (_, i) => ({
        timestamp: t,
        message: i % 2 === 0 ? JSON.stringify({ level: 'INFO', request: `${seq}-${i}`, latency: 20 + (i % 7), variant: 'AllTraffic' }) : `${new Date(t).toISOString()} INFO request ${seq}-${i} served in ${20 + (i % 7)} ms by soak model variant AllTraffic ok`,
      }));
      seq++;
      const calls = [
        cw.send(new PutMetricDataCommand({ Namespace: 'ProdApp', MetricData: data })).then(() => void stats.metricCalls++),
        logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 'AllTraffic/i-0', logEvents: events })).then((r) => {
          if (r.rejectedLogEventsInfo) throw new Error(`rejected ${JSON.stringify(r.rejectedLogEventsInfo)}`);
          stats.logCalls++;
        }),
      ];
      for (const r of await Promise.allSettled(calls)) {
        if (r.status === 'rejected') {
          stats.failed++;
          stats.lastError = String((r.reason as Error).message ?? r.reason);
        }
      }
      next += 200;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else next = Date.now(); // fell behind: do not burst to catch up
    }
  })();

  const samples: Record<string, number | string>[] = [];
  const sample = async () => {
    const mem = memoryOf(child.pid!);
    const t = now();
    let points = -1;
    try {
      const r = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t - 86_400_000), EndTime: new Date(t), MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'ProdApp', MetricName: 'Invocations', Dimensions: [{ Name: 'EndpointName', Value: 'soak-0' }, { Name: 'VariantName', Value: 'AllTraffic' }] }, Period: 3600, Stat: 'Sum' } }] }));
      points = r.MetricDataResults?.[0]?.Values?.length ?? 0;
    } catch (e) {
      stats.lastError = String((e as Error).message);
    }
    const bytes = tableBytes();
    const s = {
      realMin: Math.round((Date.now() - started) / 600) / 100,
      simDays: Math.round(((t - epoch) / 86_400_000) * 10) / 10,
      rssMiB: Math.round((mem?.rssMiB ?? NaN) * 10) / 10,
      anonMiB: Math.round((mem?.anonMiB ?? NaN) * 10) / 10,
      heapMiB: Math.round(MiB(heap.heapUsed) * 10) / 10,
      dataDirMiB: Math.round(MiB(dirBytes(dataDir)) * 100) / 100,
      bucketsMiB: Math.round(MiB(bytes.cloudwatch_buckets ?? 0) * 100) / 100,
      logBlocksMiB: Math.round(MiB((bytes.logs_blocks ?? 0) + (bytes.logs_block_columns ?? 0)) * 100) / 100,
      trailMiB: Math.round(MiB(bytes.cloudtrail_events ?? 0) * 100) / 100,
      buckets1m: count('SELECT count(*) AS n FROM cloudwatch_buckets WHERE res = 60'),
      buckets5m: count('SELECT count(*) AS n FROM cloudwatch_buckets WHERE res = 300'),
      buckets1h: count('SELECT count(*) AS n FROM cloudwatch_buckets WHERE res = 3600'),
      logBlocks: count('SELECT count(*) AS n FROM logs_blocks'),
      trailEvents: count('SELECT count(*) AS n FROM cloudtrail_events'),
      metricCalls: stats.metricCalls,
      logCalls: stats.logCalls,
      failed: stats.failed,
      gmdPoints: points,
      load1: Math.round(loadavg()[0]! * 100) / 100,
    };
    samples.push(s);
    console.log(JSON.stringify(s));
  };
  console.log(`# telemetry soak: ${minutes} min, speed ${SPEED}× (1 real s = ${(SPEED / 3600).toFixed(1)} simulated h), ${metricsPerCall * 5} data points/s, ${eventsPerCall * 5} log events/s, data dir ${dataDir}`);
  console.log(`# date ${new Date().toUTCString()}; commit ${execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim()}; ${availableParallelism()} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await sample();
  const sampler = setInterval(() => void sample(), sampleS * 1000);
  await writer;
  clearInterval(sampler);
  await sample();
  db.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (stats.lastError) console.log(`# last error: ${stats.lastError}`);
  const cols = ['realMin', 'simDays', 'rssMiB', 'anonMiB', 'heapMiB', 'dataDirMiB', 'bucketsMiB', 'logBlocksMiB', 'trailMiB', 'buckets1m', 'buckets5m', 'buckets1h', 'logBlocks', 'trailEvents', 'metricCalls', 'logCalls', 'failed', 'gmdPoints', 'load1'];
  console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => '---:').join('|')}|`);
  for (const s of samples) console.log(`| ${cols.map((c) => s[c]).join(' | ')} |`);
  console.log(`\n# load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  rmSync(dataDir, { recursive: true, force: true });
}

await (values.serve ? serve() : soak());
