/**
 * SageMaker Pipelines benchmark (`npm run bench:pipelines`, issue #10). Builds if dist/ is stale, starts the built
 * mlzone (`node bin/mlzone.js up --auth strict --data-dir <fresh folder>`), works as data-science-1's DataScientist
 * session, and measures:
 *
 *   1. Orchestration overhead (`overhead`): a pipeline of `--steps` chained built-in linear-learner Training steps
 *      (each `DependsOn` the previous one; 200 rows × 3 features) and a chain of as many Condition steps (no job).
 *      Overhead per step = (execution wall − Σ the steps' own run time) / steps, wall = the execution's CreationTime
 *      → its LastModifiedTime once Succeeded (mlzone's clock), own run time = each job's TrainingStartTime →
 *      TrainingEndTime (also given from its CreationTime); for the Condition chain, wall / steps. The gaps between
 *      them (previous step's end → step start → job created → job started … job ended → step end) are broken down.
 *      Ceiling, same mlzone, same run: the same number of jobs created one after another with CreateTrainingJob,
 *      each followed by polling DescribeTrainingJob from this client (every `--poll-ms`, and every 50 ms, the
 *      runner's own interval), wall = the first call sent → the last Completed seen. mlzone on CPU 0 and this client
 *      on CPU 1 unless `--no-pin` (so mlzone's job concurrency is 1 there: a chain never runs two jobs at once).
 *   2. Concurrent executions (`concurrent`): `--executions` executions of the same training pipeline started at once on
 *      one fresh mlzone, unpinned (default `--job-concurrency` = its cores): total wall, per-execution wall, errors,
 *      against executions × one execution alone on the same mlzone ÷ the job concurrency, and against Σ own run
 *      time ÷ the job concurrency (the job slots' floor). CPU time of mlzone and of its job containers from /proc.
 *   3. Restart (`restart`): `--restart-executions` executions of a `--restart-steps`-step training chain on a fresh
 *      mlzone with a data dir; kill -9 once `--kill-at` of their jobs have Completed (0: as soon as the last
 *      StartPipelineExecution has answered); the database at that moment is
 *      read from a copy; mlzone restarted on the same data dir. Then: every execution listed and Succeeded? each
 *      step's training jobs (`pipelines-<execution id>-<step>-…`) counted; each step in flight at the kill classed as
 *      re-attached (its recorded job followed again: done already, queued, or re-run because it had started and not
 *      completed) or started again (no job recorded yet: a job created before the kill but not recorded is a
 *      duplicate).
 *
 * Prints markdown; `--out <file>` also writes it. Loopback only; every wait is bounded.
 *
 *   npm run bench:pipelines -- [--only overhead,concurrent,restart] [--steps 50] [--repeat 2] [--poll-ms 10]
 *                              [--executions 20] [--restart-executions 100] [--restart-steps 3] [--kill-at 0.33]
 *                              [--job-concurrency n] [--no-pin] [--cpu-prof] [--skip-build] [--out f.md]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreatePipelineCommand,
  CreateTrainingJobCommand,
  DescribePipelineExecutionCommand,
  DescribeTrainingJobCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListTrainingJobsCommand,
  StartPipelineExecutionCommand,
  type CreateTrainingJobCommandInput,
  type DescribePipelineExecutionCommandOutput,
  type DescribeTrainingJobCommandOutput,
  type PipelineExecutionStep,
  type PipelineExecutionSummary,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { markdown, summarize } from './profile-summary.js';
import { exited, ROOT, spawnMlzone, type Child } from './server.js';
import { dataScientistSession, ensureBuilt, f0, f1, f2, machineLines, max, median, nowMs, sleep, type Session } from './sagemaker-bench.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'overhead,concurrent,restart' },
    steps: { type: 'string', default: '50' },
    repeat: { type: 'string', default: '2' },
    'poll-ms': { type: 'string', default: '10' },
    executions: { type: 'string', default: '20' },
    'restart-executions': { type: 'string', default: '100' },
    'restart-steps': { type: 'string', default: '3' },
    'kill-at': { type: 'string', default: '0.33' },
    'job-concurrency': { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const ONLY = new Set(values.only!.split(','));
const STEPS = Math.min(Math.max(2, Number(values.steps)), 200);
const REPEAT = Math.min(Math.max(1, Number(values.repeat)), 9);
const POLL_MS = Math.min(Math.max(1, Number(values['poll-ms'])), 200);
const EXECUTIONS = Math.min(Math.max(1, Number(values.executions)), 100);
const RESTART_EXECUTIONS = Math.min(Math.max(1, Number(values['restart-executions'])), 500);
const RESTART_STEPS = Math.min(Math.max(1, Number(values['restart-steps'])), 20);
const KILL_AT = Math.min(Math.max(0, Number(values['kill-at'])), 0.95);
const PIN = !values['no-pin'] && availableParallelism() >= 2;
const CORES = availableParallelism();
const SERVER_CPU = PIN ? 0 : undefined;
const CLIENT_CPU = PIN ? 1 : undefined;
if (values['job-concurrency'] !== undefined) process.env.MLZONE_JOB_CONCURRENCY = values['job-concurrency'];
/** What mlzone runs at once when unpinned: --job-concurrency, or its default (the cores it may use). */
const CONCURRENCY = values['job-concurrency'] !== undefined ? Number(values['job-concurrency']) : CORES;
/** The runner's own interval for following a step's job (src/services/sagemaker/pipelines/runner.ts JOB_POLL_MS). */
const RUNNER_POLL_MS = 50;

const ACCOUNT = '444444444444';
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
const LINEAR_LEARNER_IMAGE = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';

// ---------------------------------------------------------------------------------------------------------------
// set-up (as bench/jobs.ts)

