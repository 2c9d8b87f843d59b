/**
 * CloudWatch Logs with real clients: groups, streams, PutLogEvents' batch rules, GetLogEvents' tokens,
 * FilterLogEvents' patterns, Logs Insights, authorization (JS SDK v3), the AWS CLI and boto3.
 */
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand,
  FilterLogEventsCommand, GetLogEventsCommand, GetQueryResultsCommand, PutLogEventsCommand, PutRetentionPolicyCommand, StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let server: TestServer;
let admin: CloudWatchLogsClient;
let readOnly: CloudWatchLogsClient;
let adminCreds: Creds;

async function assume(creds: Creds, roleArn: string): Promise<Creds> {
  const out = await new STSClient(clientConfig(server.url, creds)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'logs-e2e' }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

beforeAll(async () => {
  server = await startTestServer();
  adminCreds = await assume(users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`);
  admin = new CloudWatchLogsClient(clientConfig(server.url, adminCreds));
  readOnly = new CloudWatchLogsClient(clientConfig(server.url, await assume(users.devops, `arn:aws:iam::${accounts.sharedServices}:role/ReadOnly`)));
});
afterAll(() => server?.close());

const GROUP = '/mlzone/e2e/app';
const now = Date.now();

describe('CloudWatch Logs with the JS SDK v3', () => {
  it('creates a group and a stream, refuses duplicates and bad retention', async () => {
    await admin.send(new CreateLogGroupCommand({ logGroupName: GROUP, tags: { team: 'platform' } }));
    await expect(admin.send(new CreateLogGroupCommand({ logGroupName: GROUP }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(admin.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 2 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await admin.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 7 }));
    await admin.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'web/1' }));
    await admin.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'web/2' }));
    const g = await admin.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/mlzone/e2e' }));
    expect(g.logGroups?.map((x) => [x.logGroupName, x.retentionInDays, x.arn])).toEqual([[GROUP, 7, `arn:aws:logs:us-east-1:${accounts.sharedServices}:log-group:${GROUP}:*`]]);
  });

  it('writes a batch, refuses an out-of-order one whole and reports events outside the window', async () => {
    await expect(
      admin.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', logEvents: [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Log events in a single PutLogEvents request must be in chronological order.' });
    const lines = Array.from({ length: 20 }, (_, i) => ({ timestamp: now - 20_000 + i * 1000, message: i % 5 === 0 ? `ERROR request ${i} failed` : JSON.stringify({ level: 'INFO', latency: i * 10, path: `/p${i}` }) }));
    const ok = await admin.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', logEvents: lines }));
    expect(ok.rejectedLogEventsInfo).toBeUndefined();
    const put = (logEvents: Array<{ timestamp: number; message: string }>) => admin.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/2', logEvents }));
    await expect(put([{ timestamp: now - 2 * 86_400_000, message: 'a' }, { timestamp: now, message: 'b' }])).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    });
    const old = await put([{ timestamp: now - 15 * 86_400_000, message: 'too old' }, { timestamp: now - 15 * 86_400_000 + 3_600_000, message: 'too old' }]);
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 1 });
    const expired = await put([{ timestamp: now - 8 * 86_400_000, message: 'expired' }]);
    expect(expired.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 0 });
    const fresh = await put([{ timestamp: now - 5000, message: 'WARN kept' }, { timestamp: now + 3 * 3_600_000, message: 'too new' }]);
    expect(fresh.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    const s = await admin.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true }));
    expect(s.logStreams?.map((x) => x.logStreamName)).toEqual(['web/1', 'web/2']);
  });

  it('pages GetLogEvents forward from the head with its tokens', async () => {
    const first = await admin.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', startFromHead: true, limit: 15 }));
    expect(first.events).toHaveLength(15);
    expect(first.nextForwardToken).toMatch(/^f\//);
    expect(first.nextBackwardToken).toMatch(/^b\//);
    const second = await admin.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', nextToken: first.nextForwardToken, limit: 15 }));
    expect(second.events?.map((e) => e.message)).toHaveLength(5);
    const end = await admin.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', nextToken: second.nextForwardToken }));
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(second.nextForwardToken);
    const tail = await admin.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', limit: 3 }));
    expect(tail.events?.map((e) => e.timestamp)).toEqual([now - 3000, now - 2000, now - 1000]);
  });

  it('filters by terms, alternatives and JSON patterns across streams', async () => {
    const errors = await admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'ERROR failed' }));
    expect(errors.events?.map((e) => e.message)).toEqual([0, 5, 10, 15].map((i) => `ERROR request ${i} failed`));
    const either = await admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '?WARN ?"request 5 "' }));
    expect(either.events?.map((e) => [e.logStreamName, e.message])).toEqual([['web/1', 'ERROR request 5 failed'], ['web/2', 'WARN kept']]);
    const slow = await admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.latency > 150 && $.level = "INFO" }' }));
    expect(slow.events?.map((e) => JSON.parse(e.message!).latency)).toEqual([160, 170, 180, 190]);
    const paged = await admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ['web/1'], limit: 8 }));
    expect(paged.events).toHaveLength(8);
    const rest = await admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ['web/1'], nextToken: paged.nextToken }));
    expect(rest.events).toHaveLength(12);
    expect(rest.nextToken).toBeUndefined();
    await expect(admin.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.x = ' }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid filter pattern' });
  });

  it('answers Logs Insights queries with stats, parse and sort', async () => {
    const { queryId } = await admin.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: Math.floor((now - 3_600_000) / 1000),
        endTime: Math.floor(now / 1000) + 60,
        queryString: 'filter @message like /ERROR/ | parse @message "ERROR request * failed" as n | stats count(*) as errors, max(n) as last by @logStream | sort errors desc',
      }),
    );
    const r = await admin.send(new GetQueryResultsCommand({ queryId }));
    expect(r.status).toBe('Complete');
    expect(r.results).toEqual([[{ field: '@logStream', value: 'web/1' }, { field: 'errors', value: '4' }, { field: 'last', value: '15' }]]);
    const avg = await admin.send(new StartQueryCommand({ logGroupName: GROUP, startTime: 0, endTime: Math.floor(now / 1000) + 60, queryString: 'fields latency | filter ispresent(latency) | stats avg(latency) as mean, pct(latency, 50) as p50' }));
    const a = await admin.send(new GetQueryResultsCommand({ queryId: avg.queryId }));
    expect(a.results).toEqual([[{ field: 'mean', value: '100' }, { field: 'p50', value: '90' }]]);
    await expect(admin.send(new StartQueryCommand({ logGroupName: GROUP, startTime: 0, endTime: 1, queryString: 'stats count(*) by' }))).rejects.toMatchObject({ name: 'MalformedQueryException' });
  });

  it('lets ReadOnly read but not create or write (AccessDeniedException)', async () => {
    const g = await readOnly.send(new DescribeLogGroupsCommand({}));
    expect(g.logGroups?.map((x) => x.logGroupName)).toContain(GROUP);
    await expect(readOnly.send(new CreateLogGroupCommand({ logGroupName: '/mlzone/e2e/denied' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(readOnly.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', logEvents: [{ timestamp: now, message: 'x' }] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const after = await admin.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'web/1', limit: 1 }));
    expect(after.events?.[0]?.message).not.toBe('x');
  });
});

describe.skipIf(!hasCommand('aws'))('CloudWatch Logs with the AWS CLI', () => {
  it('describes groups and filters events', async () => {
    const home = cliProfiles(server, 'shared-admin');
    try {
      const d = await run('aws', ['logs', 'describe-log-groups', '--log-group-name-prefix', '/mlzone/e2e', '--output', 'json'], home.env);
      expect(d.stderr).toBe('');
      expect(JSON.parse(d.stdout).logGroups.map((g: { logGroupName: string }) => g.logGroupName)).toEqual([GROUP]);
      const f = await run('aws', ['logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', 'WARN', '--output', 'json'], home.env);
      expect(JSON.parse(f.stdout).events.map((e: { message: string }) => e.message)).toEqual(['WARN kept']);
    } finally {
      home.remove();
    }
  });
});

describe.skipIf(!hasBoto3)('CloudWatch Logs with boto3', () => {
  it('puts and gets events', async () => {
    const script = `
import boto3, json, sys, time
c = boto3.client('logs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], aws_session_token=sys.argv[4])
c.create_log_stream(logGroupName='${GROUP}', logStreamName='boto3')
now = int(time.time() * 1000)
c.put_log_events(logGroupName='${GROUP}', logStreamName='boto3', logEvents=[{'timestamp': now, 'message': 'hello from boto3'}])
out = c.get_log_events(logGroupName='${GROUP}', logStreamName='boto3', startFromHead=True)
try:
    c.create_log_group(logGroupName='${GROUP}')
    err = None
except c.exceptions.ResourceAlreadyExistsException as e:
    err = e.response['Error']['Code']
print(json.dumps({'messages': [e['message'] for e in out['events']], 'err': err}))
`;
    const r = await run(python, ['-c', script, server.url, adminCreds.accessKeyId, adminCreds.secretAccessKey, adminCreds.sessionToken!]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ messages: ['hello from boto3'], err: 'ResourceAlreadyExistsException' });
  });
});
