/**
 * The Organizations service end to end below the protocol layer: handlers called directly with a fake
 * RequestContext on a fresh in-memory database, plus the directory, the seeder, the cache and authz.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { isAwsError } from '../../core/errors.js';
import type { RequestContext } from '../../core/context.js';
import { fixedClock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import type { OrganizationsOperations } from './api.gen.js';
import { createOrganizationsService } from './index.js';
import type { OrganizationsService } from './index.js';

const MGMT = '111111111111';
const DS = '222222222222';
const PROD = '333333333333';
const SANDBOX = '444444444444';
const OUTSIDER = '999999999999';
const ORG_ID = 'o-a1b2c3d4e5';
const ROOT_ID = 'r-ab12';
const SCP_TYPE = 'SERVICE_CONTROL_POLICY';
const RCP_TYPE = 'RESOURCE_CONTROL_POLICY';

function ctx(accountId: string, operation = 'Test'): RequestContext {
  return {
    requestId: 'req-1',
    service: 'organizations',
    operation,
    region: 'us-east-1',
    principal: { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId },
    accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now: Date.UTC(2026, 0, 1),
    secureTransport: true,
  };
}

interface Harness {
  readonly db: Database;
  readonly svc: OrganizationsService;
  call<K extends keyof OrganizationsOperations>(
    op: K,
    input: OrganizationsOperations[K]['input'],
    accountId?: string,
  ): Promise<OrganizationsOperations[K]['output']>;
}

async function harness(): Promise<Harness> {
  const db = openSqlite({ file: ':memory:' });
  const svc = createOrganizationsService({ db, clock: fixedClock(Date.UTC(2026, 0, 1)) });
  await runMigrations(db, svc.migrations);
  return {
    db,
    svc,
    async call(op, input, accountId = MGMT) {
      const h = svc.definition.handlers[op];
      if (!h) throw new Error(`no handler for ${String(op)}`);
      return h(input, ctx(accountId, String(op)));
    },
  };
}

interface Landing extends Harness {
  /** `Workloads` under the root. */
  readonly workloads: string;
  /** `Prod` under `Workloads`. */
  readonly prodOu: string;
}

/**
 * The small org: management account and SANDBOX under the root, DS in Workloads, PROD in Workloads/Prod;
 * SCPs enabled before the OUs and member accounts were created.
 */
async function landing(): Promise<Landing> {
  const h = await harness();
  const s = h.svc.seeder;
  await s.createOrganization({ id: ORG_ID, rootId: ROOT_ID, managementAccount: { id: MGMT, name: 'management', email: 'mgmt@example.com' } });
  await s.enablePolicyType(SCP_TYPE);
  const workloads = await s.createOu({ name: 'Workloads' });
  const prodOu = await s.createOu({ name: 'Prod', parentPath: 'Workloads' });
  await s.createAccount({ id: DS, name: 'data-science-1', email: 'ds@example.com', parentOuId: workloads });
  await s.createAccount({ id: PROD, name: 'production', email: 'prod@example.com', parentOuId: prodOu });
  await s.createAccount({ id: SANDBOX, name: 'sandbox', email: 'sandbox@example.com', joinedMethod: 'INVITED' });
  return { ...h, workloads, prodOu };
}

/** Expects `p` to reject with an AwsError of `code` (and `Reason` member, when given). */
async function expectAwsError(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeDefined();
  if (!isAwsError(caught)) throw caught;
  expect(caught.code).toBe(code);
  expect(caught.status).toBe(400);
  if (reason !== undefined) expect(caught.fields['Reason']).toBe(reason);
}