function machine(): string[] {
  let distAt = '';
  try {
    distAt = `; dist/mlzone.cjs built ${statSync(join(ROOT, 'dist', 'mlzone.cjs')).mtime.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  } catch {
    // not built
  }
  return machineLines({ cpus: CORES, codeNote: distAt, disk: "mlzone's data dirs and job folders" });
}

/** This process's CPUs (and its threads'): one CPU while it measures latency beside a pinned mlzone, else all. */
function pinSelf(cpu: number | undefined): void {
  const list = cpu === undefined ? `0-${CORES - 1}` : String(cpu);
  spawnSync('taskset', ['-a', '-p', '-c', list, String(process.pid)], { stdio: 'ignore' });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (xs: readonly number[], q: number) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const min = (xs: readonly number[]) => Math.min(...xs.filter(Number.isFinite));
const ms = (d: Date | undefined) => (d ? d.getTime() : NaN);

interface Cpu {
  readonly self: number;
  readonly children: number;
  /** The system (kernel) part of each. */
  readonly selfSys: number;
  readonly childrenSys: number;
}

/** utime + stime of a process and of its reaped children (its job containers), ms, from /proc/<pid>/stat. */
function cpuOf(pid: number): Cpu {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 1000 / 100; // CLK_TCK is 100 on Linux
    return { self: (Number(f[11]) + Number(f[12])) * tick, children: (Number(f[13]) + Number(f[14])) * tick, selfSys: Number(f[12]) * tick, childrenSys: Number(f[14]) * tick };
  } catch {
    return { self: NaN, children: NaN, selfSys: NaN, childrenSys: NaN };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// definitions

function tinyCsv(): string {
  let out = '';
  for (let i = 0; i < 200; i++) {
    const x = [((i * 37) % 41) / 10 - 2, ((i * 13) % 29) / 7 - 2, ((i * 7) % 17) / 4 - 2];
    out += `${(1.5 * x[0]! - 2 * x[1]! + 0.25 * x[2]! + 3).toFixed(6)},${x.map((v) => v.toFixed(6)).join(',')}\n`;
  }
  return out;
}

function trainingArguments(prefix: string): Omit<CreateTrainingJobCommandInput, 'TrainingJobName'> {
  return {
    AlgorithmSpecification: { TrainingImage: LINEAR_LEARNER_IMAGE, TrainingInputMode: 'File' },
    HyperParameters: { predictor_type: 'regressor', feature_dim: '3' },
    RoleArn: EXECUTION_ROLE,
    InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${prefix}/tiny/`, S3DataDistributionType: 'FullyReplicated' } } }],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${prefix}/models` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  };
}

/** `n` steps named `<letter>0…`, each (after the first) with DependsOn the previous one. */
function chainDefinition(kind: 'Training' | 'Condition', n: number, prefix: string, letter: string): string {
  const steps = Array.from({ length: n }, (_, i) => ({
    Name: `${letter}${i}`,
    Type: kind,
    ...(i > 0 ? { DependsOn: [`${letter}${i - 1}`] } : {}),
    Arguments: kind === 'Training' ? trainingArguments(prefix) : { Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: i, RightValue: 0 }], IfSteps: [], ElseSteps: [] },
  }));
  return JSON.stringify({ Version: '2020-12-01', Metadata: {}, Parameters: [], Steps: steps });
}

async function createPipeline(s: Session, name: string, definition: string): Promise<void> {
  await s.sm.send(new CreatePipelineCommand({ PipelineName: name, ClientRequestToken: randomUUID(), RoleArn: EXECUTION_ROLE, PipelineDefinition: definition }));
}

async function start(s: Session, pipeline: string): Promise<string> {
  return (await s.sm.send(new StartPipelineExecutionCommand({ PipelineName: pipeline, ClientRequestToken: randomUUID() }))).PipelineExecutionArn!;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

async function waitExecution(s: Session, arn: string, pollMs: number, timeoutMs: number): Promise<DescribePipelineExecutionCommandOutput> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const d = await s.sm.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    if (TERMINAL.has(String(d.PipelineExecutionStatus))) return d;
    if (performance.now() > deadline) throw new Error(`execution ${arn} still ${d.PipelineExecutionStatus} after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

