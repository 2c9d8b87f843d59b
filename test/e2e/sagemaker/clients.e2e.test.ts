/**
 * SageMaker hosting through the clients people use besides the JS SDK: boto3 (`clients_boto3.py`: the calls the
 * SageMaker Python SDK and notebooks make, botocore's waiters, the runtime's event stream and modeled errors) and
 * the AWS CLI v1 (on PATH, profiles with `endpoint_url` and `role_arn`) and v2 (`/usr/bin/aws`, `--endpoint-url`
 * and session keys: Debian's 2.9 predates `endpoint_url` in profiles). One server; the endpoint the CLIs use is
 * deployed with the JS SDK while boto3 runs its own. Each client is skipped where it is missing.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelArtifact } from '../../../src/runtime/index.js';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, credentialsEnv, unique, type Creds } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const ACCOUNT = accounts.dataScience1;
const PROD = accounts.production;
const BUCKET = `sagemaker-us-east-1-${ACCOUNT}`;
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
const endpointArn = (account: string, name: string) => `arn:aws:sagemaker:us-east-1:${account}:endpoint/${name.toLowerCase()}`;

/** The CLIs' endpoint: a regressor, so `1,2` scores 2·1 − 1·2 + 0.5 = 0.5 and `3,4` scores 2.5. */
const CLI_ENDPOINT = unique('cli');

let server: TestServer;
let scientist: Creds;
let prodApp: Creds;
/** Settles when the CLIs' endpoint is InService (deployed in the background while boto3 runs). */
let cliEndpointReady: Promise<void>;
const homes: Array<() => void> = [];

async function deployCliEndpoint(): Promise<void> {
  const config = clientConfig(server.url, scientist);
  const key = `models/${CLI_ENDPOINT}/model.tar.gz`;
  const body = await createModelArtifact({ 'mlzone-linear-learner.json': JSON.stringify({ predictor_type: 'regressor', feature_dim: 2, weights: [2, -1], bias: 0.5 }) });
  await new S3Client({ ...config, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const sm = new SageMakerClient(config);
  await sm.send(new CreateModelCommand({ ModelName: CLI_ENDPOINT, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: LINEAR_LEARNER, ModelDataUrl: `s3://${BUCKET}/${key}` } }));
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: CLI_ENDPOINT,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: CLI_ENDPOINT, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: CLI_ENDPOINT, EndpointConfigName: CLI_ENDPOINT }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: CLI_ENDPOINT }));
    if (d.EndpointStatus === 'InService') return;
    if (d.EndpointStatus !== 'Creating' || Date.now() > deadline) throw new Error(`CLI endpoint is ${d.EndpointStatus}: ${d.FailureReason ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startTestServer({ containerStartupTimeoutMs: 15_000, invocationTimeoutMs: 5_000 });
  scientist = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${ACCOUNT}:role/DataScientist`, { RoleSessionName: 'clients' });
  prodApp = await assumeRole(server.url, users.prodApp, `arn:aws:iam::${PROD}:role/ProdApp`, { RoleSessionName: 'prod-app' });
  cliEndpointReady = deployCliEndpoint();
  cliEndpointReady.catch(() => undefined); // awaited (and reported) by the CLI tests
});
afterAll(async () => {
  await server?.close();
  for (const remove of homes) remove();
});

const sessionEnv = (c: Creds): NodeJS.ProcessEnv => ({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken });

