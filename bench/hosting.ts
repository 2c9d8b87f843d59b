/**
 * SageMaker hosting benchmark (`npm run bench:hosting`, issue #14). Builds if dist/ is stale, starts the built mlzone
 * (`up --ephemeral --auth strict`) as a child process, sets up data-science-1 as its scientists do (a DataScientist
 * session, model.tar.gz files in the account's SageMaker bucket, models and endpoint configs with the
 * SageMakerExecution role), then measures:
 *
 *   1. CreateEndpoint → InService, built-in linear-learner and scikit-learn (script mode, `model_fn` in
 *      code/inference.py): from the CreateEndpoint call to the first DescribeEndpoint answering InService, polled
 *      every `--poll-ms`; the part before the container process was spawned (its start time in /proc, 10 ms
 *      resolution). Endpoints are created one at a time, built-in and scikit-learn alternately, each deleted (and
 *      gone) before the next. Ceiling: the same container program spawned by hand, /ping polled every 2 ms.
 *   2. InvokeEndpoint at concurrency 1 and 16 on a built-in endpoint with 1 and with 2 instances: SigV4-signed
 *      through mlzone, and the same request straight to the containers' ports (the ceiling), interleaved in each
 *      round, each cell in a fresh generator process (bench/invoke-load.ts), `--repeat` rounds, the median run by
 *      requests/s reported. Overhead = mlzone − direct, at p50 and p99. Beside it, iam:GetRole at c16 on the same
 *      server (bench/load.ts), the cost of an ordinary signed call.
 *   2b. The same invocation through `App.handle` in process (bench/invoke-pipeline.ts, after mlzone is stopped), CPU
 *      µs per call with `--auth strict` and `--auth accounts`, beside iam:GetRole (bench/pipeline.ts): what the chain
 *      costs and enforcement's share, in a unit that other work on a shared machine moves little.
 *   3. Memory of every built-in instance, idle after the start and again idle after the load: VmRSS of its
 *      process group, and Pss / private pages from /proc/<pid>/smaps_rollup; beside them an idle `node` with an
 *      HTTP server listening (the floor for any Node.js container).
 *
 * Unless `--no-pin`, mlzone runs on CPU 0 (its containers inherit that: they are its children) and every generator
 * on CPU 1, spinning (see bench/run.ts). Prints markdown; `--out <file>` also writes it. Loopback only; every loop
 * is bounded.
 *
 *   npm run bench:hosting -- [--only create,invoke,memory,chain] [--endpoints 5] [--seconds 5] [--warmup 1] [--repeat 3]
 *                            [--chain-rounds 2] [--poll-ms 10] [--no-pin] [--no-spin] [--cpu-prof] [--skip-build] [--out f.md]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type {
  SageMakerClient} from '@aws-sdk/client-sagemaker';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { createModelArtifact, extractModelArtifact } from '../src/runtime/index.js';
import { bareStartMs, builtinContainer, containersOf, groupRss, processMemory, sklearnContainer, type ContainerProcess, type ProcessMemory } from './containers.js';
import { type InvokeLoadResult, type InvokeTarget } from './invoke-load.js';
import { type LoadResult } from './load.js';
import { memoryOf } from './procfs.js';
import { markdown, summarize } from './profile-summary.js';
import { pinned, ROOT, spawnMlzone, type Child } from './server.js';
import { dataScientistSession, ensureBuilt, f0, f2, machineLines, max, median, sleep, type Session } from './sagemaker-bench.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'create,invoke,memory,chain' },
    'chain-rounds': { type: 'string', default: '2' },
    endpoints: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '3' },
    'poll-ms': { type: 'string', default: '10' },
    'no-pin': { type: 'boolean', default: false },
    'no-spin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const ONLY = new Set(values.only!.split(','));
const ENDPOINTS = Math.min(Math.max(1, Number(values.endpoints)), 20);
const SECONDS = Math.min(Math.max(1, Number(values.seconds)), 60);
const WARMUP = Math.min(Math.max(0, Number(values.warmup)), 30);
const REPEAT = Math.min(Math.max(1, Number(values.repeat)), 9);
const CHAIN_ROUNDS = Math.min(Math.max(1, Number(values['chain-rounds'])), 9);
const POLL_MS = Math.min(Math.max(1, Number(values['poll-ms'])), 100);
const PIN = !values['no-pin'] && availableParallelism() >= 2;
const SPIN = PIN && !values['no-spin'];
const SERVER_CPU = PIN ? 0 : undefined;
const LOAD_CPU = PIN ? 1 : undefined;

const ACCOUNT = '444444444444';
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
const LINEAR_LEARNER_IMAGE = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const SKLEARN_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const SKLEARN_ENV = { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' };
const PYTHON = process.env.MLZONE_PYTHON || '/usr/bin/python3';
/** y = 2·x1 − x2 + 0.5·x3 + 3·x4 + 3, for both models. */
const WEIGHTS = [2, -1, 0.5, 3];
const BIAS = 3;
const INFERENCE_PY = `import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
`;
const TRAIN_PY = `import sys

import joblib
import numpy as np
from sklearn.linear_model import LinearRegression

w = np.array([${WEIGHTS.join(', ')}], dtype=float)
X = np.vstack([np.zeros(4), np.eye(4), np.ones(4), np.arange(4.0)])
joblib.dump(LinearRegression().fit(X, X @ w + ${BIAS}), sys.argv[1])
`;

