/**
 * The OAM domain and service without HTTP: labels, identifiers, the rules CreateSink/CreateLink apply (one sink
 * per account and Region, no link to one's own sink, one link per sink, five monitoring accounts per source),
 * `sourceAccounts` following links and sinks as they come and go, paging and tags. On SQLite, and on PostgreSQL
 * too when MLZONE_TEST_PG is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { isAwsError } from '../../core/errors.js';
import { validatePolicyDocument } from '../../iam/compile.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
import { testBackends } from '../../persistence/test-backends.js';
import { resolveLabel } from './domain/label.js';
import { parseOamArn, resolveIdentifier, seededId } from './domain/names.js';
import { createOamService, type OamService } from './index.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const REGION = 'us-east-1';
const MONITOR = '222222222222';
const METRIC = 'AWS::CloudWatch::Metric';
const LOGS = 'AWS::Logs::LogGroup';

describe('labels', () => {
  const facts = { name: 'production', email: 'prod-team@mlzone.example' };
  it('replaces the three variables, the longest name first', () => {
    expect(resolveLabel('$AccountName', facts)).toBe('production');
    expect(resolveLabel('$AccountEmail', facts)).toBe('prod-team@mlzone.example');
    expect(resolveLabel('$AccountEmailNoDomain', facts)).toBe('prod-team');
    expect(resolveLabel('env:$AccountName/$AccountEmailNoDomain', facts)).toBe('env:production/prod-team');
    expect(resolveLabel('fixed label', facts)).toBe('fixed label');
  });
});

describe('identifiers', () => {
  const caller = { accountId: '444444444444', region: REGION };
  it('reads sink and link ARNs, and a bare id as the caller’s own resource', () => {
    const arn = `arn:aws:oam:${REGION}:${MONITOR}:sink/0b1c2d3e-0000-4000-a000-000000000001`;
    expect(parseOamArn(arn)).toEqual({ kind: 'sink', accountId: MONITOR, region: REGION, id: '0b1c2d3e-0000-4000-a000-000000000001', arn });
    expect(resolveIdentifier(arn, 'link', caller)).toBeUndefined();
    expect(resolveIdentifier('abc-1', 'link', caller)?.arn).toBe(`arn:aws:oam:${REGION}:444444444444:link/abc-1`);
    expect(parseOamArn('arn:aws:s3:::bucket')).toBeUndefined();
  });
  it('gives seeded resources stable UUID-shaped ids', () => {
    expect(seededId('sink', MONITOR, REGION, 'a')).toBe(seededId('sink', MONITOR, REGION, 'a'));
    expect(seededId('sink', MONITOR, REGION, 'a')).not.toBe(seededId('sink', MONITOR, REGION, 'b'));
    expect(seededId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

const backends = testBackends();

function ctx(accountId: string, region = REGION): RequestContext {
  return {
    requestId: 'test',
    service: 'oam',
    operation: 'Test',
    region,
    principal: { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId },
    accountId,
    sourceIp: '192.0.2.1',
    userAgent: 'vitest',
    now: T0,
    secureTransport: true,
  };
}

async function failure(p: unknown): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isAwsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

describe.each(backends)('the OAM service on $name', (backend) => {
  let db: Database | undefined;
  afterEach(async () => {
    if (db) await backend.dispose(db);
    db = undefined;
  });

  async function service(): Promise<{ oam: OamService; call: (op: string, input: object, accountId: string) => Promise<any> }> {
    db = backend.open();
    const names: Record<string, { name: string; email: string }> = { '444444444444': { name: 'data-science-1', email: 'ds1@mlzone.example' } };
    const oam = createOamService({ db, clock: fixedClock(T0), validatePolicy: (d) => validatePolicyDocument(d, 'resource'), account: async (id) => names[id] });
    await runMigrations(db, oam.migrations);
    return { oam, call: async (op, input, accountId) => oam.definition.handlers[op]!(input, ctx(accountId)) };
  }

  it('keeps one sink per account and Region', async () => {
    const { call } = await service();
    const sink = await call('CreateSink', { Name: 'central', Tags: { team: 'platform' } }, MONITOR);
    expect(sink).toMatchObject({ Arn: expect.stringMatching(/^arn:aws:oam:us-east-1:222222222222:sink\//), Name: 'central', Tags: { team: 'platform' } });
    expect(await failure(call('CreateSink', { Name: 'other' }, MONITOR))).toEqual({ code: 'ConflictException', message: `A sink already exists in this account and Region: ${sink.Arn}` });
    expect(await call('GetSink', { Identifier: sink.Id, IncludeTags: true }, MONITOR)).toEqual({ Arn: sink.Arn, Id: sink.Id, Name: 'central', Tags: { team: 'platform' } });
    expect(await call('GetSink', { Identifier: sink.Arn }, MONITOR)).not.toHaveProperty('Tags');
  });

  it('checks a sink policy with IAM’s grammar', async () => {
    const { call } = await service();
    const sink = await call('CreateSink', { Name: 'central' }, MONITOR);
    expect(await failure(call('PutSinkPolicy', { SinkIdentifier: sink.Arn, Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }, MONITOR))).toMatchObject({ code: 'InvalidParameterException' });
    expect(await call('GetSinkPolicy', { SinkIdentifier: sink.Arn }, MONITOR)).toEqual({ SinkArn: sink.Arn, SinkId: sink.Id });
  });

  it('links, labels and shares only the linked types; deleting the link or the sink ends it', async () => {
    const { oam, call } = await service();
    const sink = await call('CreateSink', { Name: 'central' }, MONITOR);
    const link = await call('CreateLink', { SinkIdentifier: sink.Arn, ResourceTypes: [METRIC, METRIC], LabelTemplate: '$AccountEmailNoDomain' }, '444444444444');
    expect(link).toMatchObject({ Label: 'ds1', ResourceTypes: [METRIC], SinkArn: sink.Arn });
    // An account mlzone does not know is labelled with its id.
    await call('CreateLink', { SinkIdentifier: sink.Arn, ResourceTypes: [LOGS], LabelTemplate: '$AccountName' }, '999999999999');
    expect(await oam.links.sourceAccounts(MONITOR, REGION, METRIC)).toEqual(['444444444444']);
    expect(await oam.links.sourceAccounts(MONITOR, REGION, LOGS)).toEqual(['999999999999']);
    expect(await oam.links.sourceAccounts(MONITOR, 'eu-west-1', LOGS)).toEqual([]);
    expect(Object.fromEntries(await oam.links.accountLabels(MONITOR, REGION))).toEqual({ '444444444444': 'ds1', '999999999999': '999999999999' });
    await call('UpdateLink', { Identifier: link.Arn, ResourceTypes: [METRIC, LOGS] }, '444444444444');
    expect(await oam.links.sourceAccounts(MONITOR, REGION, LOGS)).toEqual(['444444444444', '999999999999']);
    await call('DeleteLink', { Identifier: link.Arn }, '444444444444');
    expect(await oam.links.sourceAccounts(MONITOR, REGION, METRIC)).toEqual([]);
    expect(await failure(call('GetLink', { Identifier: link.Arn }, '444444444444'))).toMatchObject({ code: 'ResourceNotFoundException' });
    await call('DeleteSink', { Identifier: sink.Arn }, MONITOR);
    expect(await oam.links.sourceAccounts(MONITOR, REGION, LOGS)).toEqual([]);
  });

  it('refuses a link to one’s own sink, a second link to a sink, a sink elsewhere, and a sixth monitoring account', async () => {
    const { call } = await service();
    const sink = await call('CreateSink', { Name: 'central' }, MONITOR);
    const link = (sinkArn: string, accountId = '444444444444') => call('CreateLink', { SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: '$AccountName' }, accountId);
    expect(await failure(link(sink.Arn, MONITOR))).toEqual({ code: 'InvalidParameterException', message: 'A link cannot be created to a sink in the same account.' });
    await link(sink.Arn);
    expect(await failure(link(sink.Arn))).toMatchObject({ code: 'ConflictException' });
    expect(await failure(link(sink.Arn.replace(':222222222222:', ':333333333333:')))).toMatchObject({ code: 'InvalidParameterException', message: expect.stringMatching(/^Sink not found/) });
    expect(await failure(link('not-an-arn'))).toMatchObject({ code: 'InvalidParameterException' });
    for (const monitor of ['100000000001', '100000000002', '100000000003', '100000000004']) {
      await link((await call('CreateSink', { Name: 'm' }, monitor)).Arn);
    }
    const sixth = await call('CreateSink', { Name: 'm' }, '100000000005');
    expect(await failure(link(sixth.Arn))).toMatchObject({ code: 'ServiceQuotaExceededException' });
    // Five links, listed five at a time.
    const first = await call('ListLinks', { MaxResults: 3 }, '444444444444');
    const rest = await call('ListLinks', { NextToken: first.NextToken }, '444444444444');
    expect(first.Items.length + rest.Items.length).toBe(5);
    expect(rest.NextToken).toBeUndefined();
    expect(await failure(call('ListLinks', { NextToken: 'bogus' }, '444444444444'))).toMatchObject({ code: 'InvalidParameterException' });
  });

  it('tags sinks and links up to 50 tags, and refuses aws: keys', async () => {
    const { call, oam } = await service();
    const sink = await call('CreateSink', { Name: 'central' }, MONITOR);
    await call('TagResource', { ResourceArn: sink.Arn, Tags: { a: '1', b: '2' } }, MONITOR);
    await call('UntagResource', { ResourceArn: sink.Arn, TagKeys: ['a'] }, MONITOR);
    expect(await call('ListTagsForResource', { ResourceArn: sink.Arn }, MONITOR)).toEqual({ Tags: { b: '2' } });
    expect(await oam.policies.resourceTags(sink.Arn)).toEqual({ b: '2' });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    expect(await failure(call('TagResource', { ResourceArn: sink.Arn, Tags: many }, MONITOR))).toMatchObject({ code: 'TooManyTagsException' });
    expect(await failure(call('TagResource', { ResourceArn: sink.Arn, Tags: { 'aws:x': '1' } }, MONITOR))).toMatchObject({ code: 'ValidationException' });
    expect(await failure(call('ListTagsForResource', { ResourceArn: sink.Arn.replace(/sink\/.*/, 'sink/gone') }, MONITOR))).toMatchObject({ code: 'ResourceNotFoundException' });
  });
});
