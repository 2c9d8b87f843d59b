/**
 * The landing zone's central monitoring, step by step: production's endpoint reports to CloudWatch and Logs in
 * production, and shared-services — the monitoring account, linked from data-science-1, test and production
 * through CloudWatch cross-account observability (OAM) — watches it from one place: a dashboard, an alarm on
 * 5XX errors that fires and clears, and Logs Insights over the endpoint's log. data-science-2 (not linked) stays
 * invisible, and a data scientist cannot look into production.
 *
 * The model is served by SageMaker's scikit-learn image (script mode), so mlzone's Python needs scikit-learn
 * (`apt-get install -y python3-sklearn`, or MLZONE_PYTHON). Alarms evaluate whole minutes, as on AWS: the alarm
 * steps wait for the minute with the errors, then the next one, to end (about two minutes in all).
 *
 *   npx tsx examples/monitoring.ts                       # starts an ephemeral mlzone of its own
 *   npx tsx examples/monitoring.ts http://127.0.0.1:4566 # or uses a running one (default blueprint)
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand, GetMetricDataCommand, ListMetricsCommand, PutDashboardCommand, PutMetricAlarmCommand, PutMetricDataCommand, type MetricAlarm, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { linearModelArtifact } from './linear-model.js';
import { type Creds, KEYS, landingZone, REGION, show, step, until } from './landing-zone.js';

const [SHARED, DS1, DS2, PROD] = ['222222222222', '444444444444', '555555555555', '777777777777'];
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const BUCKET = `sagemaker-${REGION}-${DS1}`;
const suffix = Date.now().toString(36);
const ENDPOINT = `churn-${suffix}`;
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${PROD}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}`;
const ALARM = `production-${ENDPOINT}-5xx`;
const DIMENSIONS = [
  { Name: 'EndpointName', Value: ENDPOINT },
  { Name: 'VariantName', Value: 'AllTraffic' },
];

const zone = landingZone(process.argv[2]);
const { config, assume } = zone;

const stat = (id: string, metricName: string, statistic: string, account = PROD): MetricDataQuery => ({
  Id: id,
  AccountId: account,
  MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: metricName, Dimensions: DIMENSIONS }, Period: 60, Stat: statistic },
});

async function metrics(as: Creds, queries: MetricDataQuery[]): Promise<Record<string, number[]>> {
  const out = await new CloudWatchClient(config(as)).send(new GetMetricDataCommand({ StartTime: new Date(Date.now() - 30 * 60_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: queries }));
  return Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id!, r.Values!]));
}
const sum = (v: number[] | undefined) => (v ?? []).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const ds1 = await assume(KEYS.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  const ds2 = await assume(KEYS.ds2Scientist, `arn:aws:iam::${DS2}:role/DataScientist`);
  const prodDeploy = await assume(await assume(KEYS.devops, `arn:aws:iam::${SHARED}:role/DeploymentRole`), `arn:aws:iam::${PROD}:role/DeploymentRole`);
  const prodApp = await assume(KEYS.prodApp, `arn:aws:iam::${PROD}:role/ProdApp`);
  const sharedAdmin = await assume(KEYS.devops, `arn:aws:iam::${SHARED}:role/Admin`);
  const monitor = await assume(KEYS.devops, `arn:aws:iam::${SHARED}:role/ReadOnly`);
  const runtime = new SageMakerRuntimeClient(config(prodApp));
  const call = async (row: string): Promise<string> => {
    try {
      return Buffer.from((await runtime.send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'text/csv', Body: Buffer.from(row) }))).Body!).toString();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message.replace(/\. See https:.*$/, '')}`;
    }
  };

  step('1', 'data-science-1 packages its model (weights and inference.py) where production may read it');
  const artifact = await linearModelArtifact();
  await new S3Client({ ...config(ds1), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key: `${ENDPOINT}/model.tar.gz`, Body: artifact }));
  show(`s3://${BUCKET}/${ENDPOINT}/model.tar.gz`);

  step('2', 'production’s DeploymentRole (assumed from shared-services) deploys it; ProdApp calls it 20 times');
  const sm = new SageMakerClient(config(prodDeploy));
  await sm.send(
    new CreateModelCommand({
      ModelName: ENDPOINT,
      ExecutionRoleArn: `arn:aws:iam::${PROD}:role/SageMakerExecution`,
      PrimaryContainer: { Image: SKLEARN, ModelDataUrl: `s3://${BUCKET}/${ENDPOINT}/model.tar.gz`, Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' } },
    }),
  );
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: ENDPOINT, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: ENDPOINT, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await sm.send(new CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: ENDPOINT }));
  const deployed = await until(() => sm.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT })), (d) => d.EndpointStatus !== 'Creating');
  show(`endpoint ${ENDPOINT}: ${deployed.EndpointStatus}${deployed.FailureReason ? ` — ${deployed.FailureReason}` : ''}`);
  if (deployed.EndpointStatus !== 'InService') throw new Error('the endpoint did not start (see above)');
  let last = '';
  for (let i = 0; i < 20; i++) last = await call(`${i},1,2`);
  show(`ProdApp InvokeEndpoint 19,1,2 → ${last}`);

  step('3', 'shared-services puts up a dashboard of production’s endpoint; its widgets read production through the link');
  const metric = (name: string, statistic: string) => ['AWS/SageMaker', name, 'EndpointName', ENDPOINT, 'VariantName', 'AllTraffic', { accountId: PROD, stat: statistic, period: 60 }];
  const body = {
    widgets: [
      { type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { title: 'Invocations', region: REGION, metrics: [metric('Invocations', 'Sum')] } },
      { type: 'metric', x: 12, y: 0, width: 12, height: 6, properties: { title: 'ModelLatency p99', region: REGION, metrics: [metric('ModelLatency', 'p99')] } },
      { type: 'alarm', x: 0, y: 6, width: 24, height: 3, properties: { title: '5XX', alarms: [`arn:aws:cloudwatch:${REGION}:${SHARED}:alarm:${ALARM}`] } },
    ],
  };
  await new CloudWatchClient(config(sharedAdmin)).send(new PutDashboardCommand({ DashboardName: 'production-endpoints', DashboardBody: JSON.stringify(body) }));
  const widgets = JSON.parse((await new CloudWatchClient(config(monitor)).send(new GetDashboardCommand({ DashboardName: 'production-endpoints' }))).DashboardBody!).widgets as typeof body.widgets;
  show(`dashboard production-endpoints: ${widgets.map((w) => w.properties.title).join(', ')}`);
  // The endpoint publishes its metrics every few seconds; the dashboard shows them once they are in.
  const drawn = await until(() => metrics(monitor, [stat('calls', 'Invocations', 'Sum'), stat('p99', 'ModelLatency', 'p99')]), (m) => sum(m.calls) >= 20);
  show(`Invocations (Sum) ${sum(drawn.calls)} · ModelLatency p99 ${(Math.max(...drawn.p99!) / 1000).toFixed(2)} ms — account ${PROD}, seen from ${SHARED}`);

  step('4', 'shared-services defines an alarm on production’s Invocation5XXErrors (Sum > 0 over a minute)');
  const cw = new CloudWatchClient(config(monitor));
  await new CloudWatchClient(config(sharedAdmin)).send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      AlarmDescription: `${ENDPOINT} in production answers 5XX`,
      Metrics: [{ ...stat('errors', 'Invocation5XXErrors', 'Sum'), ReturnData: true }],
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  const alarm = () => cw.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] })).then((a) => a.MetricAlarms![0]!);
  const waitFor = async (state: string): Promise<MetricAlarm> => {
    const since = Date.now();
    let calls = 0;
    // ProdApp keeps calling meanwhile with good rows, about once a second.
    const a = await until(async () => {
      if (Date.now() - since > calls * 1000) {
        calls++;
        await call('1,1,1');
      }
      return alarm();
    }, (x) => x.StateValue === state);
    show(`${ALARM}: ${a.StateValue} after ${Math.round((Date.now() - since) / 1000)} s — ${a.StateReason}`);
    return a;
  };
  await waitFor('OK');

  step('5', 'a client sends rows with a value that is not a number: the model’s code fails, ProdApp gets 5XX');
  for (let i = 0; i < 3; i++) show(`ProdApp InvokeEndpoint 1,abc,3 → ${await call('1,abc,3')}`);
  show('waiting for the minute with the errors to end…');
  await waitFor('ALARM');

  step('6', 'the bad client stops; once a minute passes without errors the alarm clears');
  await waitFor('OK');

  step('7', 'data-science-2 is not linked: shared-services sees nothing of it');
  await new CloudWatchClient(config(ds2)).send(new PutMetricDataCommand({ Namespace: 'Team/Experiments', MetricData: [{ MetricName: 'Accuracy', Value: 0.91 }] }));
  const owners = new Set((await cw.send(new ListMetricsCommand({ IncludeLinkedAccounts: true }))).OwningAccounts);
  show(`ListMetrics IncludeLinkedAccounts → owning accounts: ${[...owners].sort().join(', ')} (a metric of ${DS2} was just put)`);
  const theirs = await cw.send(new ListMetricsCommand({ Namespace: 'Team/Experiments', IncludeLinkedAccounts: true, OwningAccount: DS2 }));
  show(`ListMetrics OwningAccount ${DS2} → ${theirs.Metrics!.length} metrics`);

  step('8', 'a data scientist in data-science-1 cannot read production’s metrics: no role in production, no link to its account');
  show(`GetMetricData AccountId ${PROD} as data-science-1's DataScientist → ${sum((await metrics(ds1, [stat('calls', 'Invocations', 'Sum')])).calls)} invocations (nothing visible)`);
  try {
    await assume(ds1, `arn:aws:iam::${PROD}:role/ReadOnly`);
    show('!! AssumeRole into production was allowed');
  } catch (e) {
    show(`AssumeRole production ReadOnly → refused: ${(e as Error).name}: ${(e as Error).message}`);
  }

  step('9', 'Logs Insights in shared-services finds the errors in production’s endpoint log');
  const logs = new CloudWatchLogsClient(config(monitor));
  const now = Math.floor(Date.now() / 1000);
  const insights = async (queryString: string) => {
    const { queryId } = await logs.send(new StartQueryCommand({ logGroupIdentifiers: [LOG_GROUP_ARN], startTime: now - 3600, endTime: now + 60, queryString }));
    return (await logs.send(new GetQueryResultsCommand({ queryId }))).results!.map((row) => Object.fromEntries(row.map((f) => [f.field!, f.value!])));
  };
  show(`query over ${LOG_GROUP_ARN}`);
  for (const r of await insights('fields @timestamp, @log, @logStream, @message | filter @message like /ValueError/ | sort @timestamp desc | limit 5')) {
    show(`${r['@timestamp']} ${r['@log']} ${r['@logStream']}: ${r['@message']}`);
  }
  for (const r of await insights("filter @message like /scored/ | parse @message 'scored * rows' as n | stats count(*) as requests, sum(n) as rows by @logStream")) {
    show(`${r['@logStream']}: ${r.requests} good requests, ${r.rows} rows scored`);
  }
}

zone.run(main);
