import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const sts = (creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => new STSClient(clientConfig(server.url, creds));

async function assume(creds: Parameters<typeof sts>[0], roleArn: string, extra: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}) {
  const out = await sts(creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'e2e', ...extra }));
  return {
    out,
    creds: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! },
  };
}

describe('STS with the JS SDK v3', () => {
  it('GetCallerIdentity answers for an IAM user', async () => {
    const id = await sts(users.ds1Scientist).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(accounts.dataScience1);
    expect(id.Arn).toBe('arn:aws:iam::444444444444:user/ds1-scientist');
    expect(id.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it('AssumeRole returns working temporary credentials for a persona', async () => {
    const { out, creds } = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist', { DurationSeconds: 900 });
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    const expiry = out.Credentials!.Expiration!.getTime();
    expect(Math.abs(expiry - (Date.now() + 900_000))).toBeLessThan(10_000);
    expect(out.AssumedRoleUser!.Arn).toBe('arn:aws:sts::444444444444:assumed-role/DataScientist/e2e');
    expect(out.AssumedRoleUser!.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:e2e$/);
    const id = await sts(creds).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:sts::444444444444:assumed-role/DataScientist/e2e');
    expect(id.UserId).toBe(out.AssumedRoleUser!.AssumedRoleId);
  });

  it('chains into another account and caps the chained session at one hour', async () => {
    const { creds } = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist');
    const lake = await assume(creds, `arn:aws:iam::${accounts.dataLake}:role/DataConsumer`);
    const id = await sts(lake.creds).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(accounts.dataLake);
    await expect(
      sts(creds).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accounts.dataLake}:role/DataConsumer`, RoleSessionName: 'long', DurationSeconds: 7200 })),
    ).rejects.toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
  });

  it('refuses a role whose trust policy does not name the caller', async () => {
    await expect(assume(users.ds2Scientist, 'arn:aws:iam::444444444444:role/DataScientist')).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('User: arn:aws:iam::555555555555:user/ds2-scientist is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/DataScientist'),
    });
  });

  it('refuses a duration above the role maximum', async () => {
    await expect(assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist', { DurationSeconds: 7200 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
  });

  it('answers bad input with AWS validation wording', async () => {
    await expect(
      sts(users.ds1Scientist).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444444444444:role/DataScientist', RoleSessionName: 'bad name!' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /),
    });
    await expect(
      sts(users.ds1Scientist).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444444444444:role/DataScientist', RoleSessionName: 'ok', DurationSeconds: 10 })),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining("Value '10' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900") });
  });

  it('GetSessionToken works for a user and is refused with session credentials', async () => {
    const out = await sts(users.ds1Scientist).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const id = await sts(creds).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:iam::444444444444:user/ds1-scientist');
    await expect(sts(creds).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    await expect(sts({ ...users.ds1Scientist, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('rejects an unknown key with InvalidClientTokenId', async () => {
    await expect(sts({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('rejects a session token that does not belong to the key', async () => {
    const { creds } = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist');
    await expect(sts({ ...creds, sessionToken: 'forged' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    // Also once the real token has been seen (the server remembers the token that matched, not any token).
    await sts(creds).send(new GetCallerIdentityCommand({}));
    const tampered = creds.sessionToken.slice(0, -4) + (creds.sessionToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(sts({ ...creds, sessionToken: tampered }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    expect((await sts(creds).send(new GetCallerIdentityCommand({}))).Arn).toContain(':assumed-role/DataScientist/');
  });

  it('rejects an expired session with ExpiredToken', async () => {
    const { creds } = await assume(users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist', { DurationSeconds: 900 });
    server.advance(901_000);
    try {
      await expect(sts(creds).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
      });
    } finally {
      server.advance(-901_000);
    }
  });
});