const doc = (statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const denyS3 = doc([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]);
const allowEc2 = doc([{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]);

const FULL = 'p-FullAWSAccess';
const RCP_FULL = 'p-RCPFullAWSAccess';
const OU_ID_RE = /^ou-ab12-[a-z0-9]{8}$/;
const POLICY_ID_RE = /^p-[a-z0-9]{8}$/;

let t: Landing;
beforeEach(async () => {
  t = await landing();
});

async function createScp(name: string, content = denyS3): Promise<string> {
  const out = await t.call('CreatePolicy', { Name: name, Description: `${name} description`, Type: SCP_TYPE, Content: content });
  return out.Policy!.PolicySummary!.Id!;
}

describe('organization and accounts', () => {
  it('DescribeOrganization works from the management account and from members', async () => {
    const fromMgmt = await t.call('DescribeOrganization', {});
    expect(fromMgmt.Organization).toEqual({
      Id: ORG_ID,
      Arn: `arn:aws:organizations::${MGMT}:organization/${ORG_ID}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${MGMT}`,
      MasterAccountId: MGMT,
      MasterAccountEmail: 'mgmt@example.com',
      AvailablePolicyTypes: [{ Type: SCP_TYPE, Status: 'ENABLED' }],
    });
    expect(await t.call('DescribeOrganization', {}, PROD)).toEqual(fromMgmt);
  });

  it('answers AWSOrganizationsNotInUseException outside the organization and before it exists', async () => {
    await expectAwsError(t.call('DescribeOrganization', {}, OUTSIDER), 'AWSOrganizationsNotInUseException');
    await expectAwsError(t.call('ListAccounts', {}, OUTSIDER), 'AWSOrganizationsNotInUseException');
    const empty = await harness();
    await expectAwsError(empty.call('DescribeOrganization', {}), 'AWSOrganizationsNotInUseException');
    expect(await empty.svc.directory.organization()).toBeUndefined();
    expect(await empty.svc.directory.policiesFor(DS, SCP_TYPE)).toEqual([]);
  });

  it('DescribeAccount returns the account with its ARN, path and joined data', async () => {
    const { Account } = await t.call('DescribeAccount', { AccountId: PROD });
    expect(Account).toEqual({
      Id: PROD,
      Arn: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${PROD}`,
      Email: 'prod@example.com',
      Name: 'production',
      Status: 'ACTIVE',
      State: 'ACTIVE',
      Paths: [`${ORG_ID}/${ROOT_ID}/${t.workloads}/${t.prodOu}/${PROD}/`],
      JoinedMethod: 'CREATED',
      JoinedTimestamp: new Date(Date.UTC(2026, 0, 1)),
    });
    expect((await t.call('DescribeAccount', { AccountId: MGMT })).Account!.JoinedMethod).toBe('INVITED');
    expect((await t.call('DescribeAccount', { AccountId: SANDBOX })).Account!.JoinedMethod).toBe('INVITED');
    await expectAwsError(t.call('DescribeAccount', { AccountId: OUTSIDER }), 'AccountNotFoundException');
  });

  it('ListAccounts and ListAccountsForParent', async () => {
    const all = await t.call('ListAccounts', {});
    expect(all.Accounts!.map((a) => a.Id)).toEqual([MGMT, DS, PROD, SANDBOX]);
    expect(all.NextToken).toBeUndefined();
    expect((await t.call('ListAccountsForParent', { ParentId: ROOT_ID })).Accounts!.map((a) => a.Id)).toEqual([MGMT, SANDBOX]);
    expect((await t.call('ListAccountsForParent', { ParentId: t.prodOu })).Accounts!.map((a) => a.Id)).toEqual([PROD]);
    await expectAwsError(t.call('ListAccountsForParent', { ParentId: 'ou-ab12-zzzzzzzz' }), 'ParentNotFoundException');
  });

  it('paginates over three pages with an opaque NextToken', async () => {
    await t.svc.seeder.createAccount({ id: '555555555555', name: 'test', email: 'test@example.com' });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.call('ListAccounts', { MaxResults: 2, NextToken: token });
      expect(page.Accounts!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Accounts!.map((a) => a.Id!));
      token = page.NextToken;
      if (token) expect(token).not.toContain(seen[seen.length - 1]);
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([MGMT, DS, PROD, SANDBOX, '555555555555']);
  });

  it('rejects foreign or forged tokens and out-of-range MaxResults', async () => {
    const first = await t.call('ListAccounts', { MaxResults: 1 });
    await expectAwsError(t.call('ListPolicies', { Filter: SCP_TYPE, NextToken: first.NextToken }), 'InvalidInputException', 'INVALID_NEXT_TOKEN');
    await expectAwsError(t.call('ListAccounts', { NextToken: 'not-a-token' }), 'InvalidInputException', 'INVALID_NEXT_TOKEN');
    await expectAwsError(t.call('ListAccounts', { MaxResults: 21 }), 'InvalidInputException', 'MAX_VALUE_EXCEEDED');
    await expectAwsError(t.call('ListAccounts', { MaxResults: 0 }), 'InvalidInputException', 'MIN_VALUE_EXCEEDED');
  });

  it('MoveAccount moves between parents and reports AWS errors', async () => {
    await t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: ROOT_ID, DestinationParentId: t.prodOu });
    expect((await t.call('ListParents', { ChildId: SANDBOX })).Parents).toEqual([{ Id: t.prodOu, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(await t.svc.directory.orgPath(SANDBOX)).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/${t.prodOu}/`);
    await expectAwsError(
      t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: t.prodOu, DestinationParentId: t.prodOu }),
      'DuplicateAccountException',
    );
    await expectAwsError(
      t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: ROOT_ID, DestinationParentId: t.workloads }),
      'AccountNotFoundException',
    );
    await expectAwsError(
      t.call('MoveAccount', { AccountId: OUTSIDER, SourceParentId: ROOT_ID, DestinationParentId: t.workloads }),
      'AccountNotFoundException',
    );
    await expectAwsError(
      t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: 'ou-ab12-zzzzzzzz', DestinationParentId: ROOT_ID }),
      'SourceParentNotFoundException',
    );
    await expectAwsError(
      t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: t.prodOu, DestinationParentId: 'ou-ab12-zzzzzzzz' }),
      'DestinationParentNotFoundException',
    );
  });
});

