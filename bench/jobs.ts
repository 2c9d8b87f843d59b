/**
 * SageMaker jobs benchmark (`npm run bench:jobs`, issue #9). Builds if dist/ is stale, starts the built mlzone
 * (`node bin/mlzone.js up --auth strict`, with a fresh `--data-dir` so that the jobs' log lines, kept in the SQLite
 * table `sagemaker_job_log`, can be read from outside; `--ephemeral` runs it as bench/hosting.ts does and leaves the
 * log-derived columns empty), works as data-science-1's DataScientist session, and measures:
 *
 *   1. CreateTrainingJob → the container's first line of code, built-in linear-learner, tiny data (`--jobs` jobs,
 *      one at a time): the call, call answered → Downloading (role session, image), Downloading (staging), and
 *      Training → the training entry's first log line (mlzone's clock when it read the line), from the
 *      SecondaryStatusTransitions and the log. Ceiling: the same training (`dist/runtime/builtin-train.cjs`) on a
 *      copy of the last job's folder, spawned by hand on the same CPU, bare and wrapped as the job runtime wraps it
 *      (`unshare` + bind mount on /opt/ml, src/runtime/opt-ml.ts), spawn → first line on its stdout.
 *   2. Built-in linear-learner on `--rows` × `--features` CSV (~200 MB, label first), `regressor` and
 *      `binary_classifier`: the whole job (CreateTrainingJob → Completed seen: download as the role, training,
 *      upload), its TrainingTimeInSeconds and phases, beside Debian's Python (`/usr/bin/python3`: pandas.read_csv,
 *      then scikit-learn's LinearRegression, or StandardScaler + SGDClassifier(log_loss, max_iter = epochs)) on the
 *      same file and the same CPU.
 *   3. Channel transfer: the Downloading phase of the two big jobs, and of script-mode jobs whose script only lists
 *      the same channel → MiB/s; the upload of a 200 MiB processing output (ProcessingEndTime − the time the script
 *      wrote to /opt/ml/output/message just before it exited) and of a 200 MiB model directory (a script-mode
 *      training job's Uploading phase, which packs model.tar.gz first) → MiB/s. Ceilings, same run, same mlzone: `aws s3 cp` of the CSV object to a file and of a 200 MiB file to S3
 *      (and `aws --version`, the CLI's own start-up), and `cp` / `dd bs=1M` of the local files (with `sync` /
 *      `conv=fsync` for the upload, as mlzone's blob store fsyncs).
 *
 * Unless `--no-pin`, mlzone runs on CPU 0 (its job containers inherit that) with Python's comparison run there too,
 * and this process and the `aws` CLI on CPU 1. Prints markdown; `--out <file>` also writes it. Loopback only; every
 * wait is bounded.
 *
 *   npm run bench:jobs -- [--only startup,train,transfer] [--jobs 7] [--rows 1000000] [--features 20]
 *                         [--output-mib 200] [--repeat 3] [--poll-ms 10] [--ephemeral] [--no-pin] [--skip-build] [--out f.md]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  type CreateTrainingJobCommandInput,
  type DescribeProcessingJobCommandOutput,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { create as createTar } from 'tar';
import { createModelArtifact, createModelArtifactFromDir } from '../src/runtime/index.js';
import { hostEnvironment } from '../src/runtime/launch.js';
import { OPT_ML, detectOptMl, namespaceCommand } from '../src/runtime/opt-ml.js';
import { REGION } from './load.js';
import { exited, pinned, ROOT, spawnMlzone, type Child } from './server.js';
import { dataScientistSession, ensureBuilt, f0, f1, f2, machineLines, max, median, nowMs, sleep, type Session } from './sagemaker-bench.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'startup,train,transfer' },
    jobs: { type: 'string', default: '7' },
    rows: { type: 'string', default: '1000000' },
    features: { type: 'string', default: '20' },
    'output-mib': { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    'poll-ms': { type: 'string', default: '10' },
    ephemeral: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const ONLY = new Set(values.only!.split(','));
const JOBS = Math.min(Math.max(1, Number(values.jobs)), 30);
const ROWS = Math.min(Math.max(1000, Number(values.rows)), 5_000_000);
const FEATURES = Math.min(Math.max(1, Number(values.features)), 64);
const OUTPUT_MIB = Math.min(Math.max(1, Number(values['output-mib'])), 2048);
const REPEAT = Math.min(Math.max(1, Number(values.repeat)), 9);
const POLL_MS = Math.min(Math.max(1, Number(values['poll-ms'])), 200);
const EPHEMERAL = values.ephemeral!;
const PIN = !values['no-pin'] && availableParallelism() >= 2;
const SERVER_CPU = PIN ? 0 : undefined;
const CLIENT_CPU = PIN ? 1 : undefined;

const ACCOUNT = '444444444444';
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
const LINEAR_LEARNER_IMAGE = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const SKLEARN_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const PYTHON = process.env.MLZONE_PYTHON || '/usr/bin/python3';
/** linear-learner's default `epochs`: the Python classifier gets as many passes. */
const EPOCHS = 15;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// set-up (ensureBuilt and machine as in bench/hosting.ts)

/** The `aws` CLI itself (a pyenv shim adds a bash script and `pyenv exec` to every start: resolved through it). */
function awsCli(): string | undefined {
  if (process.env.MLZONE_BENCH_AWS) return process.env.MLZONE_BENCH_AWS;
  const which = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' });
  if (which.status !== 0) return undefined;
  const found = which.stdout.trim();
  if (found.includes('/.pyenv/shims/')) {
    const real = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' });
    if (real.status === 0 && real.stdout.trim()) return real.stdout.trim();
  }
  return realpathSync(found);
}

