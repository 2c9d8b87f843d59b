/**
 * S3 data-path benchmark (`node --import tsx bench/s3.ts [--out f.md]`): mlzone runs as a child process with
 * `--auth strict` and a data dir on the same disk as the ceiling files; requests are SigV4-signed
 * (`UNSIGNED-PAYLOAD`, as the CLI and SDKs send over TLS-less endpoints with streaming bodies) by a small
 * in-process signer over keep-alive node:http, as an assumed-role session of the data-lake admin.
 *
 * Measures: PUT and GET MB/s for 1 MiB (sequential, 128 objects) and 256 MiB objects (median of 3), the same
 * bytes written+fsynced / read through plain files (the ceiling), and `cp` of the 256 MiB file; small-object
 * (1 KiB) PUT and GET operations/s at concurrency 16 for a fixed time; peak RSS of the server during one
 * 2 GiB streamed PUT. Loopback only; every loop is bounded.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { memoryOf } from './procfs.js';
import { ROOT, exited, freePort, waitFor200 } from './server.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, seconds: { type: 'string', default: '8' } } });
const SECONDS = Math.min(Math.max(2, Number(values.seconds)), 30);
const MiB = 1024 * 1024;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function signingKey(secret: string, date: string): Buffer {
  let k = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of ['us-east-1', 's3', 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  return k;
}

/** SigV4 headers for an S3 request with an unsigned payload. */
function sign(creds: Creds, host: string, method: string, path: string, extra: Record<string, string> = {}): Record<string, string> {
  const amz = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amz.slice(0, 8);
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': amz, ...extra };
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const canonical = `${method}\n${path}\n\n${names.map((n) => `${n}:${headers[n]}\n`).join('')}\n${names.join(';')}\nUNSIGNED-PAYLOAD`;
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const sts = `AWS4-HMAC-SHA256\n${amz}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const sig = createHmac('sha256', signingKey(creds.secretAccessKey, date)).update(sts).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${sig}`;
  return headers;
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function call(url: URL, creds: Creds, method: string, path: string, body?: Buffer | AsyncIterable<Uint8Array>, length?: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const extra: Record<string, string> = length !== undefined ? { 'content-length': String(length) } : {};
    const req = request({ host: url.hostname, port: url.port, method, path, agent, headers: sign(creds, url.host, method, path, extra) }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for await (const c of body) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(reject);
  });
}

async function ok(p: Promise<{ status: number; bytes: number }>): Promise<{ status: number; bytes: number }> {
  const r = await p;
  if (r.status >= 300) throw new Error(`HTTP ${r.status}`);
  return r;
}

