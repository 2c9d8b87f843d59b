/**
 * Running the landing zone with real clients: a partner account outside the organization is invited, accepts, and
 * is a member at once (aws:PrincipalOrgID lets it through the organization's RCP; moved into Development, that OU's
 * SCP binds it); refusals carry AWS's codes; trusted access and a delegated administrator; effective policies. The JS
 * SDK does the whole flow; the AWS CLI (v1 and v2) the important calls.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AcceptHandshakeCommand,
  CreatePolicyCommand,
  AttachPolicyCommand,
  CancelHandshakeCommand,
  DeclineHandshakeCommand,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  ListHandshakesForAccountCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { defaultBlueprintPath } from '../../../src/org/blueprint.js';
import { cliProfiles } from '../support/aws-cli.js';
import { hasCommand, run } from '../support/processes.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const PARTNER_ID = '999999999999';
const partner: Creds = { accessKeyId: 'AKIAPARTNERPARTNER23', secretAccessKey: 'partner-secret-0123456789' };

let dir: string;
let server: TestServer;
let mgmtAdmin: Creds;
let lakeAdmin: Creds;

beforeAll(async () => {
  const bp = parse(readFileSync(defaultBlueprintPath(), 'utf8')) as { accounts: object[] };
  bp.accounts.push({
    name: 'partner',
    id: PARTNER_ID,
    email: 'partner@partner.example',
    outsideOrganization: true,
    users: [{ name: 'partner-engineer', accessKeys: [{ id: partner.accessKeyId, secret: partner.secretAccessKey }], managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
  });
  dir = mkdtempSync(join(tmpdir(), 'mlzone-invite-'));
  writeFileSync(join(dir, 'blueprint.yaml'), stringify(bp));
  server = await startTestServer({ blueprintPath: join(dir, 'blueprint.yaml') });
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  lakeAdmin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataLake}:role/OrganizationAccountAccessRole`);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const orgs = (c: Creds) => new OrganizationsClient(clientConfig(server.url, c));

describe('inviting a partner account (JS SDK)', () => {
  let handshakeId = '';
  let roleArn = '';

  it('the management account invites; the partner sees the invitation; members may not accept it', async () => {
    const out = await orgs(mgmtAdmin).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: PARTNER_ID }, Notes: 'join the landing zone' }));
    expect(out.Handshake).toMatchObject({ State: 'OPEN', Action: 'INVITE', Parties: [{ Type: 'ORGANIZATION', Id: 'o-mlzone0001' }, { Type: 'ACCOUNT', Id: PARTNER_ID }] });
    expect(out.Handshake!.ExpirationTimestamp!.getTime() - out.Handshake!.RequestedTimestamp!.getTime()).toBe(15 * 24 * 3600 * 1000);
    handshakeId = out.Handshake!.Id!;
    const seen = await orgs(partner).send(new ListHandshakesForAccountCommand({}));
    expect(seen.Handshakes!.map((h) => h.Id)).toEqual([handshakeId]);
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await expect(orgs(ds1Admin).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(orgs(ds1Admin).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: '123456789012' } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(orgs(mgmtAdmin).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: accounts.dataScience2 } }))).rejects.toMatchObject({
      name: 'HandshakeConstraintViolationException',
      Reason: 'ALREADY_IN_AN_ORGANIZATION',
      message: 'The handshake request is invalid because the invited account is already a member of an organization.',
    });
    await expect(orgs(mgmtAdmin).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: PARTNER_ID } }))).rejects.toMatchObject({
      name: 'DuplicateHandshakeException',
    });
  });

  it('before accepting, the organization RCP refuses the partner a role that trusts it', async () => {
    const role = unique('PartnerAccess');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER_ID}:root` }, Action: 'sts:AssumeRole' }] };
    await new IAMClient(clientConfig(server.url, lakeAdmin)).send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    roleArn = `arn:aws:iam::${accounts.dataLake}:role/${role}`;
    await expect(assumeRole(server.url, partner, roleArn)).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('resource control policy') });
  });

  it('accepts: a member at once, JoinedMethod INVITED, inside aws:PrincipalOrgID', async () => {
    const out = await orgs(partner).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId }));
    expect(out.Handshake!.State).toBe('ACCEPTED');
    const a = (await orgs(mgmtAdmin).send(new DescribeAccountCommand({ AccountId: PARTNER_ID }))).Account!;
    expect(a).toMatchObject({ Name: 'partner', Email: 'partner@partner.example', JoinedMethod: 'INVITED', Status: 'ACTIVE' });
    const described = (await (await fetch(`${server.url}/_mlzone/accounts`)).json()) as Array<{ id: string; outsideOrganization?: boolean }>;
    expect(described.find((x) => x.id === PARTNER_ID)?.outsideOrganization).toBeUndefined();
    const inside = await assumeRole(server.url, partner, roleArn);
    expect((await new STSClient(clientConfig(server.url, inside)).send(new GetCallerIdentityCommand({}))).Account).toBe(accounts.dataLake);
    await expect(orgs(partner).send(new DeclineHandshakeCommand({ HandshakeId: handshakeId }))).rejects.toMatchObject({ name: 'InvalidHandshakeTransitionException' });
  });

  it('moved into Development, the partner is bound by its SCP like data-science-1', async () => {
    const root = (await orgs(mgmtAdmin).send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const workloads = (await orgs(mgmtAdmin).send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits!.find((o) => o.Name === 'Workloads')!.Id!;
    const dev = (await orgs(mgmtAdmin).send(new ListOrganizationalUnitsForParentCommand({ ParentId: workloads }))).OrganizationalUnits!.find((o) => o.Name === 'Development')!.Id!;
    await orgs(mgmtAdmin).send(new MoveAccountCommand({ AccountId: PARTNER_ID, SourceParentId: root, DestinationParentId: dev }));
    const s3 = new S3Client({ ...clientConfig(server.url, partner), forcePathStyle: true });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: `mlzone-prod-models-${accounts.production}` }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('explicit deny in a service control policy'),
    });
  });
});

describe('who may invite (JS SDK)', () => {
  it('an invitation with tags also needs organizations:TagResource, as on AWS', async () => {
    const role = unique('Inviter');
    const iam = new IAMClient(clientConfig(server.url, mgmtAdmin));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const only = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['organizations:InviteAccountToOrganization', 'organizations:CancelHandshake'], Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'invite-only', PolicyDocument: JSON.stringify(only) }));
    const inviter = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::111111111111:role/${role}`);
    await expect(
      orgs(inviter).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: '210987654321' }, Tags: [{ Key: 'team', Value: 'x' }] })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('organizations:TagResource') });
    const ok = await orgs(inviter).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: '210987654321' } }));
    await orgs(inviter).send(new CancelHandshakeCommand({ HandshakeId: ok.Handshake!.Id! }));
  });
});

describe('delegated administration and effective policies (JS SDK)', () => {
  it('delegates CloudTrail to shared-services once trusted access is on; the delegate lists, others may not', async () => {
    await expect(orgs(mgmtAdmin).send(new RegisterDelegatedAdministratorCommand({ AccountId: accounts.sharedServices, ServicePrincipal: 'cloudtrail.amazonaws.com' }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'SERVICE_ACCESS_NOT_ENABLED',
    });
    await orgs(mgmtAdmin).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    await orgs(mgmtAdmin).send(new RegisterDelegatedAdministratorCommand({ AccountId: accounts.sharedServices, ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    const shared = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.sharedServices}:role/OrganizationAccountAccessRole`);
    const admins = (await orgs(shared).send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators!;
    expect(admins.map((a) => [a.Id, a.Name])).toEqual([[accounts.sharedServices, 'shared-services']]);
    expect(admins[0]!.DelegationEnabledDate).toBeInstanceOf(Date);
    const services = (await orgs(shared).send(new ListDelegatedServicesForAccountCommand({ AccountId: accounts.sharedServices }))).DelegatedServices!;
    expect(services.map((s) => s.ServicePrincipal)).toEqual(['cloudtrail.amazonaws.com']);
    expect((await orgs(shared).send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!.map((s) => s.ServicePrincipal)).toEqual(['cloudtrail.amazonaws.com']);
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await expect(orgs(ds1Admin).send(new ListDelegatedAdministratorsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(orgs(users.ds1Scientist).send(new ListDelegatedAdministratorsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('organizations:ListDelegatedAdministrators'),
    });
  });

  it('describes the effective tag policy of an account; SCPs are not a type it takes', async () => {
    await expect(orgs(mgmtAdmin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: accounts.dataScience1 }))).rejects.toMatchObject({
      name: 'EffectivePolicyNotFoundException',
    });
    await expect(orgs(mgmtAdmin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'SERVICE_CONTROL_POLICY' as 'TAG_POLICY' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("failed to satisfy constraint: Member must satisfy enum value set"),
    });
    const root = (await orgs(mgmtAdmin).send(new ListRootsCommand({}))).Roots![0]!.Id!;
    await orgs(mgmtAdmin).send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: 'TAG_POLICY' }));
    const content = JSON.stringify({ tags: { team: { tag_key: { '@@assign': 'Team' }, tag_value: { '@@assign': ['ds1', 'ds2'] } } } });
    const p = (await orgs(mgmtAdmin).send(new CreatePolicyCommand({ Name: 'teams', Description: 'team tags', Type: 'TAG_POLICY', Content: content }))).Policy!;
    await orgs(mgmtAdmin).send(new AttachPolicyCommand({ PolicyId: p.PolicySummary!.Id!, TargetId: root }));
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    const mine = (await orgs(ds1Admin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }))).EffectivePolicy!;
    expect(JSON.parse(mine.PolicyContent!)).toEqual({ tags: { team: { tag_key: 'Team', tag_value: ['ds1', 'ds2'] } } });
    expect(mine.TargetId).toBe(accounts.dataScience1);
    await expect(orgs(ds1Admin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: accounts.production }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

// CLI v1 reads the endpoint from the profile and assumes mgmt-admin's role itself; Debian's v2 (2.9) needs
// --endpoint-url and sends a role profile's AssumeRole to AWS, so it gets the management Admin session's keys.
const cliFlow = async (bin: string, v2: boolean) => {
  const { env, remove } = cliProfiles(server);
  const auth = v2
    ? { ...env, AWS_ACCESS_KEY_ID: mgmtAdmin.accessKeyId, AWS_SECRET_ACCESS_KEY: mgmtAdmin.secretAccessKey, AWS_SESSION_TOKEN: mgmtAdmin.sessionToken, AWS_DEFAULT_REGION: 'us-east-1' }
    : env;
  const prefix = v2 ? ['--endpoint-url', server.url] : ['--profile', 'mgmt-admin'];
  const aws = (...args: string[]) => run(bin, [...prefix, '--output', 'json', 'organizations', ...args], auth);
  try {
    const stranger = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const invited = await aws('invite-account-to-organization', '--target', `Id=${stranger},Type=ACCOUNT`, '--notes', 'from the CLI');
    expect(invited.stderr).toBe('');
    const h = (JSON.parse(invited.stdout) as { Handshake: { Id: string; State: string; Resources: Array<{ Type: string; Value: string }> } }).Handshake;
    expect(h.State).toBe('OPEN');
    expect(h.Resources).toContainEqual({ Type: 'NOTES', Value: 'from the CLI' });
    const listed = JSON.parse((await aws('list-handshakes-for-organization')).stdout) as { Handshakes: Array<{ Id: string }> };
    expect(listed.Handshakes.map((x) => x.Id)).toContain(h.Id);
    const canceled = JSON.parse((await aws('cancel-handshake', '--handshake-id', h.Id)).stdout) as { Handshake: { State: string } };
    expect(canceled.Handshake.State).toBe('CANCELED');
    const again = await aws('cancel-handshake', '--handshake-id', h.Id);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('(HandshakeAlreadyInStateException)');
    const member = await aws('invite-account-to-organization', '--target', `Id=${accounts.test},Type=ACCOUNT`);
    expect(member.code).not.toBe(0);
    expect(member.stderr).toContain('(HandshakeConstraintViolationException)');
    const none = await aws('describe-effective-policy', '--policy-type', 'BACKUP_POLICY');
    expect(none.stderr).toContain('(EffectivePolicyNotFoundException)');
  } finally {
    remove();
  }
};

describe('the AWS CLI', () => {
  it.skipIf(!hasCommand('aws'))('v1: invites, lists, cancels; a member cannot be invited', () => cliFlow('aws', false));
  it.skipIf(!existsSync('/usr/bin/aws'))('v2: the same', () => cliFlow('/usr/bin/aws', true));
});