// ---------------------------------------------------------------------------------------------------------------
// set-up

function machine(): string[] {
  const python = spawnSync(PYTHON, ['-c', 'import sys, sklearn; print(sys.version.split()[0], sklearn.__version__)'], { encoding: 'utf8' });
  return machineLines({ cpus: availableParallelism(), tools: `${PYTHON} ${python.status === 0 ? `${python.stdout.trim().replace(' ', ', scikit-learn ')}` : 'without scikit-learn'}` });
}

function hasSklearn(): boolean {
  return spawnSync(PYTHON, ['-c', 'import sklearn, joblib, numpy'], { stdio: 'ignore' }).status === 0;
}

/** model.joblib of a tiny LinearRegression, trained by Debian's Python. */
function trainSklearn(work: string): Buffer {
  const file = join(work, 'model.joblib');
  const r = spawnSync(PYTHON, ['-c', TRAIN_PY, file], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`training the scikit-learn model failed: ${r.stderr}`);
  return readFileSync(file);
}

interface Artifacts {
  readonly linearLearner: Buffer;
  readonly sklearn?: Buffer;
}

async function artifacts(work: string): Promise<Artifacts> {
  const linearLearner = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: WEIGHTS.length, weights: WEIGHTS, bias: BIAS }) });
  const sklearn = hasSklearn() ? await createModelArtifact({ 'model.joblib': trainSklearn(work), 'code/inference.py': INFERENCE_PY }) : undefined;
  return { linearLearner, sklearn };
}

type Kind = 'builtin' | 'sklearn';