describe.skipIf(!hasBoto3)('boto3 against mlzone hosting', () => {
  it('deploys, waits, invokes, streams, re-weighs, tags, lists and deletes an endpoint as AWS answers', async () => {
    const name = unique('boto');
    const r = await run(python, [join(here, 'clients_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_NAME: name,
      ...credentialsEnv(scientist),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const arn = endpointArn(ACCOUNT, name);

    expect(out.model_arn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${name.toLowerCase()}`);
    expect(out.config_arn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/${name.toLowerCase()}`);
    expect(out.endpoint_arn).toBe(arn);
    expect(out.create_request_id).toMatch(/^[0-9a-f-]{36}$/);
    // The waiter polls DescribeEndpoint until InService; with Delay 1 it is done within a few polls.
    expect(out.in_service_waiter.polled.at(-1)).toBe('InService');
    expect(out.in_service_waiter.polled.slice(0, -1).every((s: string) => s === 'Creating')).toBe(true);
    expect(out.described).toEqual({
      name,
      arn,
      config: name,
      status: 'InService',
      created: 'datetime',
      modified: 'datetime',
      variants: [
        {
          name: 'AllTraffic',
          current_weight: 1,
          desired_weight: 1,
          current_count: 1,
          desired_count: 1,
          // AWS answers the digest form (`…/linear-learner@sha256:…`), for its own images too.
          images: [{ specified: LINEAR_LEARNER, resolved: expect.stringMatching(/^382416733822\.dkr\.ecr\.us-east-1\.amazonaws\.com\/linear-learner@sha256:[0-9a-f]{64}$/), resolved_at: 'datetime' }],
        },
      ],
    });

    // score = sigmoid(w·x + b) and predicted_label = score ≥ 0.5, as computed in Python from the weights.
    const expected = out.expected as Array<{ score: number; predicted_label: number }>;
    expect(expected.map((p) => p.predicted_label)).toEqual([0, 1, 1]);
    const same = (got: Array<{ score: number; predicted_label: number }>) => {
      expect(got.map((p) => p.predicted_label)).toEqual(expected.map((p) => p.predicted_label));
      got.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 9));
    };
    for (const [how, inv] of Object.entries(out.invocations as Record<string, { content_type: string; variant: string; predictions: Array<{ score: number; predicted_label: number }> }>)) {
      expect(inv.variant, how).toBe('AllTraffic');
      expect(inv.content_type, how).toMatch(how.endsWith('json') ? /^application\/json/ : /^text\/csv/);
      same(inv.predictions);
    }
    expect(out.stream).toMatchObject({ content_type: expect.stringMatching(/^text\/csv/), variant: 'AllTraffic' });
    expect(out.stream.events.length).toBeGreaterThan(0);
    expect(out.stream.events.every((k: string[]) => k.join() === 'PayloadPart')).toBe(true);
    same(out.stream.predictions);

    expect(out.model_error).toEqual({
      caught_as: 'ModelError',
      code: 'ModelError',
      status: 424,
      original_status: 400,
      original_message: expect.stringContaining('the model expects 2 (feature_dim)'),
      log_stream_arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${name}`,
      message: expect.stringMatching(/^Received client error \(400\) from primary with message ".*"\. See https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\//),
    });
    expect(out.stream_model_error).toMatchObject({ class: 'ModelError', code: 'ModelError', status: 424, modeled: { OriginalStatusCode: 400 } });
    const absent = `Endpoint ${name}-absent of account ${ACCOUNT} not found.`;
    expect(out.unknown_endpoint).toEqual({ class: 'ValidationError', code: 'ValidationError', status: 400, message: absent, modeled: { Message: absent } });
    expect(out.unknown_endpoint_is_validation_error).toBe(true);

    expect(out.lists).toEqual({
      endpoints: [[name, 'InService']],
      endpoints_upper: [name],
      models: [[name, out.model_arn]],
      configs: [[name, out.config_arn]],
      none: [],
    });
    expect(out.tags).toEqual({
      added: [{ Key: 'team', Value: 'ds1' }, { Key: 'stage', Value: 'dev' }],
      listed: [{ Key: 'team', Value: 'ds1' }, { Key: 'stage', Value: 'dev' }],
      after_delete: [{ Key: 'team', Value: 'ds1' }],
    });

    expect(out.status_after_reweigh_call).toBe('Updating');
    expect(out.reweigh_waiter.polled.at(-1)).toBe('InService');
    expect(out.reweighed).toEqual({ current_weight: 2, current_count: 2, desired_count: 2 });
    same(out.after_reweigh.predictions);

    // endpoint_in_service stops at once on Failed and on ValidationException (both failure acceptors).
    expect(out.failed_waiter).toEqual({
      reason: 'Waiter encountered a terminal failure state: For expression "EndpointStatus" we matched expected path: "Failed"',
      status: 'Failed',
      failure_reason: `Could not find model data at s3://${BUCKET}/models/${name}-broken/model.tar.gz.`,
      error: null,
    });
    expect(out.absent_waiter).toEqual({ reason: 'Waiter encountered a terminal failure state: Matched expected service error code: ValidationException', status: null, failure_reason: null, error: 'ValidationException' });

    // endpoint_deleted succeeds on DescribeEndpoint's ValidationException.
    expect(out.deleted_waiter.polled.at(-1)).toBe('ValidationException');
    expect(out.deleted_waiter.polled.slice(0, -1).every((s: string) => s === 'Deleting')).toBe(true);
    expect(out.describe_deleted).toEqual({ class: 'ClientError', code: 'ValidationException', status: 400, message: `Could not find endpoint "${arn}".`, modeled: {} });
    expect(out.invoke_deleted).toMatchObject({ code: 'ValidationError', status: 400, message: `Endpoint ${name} of account ${ACCOUNT} not found.` });
    expect(out.listed_after_delete).toEqual([]);
    expect(out.model_after_delete).toMatchObject({ code: 'ValidationException', message: `Could not find model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${name.toLowerCase()}".` });
  }, 60_000);
});

interface Cli {
  readonly version: 1 | 2;
  readonly present: boolean;
  /** Runs the CLI as data-science-1's DataScientist session or as production's ProdApp session. */
  readonly run: (as: 'scientist' | 'prodApp', args: readonly string[]) => ReturnType<typeof run>;
  /** A directory of this CLI's own (its HOME), for request and response files. */
  readonly dir: () => string;
}

/**
 * A HOME of the CLI's own with `mlzone profiles` for the test server, made on first use (the server starts in
 * beforeAll). Each CLI gets its own: both cache role sessions there, keyed without the endpoint.
 */
function privateHome(): () => ReturnType<typeof cliProfiles> {
  let home: ReturnType<typeof cliProfiles> | undefined;
  return () => {
    if (!home) homes.push((home = cliProfiles(server)).remove);
    return home;
  };
}

/** v1 reads `endpoint_url` from the profiles and assumes the roles itself (`role_arn` + `source_profile`). */
function cliV1(): Cli {
  const home = privateHome();
  const profile = { scientist: 'ds1-scientist', prodApp: 'prod-app' } as const;
  return {
    version: 1,
    present: hasCommand('aws'),
    run: (as, args) => run('aws', ['--profile', profile[as], '--output', 'json', ...args], home().env),
    dir: () => home().dir,
  };
}

/** v2 (Debian's 2.9) gets `--endpoint-url` and the sessions' keys in the environment. */
function cliV2(): Cli {
  const bin = '/usr/bin/aws';
  const home = privateHome();
  return {
    version: 2,
    present: existsSync(bin),
    run: (as, args) => run(bin, ['--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json', ...args], { ...home().env, ...sessionEnv(as === 'scientist' ? scientist : prodApp) }),
    dir: () => home().dir,
  };
}

for (const cli of [cliV1(), cliV2()]) {
  describe.skipIf(!cli.present)(`AWS CLI v${cli.version} against mlzone hosting`, () => {
    it('describes and lists the endpoint, and its waiter sees it InService', async () => {
      await cliEndpointReady;
      const d = await cli.run('scientist', ['sagemaker', 'describe-endpoint', '--endpoint-name', CLI_ENDPOINT]);
      expect(d.stderr).toBe('');
      expect(d.code).toBe(0);
      const described = JSON.parse(d.stdout);
      expect(described).toMatchObject({ EndpointName: CLI_ENDPOINT, EndpointArn: endpointArn(ACCOUNT, CLI_ENDPOINT), EndpointConfigName: CLI_ENDPOINT, EndpointStatus: 'InService' });
      expect(described.ProductionVariants).toEqual([
        expect.objectContaining({ VariantName: 'AllTraffic', CurrentWeight: 1, CurrentInstanceCount: 1, DeployedImages: [expect.objectContaining({ SpecifiedImage: LINEAR_LEARNER })] }),
      ]);
      // The wire carries epoch seconds: v1 prints them as they came, v2 as ISO 8601 (its cli_timestamp_format default).
      if (cli.version === 1) expect(described.CreationTime).toBeCloseTo(Date.now() / 1000, -3);
      else expect(described.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);

      const l = await cli.run('scientist', ['sagemaker', 'list-endpoints', '--name-contains', CLI_ENDPOINT]);
      expect(l.stderr).toBe('');
      expect(JSON.parse(l.stdout).Endpoints).toEqual([expect.objectContaining({ EndpointName: CLI_ENDPOINT, EndpointArn: endpointArn(ACCOUNT, CLI_ENDPOINT), EndpointStatus: 'InService' })]);

      // Already InService, so the waiter's first poll succeeds (its model's 30 s delay never applies).
      const w = await cli.run('scientist', ['sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', CLI_ENDPOINT]);
      expect(w).toEqual({ code: 0, stdout: '', stderr: '' });
    });

    it('invokes the endpoint with a file body and writes the answer to the outfile', async () => {
      await cliEndpointReady;
      const request = join(cli.dir(), 'request.csv');
      const answer = join(cli.dir(), 'out.json');
      writeFileSync(request, '1,2\n3,4\n');
      const r = await cli.run('scientist', [
        'sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', CLI_ENDPOINT, '--content-type', 'text/csv', '--accept', 'application/json', '--body', `fileb://${request}`, answer,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic' });
      expect(JSON.parse(readFileSync(answer, 'utf8'))).toEqual({ predictions: [{ score: 0.5 }, { score: 2.5 }] });

      // A text body on the command line: v1 sends it as is; v2 needs raw-in-base64-out (its default is base64).
      const inline = join(cli.dir(), 'inline.csv');
      const raw = cli.version === 2 ? ['--cli-binary-format', 'raw-in-base64-out'] : [];
      const t = await cli.run('scientist', ['sagemaker-runtime', 'invoke-endpoint', ...raw, '--endpoint-name', CLI_ENDPOINT, '--content-type', 'text/csv', '--accept', 'text/csv', '--body', '3,4', inline]);
      expect(t.stderr).toBe('');
      expect(JSON.parse(t.stdout)).toEqual({ ContentType: 'text/csv', InvokedProductionVariant: 'AllTraffic' });
      expect(readFileSync(inline, 'utf8').trim()).toBe('2.5');
    });

    it('reports the runtime’s ModelError and ValidationError, and IAM’s AccessDeniedException, in AWS’s words', async () => {
      await cliEndpointReady;
      const answer = join(cli.dir(), 'error.json');
      const request = join(cli.dir(), 'bad.csv');
      writeFileSync(request, '1,2,3\n');
      const bad = await cli.run('scientist', ['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', CLI_ENDPOINT, '--content-type', 'text/csv', '--body', `fileb://${request}`, answer]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('An error occurred (ModelError) when calling the InvokeEndpoint operation: Received client error (400) from primary with message');

      const missing = await cli.run('scientist', ['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', `${CLI_ENDPOINT}-absent`, '--content-type', 'text/csv', '--body', `fileb://${request}`, answer]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(`An error occurred (ValidationError) when calling the InvokeEndpoint operation: Endpoint ${CLI_ENDPOINT}-absent of account ${ACCOUNT} not found.`);

      // ProdApp may only invoke production's endpoints.
      const denied = await cli.run('prodApp', ['sagemaker', 'describe-endpoint', '--endpoint-name', 'churn']);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(
        `An error occurred (AccessDeniedException) when calling the DescribeEndpoint operation: User: arn:aws:sts::${PROD}:assumed-role/ProdApp/prod-app is not authorized to perform: sagemaker:DescribeEndpoint on resource: ${endpointArn(PROD, 'churn')} because no identity-based policy allows the sagemaker:DescribeEndpoint action`,
      );
      // … which it may: an unknown production endpoint is then the runtime's ValidationError, not a refusal.
      const invoke = await cli.run('prodApp', ['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', 'churn', '--content-type', 'text/csv', '--body', `fileb://${request}`, answer]);
      expect(invoke.stderr).toContain(`An error occurred (ValidationError) when calling the InvokeEndpoint operation: Endpoint churn of account ${PROD} not found.`);
    });
  });
}
