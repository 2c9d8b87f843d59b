/**
 * The cost of the request chain alone — authentication, parsing, authorization, handler, serialization, audit —
 * without HTTP or sockets: `App.handle` called with SigV4-signed requests (signed fresh per call, as bench/load.ts
 * does), `--concurrency` calls in flight. Prints CPU µs per call (process.cpuUsage, includes signing ~3 µs), which
 * is steady enough on a shared machine to A/B a change. Run `--auth strict` and `--auth off` alternately.
 *
 *   node --import tsx bench/pipeline.ts --op getrole --auth strict [--seconds 4] [--concurrency 16] [--dist dist]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formSigner, type Credentials, type SignedForm } from './signer.js';
import { ASSUME_READONLY_FORM, DS1_SCIENTIST, OPS, REGION, type Op } from './load.js';

interface Wire {
  method: string;
  rawPath: string;
  rawQuery: string;
  query: [];
  headers: Record<string, string>;
  body: Buffer;
}
type Handle = (req: Wire, meta: { sourceIp: string; secure: boolean }) => Promise<{ status: number; body: Buffer | string }>;

const { values } = parseArgs({
  options: {
    dist: { type: 'string' },
    op: { type: 'string', default: 'getrole' },
    auth: { type: 'string', default: 'strict' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
  },
});
if (!OPS.includes(values.op as Op)) throw new Error(`--op must be one of ${OPS.join(', ')}`);
const from = values.dist ? pathToFileURL(resolve(values.dist, 'app', 'create-app.js')).href : '../src/app/create-app.js';
const { createApp } = (await import(from)) as {
  createApp: (config: Record<string, unknown>) => Promise<{ handle: Handle; close(): Promise<void> }>;
};
const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: values.auth });
const host = '127.0.0.1:4566';
const meta = { sourceIp: '127.0.0.1', secure: false };
const wire = (s: SignedForm): Wire => ({ method: 'POST', rawPath: '/', rawQuery: '', query: [], headers: s.headers, body: s.body });
const call = async (s: SignedForm): Promise<string> => {
  const r = await app.handle(wire(s), meta);
  const body = String(r.body);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${body.slice(0, 300)}`);
  return body;
};

async function session(): Promise<Credentials> {
  const body = await call(formSigner({ host, region: REGION, service: 'sts', credentials: DS1_SCIENTIST, form: ASSUME_READONLY_FORM })());
  const tag = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(body)?.[1] ?? '';
  return { accessKeyId: tag('AccessKeyId'), secretAccessKey: tag('SecretAccessKey'), sessionToken: tag('SessionToken') };
}

const gci = 'Action=GetCallerIdentity&Version=2011-06-15';
const op = values.op as Op;
const role = values.auth === 'off' ? 'Admin' : 'DataScientist';
const sign =
  op === 'gci'
    ? formSigner({ host, region: REGION, service: 'sts', credentials: DS1_SCIENTIST, form: gci })
    : op === 'gci-session'
      ? formSigner({ host, region: REGION, service: 'sts', credentials: await session(), form: gci })
      : formSigner({ host, region: REGION, service: 'iam', credentials: await session(), form: `Action=GetRole&RoleName=${role}&Version=2010-05-08` });

async function run(seconds: number): Promise<{ calls: number; cpuUs: number }> {
  const until = performance.now() + seconds * 1000;
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (performance.now() < until) {
      await call(sign());
      calls++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { calls, cpuUs: cpu.user + cpu.system };
}

try {
  await run(Math.min(Number(values.warmup), 30));
  const r = await run(Math.min(Number(values.seconds), 60));
  console.log(JSON.stringify({ op, auth: values.auth, c: Number(values.concurrency), calls: r.calls, cpuUsPerCall: Math.round((r.cpuUs / r.calls) * 10) / 10 }));
} finally {
  await app.close();
}
