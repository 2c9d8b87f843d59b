/**
 * "Nobody outside the organization can use the organization's resources" (the default blueprint's RCP), end to end:
 * a partner account that is not a member of the organization is refused a role and an object that the data lake's
 * own policies grant it, with the RCP named as the reason; members pass the same policies. The JS SDK, boto3 and
 * both AWS CLIs see the same refusal.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { defaultBlueprintPath } from '../../../src/org/blueprint.js';
import { cliProfiles } from '../support/aws-cli.js';
import { hasBoto3, hasCommand, python, run } from '../support/processes.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const PARTNER_ID = '999999999999';
const partner: Creds = { accessKeyId: 'AKIAPARTNERPARTNER23', secretAccessKey: 'partner-secret-0123456789' };

let dir: string;
let server: TestServer;
let mgmtAdmin: Creds;
let lakeAdmin: Creds;

beforeAll(async () => {
  // The default landing zone plus a partner's account that is not a member of the organization.
  const bp = parse(readFileSync(defaultBlueprintPath(), 'utf8')) as { accounts: object[] };
  bp.accounts.push({
    name: 'partner',
    id: PARTNER_ID,
    outsideOrganization: true,
    users: [{ name: 'partner-engineer', accessKeys: [{ id: partner.accessKeyId, secret: partner.secretAccessKey }], managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
  });
  dir = mkdtempSync(join(tmpdir(), 'mlzone-outside-org-'));
  writeFileSync(join(dir, 'blueprint.yaml'), stringify(bp));
  server = await startTestServer({ blueprintPath: join(dir, 'blueprint.yaml') });
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  lakeAdmin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataLake}:role/OrganizationAccountAccessRole`);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Explained = { verdict: string; checks: Array<{ action: string; policies: Array<{ kind: string; outcome: string }> }> };
const explain = async (requestId: string): Promise<Explained> => (await (await fetch(`${server.url}/_mlzone/explain/${requestId}`)).json()) as Explained;
const refusal = <T>(p: Promise<T>) => p.then(() => undefined, (e: { name: string; message: string; $metadata: { requestId: string; httpStatusCode: number } }) => e);

describe('an account outside the organization', () => {
  it('exists with its own IAM, but the organization does not know it', async () => {
    const id = await new STSClient(clientConfig(server.url, partner)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:iam::${PARTNER_ID}:user/partner-engineer`);
    const listed = await new OrganizationsClient(clientConfig(server.url, mgmtAdmin)).send(new ListAccountsCommand({}));
    expect(listed.Accounts!.map((a) => a.Id)).not.toContain(PARTNER_ID);
    expect(listed.Accounts).toHaveLength(8);
    const described = (await (await fetch(`${server.url}/_mlzone/accounts`)).json()) as Array<{ id: string; outsideOrganization?: boolean }>;
    expect(described.filter((a) => a.outsideOrganization).map((a) => a.id)).toEqual([PARTNER_ID]);
    await expect(new OrganizationsClient(clientConfig(server.url, partner)).send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
    });
  });

  it('cannot assume a data-lake role that trusts it: the resource control policy denies, members pass', async () => {
    const role = unique('PartnerAccess');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${PARTNER_ID}:root`, 'arn:aws:iam::111111111111:root'] }, Action: 'sts:AssumeRole' }] };
    await new IAMClient(clientConfig(server.url, lakeAdmin)).send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const roleArn = `arn:aws:iam::${accounts.dataLake}:role/${role}`;

    const err = await refusal(assumeRole(server.url, partner, roleArn));
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${PARTNER_ID}:user/partner-engineer is not authorized to perform: sts:AssumeRole on resource: ${roleArn} with an explicit deny in a resource control policy`,
    });
    const explained = await explain(err!.$metadata.requestId);
    expect(explained.verdict).toBe('ExplicitDeny');
    expect(explained.checks[0]!.policies.filter((p) => p.kind === 'rcp' && p.outcome === 'deny')).toHaveLength(1);

    // The same trust policy lets a member of the organization in (the management account's Admin).
    const inside = await assumeRole(server.url, mgmtAdmin, roleArn);
    expect((await new STSClient(clientConfig(server.url, inside)).send(new GetCallerIdentityCommand({}))).Account).toBe(accounts.dataLake);
  });

  it('cannot read an object the bucket policy grants it: S3 answers 403 and explain names the RCP', async () => {
    const lake = new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true });
    const bucket = `partner-share-${Date.now()}`;
    await lake.send(new CreateBucketCommand({ Bucket: bucket }));
    await lake.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared.csv', Body: 'a,b\n1,2\n' }));
    const grant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${PARTNER_ID}:root`, `arn:aws:iam::${accounts.sharedServices}:root`] }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] };
    await lake.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(grant) }));

    const err = await refusal(new S3Client({ ...clientConfig(server.url, partner), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: bucket, Key: 'shared.csv' })));
    // S3 explains a denial only to callers of the owner's account or organization.
    expect(err).toMatchObject({ name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } });
    const explained = await explain(err!.$metadata.requestId);
    expect(explained.verdict).toBe('ExplicitDeny');
    expect(explained.checks[0]!.action).toBe('s3:GetObject');
    expect(explained.checks[0]!.policies.filter((p) => p.kind === 'rcp' && p.outcome === 'deny')).toHaveLength(1);

    // A member account the same policy names reads the object (shared-services' Admin has AdministratorAccess).
    const devops = await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`);
    const got = await new S3Client({ ...clientConfig(server.url, devops), forcePathStyle: true }).send(new GetObjectCommand({ Bucket: bucket, Key: 'shared.csv' }));
    expect(await got.Body!.transformToString()).toBe('a,b\n1,2\n');
  });

  it.skipIf(!hasBoto3)('is refused the same way through boto3', async () => {
    const role = unique('PartnerBoto');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER_ID}:root` }, Action: 'sts:AssumeRole' }] };
    await new IAMClient(clientConfig(server.url, lakeAdmin)).send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const script = [
      'import boto3, botocore, json, os',
      "sts = boto3.client('sts', endpoint_url=os.environ['MLZONE_URL'], region_name='us-east-1', aws_access_key_id=os.environ['MLZONE_KEY'], aws_secret_access_key=os.environ['MLZONE_SECRET'])",
      'try:',
      "    sts.assume_role(RoleArn=os.environ['MLZONE_ROLE'], RoleSessionName='partner')",
      "    print(json.dumps({'code': None}))",
      'except botocore.exceptions.ClientError as e:',
      "    print(json.dumps({'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}))",
    ].join('\n');
    const roleArn = `arn:aws:iam::${accounts.dataLake}:role/${role}`;
    const r = await run(python, ['-c', script], { MLZONE_URL: server.url, MLZONE_KEY: partner.accessKeyId, MLZONE_SECRET: partner.secretAccessKey, MLZONE_ROLE: roleArn });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${PARTNER_ID}:user/partner-engineer is not authorized to perform: sts:AssumeRole on resource: ${roleArn} with an explicit deny in a resource control policy`,
    });
  });

  // The partner's user profile comes from `mlzone profiles` like any other (`user-partner-engineer`). CLI v1 reads the
  // endpoint from the profile; Debian's v2 (2.9) needs --endpoint-url.
  const refusedThroughCli = async (bin: string, endpointArgs: string[]) => {
    const role = unique('PartnerCli');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER_ID}:root` }, Action: 'sts:AssumeRole' }] };
    await new IAMClient(clientConfig(server.url, lakeAdmin)).send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const roleArn = `arn:aws:iam::${accounts.dataLake}:role/${role}`;
    const { env, remove } = cliProfiles(server);
    try {
      const r = await run(bin, [...endpointArgs, '--profile', 'user-partner-engineer', 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli'], env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('(AccessDenied)');
      expect(r.stderr).toContain(`sts:AssumeRole on resource: ${roleArn} with an explicit deny in a resource control policy`);
    } finally {
      remove();
    }
  };
  it.skipIf(!hasCommand('aws'))('is refused the same way through the AWS CLI v1', () => refusedThroughCli('aws', []));
  it.skipIf(!existsSync('/usr/bin/aws'))('is refused the same way through the AWS CLI v2', () => refusedThroughCli('/usr/bin/aws', ['--endpoint-url', server.url]));
});
