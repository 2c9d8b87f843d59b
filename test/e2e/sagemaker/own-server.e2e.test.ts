/**
 * A team's own model server: an image in shared-services' registry mapped to a local command by the blueprint's
 * `containerImages`. It serves like any SageMaker container when it honours the contract, and each way a container
 * can fail — crashing at start, never answering /ping, answering 5xx, taking longer than the invocation timeout —
 * ends in AWS's outcome with a reason, never a hang.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateProcessingJobCommand, DescribeEndpointCommand, DescribeProcessingJobCommand, SageMakerClient, type DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBlueprintPath } from '../../../src/org/blueprint.js';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const REPO = `${accounts.sharedServices}.dkr.ecr.us-east-1.amazonaws.com/mlzone/inference`;
const dir = mkdtempSync(join(tmpdir(), 'mlzone-own-server-'));

const SERVER = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const greeting = readFileSync(join(process.env.MLZONE_MODEL_DIR, 'greeting.txt'), 'utf8').trim();
createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/ping') return res.end();
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (body === 'fail') { res.statusCode = 500; return res.end('the model could not score that'); }
    if (body === 'slow') return setTimeout(() => res.end('late'), 5000);
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-amzn-sagemaker-custom-attributes', 'served-by=own');
    res.end(JSON.stringify({ greeting, echo: body, team: process.env.TEAM, attributes: req.headers['x-amzn-sagemaker-custom-attributes'] ?? null }));
  });
}).listen(Number(process.env.SAGEMAKER_BIND_TO_PORT), '127.0.0.1');
`;

let server: TestServer;
let ds1: Creds;
let sm: SageMakerClient;

async function pushImage(tag: string): Promise<string> {
  const deploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/DeploymentRole`);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: `sha256:${'1'.repeat(64)}` }, layers: [], annotations: { 'mlzone.example/tag': tag } });
  await new ECRClient(clientConfig(server.url, deploy)).send(new PutImageCommand({ repositoryName: 'mlzone/inference', imageTag: tag, imageManifest: manifest }));
  return `${REPO}:${tag}`;
}

async function deploy(image: string): Promise<string> {
  const name = unique('own');
  const data = await createModelArtifact({ 'greeting.txt': 'hello from the model\n' });
  await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `own/${name}/model.tar.gz`, Body: data }));
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`,
      PrimaryContainer: { Image: image, ModelDataUrl: `s3://${BUCKET}/own/${name}/model.tar.gz`, Environment: { TEAM: 'retention' } },
    }),
  );
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  return name;
}

async function settled(name: string): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== 'Creating') return d;
    if (Date.now() > deadline) throw new Error(`still Creating: ${name}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  writeFileSync(join(dir, 'server.mjs'), SERVER);
  // Code inside a job that calls AWS with the JS SDK: it finds the role's credentials and mlzone's URL in its
  // environment. It resolves the SDK from this checkout's node_modules.
  writeFileSync(
    join(dir, 'whoami.mjs'),
    `import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
const require = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))});
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
let raw;
try { await new S3Client({ forcePathStyle: true }).send(new GetObjectCommand({ Bucket: 'mlzone-raw-${accounts.dataLake}', Key: 'x' })); raw = 'read'; } catch (e) { raw = e.name; }
mkdirSync('/opt/ml/processing/output/who', { recursive: true });
writeFileSync('/opt/ml/processing/output/who/who.json', JSON.stringify({ arn: me.Arn, raw, endpoint: process.env.AWS_ENDPOINT_URL }));
console.log('I am', me.Arn);
`,
  );
  writeFileSync(join(dir, 'silent.mjs'), `import { createServer } from 'node:http'; createServer((q, s) => { s.statusCode = 503; s.end('warming up'); }).listen(Number(process.env.SAGEMAKER_BIND_TO_PORT), '127.0.0.1'); console.log('loading a very large model');`);
  const mapped = `
containerImages:
  - image: ${REPO}:team-ok
    command: ${process.execPath}
    args: [server.mjs]
    cwd: .
    environment: { NODE_NO_WARNINGS: "1" }
  - image: ${REPO}:team-silent
    command: ${process.execPath}
    args: [silent.mjs]
    cwd: .
  - image: ${REPO}:team-whoami
    command: ${process.execPath}
    args: [${join(dir, 'whoami.mjs')}]
  - image: ${REPO}:team-crash
    command: /bin/sh
    args: ["-c", "echo 'cannot open weights.bin: no such file' >&2; exit 2"]
`;
  const blueprintPath = join(dir, 'org.yaml');
  writeFileSync(blueprintPath, readFileSync(defaultBlueprintPath(), 'utf8') + mapped);
  server = await startTestServer({ blueprintPath, containerStartupTimeoutMs: 1500, invocationTimeoutMs: 1000 });
  ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  sm = new SageMakerClient(clientConfig(server.url, ds1));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a team’s own server mapped by the blueprint', () => {
  let name: string;
  const runtime = () => new SageMakerRuntimeClient(clientConfig(server.url, ds1));

  it('serves with the model directory, its environment and custom attributes both ways', async () => {
    name = await deploy(await pushImage('team-ok'));
    const d = await settled(name);
    expect(d.FailureReason).toBeUndefined();
    expect(d.EndpointStatus).toBe('InService');
    const out = await runtime().send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/plain', Body: Buffer.from('hi'), CustomAttributes: 'trace=1' }));
    expect(JSON.parse(Buffer.from(out.Body!).toString())).toEqual({ greeting: 'hello from the model', echo: 'hi', team: 'retention', attributes: 'trace=1' });
    expect(out.CustomAttributes).toBe('served-by=own');
  });

  it('a 5xx answer is a ModelError with the container’s message; a slow one times out as AWS says', async () => {
    const failed = (await runtime().send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/plain', Body: Buffer.from('fail') })).catch((e: unknown) => e)) as Error & { OriginalStatusCode?: number };
    expect(failed.name).toBe('ModelError');
    expect(failed.OriginalStatusCode).toBe(500);
    expect(failed.message).toMatch(/^Received server error \(500\) from primary with message "the model could not score that"/);
    const started = Date.now();
    const slow = (await runtime().send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/plain', Body: Buffer.from('slow') })).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(slow.name).toBe('ModelError');
    expect(slow.message).toMatch(/Your invocation timed out while waiting for a response from container primary/);
    // The instance still serves afterwards.
    const again = await runtime().send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/plain', Body: Buffer.from('again') }));
    expect(JSON.parse(Buffer.from(again.Body!).toString()).echo).toBe('again');
  });

  it('a container that never answers /ping fails the endpoint with its output, and nothing is left running', async () => {
    const n = await deploy(await pushImage('team-silent'));
    const d = await settled(n);
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/\/ping/);
    expect(d.FailureReason).toMatch(/loading a very large model/);
    expect(server.app.endpoints.running().find((e) => e.name === n)).toBeUndefined();
  });

  it('a container that crashes at start fails the endpoint with its stderr', async () => {
    const n = await deploy(await pushImage('team-crash'));
    const d = await settled(n);
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/cannot open weights\.bin: no such file/);
    expect(d.FailureReason).toMatch(/exit code 2/);
  });

  it('code inside a job calls AWS as the job’s role, through mlzone', async () => {
    const image = await pushImage('team-whoami');
    const name = unique('whoami');
    await sm.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: name,
        RoleArn: `arn:aws:iam::${DS1}:role/SageMakerExecution`,
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 } },
        AppSpecification: { ImageUri: image },
        ProcessingOutputConfig: { Outputs: [{ OutputName: 'who', S3Output: { S3Uri: `s3://${BUCKET}/${name}/who`, LocalPath: '/opt/ml/processing/output/who', S3UploadMode: 'EndOfJob' } }] },
      }),
    );
    const deadline = Date.now() + 30_000;
    let d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    while (d.ProcessingJobStatus === 'InProgress') {
      if (Date.now() > deadline) throw new Error('still InProgress');
      await new Promise((r) => setTimeout(r, 100));
      d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    }
    expect(d.FailureReason).toBeUndefined();
    expect(d.ProcessingJobStatus).toBe('Completed');
    const who = JSON.parse(await (await new S3Client({ ...clientConfig(server.url, ds1), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: BUCKET, Key: `${name}/who/who.json` }))).Body!.transformToString()) as { arn: string; raw: string; endpoint: string };
    expect(who.arn).toMatch(new RegExp(`^arn:aws:sts::${DS1}:assumed-role/SageMakerExecution/`));
    expect(who.raw).toBe('AccessDenied');
    expect(who.endpoint).toBe(server.url);
  });

  it('an image of the repository the blueprint does not map fails with what to do', async () => {
    const n = await deploy(await pushImage('unmapped'));
    const d = await settled(n);
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/org\.opencontainers\.image\.base\.name/);
  });
});