/** Uploads the artifacts and creates one model per kind plus the endpoint configs `<kind>-1` (and `builtin-2`). */
async function createModels(s: Session, a: Artifacts, stamp: string): Promise<Record<string, string>> {
  const configs: Record<string, string> = {};
  const kinds: Array<[Kind, Buffer | undefined, string, Record<string, string>]> = [
    ['builtin', a.linearLearner, LINEAR_LEARNER_IMAGE, {}],
    ['sklearn', a.sklearn, SKLEARN_IMAGE, SKLEARN_ENV],
  ];
  for (const [kind, body, image, env] of kinds) {
    if (!body) continue;
    const name = `bench-${kind}-${stamp}`;
    const key = `bench/${name}/model.tar.gz`;
    await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await s.sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: EXECUTION_ROLE, PrimaryContainer: { Image: image, ModelDataUrl: `s3://${BUCKET}/${key}`, Environment: env } }));
    for (const count of kind === 'builtin' ? [1, 2] : [1]) {
      const config = `${name}-${count}`;
      await s.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: config,
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: count, InitialVariantWeight: 1 }],
        }),
      );
      configs[`${kind}-${count}`] = config;
    }
  }
  return configs;
}

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Polls DescribeEndpoint every POLL_MS until the status leaves `from`; bounded. */
async function waitWhile(sm: SageMakerClient, name: string, from: string, timeoutMs = 120_000): Promise<DescribeEndpointCommandOutput> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== from) return d;
    if (performance.now() > deadline) throw new Error(`endpoint ${name} still ${from} after ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

async function deleteAndWait(sm: SageMakerClient, name: string): Promise<void> {
  await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
  const deadline = performance.now() + 60_000;
  for (;;) {
    const gone = await sm.send(new DescribeEndpointCommand({ EndpointName: name })).then(
      () => false,
      () => true,
    );
    if (gone) return;
    if (performance.now() > deadline) throw new Error(`endpoint ${name} was not deleted within 60 s`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. CreateEndpoint → InService

interface Creation {
  readonly kind: Kind;
  /** CreateEndpoint call → first DescribeEndpoint answering InService (returned), ms. */
  readonly inServiceMs: number;
  /** CreateEndpoint call → the container process spawned (±5 ms), ms. */
  readonly spawnMs?: number;
  /** The CreateEndpoint call itself (until its answer), ms. */
  readonly callMs: number;
}

async function createOne(s: Session, kind: Kind, config: string, name: string, server: Child): Promise<Creation> {
  const t0 = hrMs();
  await s.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }));
  const callMs = hrMs() - t0;
  const d = await waitWhile(s.sm, name, 'Creating');
  const inServiceMs = hrMs() - t0;
  if (d.EndpointStatus !== 'InService') throw new Error(`endpoint ${name} is ${d.EndpointStatus}: ${d.FailureReason ?? ''}`);
  const c = containersOf(server.pid).find((x) => x.endpoint === name.toLowerCase());
  // /proc's start time is rounded down to 10 ms: the middle of that tick.
  const spawnMs = c === undefined ? undefined : c.startedMs + 5 - t0;
  await deleteAndWait(s.sm, name);
  return { kind, inServiceMs, callMs, ...(spawnMs !== undefined ? { spawnMs } : {}) };
}

interface BareStarts {
  readonly builtin: number[];
  readonly sklearn: number[];
}

async function bareStarts(a: Artifacts, work: string, runs: number): Promise<BareStarts> {
  const llDir = join(work, 'bare-ll');
  await extractModelArtifact(a.linearLearner, llDir);
  const out: BareStarts = { builtin: [], sklearn: [] };
  let skDir: string | undefined;
  if (a.sklearn) {
    skDir = join(work, 'bare-sk');
    await extractModelArtifact(a.sklearn, skDir);
  }
  for (let i = 0; i < runs; i++) {
    out.builtin.push(await bareStartMs(builtinContainer(llDir), SERVER_CPU));
    if (skDir) out.sklearn.push(await bareStartMs(sklearnContainer(PYTHON, skDir, SKLEARN_ENV), SERVER_CPU));
  }
  return out;
}


const TARGET_MS: Record<Kind, number> = { builtin: 1000, sklearn: 5000 };
const KIND_LABEL: Record<Kind, string> = { builtin: 'built-in linear-learner', sklearn: 'scikit-learn (model_fn, joblib)' };

function creationTable(all: readonly Creation[], bare: BareStarts): string {
  const out = [
    '| model | endpoints | InService median ms | max ms | each run ms (in order) | CreateEndpoint call ms (median) | call → container spawned ms (median) | spawned → InService seen ms (median) | ceiling: bare container spawn → /ping 200 ms (median, max; runs) | target | met? |',
    '|---|---:|---:|---:|---|---:|---:|---:|---|---:|---|',
  ];
  for (const kind of ['builtin', 'sklearn'] as const) {
    const runs = all.filter((c) => c.kind === kind);
    if (runs.length === 0) continue;
    const ms = runs.map((r) => r.inServiceMs);
    const spawned = runs.flatMap((r) => (r.spawnMs !== undefined ? [r.spawnMs] : []));
    const after = runs.flatMap((r) => (r.spawnMs !== undefined ? [r.inServiceMs - r.spawnMs] : []));
    const b = bare[kind];
    out.push(
      `| ${KIND_LABEL[kind]} | ${runs.length} | **${f0(median(ms))}** | ${f0(max(ms))} | ${ms.map(f0).join(', ')} | ${f0(median(runs.map((r) => r.callMs)))} | ${f0(median(spawned))} | ${f0(median(after))} | ${f0(median(b))}, ${f0(max(b))}; ${b.length} | ≤ ${TARGET_MS[kind]} | ${max(ms) <= TARGET_MS[kind] ? 'yes' : median(ms) <= TARGET_MS[kind] ? 'median yes, max no' : '**no**'} |`,
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. InvokeEndpoint through mlzone vs straight to the container

interface Deployed {
  readonly name: string;
  readonly instances: number;
  containers: ContainerProcess[];
}

/** Runs `node --import tsx bench/<script> …args` on `cpu` and resolves with the last line of its stdout, parsed. */
function jsonChild<T>(script: string, args: readonly string[], cpu: number | undefined, timeoutS: number): Promise<T> {
  const [command, list] = pinned(cpu, process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, list, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 20_000) err += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${script} ${args.join(' ')} failed (${code}): ${err.trim().slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
    });
  });
}

function loadCell(args: string[]): Promise<InvokeLoadResult> {
  const argv = [...args, '--seconds', String(SECONDS), '--warmup', String(WARMUP)];
  if (SPIN) argv.push('--spin');
  return jsonChild<InvokeLoadResult>('invoke-load.ts', argv, LOAD_CPU, SECONDS + WARMUP + 60);
}

/** iam:GetRole at c16 through the same mlzone (bench/load.ts): the cost of an ordinary signed call, for comparison. */
async function getRoleReference(server: Child): Promise<{ result: LoadResult; all: number[] }> {
  const runs: LoadResult[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const args = ['--url', server.url, '--op', 'getrole', '--concurrency', '16', '--seconds', String(SECONDS), '--warmup', String(WARMUP), '--server-pid', String(server.pid), '--role', 'DataScientist'];
    if (SPIN) args.push('--spin');
    runs.push(await jsonChild<LoadResult>('load.ts', args, LOAD_CPU, SECONDS + WARMUP + 60));
  }
  const byRps = [...runs].sort((a, b) => a.rps - b.rps);
  return { result: byRps[Math.floor((byRps.length - 1) / 2)]!, all: runs.map((r) => r.rps) };
}

function referenceTable(ref: { result: LoadResult; all: number[] }): string {
  const r = ref.result;
  const cpu = r.serverCpu ?? NaN;
  return [
    '| call | c | req/s (median run) | all runs | p50 ms | p99 ms | mlzone CPU µs/req | generator CPU (cores) | other processes (cores) |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|',
    `| iam:GetRole (role session), same mlzone, same run | 16 | ${f0(r.rps)} | ${ref.all.map(f0).join(' / ')} | ${(r.p50us / 1000).toFixed(2)} | ${(r.p99us / 1000).toFixed(2)} | ${f0((cpu / r.rps) * 1e6)} | ${f2(r.clientCpu)} | ${f2(others(r.machineBusy, r.clientCpu, cpu))} |`,
  ].join('\n');
}

interface ChainRun {
  readonly op: string;
  readonly auth: string;
  readonly cpuUsPerCall: number;
  readonly containerCpuUsPerCall?: number;
  readonly callsPerS?: number;
}

/**
 * The request chain without HTTP, CPU µs per call (bench/invoke-pipeline.ts and bench/pipeline.ts), on mlzone's CPU:
 * InvokeEndpoint with `--auth strict` and `--auth accounts` (no signature or IAM check), and iam:GetRole strict;
 * alternating, `rounds` times.
 */
async function chainCosts(rounds: number): Promise<ChainRun[]> {
  const out: ChainRun[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const auth of ['strict', 'accounts']) out.push(await jsonChild<ChainRun>('invoke-pipeline.ts', ['--auth', auth, '--seconds', '4', '--warmup', '2'], SERVER_CPU, 120));
    out.push(await jsonChild<ChainRun>('pipeline.ts', ['--dist', 'dist', '--op', 'getrole', '--auth', 'strict', '--seconds', '4', '--warmup', '2'], SERVER_CPU, 120));
  }
  return out;
}

function chainTable(runs: readonly ChainRun[]): string {
  const out = ['| call | auth | CPU µs per call (each run) | median | container CPU µs per call (median) | calls/s (median) |', '|---|---|---|---:|---:|---:|'];
  for (const [op, auth] of [
    ['InvokeEndpoint', 'strict'],
    ['InvokeEndpoint', 'accounts'],
    ['getrole', 'strict'],
  ] as const) {
    const list = runs.filter((r) => r.op === op && r.auth === auth);
    if (list.length === 0) continue;
    const containers = list.flatMap((r) => (r.containerCpuUsPerCall !== undefined ? [r.containerCpuUsPerCall] : []));
    const rates = list.flatMap((r) => (r.callsPerS !== undefined ? [r.callsPerS] : []));
    out.push(
      `| ${op === 'getrole' ? 'iam:GetRole (role session)' : 'InvokeEndpoint, built-in, 1 instance'} | ${auth} | ${list.map((r) => r.cpuUsPerCall.toFixed(0)).join(' / ')} | **${f0(median(list.map((r) => r.cpuUsPerCall)))}** | ${f0(median(containers))} | ${f0(median(rates))} |`,
    );
  }
  return out.join('\n');
}

interface InvokeCell {
  readonly instances: number;
  readonly target: InvokeTarget;
  readonly concurrency: number;
  readonly result: InvokeLoadResult;
  readonly all: readonly number[];
  /** CPU of mlzone's process during the run, cores. */
  readonly serverCpu: number;
  /** CPU of all the endpoint's containers together, cores. */
  readonly containerCpu: number;
}

async function measureInvoke(server: Child, endpoints: readonly Deployed[]): Promise<InvokeCell[]> {
  const cells: InvokeCell[] = [];
  for (const ep of endpoints) {
    for (const c of [1, 16]) {
      const runs: Record<InvokeTarget, InvokeLoadResult[]> = { direct: [], mlzone: [] };
      const pids = [server.pid, ...ep.containers.map((x) => x.pid)];
      for (let round = 0; round < REPEAT; round++) {
        // Alternate which goes first, so a drift within a round hits both alike.
        const order: InvokeTarget[] = round % 2 === 0 ? ['direct', 'mlzone'] : ['mlzone', 'direct'];
        for (const target of order) {
          const args =
            target === 'direct'
              ? ['--target', 'direct', '--ports', ep.containers.map((x) => x.port).join(',')]
              : ['--target', 'mlzone', '--url', server.url, '--endpoint', ep.name];
          args.push('--concurrency', String(c), '--pids', pids.join(','));
          runs[target].push(await loadCell(args));
        }
      }
      for (const target of ['direct', 'mlzone'] as const) {
        const list = runs[target];
        const byRps = [...list].sort((a, b) => a.rps - b.rps);
        const r = byRps[Math.floor((byRps.length - 1) / 2)]!;
        const serverCpu = r.pidCpu[String(server.pid)] ?? NaN;
        const containerCpu = ep.containers.reduce((n, x) => n + (r.pidCpu[String(x.pid)] ?? NaN), 0);
        cells.push({ instances: ep.instances, target, concurrency: c, result: r, all: list.map((x) => x.rps), serverCpu, containerCpu });
        console.error(`${ep.instances} instance(s) ${target} c${c}: ${list.map((x) => x.rps.toFixed(0)).join(' / ')} inv/s, p50 ${list.map((x) => (x.p50us / 1000).toFixed(2)).join(' / ')} ms, errors ${list.map((x) => x.errors).join('/')}`);
      }
    }
  }
  return cells;
}

/** CPU of everything else on the machine during a run, cores: the machine's busy share minus the processes we know. */
function others(machineBusy: number, ...known: number[]): number {
  return Math.max(0, machineBusy * availableParallelism() - known.reduce((a, b) => a + b, 0));
}

function invokeTable(cells: readonly InvokeCell[]): string {
  const ms = (us: number) => (us / 1000).toFixed(2);
  const out = [
    '| instances | path | c | inv/s (median run) | all runs | p50 ms | p90 ms | p99 ms | max ms | errors | mlzone CPU (cores) | mlzone CPU µs/inv | containers CPU (cores) | containers CPU µs/inv | generator CPU (cores) | other processes (cores) | machine busy |',
    '|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const x of cells) {
    const r = x.result;
    out.push(
      `| ${x.instances} | ${x.target === 'direct' ? 'direct to container (ceiling)' : 'InvokeEndpoint via mlzone'} | ${x.concurrency} | **${f0(r.rps)}** | ${x.all.map(f0).join(' / ')} | ${ms(r.p50us)} | ${ms(r.p90us)} | ${ms(r.p99us)} | ${ms(r.maxus)} | ${r.errors} | ${f2(x.serverCpu)} | ${f0((x.serverCpu / r.rps) * 1e6)} | ${f2(x.containerCpu)} | ${f0((x.containerCpu / r.rps) * 1e6)} | ${f2(r.clientCpu)} | ${f2(others(r.machineBusy, r.clientCpu, x.serverCpu, x.containerCpu))} | ${f0(r.machineBusy * 100)}% |`,
    );
  }
  return out.join('\n');
}

interface Overhead {
  readonly instances: number;
  readonly concurrency: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly rps: number;
  readonly ceilingRps: number;
  readonly serverUsPerInv: number;
}

function overheads(cells: readonly InvokeCell[]): Overhead[] {
  const out: Overhead[] = [];
  for (const m of cells.filter((x) => x.target === 'mlzone')) {
    const d = cells.find((x) => x.target === 'direct' && x.instances === m.instances && x.concurrency === m.concurrency);
    if (!d) continue;
    out.push({
      instances: m.instances,
      concurrency: m.concurrency,
      p50ms: (m.result.p50us - d.result.p50us) / 1000,
      p99ms: (m.result.p99us - d.result.p99us) / 1000,
      rps: m.result.rps,
      ceilingRps: d.result.rps,
      serverUsPerInv: (m.serverCpu / m.result.rps) * 1e6,
    });
  }
  return out;
}

function overheadTable(list: readonly Overhead[]): string {
  const out = [
    '| instances | c | overhead p50 ms | overhead p99 ms | mlzone inv/s | ceiling inv/s | mlzone / ceiling | mlzone CPU µs per invocation | targets (c16: p50 ≤ 1 ms, p99 ≤ 5 ms, ≥ 3,000 inv/s) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const o of list) {
    const verdict =
      o.concurrency === 16
        ? `p50 ${o.p50ms <= 1 ? 'yes' : '**no**'}, p99 ${o.p99ms <= 5 ? 'yes' : '**no**'}, throughput ${o.rps >= 3000 ? 'yes' : '**no**'}`
        : '(c1: no target)';
    out.push(`| ${o.instances} | ${o.concurrency} | **${o.p50ms.toFixed(2)}** | **${o.p99ms.toFixed(2)}** | ${f0(o.rps)} | ${f0(o.ceilingRps)} | ${f0((100 * o.rps) / o.ceilingRps)}% | ${f0(o.serverUsPerInv)} | ${verdict} |`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Memory per instance

interface MemoryRow {
  readonly when: string;
  readonly label: string;
  readonly group: { rss: number; processes: number };
  readonly mem?: ProcessMemory;
}

function memoryRows(when: string, endpoints: readonly Deployed[]): MemoryRow[] {
  return endpoints.flatMap((ep) =>
    ep.containers.map((c, i) => ({ when, label: `${ep.instances}-instance endpoint, instance ${i}${ep.name.includes('sklearn') ? ' (scikit-learn)' : ''}`, group: groupRss(c.pid), mem: processMemory(c.pid) })),
  );
}

/** An idle `node` with an HTTP server listening, nothing else: the least a Node.js container can take. */
async function nodeFloor(): Promise<ProcessMemory | undefined> {
  const script = "require('http').createServer((q, r) => r.end()).listen(0, '127.0.0.1'); setInterval(() => {}, 1000)";
  const [command, argv] = pinned(SERVER_CPU, process.execPath, ['-e', script]);
  const child = spawn(command, argv, { stdio: 'ignore' });
  try {
    await sleep(2000);
    return processMemory(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

function memoryTable(rows: readonly MemoryRow[]): string {
  const mib = (kib: number | undefined) => (kib === undefined ? '–' : (kib / 1024).toFixed(1));
  const out = [
    '| when | instance | processes in group | group VmRSS MiB | Rss | Pss | Pss anon | Pss file | Private (clean + dirty) | Shared (clean + dirty) | Anonymous | ≤ 40 MB RSS? |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const m = r.mem;
    const builtin = !r.label.includes('scikit-learn');
    out.push(
      `| ${r.when} | ${r.label} | ${r.group.processes} | **${mib(r.group.rss)}** | ${mib(m?.rss)} | ${mib(m?.pss)} | ${mib(m?.pssAnon)} | ${mib(m?.pssFile)} | **${mib(m === undefined ? undefined : m.privateClean + m.privateDirty)}** | ${mib(m === undefined ? undefined : m.sharedClean + m.sharedDirty)} | ${mib(m?.anonymous)} | ${builtin ? (r.group.rss * 1024 <= 40e6 ? 'yes' : '**no**') : '(no target)'} |`,
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function deployAndFind(s: Session, server: Child, config: string, name: string, instances: number): Promise<Deployed> {
  await s.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }));
  const d = await waitWhile(s.sm, name, 'Creating');
  if (d.EndpointStatus !== 'InService') throw new Error(`endpoint ${name} is ${d.EndpointStatus}: ${d.FailureReason ?? ''}`);
  const containers = containersOf(server.pid).filter((c) => c.endpoint === name.toLowerCase());
  if (containers.length !== instances) throw new Error(`endpoint ${name}: found ${containers.length} container processes, expected ${instances}`);
  return { name, instances, containers };
}

async function main(): Promise<void> {
  if (!values['skip-build']) ensureBuilt(['mlzone.cjs', join('runtime', 'builtin-serve.cjs')]);
  const md: string[] = ['### Machine', '', ...machine(), ''];
  md.push(
    `Method: mlzone from the build (\`node bin/mlzone.js up --ephemeral --auth strict\`), its containers \`dist/runtime/builtin-serve.cjs\` and \`src/runtime/python/serve.py\`; ${PIN ? 'mlzone and its containers on CPU 0 (taskset; containers inherit it), generators on CPU 1' : 'not pinned'}; ${SPIN ? 'generators keep their event loop awake (`--spin`)' : 'generators sleep when idle'}; DescribeEndpoint polled every ${POLL_MS} ms with the JS SDK; invocation load ${SECONDS} s after ${WARMUP} s warm-up per run, ${REPEAT} run(s) per cell, direct and mlzone alternating in each round, each run in a fresh generator process; body \`1.5,-2,0.25,3\\n\` (text/csv, Accept application/json, 4 features).`,
    '',
  );
  const work = mkdtempSync(join(tmpdir(), 'mlzone-bench-hosting-'));
  const profDir = values['cpu-prof'] ? join(work, 'prof') : undefined;
  const server = await spawnMlzone({ auth: 'strict', cpu: SERVER_CPU, ...(profDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] } : {}) });
  const serverAtStart = memoryOf(server.pid);
  try {
    const s = await dataScientistSession(server.url, 'bench-hosting');
    const a = await artifacts(work);
    if (!a.sklearn) console.error(`${PYTHON} cannot import sklearn: scikit-learn is skipped (apt-get install -y python3-sklearn python3-pandas)`);
    const stamp = Date.now().toString(36);
    const configs = await createModels(s, a, stamp);

    if (ONLY.has('create')) {
      console.error('CreateEndpoint → InService…');
      const all: Creation[] = [];
      for (let i = 0; i < ENDPOINTS; i++) {
        all.push(await createOne(s, 'builtin', configs['builtin-1']!, `bench-c-ll-${stamp}-${i}`, server));
        console.error(`  builtin #${i}: ${all[all.length - 1]!.inServiceMs.toFixed(0)} ms`);
        if (configs['sklearn-1']) {
          all.push(await createOne(s, 'sklearn', configs['sklearn-1'], `bench-c-sk-${stamp}-${i}`, server));
          console.error(`  sklearn #${i}: ${all[all.length - 1]!.inServiceMs.toFixed(0)} ms`);
        }
      }
      const bare = await bareStarts(a, work, ENDPOINTS);
      md.push(
        '### 1. CreateEndpoint → InService',
        '',
        `From sending CreateEndpoint to the first DescribeEndpoint (polled every ${POLL_MS} ms) answering InService; one instance, endpoints created one at a time, built-in and scikit-learn alternately, each deleted before the next. "Container spawned" is the process's start time in /proc (10 ms ticks, the middle of the tick taken). The ceiling spawns the same program by hand on the same CPU and polls GET /ping every 2 ms.`,
        '',
        creationTable(all, bare),
        '',
      );
    }

    if (ONLY.has('invoke') || ONLY.has('memory')) {
      const endpoints = [await deployAndFind(s, server, configs['builtin-1']!, `bench-i1-${stamp}`, 1), await deployAndFind(s, server, configs['builtin-2']!, `bench-i2-${stamp}`, 2)];
      const memory: MemoryRow[] = [];
      if (ONLY.has('memory')) {
        let sk: Deployed | undefined;
        if (configs['sklearn-1']) sk = await deployAndFind(s, server, configs['sklearn-1'], `bench-m-sklearn-${stamp}`, 1);
        await sleep(3000);
        memory.push(...memoryRows('idle, 3 s after InService', sk ? [...endpoints, sk] : endpoints));
        if (sk) await deleteAndWait(s.sm, sk.name);
      }
      let cells: InvokeCell[] = [];
      let reference: { result: LoadResult; all: number[] } | undefined;
      if (ONLY.has('invoke')) {
        console.error('InvokeEndpoint…');
        cells = await measureInvoke(server, endpoints);
        for (const ep of endpoints) {
          const now = containersOf(server.pid).filter((c) => c.endpoint === ep.name.toLowerCase());
          if (now.map((c) => c.pid).join() !== ep.containers.map((c) => c.pid).join()) console.error(`warning: the containers of ${ep.name} were restarted during the load`);
        }
        console.error('iam:GetRole reference…');
        reference = await getRoleReference(server);
      }
      if (ONLY.has('memory') && ONLY.has('invoke')) {
        await sleep(3000);
        memory.push(...memoryRows('idle, 3 s after the invocation load', endpoints));
      }
      if (cells.length) {
        md.push(
          '### 2. InvokeEndpoint: overhead against the container',
          '',
          'Overhead = InvokeEndpoint through mlzone minus the same request sent straight to the container port(s), median runs of the same round-robin. "Other processes": the machine\'s busy CPU minus mlzone, its containers and the generator (other work on the machine).',
          '',
          overheadTable(overheads(cells)),
          '',
          invokeTable(cells),
          '',
        );
        if (reference) md.push(referenceTable(reference), '');
      }
      if (memory.length) {
        const srv = memoryOf(server.pid);
        const floor = await nodeFloor();
        const mib = (k: number | undefined) => (k === undefined ? '–' : (k / 1024).toFixed(1));
        md.push(
          '### 3. Memory per endpoint instance',
          '',
          `MiB. Group VmRSS: the sum over the container's process group (what \`HostingContainer.rssBytes()\` reports); Rss … Anonymous: /proc/<pid>/smaps_rollup of the container's process. Floor, same run: an idle \`node -e\` with an HTTP server listening and nothing else has Rss ${mib(floor?.rss)}, Pss ${mib(floor?.pss)}, Private ${mib(floor === undefined ? undefined : floor.privateClean + floor.privateDirty)}. mlzone's own process: ${f0(serverAtStart?.rssMiB ?? NaN)} MiB after start, ${f0(srv?.rssMiB ?? NaN)} MiB now (peak ${f0(srv?.hwmMiB ?? NaN)}).`,
          '',
          memoryTable(memory),
          '',
        );
      }
    }
  } finally {
    await server.stop();
  }
  if (ONLY.has('chain')) {
    console.error('request chain in process…');
    md.push(
      '### 2b. The request chain without HTTP (CPU µs per call, mlzone\'s CPU)',
      '',
      '`App.handle` in process (bench/invoke-pipeline.ts, bench/pipeline.ts), 16 calls in flight, 4 s after 2 s warm-up, strict / accounts / GetRole alternating; CPU time of the process, so other work on the machine moves it less than wall-clock figures. `accounts` maps the access key to its account and checks neither the signature nor IAM: strict − accounts is what enforcement costs an invocation.',
      '',
      chainTable(await chainCosts(CHAIN_ROUNDS)),
      '',
    );
  }
  if (profDir) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const p = summarize(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Parameters<typeof summarize>[0]);
      const keep = join(tmpdir(), `mlzone-hosting-${Date.now()}.cpuprofile`);
      writeFileSync(keep, readFileSync(join(profDir, file)));
      md.push(`### mlzone CPU profile (whole run, idle ${p.idlePct.toFixed(1)}%; ${keep})`, '', 'By self time:', '', markdown(p.self, 25), '', 'By inclusive time:', '', markdown(p.total, 30), '');
    }
  }
  rmSync(work, { recursive: true, force: true });
  const text = md.join('\n');
  console.log(text);
  if (values.out) writeFileSync(values.out, `${text}\n`);
}

await main();
