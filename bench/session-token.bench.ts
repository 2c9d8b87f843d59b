/**
 * Self-contained session tokens (issue #13): what opening one costs, against the crypto it is made of, and the
 * strict authentication path (in-process, no HTTP) for a role session next to an IAM user's long-term key.
 *
 *   node --import tsx bench/session-token.bench.ts [iterations]
 *
 * Part 1 — `open` of a token each time (no memo), vs. a bare AES-256-GCM open and a bare
 * HMAC-SHA256 of the same sizes in the same run: the ≤ 10 µs per token bound.
 * Part 2 — GetCallerIdentity through `app.handle` (the whole chain: claim, session, SigV4, IAM, handler,
 * serializer), signed with a DataScientist session and with ds1-scientist's own key. Runs unchanged on the
 * commit before the tokens (where sessions were rows behind a per-process cache) for the before/after.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createApp } from '../src/app/create-app.js';
import type { WireRequest } from '../src/core/wire.js';

const N = Number(process.argv[2] ?? 100_000);
const cpuMicros = (fn: () => void, n: number): number => {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
};
const asyncMicros = async (fn: () => Promise<unknown>, n: number): Promise<number> => {
  for (let i = 0; i < Math.min(n, 500); i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
};

console.log(`node ${process.version}, ${N.toLocaleString('en-US')} iterations; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: 'strict' });
const user = { accessKeyId: 'AKIAXFEF5XS35DJLOYMK', secretAccessKey: 'bf5368b614687e04cff0feefd3c9977d17c89062' };

async function signed(creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, body: string): Promise<WireRequest> {
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const s = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    query: {},
    headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return { method: 'POST', rawPath: '/', rawQuery: '', query: [], headers: Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), String(v)])), body: Buffer.from(body) };
}

const meta = { sourceIp: '127.0.0.1', secure: false };
const assume = await app.handle(
  await signed(user, 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444444444444%3Arole%2FDataScientist&RoleSessionName=bench&SourceIdentity=alice'),
  meta,
);
const xml = String(assume.body);
const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)![1]!;
const session = { accessKeyId: pick('AccessKeyId'), secretAccessKey: pick('SecretAccessKey'), sessionToken: pick('SessionToken') };
console.log(`token: ${session.sessionToken.length} characters`);

// Part 1: opening a token, cold, through the module when it exists (the commit before has no such module).
const mod = await import('../src/services/sts/domain/session-token.js').catch(() => undefined);
if (mod) {
  const { createSessionSealer } = mod;
  const { blueprintSeed } = await import('../src/app/session-key.js');
  const sealer = createSessionSealer(blueprintSeed(app.blueprint));
  const open = cpuMicros(() => {
    if (!sealer.open(session.accessKeyId, session.sessionToken)) throw new Error('token did not open');
  }, N);
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const plain = randomBytes(Math.floor(((session.sessionToken.length - 10) * 3) / 4) - 29);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([c.update(plain), c.final()]);
  const tag = c.getAuthTag();
  const aes = cpuMicros(() => {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    Buffer.concat([d.update(sealed), d.final()]);
  }, N);
  const hmac = cpuMicros(() => createHmac('sha256', key).update(session.accessKeyId).digest(), N);
  console.log(`open (cold, no memo):               ${open.toFixed(2)} µs per token  — bound ≤ 10 µs: ${open <= 10 ? 'met' : 'NOT met'}`);
  console.log(`ceiling: bare AES-256-GCM open of ${sealed.length} B: ${aes.toFixed(2)} µs; bare HMAC-SHA256: ${hmac.toFixed(2)} µs; sum ${(aes + hmac).toFixed(2)} µs`);
}

// Part 2: the strict chain, the same signed request replayed (the signature's date stays within its 15 minutes).
const sessionReq = await signed(session, 'Action=GetCallerIdentity&Version=2011-06-15');
const userReq = await signed(user, 'Action=GetCallerIdentity&Version=2011-06-15');
for (const [label, req] of [['role session (ASIA + token)', sessionReq], ['IAM user key (AKIA)', userReq]] as const) {
  const r = await app.handle(req, meta);
  if (r.status !== 200) throw new Error(`${label}: ${r.status} ${String(r.body)}`);
  const us = await asyncMicros(() => app.handle(req, meta), Math.floor(N / 5));
  console.log(`GetCallerIdentity, strict, ${label.padEnd(28)} ${us.toFixed(2)} µs CPU per call`);
}
await app.close();
