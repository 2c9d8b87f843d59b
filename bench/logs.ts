/**
 * CloudWatch Logs benchmark (`npm run bench:logs [-- --events 1000000 --batch 5000 --concurrency 4]`). mlzone as a
 * child process (bench/telemetry-setup.ts: `--auth strict`, SQLite in a fresh data dir; its CPU time read from
 * /proc), the JS SDK v3 as production's OrganizationAccountAccessRole from this process.
 *
 * (1) PutLogEvents sustained: `--events` events (~120 bytes; half plain text, half JSON; one in 1,000 an ERROR line)
 *     in batches of `--batch`, one stream per worker, `--concurrency` workers. Ceiling, same run: the same batches
 *     inserted straight into a bare SQLite table as one row per batch (better-sqlite3, WAL), as mlzone stores them (bytes of the messages, binary timestamps; no offsets or JSON columns).
 * (2) FilterLogEvents over the 1,000,000 stored events, 10 calls each, client-seen latency: a term in every block
 *     but few events (`ERROR`: found in every block's bytes, 1,000 matches), a JSON pattern (`{ $.latency > 990 }`:
 *     a test of every JSON message, on the block's columns) and a term no block holds (every block's bytes searched,
 *     none decoded). Ceilings: the same messages held in memory filtered by a plain loop (`includes` / JSON.parse),
 *     and read back from the database file and decoded first.
 * (3) Logs Insights over the same events, 5 queries each: a leading `filter @message like /ERROR/` (narrows what the
 *     store decodes) and a plain `stats count(*)` (decodes every event).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Sqlite from 'better-sqlite3';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { fmt, loadAvg, machineHeader, pct, pool, row, startBenchApp } from './telemetry-setup.js';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '4' } } });
const EVENTS = Number(args.events);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const GROUP = '/aws/sagemaker/Endpoints/bench';

/** Event j's message: one in 1,000 an ERROR line, otherwise alternately JSON and plain text. */
function message(j: number): string {
  if (j % 1000 === 7) return `ERROR 2026-12-06 request ${j} failed: model returned 500 after ${j % 997} ms (variant AllTraffic)`;
  if (j % 2 === 0) return JSON.stringify({ level: 'INFO', latency: j % 1000, path: '/invocations', variant: 'AllTraffic', request: j });
  return `INFO 2026-12-06 request ${j} served in ${j % 1000} ms by churn-model variant AllTraffic status 200`;
}

