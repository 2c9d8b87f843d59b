import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlzone } from '../support/cli-process.js';
import { lineDifference, readme, shellBlocks } from '../support/readme.js';
import { assumeRole, type Creds } from '../support/sessions.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const explain = (args: string[], env: NodeJS.ProcessEnv = {}) => mlzone(['explain', ...args], env);

let server: TestServer;
let scientist: Creds;
/** Two denials, the SCP one first: a data scientist's AssumeRole into production, then a user's iam:CreateUser. */
let scpDenial = '';
let iamDenial = '';
beforeAll(async () => {
  server = await startTestServer();
  scientist = await assumeRole(server.url, users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist', { RoleSessionName: 'ds1-scientist' });
  const requestId = (e: unknown) => (e as { $metadata: { requestId: string } }).$metadata.requestId;
  scpDenial = await assumeRole(server.url, scientist, 'arn:aws:iam::777777777777:role/DeploymentRole', { RoleSessionName: 'try' }).then(() => '', requestId);
  iamDenial = await new IAMClient(clientConfig(server.url, users.ds2Scientist)).send(new CreateUserCommand({ UserName: 'someone' })).then(() => '', requestId);
  expect(scpDenial).not.toBe('');
  expect(iamDenial).not.toBe('');
});
afterAll(() => server.close());

describe('mlzone explain', () => {
  it('prints the verdict and the policy that denied a call', async () => {
    const r = await explain([scpDenial, '--endpoint', server.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`request ${scpDenial}`);
    expect(r.stdout).toContain('call      sts:AssumeRole');
    expect(r.stdout).toContain('verdict   ExplicitDeny');
    expect(r.stdout).toContain('with an explicit deny in a service control policy');
    expect(r.stdout).toMatch(/scp OU 2\s+deny\s+arn:aws:organizations::111111111111:policy\/o-mlzone0001\/service_control_policy\/p-\w+\s+matched: #1 NoProductionRoles \(Deny\)/);
    const unknown = await explain(['no-such-request', '--endpoint', server.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no authorization decision is kept for request no-such-request');
  });

  it('--last explains the newest denial, and --principal, --account, --action narrow it', async () => {
    const env = { MLZONE_ENDPOINT: server.url };
    const explained = async (args: string[]) => {
      const r = await explain(['--last', ...args], env);
      expect(r.stderr, args.join(' ')).toBe('');
      return /^request (\S+)/.exec(r.stdout)?.[1];
    };
    expect(await explained([])).toBe(iamDenial);
    expect(await explained(['--principal', 'ds1-scientist'])).toBe(scpDenial);
    expect(await explained(['--principal', 'arn:aws:iam::444444444444:role/DataScientist'])).toBe(scpDenial);
    expect(await explained(['--principal', 'arn:aws:iam::555555555555:user/ds2-scientist'])).toBe(iamDenial);
    // The caller's account, or the account of the resource a check was about (production's role).
    expect(await explained(['--account', '444444444444'])).toBe(scpDenial);
    expect(await explained(['--account', '777777777777'])).toBe(scpDenial);
    expect(await explained(['--account', '555555555555'])).toBe(iamDenial);
    expect(await explained(['--action', 'sts:AssumeRole'])).toBe(scpDenial);
    expect(await explained(['--action', 'iam:createuser'])).toBe(iamDenial);
    expect(await explained(['--account', '555555555555', '--action', 'iam:CreateUser'])).toBe(iamDenial);

    const none = await explain(['--last', '--principal', 'ds1-scientist', '--action', 'iam:CreateUser'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('mlzone explain: no denial is kept that matches --principal ds1-scientist --action iam:CreateUser');
    const json = await explain(['--last', '--account', '777777777777', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ requestId: scpDenial, call: 'sts:AssumeRole', verdict: 'ExplicitDeny' });
  }, 180_000);

  it('refuses a request id together with --last, and neither', async () => {
    const both = await explain([scpDenial, '--last', '--endpoint', server.url]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give either a request id or --last');
    const neither = await explain(['--endpoint', server.url]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('give the request id of a call (x-amzn-RequestId), or --last');
  });

  it("prints, for the README's denial, exactly the sample the README shows", async () => {
    const sample = shellBlocks(readme())
      .flatMap((b) => b.commands)
      .find((c) => c.text.startsWith('npm run mlzone -- explain --last'));
    expect(sample, 'the README shows `npm run mlzone -- explain --last …` with its output').toBeDefined();
    expect(sample!.expected.length).toBeGreaterThan(10);
    const args = sample!.text.replace('npm run mlzone -- explain ', '').split(/\s+/);
    const r = await explain(args, { MLZONE_ENDPOINT: server.url });
    expect(r.code).toBe(0);
    expect(lineDifference(sample!.expected, r.stdout)).toBeUndefined();
  });
});
