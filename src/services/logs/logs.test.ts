/**
 * The Logs service through its handlers with a fake RequestContext: cross-account reads through a fake
 * ObservabilityLinks, the retention sweep, the LogsSink. On SQLite, and on PostgreSQL too when MLZONE_TEST_PG is set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import type { ObservabilityLinks } from '../../core/observability.js';
import { rootArn } from '../../core/principal.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
import { testBackends } from '../../persistence/test-backends.js';
import { createLogsService, type LogsService } from './index.js';

const MONITOR = '222222222222', PROD = '777777777777', DS2 = '555555555555';
const DAY = 86_400_000;
let now = Date.UTC(2026, 5, 1);
const clock = { now: () => now };

function ctx(accountId: string): RequestContext {
  return {
    requestId: 'r', service: 'logs', operation: 'x', region: 'us-east-1', accountId, sourceIp: '127.0.0.1', userAgent: 'vitest', now, secureTransport: false,
    principal: { type: 'Root', accountId, arn: rootArn(accountId), userId: accountId } as RequestContext['principal'],
  };
}

/** Production is linked to shared-services for log groups; data-science-2 is not linked. */
const links: ObservabilityLinks = {
  sourceAccounts: async (monitoring, _region, type) => (monitoring === MONITOR && type === 'AWS::Logs::LogGroup' ? [PROD] : []),
};

const backends = testBackends();

