/**
 * AWS RAM with the JS SDK against the default landing zone: the data-lake account shares its Glue resources
 * directly with RAM. Invitations while sharing with the organization is off, accept/reject and who may do it,
 * what each side sees (shares, associations, resources, permissions), EnableSharingWithAwsOrganization making
 * organization and OU shares active at once, the share lifecycle (associate, disassociate, delete) and RAM's
 * errors; and that an accepted share opens the shared table's metadata to the consumer through Glue.
 * On PostgreSQL when MLZONE_TEST_PG is set (support/backend.ts).
 */
import { CreateDatabaseCommand, CreateTableCommand, GetDatabasesCommand, GetTableCommand, GlueClient, SearchTablesCommand } from '@aws-sdk/client-glue';
import { DescribeOrganizationCommand, ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  ListPermissionsCommand,
  ListResourceSharePermissionsCommand,
  ListResourcesCommand,
  RAMClient,
  RejectResourceShareInvitationCommand,
  type ResourceShareInvitation,
} from '@aws-sdk/client-ram';
import { GrantPermissionsCommand, LakeFormationClient, RevokePermissionsCommand } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnBackend } from '../support/backend.js';
import { LAKE, role } from '../support/lake.js';
import { accounts, clientConfig, users, type TestServer } from '../support/server.js';
import { assumeRole, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const DS2 = accounts.dataScience2;
const OUTSIDER = '999999999999';
const TABLE = `arn:aws:glue:us-east-1:${LAKE}:table/shared/orders`;
const DATABASE = `arn:aws:glue:us-east-1:${LAKE}:database/shared`;

let server: TestServer;
let management: Creds;
const admins: Record<string, Creds> = {};

const ram = (c: Creds) => new RAMClient(clientConfig(server.url, c));
const glue = (c: Creds) => new GlueClient(clientConfig(server.url, c));
const pendingFor = async (account: string, shareArn: string): Promise<ResourceShareInvitation | undefined> =>
  (await ram(admins[account]!).send(new GetResourceShareInvitationsCommand({ resourceShareArns: [shareArn] }))).resourceShareInvitations?.[0];

beforeAll(async () => {
  server = await startOnBackend();
  management = await assumeRole(server.url, users.orgAdmin, role(accounts.management, 'Admin'));
  for (const account of [LAKE, DS1, DS2]) admins[account] = await assumeRole(server.url, management, role(account, 'OrganizationAccountAccessRole'));
  const g = glue(admins[LAKE]!);
  await g.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'shared' } }));
  await g.send(new CreateTableCommand({ DatabaseName: 'shared', TableInput: { Name: 'orders', StorageDescriptor: { Columns: [{ Name: 'id', Type: 'bigint' }] } } }));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('shares created with RAM', () => {
  let shareArn: string;

  it('refuses malformed resources and principals, resources of another account, and outsiders when external principals are off', async () => {
    const r = ram(admins[LAKE]!);
    await expect(r.send(new CreateResourceShareCommand({ name: 'bad', resourceArns: ['not-an-arn'] }))).rejects.toMatchObject({ name: 'MalformedArnException', message: 'The ARN not-an-arn is malformed.' });
    await expect(r.send(new CreateResourceShareCommand({ name: 'bad', principals: ['o-123random'] }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Principal ID o-123random is malformed. Verify the ID and try again.',
    });
    await expect(r.send(new CreateResourceShareCommand({ name: 'bad', resourceArns: [`arn:aws:glue:us-east-1:${DS1}:table/x/y`] }))).rejects.toMatchObject({ name: 'UnknownResourceException' });
    await expect(r.send(new CreateResourceShareCommand({ name: 'bad', resourceArns: [TABLE], principals: [OUTSIDER], allowExternalPrincipals: false }))).rejects.toMatchObject({
      name: 'OperationNotPermittedException',
      message: expect.stringMatching(/^The resource you are attempting to share can only be shared within your AWS Organization/),
    });
    expect((await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toEqual([]);
  });

  it('shares a table with an account: an invitation while sharing with the organization is off, and nothing visible before it is accepted', async () => {
    const out = await ram(admins[LAKE]!).send(new CreateResourceShareCommand({ name: 'orders-to-ds1', resourceArns: [TABLE], principals: [DS1], tags: [{ key: 'team', value: 'lake' }] }));
    shareArn = out.resourceShare!.resourceShareArn!;
    expect(out.resourceShare).toMatchObject({ name: 'orders-to-ds1', owningAccountId: LAKE, status: 'ACTIVE', allowExternalPrincipals: true, tags: [{ key: 'team', value: 'lake' }] });
    expect(shareArn).toMatch(new RegExp(`^arn:aws:ram:us-east-1:${LAKE}:resource-share/[0-9a-f-]{36}$`));
    const inv = await pendingFor(DS1, shareArn);
    expect(inv).toMatchObject({ status: 'PENDING', senderAccountId: LAKE, receiverAccountId: DS1, resourceShareName: 'orders-to-ds1', resourceShareArn: shareArn });
    const principals = await ram(admins[LAKE]!).send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shareArn] }));
    expect(principals.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: DS1, associationType: 'PRINCIPAL', status: 'ASSOCIATING', external: false })]);
    const resources = await ram(admins[LAKE]!).send(new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE', resourceArn: TABLE }));
    expect(resources.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: TABLE, status: 'ASSOCIATED', resourceShareName: 'orders-to-ds1' })]);
    const consumer = ram(admins[DS1]!);
    expect((await consumer.send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resourceShares).toEqual([]);
    expect((await consumer.send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resources).toEqual([]);
    // Glue: without an accepted share the other account's catalog stays closed.
    await expect(glue(admins[DS1]!).send(new GetTableCommand({ CatalogId: LAKE, DatabaseName: 'shared', Name: 'orders' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it("lets only the receiver accept: a third account cannot accept another account's invitation", async () => {
    const inv = (await pendingFor(DS1, shareArn))!;
    await expect(ram(admins[DS2]!).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }))).rejects.toMatchObject({
      name: 'ResourceShareInvitationArnNotFoundException',
    });
    await expect(ram(admins[DS1]!).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: 'arn:aws:ram:us-east-1:1:nope' }))).rejects.toMatchObject({ name: 'MalformedArnException' });
    const accepted = await ram(admins[DS1]!).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
    expect(accepted.resourceShareInvitation).toMatchObject({ status: 'ACCEPTED', receiverAccountId: DS1 });
    await expect(ram(admins[DS1]!).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }))).rejects.toMatchObject({
      name: 'ResourceShareInvitationAlreadyAcceptedException',
    });
    await expect(ram(admins[DS1]!).send(new RejectResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }))).rejects.toMatchObject({
      name: 'ResourceShareInvitationAlreadyAcceptedException',
    });
  });

  it('shows the accepted share and its resources to the consumer, and opens the table metadata through Glue', async () => {
    const consumer = ram(admins[DS1]!);
    const shares = await consumer.send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(shares.resourceShares?.map((s) => [s.resourceShareArn, s.owningAccountId])).toEqual([[shareArn, LAKE]]);
    const res = await consumer.send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceType: 'glue:Table' }));
    expect(res.resources).toEqual([expect.objectContaining({ arn: TABLE, type: 'glue:Table', resourceShareArn: shareArn, status: 'AVAILABLE' })]);
    expect((await consumer.send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceType: 'glue:Database' }))).resources).toEqual([]);
    const assoc = await ram(admins[LAKE]!).send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', principal: DS1 }));
    expect(assoc.resourceShareAssociations?.map((a) => a.status)).toEqual(['ASSOCIATED']);
    const { Table } = await glue(admins[DS1]!).send(new GetTableCommand({ CatalogId: LAKE, DatabaseName: 'shared', Name: 'orders' }));
    expect(Table).toMatchObject({ Name: 'orders', CatalogId: LAKE });
    // Glue lists what was shared when asked for FOREIGN (or ALL) resources, not by default.
    const g = glue(admins[DS1]!);
    expect((await g.send(new GetDatabasesCommand({ ResourceShareType: 'FOREIGN' }))).DatabaseList?.map((d) => [d.CatalogId, d.Name])).toEqual([[LAKE, 'shared']]);
    expect((await g.send(new GetDatabasesCommand({}))).DatabaseList?.some((d) => d.CatalogId === LAKE)).toBe(false);
    expect((await g.send(new SearchTablesCommand({ SearchText: 'orders', ResourceShareType: 'ALL' }))).TableList?.map((t) => [t.CatalogId, t.DatabaseName, t.Name])).toEqual([[LAKE, 'shared', 'orders']]);
    expect((await g.send(new SearchTablesCommand({ SearchText: 'orders' }))).TableList).toEqual([]);
  });

  it('a receiver may reject; a rejected invitation cannot be accepted', async () => {
    const share = await ram(admins[LAKE]!).send(new CreateResourceShareCommand({ name: 'db-to-ds2', resourceArns: [DATABASE], principals: [DS2] }));
    const inv = (await pendingFor(DS2, share.resourceShare!.resourceShareArn!))!;
    const out = await ram(admins[DS2]!).send(new RejectResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }));
    expect(out.resourceShareInvitation?.status).toBe('REJECTED');
    await expect(ram(admins[DS2]!).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn }))).rejects.toMatchObject({
      name: 'ResourceShareInvitationAlreadyRejectedException',
    });
    expect((await ram(admins[DS2]!).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resources).toEqual([]);
  });

  it('filters GetResourceShares by name, ARN and status, and pages it', async () => {
    const r = ram(admins[LAKE]!);
    expect((await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', name: 'db-to-ds2' }))).resourceShares?.map((s) => s.name)).toEqual(['db-to-ds2']);
    expect((await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [shareArn] }))).resourceShares?.map((s) => s.name)).toEqual(['orders-to-ds1']);
    expect((await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareStatus: 'DELETED' }))).resourceShares).toEqual([]);
    const first = await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', maxResults: 1 }));
    expect(first.resourceShares).toHaveLength(1);
    const second = await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', maxResults: 1, nextToken: first.nextToken }));
    expect(second.resourceShares).toHaveLength(1);
    expect(second.resourceShares![0]!.resourceShareArn).not.toBe(first.resourceShares![0]!.resourceShareArn);
    expect(second.nextToken).toBeUndefined();
    await expect(r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', nextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('lists the AWS-managed Glue permissions, and the one attached to a share', async () => {
    const r = ram(admins[LAKE]!);
    const tables = (await r.send(new ListPermissionsCommand({ resourceType: 'glue:Table' }))).permissions!;
    expect(tables.every((p) => p.resourceType === 'glue:Table' && p.permissionType === 'AWS_MANAGED')).toBe(true);
    expect(tables.find((p) => p.name === 'AWSRAMDefaultPermissionGlueTable')).toMatchObject({ arn: 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionGlueTable', isResourceTypeDefault: true, status: 'ATTACHABLE' });
    expect(tables.find((p) => p.name === 'AWSRAMLFEnabledGlueTableReadWrite')).toMatchObject({ isResourceTypeDefault: false });
    const databases = (await r.send(new ListPermissionsCommand({ resourceType: 'glue:Database' }))).permissions!.map((p) => p.name);
    expect(databases).toEqual(expect.arrayContaining(['AWSRAMDefaultPermissionGlueDatabase', 'AWSRAMLFEnabledGlueAllTablesReadWriteForDatabase']));
    expect((await r.send(new ListPermissionsCommand({ permissionType: 'CUSTOMER_MANAGED' }))).permissions).toEqual([]);
    const paged = await r.send(new ListPermissionsCommand({ maxResults: 2 }));
    expect(paged.permissions).toHaveLength(2);
    expect(paged.nextToken).toBeTruthy();
    const attached = await r.send(new ListResourceSharePermissionsCommand({ resourceShareArn: shareArn }));
    expect(attached.permissions?.map((p) => [p.name, p.status])).toEqual([['AWSRAMDefaultPermissionGlueTable', 'ASSOCIATED']]);
  });
});