describe('roots and organizational units', () => {
  it('ListRoots shows the root with its enabled policy types', async () => {
    expect((await t.call('ListRoots', {})).Roots).toEqual([
      {
        Id: ROOT_ID,
        Arn: `arn:aws:organizations::${MGMT}:root/${ORG_ID}/${ROOT_ID}`,
        Name: 'Root',
        PolicyTypes: [{ Type: SCP_TYPE, Status: 'ENABLED' }],
      },
    ]);
  });

  it('lists OUs, children and parents', async () => {
    expect(t.workloads).toMatch(OU_ID_RE);
    const ous = await t.call('ListOrganizationalUnitsForParent', { ParentId: ROOT_ID });
    expect(ous.OrganizationalUnits).toEqual([
      {
        Id: t.workloads,
        Arn: `arn:aws:organizations::${MGMT}:ou/${ORG_ID}/${t.workloads}`,
        Name: 'Workloads',
        Path: `${ORG_ID}/${ROOT_ID}/${t.workloads}/`,
      },
    ]);
    expect((await t.call('ListChildren', { ParentId: t.workloads, ChildType: 'ORGANIZATIONAL_UNIT' })).Children).toEqual([
      { Id: t.prodOu, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect((await t.call('ListChildren', { ParentId: t.workloads, ChildType: 'ACCOUNT' })).Children).toEqual([{ Id: DS, Type: 'ACCOUNT' }]);
    expect((await t.call('ListParents', { ChildId: t.workloads })).Parents).toEqual([{ Id: ROOT_ID, Type: 'ROOT' }]);
    expect((await t.call('ListParents', { ChildId: PROD })).Parents).toEqual([{ Id: t.prodOu, Type: 'ORGANIZATIONAL_UNIT' }]);
    await expectAwsError(t.call('ListParents', { ChildId: OUTSIDER }), 'ChildNotFoundException');
    await expectAwsError(t.call('ListChildren', { ParentId: 'r-zzzz', ChildType: 'ACCOUNT' }), 'ParentNotFoundException');
    await expectAwsError(t.call('ListOrganizationalUnitsForParent', { ParentId: 'r-zzzz' }), 'ParentNotFoundException');
  });

  it('DescribeOrganizationalUnit', async () => {
    const { OrganizationalUnit } = await t.call('DescribeOrganizationalUnit', { OrganizationalUnitId: t.prodOu });
    expect(OrganizationalUnit!.Name).toBe('Prod');
    expect(OrganizationalUnit!.Path).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/${t.prodOu}/`);
    await expectAwsError(t.call('DescribeOrganizationalUnit', { OrganizationalUnitId: 'ou-ab12-zzzzzzzz' }), 'OrganizationalUnitNotFoundException');
  });

  it('CreateOrganizationalUnit: tags, FullAWSAccess by default, duplicates, missing parent, depth limit', async () => {
    const out = await t.call('CreateOrganizationalUnit', { ParentId: t.prodOu, Name: 'Team', Tags: [{ Key: 'team', Value: 'ml' }] });
    const id = out.OrganizationalUnit!.Id!;
    expect(id).toMatch(OU_ID_RE);
    expect(out.OrganizationalUnit!.Path).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/${t.prodOu}/${id}/`);
    expect((await t.call('ListTagsForResource', { ResourceId: id })).Tags).toEqual([{ Key: 'team', Value: 'ml' }]);
    expect((await t.call('ListPoliciesForTarget', { TargetId: id, Filter: SCP_TYPE })).Policies!.map((p) => p.Id)).toEqual([FULL]);
    await expectAwsError(t.call('CreateOrganizationalUnit', { ParentId: t.prodOu, Name: 'Team' }), 'DuplicateOrganizationalUnitException');
    await expectAwsError(t.call('CreateOrganizationalUnit', { ParentId: 'ou-ab12-zzzzzzzz', Name: 'X' }), 'ParentNotFoundException');
    // Workloads(1)/Prod(2)/Team(3)/L4/L5 is the deepest allowed.
    const l4 = (await t.call('CreateOrganizationalUnit', { ParentId: id, Name: 'L4' })).OrganizationalUnit!.Id!;
    const l5 = (await t.call('CreateOrganizationalUnit', { ParentId: l4, Name: 'L5' })).OrganizationalUnit!.Id!;
    await expectAwsError(
      t.call('CreateOrganizationalUnit', { ParentId: l5, Name: 'L6' }),
      'ConstraintViolationException',
      'OU_DEPTH_LIMIT_EXCEEDED',
    );
  });

  it('DeleteOrganizationalUnit refuses a non-empty OU and removes an empty one with its attachments', async () => {
    await expectAwsError(t.call('DeleteOrganizationalUnit', { OrganizationalUnitId: t.workloads }), 'OrganizationalUnitNotEmptyException');
    await t.call('MoveAccount', { AccountId: PROD, SourceParentId: t.prodOu, DestinationParentId: ROOT_ID });
    const scp = await createScp('Guard');
    await t.call('AttachPolicy', { PolicyId: scp, TargetId: t.prodOu });
    await t.call('DeleteOrganizationalUnit', { OrganizationalUnitId: t.prodOu });
    await expectAwsError(t.call('DescribeOrganizationalUnit', { OrganizationalUnitId: t.prodOu }), 'OrganizationalUnitNotFoundException');
    expect((await t.call('ListTargetsForPolicy', { PolicyId: scp })).Targets).toEqual([]);
    await t.call('DeletePolicy', { PolicyId: scp });
    await expectAwsError(t.call('DeleteOrganizationalUnit', { OrganizationalUnitId: t.prodOu }), 'OrganizationalUnitNotFoundException');
  });
});

describe('policies', () => {
  it('CreatePolicy, DescribePolicy, UpdatePolicy, DeletePolicy', async () => {
    const created = await t.call('CreatePolicy', {
      Name: 'DenyS3',
      Description: 'no S3',
      Type: SCP_TYPE,
      Content: denyS3,
      Tags: [{ Key: 'owner', Value: 'platform' }],
    });
    const id = created.Policy!.PolicySummary!.Id!;
    expect(id).toMatch(POLICY_ID_RE);
    expect(created.Policy).toEqual({
      PolicySummary: {
        Id: id,
        Arn: `arn:aws:organizations::${MGMT}:policy/${ORG_ID}/service_control_policy/${id}`,
        Name: 'DenyS3',
        Description: 'no S3',
        Type: SCP_TYPE,
        AwsManaged: false,
      },
      Content: denyS3,
    });
    expect(await t.call('DescribePolicy', { PolicyId: id })).toEqual(created);
    expect((await t.call('ListTagsForResource', { ResourceId: id })).Tags).toEqual([{ Key: 'owner', Value: 'platform' }]);

    const updated = await t.call('UpdatePolicy', { PolicyId: id, Name: 'DenyS3v2', Content: allowEc2 });
    expect(updated.Policy!.PolicySummary!.Name).toBe('DenyS3v2');
    expect(updated.Policy!.PolicySummary!.Description).toBe('no S3');
    expect(updated.Policy!.Content).toBe(allowEc2);

    await t.call('DeletePolicy', { PolicyId: id });
    await expectAwsError(t.call('DescribePolicy', { PolicyId: id }), 'PolicyNotFoundException');
    await expectAwsError(t.call('DeletePolicy', { PolicyId: id }), 'PolicyNotFoundException');
    await expectAwsError(t.call('UpdatePolicy', { PolicyId: id, Name: 'x' }), 'PolicyNotFoundException');
  });

  it('describes the AWS-managed FullAWSAccess and refuses to change or delete it', async () => {
    const { Policy } = await t.call('DescribePolicy', { PolicyId: FULL });
    expect(Policy!.PolicySummary).toEqual({
      Id: FULL,
      Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
      Name: 'FullAWSAccess',
      Description: 'Allows access to every operation',
      Type: SCP_TYPE,
      AwsManaged: true,
    });
    expect(JSON.parse(Policy!.Content!)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    await expectAwsError(t.call('UpdatePolicy', { PolicyId: FULL, Name: 'x' }), 'InvalidInputException', 'IMMUTABLE_POLICY');
    await expectAwsError(t.call('DeletePolicy', { PolicyId: FULL }), 'InvalidInputException', 'IMMUTABLE_POLICY');
  });

  it('rejects duplicate names, malformed documents and oversized documents', async () => {
    await createScp('Guard');
    await expectAwsError(
      t.call('CreatePolicy', { Name: 'Guard', Description: '', Type: SCP_TYPE, Content: denyS3 }),
      'DuplicatePolicyException',
    );
    await expectAwsError(
      t.call('CreatePolicy', { Name: 'Bad', Description: '', Type: SCP_TYPE, Content: '{not json' }),
      'MalformedPolicyDocumentException',
    );
    // Customer RCPs may only deny.
    await expectAwsError(
      t.call('CreatePolicy', {
        Name: 'AllowAll',
        Description: '',
        Type: RCP_TYPE,
        Content: doc([{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }]),
      }),
      'MalformedPolicyDocumentException',
    );
    const big = doc([{ Effect: 'Deny', Action: 's3:*', Resource: '*', Sid: 'x'.repeat(5200) }]);
    await expectAwsError(
      t.call('CreatePolicy', { Name: 'Big', Description: '', Type: SCP_TYPE, Content: big }),
      'ConstraintViolationException',
      'POLICY_CONTENT_LIMIT_EXCEEDED',
    );
    const other = await createScp('Other');
    await expectAwsError(t.call('UpdatePolicy', { PolicyId: other, Name: 'Guard' }), 'DuplicatePolicyException');
    await expectAwsError(t.call('UpdatePolicy', { PolicyId: other, Content: '[]' }), 'MalformedPolicyDocumentException');
  });

  it('ListPolicies filters by type and includes the AWS-managed policy', async () => {
    const a = await createScp('A');
    const rcp = (
      await t.call('CreatePolicy', {
        Name: 'Perimeter',
        Description: '',
        Type: RCP_TYPE,
        Content: doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }]),
      })
    ).Policy!.PolicySummary!;
    expect(rcp.Arn).toBe(`arn:aws:organizations::${MGMT}:policy/${ORG_ID}/resource_control_policy/${rcp.Id}`);
    // AWS-managed first, then by id.
    expect((await t.call('ListPolicies', { Filter: SCP_TYPE })).Policies!.map((p) => p.Id)).toEqual([FULL, a]);
    expect((await t.call('ListPolicies', { Filter: RCP_TYPE })).Policies!.map((p) => p.Id)).toEqual([RCP_FULL, rcp.Id]);
  });

  it('DeletePolicy refuses a policy that is attached', async () => {
    const id = await createScp('Guard');
    await t.call('AttachPolicy', { PolicyId: id, TargetId: DS });
    await expectAwsError(t.call('DeletePolicy', { PolicyId: id }), 'PolicyInUseException');
    await t.call('DetachPolicy', { PolicyId: id, TargetId: DS });
    await t.call('DeletePolicy', { PolicyId: id });
  });
});

