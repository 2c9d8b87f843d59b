/**
 * The process behind mlzone's built-in `linear-learner` image: the SageMaker hosting contract (GET /ping, POST
 * /invocations on SAGEMAKER_BIND_TO_PORT) around `linear-learner.ts`. A separate process, like a real container,
 * so a crash or a slow request never touches the server; it imports only node:http and node:fs so an idle
 * instance costs little memory (one runs per endpoint instance). Built to dist/runtime/builtin-serve.cjs by
 * scripts/bundle.mjs; run from sources with `node --import tsx` (see process-runtime.ts).
 *
 * A missing or invalid model makes the process exit with status 2 and one line on stderr, which the runtime
 * turns into the endpoint's FailureReason.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { LINEAR_LEARNER_MODEL_FILE, invokeLinearLearner, parseLinearLearnerModel } from './linear-learner.js';
import type { LinearLearnerModel } from './linear-learner.js';
import type { ServerResponse } from 'node:http';

const port = Number(process.env.SAGEMAKER_BIND_TO_PORT ?? '8080');
const modelDir = process.env.MLZONE_MODEL_DIR ?? process.env.SM_MODEL_DIR ?? '/opt/ml/model';

let model: LinearLearnerModel;
try {
  let text: string;
  try {
    text = readFileSync(join(modelDir, LINEAR_LEARNER_MODEL_FILE), 'utf8');
  } catch {
    throw new Error(`the model data has no ${LINEAR_LEARNER_MODEL_FILE} (looked in ${modelDir}); is this a linear-learner model.tar.gz?`);
  }
  model = parseLinearLearnerModel(text);
} catch (e) {
  process.stderr.write(`mlzone: linear-learner cannot load its model: ${(e as Error).message}\n`);
  process.exit(2);
}

const server = createServer((req, res) => {
  if (req.url === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
    return;
  }
  if (req.url !== '/invocations' || req.method !== 'POST') {
    req.resume();
    reply(res, 404, 'application/json', JSON.stringify({ message: `no route for ${req.method} ${req.url}` }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
    try {
      const out = invokeLinearLearner(model, body, req.headers['content-type'], req.headers.accept);
      reply(res, out.status, out.contentType, out.body);
    } catch (e) {
      reply(res, 500, 'application/json', JSON.stringify({ message: (e as Error).message }));
    }
  });
});

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// Longer than the runtime's idle keep-alive so that the client, not the server, closes idle connections (a
// server-side close racing a new request shows up as ECONNRESET).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.on('error', (e) => {
  process.stderr.write(`mlzone: linear-learner cannot listen on port ${port}: ${e.message}\n`);
  process.exit(2);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`linear-learner (${model.predictorType}, ${model.featureDim} features) listening on 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
