/**
 * A small world for calling authz declarations: in account 444444444444 a tagged user, role and customer
 * managed policy (used as both users' and roles' permissions boundary, with paths so ARNs carry them) and
 * a group; an organization (management account 111111111111) with SCPs enabled, a tagged OU holding
 * 444444444444, and a tagged customer SCP. Callers are a role session, an IAM user and the root of
 * 444444444444.
 *
 * `overrides` name these entities by input member, so a synthesized input addresses something that
 * exists (tags and boundaries then show up as `aws:ResourceTag/*`, `iam:PermissionsBoundary`, …);
 * inputs synthesized without them address entities that do not exist.
 */
import type { RequestContext } from '../../src/core/context.js';
import type { Principal } from '../../src/core/principal.js';
import type { Services } from './definitions.js';
import type { Alternatives } from './synthesize.js';
import { each, one } from './synthesize.js';

export const ACCOUNT = '444444444444';
export const MANAGEMENT = '111111111111';
export const REGION = 'us-east-1';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface Fixture {
  /** Per service: input member → fixture value(s). */
  readonly overrides: Readonly<Record<string, Readonly<Record<string, Alternatives>>>>;
  /** The callers to try, by label. */
  readonly callers: Readonly<Record<string, Principal>>;
  /** ARNs of fixture resources tagged `team=ds`. */
  readonly tagged: ReadonlySet<string>;
  /** ARNs whose `aws:ResourceTag/*` the gateway fills itself (IAM users and roles, `PolicySources.resourceTags`). */
  readonly gatewayResourceTags: ReadonlySet<string>;
  /** ARNs of the user and role that have a permissions boundary. */
  readonly withBoundary: ReadonlySet<string>;
  /** ARNs of Organizations policies (their type is `organizations:PolicyType`). */
  readonly orgPolicies: ReadonlySet<string>;
}

export function requestContext(principal: Principal, service: string, operation: string): RequestContext {
  return {
    requestId: 'authz-declarations',
    service,
    operation,
    region: REGION,
    principal,
    accountId: principal.accountId,
    sourceIp: '192.0.2.10',
    userAgent: 'vitest',
    now: NOW,
    secureTransport: true,
  };
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
});
const SCP = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }] });
const TAGS = [{ Key: 'team', Value: 'ds' }];
const ACCESS_KEY_ID = 'AKIAFIXTUREALICE0001';

export async function seedFixture(s: Services): Promise<Fixture> {
  const boundaryArn = await s.iam.seeder.createPolicy({ accountId: ACCOUNT, policyName: 'boundary', path: '/ml/', document: SCP, tags: TAGS });
  const user = await s.iam.seeder.createUser({
    accountId: ACCOUNT,
    userName: 'alice',
    path: '/team/',
    permissionsBoundaryArn: boundaryArn,
    tags: TAGS,
    accessKeys: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'fixture-secret-not-used-for-signing-000000' }],
  });
  const role = await s.iam.seeder.createRole({
    accountId: ACCOUNT,
    roleName: 'trainer',
    path: '/ml/',
    assumeRolePolicyDocument: TRUST,
    permissionsBoundaryArn: boundaryArn,
    tags: TAGS,
  });
  const groupArn = await s.iam.seeder.createGroup({ accountId: ACCOUNT, groupName: 'scientists', path: '/team/' });

  const { rootId } = await s.org.seeder.createOrganization({
    id: 'o-fixture001',
    rootId: 'r-fx01',
    managementAccount: { id: MANAGEMENT, name: 'management', email: 'management@example.com' },
  });
  await s.org.seeder.enablePolicyType('SERVICE_CONTROL_POLICY');
  const ouId = await s.org.seeder.createOu({ name: 'Workloads', tags: { team: 'ds' } });
  await s.org.seeder.createAccount({ id: ACCOUNT, name: 'data-science', email: 'ds@example.com', parentOuId: ouId, tags: { team: 'ds' } });
  const policyId = await s.org.seeder.createPolicy({ name: 'deny-delete', description: 'fixture', type: 'SERVICE_CONTROL_POLICY', document: SCP });
  const orgs = s.definitions.find((d) => d.name === 'organizations')!;
  const managementRoot: Principal = { type: 'Root', accountId: MANAGEMENT, arn: `arn:aws:iam::${MANAGEMENT}:root`, userId: MANAGEMENT };
  await orgs.handlers.TagResource!({ ResourceId: policyId, Tags: TAGS }, requestContext(managementRoot, 'organizations', 'TagResource'));

  const roleSession: Principal = {
    type: 'AssumedRole',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/trainer/example-session`,
    userId: `${role.roleId}:example-session`,
    name: 'trainer',
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName: 'example-session',
  };
  const iamUser: Principal = { type: 'IAMUser', accountId: ACCOUNT, arn: user.arn, userId: user.userId, name: 'alice', accessKeyId: ACCESS_KEY_ID };

  const org = `arn:aws:organizations::${MANAGEMENT}:`;
  const orgId = 'o-fixture001';
  const scpArn = `${org}policy/${orgId}/service_control_policy/${policyId}`;
  return {
    tagged: new Set([user.arn, role.arn, boundaryArn, `${org}ou/${orgId}/${ouId}`, `${org}account/${orgId}/${ACCOUNT}`, scpArn]),
    gatewayResourceTags: new Set([user.arn, role.arn]),
    withBoundary: new Set([user.arn, role.arn]),
    orgPolicies: new Set([scpArn, 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess']),
    callers: {
      'role session': roleSession,
      'IAM user': iamUser,
      // A member account's root: identity policies do not apply to it, SCPs do.
      root: { type: 'Root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT },
    },
    overrides: {
      iam: {
        UserName: one('alice'),
        RoleName: one('trainer'),
        GroupName: one('scientists'),
        PolicyArn: each(boundaryArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess'),
        PermissionsBoundary: one(boundaryArn),
        AccessKeyId: one(ACCESS_KEY_ID),
        PolicySourceArn: each(user.arn, role.arn, groupArn),
      },
      sts: { RoleArn: one(role.arn) },
      // OAM names sinks and links by ARN (a sink of another account for CreateLink).
      oam: {
        SinkIdentifier: one(`arn:aws:oam:us-east-1:${MANAGEMENT}:sink/00000000-0000-4000-a000-000000000000`),
        ResourceArn: each(`arn:aws:oam:us-east-1:${ACCOUNT}:sink/00000000-0000-4000-a000-000000000000`, `arn:aws:oam:us-east-1:${ACCOUNT}:link/00000000-0000-4000-a000-000000000001`),
      },
      // CloudWatch tags alarms and dashboards by ARN.
      cloudwatch: { ResourceARN: one(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:example`) },
      organizations: {
        AccountId: one(ACCOUNT),
        ChildId: each(ACCOUNT, ouId),
        ParentId: each(rootId, ouId),
        SourceParentId: one(ouId),
        DestinationParentId: one(rootId),
        OrganizationalUnitId: one(ouId),
        PolicyId: each(policyId, 'p-FullAWSAccess'),
        TargetId: each(ouId, ACCOUNT, rootId),
        RootId: one(rootId),
        ResourceId: each(policyId, ouId, ACCOUNT, rootId),
      },
    },
  };
}