describe('attachments', () => {
  it('FullAWSAccess is attached to the root, every OU and every account once SCPs are enabled', async () => {
    const targets = (await t.call('ListTargetsForPolicy', { PolicyId: FULL })).Targets!;
    expect(targets.map((x) => x.TargetId).sort()).toEqual([MGMT, DS, PROD, SANDBOX, ROOT_ID, t.workloads, t.prodOu].sort());
    const root = targets.find((x) => x.TargetId === ROOT_ID)!;
    expect(root).toEqual({ TargetId: ROOT_ID, Arn: `arn:aws:organizations::${MGMT}:root/${ORG_ID}/${ROOT_ID}`, Name: 'Root', Type: 'ROOT' });
    expect(targets.find((x) => x.TargetId === DS)).toEqual({
      TargetId: DS,
      Arn: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${DS}`,
      Name: 'data-science-1',
      Type: 'ACCOUNT',
    });
  });

  it('AttachPolicy: happy path, duplicate, unknown policy or target, five per target', async () => {
    const id = await createScp('Guard');
    await t.call('AttachPolicy', { PolicyId: id, TargetId: t.workloads });
    expect((await t.call('ListPoliciesForTarget', { TargetId: t.workloads, Filter: SCP_TYPE })).Policies!.map((p) => p.Id)).toEqual([
      FULL,
      id,
    ]);
    await expectAwsError(t.call('AttachPolicy', { PolicyId: id, TargetId: t.workloads }), 'DuplicatePolicyAttachmentException');
    await expectAwsError(t.call('AttachPolicy', { PolicyId: 'p-zzzzzzzz', TargetId: DS }), 'PolicyNotFoundException');
    await expectAwsError(t.call('AttachPolicy', { PolicyId: id, TargetId: OUTSIDER }), 'TargetNotFoundException');
    await expectAwsError(t.call('ListPoliciesForTarget', { TargetId: OUTSIDER, Filter: SCP_TYPE }), 'TargetNotFoundException');
    // FullAWSAccess + Guard + three more = 5; the sixth is refused.
    for (const n of ['B', 'C', 'D']) await t.call('AttachPolicy', { PolicyId: await createScp(n), TargetId: t.workloads });
    await expectAwsError(
      t.call('AttachPolicy', { PolicyId: await createScp('E'), TargetId: t.workloads }),
      'ConstraintViolationException',
      'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    );
  });

  it('AttachPolicy of a type that is not enabled answers PolicyTypeNotEnabledException', async () => {
    const rcp = await t.call('CreatePolicy', {
      Name: 'Perimeter',
      Description: '',
      Type: RCP_TYPE,
      Content: doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }]),
    });
    await expectAwsError(t.call('AttachPolicy', { PolicyId: rcp.Policy!.PolicySummary!.Id!, TargetId: DS }), 'PolicyTypeNotEnabledException');
  });

  it('DetachPolicy: the last SCP of a target cannot go; another one can', async () => {
    await expectAwsError(
      t.call('DetachPolicy', { PolicyId: FULL, TargetId: PROD }),
      'ConstraintViolationException',
      'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    );
    const allow = await createScp('AllowEc2', allowEc2);
    await t.call('AttachPolicy', { PolicyId: allow, TargetId: PROD });
    await t.call('DetachPolicy', { PolicyId: FULL, TargetId: PROD });
    expect((await t.call('ListPoliciesForTarget', { TargetId: PROD, Filter: SCP_TYPE })).Policies!.map((p) => p.Id)).toEqual([allow]);
    await expectAwsError(
      t.call('DetachPolicy', { PolicyId: allow, TargetId: PROD }),
      'ConstraintViolationException',
      'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    );
    await expectAwsError(t.call('DetachPolicy', { PolicyId: allow, TargetId: DS }), 'PolicyNotAttachedException');
    await expectAwsError(t.call('DetachPolicy', { PolicyId: 'p-zzzzzzzz', TargetId: DS }), 'PolicyNotFoundException');
    await expectAwsError(t.call('DetachPolicy', { PolicyId: allow, TargetId: 'ou-ab12-zzzzzzzz' }), 'TargetNotFoundException');
  });

  it('ListPoliciesForTarget and ListTargetsForPolicy paginate', async () => {
    const id = await createScp('Guard');
    for (const target of [ROOT_ID, t.workloads, t.prodOu, DS, PROD]) await t.call('AttachPolicy', { PolicyId: id, TargetId: target });
    const p1 = await t.call('ListTargetsForPolicy', { PolicyId: id, MaxResults: 2 });
    const p2 = await t.call('ListTargetsForPolicy', { PolicyId: id, MaxResults: 2, NextToken: p1.NextToken });
    const p3 = await t.call('ListTargetsForPolicy', { PolicyId: id, MaxResults: 2, NextToken: p2.NextToken });
    expect(p3.NextToken).toBeUndefined();
    expect([...p1.Targets!, ...p2.Targets!, ...p3.Targets!].map((x) => x.TargetId)).toEqual([DS, PROD, ROOT_ID, t.prodOu, t.workloads].sort());
    await expectAwsError(t.call('ListTargetsForPolicy', { PolicyId: 'p-zzzzzzzz' }), 'PolicyNotFoundException');
  });
});

describe('policy types', () => {
  it('EnablePolicyType attaches RCPFullAWSAccess everywhere; it cannot be detached', async () => {
    const { Root } = await t.call('EnablePolicyType', { RootId: ROOT_ID, PolicyType: RCP_TYPE });
    expect(Root!.PolicyTypes).toEqual([
      { Type: RCP_TYPE, Status: 'ENABLED' },
      { Type: SCP_TYPE, Status: 'ENABLED' },
    ]);
    const targets = (await t.call('ListTargetsForPolicy', { PolicyId: RCP_FULL })).Targets!.map((x) => x.TargetId);
    expect(targets.sort()).toEqual([MGMT, DS, PROD, SANDBOX, ROOT_ID, t.workloads, t.prodOu].sort());
    await expectAwsError(t.call('DetachPolicy', { PolicyId: RCP_FULL, TargetId: DS }), 'InvalidInputException', 'NON_DETACHABLE_POLICY');
    await expectAwsError(t.call('EnablePolicyType', { RootId: ROOT_ID, PolicyType: RCP_TYPE }), 'PolicyTypeAlreadyEnabledException');
    await expectAwsError(t.call('EnablePolicyType', { RootId: 'r-zzzz', PolicyType: RCP_TYPE }), 'RootNotFoundException');
  });

  it('DisablePolicyType detaches every policy of the type and keeps the policies', async () => {
    const id = await createScp('Guard');
    await t.call('AttachPolicy', { PolicyId: id, TargetId: DS });
    const { Root } = await t.call('DisablePolicyType', { RootId: ROOT_ID, PolicyType: SCP_TYPE });
    expect(Root!.PolicyTypes).toEqual([]);
    expect((await t.call('ListTargetsForPolicy', { PolicyId: FULL })).Targets).toEqual([]);
    expect((await t.call('ListTargetsForPolicy', { PolicyId: id })).Targets).toEqual([]);
    expect((await t.call('DescribePolicy', { PolicyId: id })).Policy!.PolicySummary!.Name).toBe('Guard');
    expect(await t.svc.directory.policiesFor(DS, SCP_TYPE)).toEqual([]);
    await expectAwsError(t.call('DisablePolicyType', { RootId: ROOT_ID, PolicyType: SCP_TYPE }), 'PolicyTypeNotEnabledException');
    await expectAwsError(t.call('AttachPolicy', { PolicyId: id, TargetId: DS }), 'PolicyTypeNotEnabledException');
  });
});

describe('tags', () => {
  it('TagResource, ListTagsForResource, UntagResource on accounts, OUs, roots and policies', async () => {
    for (const id of [DS, t.workloads, ROOT_ID]) {
      await t.call('TagResource', { ResourceId: id, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'ml' }] });
      await t.call('TagResource', { ResourceId: id, Tags: [{ Key: 'env', Value: 'prod' }] });
      expect((await t.call('ListTagsForResource', { ResourceId: id })).Tags).toEqual([
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'ml' },
      ]);
      await t.call('UntagResource', { ResourceId: id, TagKeys: ['env', 'missing'] });
      expect((await t.call('ListTagsForResource', { ResourceId: id })).Tags).toEqual([{ Key: 'team', Value: 'ml' }]);
    }
    await expectAwsError(t.call('TagResource', { ResourceId: OUTSIDER, Tags: [{ Key: 'a', Value: 'b' }] }), 'TargetNotFoundException');
    await expectAwsError(t.call('ListTagsForResource', { ResourceId: 'p-zzzzzzzz' }), 'TargetNotFoundException');
    await expectAwsError(
      t.call('TagResource', { ResourceId: DS, Tags: [{ Key: 'a', Value: 'b' }, { Key: 'a', Value: 'c' }] }),
      'InvalidInputException',
      'DUPLICATE_TAG_KEY',
    );
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expectAwsError(t.call('TagResource', { ResourceId: DS, Tags: many }), 'ConstraintViolationException', 'MAX_TAG_LIMIT_EXCEEDED');
  });
});

describe('access', () => {
  it('member accounts get AccessDeniedException for management-only operations', async () => {
    const id = await createScp('Guard');
    const calls: Array<Promise<unknown>> = [
      t.call('ListAccounts', {}, DS),
      t.call('DescribeAccount', { AccountId: DS }, DS),
      t.call('ListRoots', {}, DS),
      t.call('ListChildren', { ParentId: ROOT_ID, ChildType: 'ACCOUNT' }, DS),
      t.call('CreateOrganizationalUnit', { ParentId: ROOT_ID, Name: 'Mine' }, DS),
      t.call('CreatePolicy', { Name: 'Mine', Description: '', Type: SCP_TYPE, Content: denyS3 }, DS),
      t.call('AttachPolicy', { PolicyId: id, TargetId: DS }, DS),
      t.call('DetachPolicy', { PolicyId: FULL, TargetId: DS }, PROD),
      t.call('DescribePolicy', { PolicyId: FULL }, DS),
      t.call('EnablePolicyType', { RootId: ROOT_ID, PolicyType: RCP_TYPE }, DS),
      t.call('TagResource', { ResourceId: DS, Tags: [{ Key: 'a', Value: 'b' }] }, DS),
    ];
    for (const c of calls) await expectAwsError(c, 'AccessDeniedException');
    // Nothing changed.
    expect((await t.call('ListOrganizationalUnitsForParent', { ParentId: ROOT_ID })).OrganizationalUnits!.map((o) => o.Name)).toEqual([
      'Workloads',
    ]);
    expect((await t.call('ListTargetsForPolicy', { PolicyId: id })).Targets).toEqual([]);
  });
});

describe('directory', () => {
  it('organization, account, accounts', async () => {
    const d = t.svc.directory;
    expect(await d.organization()).toEqual({
      id: ORG_ID,
      arn: `arn:aws:organizations::${MGMT}:organization/${ORG_ID}`,
      managementAccountId: MGMT,
      rootId: ROOT_ID,
    });
    expect(await d.account(DS)).toEqual({
      id: DS,
      name: 'data-science-1',
      email: 'ds@example.com',
      status: 'ACTIVE',
      arn: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${DS}`,
    });
    expect(await d.account(OUTSIDER)).toBeUndefined();
    expect((await d.accounts()).map((a) => a.id)).toEqual([MGMT, DS, PROD, SANDBOX]);
  });

  it('orgPath has the aws:PrincipalOrgPaths form', async () => {
    const d = t.svc.directory;
    expect(await d.orgPath(PROD)).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/${t.prodOu}/`);
    expect(await d.orgPath(DS)).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/`);
    expect(await d.orgPath(MGMT)).toBe(`${ORG_ID}/${ROOT_ID}/`);
    expect(await d.orgPath(OUTSIDER)).toBeUndefined();
    expect(await d.orgPath(PROD)).toMatch(/^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*$/);
  });

  it('policiesFor gives one level per step from the root down to the account', async () => {
    const rootGuard = await createScp('RootGuard');
    const ouGuard = await createScp('WorkloadsGuard', doc([{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }]));
    const prodAllow = await createScp('ProdAllow', allowEc2);
    await t.call('AttachPolicy', { PolicyId: rootGuard, TargetId: ROOT_ID });
    await t.call('AttachPolicy', { PolicyId: ouGuard, TargetId: t.workloads });
    await t.call('AttachPolicy', { PolicyId: prodAllow, TargetId: t.prodOu });
    await t.call('DetachPolicy', { PolicyId: FULL, TargetId: t.prodOu });

    const levels = await t.svc.directory.policiesFor(PROD, SCP_TYPE);
    const arn = (id: string) => `arn:aws:organizations::${MGMT}:policy/${ORG_ID}/service_control_policy/${id}`;
    const fullArn = 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess';
    expect(levels.map((l) => l.map((p) => p.id))).toEqual([
      [fullArn, arn(rootGuard)], // root
      [fullArn, arn(ouGuard)], // Workloads
      [arn(prodAllow)], // Prod
      [fullArn], // the account
    ]);
    expect(levels[2]![0]).toEqual({ id: arn(prodAllow), name: 'ProdAllow', document: allowEc2 });
    expect(levels[0]![0]!.name).toBe('FullAWSAccess');
    expect(JSON.parse(levels[0]![0]!.document).Statement[0].Action).toBe('*');

    expect((await t.svc.directory.policiesFor(SANDBOX, SCP_TYPE)).length).toBe(2); // root, account
    expect(await t.svc.directory.policiesFor(MGMT, SCP_TYPE)).toEqual([]); // exempt
    expect(await t.svc.directory.policiesFor(OUTSIDER, SCP_TYPE)).toEqual([]);
    expect(await t.svc.directory.policiesFor(PROD, RCP_TYPE)).toEqual([]); // not enabled
  });

  it('policiesFor RCPs once enabled', async () => {
    await t.svc.seeder.enablePolicyType(RCP_TYPE);
    const perimeter = await t.svc.seeder.createPolicy({
      name: 'Perimeter',
      description: 'org only',
      type: RCP_TYPE,
      document: doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG_ID } } }]),
    });
    await t.svc.seeder.attachPolicy(perimeter, ROOT_ID);
    const levels = await t.svc.directory.policiesFor(DS, RCP_TYPE);
    expect(levels.map((l) => l.map((p) => p.name))).toEqual([['RCPFullAWSAccess', 'Perimeter'], ['RCPFullAWSAccess'], ['RCPFullAWSAccess']]);
    expect(levels[0]![0]!.id).toBe('arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess');
    expect(await t.svc.directory.policiesFor(MGMT, RCP_TYPE)).toEqual([]);
  });
});

