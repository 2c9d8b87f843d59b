/**
 * The central monitoring scenario of issue 12, end to end with the JS SDK v3 (and its key steps with boto3 and the
 * AWS CLI): production's ProdApp calls a scikit-learn endpoint that data-science-1 built; in shared-services (the
 * monitoring account, linked from data-science-1, test and production) a dashboard shows production's Invocations
 * and ModelLatency p99 through the link, and an alarm on production's Invocation5XXErrors goes to ALARM when a bad
 * row makes the model's code fail and back to OK; data-science-2 (not linked) stays invisible; a data scientist in
 * data-science-1 cannot read production's metrics; Logs Insights in shared-services finds the errors' lines in
 * production's endpoint log group, written there by the endpoint's container.
 *
 * A Python-backed file (`*.python.test.ts`): the endpoint runs SageMaker's scikit-learn image, served by mlzone's
 * Python shim, which needs scikit-learn (the built-in linear-learner answers bad input with 400, as AWS's does,
 * so it cannot show 5XX errors). Alarms are evaluated with the server's clock moved a minute at a time.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetDashboardCommand, GetMetricDataCommand, ListMetricsCommand, PutDashboardCommand, PutMetricAlarmCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, FilterLogEventsCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, SageMakerClient, waitUntilEndpointInService } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIAS, WEIGHTS, linearModelArtifact } from '../../../examples/linear-model.js';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const hasSklearn = spawnSync(PYTHON, ['-c', 'import sklearn, joblib, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasSklearn) console.warn(`skipping the monitoring scenario: ${PYTHON} lacks scikit-learn (apt-get install -y python3-sklearn)`);

const { production: PROD, sharedServices: SHARED, dataScience1: DS1, dataScience2: DS2 } = accounts;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const BUCKET = `sagemaker-us-east-1-${DS1}`;
const MINUTE = 60_000;

let server: TestServer;
const endpoint = unique('churn-prod');
const logGroup = `/aws/sagemaker/Endpoints/${endpoint}`;
const logGroupArn = `arn:aws:logs:us-east-1:${PROD}:log-group:${logGroup}`;
const alarmName = unique('prod-5xx-');
const dimensions = [
  { Name: 'EndpointName', Value: endpoint },
  { Name: 'VariantName', Value: 'AllTraffic' },
];
const creds = {} as Record<'ds1' | 'ds2' | 'prodDeploy' | 'prodApp' | 'sharedAdmin' | 'sharedReadOnly', Creds>;
const cw = (c: Creds) => new CloudWatchClient(clientConfig(server.url, c));
const cwl = (c: Creds) => new CloudWatchLogsClient(clientConfig(server.url, c));
const minute = (t: number) => Math.floor(t / MINUTE) * MINUTE;

function query(id: string, metricName: string, stat: string, account = PROD): MetricDataQuery {
  return { Id: id, AccountId: account, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: metricName, Dimensions: dimensions }, Period: 60, Stat: stat } };
}

/** Production's endpoint metrics as the monitoring account reads them through its link, summed over the window. */
async function seen(as: Creds, queries: MetricDataQuery[], from = Date.now() - 30 * MINUTE): Promise<Record<string, { values: number[]; timestamps: number[] }>> {
  const out = await cw(as).send(new GetMetricDataCommand({ StartTime: new Date(from), EndTime: new Date(Date.now() + 5 * MINUTE + offset), MetricDataQueries: queries }));
  return Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id!, { values: r.Values!, timestamps: r.Timestamps!.map((t) => t.getTime()) }]));
}
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

let offset = 0;
/** Moves mlzone's clock (alarms, metric timestamps) to `at` and evaluates the alarms there. */
async function moveTo(at: number): Promise<void> {
  const delta = at - (Date.now() + offset);
  if (delta > 0) {
    server.advance(delta);
    offset += delta;
  }
  await server.app.cloudwatch.tick();
}

