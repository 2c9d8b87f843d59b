// Framework training and processing jobs with Debian's Python, scikit-learn and XGBoost: XGBoost's algorithm mode
// (then served by serve.py), scikit-learn script mode with a real-style train.py, a processing script with
// hardcoded /opt/ml paths, the toolkit's variables checked by CPython itself, and the missing-package message.
// Skipped, saying why, where /usr/bin/python3 lacks the packages.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XGBOOST_METRIC_DEFINITIONS, metricMatcher } from '../builtin/metric-definitions.js';
import { detectOptMl } from '../opt-ml.js';
import { createProcessRuntime } from '../process-runtime.js';
import type { JobContainerSpec, JobExit, RuntimeImage } from '../types.js';

const PYTHON = '/usr/bin/python3';
const canImport = (modules: string) => spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
const hasSklearn = canImport('sklearn, joblib, numpy, pandas');
const hasXgboost = hasSklearn && canImport('xgboost, scipy');
if (!hasSklearn) console.warn(`skipping the Python training tests: ${PYTHON} cannot import sklearn/pandas (apt-get install -y python3-sklearn python3-xgboost python3-pandas)`);
const optMl = await detectOptMl();
const namespaces = optMl.kind === 'namespace';
if (!namespaces) console.warn(`skipping the /opt/ml processing test: ${optMl.reason}`);

const root = mkdtempSync(join(tmpdir(), 'mlzone-pyjobs-'));
const runtime = createProcessRuntime({ python: PYTHON, stopGraceMs: 1000 });
afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function spec(image: RuntimeImage, extra: Partial<JobContainerSpec> & { files?: Record<string, string> } = {}): JobContainerSpec & { lines: string[] } {
  const jobDir = join(root, `job-${++counter}`);
  for (const [path, text] of Object.entries(extra.files ?? {})) {
    mkdirSync(join(jobDir, path, '..'), { recursive: true });
    writeFileSync(join(jobDir, path), text);
  }
  const lines: string[] = [];
  return { image, kind: 'training', jobDir, environment: {}, hosts: ['algo-1'], currentHost: 'algo-1', name: `py/${counter}`, log: (l) => lines.push(l), lines, ...extra };
}

async function run(s: JobContainerSpec): Promise<JobExit> {
  return (await runtime.startJob(s)).exited;
}

/** y = 3 x0 − 2 x1 + 1 on a grid: learnable by both frameworks. */
function regressionCsv(rows: number, offset = 0): string {
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x0 = ((i + offset) % 13) / 4;
    const x1 = (((i + offset) * 7) % 17) / 5;
    out.push(`${3 * x0 - 2 * x1 + 1},${x0},${x1}`);
  }
  return out.join('\n') + '\n';
}

const xgboost: RuntimeImage = { kind: 'framework', framework: 'xgboost', version: '1.7-1' };
const sklearn: RuntimeImage = { kind: 'framework', framework: 'sklearn', version: '1.2-1' };

