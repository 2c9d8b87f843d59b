/**
 * `mlzone status` and `mlzone profiles` against a running `mlzone up` (child processes, as users run them): the
 * organization at a glance, `--json` for scripts, and a vended account present everywhere at once — in the status,
 * with a profile whose role the AWS CLI can assume — and still there after a restart on the same data dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, type CliServer } from '../support/cli-process.js';
import { hasCommand, run } from '../support/processes.js';
import { assumeRole } from '../support/sessions.js';
import { clientConfig, users } from '../support/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'mlzone-org-status-'));
const home = mkdtempSync(join(tmpdir(), 'mlzone-org-status-home-'));
let server: CliServer | undefined;
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { HOME: home });

interface StatusJson {
  organization: { id: string; managementAccountId: string; accounts: Array<{ id: string; name: string; status: string; ou?: string; personas: string[]; resources: { roles: number } }> };
}

describe('the organization from the command line', () => {
  let vended = '';

  it('vends data-science-3 in under 500 ms; `mlzone status` prints it with the landing zone, `--json` for scripts', async () => {
    server = await startCli(['--data-dir', dataDir]);
    const admin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
    const orgs = new OrganizationsClient(clientConfig(server.url, admin));
    const started = Date.now();
    const req = await orgs.send(new CreateAccountCommand({ Email: 'data-science-3@mlzone.example', AccountName: 'data-science-3' }));
    for (;;) {
      const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: req.CreateAccountStatus!.Id! }))).CreateAccountStatus!;
      if (s.State === 'SUCCEEDED') {
        vended = s.AccountId!;
        break;
      }
      expect(s.State).toBe('IN_PROGRESS');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(Date.now() - started).toBeLessThan(500);

    const text = await cli(['status', '--endpoint', server.url]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('organization o-mlzone0001 (management account 111111111111), 9 accounts');
    expect(lines[1]).toMatch(/^ACCOUNT\s+NAME\s+STATUS\s+OU\s+ROLES\s+USERS\s+BUCKETS\s+REPOS\s+SAGEMAKER\s+PERSONAS$/);
    expect(lines.find((l) => l.startsWith('444444444444'))).toMatch(/^444444444444\s+data-science-1\s+ACTIVE\s+Workloads\/Development\s+\d+\s+\d+\s+\d+\s+\d+\s+\S.*scientist/);
    expect(lines.find((l) => l.startsWith(vended))).toMatch(new RegExp(`^${vended}\\s+data-science-3\\s+ACTIVE\\s+\\(root\\)\\s+1\\s+0\\s+0\\s+0\\s+-\\s+-$`));
    expect(text.stdout).toContain('no endpoint is running');

    const json = await cli(['status', '--json', '--endpoint', server.url]);
    const body = JSON.parse(json.stdout) as StatusJson;
    expect(body.organization.id).toBe('o-mlzone0001');
    expect(body.organization.accounts.find((a) => a.id === vended)).toMatchObject({ name: 'data-science-3', status: 'ACTIVE', ou: '', personas: [], resources: { roles: 1 } });
  });

  it('`mlzone profiles` lists the vended account, and the AWS CLI reaches it through that profile', async () => {
    const r = await cli(['profiles', '--endpoint', server!.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `[profile data-science-3-admin]\nregion = us-east-1\nendpoint_url = ${server!.url}\noutput = json\nrole_arn = arn:aws:iam::${vended}:role/OrganizationAccountAccessRole\nsource_profile = mgmt-admin`,
    );
    if (!hasCommand('aws')) return;
    const config = r.stdout.slice(r.stdout.indexOf('# ~/.aws/config') + '# ~/.aws/config'.length, r.stdout.indexOf('# ~/.aws/credentials'));
    const credentials = r.stdout.slice(r.stdout.indexOf('# ~/.aws/credentials') + '# ~/.aws/credentials'.length);
    writeFileSync(join(home, 'config'), config);
    writeFileSync(join(home, 'credentials'), credentials);
    const who = await run('aws', ['--profile', 'data-science-3-admin', 'sts', 'get-caller-identity', '--output', 'json'], {
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      HOME: home,
    });
    expect(who.stderr).toBe('');
    expect((JSON.parse(who.stdout) as { Arn: string }).Arn).toBe(`arn:aws:sts::${vended}:assumed-role/OrganizationAccountAccessRole/data-science-3-admin`);
  });

  it('keeps the vended account across a restart: in the status and in the profiles', async () => {
    server!.child.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
    server = await startCli(['--data-dir', dataDir]);
    const body = JSON.parse((await cli(['status', '--json', '--endpoint', server.url])).stdout) as StatusJson;
    expect(body.organization.accounts.find((a) => a.id === vended)).toMatchObject({ name: 'data-science-3', status: 'ACTIVE' });
    expect((await cli(['profiles', '--endpoint', server.url])).stdout).toContain('[profile data-science-3-admin]');
  });
});
