// The Python framework shim (serve.py) through the process runtime, with Debian's Python and its scikit-learn /
// XGBoost packages. Kept in one file so it can be scheduled apart from the fast tests; skipped, saying why, where
// /usr/bin/python3 has no scikit-learn (apt-get install -y python3-sklearn python3-xgboost python3-pandas).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessRuntime } from '../process-runtime.js';
import { ContainerError } from '../types.js';
import type { HostingContainer, HostingContainerSpec } from '../types.js';

const PYTHON = '/usr/bin/python3';
const canImport = (python: string, modules: string) => spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
const hasSklearn = canImport(PYTHON, 'sklearn, joblib, numpy');
const hasXgboost = hasSklearn && canImport(PYTHON, 'xgboost, scipy');
if (!hasSklearn) console.warn(`skipping the Python shim tests: ${PYTHON} cannot import sklearn (apt-get install -y python3-sklearn python3-xgboost python3-pandas)`);
else if (!hasXgboost) console.warn(`skipping the XGBoost shim tests: ${PYTHON} cannot import xgboost (apt-get install -y python3-xgboost)`);

const root = mkdtempSync(join(tmpdir(), 'mlzone-python-'));
const runtime = createProcessRuntime({ python: PYTHON, stopGraceMs: 1000 });
afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function modelDir(files: Record<string, string> = {}): string {
  const dir = join(root, `model-${++counter}`);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function python(script: string, cwd: string): void {
  const r = spawnSync(PYTHON, ['-c', script], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}

function spec(framework: 'sklearn' | 'xgboost', dir: string, environment: Record<string, string> = {}): HostingContainerSpec {
  return { image: { kind: 'framework', framework }, modelDir: dir, workDir: join(dir, '..', `work-${counter}`), environment, name: `py/${counter}`, startupTimeoutMs: 30_000 };
}

async function call(c: HostingContainer, body: string | Buffer, contentType?: string, accept?: string) {
  const res = await c.invoke({ body: typeof body === 'string' ? Buffer.from(body) : body, contentType, accept, timeoutMs: 10_000 });
  return { status: res.status, type: res.contentType, text: res.body.toString() };
}

async function startFailure(s: HostingContainerSpec, rt = runtime): Promise<ContainerError> {
  const e = await rt.startHosting(s).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ContainerError);
  return e as ContainerError;
}

describe.skipIf(!hasSklearn)('scikit-learn', () => {
  it('serves model.joblib with the default handlers', async () => {
    const dir = modelDir();
    python(
      'import joblib, numpy as np\nfrom sklearn.linear_model import LinearRegression\n' +
        'joblib.dump(LinearRegression().fit(np.array([[0, 0], [1, 1], [2, 3]]), np.array([1, 3, 6])), "model.joblib")',
      dir,
    );
    const started = Date.now();
    const c = await runtime.startHosting(spec('sklearn', dir));
    console.info(`scikit-learn container answered /ping after ${Date.now() - started} ms`);
    expect(Date.now() - started).toBeLessThan(5000);

    const csv = await call(c, '1,1\n2,3\n', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('application/json');
    expect((JSON.parse(csv.text) as number[]).map((v) => Math.round(v * 1000) / 1000)).toEqual([3, 6]);

    const asCsv = await call(c, '[[1, 1], [0, 0]]', 'application/json', 'text/csv');
    expect(asCsv.type).toBe('text/csv');
    expect(asCsv.text.trim().split('\n').map(Number).map(Math.round)).toEqual([3, 1]);

    const bad = await call(c, 'a,b', 'text/csv');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).message).toContain('not valid text/csv');
    const wrongWidth = await call(c, '1,2,3', 'text/csv');
    expect(wrongWidth.status).toBe(400);
    expect(JSON.parse(wrongWidth.text).message).toMatch(/X has 3 features, but LinearRegression is expecting 2/);
    expect((await call(c, 'x', 'application/x-foo')).status).toBe(415);
    expect((await call(c, '1,1', 'text/csv', 'application/xml')).status).toBe(415);
    await c.stop();
  });

  it('runs a custom inference.py from <model_dir>/code with input_fn, predict_fn and output_fn', async () => {
    const dir = modelDir({
      'weights.json': '{"factor": 10}',
      'code/helper.py': 'def parse(text):\n    return [float(t) for t in text.split("|")]\n',
      'code/inference.py': [
        'import json, os',
        'from helper import parse',
        'def model_fn(model_dir):',
        '    with open(os.path.join(model_dir, "weights.json")) as f:',
        '        return json.load(f)["factor"]',
        'def input_fn(body, content_type):',
        '    assert content_type == "application/x-pipes", content_type',
        '    return parse(body.decode() if isinstance(body, bytes) else body)',
        'def predict_fn(data, model):',
        '    if data == [13.0]:',
        '        raise ValueError("unlucky number")',
        '    return [x * model for x in data]',
        'def output_fn(prediction, accept):',
        '    return json.dumps({"out": prediction, "accept": accept}), "application/x-answer"',
      ].join('\n'),
    });
    // What the SDK sets after repacking the code into model.tar.gz (the S3 URI form falls back to code/ too).
    const c = await runtime.startHosting(spec('sklearn', dir, { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' }));
    const res = await call(c, '1|2.5', 'application/x-pipes', 'application/json');
    expect(res).toEqual({ status: 200, type: 'application/x-answer', text: '{"out": [10.0, 25.0], "accept": "application/json"}' });
    const defaultAccept = await call(c, '1', 'application/x-pipes');
    expect(JSON.parse(defaultAccept.text).accept).toBe('application/json');
    const failed = await call(c, '13', 'application/x-pipes');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text).message).toBe('ValueError: unlucky number');
    await c.stop();
  });

  it('runs transform_fn from a local SAGEMAKER_SUBMIT_DIRECTORY', async () => {
    const code = join(root, 'submit');
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, 'serve_me.py'), 'def model_fn(model_dir):\n    return "m"\ndef transform_fn(model, body, content_type, accept):\n    return f"{model}:{body}:{content_type}:{accept}", "text/plain"\n');
    const c = await runtime.startHosting(spec('sklearn', modelDir(), { SAGEMAKER_PROGRAM: 'serve_me.py', SAGEMAKER_SUBMIT_DIRECTORY: code }));
    expect(await call(c, '1,2', 'text/csv', 'text/csv')).toEqual({ status: 200, type: 'text/plain', text: 'm:1,2:text/csv:text/csv' });
    await c.stop();
  });

  it('fails the start with what is wrong: no model_fn, a missing program, transform_fn mixed with input_fn', async () => {
    const [noModel, missing, mixed, broken] = await Promise.all([
      startFailure(spec('sklearn', modelDir({ 'notes.txt': 'hi' }))),
      startFailure(spec('sklearn', modelDir(), { SAGEMAKER_PROGRAM: 'train.py', SAGEMAKER_SUBMIT_DIRECTORY: 's3://bucket/code/sourcedir.tar.gz' })),
      startFailure(
        spec('sklearn', modelDir({ 'code/inference.py': 'def model_fn(d):\n    return 1\ndef transform_fn(m, b, c, a):\n    return b\ndef input_fn(b, c):\n    return b\n' })),
      ),
      startFailure(spec('sklearn', modelDir({ 'code/inference.py': 'import not_a_module_anywhere\n' }))),
    ]);
    expect(noModel.kind).toBe('exited');
    expect(noModel.reason).toMatch(/^the scikit-learn container needs a model_fn in inference\.py to load the model: .*it has: notes\.txt/);
    expect(missing.reason).toMatch(/^SAGEMAKER_PROGRAM train\.py was not found in .*code \(SAGEMAKER_SUBMIT_DIRECTORY s3:\/\/bucket\/code\/sourcedir\.tar\.gz is not a local directory/);
    expect(mixed.reason).toMatch(/^inference defines transform_fn and also input_fn/);
    expect(broken.reason).toMatch(/^importing inference\.py failed: ModuleNotFoundError: No module named 'not_a_module_anywhere'/);
  });

  it('without scikit-learn, exits 3 naming the Debian packages', async () => {
    // The python3 first on PATH usually lacks scikit-learn; otherwise hide Debian's packages from it with -S.
    let bare = 'python3';
    if (canImport(bare, 'sklearn') || !canImport(bare, 'os')) {
      bare = join(root, 'bare-python3');
      writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
      chmodSync(bare, 0o755);
    }
    const rt = createProcessRuntime({ python: bare });
    const e = await startFailure(spec('sklearn', modelDir()), rt);
    await rt.close();
    expect(e.kind).toBe('exited');
    expect(e.reason).toMatch(
      /^the scikit-learn runtime needs Python packages: apt-get install -y python3-sklearn python3-pandas \(or set MLZONE_PYTHON to a Python that has scikit-learn\)\. The container exited \(exit code 3\)/,
    );
  });
});