describe.skipIf(!hasXgboost)('XGBoost algorithm mode', () => {
  it('trains from CSV channels, logs what the built-in metric definitions parse, saves xgboost-model that serve.py serves', async () => {
    const s = spec(xgboost, {
      hyperParameters: { num_round: '30', max_depth: '3', eta: '0.3', objective: 'reg:squarederror', eval_metric: 'rmse' },
      channels: ['train', 'validation'],
      channelConfig: { train: { ContentType: 'text/csv' }, validation: { ContentType: 'text/csv' } },
      files: { 'input/data/train/part-0.csv': regressionCsv(400), 'input/data/validation/part-0.csv': regressionCsv(100, 3) },
    });
    const exit = await run(s);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    expect(s.lines.some((l) => /^\[0\]#011train-rmse:[\d.]+#011validation-rmse:[\d.]+$/.test(l))).toBe(true);
    const match = metricMatcher(XGBOOST_METRIC_DEFINITIONS);
    const validation = s.lines.flatMap((l) => match(l)).filter((m) => m.name === 'validation:rmse');
    expect(validation).toHaveLength(30);
    expect(validation[29].value).toBeLessThan(validation[0].value / 5);
    expect(existsSync(join(s.jobDir, 'model/xgboost-model'))).toBe(true);

    const endpoint = await runtime.startHosting({ image: xgboost, modelDir: join(s.jobDir, 'model'), workDir: join(s.jobDir, 'serve'), environment: {}, name: 'py/xgb-ep', startupTimeoutMs: 30_000 });
    const res = await endpoint.invoke({ body: Buffer.from('1,1\n2,0\n'), contentType: 'text/csv', timeoutMs: 10_000 });
    expect(res.status).toBe(200);
    const predictions = res.body.toString().trim().split(/[,\n]/).map(Number);
    expect(predictions[0]).toBeCloseTo(2, 0);
    expect(predictions[1]).toBeCloseTo(7, 0);
    await endpoint.stop();
  });

  it('reads libsvm (the default content type) and refuses bad configurations as the container does', async () => {
    const libsvm = spec(xgboost, {
      hyperParameters: { num_round: '5', objective: 'binary:logistic' },
      channels: ['train'],
      files: { 'input/data/train/data.libsvm': '1 1:1 2:0.5\n0 1:-1 2:0.2\n1 1:2\n0 2:1\n' },
    });
    const ok = await run(libsvm);
    expect(ok.code, ok.tail.join('\n')).toBe(0);
    expect(libsvm.lines.some((l) => l.startsWith('[4]#011train-logloss:'))).toBe(true);

    const cases: [Record<string, string>, string][] = [
      [{ max_depth: '3' }, 'ClientError: Missing required hyperparameter: num_round'],
      [{ num_round: '3', silent: '1' }, 'ClientError: Extraneous hyperparameter found: silent'],
      [{ num_round: 'many' }, 'ClientError: Hyperparameter num_round: could not parse value'],
    ];
    for (const [hyperParameters, reason] of cases) {
      const s = spec(xgboost, { hyperParameters, channels: ['train'], files: { 'input/data/train/d.csv': regressionCsv(10) }, channelConfig: { train: { ContentType: 'text/csv' } } });
      expect((await run(s)).code).toBe(2);
      expect(readFileSync(join(s.jobDir, 'output/failure'), 'utf8')).toBe(reason);
    }
    const csvAsLibsvm = spec(xgboost, { hyperParameters: { num_round: '3' }, channels: ['train'], files: { 'input/data/train/d.csv': regressionCsv(10) } });
    expect((await run(csvAsLibsvm)).code).toBe(2);
    expect(readFileSync(join(csvAsLibsvm.jobDir, 'output/failure'), 'utf8')).toContain('set ContentType text/csv for CSV');
  });
});

/** A training script written the way SageMaker's scikit-learn examples are. */
const TRAIN_PY = `
import argparse, json, os, sys
import joblib
import pandas as pd
from sklearn.linear_model import Ridge

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--fit-intercept", type=str, default="True")
    parser.add_argument("--model-dir", type=str, default=os.environ["SM_MODEL_DIR"])
    parser.add_argument("--train", type=str, default=os.environ["SM_CHANNEL_TRAIN"])
    args = parser.parse_args()
    print("argv=" + json.dumps(sys.argv[1:]))
    print("cwd=" + os.getcwd())
    print("hps=" + os.environ["SM_HPS"])
    frames = [pd.read_csv(os.path.join(args.train, f), header=None) for f in sorted(os.listdir(args.train))]
    data = pd.concat(frames)
    model = Ridge(alpha=args.alpha, fit_intercept=args.fit_intercept == "True").fit(data.iloc[:, 1:], data.iloc[:, 0])
    print("coef=" + json.dumps([round(c, 3) for c in model.coef_]))
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
`;

describe.skipIf(!hasSklearn)('scikit-learn script mode', () => {
  it('runs train.py the toolkit way and its model serves', async () => {
    const s = spec(sklearn, {
      hyperParameters: { alpha: '0.001', 'fit-intercept': 'true', sagemaker_program: '"train.py"', sagemaker_submit_directory: '"s3://bucket/job/source/sourcedir.tar.gz"', sagemaker_container_log_level: '20', sagemaker_region: '"us-east-1"' },
      channels: ['train'],
      files: { 'code/train.py': TRAIN_PY, 'input/data/train/a.csv': regressionCsv(60), 'input/data/train/b.csv': regressionCsv(60, 60) },
    });
    const exit = await run(s);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    const line = (key: string) => s.lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
    // Hyperparameters sorted, booleans as Python prints them, sagemaker_* kept away from the script.
    expect(JSON.parse(line('argv') as string)).toEqual(['--alpha', '0.001', '--fit-intercept', 'True']);
    expect(line('hps')).toBe('{"alpha":0.001,"fit-intercept":true}');
    expect(line('cwd')).toBe(namespaces ? '/opt/ml/code' : join(s.jobDir, 'code'));
    expect(JSON.parse(line('coef') as string)).toEqual([3, -2]);
    expect(s.lines.some((l) => l.startsWith('Invoking script with the following command:'))).toBe(true);
    expect(existsSync(join(s.jobDir, 'output/success'))).toBe(true);

    const endpoint = await runtime.startHosting({ image: sklearn, modelDir: join(s.jobDir, 'model'), workDir: join(s.jobDir, 'serve'), environment: {}, name: 'py/sk-ep', startupTimeoutMs: 30_000 });
    const res = await endpoint.invoke({ body: Buffer.from('1,1\n'), contentType: 'text/csv', timeoutMs: 10_000 });
    expect((JSON.parse(res.body.toString()) as number[])[0]).toBeCloseTo(2, 2);
    await endpoint.stop();
  });

  it('a failing script: its exit code, and output/failure with the toolkit\'s ExecuteUserScriptError', async () => {
    const s = spec(sklearn, {
      hyperParameters: { sagemaker_program: '"train.py"' },
      files: { 'code/train.py': 'import sys\nprint("starting")\nraise ValueError("the data has no rows")\n' },
    });
    const exit = await run(s);
    expect(exit.code).toBe(1);
    const reason = readFileSync(join(s.jobDir, 'output/failure'), 'utf8');
    expect(reason).toMatch(/^ExecuteUserScriptError:\nExitCode 1\nErrorMessage "Traceback[\s\S]*ValueError: the data has no rows"\nCommand "\/usr\/bin\/python3 train.py"$/);
    expect(exit.tail).toContain('ValueError: the data has no rows');
  });

  it('a Python without the framework gets the packages to install, before anything runs', async () => {
    const fake = join(root, 'python-without-site');
    writeFileSync(fake, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    chmodSync(fake, 0o755);
    const rt = createProcessRuntime({ python: fake });
    const s = spec(sklearn, { hyperParameters: { sagemaker_program: '"train.py"' }, files: { 'code/train.py': 'print("never")\n' } });
    const exit = await (await rt.startJob(s)).exited;
    await rt.close();
    expect(exit.code).toBe(3);
    expect(readFileSync(join(s.jobDir, 'output/failure'), 'utf8')).toMatch(/^the scikit-learn runtime needs Python packages: apt-get install -y python3-sklearn python3-pandas \(or set MLZONE_PYTHON/);
    expect(s.lines).not.toContain('never');
  });
});

describe.skipIf(!hasSklearn)('the toolkit variables, checked by CPython', () => {
  it('SM_HPS, SM_HP_*, SM_USER_ARGS and SM_TRAINING_ENV are what json.dumps and str() make of hyperparameters.json', async () => {
    // What sagemaker-training-toolkit does (environment.read_hyperparameters, mapping.to_env_vars, to_cmd_args),
    // written out in Python: the runtime's values must be byte-for-byte these.
    const check = `
import json, os, sys
raw = json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")))
def loads(v):
    try:
        return json.loads(v)
    except ValueError:
        return v
hps = {k: loads(v) for k, v in raw.items() if not k.startswith("sagemaker_")}
dump = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
fmt = lambda v: "" if v is None else v if isinstance(v, str) else dump(v)
def arg(v):
    if hasattr(v, "items"):
        return ",".join("%s=%s" % (k, x) for k, x in sorted(v.items()))
    return "" if v is None else str(v)
args = []
for k in sorted(hps):
    args += ["--%s" % k if len(k) > 1 else "-%s" % k, arg(hps[k])]
problems = []
def same(name, want):
    if os.environ.get(name) != want:
        problems.append("%s: %r != %r" % (name, os.environ.get(name), want))
same("SM_HPS", dump(hps))
same("SM_USER_ARGS", dump(args))
for k, v in hps.items():
    same("SM_HP_" + k.upper(), fmt(v))
env = json.loads(os.environ["SM_TRAINING_ENV"])
if env["hyperparameters"] != hps: problems.append("SM_TRAINING_ENV hyperparameters")
if os.environ["SM_TRAINING_ENV"] != dump(env): problems.append("SM_TRAINING_ENV is not sorted compact JSON")
print("args=" + json.dumps(args))
print("problems=" + json.dumps(problems))
`;
    const s = spec(
      { kind: 'command', command: PYTHON, args: ['-c', check] },
      {
        hyperParameters: {
          lr: '1e-5',
          'learning-rate': '0.0001',
          big: '1e16',
          whole: '3.0',
          n: '7',
          flag: 'false',
          nothing: 'null',
          text: 'plain words',
          quoted: '"quoted"',
          unicode: '"naïve ☃"',
          layers: '[64, "relu", 0.5]',
          opts: '{"z": 1, "a": [1, 2], "m": "x"}',
          x: '42',
          objective: 'reg:squarederror',
          sagemaker_program: '"train.py"',
        },
      },
    );
    const exit = await run(s);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    const problems = s.lines.find((l) => l.startsWith('problems='));
    expect(problems).toBe('problems=[]');
  });
});

const PREPROCESS_PY = `
import argparse, os
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--train-test-split-ratio", type=float, default=0.3)
args = parser.parse_args()
df = pd.read_csv("/opt/ml/processing/input/data/raw.csv")
split = int(len(df) * (1 - args.train_test_split_ratio))
os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
os.makedirs("/opt/ml/processing/output/test", exist_ok=True)
df.iloc[:split].to_csv("/opt/ml/processing/output/train/train.csv", header=False, index=False)
df.iloc[split:].to_csv("/opt/ml/processing/output/test/test.csv", header=False, index=False)
print("rows", len(df), "split", split)
`;

describe.skipIf(!hasSklearn || !namespaces)('processing with the scikit-learn image', () => {
  it('runs ContainerEntrypoint ["python3", "/opt/ml/processing/input/code/preprocess.py"] against real /opt/ml paths', async () => {
    const rows = ['y,a,b', ...Array.from({ length: 10 }, (_, i) => `${i},${i * 2},${i * 3}`)].join('\n');
    const s = spec(sklearn, {
      kind: 'processing',
      entrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'],
      arguments: ['--train-test-split-ratio', '0.2'],
      files: { 'processing/input/code/preprocess.py': PREPROCESS_PY, 'processing/input/data/raw.csv': rows },
    });
    const exit = await run(s);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    expect(s.lines).toContain('rows 10 split 8');
    expect(readFileSync(join(s.jobDir, 'processing/output/train/train.csv'), 'utf8').trim().split('\n')).toHaveLength(8);
    expect(readFileSync(join(s.jobDir, 'processing/output/test/test.csv'), 'utf8').trim().split('\n')).toEqual(['8,16,24', '9,18,27']);
  });
});

describe.skipIf(!hasSklearn)('python on PATH', () => {
  it('is mlzone\'s Python for framework images (runproc.sh and #!/usr/bin/env python3 scripts call it by name)', async () => {
    const s = spec(sklearn, { kind: 'processing', entrypoint: ['/bin/sh', '-c', 'python3 -c "import sklearn, os, sys; print(os.path.realpath(sys.executable))"; python -c "print(1)"'] });
    const exit = await run(s);
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    expect(s.lines).toContain(spawnSync(PYTHON, ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { encoding: 'utf8' }).stdout.trim());
    expect(s.lines).toContain('1');
  });
});