async function invoke(body: string): Promise<{ ok: true; body: string } | { ok: false; error: Record<string, unknown> }> {
  try {
    const out = await new SageMakerRuntimeClient(clientConfig(server.url, creds.prodApp)).send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/csv', Body: Buffer.from(body) }));
    return { ok: true, body: Buffer.from(out.Body!).toString() };
  } catch (e) {
    return { ok: false, error: e as Record<string, unknown> };
  }
}

async function alarmState(): Promise<string | undefined> {
  return (await cw(creds.sharedReadOnly).send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms?.[0]?.StateValue;
}

describe.skipIf(!hasSklearn)('central monitoring in shared-services', () => {
  beforeAll(async () => {
    server = await startTestServer({ containerStartupTimeoutMs: 30_000, python: PYTHON });
    const sharedDeploy = await assumeRole(server.url, users.devops, `arn:aws:iam::${SHARED}:role/DeploymentRole`);
    creds.ds1 = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
    creds.ds2 = await assumeRole(server.url, users.ds2Scientist, `arn:aws:iam::${DS2}:role/DataScientist`);
    creds.prodDeploy = await assumeRole(server.url, sharedDeploy, `arn:aws:iam::${PROD}:role/DeploymentRole`);
    creds.prodApp = await assumeRole(server.url, users.prodApp, `arn:aws:iam::${PROD}:role/ProdApp`);
    creds.sharedAdmin = await assumeRole(server.url, users.devops, `arn:aws:iam::${SHARED}:role/Admin`);
    creds.sharedReadOnly = await assumeRole(server.url, users.devops, `arn:aws:iam::${SHARED}:role/ReadOnly`);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('production serves ProdApp from a model data-science-1 built', async () => {
    await new S3Client({ ...clientConfig(server.url, creds.ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `${endpoint}/model.tar.gz`, Body: await linearModelArtifact() }));
    const sm = new SageMakerClient(clientConfig(server.url, creds.prodDeploy));
    await sm.send(
      new CreateModelCommand({
        ModelName: endpoint,
        ExecutionRoleArn: `arn:aws:iam::${PROD}:role/SageMakerExecution`,
        PrimaryContainer: { Image: SKLEARN, ModelDataUrl: `s3://${BUCKET}/${endpoint}/model.tar.gz`, Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' } },
      }),
    );
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: endpoint, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: endpoint, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: endpoint }));
    expect((await waitUntilEndpointInService({ client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint })).state).toBe('SUCCESS');
    for (let i = 0; i < 20; i++) {
      const out = await invoke(`${i},1,2`);
      expect(out.ok).toBe(true);
      expect(JSON.parse((out as { body: string }).body)).toEqual({ scores: [i * WEIGHTS[0]! - 1 + 4 + BIAS] });
    }
  });

  it('a dashboard in shared-services shows production’s Invocations and ModelLatency p99 through the link', async () => {
    const metric = (name: string, stat: string) => ['AWS/SageMaker', name, 'EndpointName', endpoint, 'VariantName', 'AllTraffic', { accountId: PROD, stat, period: 60 }];
    const body = {
      widgets: [
        { type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { title: 'Invocations', region: 'us-east-1', metrics: [metric('Invocations', 'Sum')] } },
        { type: 'metric', x: 12, y: 0, width: 12, height: 6, properties: { title: 'ModelLatency p99', region: 'us-east-1', metrics: [metric('ModelLatency', 'p99')] } },
      ],
    };
    expect(await cw(creds.sharedAdmin).send(new PutDashboardCommand({ DashboardName: 'production-endpoints', DashboardBody: JSON.stringify(body) }))).toMatchObject({ DashboardValidationMessages: [] });
    // The console draws each widget's metrics with GetMetricData, AccountId naming the source account.
    const widgets = JSON.parse((await cw(creds.sharedReadOnly).send(new GetDashboardCommand({ DashboardName: 'production-endpoints' }))).DashboardBody!).widgets as typeof body.widgets;
    const queries = widgets.map((w, i) => {
      const [ns, name, , ep, , variant, opts] = w.properties.metrics[0]! as [string, string, string, string, string, string, { accountId: string; stat: string; period: number }];
      return { Id: `w${i}`, AccountId: opts.accountId, MetricStat: { Metric: { Namespace: ns, MetricName: name, Dimensions: [{ Name: 'EndpointName', Value: ep }, { Name: 'VariantName', Value: variant }] }, Period: opts.period, Stat: opts.stat } };
    });
    await expect.poll(async () => sum((await seen(creds.sharedReadOnly, queries)).w0!.values), { timeout: 15_000, interval: 250 }).toBe(20);
    const p99 = (await seen(creds.sharedReadOnly, queries)).w1!.values;
    expect(p99.length).toBeGreaterThan(0);
    expect(Math.max(...p99)).toBeGreaterThan(0);
    const listed = await cw(creds.sharedReadOnly).send(new ListMetricsCommand({ Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', IncludeLinkedAccounts: true }));
    expect(listed.OwningAccounts).toContain(PROD);
  });

  it('an alarm defined in shared-services on production’s Invocation5XXErrors goes to ALARM when the errors come, then back to OK', async () => {
    await cw(creds.sharedAdmin).send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        AlarmDescription: 'production endpoint answers 5XX',
        Metrics: [{ ...query('errors', 'Invocation5XXErrors', 'Sum'), ReturnData: true }],
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    await moveTo(Date.now() + offset);
    expect(await alarmState()).toBe('OK');

    for (let i = 0; i < 3; i++) {
      const out = await invoke('1,abc,3');
      expect(out.ok).toBe(false);
      const error = (out as { error: Record<string, unknown> }).error;
      expect(error).toMatchObject({ name: 'ModelError', OriginalStatusCode: 500, LogStreamArn: logGroupArn });
      expect(error.message).toMatch(/^Received server error \(500\) from primary with message ".*ValueError: could not convert string to float: 'abc'/);
    }
    let errorsAt = 0;
    await expect
      .poll(async () => {
        const r = (await seen(creds.sharedReadOnly, [query('errors', 'Invocation5XXErrors', 'Sum')])).errors!;
        errorsAt = r.timestamps[r.values.findIndex((v) => v > 0)] ?? 0;
        return sum(r.values);
      }, { timeout: 15_000, interval: 250 })
      .toBe(3);
    // The minute with the errors ends: its Sum (3) crosses the threshold.
    await moveTo(minute(errorsAt) + MINUTE + 1000);
    expect(await alarmState()).toBe('ALARM');
    const alarm = (await cw(creds.sharedReadOnly).send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms![0]!;
    const at = new Date(minute(errorsAt)).toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d).*$/, '$3/$2/$1 $4');
    expect(alarm.StateReason).toBe(`Threshold Crossed: 1 datapoint [3.0 (${at})] was greater than the threshold (0.0).`);
    expect(alarm.AlarmArn).toBe(`arn:aws:cloudwatch:us-east-1:${SHARED}:alarm:${alarmName}`);

    // ProdApp's good calls in the next minute, no errors: back to OK when it ends.
    for (let i = 0; i < 5; i++) expect((await invoke('1,1,1')).ok).toBe(true);
    const next = minute(errorsAt) + MINUTE;
    await expect.poll(async () => sum((await seen(creds.sharedReadOnly, [query('calls', 'Invocations', 'Sum')], next)).calls!.values), { timeout: 15_000, interval: 250 }).toBe(5);
    await moveTo(next + MINUTE + 1000);
    expect(await alarmState()).toBe('OK');
    const history = await cw(creds.sharedReadOnly).send(new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: 'StateUpdate' }));
    expect(history.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual(['Alarm updated from ALARM to OK', 'Alarm updated from OK to ALARM', 'Alarm updated from INSUFFICIENT_DATA to OK']);
  });

  it('data-science-2, not linked, is not visible from shared-services', async () => {
    await cw(creds.ds2).send(new PutMetricDataCommand({ Namespace: 'Team/Experiments', MetricData: [{ MetricName: 'Accuracy', Value: 0.91 }] }));
    const ds2Logs = cwl(creds.ds2);
    await ds2Logs.send(new CreateLogGroupCommand({ logGroupName: '/team/ds2/experiments' }));
    await ds2Logs.send(new CreateLogStreamCommand({ logGroupName: '/team/ds2/experiments', logStreamName: 'run-1' }));
    await ds2Logs.send(new PutLogEventsCommand({ logGroupName: '/team/ds2/experiments', logStreamName: 'run-1', logEvents: [{ timestamp: Date.now() + offset, message: 'ValueError in a sensitive experiment' }] }));

    const shared = cw(creds.sharedReadOnly);
    const all = await shared.send(new ListMetricsCommand({ IncludeLinkedAccounts: true }));
    expect(new Set(all.OwningAccounts)).toEqual(new Set([PROD]));
    expect((await shared.send(new ListMetricsCommand({ Namespace: 'Team/Experiments', IncludeLinkedAccounts: true, OwningAccount: DS2 }))).Metrics).toEqual([]);
    const got = await shared.send(
      new GetMetricDataCommand({ StartTime: new Date(Date.now() + offset - 10 * MINUTE), EndTime: new Date(Date.now() + offset + MINUTE), MetricDataQueries: [{ Id: 'acc', AccountId: DS2, MetricStat: { Metric: { Namespace: 'Team/Experiments', MetricName: 'Accuracy' }, Period: 60, Stat: 'Average' } }] }),
    );
    expect(got.MetricDataResults![0]!.Values).toEqual([]);
    const groups = await cwl(creds.sharedReadOnly).send(new DescribeLogGroupsCommand({ includeLinkedAccounts: true }));
    expect(groups.logGroups!.map((g) => g.logGroupArn)).toContain(logGroupArn);
    expect(groups.logGroups!.some((g) => g.logGroupArn!.includes(`:${DS2}:`))).toBe(false);
    await expect(
      cwl(creds.sharedReadOnly).send(new StartQueryCommand({ logGroupIdentifiers: [`arn:aws:logs:us-east-1:${DS2}:log-group:/team/ds2/experiments`], startTime: 0, endTime: Math.floor((Date.now() + offset) / 1000) + 60, queryString: 'fields @message' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a data scientist in data-science-1 cannot read production’s metrics: no role there, no link from its account', async () => {
    const own = await seen(creds.ds1, [query('calls', 'Invocations', 'Sum')]);
    expect(own.calls!.values).toEqual([]);
    expect((await cw(creds.ds1).send(new ListMetricsCommand({ Namespace: 'AWS/SageMaker', IncludeLinkedAccounts: true }))).OwningAccounts ?? []).not.toContain(PROD);
    await expect(new STSClient(clientConfig(server.url, creds.ds1)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/ReadOnly`, RoleSessionName: 'peek' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(cwl(creds.ds1).send(new FilterLogEventsCommand({ logGroupIdentifier: logGroupArn }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(cwl(creds.ds1).send(new StartQueryCommand({ logGroupIdentifiers: [logGroupArn], startTime: 0, endTime: 1, queryString: 'fields @message' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('Logs Insights in shared-services finds production’s error lines by pattern', async () => {
    const logs = cwl(creds.sharedReadOnly);
    const end = Math.floor((Date.now() + offset) / 1000) + 60;
    const insights = async (queryString: string) => {
      const { queryId } = await logs.send(new StartQueryCommand({ logGroupIdentifiers: [logGroupArn], startTime: end - 3600, endTime: end, queryString }));
      const r = await logs.send(new GetQueryResultsCommand({ queryId }));
      expect(r.status).toBe('Complete');
      return r.results!.map((row) => Object.fromEntries(row.map((f) => [f.field!, f.value!])));
    };
    const errors = await insights('fields @timestamp, @log, @logStream, @message | filter @message like /ValueError/ | sort @timestamp desc | limit 10');
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e).toMatchObject({ '@log': `${PROD}:${logGroup}`, '@message': "ValueError: could not convert string to float: 'abc'" });
      expect(e['@logStream']).toMatch(/^AllTraffic\/i-[0-9a-f]{17}$/);
    }
    expect(await insights("filter @message like /scored/ | parse @message 'scored * rows' as n | stats count(*) as requests, sum(n) as rows by @logStream")).toEqual([
      { '@logStream': errors[0]!['@logStream'], requests: '25', rows: '25' },
    ]);
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: logGroupArn, filterPattern: '?Traceback ?ValueError' }));
    expect(filtered.events!.map((e) => e.message)).toEqual(Array.from({ length: 3 }, () => ['Traceback (most recent call last):', "ValueError: could not convert string to float: 'abc'"]).flat());
  });

  it.skipIf(!hasBoto3)('boto3 sees the same through the link (RPC v2 CBOR for CloudWatch)', async () => {
    const r = await run(python, [join(here, 'monitoring_boto3.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: creds.sharedReadOnly.accessKeyId,
      MLZONE_SECRET: creds.sharedReadOnly.secretAccessKey,
      MLZONE_TOKEN: creds.sharedReadOnly.sessionToken!,
      MLZONE_ENDPOINT: endpoint,
      MLZONE_ALARM: alarmName,
      MLZONE_PROD: PROD,
      MLZONE_NOW: String(Date.now() + offset),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ invocations: 20 + 3 + 5, errors: 3, alarm: 'OK', owners: [PROD], insights: 3 });
  });

  it.skipIf(!hasCommand('aws'))('the AWS CLI reads the alarm, the metrics and the error lines from shared-services', async () => {
    const cli = cliProfiles(server, 'shared-readonly');
    try {
      const base = ['--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json'];
      const alarms = await run('aws', ['cloudwatch', 'describe-alarms', '--alarm-names', alarmName, ...base], cli.env);
      expect(alarms.code, alarms.stderr).toBe(0);
      expect(JSON.parse(alarms.stdout).MetricAlarms[0]).toMatchObject({ AlarmName: alarmName, StateValue: 'OK', Metrics: [{ Id: 'errors', AccountId: PROD }] });
      const now = Date.now() + offset;
      const data = await run(
        'aws',
        ['cloudwatch', 'get-metric-data', '--start-time', new Date(now - 30 * MINUTE).toISOString(), '--end-time', new Date(now + 5 * MINUTE).toISOString(), '--metric-data-queries', JSON.stringify([query('errors', 'Invocation5XXErrors', 'Sum')]), ...base],
        cli.env,
      );
      expect(data.code, data.stderr).toBe(0);
      expect(sum(JSON.parse(data.stdout).MetricDataResults[0].Values)).toBe(3);
      const start = await run('aws', ['logs', 'start-query', '--log-group-identifiers', logGroupArn, '--start-time', String(Math.floor(now / 1000) - 3600), '--end-time', String(Math.floor(now / 1000) + 60), '--query-string', 'filter @message like /ValueError/ | stats count(*) as errors', ...base], cli.env);
      expect(start.code, start.stderr).toBe(0);
      const results = await run('aws', ['logs', 'get-query-results', '--query-id', JSON.parse(start.stdout).queryId, ...base], cli.env);
      expect(JSON.parse(results.stdout)).toMatchObject({ status: 'Complete', results: [[{ field: 'errors', value: '3' }]] });
    } finally {
      cli.remove();
    }
  });
});
