/**
 * The audit trail with real clients: calls made through the gateway become CloudTrail events in the
 * caller's account (and the resource owner's), and LookupEvents finds them — JS SDK v3 and boto3.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents, type Event, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, python, run } from '../support/processes.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const here = dirname(fileURLToPath(import.meta.url));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const sts = (creds: Creds) => new STSClient(clientConfig(server.url, creds));

/** A CloudTrail client as the JS SDK builds it (it sends the short `CloudTrail_20131101.<Op>` target). */
function trail(creds: Creds): CloudTrailClient {
  return new CloudTrailClient(clientConfig(server.url, creds));
}

async function assume(creds: Creds, roleArn: string, session: string): Promise<Creds> {
  const out = await sts(creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

/** A ReadOnly session (ReadOnlyAccess allows cloudtrail:LookupEvents) to read an account's event history. */
const auditors = new Map<string, Creds>();
async function auditor(accountId: string): Promise<Creds> {
  const user = { [accounts.dataScience1]: users.ds1Scientist, [accounts.dataScience2]: users.ds2Scientist, [accounts.dataLake]: users.lakeAdmin }[accountId];
  if (!user) throw new Error(`no auditor for ${accountId}`);
  let creds = auditors.get(accountId);
  if (!creds) {
    creds = await assume(user, `arn:aws:iam::${accountId}:role/ReadOnly`, 'auditor');
    auditors.set(accountId, creds);
  }
  return creds;
}

async function lookup(accountId: string, input: LookupEventsCommandInput): Promise<Event[]> {
  const out = await trail(await auditor(accountId)).send(new LookupEventsCommand(input));
  return out.Events ?? [];
}

const byName = (EventName: string) => ({ LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: EventName }] });
const record = (e: Event) => JSON.parse(e.CloudTrailEvent!) as Record<string, any>;

