// The process runtime against small Node.js servers written by the test: the contract, failures, supervision.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessRuntime } from './process-runtime.js';
import { ContainerError } from './types.js';
import type { HostingContainerSpec, RuntimeImage } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-runtime-'));
const runtime = createProcessRuntime({ stopGraceMs: 1000 });

afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

/** An echo server honouring the contract, with a few behaviours chosen by the request body. */
const SERVER = join(root, 'server.cjs');
writeFileSync(
  SERVER,
  `
const http = require('http');
require('fs').writeFileSync('server.pid', String(process.pid));
const held = [];
http.createServer((req, res) => {
  if (req.url === '/ping') return res.end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString();
    if (text === 'slow') return void setTimeout(() => res.end('late'), 10000);
    if (text === 'teapot') { res.writeHead(418, { 'content-type': 'text/plain' }); return res.end('short and stout'); }
    if (text === 'env') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify(process.env)); }
    if (text === 'stream') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-amzn-sagemaker-custom-attributes': 'streamed' });
      res.write('first;');
      return void held.push(res);
    }
    if (text === 'release') {
      for (const r of held.splice(0)) r.end('second');
      return res.end('released');
    }
    res.writeHead(200, { 'content-type': 'application/x-echo', 'x-amzn-sagemaker-custom-attributes': 'seen=' + req.headers['x-amzn-sagemaker-custom-attributes'] });
    res.end(JSON.stringify({ body: text, contentType: req.headers['content-type'], accept: req.headers.accept, pid: process.pid }));
  });
}).listen(Number(process.env.SAGEMAKER_BIND_TO_PORT), '127.0.0.1', () => console.log('listening'));
`,
);

let counter = 0;
function spec(image: RuntimeImage, extra: Partial<HostingContainerSpec> = {}): HostingContainerSpec {
  const name = `acct/ep/variant/${++counter}`;
  return {
    image,
    modelDir: join(root, `model-${counter}`),
    workDir: join(root, `work-${counter}`),
    environment: {},
    name,
    startupTimeoutMs: 10_000,
    ...extra,
  };
}

const node = (...args: string[]): RuntimeImage => ({ kind: 'command', command: process.execPath, args });

