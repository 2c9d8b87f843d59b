import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasCommand, run } from '../support/processes.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let env: NodeJS.ProcessEnv;
let cleanup: () => void;

beforeAll(async () => {
  server = await startTestServer();
  ({ env, remove: cleanup } = cliProfiles(server));
});
afterAll(async () => {
  await server.close();
  cleanup();
});

// CLI v1 on PATH (botocore 1.43) honours `endpoint_url` in profiles, also for the STS call behind role_arn.
const bin = 'aws';
const present = hasCommand('aws');

describe('AWS CLI v1 with profiles from `mlzone profiles`', () => {
  it.skipIf(!present)('answers get-caller-identity for two personas in two accounts through role_arn profiles', async () => {
    const ds1 = await run(bin, ['--profile', 'ds1-scientist', 'sts', 'get-caller-identity', '--output', 'json'], env);
    expect(ds1.stderr).toBe('');
    expect(JSON.parse(ds1.stdout)).toMatchObject({ Account: '444444444444', Arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/ds1-scientist' });
    const prod = await run(bin, ['--profile', 'prod-app', 'sts', 'get-caller-identity', '--output', 'json'], env);
    expect(JSON.parse(prod.stdout)).toMatchObject({ Account: '777777777777', Arn: 'arn:aws:sts::777777777777:assumed-role/ProdApp/prod-app' });
  });

  it.skipIf(!present)('assumes a role in another account through a chained profile', async () => {
    const r = await run(bin, ['--profile', 'lake-consumer', 'sts', 'get-caller-identity', '--output', 'json'], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ Account: '333333333333', Arn: 'arn:aws:sts::333333333333:assumed-role/DataConsumer/lake-consumer' });
  });

  it.skipIf(!present)('reports a trust-policy refusal as AccessDenied', async () => {
    const r = await run(
      bin,
      ['--profile', 'user-ds2-scientist', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::444444444444:role/DataScientist', '--role-session-name', 'x1'],
      env,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('(AccessDenied)');
    expect(r.stderr).toContain('is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/DataScientist');
  });

  it.skipIf(!present)('lists IAM roles and reports a validation error in AWS wording', async () => {
    const list = await run(bin, ['--profile', 'ds1-scientist', 'iam', 'list-roles', '--output', 'json'], env);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout).Roles.map((r: { RoleName: string }) => r.RoleName)).toContain('DataScientist');
    const bad = await run(bin, ['--profile', 'user-org-admin', 'iam', 'get-role', '--role-name', 'bad/name'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('(ValidationError)');
    expect(bad.stderr).toContain("1 validation error detected: Value 'bad/name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern");
  });
});

// Debian's CLI v2 (2.9) predates `endpoint_url` in profiles (2.13), so it gets --endpoint-url and user profiles.
const v2 = '/usr/bin/aws';
describe.skipIf(!existsSync(v2))('AWS CLI v2 (/usr/bin/aws) with --endpoint-url', () => {
  const cli = (args: string[]) => run(v2, ['--endpoint-url', server.url, '--output', 'json', ...args], env);

  it('assumes a cross-account role and calls as the session', async () => {
    const id = await cli(['--profile', 'user-ds1-scientist', 'sts', 'get-caller-identity']);
    expect(JSON.parse(id.stdout).Arn).toBe('arn:aws:iam::444444444444:user/ds1-scientist');
    const ds = JSON.parse((await cli(['--profile', 'user-ds1-scientist', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::444444444444:role/DataScientist', '--role-session-name', 'v2'])).stdout);
    const sessionEnv = { AWS_ACCESS_KEY_ID: ds.Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: ds.Credentials.SecretAccessKey, AWS_SESSION_TOKEN: ds.Credentials.SessionToken, AWS_DEFAULT_REGION: 'us-east-1' };
    const lake = await run(v2, ['--endpoint-url', server.url, '--output', 'json', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::333333333333:role/DataConsumer', '--role-session-name', 'v2lake'], { ...env, ...sessionEnv });
    expect(lake.stderr).toBe('');
    expect(JSON.parse(lake.stdout).AssumedRoleUser.Arn).toBe('arn:aws:sts::333333333333:assumed-role/DataConsumer/v2lake');
  });

  it('reports AccessDenied and validation errors', async () => {
    const denied = await cli(['--profile', 'user-ds2-scientist', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::444444444444:role/DataScientist', '--role-session-name', 'x1']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('(AccessDenied)');
    const bad = await cli(['--profile', 'user-org-admin', 'iam', 'get-role', '--role-name', 'bad/name']);
    expect(bad.stderr).toContain('(ValidationError)');
  });
});
