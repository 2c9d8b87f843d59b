/**
 * The bounded event history through the app, with real clients: the configured cap per account (`--audit-max-events`,
 * AppConfig.auditHistory) keeps the newest events of each account; LookupEvents shows what is left. (The 90-day window
 * by the injected clock is tested on the store: src/services/cloudtrail/retention.test.ts.)
 */
import { CloudTrailClient, paginateLookupEvents, type Event } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  // A sweep every 200 ms so the test need not wait a minute.
  server = await startTestServer({ auditHistory: { maxEventsPerAccount: 8, sweepIntervalMs: 200 } });
});
afterAll(() => server.close());

/** The account's history as its ReadOnly auditor sees it. */
async function history(): Promise<Event[]> {
  const out = await new STSClient(clientConfig(server.url, users.ds1Scientist)).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accounts.dataScience1}:role/ReadOnly`, RoleSessionName: 'auditor' }),
  );
  const c = out.Credentials!;
  const trail = new CloudTrailClient(clientConfig(server.url, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }));
  const events: Event[] = [];
  for await (const page of paginateLookupEvents({ client: trail }, {})) events.push(...(page.Events ?? []));
  return events;
}

describe('bounded event history', () => {
  it('keeps the newest events of an account up to its cap', async () => {
    const sts = new STSClient(clientConfig(server.url, users.ds1Scientist));
    for (let i = 0; i < 20; i++) await sts.send(new GetCallerIdentityCommand({}));
    // The sweep brings the account back to its cap; the newest calls are the ones kept (each lookup's own
    // AssumeRole and LookupEvents are events of this account too).
    await expect.poll(async () => (await history()).length, { timeout: 10_000, interval: 300 }).toBeLessThanOrEqual(10);
    const kept = await history();
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.map((e) => e.EventName)).toContain('GetCallerIdentity');
    const times = kept.map((e) => e.EventTime!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
