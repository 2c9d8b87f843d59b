/**
 * Micro-benchmark: SigV4 readClaim + verify per second on one core, for requests signed by the real JS signer.
 *
 *   node --import tsx bench/sigv4.bench.ts [iterations]
 *
 * Reports the cached verifier (createSigV4Verifier) and the uncached verifySigV4 side by side.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { WireRequest } from '../src/core/wire.js';
import type { AuthErrorStyle } from '../src/auth/sigv4-errors.js';
import { createSigV4Verifier, readClaim, verifySigV4 } from '../src/auth/sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = Date.now();
const N = Number(process.argv[2] ?? 200_000);

interface Signed {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function toWire(s: Signed): WireRequest {
  const pairs = Object.entries(s.query ?? {});
  return {
    method: s.method,
    rawPath: s.path,
    rawQuery: pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'),
    query: pairs,
    headers: Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(s.body ?? ''),
  };
}

async function sign(service: string, req: Omit<Signed, 'headers'> & { headers?: Record<string, string> }, s3 = false, presign = false) {
  const signer = new SignatureV4({
    service,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'session-token' },
    sha256: Sha256,
    uriEscapePath: !s3,
  });
  const http = { protocol: 'http:', hostname: '127.0.0.1', port: 4566, query: {}, ...req, headers: { host: '127.0.0.1:4566', ...req.headers } };
  const signed = presign ? await signer.presign(http, { signingDate: new Date(NOW), expiresIn: 900 }) : await signer.sign(http, { signingDate: new Date(NOW) });
  return toWire(signed as unknown as Signed);
}

const body = JSON.stringify({ MaxResults: 10, NameContains: 'training-job', SortBy: 'CreationTime' });
const cases: [string, WireRequest, AuthErrorStyle][] = [
  [
    'json (sagemaker, 80 B body)',
    await sign('sagemaker', {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListTrainingJobs', 'user-agent': 'bench' },
      body,
    }),
    { style: 'json', s3: false },
  ],
  [
    'query (sts, form body)',
    await sign('sts', {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    }),
    { style: 'query', s3: false },
  ],
  [
    's3 GET, header auth',
    await sign('s3', { method: 'GET', path: '/bucket/dir/k%201%2Bx', query: { versionId: 'v1' }, headers: { 'x-amz-content-sha256': createHash('sha256').update('').digest('hex') } }, true),
    { style: 'rest-xml', s3: true },
  ],
  [
    's3 presigned GET',
    await sign('s3', { method: 'GET', path: '/bucket/k%C3%BC', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, true, true),
    { style: 'rest-xml', s3: true },
  ],
];

/**
 * Runs `verify` N times and reports verifications per second of wall time and per second of this process's CPU
 * time; on a shared machine (other processes competing for the cores) the CPU figure is the one-core capacity.
 */
function run(label: string, req: WireRequest, verify: (req: WireRequest) => void): number {
  for (let i = 0; i < 5000; i++) verify(req); // warm-up
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) verify(req);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9);
  console.log(`${label.padEnd(40)} ${fmt(N / cpu)}/s per CPU-second  ${fmt(N / wall)}/s wall  (${((cpu / N) * 1e6).toFixed(2)} µs CPU each)`);
  return N / cpu;
}

const verifier = createSigV4Verifier();
console.log(`node ${process.version}, ${N.toLocaleString('en-US')} iterations per case, readClaim + verify`);
const results: number[] = [];
for (const [label, req, style] of cases) {
  const opts = { ...style, now: NOW };
  results.push(run(`${label} [cached key]`, req, (r) => verifier.verify(r, readClaim(r, style)!, SECRET, opts)));
  run(`${label} [no cache]`, req, (r) => verifySigV4(r, readClaim(r, style)!, SECRET, opts));
}
const worst = Math.min(...results);
console.log(`slowest cached case: ${Math.round(worst).toLocaleString('en-US')} verifications per CPU-second — target ≥ 50,000/s: ${worst >= 50_000 ? 'met' : 'NOT met'}`);
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