function machine(aws: string | undefined): string[] {
  const python = spawnSync(PYTHON, ['-c', 'import sys, sklearn, pandas, numpy; print(sys.version.split()[0], sklearn.__version__, pandas.__version__, numpy.__version__)'], { encoding: 'utf8' });
  const [py, sk, pd, np] = python.status === 0 ? python.stdout.trim().split(' ') : [];
  const awsVersion = aws ? spawnSync(aws, ['--version'], { encoding: 'utf8' }) : undefined;
  const awsText = aws ? `${aws} (${`${awsVersion?.stdout ?? ''}${awsVersion?.stderr ?? ''}`.trim().split(' ').slice(0, 2).join(', ')})` : 'no aws CLI';
  return machineLines({
    cpus: availableParallelism(),
    tools: `${PYTHON} ${py ? `${py}, scikit-learn ${sk}, pandas ${pd}, numpy ${np}` : 'without scikit-learn/pandas'}; ${awsText}`,
    disk: "mlzone's data dir, the job folders and the local files",
  });
}

const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

// ---------------------------------------------------------------------------------------------------------------
// data

/** mulberry32: a small deterministic PRNG, so every run trains on the same numbers. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** w_j in [-2, 2], bias 0.5: y = w·x + b (+ noise) for the regressor, P(1) = σ(w·x + b) for the classifier. */
const weights = (n: number) => Array.from({ length: n }, (_, j) => ((j * 7) % 9) / 2 - 2 + 0.1);
const BIAS_TERM = 0.5;

/**
 * Writes `rows` × `features` CSV twice in one pass over the same features, label first: `regressor.csv`
 * (y = w·x + b + N(0, 0.1²), 6 decimals) and `classifier.csv` (label 0/1 drawn with P(1) = σ(w·x + b)); x uniform on
 * [−2, 2] with 6 decimals, which makes ~210 bytes a row.
 */
async function writeCsvs(dir: string, rows: number, features: number): Promise<{ regressor: string; classifier: string }> {
  const rnd = prng(20261206);
  const w = weights(features);
  const files = { regressor: join(dir, 'regressor.csv'), classifier: join(dir, 'classifier.csv') };
  const reg = createWriteStream(files.regressor);
  const cls = createWriteStream(files.classifier);
  const BATCH = 5000;
  for (let start = 0; start < rows; start += BATCH) {
    let a = '';
    let b = '';
    for (let r = start; r < Math.min(rows, start + BATCH); r++) {
      let dot = BIAS_TERM;
      let xs = '';
      for (let j = 0; j < features; j++) {
        const x = rnd() * 4 - 2;
        dot += w[j]! * x;
        xs += `,${x.toFixed(6)}`;
      }
      // Box–Muller for the regressor's noise.
      const noise = 0.1 * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      a += `${(dot + noise).toFixed(6)}${xs}\n`;
      b += `${rnd() < 1 / (1 + Math.exp(-dot)) ? 1 : 0}${xs}\n`;
    }
    if (!reg.write(a)) await once(reg, 'drain');
    if (!cls.write(b)) await once(cls, 'drain');
  }
  reg.end();
  cls.end();
  await Promise.all([once(reg, 'finish'), once(cls, 'finish')]);
  return files;
}

/** A file of `mib` MiB: one 8 MiB random block repeated (incompressible, as model weights and binary outputs are). */
async function writeRandomFile(file: string, mib: number): Promise<void> {
  const block = Buffer.alloc(8 * MiB);
  const rnd = prng(7);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
  const out = createWriteStream(file);
  for (let left = mib * MiB; left > 0; left -= block.length) if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** Uploads a local file through the SDK (multipart, 8 MiB parts, 4 at a time); resolves with the ms it took. */
async function putFile(s: Session, key: string, file: string): Promise<number> {
  const t0 = performance.now();
  await new Upload({ client: s.s3, params: { Bucket: BUCKET, Key: key, Body: createReadStream(file, { highWaterMark: MiB }) }, partSize: 8 * MiB, queueSize: 4 }).done();
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------------------------
// jobs

interface LogLine {
  readonly at: number;
  readonly message: string;
}

/** The log lines of a job (`<name>/algo-1-…` in `group`), from mlzone's database; [] when it runs in memory. */
function readLog(dbFile: string | undefined, group: string, name: string): LogLine[] {
  if (dbFile === undefined || !existsSync(dbFile)) return [];
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('select at, message from sagemaker_job_log where log_group = ? and log_stream like ? order by log_stream, seq')
      .all(group, `${name}/algo-1-%`) as Array<{ at: number | bigint; message: string }>;
    return rows.map((r) => ({ at: Number(r.at), message: r.message }));
  } finally {
    db.close();
  }
}

/** The first line the container itself wrote (mlzone's own notes start with `mlzone:`). */
const firstContainerLine = (log: readonly LogLine[]) => log.find((l) => !l.message.startsWith('mlzone:'));

interface TrainingRun {
  readonly name: string;
  /** Epoch ms when CreateTrainingJob was sent. */
  readonly t0: number;
  readonly callMs: number;
  /** t0 → the first DescribeTrainingJob answering Completed. */
  readonly completedSeenMs: number;
  readonly d: DescribeTrainingJobCommandOutput;
  /** Secondary status → its start and end (epoch ms). */
  readonly phases: Map<string, { start: number; end?: number }>;
}

async function train(s: Session, input: CreateTrainingJobCommandInput, pollMs: number, timeoutMs: number): Promise<TrainingRun> {
  const name = input.TrainingJobName!;
  const t0 = nowMs();
  await s.sm.send(new CreateTrainingJobCommand(input));
  const callMs = nowMs() - t0;
  const deadline = performance.now() + timeoutMs;
  let d: DescribeTrainingJobCommandOutput;
  for (;;) {
    d = await s.sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (d.TrainingJobStatus !== 'InProgress' && d.TrainingJobStatus !== 'Stopping') break;
    if (performance.now() > deadline) throw new Error(`training job ${name} still ${d.TrainingJobStatus}/${d.SecondaryStatus} after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
  const completedSeenMs = nowMs() - t0;
  if (d.TrainingJobStatus !== 'Completed') throw new Error(`training job ${name} is ${d.TrainingJobStatus}: ${d.FailureReason ?? ''}`);
  const phases = new Map<string, { start: number; end?: number }>();
  for (const t of d.SecondaryStatusTransitions ?? []) phases.set(t.Status!, { start: t.StartTime!.getTime(), ...(t.EndTime ? { end: t.EndTime.getTime() } : {}) });
  return { name, t0, callMs, completedSeenMs, d, phases };
}

/** ms a secondary status lasted (its end, or the next one's start). */
function phaseMs(run: TrainingRun, status: string): number {
  const p = run.phases.get(status);
  return p?.end !== undefined ? p.end - p.start : NaN;
}

function linearLearnerJob(name: string, trainUri: string, hp: Record<string, string>): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    RoleArn: EXECUTION_ROLE,
    AlgorithmSpecification: { TrainingImage: LINEAR_LEARNER_IMAGE, TrainingInputMode: 'File' },
    HyperParameters: hp,
    InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: trainUri, S3DataDistributionType: 'FullyReplicated' } } }],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/bench-jobs/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  };
}

/** Where mlzone keeps a job's folder (src/services/sagemaker/jobs/training.ts). */
const jobFolder = (workDir: string, name: string) => join(workDir, 'jobs', ACCOUNT, REGION, name.toLowerCase(), 'algo-1');

// ---------------------------------------------------------------------------------------------------------------
// 1. CreateTrainingJob → first line of code

interface StartupRun {
  readonly run: TrainingRun;
  /** t0 → the first line the training entry wrote, as mlzone read it. */
  readonly firstLineMs: number;
  /** t0 → Downloading started. */
  readonly downloadingAtMs: number;
  readonly downloadingMs: number;
  /** Training started (just before the container is spawned) → first line. */
  readonly containerMs: number;
  readonly firstLine?: string;
}

function tinyCsv(): string {
  const rnd = prng(3);
  const w = [1.5, -2, 0.25];
  let out = '';
  for (let i = 0; i < 200; i++) {
    const x = [rnd() * 4 - 2, rnd() * 4 - 2, rnd() * 4 - 2];
    out += `${(x[0]! * w[0]! + x[1]! * w[1]! + x[2]! * w[2]! + 3).toFixed(6)},${x.map((v) => v.toFixed(6)).join(',')}\n`;
  }
  return out;
}

async function startupRuns(s: Session, stamp: string, dbFile: string | undefined): Promise<StartupRun[]> {
  const prefix = `bench-jobs/${stamp}/tiny`;
  await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/train.csv`, Body: tinyCsv() }));
  const out: StartupRun[] = [];
  for (let i = 0; i < JOBS; i++) {
    const name = `bench-tiny-${stamp}-${i}`;
    const run = await train(s, linearLearnerJob(name, `s3://${BUCKET}/${prefix}/`, { predictor_type: 'regressor', feature_dim: '3' }), POLL_MS, 60_000);
    const first = firstContainerLine(readLog(dbFile, '/aws/sagemaker/TrainingJobs', name));
    const training = run.phases.get('Training')?.start ?? NaN;
    const downloading = run.phases.get('Downloading')?.start ?? NaN;
    out.push({
      run,
      firstLineMs: first ? first.at - run.t0 : NaN,
      downloadingAtMs: downloading - run.t0,
      downloadingMs: training - downloading,
      containerMs: first ? first.at - training : NaN,
      ...(first ? { firstLine: first.message } : {}),
    });
    console.error(`  tiny #${i}: first line ${f0(out[out.length - 1]!.firstLineMs)} ms, Completed seen ${f0(run.completedSeenMs)} ms`);
  }
  return out;
}