async function* repeated(block: Buffer, total: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += block.length) yield sent + block.length <= total ? block : block.subarray(0, total - sent);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function main(): Promise<void> {
  const work = mkdtempSync(join(ROOT, '.bench-s3-'));
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}`);
  // BENCH_S3_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_S3_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'up', '--host', '127.0.0.1', '--port', String(port), '--auth', 'strict', '--data-dir', join(work, 'data')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const rows: string[] = [];
  try {
    await waitFor200(`${url.origin}/_mlzone/health`, server, performance.now(), { intervalMs: 50, timeoutMs: 60_000 });
    const sts = new STSClient({ endpoint: url.origin, region: 'us-east-1', credentials: { accessKeyId: 'AKIALXWRIIKOTTUQI7PC', secretAccessKey: 'd13444328d9494caeeec7eff78c88c988770de5a' } });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/LakeAdmin', RoleSessionName: 'bench', DurationSeconds: 3600 }))).Credentials!;
    const creds: Creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const bucket = `bench-${Date.now()}`;
    await ok(call(url, creds, 'PUT', `/${bucket}`));

    // 1 MiB objects, sequential.
    const one = randomBytes(MiB);
    const N = 128;
    let t = performance.now();
    for (let i = 0; i < N; i++) await ok(call(url, creds, 'PUT', `/${bucket}/one/${i}`, one));
    const put1 = mbps(N * MiB, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < N; i++) await ok(call(url, creds, 'GET', `/${bucket}/one/${i}`));
    const get1 = mbps(N * MiB, performance.now() - t);
    let ct = performance.now();
    for (let i = 0; i < N; i++) {
      const fd = openSync(join(work, `c${i}`), 'w');
      writeSync(fd, one);
      fsyncSync(fd);
      closeSync(fd);
    }
    const ceilPut1 = mbps(N * MiB, performance.now() - ct);
    ct = performance.now();
    for (let i = 0; i < N; i++) readFileSync(join(work, `c${i}`));
    const ceilGet1 = mbps(N * MiB, performance.now() - ct);
    for (let i = 0; i < N; i++) rmSync(join(work, `c${i}`));

    // 256 MiB objects, streamed, median of 3.
    const SIZE = 256 * MiB;
    const block = randomBytes(4 * MiB);
    const puts: number[] = [];
    const gets: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await ok(call(url, creds, 'PUT', `/${bucket}/big/${i}`, repeated(block, SIZE), SIZE));
      puts.push(mbps(SIZE, performance.now() - t));
      t = performance.now();
      const r = await ok(call(url, creds, 'GET', `/${bucket}/big/${i}`));
      if (r.bytes !== SIZE) throw new Error(`GET returned ${r.bytes} bytes`);
      gets.push(mbps(SIZE, performance.now() - t));
    }
    const file = join(work, 'ceiling.bin');
    const ceilPuts: number[] = [];
    const ceilGets: number[] = [];
    const cps: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const fh = await open(file, 'w');
      for await (const b of repeated(block, SIZE)) await fh.write(b);
      await fh.sync();
      await fh.close();
      ceilPuts.push(mbps(SIZE, performance.now() - t));
      t = performance.now();
      const rh = await open(file, 'r');
      const buf = Buffer.alloc(MiB);
      while ((await rh.read(buf, 0, MiB)).bytesRead > 0);
      await rh.close();
      ceilGets.push(mbps(SIZE, performance.now() - t));
      t = performance.now();
      spawnSync('cp', [file, `${file}.copy`]);
      spawnSync('sync', [`${file}.copy`]);
      cps.push(mbps(SIZE, performance.now() - t));
      rmSync(`${file}.copy`);
    }
    rmSync(file);
    for (let i = 0; i < 3; i++) await ok(call(url, creds, 'DELETE', `/${bucket}/big/${i}`));

    // Small objects at concurrency 16.
    const small = randomBytes(1024);
    const loop = async (op: (i: number) => Promise<unknown>): Promise<number> => {
      let n = 0;
      const end = performance.now() + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let i = 0; performance.now() < end; i++) {
            await op(w * 1_000_000 + i);
            n++;
          }
        }),
      );
      return n / SECONDS;
    };
    const smallPut = await loop((i) => ok(call(url, creds, 'PUT', `/${bucket}/small/${i % 256}`, small)));
    for (let i = 0; i < 256; i++) await ok(call(url, creds, 'PUT', `/${bucket}/small/${i}`, small));
    const smallGet = await loop((i) => ok(call(url, creds, 'GET', `/${bucket}/small/${i % 256}`)));

    // Peak RSS during one 2 GiB streamed upload.
    const before = memoryOf(server.pid!);
    t = performance.now();
    await ok(call(url, creds, 'PUT', `/${bucket}/huge`, repeated(block, 2048 * MiB), 2048 * MiB));
    const hugeMbps = mbps(2048 * MiB, performance.now() - t);
    const after = memoryOf(server.pid!);
    await ok(call(url, creds, 'DELETE', `/${bucket}/huge`));

    const fmt = (x: number) => x.toFixed(0);
    rows.push(
      `## S3 data path (bench/s3.ts)`,
      '',
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} cores (load average ${loadavg()[0].toFixed(1)} at the end: the machine is shared), one disk for the data dir and the ceiling files; mlzone \`--auth strict\` (SigV4 + IAM on every request, as an assumed-role session), blobs fsynced before they become visible.`,
      '',
      '| workload | mlzone | ceiling (same bytes through plain files) |',
      '|---|---|---|',
      `| PUT 1 MiB × ${N}, sequential | ${fmt(put1)} MB/s | ${fmt(ceilPut1)} MB/s (write + fsync per file) |`,
      `| GET 1 MiB × ${N}, sequential | ${fmt(get1)} MB/s | ${fmt(ceilGet1)} MB/s (readFile, page cache) |`,
      `| PUT 256 MiB (median of 3) | ${fmt(median(puts))} MB/s | ${fmt(median(ceilPuts))} MB/s (write + fsync); \`cp\` + sync ${fmt(median(cps))} MB/s |`,
      `| GET 256 MiB (median of 3) | ${fmt(median(gets))} MB/s | ${fmt(median(ceilGets))} MB/s (read, page cache) |`,
      `| PUT 1 KiB, concurrency 16, ${SECONDS} s | ${fmt(smallPut)} ops/s | |`,
      `| GET 1 KiB, concurrency 16, ${SECONDS} s | ${fmt(smallGet)} ops/s | |`,
      `| PUT 2 GiB streamed | ${fmt(hugeMbps)} MB/s; server RSS ${fmt(before?.rssMiB ?? NaN)} MiB before, peak ${fmt(after?.hwmMiB ?? NaN)} MiB | |`,
      '',
    );
    const text = rows.join('\n');
    console.log(text);
    if (values.out) writeFileSync(values.out, text);
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await exited(server);
    rmSync(work, { recursive: true, force: true });
    if (stderr.trim()) console.error(stderr.slice(-2000));
  }
}

await main();
