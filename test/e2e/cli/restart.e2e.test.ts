import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { clientConfig, users } from '../support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('mlzone up keeps state', () => {
  it('keeps acknowledged writes and issued sessions across kill -9 and a restart', async () => {
    const first = await startCli(['--data-dir', dataDir]);
    expect(first.stdout()).toContain('data-science-1     444444444444');
    const admin = new STSClient(clientConfig(first.url, users.orgAdmin));
    const session = await admin.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/Admin', RoleSessionName: 'restart', DurationSeconds: 3600 }));
    const creds = { accessKeyId: session.Credentials!.AccessKeyId!, secretAccessKey: session.Credentials!.SecretAccessKey!, sessionToken: session.Credentials!.SessionToken! };
    const names = Array.from({ length: 5 }, (_, i) => `Kept${i}`);
    for (const RoleName of names) {
      await new IAMClient(clientConfig(first.url, creds)).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await startCli(['--data-dir', dataDir]);
    try {
      const iam = new IAMClient(clientConfig(second.url, creds));
      for (const RoleName of names) {
        const role = await iam.send(new GetRoleCommand({ RoleName }));
        expect(role.Role!.Arn).toBe(`arn:aws:iam::111111111111:role/${RoleName}`);
      }
      const id = await new STSClient(clientConfig(second.url, creds)).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe('arn:aws:sts::111111111111:assumed-role/Admin/restart');
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('refuses a bad blueprint with a message naming the field', async () => {
    const bad = join(dataDir, 'bad.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, 'version: 1\norganization: { id: o-abcdefghij, managementAccount: m }\naccounts:\n  - { name: m, id: "12" }\n');
    await expect(startCli(['--ephemeral', '--blueprint', bad])).rejects.toThrow("blueprint: accounts[0].id: '12' is not a 12-digit account id");
  });
});