/** Spawns `command` (cwd, env) and resolves with the ms from spawn() to the first bytes on its stdout; waits for its exit. */
async function firstLineOf(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let first = NaN;
  let err = '';
  child.stdout!.on('data', () => {
    if (Number.isNaN(first)) first = performance.now() - t0;
  });
  child.stderr!.on('data', (c: Buffer) => {
    if (Number.isNaN(first)) first = performance.now() - t0;
    if (err.length < 4000) err += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode ?? child.signalCode}: ${err.trim()}`);
  return first;
}

interface StartupCeiling {
  readonly bare: number[];
  /** Through `unshare` + the bind mount, as the job runtime starts it; undefined when this machine has no namespace. */
  readonly wrapped?: number[];
}

/** The training entry started by hand on a copy of a finished tiny job's folder (input/config, input/data). */
async function startupCeiling(jobDir: string, work: string): Promise<StartupCeiling> {
  const copy = join(work, 'ceiling-job');
  cpSync(jobDir, copy, { recursive: true });
  const bundle = join(ROOT, 'dist', 'runtime', 'builtin-train.cjs');
  const base = { ...hostEnvironment(), MLZONE_ALGORITHM: 'linear-learner' };
  const mode = await detectOptMl();
  const out: StartupCeiling = { bare: [], ...(mode.kind === 'namespace' ? { wrapped: [] } : {}) };
  for (let i = 0; i < JOBS; i++) {
    const [command, args] = pinned(SERVER_CPU, process.execPath, [bundle]);
    out.bare.push(await firstLineOf(command, args, copy, { ...base, MLZONE_JOB_DIR: copy }));
    if (mode.kind === 'namespace') {
      const ns = namespaceCommand(mode, copy, OPT_ML, [process.execPath, bundle], { ...base, MLZONE_JOB_DIR: OPT_ML });
      const [c2, a2] = pinned(SERVER_CPU, ns.command, ns.args);
      out.wrapped!.push(await firstLineOf(c2, a2, copy, ns.environment));
    }
  }
  return out;
}

function startupTable(runs: readonly StartupRun[], ceiling: StartupCeiling | undefined): string {
  const target = 300;
  const first = runs.map((r) => r.firstLineMs);
  const verdict = !first.some(Number.isFinite) ? '(no log: --ephemeral)' : max(first) <= target ? 'yes' : median(first) <= target ? 'median yes, max **no**' : '**no**';
  const row = (label: string, list: readonly StartupRun[], stat: (xs: readonly number[]) => number, bold: boolean) => {
    const v = (f: (r: StartupRun) => number) => stat(list.map(f));
    const head = v((r) => r.firstLineMs);
    return `| ${label} | ${bold ? `**${f0(head)}**` : f0(head)} | ${f1(v((r) => r.run.callMs))} | ${f1(v((r) => r.downloadingAtMs - r.run.callMs))} | ${f1(v((r) => r.downloadingMs))} | ${f1(v((r) => r.containerMs))} | ${f0(v((r) => r.run.completedSeenMs))} |`;
  };
  const out = [
    '| job | CreateTrainingJob → first line of code ms | call ms | call answered → Downloading ms | Downloading (staging) ms | Training → first line (container start) ms | CreateTrainingJob → Completed seen ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r, i) => row(`#${i}${i === 0 ? ' (first of the run)' : ''}`, [r], (xs) => xs[0]!, false)),
    row(`median of ${runs.length}`, runs, median, true),
    row('max', runs, max, false),
  ];
  out.push(
    '',
    `Target ≤ ${target} ms: **${verdict}** (median ${f0(median(first))} ms, max ${f0(max(first))} ms). Ceiling, the training entry spawned by hand → its first line: bare \`node builtin-train.cjs\` median ${ceiling ? f0(median(ceiling.bare)) : '–'} ms (max ${ceiling ? f0(max(ceiling.bare)) : '–'}); through \`unshare\` + bind mount as the runtime starts it ${ceiling?.wrapped ? `median ${f0(median(ceiling.wrapped))} ms (max ${f0(max(ceiling.wrapped))})` : '– (no mount namespace here, or no data dir)'}; ${ceiling?.bare.length ?? 0} runs each.`,
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. 1M rows × 20 features, against Python

const PYTHON_TRAIN = `import json, sys, time
t0 = time.time()
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler
t1 = time.time()
kind, path, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_csv(path, header=None, dtype=np.float64, engine="c")
y = df.iloc[:, 0].to_numpy()
X = df.iloc[:, 1:].to_numpy()
t2 = time.time()
if kind == "regressor":
    m = LinearRegression().fit(X, y)
    t3 = time.time()
    score = float(np.mean((m.predict(X) - y) ** 2))
else:
    s = StandardScaler().fit(X)
    Xs = s.transform(X)
    m = SGDClassifier(loss="log_loss", max_iter=epochs, tol=1e-3, random_state=0).fit(Xs, y)
    t3 = time.time()
    score = float(np.mean(m.predict(Xs) == y))
print(json.dumps({"imports": t1 - t0, "read": t2 - t1, "fit": t3 - t2, "score": score, "rows": int(X.shape[0])}))
`;

interface PythonRun {
  readonly wallMs: number;
  readonly imports: number;
  readonly read: number;
  readonly fit: number;
  readonly score: number;
}

async function pythonTrain(kind: 'regressor' | 'binary_classifier', file: string): Promise<PythonRun> {
  const [command, args] = pinned(SERVER_CPU, PYTHON, ['-c', PYTHON_TRAIN, kind, file, String(EPOCHS)]);
  const t0 = performance.now();
  // One core, as the job has: no BLAS threads fighting over it.
  const child = spawn(command, args, { env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  await exited(child);
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  if (child.exitCode !== 0) throw new Error(`python ${kind} failed: ${err.slice(-2000)}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as Omit<PythonRun, 'wallMs'>;
  return { wallMs, ...r };
}

interface BigRun {
  readonly kind: 'regressor' | 'binary_classifier';
  readonly bytes: number;
  readonly run: TrainingRun;
  readonly log: LogLine[];
  readonly python?: PythonRun;
}

const logSeconds = (log: readonly LogLine[], re: RegExp) => {
  for (const l of log) {
    const m = re.exec(l.message);
    if (m) return Number(m[1]);
  }
  return NaN;
};

function bigTable(runs: readonly BigRun[]): string {
  const out = [
    '| predictor_type | CSV MiB | job: CreateTrainingJob → Completed seen s | TrainingTimeInSeconds | call → Downloading s | Downloading s | Training s (container: parse / train, from its log) | Uploading s | train metric (job) | Python wall s (imports / read_csv / fit) | Python metric | job ÷ Python wall | container ÷ Python read+fit | target ≤ 10 s | met? |',
    '|---|---:|---:|---:|---:|---:|---|---:|---|---|---:|---:|---:|---:|---|',
  ];
  for (const b of runs) {
    const r = b.run;
    const total = r.completedSeenMs / 1000;
    const parse = logSeconds(b.log, / records with \d+ features.* in ([\d.]+) s$/);
    const fit = logSeconds(b.log, /^\[.*\] Trained with .* in ([\d.]+) s$/);
    const wanted = b.kind === 'regressor' ? 'train:mse' : 'train:binary_classification_accuracy';
    const metric = (r.d.FinalMetricDataList ?? []).filter((m) => m.MetricName === wanted).map((m) => `${m.MetricName} ${Number(m.Value).toPrecision(4)}`).join(', ');
    const p = b.python;
    const pyMetric = p ? (b.kind === 'regressor' ? `mse ${p.score.toPrecision(4)}` : `accuracy ${p.score.toPrecision(4)}`) : '–';
    out.push(
      `| ${b.kind} | ${f0(b.bytes / MiB)} | **${f2(total)}** | ${r.d.TrainingTimeInSeconds ?? '–'} | ${f2(((r.phases.get('Downloading')?.start ?? NaN) - r.t0) / 1000)} | ${f2(phaseMs(r, 'Downloading') / 1000)} | ${f2(phaseMs(r, 'Training') / 1000)} (${f2(parse)} / ${f2(fit)}) | ${f2(phaseMs(r, 'Uploading') / 1000)} | ${metric || '–'} | ${p ? `${f2(p.wallMs / 1000)} (${f2(p.imports)} / ${f2(p.read)} / ${f2(p.fit)})` : '–'} | ${pyMetric} | ${p ? `${f2(total / (p.wallMs / 1000))}×` : '–'} | ${p ? `${f2(phaseMs(r, 'Training') / 1000 / (p.read + p.fit))}×` : '–'} | ≤ 10 | ${total <= 10 ? 'yes' : '**no**'} |`,
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 3. transfer

const PROCESSING_WRITE = `import os, sys, time
out = "/opt/ml/processing/output/big"
os.makedirs(out, exist_ok=True)
n = int(sys.argv[1])
block = os.urandom(8 << 20)
with open(os.path.join(out, "part-00000.bin"), "wb") as f:
    left = n
    while left > 0:
        f.write(block[: min(left, len(block))])
        left -= len(block)
print("wrote %d bytes" % n, flush=True)
with open("/opt/ml/output/message", "w") as m:
    m.write("%.6f" % time.time())
`;

const MODEL_WRITE = `import os, time
d = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
n = int(os.environ["BENCH_MODEL_BYTES"])
block = os.urandom(8 << 20)
with open(os.path.join(d, "weights.bin"), "wb") as f:
    left = n
    while left > 0:
        f.write(block[: min(left, len(block))])
        left -= len(block)
print("wrote %d bytes of model at %.6f" % (n, time.time()), flush=True)
`;

interface ProcessingUpload {
  readonly name: string;
  readonly bytes: number;
  /** The script's last act (its clock) → ProcessingEndTime. */
  readonly uploadMs: number;
  readonly totalMs: number;
}

async function processingUpload(s: Session, stamp: string, i: number): Promise<ProcessingUpload> {
  const prefix = `bench-jobs/${stamp}/processing`;
  if (i === 0) await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/code/write.py`, Body: PROCESSING_WRITE }));
  const name = `bench-out-${stamp}-${i}`;
  const bytes = OUTPUT_MIB * MiB;
  const t0 = nowMs();
  await s.sm.send(
    new CreateProcessingJobCommand({
      ProcessingJobName: name,
      RoleArn: EXECUTION_ROLE,
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
      AppSpecification: { ImageUri: SKLEARN_IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/write.py'], ContainerArguments: [String(bytes)] },
      ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: `s3://${BUCKET}/${prefix}/code/write.py`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } }],
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'big', S3Output: { S3Uri: `s3://${BUCKET}/${prefix}/out-${i}`, LocalPath: '/opt/ml/processing/output/big', S3UploadMode: 'EndOfJob' } }] },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
    }),
  );
  const deadline = performance.now() + 300_000;
  let d: DescribeProcessingJobCommandOutput;
  for (;;) {
    d = await s.sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    if (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') break;
    if (performance.now() > deadline) throw new Error(`processing job ${name} still ${d.ProcessingJobStatus}`);
    await sleep(50);
  }
  if (d.ProcessingJobStatus !== 'Completed') throw new Error(`processing job ${name} is ${d.ProcessingJobStatus}: ${d.FailureReason ?? ''}`);
  const wrote = Number(d.ExitMessage) * 1000;
  if (!Number.isFinite(wrote)) throw new Error(`processing job ${name}: no time in ExitMessage (${d.ExitMessage ?? ''}); does this machine give jobs /opt/ml?`);
  return { name, bytes, uploadMs: d.ProcessingEndTime!.getTime() - wrote, totalMs: nowMs() - t0 };
}

