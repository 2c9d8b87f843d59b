/**
 * The newcomer's scenario end to end, with the AWS CLI (v1 on PATH, which follows role_arn/source_profile and
 * endpoint_url in profiles, and caches role sessions in ~/.aws/cli/cache) and boto3, against `mlzone up` run from
 * the built CLI: `mlzone profiles --write` into a temporary HOME; a role profile call; stop; `mlzone up --ephemeral`
 * on the same port, where the CLI's cached session still works; then the org admin vends data-science-3 into the
 * Development OU, administers it through its OrganizationAccountAccessRole, a data scientist there meets
 * data-science-1's SCPs, the account is closed and its role answers no one — and the organization trail's files in
 * the log bucket hold these calls.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlzone, startCli, type CliServer } from '../support/cli-process.js';
import { ORG_ID, trailBucketPolicy, trailPrefix } from '../support/organization.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { accounts } from '../support/server.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlzone-scenario-'));
const home = join(scratch, 'home');
mkdirSync(home);
const PROD_BUCKET = `mlzone-prod-models-${accounts.production}`;
const LOG_BUCKET = `mlzone-trail-logs-${accounts.management}`;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${accounts.management}:trail/org-trail`;
const SCP_DENY = 'with an explicit deny in a service control policy';

let port = 0;
let url = '';
let server: CliServer | undefined;
let env: NodeJS.ProcessEnv = {};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return p;
}

async function stop(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  await server.exited;
  server = undefined;
}

const aws = (args: string[]) => run('aws', args, env);
/** An AWS CLI call that must succeed; its JSON output. */
async function awsJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await aws([...args, '--output', 'json']);
  expect(r.code, `aws ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}
const boto3 = async <T>(args: string[]): Promise<T> => {
  const r = await run(python, [join(import.meta.dirname, 'scenario_boto3.py'), ...args], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

const cacheDir = join(home, '.aws', 'cli', 'cache');
const cachedSessions = () => Object.fromEntries(readdirSync(cacheDir).map((f) => [f, readFileSync(join(cacheDir, f), 'utf8')]));

beforeAll(async () => {
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    HOME: home,
    MLZONE_ENDPOINT: url,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_CONFIG_FILE: undefined,
    AWS_SHARED_CREDENTIALS_FILE: undefined,
  };
});

afterAll(async () => {
  await stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

const ready = hasCommand('aws') && hasBoto3;

describe.skipIf(!ready)('a newcomer with the AWS CLI and boto3', () => {
  let newAccount = '';

  it("keeps using a role profile's cached session after a restart on fresh state (--ephemeral)", async () => {
    server = await startCli(['--port', String(port), '--data-dir', join(scratch, 'data')], {}, 'bin');
    expect(server.url).toBe(url);
    const wrote = await mlzone(['profiles', '--write'], env);
    expect(wrote.code, wrote.stderr).toBe(0);
    expect(wrote.stdout).toContain(`wrote ${join(home, '.aws', 'config')}`);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toContain(`endpoint_url = ${url}`);

    const before = await awsJson<{ Arn: string }>(['--profile', 'ds1-scientist', 'sts', 'get-caller-identity']);
    expect(before.Arn).toBe('arn:aws:sts::444444444444:assumed-role/DataScientist/ds1-scientist');
    const cached = cachedSessions();
    expect(Object.keys(cached).length).toBe(1);

    await stop();
    server = await startCli(['--port', String(port), '--ephemeral'], {}, 'bin');
    expect(server.stdout()).toContain('ephemeral');
    const after = await awsJson<{ Arn: string }>(['--profile', 'ds1-scientist', 'sts', 'get-caller-identity']);
    expect(after.Arn).toBe(before.Arn);
    // The CLI sent yesterday's session: it did not assume the role again (the cache would have been rewritten).
    expect(cachedSessions()).toEqual(cached);
  }, 180_000);

  it('the org admin sets up an organization trail into a log bucket', async () => {
    await awsJson(['--profile', 'mgmt-admin', 's3api', 'create-bucket', '--bucket', LOG_BUCKET]);
    await awsJson(['--profile', 'mgmt-admin', 's3api', 'put-bucket-policy', '--bucket', LOG_BUCKET, '--policy', trailBucketPolicy(LOG_BUCKET, TRAIL_ARN)]);
    const trail = await awsJson(['--profile', 'mgmt-admin', 'cloudtrail', 'create-trail', '--name', 'org-trail', '--s3-bucket-name', LOG_BUCKET, '--is-organization-trail', '--is-multi-region-trail']);
    expect(trail).toMatchObject({ TrailARN: TRAIL_ARN, IsOrganizationTrail: true });
    await awsJson(['--profile', 'mgmt-admin', 'cloudtrail', 'start-logging', '--name', 'org-trail']);
  }, 240_000);

  it('vends data-science-3 into Development, assumes its OrganizationAccountAccessRole and creates a role there', async () => {
    const created = await awsJson<{ CreateAccountStatus: { Id: string; State: string } }>([
      '--profile', 'mgmt-admin', 'organizations', 'create-account', '--email', 'data-science-3@mlzone.example', '--account-name', 'data-science-3',
    ]);
    expect(created.CreateAccountStatus.State).toBe('IN_PROGRESS');
    let status = created.CreateAccountStatus as { State: string; AccountId?: string };
    for (let i = 0; status.State === 'IN_PROGRESS' && i < 50; i++) {
      const d = await awsJson<{ CreateAccountStatus: typeof status }>(['--profile', 'mgmt-admin', 'organizations', 'describe-create-account-status', '--create-account-request-id', created.CreateAccountStatus.Id]);
      status = d.CreateAccountStatus;
    }
    expect(status.State).toBe('SUCCEEDED');
    newAccount = status.AccountId!;

    const root = (await awsJson<{ Roots: Array<{ Id: string }> }>(['--profile', 'mgmt-admin', 'organizations', 'list-roots'])).Roots[0]!.Id;
    const ou = async (parent: string, name: string) =>
      (await awsJson<{ OrganizationalUnits: Array<{ Id: string; Name: string }> }>(['--profile', 'mgmt-admin', 'organizations', 'list-organizational-units-for-parent', '--parent-id', parent])).OrganizationalUnits.find(
        (o) => o.Name === name,
      )!.Id;
    const development = await ou(await ou(root, 'Workloads'), 'Development');
    await awsJson(['--profile', 'mgmt-admin', 'organizations', 'move-account', '--account-id', newAccount, '--source-parent-id', root, '--destination-parent-id', development]);
    const parents = await awsJson<{ Parents: Array<{ Id: string }> }>(['--profile', 'mgmt-admin', 'organizations', 'list-parents', '--child-id', newAccount]);
    expect(parents.Parents[0]!.Id).toBe(development);

    // Profiles for the new account, chained from the org admin's, as a platform team adds them.
    appendFileSync(
      join(home, '.aws', 'config'),
      `\n[profile ds3-admin]\nregion = us-east-1\nendpoint_url = ${url}\nrole_arn = arn:aws:iam::${newAccount}:role/OrganizationAccountAccessRole\nsource_profile = mgmt-admin\n` +
        `\n[profile ds3-scientist]\nregion = us-east-1\nendpoint_url = ${url}\nrole_arn = arn:aws:iam::${newAccount}:role/DataScientist\nsource_profile = ds3-admin\n`,
    );
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${newAccount}:root` }, Action: 'sts:AssumeRole' }] };
    const role = await awsJson<{ Role: { Arn: string } }>(['--profile', 'ds3-admin', 'iam', 'create-role', '--role-name', 'DataScientist', '--assume-role-policy-document', JSON.stringify(trust)]);
    expect(role.Role.Arn).toBe(`arn:aws:iam::${newAccount}:role/DataScientist`);
    // Everything in S3 allowed: only the organization's SCPs can refuse.
    const allS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    await awsJson(['--profile', 'ds3-admin', 'iam', 'put-role-policy', '--role-name', 'DataScientist', '--policy-name', 'all-s3', '--policy-document', JSON.stringify(allS3)]);
    const me = await awsJson<{ Arn: string }>(['--profile', 'ds3-scientist', 'sts', 'get-caller-identity']);
    expect(me.Arn).toMatch(new RegExp(`^arn:aws:sts::${newAccount}:assumed-role/DataScientist/`));
  }, 420_000);

  it("binds a data scientist there by data-science-1's SCPs (boto3)", async () => {
    const ds3 = await boto3<{ code?: string; message?: string }>(['list-objects', 'ds3-scientist', PROD_BUCKET]);
    expect(ds3.code).toBe('AccessDenied');
    expect(ds3.message).toContain(`arn:aws:sts::${newAccount}:assumed-role/DataScientist/`);
    expect(ds3.message).toContain(SCP_DENY);
    const ds1 = await boto3<{ code?: string; message?: string }>(['list-objects', 'ds1-orgaccess', PROD_BUCKET]);
    expect(ds1.code).toBe('AccessDenied');
    expect(ds1.message).toContain(SCP_DENY);
    // Not a blanket refusal: outside production, the same session's s3:* works.
    const buckets = await awsJson<{ Buckets: unknown[] }>(['--profile', 'ds3-scientist', 's3api', 'list-buckets']);
    expect(Array.isArray(buckets.Buckets)).toBe(true);
  }, 240_000);

  it('closes the account: SUSPENDED, and its role answers no one, a cached session included', async () => {
    await awsJson(['--profile', 'mgmt-admin', 'organizations', 'close-account', '--account-id', newAccount]);
    const a = await awsJson<{ Account: { Status: string } }>(['--profile', 'mgmt-admin', 'organizations', 'describe-account', '--account-id', newAccount]);
    expect(a.Account.Status).toBe('SUSPENDED');
    const assume = await aws(['--profile', 'mgmt-admin', 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${newAccount}:role/OrganizationAccountAccessRole`, '--role-session-name', 'late']);
    expect(assume.code).not.toBe(0);
    expect(assume.stderr).toContain('(AccessDenied) when calling the AssumeRole operation');
    const cached = await aws(['--profile', 'ds3-admin', 'iam', 'list-roles']);
    expect(cached.code).not.toBe(0);
    expect(cached.stderr).toContain('(AccessDenied) when calling the ListRoles operation');
  }, 240_000);

  it("delivers these calls to the log bucket as the trail's gzipped files (boto3 reads them)", async () => {
    type Delivered = Array<{ key: string; records: Array<{ eventName: string; recipientAccountId: string; userIdentity: { arn?: string } }> }>;
    const read = async (account: string, wanted: string[]) => {
      for (let i = 0; ; i++) {
        const files = await boto3<Delivered>(['trail', 'mgmt-admin', LOG_BUCKET, trailPrefix(account)]);
        const names = files.flatMap((f) => f.records.map((r) => r.eventName));
        if (wanted.every((w) => names.includes(w)) || i >= 20) return files;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    };
    const vended = await read(newAccount, ['CreateRole', 'PutRolePolicy']);
    expect(vended.length).toBeGreaterThan(0);
    for (const f of vended) expect(f.key).toMatch(new RegExp(`^AWSLogs/${ORG_ID}/${newAccount}/CloudTrail/us-east-1/\\d{4}/\\d{2}/\\d{2}/${newAccount}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[0-9a-f]{16}\\.json\\.gz$`));
    const createRole = vended.flatMap((f) => f.records).find((r) => r.eventName === 'CreateRole');
    expect(createRole).toMatchObject({ recipientAccountId: newAccount, userIdentity: { arn: expect.stringContaining(`:assumed-role/OrganizationAccountAccessRole/`) } });

    const management = await read(accounts.management, ['CreateAccount', 'MoveAccount', 'CloseAccount']);
    expect(management.flatMap((f) => f.records.map((r) => r.eventName))).toEqual(expect.arrayContaining(['StartLogging', 'CreateAccount', 'MoveAccount', 'CloseAccount']));
  }, 240_000);
});
