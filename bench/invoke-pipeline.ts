/**
 * What mlzone's request chain costs per InvokeEndpoint, without its HTTP server and without the load generator:
 * `App.handle` called in process with SigV4-signed InvokeEndpoint requests (signed fresh per call, as
 * bench/invoke-load.ts does), `--concurrency` calls in flight, against a built-in linear-learner endpoint whose
 * container is a real child process (its CPU is reported apart). Prints CPU µs per call of this process
 * (process.cpuUsage: authentication, authorization, the rest-json codec, the call to the container over a kept-alive
 * socket, audit), which stays steady on a shared machine where wall-clock figures do not. Run `--auth strict` and
 * `--auth accounts` (signatures and IAM not checked) alternately to see the enforcement's share; add
 * `node --cpu-prof` for a profile without the server's socket work (bench/profile-summary.ts).
 *
 *   node --import tsx bench/invoke-pipeline.ts [--auth strict] [--concurrency 16] [--seconds 4] [--dist dist]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createModelArtifact } from '../src/runtime/index.js';
import { ACCEPT, CONTENT_TYPE, DATA_SCIENTIST_ROLE, PAYLOAD, restSigner } from './invoke-load.js';
import { DS1_SCIENTIST, REGION } from './load.js';
import { cpuSecondsOf } from './procfs.js';
import { ROOT } from './server.js';

interface Wire {
  method: string;
  rawPath: string;
  rawQuery: string;
  query: [];
  headers: Record<string, string>;
  body: Buffer;
}
type Handle = (req: Wire, meta: { sourceIp: string; secure: boolean }) => Promise<{ status: number; body: unknown }>;
interface InProcessApp {
  readonly url: string;
  readonly handle: Handle;
  readonly endpoints: { running(): ReadonlyArray<{ name: string; variants: ReadonlyArray<{ instances: ReadonlyArray<{ containers: ReadonlyArray<{ pid: number | undefined }> }> }> }> };
  close(): Promise<void>;
}

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    auth: { type: 'string', default: 'strict' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
  },
});
// From the build, so that the container is dist/runtime/builtin-serve.cjs (from sources it would run under tsx).
const from = pathToFileURL(resolve(ROOT, values.dist!, 'app', 'create-app.js')).href;
const { createApp } = (await import(from)) as { createApp: (config: Record<string, unknown>) => Promise<InProcessApp> };
const app = await createApp({ host: '127.0.0.1', port: 0, dataDir: '', ephemeral: true, auth: values.auth });

async function deploy(): Promise<{ sign: () => Record<string, string>; containerPid: number | undefined }> {
  const base = { endpoint: app.url, region: REGION, maxAttempts: 1 };
  const c = (await new STSClient({ ...base, credentials: DS1_SCIENTIST }).send(new AssumeRoleCommand({ RoleArn: DATA_SCIENTIST_ROLE, RoleSessionName: 'bench-pipeline' }))).Credentials!;
  const credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  const sm = new SageMakerClient({ ...base, credentials });
  const bucket = 'sagemaker-us-east-1-444444444444';
  const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 4, weights: [2, -1, 0.5, 3], bias: 3 }) });
  await new S3Client({ ...base, credentials, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: bucket, Key: 'bench/pipeline/model.tar.gz', Body: body }));
  const image = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
  await sm.send(new CreateModelCommand({ ModelName: 'bench-pipeline', ExecutionRoleArn: 'arn:aws:iam::444444444444:role/SageMakerExecution', PrimaryContainer: { Image: image, ModelDataUrl: `s3://${bucket}/bench/pipeline/model.tar.gz` } }));
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'bench-pipeline', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'bench-pipeline', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: 'bench-pipeline', EndpointConfigName: 'bench-pipeline' }));
  const deadline = performance.now() + 60_000;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: 'bench-pipeline' }));
    if (d.EndpointStatus === 'InService') break;
    if (d.EndpointStatus !== 'Creating' || performance.now() > deadline) throw new Error(`endpoint is ${d.EndpointStatus}: ${d.FailureReason ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const sign = restSigner({ host: new URL(app.url).host, path: '/endpoints/bench-pipeline/invocations', region: REGION, service: 'sagemaker', credentials, body: Buffer.from(PAYLOAD), contentType: CONTENT_TYPE, accept: ACCEPT });
  const containerPid = app.endpoints.running().find((e) => e.name === 'bench-pipeline')?.variants[0]?.instances[0]?.containers[0]?.pid;
  return { sign: () => Object.fromEntries(Object.entries(sign()).map(([k, v]) => [k, String(v)])), containerPid };
}

const meta = { sourceIp: '127.0.0.1', secure: false };
const body = Buffer.from(PAYLOAD);

async function run(sign: () => Record<string, string>, seconds: number, containerPid: number | undefined): Promise<{ calls: number; cpuUs: number; wallS: number; containerUs: number }> {
  const until = performance.now() + seconds * 1000;
  let calls = 0;
  const c0 = containerPid === undefined ? undefined : cpuSecondsOf(containerPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < until) {
      const r = await app.handle({ method: 'POST', rawPath: '/endpoints/bench-pipeline/invocations', rawQuery: '', query: [], headers: sign(), body }, meta);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${String(r.body).slice(0, 300)}`);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  const cpu = process.cpuUsage(cpu0);
  const c1 = containerPid === undefined ? undefined : cpuSecondsOf(containerPid);
  return { calls, cpuUs: cpu.user + cpu.system, wallS: (performance.now() - t0) / 1000, containerUs: c0 !== undefined && c1 !== undefined ? (c1 - c0) * 1e6 : NaN };
}

try {
  const { sign, containerPid } = await deploy();
  await run(sign, Math.min(Number(values.warmup), 30), containerPid);
  const r = await run(sign, Math.min(Number(values.seconds), 60), containerPid);
  const round = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({ op: 'InvokeEndpoint', auth: values.auth, c: Number(values.concurrency), calls: r.calls, callsPerS: Math.round(r.calls / r.wallS), cpuUsPerCall: round(r.cpuUs / r.calls), containerCpuUsPerCall: round(r.containerUs / r.calls) }),
  );
} finally {
  await app.close();
}