async function allSteps(s: Session, arn: string): Promise<PipelineExecutionStep[]> {
  const out: PipelineExecutionStep[] = [];
  let token: string | undefined;
  do {
    const page = await s.sm.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending', MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.PipelineExecutionSteps ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

async function allExecutions(s: Session, pipeline: string): Promise<PipelineExecutionSummary[]> {
  const out: PipelineExecutionSummary[] = [];
  let token: string | undefined;
  do {
    const page = await s.sm.send(new ListPipelineExecutionsCommand({ PipelineName: pipeline, MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.PipelineExecutionSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

async function allTrainingJobs(s: Session, filter: { NameContains?: string; StatusEquals?: 'Completed' }): Promise<TrainingJobSummary[]> {
  const out: TrainingJobSummary[] = [];
  let token: string | undefined;
  do {
    const page = await s.sm.send(new ListTrainingJobsCommand({ ...filter, MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.TrainingJobSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

interface JobTimes {
  readonly name: string;
  readonly created: number;
  readonly started: number;
  readonly ended: number;
  readonly status: string;
  readonly transitions: readonly string[];
  /** Secondary status → ms it lasted (to the next one's start when it has no end). */
  readonly phases: Readonly<Record<string, number>>;
}

const PHASES = ['Starting', 'Downloading', 'Training', 'Uploading'] as const;

const jobTimes = (d: DescribeTrainingJobCommandOutput): JobTimes => ({
  name: d.TrainingJobName!,
  created: ms(d.CreationTime),
  started: ms(d.TrainingStartTime),
  ended: ms(d.TrainingEndTime),
  status: String(d.TrainingJobStatus),
  transitions: (d.SecondaryStatusTransitions ?? []).map((t) => String(t.Status)),
  phases: Object.fromEntries(
    (d.SecondaryStatusTransitions ?? []).flatMap((t, i, all) => {
      const end = t.EndTime ?? all[i + 1]?.StartTime;
      return t.StartTime && end ? [[String(t.Status), end.getTime() - t.StartTime.getTime()]] : [];
    }),
  ),
});

interface StepTimes {
  readonly name: string;
  readonly status: string;
  readonly start: number;
  readonly end: number;
  readonly jobArn?: string;
  readonly job?: JobTimes;
  readonly failure?: string;
}

interface ExecutionRun {
  readonly arn: string;
  readonly status: string;
  readonly failure?: string;
  /** mlzone's CreationTime / LastModifiedTime (the write that ended it). */
  readonly created: number;
  readonly ended: number;
  readonly steps: StepTimes[];
}

const jobNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** The execution's record, its steps and (with `jobs`) each step's training job. */
async function analyse(s: Session, arn: string, jobs: boolean, d?: DescribePipelineExecutionCommandOutput): Promise<ExecutionRun> {
  d ??= await s.sm.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
  const steps: StepTimes[] = [];
  for (const st of await allSteps(s, arn)) {
    const jobArn = st.Metadata?.TrainingJob?.Arn;
    const job = jobs && jobArn ? jobTimes(await s.sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobNameOf(jobArn) }))) : undefined;
    steps.push({ name: st.StepName!, status: String(st.StepStatus), start: ms(st.StartTime), end: ms(st.EndTime), ...(jobArn ? { jobArn } : {}), ...(job ? { job } : {}), ...(st.FailureReason ? { failure: st.FailureReason } : {}) });
  }
  return { arn, status: String(d.PipelineExecutionStatus), ...(d.FailureReason ? { failure: d.FailureReason } : {}), created: ms(d.CreationTime), ended: ms(d.LastModifiedTime), steps };
}

const wallOf = (e: ExecutionRun) => e.ended - e.created;
const ownOf = (e: ExecutionRun) => sum(e.steps.map((st) => (st.job ? st.job.ended - st.job.started : 0)));
const ownFromCreationOf = (e: ExecutionRun) => sum(e.steps.map((st) => (st.job ? st.job.ended - st.job.created : 0)));

/** Per-step means of the gaps that add up to a chain's wall time (ms). */
interface ChainBreakdown {
  readonly react: number;
  readonly create: number;
  readonly queue: number;
  readonly own: number;
  readonly seen: number;
  readonly tail: number;
}

function chainBreakdown(e: ExecutionRun): ChainBreakdown {
  const st = [...e.steps].sort((a, b) => a.start - b.start);
  const n = st.length;
  let react = 0;
  let create = 0;
  let queue = 0;
  let own = 0;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const x = st[i]!;
    react += x.start - (i === 0 ? e.created : st[i - 1]!.end);
    if (x.job) {
      create += x.job.created - x.start;
      queue += x.job.started - x.job.created;
      own += x.job.ended - x.job.started;
      seen += x.end - x.job.ended;
    } else {
      own += x.end - x.start;
    }
  }
  const tail = e.ended - (st[n - 1]?.end ?? e.created);
  return { react: react / n, create: create / n, queue: queue / n, own: own / n, seen: seen / n, tail: tail / n };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. overhead per step

interface DirectJob {
  readonly sent: number;
  readonly seen: number;
  readonly job: JobTimes;
}

/** `n` training jobs one after another: CreateTrainingJob, then DescribeTrainingJob every `pollMs` until it ends. */
async function directChain(s: Session, prefix: string, stamp: string, tag: string, n: number, pollMs: number): Promise<DirectJob[]> {
  const out: DirectJob[] = [];
  for (let i = 0; i < n; i++) {
    const name = `bench-pl-direct-${stamp}-${tag}-${i}`;
    const sent = nowMs();
    await s.sm.send(new CreateTrainingJobCommand({ ...trainingArguments(prefix), TrainingJobName: name }));
    const deadline = performance.now() + 120_000;
    let d: DescribeTrainingJobCommandOutput;
    for (;;) {
      d = await s.sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      if (d.TrainingJobStatus !== 'InProgress' && d.TrainingJobStatus !== 'Stopping') break;
      if (performance.now() > deadline) throw new Error(`training job ${name} still ${d.TrainingJobStatus} after 120 s`);
      await sleep(pollMs);
    }
    const seen = nowMs();
    if (d.TrainingJobStatus !== 'Completed') throw new Error(`training job ${name} is ${d.TrainingJobStatus}: ${d.FailureReason ?? ''}`);
    out.push({ sent, seen, job: jobTimes(d) });
  }
  return out;
}

interface DirectRun {
  readonly pollMs: number;
  readonly jobs: DirectJob[];
  /** mlzone's CPU while it ran. */
  readonly cpu: Cpu;
}

const cpuSince = (pid: number, before: Cpu): Cpu => {
  const now = cpuOf(pid);
  return { self: now.self - before.self, children: now.children - before.children, selfSys: now.selfSys - before.selfSys, childrenSys: now.childrenSys - before.childrenSys };
};
const directWall = (r: DirectRun) => r.jobs[r.jobs.length - 1]!.seen - r.jobs[0]!.sent;
const directOwn = (r: DirectRun) => sum(r.jobs.map((j) => j.job.ended - j.job.started));
const directOwnFromCreation = (r: DirectRun) => sum(r.jobs.map((j) => j.job.ended - j.job.created));

interface OverheadResult {
  readonly training: ExecutionRun[];
  readonly trainingCpu: Cpu[];
  readonly trainingSeenMs: number[];
  readonly conditions: ExecutionRun[];
  readonly conditionCpu: Cpu[];
  readonly direct: DirectRun[];
  readonly cpu: { self: number; children: number; wallMs: number };
}

async function overhead(s: Session, server: Child, prefix: string, stamp: string): Promise<OverheadResult> {
  await createPipeline(s, `bench-pl-train-${stamp}`, chainDefinition('Training', STEPS, prefix, 'T'));
  await createPipeline(s, `bench-pl-cond-${stamp}`, chainDefinition('Condition', STEPS, prefix, 'C'));
  // Warm-up: the first job of a run pays one-time costs (the role's first session, the image, the /opt/ml probe).
  await directChain(s, prefix, stamp, 'warm', 2, POLL_MS);
  const out: OverheadResult = { training: [], trainingCpu: [], trainingSeenMs: [], conditions: [], conditionCpu: [], direct: [], cpu: { self: 0, children: 0, wallMs: 0 } };
  const cpu0 = cpuOf(server.pid);
  const t0 = nowMs();
  for (let r = 0; r < REPEAT; r++) {
    console.error(`overhead, round ${r + 1}/${REPEAT}: ${STEPS}-step training pipeline…`);
    const sent = nowMs();
    const c0 = cpuOf(server.pid);
    const arn = await start(s, `bench-pl-train-${stamp}`);
    const d = await waitExecution(s, arn, 50, 600_000);
    out.trainingSeenMs.push(nowMs() - sent);
    out.trainingCpu.push(cpuSince(server.pid, c0));
    const e = await analyse(s, arn, true, d);
    if (e.status !== 'Succeeded') throw new Error(`training pipeline ${arn} ended ${e.status}: ${e.failure ?? ''}`);
    out.training.push(e);
    console.error(`  wall ${f2(wallOf(e) / 1000)} s, Σ own ${f2(ownOf(e) / 1000)} s → ${f1((wallOf(e) - ownOf(e)) / STEPS)} ms/step`);
    for (const pollMs of [...new Set([POLL_MS, RUNNER_POLL_MS])]) {
      console.error(`  ceiling: ${STEPS} direct jobs, polled every ${pollMs} ms…`);
      const d0 = cpuOf(server.pid);
      const jobs = await directChain(s, prefix, stamp, `r${r}p${pollMs}`, STEPS, pollMs);
      const run = { pollMs, jobs, cpu: cpuSince(server.pid, d0) };
      out.direct.push(run);
      console.error(`    wall ${f2(directWall(run) / 1000)} s, Σ own ${f2(directOwn(run) / 1000)} s → ${f1((directWall(run) - directOwn(run)) / STEPS)} ms/job`);
    }
    console.error(`  ${STEPS}-step Condition chain…`);
    const k0 = cpuOf(server.pid);
    const carn = await start(s, `bench-pl-cond-${stamp}`);
    const cd = await waitExecution(s, carn, 20, 120_000);
    out.conditionCpu.push(cpuSince(server.pid, k0));
    const c = await analyse(s, carn, false, cd);
    if (c.status !== 'Succeeded') throw new Error(`condition pipeline ${carn} ended ${c.status}: ${c.failure ?? ''}`);
    out.conditions.push(c);
    console.error(`    wall ${f0(wallOf(c))} ms → ${f1(wallOf(c) / STEPS)} ms/step`);
  }
  const cpu1 = cpuOf(server.pid);
  out.cpu.self = cpu1.self - cpu0.self;
  out.cpu.children = cpu1.children - cpu0.children;
  out.cpu.wallMs = nowMs() - t0;
  return out;
}

function overheadTables(o: OverheadResult): string {
  const target = 100;
  const verdict = (x: number) => (x <= target ? 'yes' : '**no**');
  const per = (wall: number, own: number) => (wall - own) / STEPS;
  const cpuCell = (cs: readonly Cpu[]) => `${f1(median(cs.map((c) => c.self)) / STEPS)} / ${f1(median(cs.map((c) => c.children)) / STEPS)}`;
  const trainPer = o.training.map((e) => per(wallOf(e), ownOf(e)));
  const trainPerCreated = o.training.map((e) => per(wallOf(e), ownFromCreationOf(e)));
  const condPer = o.conditions.map((e) => wallOf(e) / STEPS);
  const rows = [
    '| measurement | runs | wall s, each run | Σ own run time s, each run | overhead per step ms, each run | median ms/step | target ≤ 100 ms/step | met? | mlzone CPU per step ms, itself / job containers (median of runs; client polling included) |',
    '|---|---:|---|---|---|---:|---|---|---|',
    `| ${STEPS}-step chain of Training steps (own = TrainingStartTime → TrainingEndTime) | ${o.training.length} | ${o.training.map((e) => f2(wallOf(e) / 1000)).join(' / ')} | ${o.training.map((e) => f2(ownOf(e) / 1000)).join(' / ')} | ${trainPer.map(f1).join(' / ')} | **${f1(median(trainPer))}** | ≤ 100 | ${verdict(median(trainPer))} | ${cpuCell(o.trainingCpu)} |`,
    `| same, own = job CreationTime → TrainingEndTime | ${o.training.length} | ${o.training.map((e) => f2(wallOf(e) / 1000)).join(' / ')} | ${o.training.map((e) => f2(ownFromCreationOf(e) / 1000)).join(' / ')} | ${trainPerCreated.map(f1).join(' / ')} | **${f1(median(trainPerCreated))}** | ≤ 100 | ${verdict(median(trainPerCreated))} | |`,
  ];
  for (const pollMs of [...new Set(o.direct.map((d) => d.pollMs))]) {
    const runs = o.direct.filter((d) => d.pollMs === pollMs);
    const p = runs.map((r) => per(directWall(r), directOwn(r)));
    rows.push(
      `| ceiling: ${STEPS} CreateTrainingJob one after another, DescribeTrainingJob every ${pollMs} ms from the client (own = Start → End) | ${runs.length} | ${runs.map((r) => f2(directWall(r) / 1000)).join(' / ')} | ${runs.map((r) => f2(directOwn(r) / 1000)).join(' / ')} (from CreationTime: ${runs.map((r) => f2(directOwnFromCreation(r) / 1000)).join(' / ')}) | ${p.map(f1).join(' / ')} (from CreationTime: ${runs.map((r) => f1(per(directWall(r), directOwnFromCreation(r)))).join(' / ')}) | ${f1(median(p))} | (ceiling) | | ${cpuCell(runs.map((r) => r.cpu))} |`,
    );
  }
  rows.push(
    `| ${STEPS}-step chain of Condition steps (overhead = wall / steps) | ${o.conditions.length} | ${o.conditions.map((e) => (wallOf(e) / 1000).toFixed(3)).join(' / ')} | 0 | ${condPer.map(f1).join(' / ')} | **${f1(median(condPer))}** | ≤ 100 | ${verdict(median(condPer))} | ${cpuCell(o.conditionCpu)} |`,
  );

  // Where the time goes, per step (means over the steps of each run, then the median over runs).
  const b = o.training.map(chainBreakdown);
  const mb = (k: keyof ChainBreakdown) => median(b.map((x) => x[k]));
  const dcall = (r: DirectRun) => sum(r.jobs.map((j) => j.job.created - j.sent)) / r.jobs.length;
  const dqueue = (r: DirectRun) => sum(r.jobs.map((j) => j.job.started - j.job.created)) / r.jobs.length;
  const down = (r: DirectRun) => directOwn(r) / r.jobs.length;
  const dseen = (r: DirectRun) => sum(r.jobs.map((j) => j.seen - j.job.ended)) / r.jobs.length;
  const dnext = (r: DirectRun) => sum(r.jobs.slice(1).map((j, i) => j.sent - r.jobs[i]!.seen)) / r.jobs.length;
  const directCols = [...new Set(o.direct.map((d) => d.pollMs))].map((pollMs) => {
    const runs = o.direct.filter((d) => d.pollMs === pollMs);
    return { pollMs, m: (f: (r: DirectRun) => number) => median(runs.map(f)) };
  });
  const cb = o.conditions.map(chainBreakdown);
  const breakdown = [
    `| per step, ms (mean over the ${STEPS} steps, median of runs) | pipeline, Training chain | ${directCols.map((c) => `ceiling, client polls every ${c.pollMs} ms`).join(' | ')} | pipeline, Condition chain |`,
    `|---|---:|${directCols.map(() => '---:|').join('')}---:|`,
    `| previous step's end (the execution's start for the first) → step StartTime: the execution loop wakes, reads its record, writes the step Starting / client: Completed seen → next call sent | ${f1(mb('react'))} | ${directCols.map((c) => f1(c.m(dnext))).join(' | ')} | ${f1(median(cb.map((x) => x.react)))} |`,
    `| step StartTime → job CreationTime: resolve the arguments, CreateTrainingJob through the internal client as the pipeline role / client: call sent → CreationTime | ${f1(mb('create'))} | ${directCols.map((c) => f1(c.m(dcall))).join(' | ')} | – |`,
    `| job CreationTime → TrainingStartTime (job queue) | ${f1(mb('queue'))} | ${directCols.map((c) => f1(c.m(dqueue))).join(' | ')} | – |`,
    `| **own run time**: TrainingStartTime → TrainingEndTime / Condition: step StartTime → EndTime | ${f1(mb('own'))} | ${directCols.map((c) => f1(c.m(down))).join(' | ')} | ${f1(median(cb.map((x) => x.own)))} |`,
    `| TrainingEndTime → step EndTime (the runner's DescribeTrainingJob every ${RUNNER_POLL_MS} ms, then the step's write) / client: → Completed seen | ${f1(mb('seen'))} | ${directCols.map((c) => f1(c.m(dseen))).join(' | ')} | – |`,
    `| last step's end → execution Succeeded (÷ steps) | ${f1(mb('tail'))} | – | ${f1(median(cb.map((x) => x.tail)))} |`,
  ];
  const gaps = (runs: readonly ExecutionRun[]) =>
    runs.flatMap((e) => {
      const st = [...e.steps].sort((a, b) => a.start - b.start);
      return st.map((x, i) => x.start - (i === 0 ? e.created : st[i - 1]!.end));
    });
  const long = (xs: readonly number[]) => xs.filter((x) => x >= 100).length;
  const ceilPer = median(o.direct.filter((d) => d.pollMs === POLL_MS).map((r) => per(directWall(r), directOwn(r))));
  return [
    rows.join('\n'),
    '',
    `Overhead above the ceiling (the client polling every ${POLL_MS} ms): ${f1(median(trainPer) - ceilPer)} ms/step. Client-seen time of the training pipeline (StartPipelineExecution sent → DescribePipelineExecution, polled every 50 ms, answering Succeeded): ${o.trainingSeenMs.map((x) => f2(x / 1000)).join(' / ')} s. mlzone's CPU over this part (${f1(o.cpu.wallMs / 1000)} s of wall time, warm-up excluded): ${f1(o.cpu.self / 1000)} s in mlzone itself, ${f1(o.cpu.children / 1000)} s in its job containers (reaped children, /proc/<pid>/stat).`,
    '',
    `Where each step's time goes (these rows add up to the wall time ÷ steps). The longest single gap previous step's end → step start: ${f0(max(gaps(o.training)))} ms in the Training chains (${long(gaps(o.training))} of ${gaps(o.training).length} gaps ≥ 100 ms), ${f0(max(gaps(o.conditions)))} ms in the Condition chains (${long(gaps(o.conditions))} of ${gaps(o.conditions).length} gaps ≥ 100 ms; each run's gaps ≥ 100 ms: ${o.conditions.map((e) => gaps([e]).filter((x) => x >= 100).map(f0).join('+') || '0').join(' / ')}).`,
    '',
    breakdown.join('\n'),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. concurrent executions

interface ConcurrentResult {
  readonly single: ExecutionRun;
  readonly startMs: number[];
  readonly runs: ExecutionRun[];
  readonly errors: string[];
  readonly clientWallMs: number;
  readonly cpu: Cpu;
}

async function concurrent(s: Session, server: Child, prefix: string, stamp: string): Promise<ConcurrentResult> {
  const pipeline = `bench-pl-conc-${stamp}`;
  await createPipeline(s, pipeline, chainDefinition('Training', STEPS, prefix, 'T'));
  await directChain(s, prefix, stamp, 'cwarm', 2, POLL_MS);
  console.error(`concurrent: one ${STEPS}-step execution alone…`);
  const arn1 = await start(s, pipeline);
  const single = await analyse(s, arn1, true, await waitExecution(s, arn1, 200, 600_000));
  if (single.status !== 'Succeeded') throw new Error(`single execution ended ${single.status}: ${single.failure ?? ''}`);
  console.error(`  ${f2(wallOf(single) / 1000)} s; now ${EXECUTIONS} at once…`);
  const errors: string[] = [];
  const cpu0 = cpuOf(server.pid);
  const t0 = nowMs();
  const startMs: number[] = [];
  const arns = (
    await Promise.all(
      Array.from({ length: EXECUTIONS }, async () => {
        const a = nowMs();
        try {
          const arn = await start(s, pipeline);
          startMs.push(nowMs() - a);
          return arn;
        } catch (e) {
          errors.push(`StartPipelineExecution: ${(e as Error).name}: ${(e as Error).message}`);
          return undefined;
        }
      }),
    )
  ).filter((a): a is string => a !== undefined);
  const deadline = performance.now() + 30 * 60_000;
  const pending = new Set(arns);
  while (pending.size > 0) {
    if (performance.now() > deadline) throw new Error(`${pending.size} executions still running after 30 minutes`);
    await sleep(500);
    for (const e of await allExecutions(s, pipeline)) if (TERMINAL.has(String(e.PipelineExecutionStatus))) pending.delete(e.PipelineExecutionArn!);
    process.stderr.write(`\r  ${arns.length - pending.size}/${arns.length} ended after ${f0((nowMs() - t0) / 1000)} s`);
  }
  const clientWallMs = nowMs() - t0;
  const cpu = cpuSince(server.pid, cpu0);
  process.stderr.write('\n');
  const runs: ExecutionRun[] = [];
  for (const arn of arns) {
    const e = await analyse(s, arn, true);
    runs.push(e);
    if (e.status !== 'Succeeded') errors.push(`${arn}: ${e.status} ${e.failure ?? ''} ${e.steps.filter((x) => x.failure).map((x) => `${x.name}: ${x.failure}`).join('; ')}`);
  }
  return { single, startMs, runs, errors, clientWallMs, cpu };
}

function concurrentTable(c: ConcurrentResult): string {
  const first = min(c.runs.map((e) => e.created));
  const last = max(c.runs.map((e) => e.ended));
  const total = last - first;
  const walls = c.runs.map(wallOf);
  const single = wallOf(c.single);
  const bound = (EXECUTIONS * single) / CONCURRENCY;
  const own = sum(c.runs.map(ownOf));
  const jobs = c.runs.flatMap((e) => e.steps.flatMap((x) => (x.job ? [x.job] : [])));
  const queue = jobs.map((j) => j.started - j.created);
  const ownEach = jobs.map((j) => j.ended - j.started);
  const seen = c.runs.flatMap((e) => e.steps.flatMap((x) => (x.job ? [x.end - x.job.ended] : [])));
  const create = c.runs.flatMap((e) => e.steps.flatMap((x) => (x.job ? [x.job.created - x.start] : [])));
  const react = c.runs.flatMap((e) => {
    const st = [...e.steps].sort((a, b) => a.start - b.start);
    return st.map((x, i) => x.start - (i === 0 ? e.created : st[i - 1]!.end));
  });
  const rows = [
    '| measurement | value |',
    '|---|---|',
    `| executions started at once / ended Succeeded / errors | ${EXECUTIONS} / ${c.runs.filter((e) => e.status === 'Succeeded').length} / ${c.errors.length} |`,
    `| training jobs run | ${jobs.length} (${EXECUTIONS} × ${STEPS}) |`,
    `| StartPipelineExecution, all sent at once: each call ms (median / max) | ${f1(median(c.startMs))} / ${f1(max(c.startMs))} |`,
    `| **total wall** (first CreationTime → last execution's end) | **${f1(total / 1000)} s** (client-seen, polled every 500 ms: ${f1(c.clientWallMs / 1000)} s) |`,
    `| per-execution wall s: median / min / max | ${f1(median(walls) / 1000)} / ${f1(min(walls) / 1000)} / ${f1(max(walls) / 1000)} |`,
    `| one execution alone on the same mlzone, just before | ${f2(single / 1000)} s (Σ own ${f2(ownOf(c.single) / 1000)} s, ${f1((single - ownOf(c.single)) / STEPS)} ms/step overhead) |`,
    `| **bound: ${EXECUTIONS} × one execution ÷ job concurrency ${CONCURRENCY}** | **${f1(bound / 1000)} s** → total / bound = **${f2(total / bound)}** (${total <= bound ? 'met' : '**not met**'}) |`,
    `| job slots' floor: Σ own run time ÷ ${CONCURRENCY} | ${f1(own / CONCURRENCY / 1000)} s (Σ own ${f1(own / 1000)} s; own per job median ${f0(median(ownEach))} ms against ${f0(median(c.single.steps.flatMap((x) => (x.job ? [x.job.ended - x.job.started] : []))))} ms alone) → slots busy ${f0((100 * own) / CONCURRENCY / total)} % of the total wall |`,
    `| per step, median ms: previous step's end → step start / step start → job created / job queue (created → started) / job end → step end | ${f0(median(react))} / ${f0(median(create))} / ${f0(median(queue))} / ${f0(median(seen))} |`,
    `| the jobs' phases (SecondaryStatusTransitions), median ms: ${PHASES.join(' / ')} (Starting counts from the job's creation, so it holds the queue wait) | here ${PHASES.map((p) => f0(median(jobs.map((j) => j.phases[p] ?? NaN)))).join(' / ')}; alone ${PHASES.map((p) => f0(median(c.single.steps.flatMap((x) => (x.job ? [x.job.phases[p] ?? NaN] : []))))).join(' / ')} |`,
    `| per step, p95 / max ms: previous step's end → step start; job end → step end | ${f0(pct(react, 0.95))} / ${f0(max(react))}; ${f0(pct(seen, 0.95))} / ${f0(max(seen))} |`,
    `| mlzone CPU over the ${EXECUTIONS} executions: itself / its job containers (of which system time) | ${f1(c.cpu.self / 1000)} s (${f1(c.cpu.selfSys / 1000)}) / ${f1(c.cpu.children / 1000)} s (${f1(c.cpu.childrenSys / 1000)}) (of ${f1((total / 1000) * CORES)} CPU·s available on ${CORES} cores) |`,
  ];
  if (c.errors.length) rows.push('', 'Errors:', '', ...c.errors.slice(0, 10).map((e) => `- ${e}`));
  return rows.join('\n');
}

/** Sizes (bytes of JSON) of the execution and step records of one pipeline and of the training jobs, read after mlzone stopped. */
function recordSizes(dataDir: string, pipeline: string): string {
  const file = join(dataDir, 'mlzone.db');
  if (!existsSync(file)) return '';
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const e = db.prepare("select max(length(doc)) mx from sagemaker_resource where kind = 'pipeline-execution' and name like ?").get(`${pipeline}/%`) as { mx: number };
    const s = db.prepare("select avg(length(doc)) av, max(length(doc)) mx from sagemaker_resource where kind = 'pipeline-step'").get() as { av: number; mx: number };
    const j = db.prepare("select avg(length(doc)) av from sagemaker_resource where kind = 'training-job'").get() as { av: number };
    return `Each execution's own record (status, parameters; the definition stays in the pipeline version) is ${f1(e.mx / 1024)} KiB; each step's record is a row of its own, ${f1(s.av / 1024)} KiB on average (at most ${f1(s.mx / 1024)} KiB, with its job's Describe answer as \`__properties\`), rewritten only when that step changes; a training job's own record is ${f1(j.av / 1024)} KiB.`;
  } catch {
    return '';
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. restart with executions in flight

interface SnapshotStep {
  readonly StepName: string;
  readonly StepStatus: string;
  readonly __job?: { name: string; arn: string };
}
interface Snapshot {
  readonly executions: Map<string, { status: string; steps: Record<string, SnapshotStep> }>;
  readonly jobs: Map<string, { status: string; started: boolean }>;
}

/** The database as the kill left it, read from a copy (the data dir itself is left to the restarted mlzone). */
function snapshot(dataDir: string, work: string): Snapshot {
  const copy = join(work, 'snapshot');
  mkdirSync(copy, { recursive: true });
  for (const f of ['mlzone.db', 'mlzone.db-wal', 'mlzone.db-shm']) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(copy, f));
  const db = new BetterSqlite3(join(copy, 'mlzone.db'));
  try {
    const rows = db.prepare("select arn, kind, name, status, doc from sagemaker_resource where kind in ('pipeline-execution', 'training-job')").all() as Array<{ arn: string; kind: string; name: string; status: string | null; doc: string }>;
    const out: Snapshot = { executions: new Map(), jobs: new Map() };
    for (const r of rows) {
      const doc = JSON.parse(r.doc) as Record<string, unknown>;
      if (r.kind === 'pipeline-execution') out.executions.set(r.arn, { status: String(r.status), steps: (doc.__steps as Record<string, SnapshotStep>) ?? {} });
      else out.jobs.set(r.name, { status: String(r.status), started: doc.TrainingStartTime !== undefined });
    }
    return out;
  } finally {
    db.close();
  }
}

interface RestartResult {
  readonly started: number;
  readonly startCallsMs: number;
  readonly killAfterMs: number;
  readonly completedAtKill: number;
  readonly restartReadyMs: number;
  readonly recoveryMs: number;
  readonly totalMs: number;
  readonly listed: PipelineExecutionSummary[];
  readonly steps: {
    doneBeforeKill: number;
    reattachedJobCompleted: number;
    reattachedJobQueued: number;
    reattachedJobRerun: number;
    reattachedOther: number;
    reattachedDifferentJob: number;
    startedAgainNoOrphan: number;
    startedAgainWithOrphan: number;
    notStartedAtKill: number;
  };
  readonly jobs: { total: number; expected: number; duplicateSteps: number; duplicatesOfCompleted: number; rerun: number; missingSteps: number; notCompleted: number };
  readonly atKill: { executing: number; succeeded: number; jobsCompleted: number; jobsInProgressStarted: number; jobsInProgressQueued: number };
  readonly errors: string[];
}

const STEP_JOB = /^pipelines-([a-z0-9]+)-(.+)-[0-9a-f]{10}$/;

async function restart(work: string, prefix: string, stamp: string): Promise<RestartResult> {
  const dataDir = join(work, 'restart-data');
  const errors: string[] = [];
  let first: (Child & { readyMs: number }) | undefined = await spawnMlzone({ auth: 'strict', dataDir });
  let second: (Child & { readyMs: number }) | undefined;
  try {
    let s = await dataScientistSession(first.url, 'bench-pipelines');
    await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/tiny/train.csv`, Body: tinyCsv() }));
    const pipeline = `bench-pl-restart-${stamp}`;
    await createPipeline(s, pipeline, chainDefinition('Training', RESTART_STEPS, prefix, 'R'));
    await directChain(s, prefix, stamp, 'rwarm', 1, POLL_MS);
    const total = RESTART_EXECUTIONS * RESTART_STEPS;
    // --kill-at 0: kill as soon as the last StartPipelineExecution has answered (steps are starting their first jobs).
    const killAt = KILL_AT === 0 ? 0 : Math.max(1, Math.round(KILL_AT * total));
    console.error(`restart: starting ${RESTART_EXECUTIONS} executions of a ${RESTART_STEPS}-step chain; kill -9 once ${killAt} of their ${total} jobs have Completed…`);
    const t0 = nowMs();
    const arns: string[] = [];
    for (let i = 0; i < RESTART_EXECUTIONS; i++) arns.push(await start(s, pipeline));
    const startCallsMs = nowMs() - t0;
    let completed = 0;
    const deadline = performance.now() + 10 * 60_000;
    while (completed < killAt) {
      if (performance.now() > deadline) throw new Error(`only ${completed} jobs Completed after 10 minutes`);
      await sleep(20);
      completed = (await allTrainingJobs(s, { NameContains: 'pipelines-', StatusEquals: 'Completed' })).length;
    }
    const killedAt = nowMs();
    first.process.kill('SIGKILL');
    await exited(first.process);
    first = undefined;
    const killAfterMs = killedAt - t0;
    console.error(`  killed after ${f1(killAfterMs / 1000)} s with ${completed} jobs Completed; reading the database, restarting…`);
    const snap = snapshot(dataDir, work);
    const r0 = nowMs();
    second = await spawnMlzone({ auth: 'strict', dataDir });
    const restartReadyMs = second.readyMs;
    s = await dataScientistSession(second.url, 'bench-pipelines');
    const until = performance.now() + 15 * 60_000;
    let listed: PipelineExecutionSummary[] = [];
    for (;;) {
      listed = (await allExecutions(s, pipeline)).filter((e) => arns.includes(e.PipelineExecutionArn!));
      const open = listed.filter((e) => !TERMINAL.has(String(e.PipelineExecutionStatus))).length;
      process.stderr.write(`\r  after the restart: ${listed.length - open}/${listed.length} listed executions ended (${f0((nowMs() - r0) / 1000)} s)`);
      if (open === 0) break;
      if (performance.now() > until) throw new Error(`${open} executions still open 15 minutes after the restart`);
      await sleep(500);
    }
    process.stderr.write('\n');
    const recoveryMs = nowMs() - r0;
    const totalMs = nowMs() - t0;

    // Every training job a step of these executions started, grouped by execution and step.
    const ids = new Map(arns.map((a) => [a.slice(a.lastIndexOf('/') + 1), a]));
    const byStep = new Map<string, TrainingJobSummary[]>();
    for (const j of await allTrainingJobs(s, { NameContains: 'pipelines-' })) {
      const m = STEP_JOB.exec(j.TrainingJobName!);
      if (!m || !ids.has(m[1]!)) continue;
      const key = `${m[1]}/${m[2]}`;
      byStep.set(key, [...(byStep.get(key) ?? []), j]);
    }
    const steps = { doneBeforeKill: 0, reattachedJobCompleted: 0, reattachedJobQueued: 0, reattachedJobRerun: 0, reattachedOther: 0, reattachedDifferentJob: 0, startedAgainNoOrphan: 0, startedAgainWithOrphan: 0, notStartedAtKill: 0 };
    const jobs = { total: 0, expected: total, duplicateSteps: 0, duplicatesOfCompleted: 0, rerun: 0, missingSteps: 0, notCompleted: 0 };
    const atKill = { executing: 0, succeeded: 0, jobsCompleted: 0, jobsInProgressStarted: 0, jobsInProgressQueued: 0 };
    for (const [name, j] of snap.jobs) {
      if (!STEP_JOB.test(name)) continue;
      if (j.status === 'Completed') atKill.jobsCompleted++;
      else if (j.status === 'InProgress' && j.started) atKill.jobsInProgressStarted++;
      else if (j.status === 'InProgress') atKill.jobsInProgressQueued++;
    }
    for (const [id, arn] of ids) {
      const before = snap.executions.get(arn);
      if (!before) errors.push(`${arn} is not in the database read after the kill`);
      else if (before.status === 'Succeeded') atKill.succeeded++;
      else if (before.status === 'Executing') atKill.executing++;
      const after = await allSteps(s, arn);
      for (let i = 0; i < RESTART_STEPS; i++) {
        const name = `R${i}`;
        const list = byStep.get(`${id}/${name.toLowerCase()}`) ?? [];
        jobs.total += list.length;
        if (list.length === 0) jobs.missingSteps++;
        jobs.notCompleted += list.filter((j) => j.TrainingJobStatus !== 'Completed').length;
        const was = before?.steps[name];
        const now = after.find((x) => x.StepName === name);
        const finalJob = now?.Metadata?.TrainingJob?.Arn ? jobNameOf(now.Metadata.TrainingJob.Arn) : undefined;
        // Jobs this step had in the database at the kill (recorded in the step or not).
        const existedAtKill = list.filter((j) => snap.jobs.has(j.TrainingJobName!));
        if (list.length > 1) {
          jobs.duplicateSteps++;
          if (existedAtKill.some((j) => snap.jobs.get(j.TrainingJobName!)!.status === 'Completed')) jobs.duplicatesOfCompleted++;
        }
        if (!was) steps.notStartedAtKill++;
        else if (was.StepStatus === 'Succeeded') steps.doneBeforeKill++;
        else if (was.__job) {
          const job = snap.jobs.get(was.__job.name);
          if (finalJob !== was.__job.name) steps.reattachedDifferentJob++;
          else if (job?.status === 'Completed') steps.reattachedJobCompleted++;
          else if (job?.status === 'InProgress' && job.started) steps.reattachedJobRerun++;
          else if (job?.status === 'InProgress') steps.reattachedJobQueued++;
          else steps.reattachedOther++;
        } else if (existedAtKill.length > 0) steps.startedAgainWithOrphan++;
        else steps.startedAgainNoOrphan++;
      }
    }
    // Jobs that had started before the kill without completing, and ran again after it.
    for (const [name, j] of snap.jobs) {
      if (j.status !== 'InProgress' || !j.started || !STEP_JOB.test(name)) continue;
      const d = await s.sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      if ((d.SecondaryStatusTransitions ?? []).some((t) => t.Status === 'Restarting')) jobs.rerun++;
    }
    return { started: arns.length, startCallsMs, killAfterMs, completedAtKill: completed, restartReadyMs, recoveryMs, totalMs, listed, steps, jobs, atKill, errors };
  } finally {
    if (first) first.process.kill('SIGKILL');
    await second?.stop();
  }
}

function restartTable(r: RestartResult): string {
  const succeeded = r.listed.filter((e) => e.PipelineExecutionStatus === 'Succeeded').length;
  const st = r.steps;
  const reattached = st.reattachedJobCompleted + st.reattachedJobQueued + st.reattachedJobRerun + st.reattachedOther;
  const ok = r.listed.length === r.started && succeeded === r.started && r.jobs.duplicatesOfCompleted === 0 && r.jobs.missingSteps === 0 && st.reattachedDifferentJob === 0;
  const rows = [
    '| check | result |',
    '|---|---|',
    `| executions started / listed after the restart (ListPipelineExecutions) / Succeeded | ${r.started} / ${r.listed.length} / **${succeeded}**${r.listed.length - succeeded ? ` (others: ${r.listed.filter((e) => e.PipelineExecutionStatus !== 'Succeeded').map((e) => `${e.PipelineExecutionStatus}: ${e.PipelineExecutionFailureReason ?? ''}`).slice(0, 3).join('; ')})` : ''} |`,
    `| none lost | ${r.listed.length === r.started ? 'yes' : `**no**: ${r.started - r.listed.length} missing`} |`,
    `| at the kill (database read from a copy) | executions Succeeded ${r.atKill.succeeded}, Executing ${r.atKill.executing}; training jobs Completed ${r.atKill.jobsCompleted} (ListTrainingJobs had counted ${r.completedAtKill} just before the kill), InProgress and started ${r.atKill.jobsInProgressStarted}, InProgress and queued ${r.atKill.jobsInProgressQueued} |`,
    `| steps (${r.started} × ${RESTART_STEPS} = ${r.jobs.expected}) | done before the kill ${st.doneBeforeKill}; **re-attached ${reattached}** (its recorded job followed again: already Completed ${st.reattachedJobCompleted}, queued and run once after the restart ${st.reattachedJobQueued}, had started and was **re-run** ${st.reattachedJobRerun}, other ${st.reattachedOther}); recorded job replaced ${st.reattachedDifferentJob}; **started again** (Starting, no job recorded) ${st.startedAgainNoOrphan + st.startedAgainWithOrphan}, of which with a job created before the kill and not recorded (a duplicate) ${st.startedAgainWithOrphan}; not started at the kill ${st.notStartedAtKill} |`,
    `| training jobs \`pipelines-<execution id>-<step>-…\` | ${r.jobs.total} for ${r.jobs.expected} steps: steps with more than one job **${r.jobs.duplicateSteps}** (of which one had Completed before the kill: **${r.jobs.duplicatesOfCompleted}**); steps with none ${r.jobs.missingSteps}; jobs not Completed ${r.jobs.notCompleted}; jobs that had started and not completed, run again after the restart: ${r.jobs.rerun} |`,
    `| none duplicated (no completed job run twice, one job per step) | ${r.jobs.duplicatesOfCompleted === 0 ? (r.jobs.duplicateSteps === 0 ? 'yes' : `yes for completed jobs; ${r.jobs.duplicateSteps} step(s) have a second job`) : '**no**'} |`,
    `| times | ${r.started} StartPipelineExecution calls ${f1(r.startCallsMs / 1000)} s; kill -9 ${f1(r.killAfterMs / 1000)} s after the first; restart → health 200 ${f0(r.restartReadyMs)} ms; restart → all ended ${f1(r.recoveryMs / 1000)} s; whole ${f1(r.totalMs / 1000)} s |`,
    `| **target met** (all Succeeded, none lost, none duplicated) | **${ok ? 'yes' : 'no'}** |`,
  ];
  if (r.errors.length) rows.push('', 'Errors:', '', ...r.errors.slice(0, 10).map((e) => `- ${e}`));
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

function profileSection(profDir: string, label: string): string[] {
  if (!existsSync(profDir)) return [];
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return [];
  const p = summarize(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Parameters<typeof summarize>[0]);
  const keep = join(tmpdir(), `mlzone-pipelines-${label}-${Date.now()}.cpuprofile`);
  writeFileSync(keep, readFileSync(join(profDir, file)));
  return [`#### mlzone CPU profile, ${label} (its whole run, idle ${p.idlePct.toFixed(1)}%; ${keep})`, '', 'By self time:', '', markdown(p.self, 20), '', 'By inclusive time:', '', markdown(p.total, 25), ''];
}

async function main(): Promise<void> {
  if (!values['skip-build']) ensureBuilt(['mlzone.cjs', join('runtime', 'builtin-train.cjs')]);
  const md: string[] = ['### Machine', '', ...machine(), ''];
  md.push(
    `Method: mlzone from the build (\`node bin/mlzone.js up --auth strict --data-dir <fresh temporary folder>\`, one fresh mlzone per part), called as data-science-1's DataScientist session with the JS SDK; pipelines run as \`${EXECUTION_ROLE}\`; every training job is built-in linear-learner (\`predictor_type=regressor\`, 200 rows × 3 features CSV). Part 1: ${PIN ? 'mlzone and its job containers on CPU 0 (taskset; so its default job concurrency is 1), this client on CPU 1' : 'not pinned'}; two warm-up jobs first. Parts 2 and 3: mlzone unpinned, job concurrency ${CONCURRENCY}${values['job-concurrency'] !== undefined ? ' (--job-concurrency)' : ' (its default: the cores)'}. Times are mlzone's record stamps (Date.now(), ms) unless said to be client-seen.`,
    '',
  );
  const work = mkdtempSync(join(tmpdir(), 'mlzone-bench-pipelines-'));
  const stamp = Date.now().toString(36);
  const prefix = `bench-pipelines/${stamp}`;
  const prof = (name: string) => (values['cpu-prof'] ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(work, `prof-${name}`)] } : {});
  try {
    if (ONLY.has('overhead')) {
      const server = await spawnMlzone({ auth: 'strict', cpu: SERVER_CPU, dataDir: join(work, 'overhead-data'), ...prof('overhead') });
      if (PIN) pinSelf(CLIENT_CPU);
      let result: OverheadResult;
      try {
        const s = await dataScientistSession(server.url, 'bench-pipelines');
        await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/tiny/train.csv`, Body: tinyCsv() }));
        result = await overhead(s, server, prefix, stamp);
      } finally {
        await server.stop();
        if (PIN) pinSelf(undefined);
      }
      md.push(
        `### 1. Orchestration overhead: ${STEPS} chained steps`,
        '',
        `Each step after the first has \`DependsOn\` the previous one. Wall = the execution's CreationTime → LastModifiedTime (the write that made it Succeeded); overhead per step = (wall − Σ own run time) ÷ ${STEPS}. The ceiling creates the same ${STEPS} jobs one after another from this client and polls DescribeTrainingJob; its wall = the first call sent → the last Completed seen. ${REPEAT} round(s), in each: the training pipeline, the ceiling(s), the Condition chain.`,
        '',
        overheadTables(result),
        '',
        recordSizes(join(work, 'overhead-data'), `bench-pl-train-${stamp}`),
        '',
        ...profileSection(join(work, 'prof-overhead'), 'part 1'),
      );
    }
    if (ONLY.has('concurrent')) {
      const server = await spawnMlzone({ auth: 'strict', dataDir: join(work, 'concurrent-data'), ...prof('concurrent') });
      let result: ConcurrentResult;
      try {
        const s = await dataScientistSession(server.url, 'bench-pipelines');
        await s.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/tiny/train.csv`, Body: tinyCsv() }));
        result = await concurrent(s, server, prefix, stamp);
      } finally {
        await server.stop();
      }
      md.push(
        `### 2. ${EXECUTIONS} concurrent executions of the ${STEPS}-step training pipeline`,
        '',
        `One fresh mlzone (unpinned, job concurrency ${CONCURRENCY}): one execution alone first, then ${EXECUTIONS} StartPipelineExecution calls sent at once and ListPipelineExecutions polled every 500 ms until all ended.`,
        '',
        concurrentTable(result),
        '',
        recordSizes(join(work, 'concurrent-data'), `bench-pl-conc-${stamp}`),
        '',
        ...profileSection(join(work, 'prof-concurrent'), 'part 2'),
      );
    }
    if (ONLY.has('restart')) {
      const r = await restart(work, prefix, stamp);
      md.push(
        `### 3. kill -9 with ${RESTART_EXECUTIONS} executions in flight, restart on the same data dir`,
        '',
        `${RESTART_EXECUTIONS} executions of a ${RESTART_STEPS}-step chain of training steps (unpinned mlzone, job concurrency ${CONCURRENCY}), all started, then mlzone killed with SIGKILL once ${f0(KILL_AT * 100)} % of their jobs had Completed (ListTrainingJobs polled every 20 ms), and started again on the same \`--data-dir\`. The state at the kill is read from a copy of the SQLite files; the jobs of a step are found by their names (\`pipelines-<execution id>-<step>-<random>\`).`,
        '',
        restartTable(r),
        '',
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  md.push(`Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`, '');
  const text = md.join('\n');
  console.log(text);
  if (values.out) writeFileSync(values.out, `${text}\n`);
}

await main();