interface ModelUpload {
  readonly run: TrainingRun;
  readonly bytes: number;
  readonly packedBytes: number;
}

async function modelUpload(s: Session, stamp: string, i: number): Promise<ModelUpload> {
  const prefix = `bench-jobs/${stamp}/model`;
  if (i === 0) await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/code/sourcedir.tar.gz`, Body: await createModelArtifact({ 'train.py': MODEL_WRITE }) }));
  const bytes = OUTPUT_MIB * MiB;
  const name = `bench-model-${stamp}-${i}`;
  const run = await train(
    s,
    {
      TrainingJobName: name,
      RoleArn: EXECUTION_ROLE,
      AlgorithmSpecification: { TrainingImage: SKLEARN_IMAGE, TrainingInputMode: 'File' },
      HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/${prefix}/code/sourcedir.tar.gz"` },
      Environment: { BENCH_MODEL_BYTES: String(bytes) },
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${prefix}/output` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
    },
    50,
    300_000,
  );
  const uri = run.d.ModelArtifacts!.S3ModelArtifacts!;
  const key = uri.slice(`s3://${BUCKET}/`.length);
  const head = await s.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  return { run, bytes, packedBytes: Number(head.ContentLength ?? NaN) };
}

/**
 * A script-mode training job whose script only lists its channel: its Downloading phase is the staging of the
 * regressor CSV channel alone, with nothing else of a big job around it.
 */
