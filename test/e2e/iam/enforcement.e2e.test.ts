/**
 * IAM enforcement as AWS does it, seen through the JS SDK: SCP denials, cross-account calls that need
 * both sides, ExternalId, permissions boundaries, session policies, and `explain` for a denied call.
 */
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let mgmtAdmin: Creds;
let lakeAdmin: Creds;
let ds1Admin: Creds;
let ds1Scientist: Creds;

beforeAll(async () => {
  server = await startTestServer();
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  lakeAdmin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataLake}:role/OrganizationAccountAccessRole`);
  ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
  ds1Scientist = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`, { RoleSessionName: 'alice' });
});
afterAll(() => server.close());

const iam = (c: Creds) => new IAMClient(clientConfig(server.url, c));
const trustOf = (principal: string, condition?: object) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }] });

describe('IAM enforcement with the JS SDK', () => {
  it('denies a data scientist a production role by SCP, and explains why', async () => {
    const err = await assumeRole(server.url, ds1Scientist, `arn:aws:iam::${accounts.production}:role/DeploymentRole`).then(
      () => undefined,
      (e: { name: string; message: string; $metadata: { requestId: string } }) => e,
    );
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message:
        'User: arn:aws:sts::444444444444:assumed-role/DataScientist/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::777777777777:role/DeploymentRole with an explicit deny in a service control policy',
    });
    const explained = (await (await fetch(`${server.url}/_mlzone/explain/${err!.$metadata.requestId}`)).json()) as {
      verdict: string;
      principal: string;
      checks: Array<{ action: string; resource: string; policies: Array<{ policyId: string; kind: string; outcome: string; statements?: unknown[] }> }>;
    };
    expect(explained.verdict).toBe('ExplicitDeny');
    expect(explained.principal).toBe('arn:aws:sts::444444444444:assumed-role/DataScientist/alice');
    const check = explained.checks[0]!;
    expect(check.action).toBe('sts:AssumeRole');
    const denying = check.policies.filter((p) => p.kind === 'scp' && p.outcome === 'deny');
    expect(denying).toHaveLength(1);
    expect(denying[0]!.policyId).toMatch(/^arn:aws:organizations::111111111111:policy\/o-mlzone0001\/service_control_policy\/p-/);
  });

  it('allows a cross-account AssumeRole only when both the trust policy and the caller allow it', async () => {
    // Trusted by data-science-1 as a whole, but DataScientist's own policies do not allow assuming it.
    const trustedOnly = unique('TrustedOnly');
    await iam(lakeAdmin).send(new CreateRoleCommand({ RoleName: trustedOnly, AssumeRolePolicyDocument: trustOf(accounts.dataScience1) }));
    await expect(assumeRole(server.url, ds1Scientist, `arn:aws:iam::${accounts.dataLake}:role/${trustedOnly}`)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/on resource: arn:aws:iam::333333333333:role\/TrustedOnly\w+ because no identity-based policy allows the sts:AssumeRole action$/),
    });
    // The management Admin may assume anything, but a role that does not trust it stays closed.
    const notTrusting = unique('NotTrusting');
    await iam(lakeAdmin).send(new CreateRoleCommand({ RoleName: notTrusting, AssumeRolePolicyDocument: trustOf(accounts.dataScience1) }));
    await expect(assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataLake}:role/${notTrusting}`)).rejects.toMatchObject({ name: 'AccessDenied' });
    // Both sides allow: the blueprint's DataConsumer.
    const consumer = await assumeRole(server.url, ds1Scientist, `arn:aws:iam::${accounts.dataLake}:role/DataConsumer`);
    const id = await new STSClient(clientConfig(server.url, consumer)).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(accounts.dataLake);
  });

  it('requires and checks the ExternalId a trust policy demands', async () => {
    const name = unique('Vendor');
    await iam(lakeAdmin).send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: trustOf('arn:aws:iam::111111111111:role/Admin', { StringEquals: { 'sts:ExternalId': 'shared-secret-42' } }),
      }),
    );
    const arn = `arn:aws:iam::${accounts.dataLake}:role/${name}`;
    await expect(assumeRole(server.url, mgmtAdmin, arn)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assumeRole(server.url, mgmtAdmin, arn, { ExternalId: 'wrong-secret' })).rejects.toMatchObject({ name: 'AccessDenied' });
    const ok = await assumeRole(server.url, mgmtAdmin, arn, { ExternalId: 'shared-secret-42' });
    expect(ok.accessKeyId).toMatch(/^ASIA/);
  });

  it('lets a permissions boundary cut an administrator policy', async () => {
    const boundaryName = unique('OnlyS3AndIdentity');
    const boundary = await iam(ds1Admin).send(
      new CreatePolicyCommand({
        PolicyName: boundaryName,
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:ListRoles'], Resource: '*' }] }),
      }),
    );
    const roleName = unique('BoundedAdmin');
    await iam(ds1Admin).send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustOf('arn:aws:iam::111111111111:role/Admin'), PermissionsBoundary: boundary.Policy!.Arn }),
    );
    await iam(ds1Admin).send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const bounded = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/${roleName}`);
    const roles = await iam(bounded).send(new ListRolesCommand({}));
    expect(roles.Roles!.length).toBeGreaterThan(0);
    await expect(iam(bounded).send(new ListUsersCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/^User: arn:aws:sts::444444444444:assumed-role\/BoundedAdmin\w+\/e2e is not authorized to perform: iam:ListUsers because no permissions boundary allows the iam:ListUsers action$/),
    });
  });

  it('intersects a session policy passed to AssumeRole with the role policies', async () => {
    const narrowed = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin', {
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] }),
    });
    await expect(iam(narrowed).send(new ListRolesCommand({}))).resolves.toBeDefined();
    await expect(iam(narrowed).send(new ListUsersCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('because no session policy allows the iam:ListUsers action'),
    });
  });

  it('denies a persona what its identity policies do not grant', async () => {
    await expect(iam(ds1Scientist).send(new CreateRoleCommand({ RoleName: unique('Nope'), AssumeRolePolicyDocument: trustOf(accounts.dataScience1) }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/^User: arn:aws:sts::444444444444:assumed-role\/DataScientist\/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::444444444444:role\/Nope\w+ because no identity-based policy allows the iam:CreateRole action$/),
    });
  });
});
