/**
 * A/B helper for performance fixes: the server (createApp from a given build) and the load generator in ONE
 * process, so that the CPU time per request (server + client, process.cpuUsage) is measured without scheduling
 * between processes — much steadier on a shared machine than requests/s. Compare two builds by alternating runs:
 *
 *   node --import tsx bench/inproc.ts --dist /path/to/dist --op getrole --concurrency 16 --seconds 5
 *
 * Prints one JSON line: { cpuUsPerReq, rps, p50us, p99us, errors }. Loopback only; bounded by --seconds.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { OPS, runLoad, type Op } from './load.js';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    op: { type: 'string', default: 'gci' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    auth: { type: 'string', default: 'strict' },
  },
});
if (!OPS.includes(values.op as Op)) throw new Error(`--op must be one of ${OPS.join(', ')}`);
const { createApp } = (await import(pathToFileURL(resolve(values.dist!, 'app', 'create-app.js')).href)) as {
  createApp: (config: Record<string, unknown>) => Promise<{ url: string; close(): Promise<void> }>;
};
const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: values.auth });
// Time in garbage collection (all kinds), to tell allocation pressure from work.
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
});
try {
  const seconds = Math.min(Number(values.seconds), 60);
  const r = await runLoad({
    url: app.url,
    op: values.op as Op,
    concurrency: Number(values.concurrency),
    maxRequests: 1_000_000,
    seconds,
    warmupSeconds: Math.min(Number(values.warmup), 30),
    timeoutMs: 10_000,
    role: values.auth === 'off' ? 'Admin' : 'DataScientist',
    onMeasuredPhase: (started) => (started ? gcObserver.observe({ entryTypes: ['gc'] }) : gcObserver.disconnect()),
  });
  // runLoad's clientCpu covers the measured phase only; in this process that is server + client.
  const cpuUsPerReq = ((r.clientCpu * r.seconds) / r.requests) * 1e6;
  console.log(JSON.stringify({ op: r.op, c: r.concurrency, cpuUsPerReq: Math.round(cpuUsPerReq), rps: Math.round(r.rps), p50us: Math.round(r.p50us), p99us: Math.round(r.p99us), gcUsPerReq: Math.round(((gcMs * 1000) / r.requests) * 10) / 10, errors: r.errors }));
} finally {
  await app.close();
}