describe.skipIf(!hasXgboost)('XGBoost', () => {
  it('serves xgboost-model with the algorithm-mode defaults: CSV, libsvm, JSON', async () => {
    const dir = modelDir();
    python(
      'import numpy as np, os, xgboost as xgb\n' +
        'X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]] * 8, dtype=float); y = X[:, 0] * 2 + X[:, 1]\n' +
        'b = xgb.train({"objective": "reg:squarederror", "eta": 1, "max_depth": 2}, xgb.DMatrix(X, label=y), num_boost_round=5)\n' +
        'b.save_model("m.json"); os.rename("m.json", "xgboost-model")',
      dir,
    );
    const c = await runtime.startHosting(spec('xgboost', dir));
    const csv = await call(c, '1,1\n0,1\n', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv');
    expect(csv.text.trim().split('\n').map((v) => Math.round(Number(v)))).toEqual([3, 1]);

    const libsvm = await call(c, '0 0:1 1:1\n0 1:1\n', 'text/libsvm');
    expect(libsvm.text.trim().split('\n').map((v) => Math.round(Number(v)))).toEqual([3, 1]);

    const json = await call(c, '[[1, 0]]', 'application/json', 'application/json');
    const { predictions } = JSON.parse(json.text) as { predictions: { score: number }[] };
    expect(Math.round(predictions[0].score)).toBe(2);

    const bad = await call(c, '1 0:x', 'text/libsvm');
    expect(bad.status).toBe(400);
    await c.stop();
  });
});