describe('cache', () => {
  it('serves repeated questions from memory and is dropped by every write', async () => {
    const d = t.svc.directory;
    const first = await d.policiesFor(PROD, SCP_TYPE);
    expect(await d.policiesFor(PROD, SCP_TYPE)).toBe(first); // same frozen object: no recomputation
    expect(Object.isFrozen(first)).toBe(true);
    const path = await d.orgPath(SANDBOX);

    const guard = await createScp('Guard');
    // Any write drops the memo; an unrelated one yields an equal answer.
    const recomputed = await d.policiesFor(PROD, SCP_TYPE);
    expect(recomputed).not.toBe(first);
    expect(recomputed).toEqual(first);
    await t.call('AttachPolicy', { PolicyId: guard, TargetId: PROD });
    const after = await d.policiesFor(PROD, SCP_TYPE);
    expect(after).not.toBe(first);
    expect(after[3]!.map((p) => p.name)).toEqual(['FullAWSAccess', 'Guard']);

    await t.call('MoveAccount', { AccountId: SANDBOX, SourceParentId: ROOT_ID, DestinationParentId: t.workloads });
    expect(await d.orgPath(SANDBOX)).not.toBe(path);
    expect(await d.orgPath(SANDBOX)).toBe(`${ORG_ID}/${ROOT_ID}/${t.workloads}/`);

    await t.call('UpdatePolicy', { PolicyId: guard, Content: denyS3.replace('s3:*', 'sqs:*') });
    expect((await d.policiesFor(PROD, SCP_TYPE))[3]![1]!.document).toContain('sqs:*');

    await t.svc.seeder.createAccount({ id: '555555555555', name: 'late', email: 'late@example.com', parentOuId: t.prodOu });
    expect(await d.account('555555555555')).toBeDefined();
    expect((await d.policiesFor('555555555555', SCP_TYPE)).length).toBe(4);
  });

  it('a failed write leaves the answers unchanged', async () => {
    const before = await t.svc.directory.policiesFor(PROD, SCP_TYPE);
    await expectAwsError(t.call('DetachPolicy', { PolicyId: FULL, TargetId: PROD }), 'ConstraintViolationException');
    expect(await t.svc.directory.policiesFor(PROD, SCP_TYPE)).toEqual(before);
  });
});