async function downloadOnly(s: Session, stamp: string, i: number, channelUri: string): Promise<TrainingRun> {
  const prefix = `bench-jobs/${stamp}/download`;
  if (i === 0) await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/code/sourcedir.tar.gz`, Body: await createModelArtifact({ 'train.py': 'import os\nprint(os.listdir(os.environ["SM_CHANNEL_TRAIN"]), flush=True)\n' }) }));
  return train(
    s,
    {
      TrainingJobName: `bench-dl-${stamp}-${i}`,
      RoleArn: EXECUTION_ROLE,
      AlgorithmSpecification: { TrainingImage: SKLEARN_IMAGE, TrainingInputMode: 'File' },
      HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${BUCKET}/${prefix}/code/sourcedir.tar.gz"` },
      InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: channelUri, S3DataDistributionType: 'FullyReplicated' } } }],
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${prefix}/output` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
    },
    50,
    300_000,
  );
}

interface Packing {
  /** mlzone's `packDirectory` (src/runtime/model-artifact.ts createModelArtifactFromDir: tar + gzip, default level). */
  readonly gzipDefault: number[];
  /** The same tar stream with gzip level 0 (stored blocks: still a valid .tar.gz). */
  readonly gzipStored: number[];
}

/** Packs a folder holding the 200 MiB random file as the training runner does, in this process (CPU 1), and stored. */
async function packing(dir: string): Promise<Packing> {
  const out: Packing = { gzipDefault: [], gzipStored: [] };
  for (let i = 0; i < REPEAT; i++) {
    let t = performance.now();
    await createModelArtifactFromDir(dir);
    out.gzipDefault.push(performance.now() - t);
    t = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of createTar({ gzip: { level: 0 }, cwd: dir, portable: true }, ['.']) as AsyncIterable<Buffer>) chunks.push(c);
    Buffer.concat(chunks);
    out.gzipStored.push(performance.now() - t);
  }
  return out;
}

interface CommandTimes {
  readonly ms: number[];
}

/** Runs a command `REPEAT` times (pinned to `cpu`), `before` first each time; wall ms of each run. */
async function timeCommand(cpu: number | undefined, command: string, args: readonly string[], env: NodeJS.ProcessEnv, before?: () => void): Promise<CommandTimes> {
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    before?.();
    const [c, a] = pinned(cpu, command, args);
    const t0 = performance.now();
    const child = spawn(c, a, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 4000) err += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    await exited(child);
    clearTimeout(timer);
    if (child.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode ?? child.signalCode}: ${err.trim()}`);
    ms.push(performance.now() - t0);
  }
  return { ms };
}

