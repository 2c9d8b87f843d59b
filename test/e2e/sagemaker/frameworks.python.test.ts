/**
 * SageMaker framework images served by mlzone's Python shim, end to end with the JS SDK: a scikit-learn model with
 * its inference.py inside model.tar.gz (code/, as the SageMaker Python SDK repacks it), the same model with its code
 * in a separate sourcedir.tar.gz on S3 (SAGEMAKER_SUBMIT_DIRECTORY), XGBoost with its default handlers, and a
 * Python without scikit-learn failing the endpoint with what to install. Predictions are compared with what the
 * trained model computes in Python.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateTrainingJobCommand, DescribeEndpointCommand, DescribeTrainingJobCommand, SageMakerClient, type DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifactFromDir } from '../../../src/runtime/index.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const PYTHON = '/usr/bin/python3';
const hasFrameworks = spawnSync(PYTHON, ['-c', 'import sklearn, xgboost, joblib, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasFrameworks) console.warn(`skipping framework endpoints: ${PYTHON} lacks scikit-learn/xgboost (apt-get install -y python3-sklearn python3-xgboost python3-pandas)`);

const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const XGBOOST = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const ROWS = [
  [1, 2],
  [3.5, -1],
];

const INFERENCE_PY = `
import os, joblib
def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
`;

let server: TestServer;
let ds1: Creds;
let work: string;

async function put(key: string, body: Buffer): Promise<string> {
  await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return `s3://${BUCKET}/${key}`;
}

async function deploy(at: TestServer, as: Creds, image: string, dataUrl: string, environment: Record<string, string>): Promise<DescribeEndpointCommandOutput & { name: string }> {
  const sm = new SageMakerClient(clientConfig(at.url, as));
  const name = unique('fw');
  await sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`, PrimaryContainer: { Image: image, ModelDataUrl: dataUrl, Environment: environment } }));
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== 'Creating') return { ...d, name };
    if (Date.now() > deadline) throw new Error(`${name} still Creating`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function invoke(name: string, body: string, contentType: string, accept?: string): Promise<string> {
  const out = await new SageMakerRuntimeClient(clientConfig(server.url, ds1)).send(new InvokeEndpointCommand({ EndpointName: name, ContentType: contentType, ...(accept ? { Accept: accept } : {}), Body: Buffer.from(body) }));
  return Buffer.from(out.Body!).toString();
}

/** Runs Python in `dir` and returns what it printed as JSON. */
function python(dir: string, script: string): unknown {
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8' }));
}