async function main(): Promise<void> {
  console.log(machineHeader(`CloudWatch Logs (issue #12) — \`npm run bench:logs\`, ${fmt(EVENTS)} events`));
  const bench = await startBenchApp();
  const logs = new CloudWatchLogsClient(bench.cfg);
  const t0 = Date.now() - 2 * 3_600_000;
  try {
    console.log(`- server: pid ${bench.pid}, data dir ${bench.dataDir}`);
    console.log('\n| measurement | mlzone | ceiling (same run) | target | met? |\n|---|---:|---:|---|---|');
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    for (let w = 0; w < CONCURRENCY; w++) await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `AllTraffic/i-${w}` }));

    // (1) ingest: batch b goes to stream b % CONCURRENCY; each worker writes its own stream's batches in order.
    const batches = Math.ceil(EVENTS / BATCH);
    const batchEvents = (b: number) => {
      const out: { timestamp: number; message: string }[] = [];
      for (let j = b * BATCH; j < Math.min(EVENTS, (b + 1) * BATCH); j++) out.push({ timestamp: t0 + Math.floor((j / EVENTS) * 3_600_000), message: message(j) });
      return out;
    };
    const srv0 = bench.serverCpu();
    const wall = await pool(CONCURRENCY, CONCURRENCY, async (w) => {
      for (let b = w; b < batches; b += CONCURRENCY) {
        const r = await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: `AllTraffic/i-${w}`, logEvents: batchEvents(b) }));
        if (r.rejectedLogEventsInfo) throw new Error(`batch ${b} partly rejected: ${JSON.stringify(r.rejectedLogEventsInfo)}`);
      }
    });
    const srv = bench.serverCpu() - srv0;
    const rate = EVENTS / (wall / 1000);
    const ceil = ingestCeiling(batches, batchEvents);
    row(`PutLogEvents, ${fmt(EVENTS)} events (~120 B) in batches of ${fmt(BATCH)}, ${CONCURRENCY} streams in parallel — events/s`, `**${fmt(rate)}** (${fmt(wall / 1000, 1)} s; server CPU ${fmt((srv * 1000) / (EVENTS / 1000), 2)} ms per 1,000 events = ${fmt(EVENTS / srv)} events per CPU-second)`, `${fmt(ceil)} (the same batches as rows into bare SQLite)`, '≥ 50,000/s', rate >= 50_000 ? 'yes' : '**no**');

    // (2) FilterLogEvents over everything stored.
    const messages = Array.from({ length: EVENTS }, (_, j) => message(j));
    const patterns: Array<{ label: string; pattern: string; expect: number; plain: (m: string) => boolean }> = [
      { label: '`ERROR` (a term in every block, 1 in 1,000 events: found in the bytes, 1,000 messages decoded)', pattern: 'ERROR', expect: Math.ceil((EVENTS - 7) / 1000), plain: (m) => m.includes('ERROR') },
      { label: '`{ $.latency > 990 }` (JSON: every JSON message tested, on the blocks\' columns)', pattern: '{ $.latency > 990 }', expect: -1, plain: (m) => m.startsWith('{') && (JSON.parse(m) as { latency: number }).latency > 990 },
      { label: '`NOSUCHTERM` (no block holds it: every block\'s bytes searched, none decoded)', pattern: 'NOSUCHTERM', expect: 0, plain: (m) => m.includes('NOSUCHTERM') },
    ];
    for (const p of patterns) {
      const lat: number[] = [];
      let found = 0;
      const srv1 = bench.serverCpu();
      for (let i = 0; i < 10; i++) {
        const s = performance.now();
        const r = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: p.pattern, limit: 10_000 }));
        lat.push(performance.now() - s);
        found = r.events?.length ?? 0;
        if (r.nextToken) throw new Error(`${p.pattern}: more than one page`);
      }
      const cpu = ((bench.serverCpu() - srv1) * 1000) / lat.length;
      const want = p.expect >= 0 ? p.expect : messages.filter(p.plain).length;
      if (found !== want) throw new Error(`${p.pattern}: ${found} events, expected ${want}`);
      const mem: number[] = [];
      for (let i = 0; i < 10; i++) {
        const s = performance.now();
        let n = 0;
        for (const m of messages) if (p.plain(m)) n++;
        mem.push(performance.now() - s);
        if (n !== want) throw new Error('ceiling disagrees');
      }
      const disk = readCeiling(join(bench.dataDir, 'mlzone.db'), p.plain, want);
      row(`FilterLogEvents over ${fmt(EVENTS)} events, ${p.label}: ${fmt(found)} events returned, 10 calls — p50 / max`, `**${fmt(pct(lat, 50), 0)}** / ${fmt(Math.max(...lat), 0)} ms (server CPU ${fmt(cpu, 0)} ms per call)`, `${fmt(pct(mem, 50), 0)} ms in memory by a plain loop; ${fmt(disk, 0)} ms reading the blocks from the database file and decoding every message first`, '≤ 500 ms', pct(lat, 50) <= 500 ? 'yes' : '**no**');
    }

    // (3) Logs Insights over the same events: StartQuery until GetQueryResults is Complete (no target in the issue).
    for (const q of [
      { label: '`filter @message like /ERROR/ \\| stats count(*)` (the leading filter narrows what is decoded)', query: 'filter @message like /ERROR/ | stats count(*) as n', expect: Math.ceil((EVENTS - 7) / 1000) },
      { label: '`stats count(*)` (every event decoded)', query: 'stats count(*) as n', expect: EVENTS },
    ]) {
      const lat: number[] = [];
      const srv1 = bench.serverCpu();
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: GROUP, startTime: Math.floor(t0 / 1000) - 60, endTime: Math.floor(Date.now() / 1000), queryString: q.query }));
        let r = await logs.send(new GetQueryResultsCommand({ queryId }));
        while (r.status !== 'Complete') r = await logs.send(new GetQueryResultsCommand({ queryId }));
        lat.push(performance.now() - s);
        const n = Number(r.results?.[0]?.find((f) => f.field === 'n')?.value);
        if (n !== q.expect || r.statistics?.recordsScanned !== EVENTS) throw new Error(`${q.query}: n=${n}, scanned ${r.statistics?.recordsScanned}`);
      }
      const cpu = ((bench.serverCpu() - srv1) * 1000) / lat.length;
      row(`Logs Insights over ${fmt(EVENTS)} events, ${q.label}, 5 queries — p50 / max`, `**${fmt(pct(lat, 50), 0)}** / ${fmt(Math.max(...lat), 0)} ms (server CPU ${fmt(cpu, 0)} ms per query)`, '', '', '');
    }
  } finally {
    await bench.close();
  }
  console.log(`\n- load average at end: ${loadAvg()}`);
}

/** The same batches as one row each (binary timestamps, the messages' bytes) into a bare SQLite table; events/s. */
function ingestCeiling(batches: number, batchEvents: (b: number) => { timestamp: number; message: string }[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'mlzone-bench-ceiling-'));
  try {
    const db = new Sqlite(join(dir, 'c.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE blocks (id INTEGER PRIMARY KEY, stream TEXT, min_ts INTEGER, max_ts INTEGER, ts BLOB, body BLOB)');
    const ins = db.prepare('INSERT INTO blocks (stream, min_ts, max_ts, ts, body) VALUES (?, ?, ?, ?, ?)');
    const all = Array.from({ length: batches }, (_, b) => batchEvents(b));
    const t0 = performance.now();
    all.forEach((events, b) => {
      ins.run(`s${b % CONCURRENCY}`, events[0]!.timestamp, events[events.length - 1]!.timestamp, Buffer.from(new Float64Array(events.map((e) => e.timestamp)).buffer), Buffer.from(events.map((e) => e.message).join(''), 'utf8'));
    });
    const s = (performance.now() - t0) / 1000;
    db.close();
    return EVENTS / s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The group's blocks read from mlzone's database file, every message decoded and filtered by a plain loop; median of 5, ms. */
function readCeiling(file: string, match: (m: string) => boolean, want: number): number {
  const db = new Sqlite(file, { readonly: true });
  const q = db.prepare('SELECT body, offsets FROM logs_blocks WHERE group_name = ? ORDER BY min_ts');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    let n = 0;
    for (const r of q.all(GROUP) as Array<{ body: Buffer; offsets: Buffer }>) {
      for (let j = 0; j + 1 < r.offsets.length / 4; j++) if (match(r.body.toString('utf8', r.offsets.readUInt32LE(j * 4), r.offsets.readUInt32LE(j * 4 + 4)))) n++;
    }
    times.push(performance.now() - t0);
    if (n !== want) throw new Error(`read ceiling found ${n}, expected ${want}`);
  }
  db.close();
  return pct(times, 50);
}

await main();