interface Ceilings {
  readonly awsStart: number[];
  readonly awsGet: number[];
  readonly awsPut: number[];
  readonly cp: number[];
  readonly cpSync: number[];
  /** `dd bs=1M` (read + write system calls, as a process that receives the bytes writes them), and with fsync. */
  readonly dd: number[];
  readonly ddSync: number[];
}

async function transferCeilings(s: Session, url: string, aws: string | undefined, csv: string, bin: string, work: string, stamp: string): Promise<Ceilings> {
  const copy = join(work, 'copy.out');
  const cp = await timeCommand(CLIENT_CPU, 'cp', [csv, copy], process.env, () => rmSync(copy, { force: true }));
  const cpSyncMs = await timeCommand(CLIENT_CPU, 'sh', ['-c', 'cp "$1" "$2" && sync "$2"', 'cp-sync', bin, copy], process.env, () => rmSync(copy, { force: true }));
  const dd = await timeCommand(CLIENT_CPU, 'dd', [`if=${csv}`, `of=${copy}`, 'bs=1M', 'status=none'], process.env, () => rmSync(copy, { force: true }));
  const ddSync = await timeCommand(CLIENT_CPU, 'dd', [`if=${bin}`, `of=${copy}`, 'bs=1M', 'conv=fsync', 'status=none'], process.env, () => rmSync(copy, { force: true }));
  rmSync(copy, { force: true });
  const local = { cp: cp.ms, cpSync: cpSyncMs.ms, dd: dd.ms, ddSync: ddSync.ms };
  if (!aws) return { awsStart: [], awsGet: [], awsPut: [], ...local };
  const config = join(work, 'aws-config');
  writeFileSync(config, `[default]\nregion = ${REGION}\ns3 =\n  addressing_style = path\n`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: s.credentials.sessionToken,
    AWS_DEFAULT_REGION: REGION,
  };
  const awsStart = await timeCommand(CLIENT_CPU, aws, ['--version'], env);
  const csvKey = `bench-jobs/${stamp}/regressor/train.csv`;
  const awsGet = await timeCommand(CLIENT_CPU, aws, ['--endpoint-url', url, 's3', 'cp', '--only-show-errors', `s3://${BUCKET}/${csvKey}`, copy], env, () => rmSync(copy, { force: true }));
  rmSync(copy, { force: true });
  const awsPut = await timeCommand(CLIENT_CPU, aws, ['--endpoint-url', url, 's3', 'cp', '--only-show-errors', bin, `s3://${BUCKET}/bench-jobs/${stamp}/aws-put.bin`], env);
  return { awsStart: awsStart.ms, awsGet: awsGet.ms, awsPut: awsPut.ms, ...local };
}

