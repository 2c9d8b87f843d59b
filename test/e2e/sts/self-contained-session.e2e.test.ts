/**
 * Session tokens carry their session (issue #13, "What broke" 1): the AWS CLI and boto3 cache assumed-role
 * credentials without the endpoint, so a token issued by yesterday's mlzone is sent to today's. Any server
 * started from the same blueprint accepts it until it expires; another blueprint or secret, a changed byte or
 * an expired token get AWS's refusals.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListRolesCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, type CliServer } from '../support/cli-process.js';
import { clientConfig, startTestServer, users } from '../support/server.js';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };
const dir = mkdtempSync(join(tmpdir(), 'mlzone-sessions-'));
const started: CliServer[] = [];
afterAll(async () => {
  for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function up(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliServer> {
  const s = await startCli(args, { MLZONE_SESSION_SECRET: '', ...env });
  started.push(s);
  return s;
}

async function assumeAdmin(url: string, duration = 3600): Promise<Creds> {
  const out = await new STSClient(clientConfig(url, users.orgAdmin)).send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/Admin', RoleSessionName: 'cached', DurationSeconds: duration }),
  );
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

const whoAmI = (url: string, creds: Creds) => new STSClient(clientConfig(url, creds)).send(new GetCallerIdentityCommand({}));
const invalid = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', $metadata: expect.objectContaining({ httpStatusCode: 403 }) };

describe('self-contained session tokens', () => {
  it('a session from one `mlzone up --ephemeral` works on the next; another secret refuses it', async () => {
    const first = await up(['--ephemeral']);
    const creds = await assumeAdmin(first.url);
    expect(creds.sessionToken.length).toBeLessThan(1200);
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await up(['--ephemeral']);
    const id = await whoAmI(second.url, creds);
    expect(id.Arn).toBe('arn:aws:sts::111111111111:assumed-role/Admin/cached');
    const roles = await new IAMClient(clientConfig(second.url, creds)).send(new ListRolesCommand({}));
    expect(roles.Roles!.some((r) => r.RoleName === 'Admin')).toBe(true);
    // The key id names its account, whichever server is asked.
    const info = await new STSClient(clientConfig(second.url, creds)).send(new GetAccessKeyInfoCommand({ AccessKeyId: creds.accessKeyId }));
    expect(info.Account).toBe('111111111111');
    second.child.kill('SIGTERM');

    const shared = await up(['--ephemeral'], { MLZONE_SESSION_SECRET: 'a secret the team shares' });
    await expect(whoAmI(shared.url, creds)).rejects.toMatchObject(invalid);
    // …while the sessions it issues work on another server given the same secret.
    const sharedCreds = await assumeAdmin(shared.url);
    shared.child.kill('SIGTERM');
    const replica = await up(['--ephemeral', '--session-secret', 'a secret the team shares']);
    expect((await whoAmI(replica.url, sharedCreds)).Arn).toBe('arn:aws:sts::111111111111:assumed-role/Admin/cached');
    replica.child.kill('SIGTERM');
  }, 60_000);

  it('a server started from another blueprint refuses the token', async () => {
    const a = await startTestServer();
    const creds = await assumeAdmin(a.url);
    await a.close();
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync('blueprints/default.yaml', 'utf8').replace('management@mlzone.example', 'root@other.example'));
    const b = await startTestServer({ blueprintPath: other });
    try {
      await expect(whoAmI(b.url, creds)).rejects.toMatchObject(invalid);
    } finally {
      await b.close();
    }
  });

  it('refuses a token with a changed byte, and an expired one with ExpiredToken', async () => {
    const server = await startTestServer();
    try {
      const creds = await assumeAdmin(server.url, 900);
      expect((await whoAmI(server.url, creds)).Account).toBe('111111111111');
      const raw = Buffer.from(creds.sessionToken.slice('IQoJmlzone'.length), 'base64');
      raw[Math.floor(raw.length / 2)]! ^= 0x20;
      const flipped = { ...creds, sessionToken: 'IQoJmlzone' + raw.toString('base64') };
      await expect(whoAmI(server.url, flipped)).rejects.toMatchObject(invalid);
      // Another session's token with this key id does not open either (the key id is sealed in).
      const other = await assumeAdmin(server.url);
      await expect(whoAmI(server.url, { ...creds, sessionToken: other.sessionToken })).rejects.toMatchObject(invalid);

      server.advance(901_000);
      await expect(whoAmI(server.url, creds)).rejects.toMatchObject({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        $metadata: expect.objectContaining({ httpStatusCode: 403 }),
      });
    } finally {
      await server.close();
    }
  });
});
