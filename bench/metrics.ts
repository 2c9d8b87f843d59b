/**
 * CloudWatch metrics benchmark (`npm run bench:metrics [-- --points 1000000 --concurrency 4]`). mlzone as a child
 * process (bench/telemetry-setup.ts: `--auth strict`, SQLite in a fresh data dir; its CPU time read from /proc), the
 * JS SDK v3 as production's OrganizationAccountAccessRole from this process.
 *
 * (1) PutMetricData sustained: `--points` values written as calls of 1,000 datums (one Value each: one datum is one
 *     data point), `--concurrency` calls in flight, spread over 10 metrics × the last 1,440 minutes (each call
 *     touches 1,000 distinct minute buckets: the write path's worst case, every point a bucket merge once the day is
 *     full). The SDK gzips these bodies (> 10 KiB). Ceiling, same run: the same points upserted straight into a
 *     SQLite table of the same shape (better-sqlite3, WAL, one transaction per 1,000, count/sum/min/max only).
 *     Then the producer's usual case: 100,000 points stamped now (a call's 1,000 datums over 100 metrics), as an
 *     endpoint's or a job's metrics arrive.
 * (2) GetMetricData over what (1) stored: one metric's p99 at a 1-minute period over one day (1,440 values), 60
 *     calls, p50/p95/p99 client-seen latency; then all 10 metrics in one request. Ceiling: the same 1,440 bucket rows
 *     read straight from mlzone's own database file and their p99 computed by a plain loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Sqlite from 'better-sqlite3';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { metricId } from '../src/services/cloudwatch/store.js';
import { statistic, type Bucket } from '../src/services/cloudwatch/domain/sketch.js';
import { fmt, loadAvg, machineHeader, pct, pool, PRODUCTION, row, startBenchApp } from './telemetry-setup.js';

const { values: args } = parseArgs({ options: { points: { type: 'string', default: '1000000' }, concurrency: { type: 'string', default: '4' }, queries: { type: 'string', default: '60' } } });
const POINTS = Number(args.points);
const CONCURRENCY = Number(args.concurrency);
const PER_CALL = 1000;
const METRICS = 10;
const MINUTES = 1440;
const NS = 'ProdApp';

const dims = (m: number) => [{ Name: 'EndpointName', Value: `churn-${m}` }, { Name: 'VariantName', Value: 'AllTraffic' }];
/** Point j: which metric, which minute of the day, which value (5–105 ms, spread). */
const layout = (j: number, day0: number) => ({ m: j % METRICS, t: day0 + (Math.floor(j / METRICS) % MINUTES) * 60_000 + 1000, v: 5 + ((j * 7919) % 1000) / 10 });