describe.skipIf(!hasFrameworks)('framework endpoints (Python)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mlzone-frameworks-'));
    server = await startTestServer({ containerStartupTimeoutMs: 20_000 });
    ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  });
  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('scikit-learn with code/inference.py in model.tar.gz answers what the model predicts, in JSON and CSV', async () => {
    const dir = join(work, 'sklearn');
    mkdirSync(join(dir, 'code'), { recursive: true });
    writeFileSync(join(dir, 'code', 'inference.py'), INFERENCE_PY);
    const expected = python(
      dir,
      `import json, joblib, numpy as np
from sklearn.linear_model import LinearRegression
m = LinearRegression().fit(np.array([[0,0],[1,0],[0,1],[1,1],[2,3]]), np.array([1.0, 3.0, 0.5, 2.5, 3.5]))
joblib.dump(m, "model.joblib")
print(json.dumps(m.predict(np.array(${JSON.stringify(ROWS)}, dtype=float)).tolist()))`,
    ) as number[];
    const url = await put(`fw/${unique('sk')}/model.tar.gz`, await createModelArtifactFromDir(dir));
    const d = await deploy(server, ds1, SKLEARN, url, { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' });
    expect(d.FailureReason).toBeUndefined();
    expect(d.EndpointStatus).toBe('InService');
    const json = JSON.parse(await invoke(d.name, JSON.stringify(ROWS), 'application/json', 'application/json')) as number[];
    json.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const csv = (await invoke(d.name, ROWS.map((r) => r.join(',')).join('\n'), 'text/csv', 'text/csv')).trim().split('\n').map(Number);
    csv.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('scikit-learn with its code in a sourcedir.tar.gz on S3 (SAGEMAKER_SUBMIT_DIRECTORY)', async () => {
    const modelDir = join(work, 'sk-model');
    const codeDir = join(work, 'sk-code');
    mkdirSync(modelDir, { recursive: true });
    mkdirSync(codeDir, { recursive: true });
    writeFileSync(join(codeDir, 'serve_me.py'), `${INFERENCE_PY}\ndef output_fn(prediction, accept):\n    import json\n    return json.dumps({"doubled": [2 * float(p) for p in prediction]}), "application/json"\n`);
    const expected = python(
      modelDir,
      `import json, joblib, numpy as np
from sklearn.linear_model import LinearRegression
m = LinearRegression().fit(np.array([[0.0],[1.0],[2.0]]), np.array([1.0, 3.0, 5.0]))
joblib.dump(m, "model.joblib")
print(json.dumps(m.predict(np.array([[4.0]])).tolist()))`,
    ) as number[];
    const prefix = `fw/${unique('src')}`;
    const url = await put(`${prefix}/model.tar.gz`, await createModelArtifactFromDir(modelDir));
    const code = await put(`${prefix}/sourcedir.tar.gz`, await createModelArtifactFromDir(codeDir));
    const d = await deploy(server, ds1, SKLEARN, url, { SAGEMAKER_PROGRAM: 'serve_me.py', SAGEMAKER_SUBMIT_DIRECTORY: code });
    expect(d.FailureReason).toBeUndefined();
    expect(JSON.parse(await invoke(d.name, '[[4.0]]', 'application/json'))).toEqual({ doubled: [expect.closeTo(2 * expected[0]!, 6)] });
  });

  it('XGBoost with its default handlers scores CSV like the trained booster', async () => {
    const dir = join(work, 'xgb');
    mkdirSync(dir, { recursive: true });
    const expected = python(
      dir,
      `import json, numpy as np, xgboost as xgb
X = np.array([[0,0],[1,0],[0,1],[1,1],[2,3],[3,1]], dtype=float); y = np.array([0,1,0,1,1,1], dtype=float)
b = xgb.train({"objective": "binary:logistic", "max_depth": 2, "eta": 0.5}, xgb.DMatrix(X, label=y), num_boost_round=5)
b.save_model("xgboost-model")
print(json.dumps(b.predict(xgb.DMatrix(np.array(${JSON.stringify(ROWS)}, dtype=float))).tolist()))`,
    ) as number[];
    const url = await put(`fw/${unique('xgb')}/model.tar.gz`, await createModelArtifactFromDir(dir));
    const d = await deploy(server, ds1, XGBOOST, url, {});
    expect(d.FailureReason).toBeUndefined();
    const text = await invoke(d.name, ROWS.map((r) => r.join(',')).join('\n'), 'text/csv');
    const scores = text.trim().split(/[\n,]/).map(Number);
    expect(scores).toHaveLength(ROWS.length);
    scores.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('XGBoost in algorithm mode trains from CSV channels, reports validation-rmse, and its model serves', async () => {
    const id = unique('xgb-train');
    const line = (x1: number, x2: number) => [3 * x1 - 2 * x2 + 1, x1, x2].join(',');
    const make = (n: number, k: number) => Array.from({ length: n }, (_, i) => line(((i * 7 + k) % 11) / 3, ((i * 5 + k) % 13) / 4)).join('\n') + '\n';
    await put(`${id}/train/train.csv`, Buffer.from(make(200, 1)));
    await put(`${id}/validation/validation.csv`, Buffer.from(make(50, 2)));
    const sm = new SageMakerClient(clientConfig(server.url, ds1));
    const name = unique('xgb');
    await sm.send(
      new CreateTrainingJobCommand({
        TrainingJobName: name,
        RoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`,
        AlgorithmSpecification: { TrainingImage: XGBOOST, TrainingInputMode: 'File' },
        HyperParameters: { num_round: '30', max_depth: '4', eta: '0.3', objective: 'reg:squarederror' },
        InputDataConfig: ['train', 'validation'].map((c) => ({ ChannelName: c, ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: `s3://${BUCKET}/${id}/${c}/` } } })),
        OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/${id}/models` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 300 },
      }),
    );
    const deadline = Date.now() + 60_000;
    let d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    while (d.TrainingJobStatus === 'InProgress') {
      if (Date.now() > deadline) throw new Error(`still ${d.SecondaryStatus}`);
      await new Promise((r) => setTimeout(r, 200));
      d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    }
    expect(d.FailureReason).toBeUndefined();
    expect(d.TrainingJobStatus).toBe('Completed');
    const rmse = d.FinalMetricDataList?.find((m) => m.MetricName === 'validation:rmse')?.Value;
    expect(rmse).toBeDefined();
    expect(rmse!).toBeLessThan(1.5);
    const e = await deploy(server, ds1, XGBOOST, d.ModelArtifacts!.S3ModelArtifacts!, {});
    expect(e.FailureReason).toBeUndefined();
    const scores = (await invoke(e.name, '1,1\n2,0.5', 'text/csv')).trim().split(/[\n,]/).map(Number);
    expect(scores[0]).toBeCloseTo(2, 0);
    expect(scores[1]).toBeCloseTo(6, 0);
  });

  it('without scikit-learn the endpoint fails saying what to install', async () => {
    const bare = execFileSync('/bin/sh', ['-c', 'command -v python3'], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim();
    const lacks = spawnSync(bare, ['-c', 'import sklearn'], { stdio: 'ignore' }).status !== 0;
    if (!lacks) return; // every Python here has scikit-learn: nothing to show
    const other = await startTestServer({ python: bare, containerStartupTimeoutMs: 20_000 });
    try {
      const as = await assumeRole(other.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
      const dir = join(work, 'bare');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.joblib'), 'not used');
      const key = `fw/${unique('bare')}/model.tar.gz`;
      await new S3Client({ ...clientConfig(other.url, as), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await createModelArtifactFromDir(dir) }));
      const d = await deploy(other, as, SKLEARN, `s3://${BUCKET}/${key}`, {});
      expect(d.EndpointStatus).toBe('Failed');
      expect(d.FailureReason).toMatch(/apt-get install -y python3-sklearn/);
      expect(d.FailureReason).toMatch(/MLZONE_PYTHON/);
    } finally {
      await other.close();
    }
  });
});
