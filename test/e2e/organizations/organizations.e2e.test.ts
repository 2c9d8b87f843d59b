import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, unique, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let mgmtAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer();
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
});
afterAll(() => server.close());

const orgs = (c: Creds) => new OrganizationsClient(clientConfig(server.url, c));

describe('Organizations with the JS SDK (awsJson1_1)', () => {
  it('shows the landing zone: organization, root, OUs and the eight accounts', async () => {
    const org = await orgs(mgmtAdmin).send(new DescribeOrganizationCommand({}));
    expect(org.Organization).toMatchObject({ Id: 'o-mlzone0001', MasterAccountId: accounts.management, FeatureSet: 'ALL' });
    const names: string[] = [];
    for await (const page of paginateListAccounts({ client: orgs(mgmtAdmin), pageSize: 3 }, {})) names.push(...page.Accounts!.map((a) => a.Name!));
    expect(names.sort()).toEqual(['catalog-hub', 'data-lake', 'data-science-1', 'data-science-2', 'management', 'production', 'shared-services', 'test']);
    const roots = await orgs(mgmtAdmin).send(new ListRootsCommand({}));
    const ous = await orgs(mgmtAdmin).send(new ListOrganizationalUnitsForParentCommand({ ParentId: roots.Roots![0]!.Id! }));
    expect(ous.OrganizationalUnits!.map((o) => o.Name).sort()).toEqual(['Infrastructure', 'Workloads']);
    const parents = await orgs(mgmtAdmin).send(new ListParentsCommand({ ChildId: accounts.production }));
    expect(parents.Parents![0]!.Type).toBe('ORGANIZATIONAL_UNIT');
  });

  it('refuses management-only operations to member accounts', async () => {
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await expect(orgs(ds1Admin).send(new ListAccountsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const org = await orgs(ds1Admin).send(new DescribeOrganizationCommand({}));
    expect(org.Organization!.Id).toBe('o-mlzone0001');
  });

  it('enforces an SCP attached through the API, and stops when it is detached', async () => {
    const ds2Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience2}:role/OrganizationAccountAccessRole`);
    const iam = new IAMClient(clientConfig(server.url, ds2Admin));
    await expect(iam.send(new ListRolesCommand({}))).resolves.toBeDefined();
    const policy = await orgs(mgmtAdmin).send(
      new CreatePolicyCommand({
        Name: unique('NoIamReads'),
        Description: 'deny IAM reads',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:List*', Resource: '*' }] }),
      }),
    );
    const policyId = policy.Policy!.PolicySummary!.Id!;
    await orgs(mgmtAdmin).send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: accounts.dataScience2 }));
    const attached = await orgs(mgmtAdmin).send(new ListPoliciesForTargetCommand({ TargetId: accounts.dataScience2, Filter: 'SERVICE_CONTROL_POLICY' }));
    expect(attached.Policies!.map((p) => p.Id)).toContain(policyId);
    await expect(iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in a service control policy'),
    });
    await orgs(mgmtAdmin).send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: accounts.dataScience2 }));
    await expect(iam.send(new ListRolesCommand({}))).resolves.toBeDefined();
  });

  it('answers bad input with a ValidationException in AWS wording', async () => {
    await expect(orgs(mgmtAdmin).send(new ListParentsCommand({ ChildId: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^1 validation error detected: Value 'nope' at 'childId' failed to satisfy constraint: Member must satisfy regular expression pattern: /),
    });
  });
});
