/**
 * OAM as boto3 (the machine's Python) and the AWS CLI v1 speak it (restJson1): the seeded monitoring sink and
 * links, IncludeTags, and the sink policy's and identity policies' refusals with AWS's error shape. Skipped where
 * the client is missing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { assumeRole, type Creds, credentialsEnv } from '../support/sessions.js';
import { accounts, startTestServer, users, type TestServer } from '../support/server.js';

const here = dirname(fileURLToPath(import.meta.url));

let server: TestServer;
let sharedAdmin: Creds;
let ds1Admin: Creds;
let ds2Admin: Creds;
let ds1Scientist: Creds;

beforeAll(async () => {
  server = await startTestServer();
  sharedAdmin = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`);
  const mgmt = await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
  ds1Admin = await assumeRole(server.url, mgmt, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
  ds2Admin = await assumeRole(server.url, mgmt, `arn:aws:iam::${accounts.dataScience2}:role/OrganizationAccountAccessRole`);
  ds1Scientist = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`);
});
afterAll(() => server.close());

const env = (prefix: string, c: Creds) => ({ [`${prefix}_KEY`]: c.accessKeyId, [`${prefix}_SECRET`]: c.secretAccessKey, [`${prefix}_TOKEN`]: c.sessionToken });

describe.skipIf(!hasBoto3)('boto3 against mlzone OAM', () => {
  it('lists the monitoring sink and links, reads tags with IncludeTags, and gets the refusals', async () => {
    const r = await run(python, [join(here, 'boto3_oam.py')], {
      MLZONE_URL: server.url,
      ...env('MONITORING', sharedAdmin),
      ...env('SOURCE', ds1Admin),
      ...env('OUTSIDER', ds2Admin),
      ...env('SCIENTIST', ds1Scientist),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sink.Name).toBe('central-monitoring');
    expect(out.labels).toEqual(['data-science-1', 'production', 'test']);
    expect(out.tags).toEqual({ 'cost-center': 'ml' });
    expect(out.tags_without_include).toBeNull();
    expect(out.outsider).toMatchObject({ code: 'AccessDeniedException', status: 403 });
    expect(out.outsider.message).toContain(`assumed-role/OrganizationAccountAccessRole/`);
    expect(out.outsider.message).toMatch(/oam:CreateLink on resource: arn:aws:oam:us-east-1:222222222222:sink\/.* because no resource-based policy allows/);
    expect(out.scientist).toMatchObject({ code: 'AccessDeniedException', status: 403 });
    expect(out.scientist.message).toMatch(/no identity-based policy allows the oam:CreateLink action/);
    expect(out.duplicate).toMatchObject({ code: 'ConflictException', status: 409 });
  });
});

describe.skipIf(!hasCommand('aws'))('AWS CLI v1 against mlzone OAM', () => {
  const cli = (creds: Creds, args: string[]) =>
    run('aws', ['--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json', 'oam', ...args], {
      ...credentialsEnv(creds),
      AWS_PAGER: '',
    });

  it('runs `aws oam list-sinks` and `list-attached-links` in the monitoring account', async () => {
    const sinks = await cli(sharedAdmin, ['list-sinks']);
    expect(sinks.stderr).toBe('');
    const sinkArn = JSON.parse(sinks.stdout).Items[0].Arn as string;
    const attached = await cli(sharedAdmin, ['list-attached-links', '--sink-identifier', sinkArn]);
    expect(attached.code).toBe(0);
    expect((JSON.parse(attached.stdout).Items as Array<{ Label: string }>).map((i) => i.Label).sort()).toEqual(['data-science-1', 'production', 'test']);
  });

  it('reports the sink policy refusal of `aws oam create-link` from data-science-2', async () => {
    const sinkArn = JSON.parse((await cli(sharedAdmin, ['list-sinks'])).stdout).Items[0].Arn as string;
    const r = await cli(ds2Admin, ['create-link', '--sink-identifier', sinkArn, '--resource-types', 'AWS::CloudWatch::Metric', '--label-template', '$AccountName']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/An error occurred \(AccessDeniedException\) when calling the CreateLink operation: .*no resource-based policy allows/);
  });
});
