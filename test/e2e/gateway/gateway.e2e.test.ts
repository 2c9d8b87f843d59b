import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('gateway', () => {
  it('reports health, version and the implemented operations', async () => {
    const res = await fetch(`${server.url}/_mlzone/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; services: Record<string, string[]> };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.services.sts).toEqual(expect.arrayContaining(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken']));
    expect(body.services.iam).toEqual(expect.arrayContaining(['CreateRole', 'GetRole', 'ListRoles', 'CreatePolicyVersion']));
    expect(body.services.sts).not.toContain('AssumeRoleWithSAML');
  });

  it('answers an unknown JSON target with an AWS-shaped JSON error, never a 500', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'NoSuchService_20200101.DoThing', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownService');
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownService');
  });

  it('answers an unknown query action with a query error', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchAction&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('<RequestId>');
  });

  it('refuses an unsigned call with MissingAuthenticationToken', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('answers an operation mlzone does not implement with AWS not-implemented shape', async () => {
    const sts = new STSClient(clientConfig(server.url, users.ds1Scientist));
    await expect(
      sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: 'arn:aws:iam::444444444444:role/DataScientist', RoleSessionName: 'web', WebIdentityToken: 'x'.repeat(20) })),
    ).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });

  it('puts request ids where each protocol carries them', async () => {
    const sts = new STSClient(clientConfig(server.url, users.ds1Scientist));
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('auth modes', () => {
  it('accounts: a 12-digit access key acts as that account root without a signature check', async () => {
    const loose = await startTestServer({ auth: 'accounts' });
    try {
      const sts = new STSClient(clientConfig(loose.url, { accessKeyId: '555555555555', secretAccessKey: 'anything' }));
      const id = await sts.send(new GetCallerIdentityCommand({}));
      expect(id).toMatchObject({ Account: '555555555555', Arn: 'arn:aws:iam::555555555555:root' });
      const user = await new STSClient(clientConfig(loose.url, { ...users.ds1Scientist, secretAccessKey: 'wrong' })).send(new GetCallerIdentityCommand({}));
      expect(user.Arn).toBe('arn:aws:iam::444444444444:user/ds1-scientist');
    } finally {
      await loose.close();
    }
  });

  it('off: every caller is the management account root', async () => {
    const open = await startTestServer({ auth: 'off' });
    try {
      const id = await new STSClient(clientConfig(open.url, { accessKeyId: 'test', secretAccessKey: 'test' })).send(new GetCallerIdentityCommand({}));
      expect(id).toMatchObject({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:root' });
    } finally {
      await open.close();
    }
  });

  it('strict: a 12-digit key is just an unknown key', async () => {
    const sts = new STSClient(clientConfig(server.url, { accessKeyId: '555555555555', secretAccessKey: 'anything' }));
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });
});