describe('sharing with the organization', () => {
  let orgArn: string;
  let developmentOu: string;

  beforeAll(async () => {
    const orgs = new OrganizationsClient(clientConfig(server.url, management));
    const org = (await orgs.send(new DescribeOrganizationCommand({}))).Organization!;
    orgArn = org.Arn!;
    const parent = (await orgs.send(new ListParentsCommand({ ChildId: DS2 }))).Parents![0]!;
    developmentOu = `arn:aws:organizations::${accounts.management}:ou/${org.Id}/${parent.Id}`;
  });

  it('refuses the organization as a principal until sharing with it is enabled, which only the management account may do', async () => {
    await expect(ram(admins[LAKE]!).send(new CreateResourceShareCommand({ name: 'org', resourceArns: [TABLE], principals: [orgArn] }))).rejects.toMatchObject({ name: 'OperationNotPermittedException' });
    await expect(ram(admins[DS1]!).send(new EnableSharingWithAwsOrganizationCommand({}))).rejects.toMatchObject({ name: 'OperationNotPermittedException' });
    expect((await ram(management).send(new EnableSharingWithAwsOrganizationCommand({}))).returnValue).toBe(true);
  });

  it('makes shares with the organization, an OU or a member account active at once; an outsider still gets an invitation', async () => {
    const r = ram(admins[LAKE]!);
    const toOu = (await r.send(new CreateResourceShareCommand({ name: 'db-to-development', resourceArns: [DATABASE], principals: [developmentOu] }))).resourceShare!.resourceShareArn!;
    const toOrg = (await r.send(new CreateResourceShareCommand({ name: 'orders-to-org', resourceArns: [TABLE], principals: [orgArn, OUTSIDER] }))).resourceShare!.resourceShareArn!;
    for (const account of [DS1, DS2]) {
      const seen = (await ram(admins[account]!).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resourceShares!.map((s) => s.resourceShareArn);
      expect(seen).toEqual(expect.arrayContaining([toOu, toOrg]));
      expect(await pendingFor(account, toOrg)).toBeUndefined();
    }
    const principals = await r.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [toOrg] }));
    const byEntity = Object.fromEntries(principals.resourceShareAssociations!.map((a) => [a.associatedEntity, [a.status, a.external]]));
    expect(byEntity).toEqual({ [orgArn]: ['ASSOCIATED', false], [OUTSIDER]: ['ASSOCIATING', true] });
    // The management account's own test account is outside the Development OU.
    const tester = await assumeRole(server.url, management, role(accounts.test, 'OrganizationAccountAccessRole'));
    const testerSees = (await ram(tester).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resourceShares!.map((s) => s.resourceShareArn);
    expect(testerSees).toContain(toOrg);
    expect(testerSees).not.toContain(toOu);
  });
});

