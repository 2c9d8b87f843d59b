import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let mgmtAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer();
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
});
afterAll(() => server.close());

describe('session tags, source identity and chaining', () => {
  it('requires sts:TagSession, carries tags into aws:PrincipalTag and keeps transitive tags through a chain', async () => {
    const iam = new IAMClient(clientConfig(server.url, mgmtAdmin));
    const team = unique('TeamScoped');
    const noTags = unique('NoTagSession');
    const trust = (actions: string[]) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Admin' }, Action: actions }] });
    await iam.send(new CreateRoleCommand({ RoleName: noTags, AssumeRolePolicyDocument: trust(['sts:AssumeRole']) }));
    await iam.send(new CreateRoleCommand({ RoleName: team, AssumeRolePolicyDocument: trust(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']) }));
    // Only sessions tagged team=ds1 may call GetRole on themselves... use an IAM read gated on the tag.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: team,
        PolicyName: 'tag-gated',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ds1' } } }],
        }),
      }),
    );
    await expect(assumeRole(server.url, mgmtAdmin, `arn:aws:iam::111111111111:role/${noTags}`, { Tags: [{ Key: 'team', Value: 'ds1' }] })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('sts:TagSession'),
    });
    const tagged = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::111111111111:role/${team}`, { Tags: [{ Key: 'team', Value: 'ds1' }], SourceIdentity: 'alice' });
    await expect(new IAMClient(clientConfig(server.url, tagged)).send(new (await import('@aws-sdk/client-iam')).ListRolesCommand({}))).resolves.toBeDefined();
    const other = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::111111111111:role/${team}`, { Tags: [{ Key: 'team', Value: 'ds2' }] });
    await expect(new IAMClient(clientConfig(server.url, other)).send(new (await import('@aws-sdk/client-iam')).ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    const id = await new STSClient(clientConfig(server.url, tagged)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::111111111111:assumed-role/${team}/e2e`);
  });
});