async function main(): Promise<void> {
  console.log(machineHeader(`CloudWatch metrics (issue #12) — \`npm run bench:metrics\`, ${fmt(POINTS)} points`));
  const bench = await startBenchApp();
  const now = Date.now();
  const day0 = Math.floor(now / 60_000) * 60_000 - MINUTES * 60_000;
  try {
    const cw = new CloudWatchClient(bench.cfg);
    console.log(`- server: pid ${bench.pid}, data dir ${bench.dataDir}`);
    console.log('\n| measurement | mlzone | ceiling (same run) | target | met? |\n|---|---:|---:|---|---|');

    // (1) ingest
    const calls = Math.ceil(POINTS / PER_CALL);
    const srv0 = bench.serverCpu();
    const wall = await pool(calls, CONCURRENCY, async (c) => {
      const data: MetricDatum[] = [];
      for (let j = c * PER_CALL; j < Math.min(POINTS, (c + 1) * PER_CALL); j++) {
        const p = layout(j, day0);
        data.push({ MetricName: 'ModelLatency', Dimensions: dims(p.m), Timestamp: new Date(p.t), Value: p.v, Unit: 'Milliseconds' });
      }
      await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: data }));
    });
    const srv = bench.serverCpu() - srv0;
    const rate = POINTS / (wall / 1000);
    const ceil = ingestCeiling(day0);
    row(`PutMetricData, ${fmt(POINTS)} points spread over 10 metrics × 1,440 minutes (every point merged into a stored bucket), calls of ${PER_CALL} (gzip), ${CONCURRENCY} in flight — data points/s`, `**${fmt(rate)}** (${fmt(wall / 1000, 1)} s; server CPU ${fmt(srv * 1000 / (POINTS / 1000), 1)} ms per 1,000 points = ${fmt(POINTS / srv)} points per CPU-second)`, `${fmt(ceil)} (SQLite upserts alone)`, '≥ 20,000/s', rate >= 20_000 ? 'yes' : '**no**');
    const NOW_POINTS = 100_000;
    const srv1 = bench.serverCpu();
    const wallNow = await pool(NOW_POINTS / PER_CALL, CONCURRENCY, async () => {
      const t = new Date();
      const data: MetricDatum[] = Array.from({ length: PER_CALL }, (_, i) => ({ MetricName: i % 2 ? 'ModelLatency' : 'Invocations', Dimensions: [{ Name: 'EndpointName', Value: `live-${i % 50}` }, { Name: 'VariantName', Value: 'AllTraffic' }], Timestamp: t, Value: i % 2 ? 5 + (i % 97) : 1, Unit: i % 2 ? 'Milliseconds' : 'Count' }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'ProdLive', MetricData: data }));
    });
    const srvNow = bench.serverCpu() - srv1;
    const rateNow = NOW_POINTS / (wallNow / 1000);
    row(`PutMetricData, ${fmt(NOW_POINTS)} points stamped now over 100 metrics (a producer's usual case), calls of ${PER_CALL}, ${CONCURRENCY} in flight — data points/s`, `**${fmt(rateNow)}** (${fmt(wallNow / 1000, 1)} s; server CPU ${fmt(srvNow * 1000 / (NOW_POINTS / 1000), 1)} ms per 1,000 points = ${fmt(NOW_POINTS / srvNow)} points per CPU-second)`, '(same ceiling)', '≥ 20,000/s', rateNow >= 20_000 ? 'yes' : '**no**');

    // (2) reads
    const query = (ids: number[]) =>
      new GetMetricDataCommand({
        StartTime: new Date(day0),
        EndTime: new Date(day0 + MINUTES * 60_000),
        MetricDataQueries: ids.map((m) => ({ Id: `m${m}`, MetricStat: { Metric: { Namespace: NS, MetricName: 'ModelLatency', Dimensions: dims(m) }, Period: 60, Stat: 'p99' } })),
      });
    const first = await cw.send(query([0]));
    const got = first.MetricDataResults?.[0]?.Values?.length ?? 0;
    if (got !== MINUTES && POINTS >= METRICS * MINUTES) throw new Error(`expected ${MINUTES} values, got ${got}`);
    const lat: number[] = [];
    const srv2 = bench.serverCpu();
    for (let i = 0; i < Number(args.queries); i++) {
      const t0 = performance.now();
      await cw.send(query([i % METRICS]));
      lat.push(performance.now() - t0);
    }
    const srvRead = ((bench.serverCpu() - srv2) * 1000) / lat.length;
    const rc = readCeiling(join(bench.dataDir, 'mlzone.db'), day0, lat.length);
    row(`GetMetricData, one metric's p99 at 1-minute period over one day (${fmt(MINUTES)} values out of ${fmt(POINTS)} stored points), ${lat.length} calls — latency p50 / p95 / p99`, `${fmt(pct(lat, 50), 1)} / ${fmt(pct(lat, 95), 1)} / **${fmt(pct(lat, 99), 1)} ms** (server CPU ${fmt(srvRead, 1)} ms per call)`, `${fmt(rc.p50, 1)} / ${fmt(rc.p95, 1)} / ${fmt(rc.p99, 1)} ms (the same rows read straight from SQLite, p99 by a plain loop, ${lat.length} runs)`, '≤ 100 ms', pct(lat, 99) <= 100 ? 'yes' : '**no**');
    const all: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await cw.send(query(Array.from({ length: METRICS }, (_, m) => m)));
      all.push(performance.now() - t0);
    }
    row(`GetMetricData, all ${METRICS} metrics' p99 in one request (${fmt(METRICS * MINUTES)} values), 10 calls — p50 / max`, `${fmt(pct(all, 50), 1)} / ${fmt(Math.max(...all), 1)} ms`, `${fmt(rc.p50 * METRICS, 1)} ms (10 × the ceiling's p50)`, '', '');
  } finally {
    await bench.close();
  }
  console.log(`\n- load average at end: ${loadAvg()}`);
}

/** The same points as upserts into a bare SQLite table of the same shape; returns points/s. */
function ingestCeiling(day0: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'mlzone-bench-ceiling-'));
  try {
    const db = new Sqlite(join(dir, 'c.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE b (metric_id TEXT, res INTEGER, t INTEGER, unit TEXT, count REAL, sum REAL, min REAL, max REAL, PRIMARY KEY (metric_id, res, t, unit))');
    const up = db.prepare('INSERT INTO b VALUES (?, 60, ?, ?, 1, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + 1, sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)');
    const ids = Array.from({ length: METRICS }, (_, m) => metricId({ account: PRODUCTION, region: 'us-east-1', namespace: NS, metricName: 'ModelLatency', dimensions: dims(m) }));
    const batch = db.transaction((from: number, to: number) => {
      for (let j = from; j < to; j++) {
        const p = layout(j, day0);
        up.run(ids[p.m], Math.floor(p.t / 60_000) * 60_000, 'Milliseconds', p.v, p.v, p.v);
      }
    });
    const t0 = performance.now();
    for (let j = 0; j < POINTS; j += PER_CALL) batch(j, Math.min(POINTS, j + PER_CALL));
    const s = (performance.now() - t0) / 1000;
    db.close();
    return POINTS / s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One metric's day of minute buckets read from mlzone's database file, p99 per bucket by a plain loop; `runs` runs. */
function readCeiling(file: string, day0: number, runs: number): { p50: number; p95: number; p99: number } {
  const db = new Sqlite(file, { readonly: true });
  const id = metricId({ account: PRODUCTION, region: 'us-east-1', namespace: NS, metricName: 'ModelLatency', dimensions: dims(0) });
  const q = db.prepare('SELECT t, count, sum, min, max, bins FROM cloudwatch_buckets WHERE metric_id = ? AND res = 60 AND t >= ? AND t < ? ORDER BY t');
  const times: number[] = [];
  let check = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out: number[] = [];
    for (const r of q.all(id, day0, day0 + MINUTES * 60_000) as Array<{ count: number; sum: number; min: number; max: number; bins: string }>) {
      const b: Bucket = { count: r.count, sum: r.sum, min: r.min, max: r.max, bins: JSON.parse(r.bins) as Record<string, number> };
      out.push(statistic(b, 'p99')!);
    }
    times.push(performance.now() - t0);
    check = out.length;
  }
  db.close();
  if (check !== MINUTES && POINTS >= METRICS * MINUTES) throw new Error(`ceiling read ${check} rows`);
  return { p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99) };
}

await main();