describe('the share lifecycle', () => {
  let shareArn: string;

  beforeAll(async () => {
    shareArn = (await ram(admins[LAKE]!).send(new CreateResourceShareCommand({ name: 'lifecycle', resourceArns: [TABLE], principals: [DS1] }))).resourceShare!.resourceShareArn!;
  });

  it('associates more resources and principals, and disassociates them', async () => {
    const r = ram(admins[LAKE]!);
    const added = await r.send(new AssociateResourceShareCommand({ resourceShareArn: shareArn, resourceArns: [DATABASE], principals: [DS2] }));
    expect(added.resourceShareAssociations?.map((a) => [a.associatedEntity, a.associationType])).toEqual([
      [DATABASE, 'RESOURCE'],
      [DS2, 'PRINCIPAL'],
    ]);
    // Sharing with the organization is on (previous block): members are associated at once.
    const seen = await ram(admins[DS2]!).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }));
    expect(seen.resources?.map((x) => x.arn).sort()).toEqual([DATABASE, TABLE].sort());
    const removed = await r.send(new DisassociateResourceShareCommand({ resourceShareArn: shareArn, principals: [DS2], resourceArns: [DATABASE] }));
    expect(removed.resourceShareAssociations?.map((a) => a.status)).toEqual(['DISASSOCIATING', 'DISASSOCIATING']);
    expect((await ram(admins[DS2]!).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }))).resourceShares).toEqual([]);
    expect((await ram(admins[DS1]!).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }))).resources?.map((x) => x.arn)).toEqual([TABLE]);
    await expect(r.send(new DisassociateResourceShareCommand({ resourceShareArn: shareArn, resourceArns: [DATABASE] }))).rejects.toMatchObject({ name: 'UnknownResourceException' });
    await expect(r.send(new AssociateResourceShareCommand({ resourceShareArn: `arn:aws:ram:us-east-1:${LAKE}:resource-share/00000000-0000-0000-0000-000000000000`, principals: [DS2] }))).rejects.toMatchObject({
      name: 'UnknownResourceException',
    });
    const malformed = { name: 'MalformedArnException', message: 'The specified resource share ARN is not valid. Verify the ARN and try again.' };
    await expect(r.send(new AssociateResourceShareCommand({ resourceShareArn: 'share', principals: [DS2] }))).rejects.toMatchObject(malformed);
    await expect(r.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: ['share'] }))).rejects.toMatchObject(malformed);
  });

  it('deletes a share: it shows as DELETED to its owner, reaches no one, and cannot be changed or deleted again', async () => {
    const r = ram(admins[LAKE]!);
    await expect(ram(admins[DS1]!).send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied|UnknownResource/) });
    expect((await r.send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))).returnValue).toBe(true);
    expect((await r.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [shareArn] }))).resourceShares?.map((s) => s.status)).toEqual(['DELETED']);
    expect((await ram(admins[DS1]!).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] }))).resources).toEqual([]);
    await expect(r.send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))).rejects.toMatchObject({ name: 'InvalidStateTransitionException' });
    await expect(r.send(new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [DS2] }))).rejects.toMatchObject({ name: 'InvalidStateTransitionException' });
  });
});