function transferTable(big: readonly BigRun[], downloads: readonly TrainingRun[], processing: readonly ProcessingUpload[], models: readonly ModelUpload[], c: Ceilings, pack: Packing, csvBytes: number): string {
  const binBytes = OUTPUT_MIB * MiB;
  const startup = median(c.awsStart);
  const awsGet = mibps(csvBytes, median(c.awsGet));
  const awsGetNet = mibps(csvBytes, median(c.awsGet) - startup);
  const awsPut = mibps(binBytes, median(c.awsPut));
  const awsPutNet = mibps(binBytes, median(c.awsPut) - startup);
  const verdict = (x: number, ceiling: number) => (!Number.isFinite(ceiling) ? '(no aws CLI)' : x >= ceiling / 2 ? `yes (${f0((100 * x) / ceiling)}%)` : `**no** (${f0((100 * x) / ceiling)}%)`);
  const out = [
    '| transfer | bytes MiB | runs | mlzone, each run MiB/s | mlzone median MiB/s | ceiling `aws s3 cp`, same object/size, same mlzone: MiB/s (median of runs; net of the CLI start-up) | absolute ceiling, local file copy: `cp` / `dd bs=1M` MiB/s | target ≥ 50 % of `aws s3 cp` | met? (against the CLI with / net of its start-up) |',
    '|---|---:|---:|---|---:|---|---:|---|---|',
  ];
  const dl = big.map((b) => mibps(b.bytes, phaseMs(b.run, 'Downloading')));
  if (dl.length) {
    out.push(
      `| channel download: Downloading phase of the ${big.map((b) => b.kind).join(' and ')} jobs (list + GetObject as the role + write file) | ${f0(csvBytes / MiB)} | ${dl.length} | ${dl.map(f0).join(', ')} | **${f0(median(dl))}** | ${f0(awsGet)}; ${f0(awsGetNet)} (GET to a file, ${c.awsGet.map((x) => f2(x / 1000)).join(' / ')} s) | ${f0(mibps(csvBytes, median(c.cp)))} / ${f0(mibps(csvBytes, median(c.dd)))} (page cache) | ≥ ${f0(awsGet / 2)} | ${verdict(median(dl), awsGet)} / ${verdict(median(dl), awsGetNet)} |`,
    );
  }
  const dl2 = downloads.map((r) => mibps(csvBytes, phaseMs(r, 'Downloading')));
  if (dl2.length) {
    out.push(
      `| channel download: Downloading phase of script-mode jobs whose script only lists the same channel | ${f0(csvBytes / MiB)} | ${dl2.length} | ${dl2.map(f0).join(', ')} | **${f0(median(dl2))}** | ${f0(awsGet)}; ${f0(awsGetNet)} | ${f0(mibps(csvBytes, median(c.cp)))} / ${f0(mibps(csvBytes, median(c.dd)))} | ≥ ${f0(awsGet / 2)} | ${verdict(median(dl2), awsGet)} / ${verdict(median(dl2), awsGetNet)} |`,
    );
  }
  const up = processing.map((p) => mibps(p.bytes, p.uploadMs));
  if (up.length) {
    out.push(
      `| output upload: processing job, one ${OUTPUT_MIB} MiB file (script's exit → ProcessingEndTime: read file + PutObject as the role) | ${OUTPUT_MIB} | ${up.length} | ${up.map(f0).join(', ')} | **${f0(median(up))}** | ${f0(awsPut)}; ${f0(awsPutNet)} (PUT from a file, multipart, ${c.awsPut.map((x) => f2(x / 1000)).join(' / ')} s) | ${f0(mibps(binBytes, median(c.cpSync)))} / ${f0(mibps(binBytes, median(c.ddSync)))} (\`cp\` + \`sync\` / \`dd conv=fsync\`) | ≥ ${f0(awsPut / 2)} | ${verdict(median(up), awsPut)} / ${verdict(median(up), awsPutNet)} |`,
    );
  }
  const mu = models.map((m) => mibps(m.bytes, phaseMs(m.run, 'Uploading')));
  if (mu.length) {
    out.push(
      `| model upload: script-mode training job, ${OUTPUT_MIB} MiB in /opt/ml/model (Uploading phase: tar + gzip in memory → ${f0(median(models.map((m) => m.packedBytes)) / MiB)} MiB model.tar.gz, PutObject) | ${OUTPUT_MIB} | ${mu.length} | ${mu.map(f0).join(', ')} | **${f0(median(mu))}** | ${f0(awsPut)}; ${f0(awsPutNet)} | ${f0(mibps(binBytes, median(c.cpSync)))} / ${f0(mibps(binBytes, median(c.ddSync)))} | ≥ ${f0(awsPut / 2)} | ${verdict(median(mu), awsPut)} / ${verdict(median(mu), awsPutNet)} |`,
    );
  }
  out.push(
    '',
    `\`aws --version\` (the CLI's start-up, included in its times above): ${c.awsStart.map(f0).join(' / ')} ms. Local copies, each run (ms): \`cp\` ${c.cp.map(f0).join(' / ')}, \`dd\` ${c.dd.map(f0).join(' / ')}, \`cp\` + \`sync\` ${c.cpSync.map(f0).join(' / ')}, \`dd conv=fsync\` ${c.ddSync.map(f0).join(' / ')}; GNU \`cp\` copies inside the kernel (copy_file_range), \`dd\` writes what it read as a process that received the bytes does. Packing the ${OUTPUT_MIB} MiB model folder in this process (CPU 1), each run: mlzone's packDirectory (tar + gzip at zlib's default level, into memory) ${pack.gzipDefault.map(f0).join(' / ')} ms = ${f0(mibps(binBytes, median(pack.gzipDefault)))} MiB/s; the same tar with gzip level 0 (stored) ${pack.gzipStored.map(f0).join(' / ')} ms = ${f0(mibps(binBytes, median(pack.gzipStored)))} MiB/s.`,
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!values['skip-build']) ensureBuilt(['mlzone.cjs', join('runtime', 'builtin-train.cjs')]);
  const aws = awsCli();
  const md: string[] = ['### Machine', '', ...machine(aws), ''];
  // This process (the client: SDK calls, polling) and what it spawns unpinned stay off mlzone's CPU (after
  // machine(), which counts the CPUs this process may use).
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
  md.push(
    `Method: mlzone from the build (\`node bin/mlzone.js up --auth strict ${EPHEMERAL ? '--ephemeral' : '--data-dir <fresh temporary folder>'}\`${EPHEMERAL ? '' : '; a data dir rather than --ephemeral only so that the job log in SQLite can be read from outside: WAL with synchronous=NORMAL, and S3 blobs are files fsynced in both modes'}); ${PIN ? 'mlzone and its job containers on CPU 0 (taskset; containers inherit it), Python\'s comparison on CPU 0 too, this client (SDK, polling) and `aws`/`cp` on CPU 1' : 'not pinned'}; DescribeTrainingJob polled every ${POLL_MS} ms for the tiny jobs, 50 ms for the big ones; times are the system clock (mlzone stamps transitions and log lines with Date.now()).`,
    '',
  );
  const work = mkdtempSync(join(tmpdir(), 'mlzone-bench-jobs-'));
  const dataDir = EPHEMERAL ? undefined : join(work, 'data');
  const dbFile = dataDir ? join(dataDir, 'mlzone.db') : undefined;
  let server: (Child & { readyMs: number }) | undefined;
  // Finished jobs' folders hold copies of their inputs and outputs (hundreds of MiB): dropped as the run goes.
  const dropJobFolders = () => {
    if (dataDir) rmSync(join(dataDir, 'runtime', 'jobs'), { recursive: true, force: true });
  };
  try {
    server = await spawnMlzone({ auth: 'strict', cpu: SERVER_CPU, ...(dataDir ? { dataDir } : {}) });
    const s = await dataScientistSession(server.url, 'bench-jobs');
    const stamp = Date.now().toString(36);

    if (ONLY.has('startup')) {
      console.error('CreateTrainingJob → first line…');
      const runs = await startupRuns(s, stamp, dbFile);
      const last = runs[runs.length - 1]!.run.name;
      const folder = dataDir ? jobFolder(join(dataDir, 'runtime'), last) : undefined;
      const ceiling = folder && existsSync(folder) ? await startupCeiling(folder, work) : undefined;
      md.push(
        '### 1. CreateTrainingJob → the container\'s first line of code (built-in linear-learner, 200 rows × 3 features)',
        '',
        `One job at a time, each to Completed before the next. "First line" is the training entry's first log line (\`${runs[0]?.firstLine?.slice(0, 60) ?? '–'}…\`) as mlzone read it from the container (the \`at\` of \`sagemaker_job_log\`). Call → Downloading: the role session and the image; Downloading: listing and downloading the channel into the job folder; Training → first line: the job folder's config files, the spawn (through \`unshare\` and a bind mount when the machine allows) and the entry's start-up. The ceiling spawns \`node dist/runtime/builtin-train.cjs\` by hand on a copy of the last job's folder, on the same CPU, and times spawn() → the first bytes on its stdout.`,
        '',
        startupTable(runs, ceiling),
        '',
      );
    }

    const big: BigRun[] = [];
    let csvBytes = NaN;
    let csvFile: string | undefined;
    if (ONLY.has('train') || ONLY.has('transfer')) {
      console.error(`writing ${ROWS} × ${FEATURES} CSVs…`);
      const files = await writeCsvs(work, ROWS, FEATURES);
      csvFile = files.regressor;
      csvBytes = statSync(files.regressor).size;
      const kinds = ONLY.has('train') ? (['regressor', 'binary_classifier'] as const) : (['regressor'] as const);
      const uploads: string[] = [];
      for (const kind of kinds) {
        const file = kind === 'regressor' ? files.regressor : files.classifier;
        const key = `bench-jobs/${stamp}/${kind === 'regressor' ? 'regressor' : 'classifier'}/train.csv`;
        const ms = await putFile(s, key, file);
        uploads.push(`${kind} ${f0(mibps(statSync(file).size, ms))} MiB/s`);
        console.error(`${kind}: training job…`);
        const run = await train(s, linearLearnerJob(`bench-big-${kind.replace('_', '-')}-${stamp}`, `s3://${BUCKET}/${key.slice(0, key.lastIndexOf('/') + 1)}`, { predictor_type: kind, feature_dim: String(FEATURES) }), 50, 600_000);
        const log = readLog(dbFile, '/aws/sagemaker/TrainingJobs', run.name);
        console.error(`  ${kind}: Completed seen after ${f2(run.completedSeenMs / 1000)} s; Python…`);
        const python = ONLY.has('train') && spawnSync(PYTHON, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' }).status === 0 ? await pythonTrain(kind, file) : undefined;
        if (python) console.error(`  Python ${kind}: ${f2(python.wallMs / 1000)} s`);
        big.push({ kind, bytes: statSync(file).size, run, log, ...(python ? { python } : {}) });
      }
      // The training jobs' folders hold a copy of each CSV: not needed any more.
      dropJobFolders();
      if (ONLY.has('train')) {
        md.push(
          `### 2. Built-in linear-learner, ${ROWS.toLocaleString('en')} rows × ${FEATURES} features (CSV, label first), against scikit-learn`,
          '',
          `Hyperparameters: \`predictor_type\` and \`feature_dim\` only (defaults otherwise: the regressor solves the normal equations, the classifier runs minibatch Adam, ${EPOCHS} epochs of 1000-row batches with early stopping). Job time = CreateTrainingJob sent → the first DescribeTrainingJob (polled every 50 ms) answering Completed; phases from SecondaryStatusTransitions ("Starting" from the call); parse / train from the container's own log lines. Python: \`${PYTHON}\` on the same local CSV and CPU, one BLAS thread, pandas.read_csv(engine="c") then LinearRegression (regressor) or StandardScaler + SGDClassifier(loss="log_loss", max_iter=${EPOCHS}, tol=1e-3) (classifier); wall = the whole process. The CSVs were uploaded to mlzone beforehand with @aws-sdk/lib-storage (8 MiB parts, 4 at a time): ${uploads.join(', ')}.`,
          '',
          bigTable(big),
          '',
        );
      }
    }

    if (ONLY.has('transfer')) {
      const downloads: TrainingRun[] = [];
      if (spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) {
        console.error('transfer: channel download…');
        for (let i = 0; i < REPEAT; i++) {
          downloads.push(await downloadOnly(s, stamp, i, `s3://${BUCKET}/bench-jobs/${stamp}/regressor/`));
          console.error(`  download #${i}: Downloading ${f0(phaseMs(downloads[i]!, 'Downloading'))} ms`);
          dropJobFolders();
        }
      }
      console.error('transfer: processing output…');
      const processing: ProcessingUpload[] = [];
      for (let i = 0; i < REPEAT; i++) {
        processing.push(await processingUpload(s, stamp, i));
        console.error(`  processing #${i}: upload ${f0(processing[i]!.uploadMs)} ms`);
        dropJobFolders();
      }
      console.error('transfer: model upload…');
      const models: ModelUpload[] = [];
      if (spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) {
        for (let i = 0; i < REPEAT; i++) {
          models.push(await modelUpload(s, stamp, i));
          console.error(`  model #${i}: Uploading ${f0(phaseMs(models[i]!.run, 'Uploading'))} ms`);
          dropJobFolders();
        }
      }
      console.error('transfer: ceilings…');
      const bin = join(work, 'output.bin');
      await writeRandomFile(bin, OUTPUT_MIB);
      const ceilings = await transferCeilings(s, server.url, aws, csvFile!, bin, work, stamp);
      const packDir = join(work, 'pack');
      mkdirSync(packDir);
      renameSync(bin, join(packDir, 'weights.bin'));
      const pack = await packing(packDir);
      md.push(
        '### 3. Channel download and output upload against `aws s3 cp`',
        '',
        `MiB/s = bytes ÷ phase time. Download: the Downloading phase (SecondaryStatusTransitions) of the ${f0(csvBytes / MiB)} MiB channel, in the big linear-learner jobs above and in script-mode jobs that only list it. Upload: a processing job whose script writes ${OUTPUT_MIB} MiB (one 8 MiB random block repeated) to its output, then its clock time to /opt/ml/output/message (ExitMessage) as it exits; upload = that time → ProcessingEndTime. And a script-mode training job writing the same into /opt/ml/model (its Uploading phase, model.tar.gz packed first). Ceilings in the same run against the same mlzone as the same DataScientist session: \`aws s3 cp\` (CLI defaults: 8 MiB multipart chunks, 10 threads) of the regressor CSV to a local file, and of a ${OUTPUT_MIB} MiB random file to S3; and local copies of the same files; ${REPEAT} runs each, median.`,
        '',
        transferTable(big, downloads, processing, models, ceilings, pack, csvBytes),
        '',
      );
    }
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const text = md.join('\n');
  console.log(text);
  if (values.out) writeFileSync(values.out, `${text}\n`);
}

await main();