for (const backend of backends) {
  describe(`logs service (${backend.name})`, () => {
    let db: Database;
    let svc: LogsService;
    const call = (op: string, account: string, input: unknown) => svc.definition.handlers[op]!(input, ctx(account)) as Promise<any>;

    beforeEach(async () => {
      db = backend.open();
      svc = createLogsService({ db, clock, links });
      await runMigrations(db, svc.migrations);
      for (const account of [PROD, DS2]) await svc.sink.put(account, 'us-east-1', '/aws/sagemaker/Endpoints/churn', 'AllTraffic/i-1', [
        { timestamp: now - 2000, message: `INFO ok from ${account}` },
        { timestamp: now - 1000, message: `ERROR boom from ${account}` },
      ]);
    });
    afterEach(() => backend.dispose(db));

    it('the sink creates group and stream and its lines read back', async () => {
      const out = await call('GetLogEvents', PROD, { logGroupName: '/aws/sagemaker/Endpoints/churn', logStreamName: 'AllTraffic/i-1', startFromHead: true });
      expect(out.events.map((e: { message: string }) => e.message)).toEqual([`INFO ok from ${PROD}`, `ERROR boom from ${PROD}`]);
    });

    it('a monitoring account sees linked accounts only, by ARN and with includeLinkedAccounts', async () => {
      const groups = await call('DescribeLogGroups', MONITOR, { includeLinkedAccounts: true });
      expect(groups.logGroups.map((g: { logGroupArn: string }) => g.logGroupArn)).toEqual([`arn:aws:logs:us-east-1:${PROD}:log-group:/aws/sagemaker/Endpoints/churn`]);
      expect((await call('DescribeLogGroups', MONITOR, {})).logGroups).toEqual([]);
      const arn = (a: string) => `arn:aws:logs:us-east-1:${a}:log-group:/aws/sagemaker/Endpoints/churn`;
      const found = await call('FilterLogEvents', MONITOR, { logGroupIdentifier: arn(PROD), filterPattern: 'ERROR' });
      expect(found.events.map((e: { message: string }) => e.message)).toEqual([`ERROR boom from ${PROD}`]);
      await expect(call('FilterLogEvents', MONITOR, { logGroupIdentifier: arn(DS2) })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
      await expect(call('FilterLogEvents', DS2, { logGroupIdentifier: arn(PROD) })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
      const q = await call('StartQuery', MONITOR, { logGroupIdentifiers: [arn(PROD)], startTime: 0, endTime: Math.floor(now / 1000), queryString: 'filter @message like /ERROR/ | fields @log, @message' });
      const r = await call('GetQueryResults', MONITOR, { queryId: q.queryId });
      expect(r.results).toEqual([[{ field: '@log', value: `${PROD}:/aws/sagemaker/Endpoints/churn` }, { field: '@message', value: `ERROR boom from ${PROD}` }]]);
      await expect(call('StartQuery', MONITOR, { logGroupIdentifiers: [arn(DS2)], startTime: 0, endTime: 1, queryString: 'fields @message' })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
      await expect(call('GetQueryResults', PROD, { queryId: q.queryId })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    });

    it('the sweep drops events older than the retention; reads hide them before it runs', async () => {
      await call('PutRetentionPolicy', PROD, { logGroupName: '/aws/sagemaker/Endpoints/churn', retentionInDays: 1 });
      await svc.sink.put(PROD, 'us-east-1', '/aws/sagemaker/Endpoints/churn', 'AllTraffic/i-1', [{ timestamp: now + DAY, message: 'next day' }]);
      now += DAY + 500;
      const read = async () => (await call('FilterLogEvents', PROD, { logGroupName: '/aws/sagemaker/Endpoints/churn' })).events.map((e: { message: string }) => e.message);
      expect(await read()).toEqual(['next day']);
      expect(await svc.sweep()).toBe(1);
      expect(await read()).toEqual(['next day']);
      const rows = await db.kysely.selectFrom('logs_blocks').select('id').where('account', '=', PROD).execute();
      expect(rows).toHaveLength(1);
      // The group's stored bytes (the sum of its streams') lose the swept block's bytes (26 bytes of overhead + 8 for "next day").
      const g = await call('DescribeLogGroups', PROD, { logGroupNamePrefix: '/aws/sagemaker/Endpoints/churn' });
      expect(g.logGroups[0].storedBytes).toBe(26 + 'next day'.length);
    });

    it('the sweep covers every group with a retention and leaves groups without retention alone', async () => {
      for (let i = 0; i < 5; i++) {
        await call('CreateLogGroup', PROD, { logGroupName: `/soak/${i}` });
        await call('CreateLogStream', PROD, { logGroupName: `/soak/${i}`, logStreamName: 's' });
        if (i < 4) await call('PutRetentionPolicy', PROD, { logGroupName: `/soak/${i}`, retentionInDays: 1 });
        await call('PutLogEvents', PROD, { logGroupName: `/soak/${i}`, logStreamName: 's', logEvents: [{ timestamp: now - 1000, message: 'old' }] });
      }
      now += DAY;
      expect(await svc.sweep()).toBe(4);
      const left = await db.kysely.selectFrom('logs_blocks').select('group_name').where('group_name', 'like', '/soak/%').execute();
      expect(left.map((r) => r.group_name)).toEqual(['/soak/4']);
    });

    it('blocks stored before the binary form (JSON arrays) still read, filter and sort beside new ones', async () => {
      const group = '/aws/sagemaker/Endpoints/churn';
      await db.kysely.insertInto('logs_blocks').values({
        id: '000000000legacy0', account: PROD, region: 'us-east-1', group_name: group, stream_name: 'AllTraffic/i-1', min_ts: now - 3000, max_ts: now - 1500,
        ingestion_time: now - 1000, bytes: 60, timestamps_json: JSON.stringify([now - 3000, now - 1500]), messages_json: JSON.stringify(['{"latency":900}', 'ERROR legacy "quoted"']),
      } as never).execute();
      const all = await call('GetLogEvents', PROD, { logGroupName: group, logStreamName: 'AllTraffic/i-1', startFromHead: true });
      expect(all.events.map((e: { message: string }) => e.message)).toEqual(['{"latency":900}', `INFO ok from ${PROD}`, 'ERROR legacy "quoted"', `ERROR boom from ${PROD}`]);
      const errors = await call('FilterLogEvents', PROD, { logGroupName: group, filterPattern: 'ERROR' });
      expect(errors.events.map((e: { message: string }) => e.message)).toEqual(['ERROR legacy "quoted"', `ERROR boom from ${PROD}`]);
      const slow = await call('FilterLogEvents', PROD, { logGroupName: group, filterPattern: '{ $.latency > 500 }' });
      expect(slow.events.map((e: { message: string }) => e.message)).toEqual(['{"latency":900}']);
    });

    it('JSON columns go with their blocks: swept, stream deleted, group deleted', async () => {
      const columns = async (group: string) =>
        (await db.kysely.selectFrom('logs_block_columns').innerJoin('logs_blocks', 'logs_blocks.id', 'logs_block_columns.block_id').select('key').where('group_name', '=', group).execute()).length;
      const orphans = async () =>
        Number((await db.kysely.selectFrom('logs_block_columns').select((e) => e.fn.countAll().as('n')).where('block_id', 'not in', db.kysely.selectFrom('logs_blocks').select('id')).executeTakeFirst())?.n ?? 0);
      for (const [group, stream] of [['/j/swept', 's'], ['/j/stream', 'gone'], ['/j/group', 's']] as const) {
        await call('CreateLogGroup', PROD, { logGroupName: group });
        await call('CreateLogStream', PROD, { logGroupName: group, logStreamName: stream });
        await call('PutLogEvents', PROD, { logGroupName: group, logStreamName: stream, logEvents: [{ timestamp: now - 1000, message: '{"latency":5,"level":"INFO"}' }] });
        expect(await columns(group)).toBe(2);
      }
      await call('PutRetentionPolicy', PROD, { logGroupName: '/j/swept', retentionInDays: 1 });
      now += DAY;
      await svc.sweep();
      await call('DeleteLogStream', PROD, { logGroupName: '/j/stream', logStreamName: 'gone' });
      await call('DeleteLogGroup', PROD, { logGroupName: '/j/group' });
      expect(await orphans()).toBe(0);
      expect(await db.kysely.selectFrom('logs_block_columns').select('key').execute()).toEqual([]);
    });

    it('Logs Insights counts every event it scanned even when a leading filter spares decoding', async () => {
      const group = '/aws/sagemaker/Endpoints/churn';
      const run = async (queryString: string) => {
        const { queryId } = await call('StartQuery', PROD, { logGroupName: group, startTime: 0, endTime: Math.floor(now / 1000), queryString });
        return call('GetQueryResults', PROD, { queryId });
      };
      const narrowed = await run('filter @message like /ERROR/ | stats count(*) as n');
      const plain = await run('stats count(*) as n');
      expect(narrowed.results).toEqual([[{ field: 'n', value: '1' }]]);
      expect(plain.results).toEqual([[{ field: 'n', value: '2' }]]);
      const bytes = Buffer.byteLength(`INFO ok from ${PROD}`) + Buffer.byteLength(`ERROR boom from ${PROD}`);
      expect(narrowed.statistics).toEqual({ recordsMatched: 1, recordsScanned: 2, bytesScanned: bytes, logGroupsScanned: 1 });
      expect(plain.statistics).toMatchObject({ recordsScanned: 2, bytesScanned: bytes });
    });

    it('DescribeLogGroups pages by name with prefix and pattern', async () => {
      for (const n of ['/a/1', '/a/2', '/a/3', '/b/x']) await call('CreateLogGroup', PROD, { logGroupName: n });
      const p1 = await call('DescribeLogGroups', PROD, { logGroupNamePrefix: '/a/', limit: 2 });
      expect(p1.logGroups.map((g: { logGroupName: string }) => g.logGroupName)).toEqual(['/a/1', '/a/2']);
      const p2 = await call('DescribeLogGroups', PROD, { logGroupNamePrefix: '/a/', limit: 2, nextToken: p1.nextToken });
      expect(p2.logGroups.map((g: { logGroupName: string }) => g.logGroupName)).toEqual(['/a/3']);
      expect(p2.nextToken).toBeUndefined();
      const pat = await call('DescribeLogGroups', PROD, { logGroupNamePattern: 'SAGEMAKER' });
      expect(pat.logGroups.map((g: { logGroupName: string }) => g.logGroupName)).toEqual(['/aws/sagemaker/Endpoints/churn']);
      await expect(call('DeleteLogGroup', PROD, { logGroupName: '/nope' })).rejects.toMatchObject({ code: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
    });
  });
}
