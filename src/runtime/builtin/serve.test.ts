// The built-in linear learner as a real child process, started by the process runtime the way an endpoint is.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessRuntime } from '../process-runtime.js';
import { ContainerError } from '../types.js';
import type { HostingContainer, HostingContainerSpec } from '../types.js';
import { LINEAR_LEARNER_MODEL_FILE } from './linear-learner.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-builtin-'));
const runtime = createProcessRuntime({ stopGraceMs: 1000 });

function spec(name: string, model: object | undefined): HostingContainerSpec {
  const modelDir = join(root, name, 'model');
  mkdirSync(modelDir, { recursive: true });
  if (model !== undefined) writeFileSync(join(modelDir, LINEAR_LEARNER_MODEL_FILE), JSON.stringify(model));
  return { image: { kind: 'builtin', algorithm: 'linear-learner' }, modelDir, workDir: join(root, name, 'work'), environment: {}, name, startupTimeoutMs: 20_000 };
}

function invoke(c: HostingContainer, body: string, contentType?: string, accept?: string) {
  return c.invoke({ body: Buffer.from(body), contentType, accept, timeoutMs: 5000 });
}

let binary: HostingContainer;
let regressor: HostingContainer;

beforeAll(async () => {
  [binary, regressor] = await Promise.all([
    runtime.startHosting(spec('binary', { predictor_type: 'binary_classifier', feature_dim: 2, weights: [2, -1], bias: 0 })),
    runtime.startHosting(spec('regressor', { predictor_type: 'regressor', feature_dim: 3, weights: [1, 2, 3], bias: 1 })),
  ]);
});

afterAll(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

describe('built-in linear-learner server', () => {
  it('answers GET /ping with 200', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: binary.port, path: '/ping' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('scores CSV records into AWS JSON (the default Accept)', async () => {
    const res = await invoke(binary, '1,1\n0,1\n', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    const { predictions } = JSON.parse(res.body.toString());
    expect(predictions).toHaveLength(2);
    expect(predictions[0].score).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(predictions[0].predicted_label).toBe(1);
    expect(predictions[1].predicted_label).toBe(0);
  });

  it('reads JSON instances and writes CSV lines', async () => {
    const res = await invoke(regressor, '{"instances":[{"features":[1,1,1]},{"features":[0,0,0]}]}', 'application/json', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/csv');
    expect(res.body.toString()).toBe('7\n1\n');
    const bin = await invoke(binary, '{"features":[0,0]}', 'application/json', 'text/csv');
    expect(bin.body.toString()).toBe('1,0.5\n');
  });

  it('reads and writes JSON Lines', async () => {
    const res = await invoke(regressor, '{"features":[1,0,0]}\n{"features":[0,1,0]}\n', 'application/jsonlines', 'application/jsonlines');
    expect(res.body.toString()).toBe('{"score":2}\n{"score":3}\n');
  });

  it('answers 400 with expected/got for a wrong feature count, and for non-numbers', async () => {
    const wrong = await invoke(regressor, '1,2', 'text/csv');
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body.toString()).message).toBe('line 1 has 2 features; the model expects 3 (feature_dim)');
    const nan = await invoke(regressor, '1,two,3', 'text/csv');
    expect(nan.status).toBe(400);
    expect(nan.body.toString()).toContain('is not a number');
    const json = await invoke(regressor, '{"instances":[', 'application/json');
    expect(json.status).toBe(400);
  });

  it('answers 415 for an unsupported content type and 406 for an unsupported Accept', async () => {
    expect((await invoke(regressor, '1,2,3', 'application/x-recordio-protobuf')).status).toBe(415);
    expect((await invoke(regressor, '1,2,3', 'text/csv', 'application/xml')).status).toBe(406);
  });

  it('fails the start with a message when the model file is missing', async () => {
    const err = await runtime.startHosting(spec('empty', undefined)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerError);
    expect((err as ContainerError).kind).toBe('exited');
    expect((err as ContainerError).reason).toMatch(/^linear-learner cannot load its model: the model data has no mlzone-linear-learner\.json/);
    expect((err as ContainerError).reason).toContain('exit code 2');
  });

  it('fails the start when the model file is invalid', async () => {
    const err = (await runtime.startHosting(spec('bad', { predictor_type: 'regressor', feature_dim: 2, weights: [1], bias: 0 })).catch((e: unknown) => e)) as ContainerError;
    expect(err.kind).toBe('exited');
    expect(err.reason).toContain('weights must be 2 finite numbers');
  });
});
