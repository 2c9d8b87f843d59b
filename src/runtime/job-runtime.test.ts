// Job containers through the process runtime: the training contract as a process sees it (in the /opt/ml mount
// namespace where this machine allows it, and with host paths), processing paths, exits, stop and mlzone's death.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { detectOptMl } from './opt-ml.js';
import { createProcessRuntime } from './process-runtime.js';
import { ContainerError } from './types.js';
import type { JobContainerSpec, RuntimeImage } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-jobs-'));
const runtime = createProcessRuntime({ stopGraceMs: 1000 });
const hostRuntime = createProcessRuntime({ stopGraceMs: 1000, optMl: 'host' });
const optMl = await detectOptMl();
const namespaces = optMl.kind === 'namespace';
if (!namespaces) console.warn(`skipping the /opt/ml namespace assertions: ${optMl.reason}`);

afterAll(async () => {
  await Promise.all([runtime.close(), hostRuntime.close()]);
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function spec(image: RuntimeImage, extra: Partial<JobContainerSpec> & { lines?: string[] } = {}): JobContainerSpec {
  const lines = extra.lines ?? [];
  return {
    image,
    kind: 'training',
    jobDir: join(root, `job-${++counter}`),
    environment: {},
    hosts: ['algo-1'],
    currentHost: 'algo-1',
    name: `acct/job-${counter}/algo-1`,
    log: (l) => lines.push(l),
    ...extra,
  };
}

const sh = (script: string): RuntimeImage => ({ kind: 'command', command: '/bin/sh', args: ['-c', script] });

/** Alive and not a zombie. */
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

/** A script printing what a training container sees: its config file, its SM_* variables, its working directory. */
const SHOW = [
  'echo "pwd=$(pwd)"',
  'echo "hps=$(cat /opt/ml/input/config/hyperparameters.json 2>&1)"',
  'echo "resources=$(cat "$SM_INPUT_CONFIG_DIR/resourceconfig.json")"',
  'echo "data=$(cat "$SM_INPUT_CONFIG_DIR/inputdataconfig.json")"',
  // The shell's own environment: a shell passes on only variables with valid names (not SM_HP_LEARNING-RATE).
  'tr "\\0" "\\n" < /proc/$$/environ | grep -E "^(SM_|SAGEMAKER_|CURRENT_HOST|TRAINING_JOB_|CUSTOM)" | sort',
].join('; ');

function variables(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const eq = l.indexOf('=');
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

const HPS = { epochs: '10', optimizer: '"adam"', 'learning-rate': '0.1', sagemaker_program: '"train.py"', sagemaker_container_log_level: '20', sagemaker_region: '"eu-west-1"' };

describe('the training contract', () => {
  it.skipIf(!namespaces)('a command job sees its job directory as /opt/ml, with the config files and SM_* variables', async () => {
    const lines: string[] = [];
    const s = spec(sh(SHOW), { lines, hyperParameters: HPS, channels: ['train', 'validation'], channelConfig: { train: { ContentType: 'text/csv' } }, jobName: 'job-1', jobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/job-1', instanceType: 'ml.m5.large', environment: { CUSTOM: 'x y' } });
    const job = await runtime.startJob(s);
    expect(job.name).toBe(s.name);
    const exit = await job.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    const v = variables(lines);
    expect(lines.some((l) => l.includes('/opt/ml is not available'))).toBe(false);
    expect(v.pwd).toBe('/opt/ml');
    expect(JSON.parse(v.hps)).toEqual(HPS);
    expect(JSON.parse(v.resources)).toEqual({
      current_host: 'algo-1',
      current_instance_type: 'ml.m5.large',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1'],
      instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: 'ml.m5.large', hosts: ['algo-1'] }],
      network_interface_name: 'eth0',
    });
    expect(JSON.parse(v.data)).toEqual({
      train: { ContentType: 'text/csv', TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
      validation: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
    });
    expect(v).toMatchObject({
      SM_MODEL_DIR: '/opt/ml/model',
      SM_CHANNELS: '["train","validation"]',
      SM_CHANNEL_TRAIN: '/opt/ml/input/data/train',
      SM_CHANNEL_VALIDATION: '/opt/ml/input/data/validation',
      SM_HPS: '{"epochs":10,"learning-rate":0.1,"optimizer":"adam"}',
      SM_HP_EPOCHS: '10',
      SM_HP_OPTIMIZER: 'adam',
      'SM_HP_LEARNING-RATE': '0.1',
      SM_USER_ARGS: '["--epochs","10","--learning-rate","0.1","--optimizer","adam"]',
      SM_HOSTS: '["algo-1"]',
      SM_CURRENT_HOST: 'algo-1',
      SM_CURRENT_INSTANCE_TYPE: 'ml.m5.large',
      SM_NETWORK_INTERFACE_NAME: 'eth0',
      SM_OUTPUT_DATA_DIR: '/opt/ml/output/data',
      SM_OUTPUT_DIR: '/opt/ml/output',
      SM_OUTPUT_INTERMEDIATE_DIR: '/opt/ml/output/intermediate',
      SM_INPUT_DIR: '/opt/ml/input',
      SM_INPUT_CONFIG_DIR: '/opt/ml/input/config',
      SM_MODULE_NAME: 'train',
      SM_MODULE_DIR: '/opt/ml/code',
      SM_USER_ENTRY_POINT: 'train.py',
      SM_LOG_LEVEL: '20',
      SM_NUM_GPUS: '0',
      SM_FRAMEWORK_PARAMS: '{}',
      SM_FRAMEWORK_MODULE: '',
      SAGEMAKER_JOB_NAME: '',
      SAGEMAKER_REGION: 'eu-west-1',
      CURRENT_HOST: 'algo-1',
      TRAINING_JOB_NAME: 'job-1',
      TRAINING_JOB_ARN: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/job-1',
      CUSTOM: 'x y',
    });
    expect(Number(v.SM_NUM_CPUS)).toBeGreaterThan(0);
    const env = JSON.parse(v.SM_TRAINING_ENV);
    expect(env).toMatchObject({ model_dir: '/opt/ml/model', hyperparameters: { epochs: 10, 'learning-rate': 0.1, optimizer: 'adam' }, channel_input_dirs: { train: '/opt/ml/input/data/train' }, job_name: 'job-1', is_master: true, master_hostname: 'algo-1' });
    // The folders the platform creates; the host's own /opt/ml stays untouched.
    for (const d of ['model', 'output/data', 'checkpoints', 'input/data/train', 'input/data/validation']) expect(existsSync(join(s.jobDir, d))).toBe(true);
  });

  it('falls back to host paths when /opt/ml cannot be mounted, saying so once, with arguments rewritten', async () => {
    const lines: string[] = [];
    const s = spec({ kind: 'command', command: '/bin/sh', args: ['-c', `${SHOW}; echo "arg=$0"; cat "$0"`, '/opt/ml/input/config/hyperparameters.json'] }, { lines, hyperParameters: HPS, channels: ['train'] });
    const exit = await (await hostRuntime.startJob(s)).exited;
    expect(exit.code).toBe(0);
    expect(lines.filter((l) => l.startsWith('mlzone: /opt/ml is not available to this job'))).toHaveLength(1);
    const v = variables(lines);
    expect(v.pwd).toBe(s.jobDir);
    expect(v).toMatchObject({
      SM_MODEL_DIR: join(s.jobDir, 'model'),
      SM_CHANNEL_TRAIN: join(s.jobDir, 'input/data/train'),
      SM_INPUT_CONFIG_DIR: join(s.jobDir, 'input/config'),
      SM_HPS: '{"epochs":10,"learning-rate":0.1,"optimizer":"adam"}',
      'SM_HP_LEARNING-RATE': '0.1',
      arg: join(s.jobDir, 'input/config/hyperparameters.json'),
    });
    expect(lines).toContain(JSON.stringify(HPS));
  });

  it('writes tabs as #011, as CloudWatch shows them (what AWS metric regexes expect)', async () => {
    const lines: string[] = [];
    const exit = await (await runtime.startJob(spec(sh(`printf '[0]\\ttrain-rmse:0.5\\tvalidation-rmse:0.25\\n'`), { lines }))).exited;
    expect(exit.code).toBe(0);
    expect(lines).toContain('[0]#011train-rmse:0.5#011validation-rmse:0.25');
  });
});

describe('processing', () => {
  const PROCESS = [
    'set -e',
    'test -f /opt/ml/config/resourceconfig.json',
    'mkdir -p /opt/ml/processing/output/clean',
    'tr a-z A-Z < /opt/ml/processing/input/raw/data.csv > /opt/ml/processing/output/clean/data.csv',
    'echo processed',
  ].join('; ');

  function stage(s: JobContainerSpec): void {
    mkdirSync(join(s.jobDir, 'processing/input/raw'), { recursive: true });
    writeFileSync(join(s.jobDir, 'processing/input/raw/data.csv'), 'a,b\nc,d\n');
  }

  it.skipIf(!namespaces)('a processing job reads /opt/ml/processing/input and writes /opt/ml/processing/output', async () => {
    const lines: string[] = [];
    const s = spec(sh('exit 99'), { kind: 'processing', lines, entrypoint: ['/bin/sh', '-c'], arguments: [PROCESS] });
    stage(s);
    const exit = await (await runtime.startJob(s)).exited;
    expect(exit.code).toBe(0);
    expect(lines).toContain('processed');
    expect(readFileSync(join(s.jobDir, 'processing/output/clean/data.csv'), 'utf8')).toBe('A,B\nC,D\n');
    expect(JSON.parse(readFileSync(join(s.jobDir, 'config/resourceconfig.json'), 'utf8'))).toEqual({ current_host: 'algo-1', hosts: ['algo-1'] });
    // No training contract in a processing container.
    expect(existsSync(join(s.jobDir, 'input/config'))).toBe(false);
  });

  it('with host paths, arguments naming /opt/ml/... are rewritten into the job directory', async () => {
    const s = spec({ kind: 'command', command: '/bin/cp', args: [] }, { kind: 'processing', arguments: ['/opt/ml/processing/input/raw/data.csv', '/opt/ml/processing/output/copy.csv'] });
    stage(s);
    mkdirSync(join(s.jobDir, 'processing/output'), { recursive: true });
    const exit = await (await hostRuntime.startJob(s)).exited;
    expect(exit.code).toBe(0);
    expect(readFileSync(join(s.jobDir, 'processing/output/copy.csv'), 'utf8')).toBe('a,b\nc,d\n');
  });
});

describe('exits and stops', () => {
  it('a job that exits non-zero gives its code and last lines', async () => {
    const job = await runtime.startJob(spec(sh('for i in $(seq 1 60); do echo "line $i"; done; echo "Traceback: boom" >&2; exit 7')));
    const exit = await job.exited;
    expect(exit.code).toBe(7);
    expect(exit.signal).toBeNull();
    expect(exit.tail[exit.tail.length - 1]).toBe('Traceback: boom');
    expect(exit.tail.length).toBeLessThanOrEqual(40);
    expect(exit.tail).toContain('line 60');
    expect(job.pid).toBeUndefined();
    expect(runtime.runningJobs()).not.toContain(job);
  });

  it('stop() kills the whole process tree', async () => {
    const s = spec(sh('sleep 1000 & echo $! > "$SM_OUTPUT_DIR/child.pid"; wait'));
    const job = await runtime.startJob(s);
    expect(runtime.runningJobs()).toContain(job);
    const pidFile = join(s.jobDir, 'output/child.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 5000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    const main = job.pid as number;
    expect(alive(child)).toBe(true);
    await job.stop();
    const exit = await job.exited;
    expect(exit.signal).toBe('SIGTERM');
    expect(alive(main)).toBe(false);
    expect(alive(child)).toBe(false);
  });

  it('a job ignoring SIGTERM is killed after the grace period', async () => {
    const lines: string[] = [];
    const job = await runtime.startJob(spec(sh(`trap '' TERM; echo ready; while true; do sleep 0.05; done`), { lines }));
    await until(() => lines.includes('ready'), 5000);
    const started = Date.now();
    await job.stop();
    expect((await job.exited).signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('when mlzone dies (SIGKILL), its jobs die too', async () => {
    const dir = join(root, 'orphan');
    mkdirSync(dir, { recursive: true });
    const script = join(dir, 'host.mts');
    writeFileSync(
      script,
      `import { createProcessRuntime } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'process-runtime.ts')).href)};
const rt = createProcessRuntime();
const job = await rt.startJob({ image: { kind: 'command', command: '/bin/sh', args: ['-c', 'sleep 1000'] }, kind: 'processing', jobDir: ${JSON.stringify(join(dir, 'job'))}, environment: {}, hosts: ['algo-1'], currentHost: 'algo-1', name: 'orphan', log: () => {} });
console.log(job.pid);
setInterval(() => {}, 1000);
`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const host = spawn(process.execPath, ['--import', tsx, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      host.stdout.on('data', (c: Buffer) => resolve(Number(c.toString().trim())));
      host.on('exit', () => reject(new Error('the host process exited early')));
    });
    expect(alive(pid)).toBe(true);
    host.kill('SIGKILL');
    await until(() => !alive(pid), 5000);
  });
});

describe('start failures', () => {
  async function failure(promise: Promise<unknown>): Promise<ContainerError> {
    const e = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ContainerError);
    return e as ContainerError;
  }

  it('a missing program fails with start, in both path modes', async () => {
    for (const rt of [runtime, hostRuntime]) {
      const e = await failure(rt.startJob(spec({ kind: 'command', command: join(root, 'no-such-trainer'), args: [] })));
      expect(e.kind).toBe('start');
      expect(e.reason).toContain('no such program');
    }
  });

  it('a missing Python names the packages and MLZONE_PYTHON', async () => {
    const rt = createProcessRuntime({ python: join(root, 'no-python3') });
    const s = spec({ kind: 'framework', framework: 'xgboost' }, { hyperParameters: { num_round: '2' } });
    const e = await failure(rt.startJob(s));
    await rt.close();
    expect(e.reason).toMatch(/needs Python 3.*apt-get install -y python3.*MLZONE_PYTHON/);
  });

  it('refuses what cannot run: the built-in algorithm as a processing job, a framework processing job without an entrypoint, script mode without the script', async () => {
    expect((await failure(runtime.startJob(spec({ kind: 'builtin', algorithm: 'linear-learner' }, { kind: 'processing' })))).reason).toContain('training jobs only');
    expect((await failure(runtime.startJob(spec({ kind: 'framework', framework: 'sklearn' }, { kind: 'processing' })))).reason).toContain('ContainerEntrypoint');
    expect((await failure(runtime.startJob(spec({ kind: 'framework', framework: 'sklearn' }, { hyperParameters: {} })))).reason).toContain('script mode only');
    const missing = await failure(runtime.startJob(spec({ kind: 'framework', framework: 'sklearn' }, { hyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: '"s3://b/k/sourcedir.tar.gz"' } })));
    expect(missing.reason).toMatch(/train\.py .* must be extracted into .*\/code \(\/opt\/ml\/code\)/);
  });

  it('refuses the Data Wrangler image for training and with a ContainerEntrypoint (its program is mlzone\'s flow interpreter)', async () => {
    expect((await failure(runtime.startJob(spec({ kind: 'data-wrangler', version: '3.x' }, { hyperParameters: {} })))).reason).toContain('processing jobs only');
    expect((await failure(runtime.startJob(spec({ kind: 'data-wrangler' }, { kind: 'processing', entrypoint: ['python3', 'x.py'] })))).reason).toContain('takes no ContainerEntrypoint');
  });
});