describe('shares Lake Formation makes', () => {
  it('carry the AWSRAMLFEnabledGlue… permissions instead of RAM’s defaults', async () => {
    // The table's creator holds ALL with grant option, so it may grant another account.
    await new LakeFormationClient(clientConfig(server.url, admins[LAKE]!)).send(
      new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { Table: { DatabaseName: 'shared', Name: 'orders' } }, Permissions: ['SELECT', 'DESCRIBE'] }),
    );
    const shares = (await ram(admins[LAKE]!).send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareStatus: 'ACTIVE' }))).resourceShares!;
    const lfShare = shares.find((s) => s.name?.startsWith('LakeFormation-V3-'));
    expect(lfShare).toBeDefined();
    const attached = await ram(admins[LAKE]!).send(new ListResourceSharePermissionsCommand({ resourceShareArn: lfShare!.resourceShareArn! }));
    const names = attached.permissions!.map((p) => p.name);
    expect(names).toContain('AWSRAMLFEnabledGlueTableReadWrite');
    expect(names).not.toContain('AWSRAMDefaultPermissionGlueTable');
    // The consumer sees the same permissions on the share that reached it.
    const fromConsumer = await ram(admins[DS2]!).send(new ListResourceSharePermissionsCommand({ resourceShareArn: lfShare!.resourceShareArn! }));
    expect(fromConsumer.permissions!.map((p) => p.name)).toEqual(names);
    // An account the share does not reach learns nothing about it.
    await expect(ram(admins[DS1]!).send(new ListResourceSharePermissionsCommand({ resourceShareArn: lfShare!.resourceShareArn! }))).rejects.toMatchObject({ name: 'UnknownResourceException' });
  });

  it('follow the grants: revoking the last grant to an account deletes its share and disassociates it', async () => {
    const lf = new LakeFormationClient(clientConfig(server.url, admins[LAKE]!));
    const owner = ram(admins[LAKE]!);
    const lfShare = (await owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareStatus: 'ACTIVE' }))).resourceShares!.find((s) => s.name?.startsWith('LakeFormation-V3-'))!;
    const grant = { Principal: { DataLakePrincipalIdentifier: DS2 }, Resource: { Table: { DatabaseName: 'shared', Name: 'orders' } } };
    // Revoking part of what was granted keeps the table shared.
    await lf.send(new RevokePermissionsCommand({ ...grant, Permissions: ['DESCRIBE'] }));
    expect((await owner.send(new ListResourcesCommand({ resourceOwner: 'SELF', resourceShareArns: [lfShare.resourceShareArn!] }))).resources!.map((r) => r.arn)).toEqual([TABLE]);
    await lf.send(new RevokePermissionsCommand({ ...grant, Permissions: ['SELECT'] }));
    const after = await owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [lfShare.resourceShareArn!] }));
    expect(after.resourceShares!.map((s) => s.status)).toEqual(['DELETED']);
    const principals = await owner.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [lfShare.resourceShareArn!] }));
    expect(principals.resourceShareAssociations!.map((a) => [a.associatedEntity, a.status])).toEqual([[DS2, 'DISASSOCIATED']]);
    expect((await ram(admins[DS2]!).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).resourceShares!.map((s) => s.resourceShareArn)).not.toContain(lfShare.resourceShareArn);
    await expect(glue(admins[DS2]!).send(new GetTableCommand({ CatalogId: LAKE, DatabaseName: 'shared', Name: 'orders' }))).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied|EntityNotFound/) });
  });
});
