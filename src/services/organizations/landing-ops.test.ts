/**
 * Running the landing zone below the protocol layer: invitations and their handshakes (states, expiry by the clock,
 * who may answer, AWS's errors), trusted service access, delegated administrators and effective management
 * policies — on SQLite always and on PostgreSQL when MLZONE_TEST_PG is set, restarted on the same database to show
 * what persists.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isAwsError } from '../../core/errors.js';
import type { RequestContext } from '../../core/context.js';
import { fixedClock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
// eslint-disable-next-line no-restricted-imports -- the same suite on PostgreSQL when one is configured
import { dropTestSchema, openTestPostgres, testSchemaOf } from '../../persistence/postgres/testing.js';
import type { OrganizationsOperations } from './api.gen.js';
import { createOrganizationsService } from './index.js';
import type { OrganizationsService } from './index.js';
import { mergeEffectivePolicy } from './domain/effective-policy.js';

const MGMT = '111111111111';
const DS = '222222222222';
const PROD = '333333333333';
const PARTNER = '999999999999';
const STRANGER = '123412341234';
const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 0, 1);

function ctx(accountId: string, operation: string): RequestContext {
  return {
    requestId: 'req-1',
    service: 'organizations',
    operation,
    region: 'us-east-1',
    principal: { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId },
    accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now: T0,
    secureTransport: true,
  };
}

async function rejects(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeDefined();
  if (!isAwsError(caught)) throw caught;
  expect(caught.code).toBe(code);
  if (reason !== undefined) expect(caught.fields['Reason']).toBe(reason);
}

const backends: Array<{ name: string; open(): Database; cleanup(db: Database): Promise<void> }> = [
  { name: 'sqlite', open: () => openSqlite({ file: ':memory:' }), cleanup: async () => undefined },
];
const pgUrl = process.env['MLZONE_TEST_PG'];
if (pgUrl) backends.push({ name: 'postgres', open: () => openTestPostgres(pgUrl), cleanup: (db) => dropTestSchema(pgUrl, testSchemaOf(db)) });

for (const backend of backends) {
  describe(`organizations: running the landing zone (${backend.name})`, () => {
    let clock = fixedClock(T0);
    const opened: Database[] = [];
    afterAll(async () => {
      for (const db of opened) {
        await db.close();
        await backend.cleanup(db);
      }
    });

    async function start(db?: Database): Promise<{ db: Database; svc: OrganizationsService; call: Call }> {
      const database = db ?? backend.open();
      if (!db) opened.push(database);
      const svc = createOrganizationsService({
        db: database,
        clock: { now: () => clock.now() },
        knownAccount: (id) => (id === PARTNER ? { name: 'partner', email: 'partner@example.com' } : undefined),
      });
      await runMigrations(database, svc.migrations);
      const call: Call = async (op, input, accountId = MGMT) => {
        const h = svc.definition.handlers[op];
        if (!h) throw new Error(`no handler for ${String(op)}`);
        return h(input, ctx(accountId, String(op)));
      };
      return { db: database, svc, call };
    }

    /** A fresh organization, its clock at T0. */
    async function landing() {
      clock = fixedClock(T0);
      const h = await start();
      const s = h.svc.seeder;
      await s.createOrganization({ id: 'o-a1b2c3d4e5', rootId: 'r-ab12', managementAccount: { id: MGMT, name: 'management', email: 'mgmt@example.com' } });
      await s.enablePolicyType('SERVICE_CONTROL_POLICY');
      const workloads = await s.createOu({ name: 'Workloads' });
      await s.createAccount({ id: DS, name: 'data-science-1', email: 'ds@example.com', parentOuId: workloads });
      await s.createAccount({ id: PROD, name: 'production', email: 'prod@example.com', parentOuId: workloads });
      return { ...h, workloads };
    }

    describe('invitations', () => {
      it('invites an outsider by id, who sees it, accepts it and becomes a member in the root with the root policies', async () => {
        const { call, svc } = await landing();
        const out = await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: PARTNER }, Notes: 'welcome', Tags: [{ Key: 'team', Value: 'partner' }] });
        const h = out.Handshake!;
        expect(h.Id).toMatch(/^h-[0-9a-z]{8,32}$/);
        expect(h).toMatchObject({
          Arn: `arn:aws:organizations::${MGMT}:handshake/o-a1b2c3d4e5/invite/${h.Id}`,
          State: 'OPEN',
          Action: 'INVITE',
          Parties: [
            { Id: 'o-a1b2c3d4e5', Type: 'ORGANIZATION' },
            { Id: PARTNER, Type: 'ACCOUNT' },
          ],
          RequestedTimestamp: new Date(T0),
          ExpirationTimestamp: new Date(T0 + 15 * DAY),
        });
        expect(h.Resources).toEqual([
          {
            Type: 'ORGANIZATION',
            Value: 'o-a1b2c3d4e5',
            Resources: [
              { Type: 'MASTER_EMAIL', Value: 'mgmt@example.com' },
              { Type: 'MASTER_NAME', Value: 'management' },
              { Type: 'ORGANIZATION_FEATURE_SET', Value: 'ALL' },
            ],
          },
          { Type: 'ACCOUNT', Value: PARTNER },
          { Type: 'NOTES', Value: 'welcome' },
        ]);
        // Before answering, the partner is no member: member-only operations refuse it.
        await rejects(call('DescribeOrganization', {}, PARTNER), 'AWSOrganizationsNotInUseException');
        expect((await call('ListHandshakesForAccount', {}, PARTNER)).Handshakes!.map((x) => x.Id)).toEqual([h.Id]);
        expect((await call('ListHandshakesForAccount', {}, DS)).Handshakes).toEqual([]);
        expect((await call('ListHandshakesForOrganization', {})).Handshakes!.map((x) => x.Id)).toEqual([h.Id]);

        const accepted = await call('AcceptHandshake', { HandshakeId: h.Id! }, PARTNER);
        expect(accepted.Handshake!.State).toBe('ACCEPTED');
        const a = (await call('DescribeAccount', { AccountId: PARTNER })).Account!;
        expect(a).toMatchObject({ Name: 'partner', Email: 'partner@example.com', JoinedMethod: 'INVITED', Status: 'ACTIVE' });
        expect((await call('ListParents', { ChildId: PARTNER })).Parents).toEqual([{ Id: 'r-ab12', Type: 'ROOT' }]);
        expect((await call('ListTagsForResource', { ResourceId: PARTNER })).Tags).toEqual([{ Key: 'team', Value: 'partner' }]);
        expect(await svc.directory.orgPath(PARTNER)).toBe('o-a1b2c3d4e5/r-ab12/');
        const levels = await svc.directory.policiesFor(PARTNER, 'SERVICE_CONTROL_POLICY');
        expect(levels.map((l) => l.map((p) => p.name))).toEqual([['FullAWSAccess'], ['FullAWSAccess']]);
        expect((await call('DescribeOrganization', {}, PARTNER)).Organization!.Id).toBe('o-a1b2c3d4e5');
        // Accepting twice, or declining what was accepted.
        await rejects(call('AcceptHandshake', { HandshakeId: h.Id! }, PARTNER), 'HandshakeAlreadyInStateException');
        await rejects(call('DeclineHandshake', { HandshakeId: h.Id! }, PARTNER), 'InvalidHandshakeTransitionException');
        await rejects(call('CancelHandshake', { HandshakeId: h.Id! }), 'InvalidHandshakeTransitionException');
      });

      it('refuses an invitation to a member, a duplicate, the wrong party type, and a member inviting', async () => {
        const { call } = await landing();
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: DS } }), 'HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION');
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'EMAIL', Id: 'DS@example.com' } }), 'HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION');
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ORGANIZATION', Id: 'o-zzzzzzzzzz' } }), 'InvalidInputException', 'INVALID_PARTY_TYPE_TARGET');
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: 'partner' } }), 'InvalidInputException', 'INVALID_PATTERN');
        await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } });
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } }), 'DuplicateHandshakeException');
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: PARTNER } }, DS), 'AccessDeniedException');
        await rejects(call('ListHandshakesForOrganization', {}, DS), 'AccessDeniedException');
        await rejects(call('ListHandshakesForAccount', { Filter: { ActionType: 'INVITE', ParentHandshakeId: 'h-aaaaaaaaaa' } }), 'InvalidInputException', 'MAX_LIMIT_EXCEEDED_FILTER');
      });

      it('lets only the recipient answer and only the sender cancel', async () => {
        const { call } = await landing();
        const id = (await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } })).Handshake!.Id!;
        await rejects(call('AcceptHandshake', { HandshakeId: id }, PARTNER), 'AccessDeniedException');
        await rejects(call('AcceptHandshake', { HandshakeId: id }, MGMT), 'AccessDeniedException');
        await rejects(call('DeclineHandshake', { HandshakeId: id }, DS), 'AccessDeniedException');
        await rejects(call('CancelHandshake', { HandshakeId: id }, STRANGER), 'AccessDeniedException');
        await rejects(call('DescribeHandshake', { HandshakeId: id }, PARTNER), 'AccessDeniedException');
        expect((await call('DescribeHandshake', { HandshakeId: id }, STRANGER)).Handshake!.State).toBe('OPEN');
        expect((await call('DeclineHandshake', { HandshakeId: id }, STRANGER)).Handshake!.State).toBe('DECLINED');
        await rejects(call('DeclineHandshake', { HandshakeId: id }, STRANGER), 'HandshakeAlreadyInStateException');
        await rejects(call('AcceptHandshake', { HandshakeId: id }, STRANGER), 'InvalidHandshakeTransitionException');
        await rejects(call('DescribeAccount', { AccountId: STRANGER }), 'AccountNotFoundException');
        // Declined: the account may be invited again; this time the sender cancels.
        const again = (await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } })).Handshake!.Id!;
        expect((await call('CancelHandshake', { HandshakeId: again })).Handshake!.State).toBe('CANCELED');
        await rejects(call('CancelHandshake', { HandshakeId: again }), 'HandshakeAlreadyInStateException');
        await rejects(call('AcceptHandshake', { HandshakeId: again }, STRANGER), 'InvalidHandshakeTransitionException');
        await rejects(call('DescribeHandshake', { HandshakeId: 'h-0000000000' }), 'HandshakeNotFoundException');
      });

      it('expires after 15 days by the clock, and forgets ended handshakes after 30 more', async () => {
        const { call } = await landing();
        const id = (await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } })).Handshake!.Id!;
        clock.advance(15 * DAY - 1);
        expect((await call('DescribeHandshake', { HandshakeId: id })).Handshake!.State).toBe('OPEN');
        clock.advance(1);
        expect((await call('DescribeHandshake', { HandshakeId: id })).Handshake!.State).toBe('EXPIRED');
        await rejects(call('AcceptHandshake', { HandshakeId: id }, STRANGER), 'InvalidHandshakeTransitionException');
        // An expired invitation no longer blocks a new one.
        const next = (await call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: STRANGER } })).Handshake!.Id!;
        clock.advance(30 * DAY);
        await rejects(call('DescribeHandshake', { HandshakeId: id }), 'HandshakeNotFoundException');
        expect((await call('ListHandshakesForOrganization', {})).Handshakes!.map((h) => [h.Id, h.State])).toEqual([[next, 'EXPIRED']]);
      });

      it('invites back a removed account by email, which rejoins under its name; a delegated administrator cannot be removed', async () => {
        const { call } = await landing();
        await call('EnableAWSServiceAccess', { ServicePrincipal: 'cloudtrail.amazonaws.com' });
        await call('RegisterDelegatedAdministrator', { AccountId: PROD, ServicePrincipal: 'cloudtrail.amazonaws.com' });
        await rejects(call('RemoveAccountFromOrganization', { AccountId: PROD }), 'ConstraintViolationException', 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
        await call('DeregisterDelegatedAdministrator', { AccountId: PROD, ServicePrincipal: 'cloudtrail.amazonaws.com' });
        await call('RemoveAccountFromOrganization', { AccountId: PROD });
        await rejects(call('DescribeOrganization', {}, PROD), 'AWSOrganizationsNotInUseException');
        const id = (await call('InviteAccountToOrganization', { Target: { Type: 'EMAIL', Id: 'Prod@Example.com' } })).Handshake!.Id!;
        expect((await call('ListHandshakesForAccount', {}, PROD)).Handshakes!.map((h) => h.Id)).toEqual([id]);
        await call('AcceptHandshake', { HandshakeId: id }, PROD);
        expect((await call('DescribeAccount', { AccountId: PROD })).Account).toMatchObject({ Name: 'production', Email: 'prod@example.com', JoinedMethod: 'INVITED' });
        // A member cannot accept another organization's … or this one's second invitation: it is already in.
        await rejects(call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: PROD } }), 'HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION');
      });

      it('keeps handshakes, delegations and service access across a restart', async () => {
        const h = await landing();
        const id = (await h.call('InviteAccountToOrganization', { Target: { Type: 'ACCOUNT', Id: PARTNER } })).Handshake!.Id!;
        await h.call('EnableAWSServiceAccess', { ServicePrincipal: 'backup.amazonaws.com' });
        await h.call('RegisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'backup.amazonaws.com' });
        const again = await start(h.db);
        expect((await again.call('DescribeHandshake', { HandshakeId: id }, PARTNER)).Handshake!.State).toBe('OPEN');
        expect((await again.call('ListAWSServiceAccessForOrganization', {})).EnabledServicePrincipals!.map((e) => e.ServicePrincipal)).toEqual(['backup.amazonaws.com']);
        expect((await again.call('ListDelegatedServicesForAccount', { AccountId: DS })).DelegatedServices!.map((d) => d.ServicePrincipal)).toEqual(['backup.amazonaws.com']);
      });
    });

    describe('trusted access and delegated administrators', () => {
      it('needs trusted access first, refuses the management account, duplicates and the quota, then lists', async () => {
        const { call } = await landing();
        await rejects(call('EnableAWSServiceAccess', { ServicePrincipal: 'nothing.amazonaws.com' }), 'InvalidInputException', 'UNRECOGNIZED_SERVICE_PRINCIPAL');
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'ram.amazonaws.com' }), 'InvalidInputException', 'UNRECOGNIZED_SERVICE_PRINCIPAL');
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'guardduty.amazonaws.com' }), 'ConstraintViolationException', 'SERVICE_ACCESS_NOT_ENABLED');
        await rejects(call('EnableAWSServiceAccess', { ServicePrincipal: 'guardduty.amazonaws.com' }, DS), 'AccessDeniedException');
        await call('EnableAWSServiceAccess', { ServicePrincipal: 'guardduty.amazonaws.com' });
        await call('EnableAWSServiceAccess', { ServicePrincipal: 'guardduty.amazonaws.com' });
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: MGMT, ServicePrincipal: 'guardduty.amazonaws.com' }), 'ConstraintViolationException', 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: STRANGER, ServicePrincipal: 'guardduty.amazonaws.com' }), 'AccountNotFoundException');
        // Before it is delegated, a member may not list.
        await rejects(call('ListDelegatedAdministrators', {}, DS), 'AccessDeniedException');
        await rejects(call('ListAWSServiceAccessForOrganization', {}, DS), 'AccessDeniedException');
        await call('RegisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'guardduty.amazonaws.com' });
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'guardduty.amazonaws.com' }), 'AccountAlreadyRegisteredException');
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: PROD, ServicePrincipal: 'guardduty.amazonaws.com' }), 'ConstraintViolationException', 'DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE');
        // The delegated administrator may list now, but not register.
        const admins = (await call('ListDelegatedAdministrators', { ServicePrincipal: 'guardduty.amazonaws.com' }, DS)).DelegatedAdministrators!;
        expect(admins).toEqual([
          expect.objectContaining({ Id: DS, Name: 'data-science-1', Email: 'ds@example.com', Status: 'ACTIVE', DelegationEnabledDate: new Date(T0) }),
        ]);
        expect((await call('ListAWSServiceAccessForOrganization', {}, DS)).EnabledServicePrincipals).toEqual([
          { ServicePrincipal: 'guardduty.amazonaws.com', DateEnabled: new Date(T0) },
        ]);
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: PROD, ServicePrincipal: 'guardduty.amazonaws.com' }, DS), 'AccessDeniedException');
        await rejects(call('ListDelegatedServicesForAccount', { AccountId: PROD }), 'AccountNotRegisteredException');
        await rejects(call('DeregisterDelegatedAdministrator', { AccountId: PROD, ServicePrincipal: 'guardduty.amazonaws.com' }), 'AccountNotRegisteredException');
        await call('DeregisterDelegatedAdministrator', { AccountId: DS, ServicePrincipal: 'guardduty.amazonaws.com' });
        expect((await call('ListDelegatedAdministrators', {})).DelegatedAdministrators).toEqual([]);
        await call('DisableAWSServiceAccess', { ServicePrincipal: 'guardduty.amazonaws.com' });
        expect((await call('ListAWSServiceAccessForOrganization', {})).EnabledServicePrincipals).toEqual([]);
      });

      it('refuses a closed account, and more administrators than the service allows', async () => {
        const { call, svc } = await landing();
        await svc.seeder.createAccount({ id: '444444444444', name: 'four', email: 'four@example.com' });
        await svc.seeder.createAccount({ id: '555555555555', name: 'five', email: 'five@example.com' });
        await call('EnableAWSServiceAccess', { ServicePrincipal: 'cloudtrail.amazonaws.com' });
        await call('CloseAccount', { AccountId: '555555555555' });
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: '555555555555', ServicePrincipal: 'cloudtrail.amazonaws.com' }), 'ConstraintViolationException', 'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR');
        for (const id of [DS, PROD, '444444444444']) await call('RegisterDelegatedAdministrator', { AccountId: id, ServicePrincipal: 'cloudtrail.amazonaws.com' });
        await svc.seeder.createAccount({ id: '666666666666', name: 'six', email: 'six@example.com' });
        await rejects(call('RegisterDelegatedAdministrator', { AccountId: '666666666666', ServicePrincipal: 'cloudtrail.amazonaws.com' }), 'ConstraintViolationException', 'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED');
      });
    });

    describe('effective policies', () => {
      const tagPolicy = (values: string[], op = '@@assign', extra: object = {}) =>
        JSON.stringify({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { [op]: values }, ...extra } } });

      it('merges the tag policies from the root down to the account; none for a type not enabled or not attached', async () => {
        const { call, workloads } = await landing();
        await rejects(call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: DS }), 'EffectivePolicyNotFoundException');
        await call('EnablePolicyType', { RootId: 'r-ab12', PolicyType: 'TAG_POLICY' });
        await rejects(call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: DS }), 'EffectivePolicyNotFoundException');
        const root = (await call('CreatePolicy', { Name: 'root-tags', Description: '', Type: 'TAG_POLICY', Content: tagPolicy(['100', '200']) })).Policy!.PolicySummary!.Id!;
        const ou = (await call('CreatePolicy', { Name: 'ou-tags', Description: '', Type: 'TAG_POLICY', Content: tagPolicy(['300'], '@@append') })).Policy!.PolicySummary!.Id!;
        await call('AttachPolicy', { PolicyId: root, TargetId: 'r-ab12' });
        await call('AttachPolicy', { PolicyId: ou, TargetId: workloads });
        const ds = (await call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: DS })).EffectivePolicy!;
        expect(JSON.parse(ds.PolicyContent!)).toEqual({ tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['100', '200', '300'] } } });
        expect(ds).toMatchObject({ TargetId: DS, PolicyType: 'TAG_POLICY', LastUpdatedTimestamp: new Date(T0) });
        // The management account gets management policies too; a member asks about itself without a TargetId.
        const mine = (await call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY' }, DS)).EffectivePolicy!;
        expect(mine.PolicyContent).toBe(ds.PolicyContent);
        expect(JSON.parse((await call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY' })).EffectivePolicy!.PolicyContent!).tags.costcenter.tag_value).toEqual(['100', '200']);
        await rejects(call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: PROD }, DS), 'AccessDeniedException');
        await rejects(call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: workloads }), 'InvalidInputException', 'TARGET_NOT_SUPPORTED');
        await rejects(call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: STRANGER }), 'TargetNotFoundException');
        clock.advance(1000);
        await call('UpdatePolicy', { PolicyId: ou, Content: tagPolicy(['200'], '@@remove') });
        const after = (await call('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: DS })).EffectivePolicy!;
        expect(JSON.parse(after.PolicyContent!).tags.costcenter.tag_value).toEqual(['100']);
        expect(after.LastUpdatedTimestamp!.getTime()).toBeGreaterThan(ds.LastUpdatedTimestamp!.getTime());
      });
    });
  });
}