/** Alive and not a zombie (orphans killed here may stay zombies when init does not reap them). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function failure(promise: Promise<unknown>): Promise<ContainerError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ContainerError);
  return e as ContainerError;
}

describe('start, invoke, stop', () => {
  it('speaks the hosting contract and leaves nothing behind', async () => {
    const lines: string[] = [];
    process.env.MLZONE_TEST_HOST_SECRET = 'must-not-leak';
    const s = spec(node(SERVER), { environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code', CUSTOM: 'x y' }, log: (l) => lines.push(l) });
    const c = await runtime.startHosting(s);
    delete process.env.MLZONE_TEST_HOST_SECRET;
    expect(c.healthy()).toBe(true);
    expect(c.name).toBe(s.name);
    expect(lines).toContain('listening');
    expect(existsSync(s.workDir)).toBe(true);
    expect(runtime.running()).toContain(c);

    const res = await c.invoke({ body: Buffer.from('hello'), contentType: 'text/csv', accept: 'application/json', customAttributes: 'trace=1', timeoutMs: 2000 });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/x-echo');
    expect(res.customAttributes).toBe('seen=trace=1');
    const echoed = JSON.parse(res.body.toString());
    expect(echoed).toMatchObject({ body: 'hello', contentType: 'text/csv', accept: 'application/json', pid: c.pid });

    const env = JSON.parse((await c.invoke({ body: Buffer.from('env'), timeoutMs: 2000 })).body.toString());
    expect(env).toMatchObject({
      SAGEMAKER_BIND_TO_PORT: String(c.port),
      SM_MODEL_DIR: s.modelDir,
      MLZONE_MODEL_DIR: s.modelDir,
      SAGEMAKER_PROGRAM: 'inference.py',
      SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
      CUSTOM: 'x y',
      PATH: process.env.PATH,
    });
    expect(env.MLZONE_TEST_HOST_SECRET).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();

    const teapot = await c.invoke({ body: Buffer.from('teapot'), timeoutMs: 2000 });
    expect(teapot.status).toBe(418);
    expect(teapot.body.toString()).toBe('short and stout');

    expect(c.rssBytes()).toBeGreaterThan(5 * 1024 * 1024);

    const pid = c.pid as number;
    expect(alive(pid)).toBe(true);
    await c.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(c.healthy()).toBe(false);
    expect(c.pid).toBeUndefined();
    expect(runtime.running()).not.toContain(c);
    const after = await failure(c.invoke({ body: Buffer.from('x'), timeoutMs: 1000 }));
    expect(after.kind).toBe('unavailable');
  });

  it('streams the answer: headers and the first chunk before the container finishes', async () => {
    const c = await runtime.startHosting(spec(node(SERVER)));
    // The server holds the stream open until a second request releases it, so resolving proves streaming.
    const res = await c.invokeStream({ body: Buffer.from('stream'), timeoutMs: 5000 });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain');
    expect(res.customAttributes).toBe('streamed');
    const chunks = res.chunks[Symbol.asyncIterator]();
    expect((await chunks.next()).value?.toString()).toBe('first;');
    expect((await c.invoke({ body: Buffer.from('release'), timeoutMs: 2000 })).body.toString()).toBe('released');
    let rest = '';
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) rest += r.value.toString();
    expect(rest).toBe('second');
    await c.stop();
  });

  it('a request exceeding timeoutMs fails with invoke-timeout within the timeout, and the instance keeps serving', async () => {
    const c = await runtime.startHosting(spec(node(SERVER)));
    const started = Date.now();
    const e = await failure(c.invoke({ body: Buffer.from('slow'), timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(e.kind).toBe('invoke-timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(800);
    const streamed = await failure(c.invokeStream({ body: Buffer.from('slow'), timeoutMs: 200 }));
    expect(streamed.kind).toBe('invoke-timeout');
    expect((await c.invoke({ body: Buffer.from('ok'), timeoutMs: 2000 })).status).toBe(200);
    await c.stop();
  });

  it('stop kills the whole process group, grandchildren included', async () => {
    const c = await runtime.startHosting(spec({ kind: 'command', command: 'sh', args: ['-c', `sleep 100 & echo $! > sleeper.pid; "${process.execPath}" "${SERVER}"`] }));
    const work = join(root, `work-${counter}`);
    const sleeper = Number(readFileSync(join(work, 'sleeper.pid'), 'utf8'));
    const server = Number(readFileSync(join(work, 'server.pid'), 'utf8'));
    const shell = c.pid as number;
    expect([sleeper, server, shell].every(alive)).toBe(true);
    expect(c.rssBytes()).toBeGreaterThan(20 * 1024 * 1024); // sh + sleep + node
    await c.stop();
    expect([sleeper, server, shell].filter(alive)).toEqual([]);
  });
});

describe('start failures', () => {
  it('a command that never answers /ping fails with ping-timeout, its output, and nothing left running', async () => {
    const script = join(root, 'mute.cjs');
    writeFileSync(script, `require('fs').writeFileSync('mute.pid', String(process.pid)); console.log('loading weights'); console.error('still loading'); setInterval(() => {}, 1000);`);
    const s = spec(node(script), { startupTimeoutMs: 700 });
    const started = Date.now();
    const e = await failure(runtime.startHosting(s));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(e.kind).toBe('ping-timeout');
    expect(e.reason).toContain('did not answer GET /ping with 200 within 0.7 s');
    expect(e.reason).toContain('loading weights\nstill loading');
    expect(alive(Number(readFileSync(join(s.workDir, 'mute.pid'), 'utf8')))).toBe(false);
    expect(runtime.running()).toEqual([]);
  });

  it('a command that exits at once fails with exited and its stderr, leading with an mlzone: explanation', async () => {
    const e = await failure(runtime.startHosting(spec(node('-e', `console.error('Traceback: boom'); console.error('mlzone: the thing needs apt-get install -y thing'); process.exit(3)`))));
    expect(e.kind).toBe('exited');
    expect(e.reason).toMatch(/^the thing needs apt-get install -y thing\. The container exited \(exit code 3\) before answering GET \/ping\./);
    expect(e.reason).toContain('Traceback: boom');
  });

  it('a command killed by a signal says so', async () => {
    const e = await failure(runtime.startHosting(spec(node('-e', `process.kill(process.pid, 'SIGKILL')`))));
    expect(e.kind).toBe('exited');
    expect(e.reason).toContain('killed by SIGKILL');
    expect(e.reason).toContain('wrote no output');
  });

  it('a missing program fails with start and what to do', async () => {
    const e = await failure(runtime.startHosting(spec({ kind: 'command', command: join(root, 'no-such-server'), args: [] })));
    expect(e.kind).toBe('start');
    expect(e.reason).toContain('no such program');
  });

  it('a missing Python names the packages and MLZONE_PYTHON', async () => {
    const rt = createProcessRuntime({ python: join(root, 'no-python3') });
    const e = await failure(rt.startHosting(spec({ kind: 'framework', framework: 'sklearn' })));
    await rt.close();
    expect(e.kind).toBe('start');
    expect(e.reason).toMatch(/needs Python 3.*apt-get install -y python3.*MLZONE_PYTHON/);
  });
});

describe('supervision', () => {
  it('a killed instance is unhealthy at once, then restarted on the same port with a new pid', async () => {
    const lines: string[] = [];
    const c = await runtime.startHosting(spec(node(SERVER), { log: (l) => lines.push(l) }));
    const first = c.pid as number;
    const port = c.port;
    process.kill(first, 'SIGKILL');
    await until(() => !c.healthy(), 1000);
    const refused = await failure(c.invoke({ body: Buffer.from('x'), timeoutMs: 1000 }));
    expect(refused.kind).toBe('unavailable');
    await until(() => c.healthy(), 5000);
    expect(c.pid).not.toBe(first);
    expect(c.port).toBe(port);
    const res = await c.invoke({ body: Buffer.from('again'), timeoutMs: 2000 });
    expect(JSON.parse(res.body.toString())).toMatchObject({ body: 'again', pid: c.pid });
    expect(lines.some((l) => l.startsWith('mlzone: the container exited (killed by SIGKILL); restarting it in 100 ms'))).toBe(true);
    await c.stop();
    expect(alive(first)).toBe(false);
  });

  it('close() stops every instance', async () => {
    const rt = createProcessRuntime({ stopGraceMs: 500 });
    const a = await rt.startHosting(spec(node(SERVER)));
    const b = await rt.startHosting(spec(node(SERVER)));
    const pids = [a.pid as number, b.pid as number];
    expect(rt.running()).toHaveLength(2);
    await rt.close();
    expect(pids.filter(alive)).toEqual([]);
    expect(rt.running()).toEqual([]);
    const e = await failure(rt.startHosting(spec(node(SERVER))));
    expect(e.kind).toBe('start');
  });
});