describe('CloudTrail LookupEvents with the JS SDK v3', () => {
  it("finds a user's calls by EventName and by Username, with the user's identity", async () => {
    const before = new Date(Date.now() - 1000);
    await sts(users.ds1Scientist).send(new GetCallerIdentityCommand({}));

    const events = await lookup(accounts.dataScience1, { ...byName('GetCallerIdentity'), StartTime: before });
    const mine = events.filter((e) => e.Username === 'ds1-scientist');
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const e = mine[0]!;
    expect(e).toMatchObject({ EventName: 'GetCallerIdentity', EventSource: 'sts.amazonaws.com', ReadOnly: 'true', AccessKeyId: users.ds1Scientist.accessKeyId });
    expect(e.EventTime!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const r = record(e);
    expect(r).toMatchObject({
      eventVersion: '1.08',
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      managementEvent: true,
      readOnly: true,
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      requestParameters: null,
      responseElements: null,
      recipientAccountId: accounts.dataScience1,
      eventID: e.EventId,
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::444444444444:user/ds1-scientist',
        accountId: accounts.dataScience1,
        accessKeyId: users.ds1Scientist.accessKeyId,
        userName: 'ds1-scientist',
        principalId: expect.stringMatching(/^AIDA/),
      },
    });
    expect(r['userAgent']).toMatch(/aws-sdk-js/);
    expect(r['requestID']).toMatch(/^[0-9a-f-]{36}$/);

    const byUser = await lookup(accounts.dataScience1, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'ds1-scientist' }] });
    const names = byUser.map((x) => x.EventName);
    expect(names).toContain('GetCallerIdentity');
    expect(names).toContain('AssumeRole'); // the auditor session was assumed by ds1-scientist
    expect(byUser.every((x) => record(x)['userIdentity'].userName === 'ds1-scientist')).toBe(true);
  });

  it('records role sessions with their session context, and hides the credentials they were given', async () => {
    const session = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/ReadOnly', 'reader-1');
    await new IAMClient(clientConfig(server.url, session)).send(new ListRolesCommand({ MaxItems: 5 }));

    const [listed] = (await lookup(accounts.dataScience1, byName('ListRoles'))).filter((e) => e.Username === 'reader-1');
    expect(listed).toBeDefined();
    expect(listed!).toMatchObject({ EventSource: 'iam.amazonaws.com', ReadOnly: 'true', AccessKeyId: session.accessKeyId });
    expect(record(listed!)['userIdentity']).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::444444444444:assumed-role/ReadOnly/reader-1',
      accountId: accounts.dataScience1,
      accessKeyId: session.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::444444444444:role/ReadOnly', accountId: accounts.dataScience1, userName: 'ReadOnly', principalId: expect.stringMatching(/^AROA/) },
        attributes: { mfaAuthenticated: 'false', creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
      },
    });
    expect(record(listed!)['requestParameters']).toEqual({ maxItems: 5 });

    const assumed = (await lookup(accounts.dataScience1, byName('AssumeRole'))).find((e) => record(e)['requestParameters']?.roleSessionName === 'reader-1');
    expect(assumed).toBeDefined();
    const r = record(assumed!);
    expect(r['readOnly']).toBe(false);
    expect(r['requestParameters']).toEqual({ roleArn: 'arn:aws:iam::444444444444:role/ReadOnly', roleSessionName: 'reader-1' });
    expect(r['responseElements'].credentials).toEqual({ accessKeyId: session.accessKeyId, sessionToken: 'HIDDEN_DUE_TO_SECURITY_REASONS', expiration: expect.any(String) });
    expect(r['responseElements'].assumedRoleUser.arn).toBe('arn:aws:sts::444444444444:assumed-role/ReadOnly/reader-1');
    expect(assumed!.CloudTrailEvent).not.toContain(session.secretAccessKey);
    expect(assumed!.CloudTrailEvent).not.toContain(session.sessionToken);
    expect(assumed!.Resources).toEqual(
      expect.arrayContaining([
        { ResourceType: 'AWS::IAM::Role', ResourceName: 'arn:aws:iam::444444444444:role/ReadOnly' },
        { ResourceType: 'AWS::IAM::AccessKey', ResourceName: session.accessKeyId },
      ]),
    );
  });

  it('finds a denied call with its reason in the caller account', async () => {
    await expect(sts(users.ds2Scientist).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444444444444:role/DataScientist', RoleSessionName: 'sneaky' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const events = await lookup(accounts.dataScience2, byName('AssumeRole'));
    const denied = events.filter((e) => record(e)['errorCode'] === 'AccessDenied');
    expect(denied).toHaveLength(1);
    const r = record(denied[0]!);
    expect(r['errorMessage']).toContain('User: arn:aws:iam::555555555555:user/ds2-scientist is not authorized to perform: sts:AssumeRole');
    expect(r).toMatchObject({
      recipientAccountId: accounts.dataScience2,
      responseElements: null,
      requestParameters: { roleArn: 'arn:aws:iam::444444444444:role/DataScientist', roleSessionName: 'sneaky' },
      userIdentity: { type: 'IAMUser', userName: 'ds2-scientist', accountId: accounts.dataScience2 },
    });
  });

  it('records a cross-account role assumption in both accounts', async () => {
    const scientist = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist', 'ds1-work');
    await assume(scientist, `arn:aws:iam::${accounts.dataLake}:role/DataConsumer`, 'lake-read');

    const find = async (accountId: string) =>
      (await lookup(accountId, byName('AssumeRole'))).filter((e) => record(e)['requestParameters']?.roleSessionName === 'lake-read');
    const [inDs1] = await find(accounts.dataScience1);
    const [inLake] = await find(accounts.dataLake);
    expect(inDs1).toBeDefined();
    expect(inLake).toBeDefined();
    const a = record(inDs1!);
    const b = record(inLake!);
    expect(a['recipientAccountId']).toBe(accounts.dataScience1);
    expect(b['recipientAccountId']).toBe(accounts.dataLake);
    for (const r of [a, b]) {
      expect(r['userIdentity']).toMatchObject({
        type: 'AssumedRole',
        arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/ds1-work',
        accountId: accounts.dataScience1,
        sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::444444444444:role/DataScientist' } },
      });
      expect(r['resources']).toEqual([{ accountId: accounts.dataLake, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${accounts.dataLake}:role/DataConsumer` }]);
    }
    expect(a['sharedEventID']).toBeDefined();
    expect(a['sharedEventID']).toBe(b['sharedEventID']);
    expect(a['eventID']).not.toBe(b['eventID']);
    expect(a['requestID']).toBe(b['requestID']);
    // The other direction: data-science-2 sees nothing of it.
    expect((await lookup(accounts.dataScience2, byName('AssumeRole'))).some((e) => record(e)['requestParameters']?.roleSessionName === 'lake-read')).toBe(false);
  });

  it('pages newest first and answers CloudTrail errors', async () => {
    for (let i = 0; i < 5; i++) await sts(users.ds2Scientist).send(new GetCallerIdentityCommand({}));
    const times: number[] = [];
    const ids = new Set<string>();
    let pages = 0;
    const client = trail(await auditor(accounts.dataScience2));
    for await (const page of paginateLookupEvents({ client, pageSize: 2 }, byName('GetCallerIdentity'))) {
      pages++;
      for (const e of page.Events ?? []) {
        times.push(e.EventTime!.getTime());
        ids.add(e.EventId!);
      }
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(ids.size).toBe(times.length);
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    await expect(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'A' },
            { AttributeKey: 'Username', AttributeValue: 'b' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLookupAttributesException', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new LookupEventsCommand({ StartTime: new Date(), EndTime: new Date(Date.now() - 60_000) }))).rejects.toMatchObject({
      name: 'InvalidTimeRangeException',
    });
    await expect(client.send(new LookupEventsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('routes the JS SDK\'s own target prefix (CloudTrail_20131101) as well as botocore\'s', async () => {
    const out = await trail(await auditor(accounts.dataScience1)).send(new LookupEventsCommand({ MaxResults: 1 }));
    expect(out.Events).toBeDefined();
  });

  it('refuses LookupEvents to a caller without cloudtrail:LookupEvents, and records that too', async () => {
    await expect(trail(users.ds2Scientist).send(new LookupEventsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const denied = (await lookup(accounts.dataScience2, byName('LookupEvents'))).filter((e) => e.Username === 'ds2-scientist');
    expect(denied).toHaveLength(1);
    expect(record(denied[0]!)['errorMessage']).toContain('is not authorized to perform: cloudtrail:LookupEvents');
  });
});

describe.skipIf(!hasBoto3)('CloudTrail LookupEvents with boto3', () => {
  it('lookup_events finds the session\'s calls and pages with the paginator', async () => {
    const r = await run(python, [join(here, 'boto3_lookup_events.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: users.orgAdmin.accessKeyId,
      MLZONE_SECRET: users.orgAdmin.secretAccessKey,
      MLZONE_ROLE: 'arn:aws:iam::111111111111:role/Admin',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toHaveLength(1);
    expect(out.events[0]).toMatchObject({ EventName: 'GetCallerIdentity', Username: 'boto3-audit', AccessKeyId: out.session_key });
    expect(out.events[0].CloudTrailEvent.userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111111111111:assumed-role/Admin/boto3-audit',
      sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111111111111:role/Admin' } },
    });
    expect(out.events[0].CloudTrailEvent.userAgent).toMatch(/Boto3|botocore/);
    expect(out.paged).toBeGreaterThanOrEqual(2);
    expect(out.two_attributes).toEqual({ code: 'InvalidLookupAttributesException', status: 400 });
  });
});