describe('seeder', () => {
  it('joins a transaction the loader holds, and a failure rolls everything back', async () => {
    const h = await harness();
    await expect(
      h.db.transaction(async (trx) => {
        await h.svc.seeder.createOrganization({ id: ORG_ID, rootId: ROOT_ID, managementAccount: { id: MGMT, name: 'm', email: 'm@example.com' } }, trx);
        await h.svc.seeder.enablePolicyType(SCP_TYPE, trx);
        const ou = await h.svc.seeder.createOu({ name: 'A' }, trx);
        await h.svc.seeder.createAccount({ id: DS, name: 'ds', email: 'ds@example.com', parentOuId: ou }, trx);
        await h.svc.seeder.createAccount({ id: PROD, name: 'dup', email: 'ds@example.com' }, trx); // duplicate email
      }),
    ).rejects.toMatchObject({ code: 'DuplicateAccountException' });
    expect(await h.svc.directory.organization()).toBeUndefined();

    await h.db.transaction(async (trx) => {
      await h.svc.seeder.createOrganization({ managementAccount: { id: MGMT, name: 'm', email: 'm@example.com' } }, trx);
      await h.svc.seeder.enablePolicyType(SCP_TYPE, trx);
      const a = await h.svc.seeder.createOu({ name: 'A' }, trx);
      const b = await h.svc.seeder.createOu({ name: 'B', parentPath: '/A/' }, trx);
      await h.svc.seeder.createAccount({ id: DS, name: 'ds', email: 'ds@example.com', parentOuId: b }, trx);
      const p = await h.svc.seeder.createPolicy({ name: 'Guard', description: '', type: SCP_TYPE, document: denyS3 }, trx);
      await h.svc.seeder.attachPolicy(p, a, trx);
    });
    const org = (await h.svc.directory.organization())!;
    expect(org.id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(org.rootId).toMatch(/^r-[a-z0-9]{4}$/);
    const levels = await h.svc.directory.policiesFor(DS, SCP_TYPE);
    expect(levels.map((l) => l.map((p) => p.name))).toEqual([['FullAWSAccess'], ['FullAWSAccess', 'Guard'], ['FullAWSAccess'], ['FullAWSAccess']]);
  });

  it('validates like the API', async () => {
    const s = t.svc.seeder;
    await expectAwsError(
      s.createOrganization({ managementAccount: { id: MGMT, name: 'm', email: 'm@example.com' } }),
      'AlreadyInOrganizationException',
    );
    await expectAwsError(s.createOu({ name: 'X', parentPath: 'Nope' }), 'ParentNotFoundException');
    await expectAwsError(s.createOu({ name: 'Workloads' }), 'DuplicateOrganizationalUnitException');
    await expectAwsError(s.createAccount({ id: DS, name: 'again', email: 'other@example.com' }), 'DuplicateAccountException');
    await expectAwsError(s.createAccount({ id: '12', name: 'bad', email: 'bad@example.com' }), 'InvalidInputException', 'INVALID_PATTERN');
    await expectAwsError(s.enablePolicyType(SCP_TYPE), 'PolicyTypeAlreadyEnabledException');
    await expectAwsError(s.createPolicy({ name: 'Bad', description: '', type: SCP_TYPE, document: '{' }), 'MalformedPolicyDocumentException');
    await expectAwsError(s.detachPolicy(FULL, DS), 'ConstraintViolationException', 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    await expectAwsError(s.attachPolicy(FULL, DS), 'DuplicatePolicyAttachmentException');
  });
});

describe('authz', () => {
  const authz = (op: string, input: unknown, account = MGMT) => t.svc.definition.authz![op]!(input, ctx(account, op));

  it('covers every implemented operation', () => {
    expect(Object.keys(t.svc.definition.authz!).sort()).toEqual(Object.keys(t.svc.definition.handlers).sort());
    expect(Object.keys(t.svc.definition.handlers).length).toBe(47);
  });

  it('names the resources of the service authorization reference', async () => {
    expect(await authz('ListAccounts', {})).toEqual([{ action: 'organizations:ListAccounts', resource: '*', context: {} }]);
    expect(await authz('DescribeAccount', { AccountId: DS })).toEqual([
      { action: 'organizations:DescribeAccount', resource: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${DS}`, context: {} },
    ]);
    const guard = await createScp('Guard');
    await t.call('TagResource', { ResourceId: t.workloads, Tags: [{ Key: 'team', Value: 'ml' }] });
    expect(await authz('AttachPolicy', { PolicyId: guard, TargetId: t.workloads })).toEqual([
      {
        action: 'organizations:AttachPolicy',
        resource: `arn:aws:organizations::${MGMT}:policy/${ORG_ID}/service_control_policy/${guard}`,
        context: { 'organizations:PolicyType': SCP_TYPE },
      },
      {
        action: 'organizations:AttachPolicy',
        resource: `arn:aws:organizations::${MGMT}:ou/${ORG_ID}/${t.workloads}`,
        context: { 'aws:ResourceTag/team': 'ml', 'organizations:PolicyType': SCP_TYPE },
      },
    ]);
    expect(await authz('DescribePolicy', { PolicyId: FULL })).toEqual([
      {
        action: 'organizations:DescribePolicy',
        resource: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
        context: { 'organizations:PolicyType': SCP_TYPE },
        resourceAccount: MGMT,
      },
    ]);
    expect(await authz('CreatePolicy', { Name: 'n', Description: '', Type: SCP_TYPE, Content: '{}', Tags: [{ Key: 'k', Value: 'v' }] })).toEqual([
      {
        action: 'organizations:CreatePolicy',
        resource: `arn:aws:organizations::${MGMT}:policy/${ORG_ID}/service_control_policy/*`,
        context: { 'organizations:PolicyType': SCP_TYPE, 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' },
      },
    ]);
    const move = await authz('MoveAccount', { AccountId: PROD, SourceParentId: t.prodOu, DestinationParentId: ROOT_ID });
    expect(move.map((r) => r.resource)).toEqual([
      `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${PROD}`,
      `arn:aws:organizations::${MGMT}:ou/${ORG_ID}/${t.prodOu}`,
      `arn:aws:organizations::${MGMT}:root/${ORG_ID}/${ROOT_ID}`,
    ]);
    expect((await authz('EnablePolicyType', { RootId: ROOT_ID, PolicyType: RCP_TYPE }))[0]!.context).toEqual({
      'organizations:PolicyType': RCP_TYPE,
    });
  });
});