type Call = <K extends keyof OrganizationsOperations>(op: K, input: OrganizationsOperations[K]['input'], accountId?: string) => Promise<OrganizationsOperations[K]['output']>;

describe('mergeEffectivePolicy', () => {
  const p = (o: object) => JSON.stringify(o);
  it('assigns, appends and removes down the levels, and strips the operators', () => {
    expect(
      mergeEffectivePolicy([
        [p({ services: { default: { opt_out_policy: { '@@assign': 'optOut' } } } })],
        [],
        [p({ services: { rekognition: { opt_out_policy: { '@@assign': 'optIn' } } } })],
      ]),
    ).toEqual({ services: { default: { opt_out_policy: 'optOut' }, rekognition: { opt_out_policy: 'optIn' } } });
    expect(mergeEffectivePolicy([[], []])).toBeUndefined();
  });

  it('lets a parent lock a setting with @@operators_allowed_for_child_policies; a child cannot widen it', () => {
    const root = p({ services: { default: { opt_out_policy: { '@@assign': 'optOut', '@@operators_allowed_for_child_policies': ['@@none'] } } } });
    const child = p({ services: { default: { opt_out_policy: { '@@assign': 'optIn', '@@operators_allowed_for_child_policies': ['@@all'] } } } });
    expect(mergeEffectivePolicy([[root], [child], [child]])).toEqual({ services: { default: { opt_out_policy: 'optOut' } } });
    // Only @@append allowed below: a remove is ignored, an append applies.
    const onlyAppend = p({ tags: { '@@operators_allowed_for_child_policies': ['@@append'], cc: { tag_value: { '@@assign': ['a'] } } } });
    const remove = p({ tags: { cc: { tag_value: { '@@remove': ['a'] } } } });
    const append = p({ tags: { cc: { tag_value: { '@@append': ['b'] } } } });
    expect(mergeEffectivePolicy([[onlyAppend], [remove, append]])).toEqual({ tags: { cc: { tag_value: ['a', 'b'] } } });
    // Policies at the same level do not limit each other.
    const lockHere = p({ tags: { '@@operators_allowed_for_child_policies': ['@@none'], cc: { tag_value: { '@@assign': ['x'] } } } });
    expect(mergeEffectivePolicy([[lockHere, append]])).toEqual({ tags: { cc: { tag_value: ['x', 'b'] } } });
  });
});
