/**
 * The platform team's account vending with the JS SDK: CreateAccount (asynchronous) of data-science-3, moved
 * into the Development OU, administered through its OrganizationAccountAccessRole, bound by Development's SCPs
 * like data-science-1, then closed — after which its role answers no one. Bad input gets AWS's codes.
 */
import {
  CloseAccountCommand,
  CreateAccountCommand,
  DescribeAccountCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListParentsCommand,
  MoveAccountCommand,
  RemoveAccountFromOrganizationCommand,
  UpdateOrganizationalUnitCommand,
} from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementAdmin, organizations, ouId as ouAt, rootId, waitForCreateAccount } from '../support/organization.js';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let mgmtAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer();
  mgmtAdmin = await managementAdmin(server.url);
});
afterAll(() => server.close());

const orgs = (c: Creds) => organizations(server.url, c);
const PROD_BUCKET = `mlzone-prod-models-${accounts.production}`;
const waitForRequest = (id: string) => waitForCreateAccount(server.url, mgmtAdmin, id);
const ouId = (name: string) => ouAt(server.url, mgmtAdmin, ['Workloads', name]);

describe('account vending: data-science-3', () => {
  let accountId = '';
  let ds3Admin: Creds;
  let ds3Scientist: Creds;

  it('CreateAccount answers IN_PROGRESS and succeeds within 500 ms, the account in the root', async () => {
    const started = Date.now();
    const out = await orgs(mgmtAdmin).send(new CreateAccountCommand({ Email: 'data-science-3@mlzone.example', AccountName: 'data-science-3' }));
    expect(out.CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'data-science-3' });
    expect(out.CreateAccountStatus!.Id).toMatch(/^car-[a-z0-9]{8,32}$/);
    const done = await waitForRequest(out.CreateAccountStatus!.Id!);
    expect(Date.now() - started).toBeLessThan(500);
    expect(done.State).toBe('SUCCEEDED');
    expect(done.AccountId).toMatch(/^\d{12}$/);
    expect(Object.values(accounts)).not.toContain(done.AccountId);
    accountId = done.AccountId!;
    const a = (await orgs(mgmtAdmin).send(new DescribeAccountCommand({ AccountId: accountId }))).Account!;
    expect(a).toMatchObject({ Name: 'data-science-3', Email: 'data-science-3@mlzone.example', Status: 'ACTIVE', JoinedMethod: 'CREATED' });
    const parent = (await orgs(mgmtAdmin).send(new ListParentsCommand({ ChildId: accountId }))).Parents![0]!;
    expect(parent.Type).toBe('ROOT');
  });

  it('moves into Development; its OrganizationAccountAccessRole lets the org admin create a role there', async () => {
    const root = await rootId(server.url, mgmtAdmin);
    const development = await ouId('Development');
    await orgs(mgmtAdmin).send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: root, DestinationParentId: development }));
    ds3Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`);
    const iam = new IAMClient(clientConfig(server.url, ds3Admin));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'DataScientist',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    // Everything S3 allowed: only the organization's SCPs can refuse.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'DataScientist',
        PolicyName: 'all-s3',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      }),
    );
    // The RCP OrganizationOnly denies sts:AssumeRole to principals outside the organization: this works only if
    // aws:PrincipalOrgID already includes the new account.
    ds3Scientist = await assumeRole(server.url, ds3Admin, `arn:aws:iam::${accountId}:role/DataScientist`);
    const me = await new STSClient(clientConfig(server.url, ds3Scientist)).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(new RegExp(`^arn:aws:sts::${accountId}:assumed-role/DataScientist/`));
  });

  it('a data scientist there is bound by the same SCP as data-science-1', async () => {
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    for (const who of [ds3Scientist, ds1Admin]) {
      await expect(new S3Client({ ...clientConfig(server.url, who), forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: PROD_BUCKET }))).rejects.toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining('explicit deny in a service control policy'),
      });
    }
  });

  it('lists the request by state', async () => {
    const failed = await orgs(mgmtAdmin).send(new CreateAccountCommand({ Email: 'Data-Science-1@mlzone.example', AccountName: 'dup' }));
    const dup = await orgs(mgmtAdmin).send(new CreateAccountCommand({ Email: 'data-science-3@mlzone.example', AccountName: 'dup-again' }));
    expect((await waitForRequest(dup.CreateAccountStatus!.Id!)).FailureReason).toBe('EMAIL_ALREADY_EXISTS');
    expect(await waitForRequest(failed.CreateAccountStatus!.Id!)).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    const succeeded = await orgs(mgmtAdmin).send(new ListCreateAccountStatusCommand({ States: ['SUCCEEDED'] }));
    expect(succeeded.CreateAccountStatuses!.map((s) => s.AccountId)).toContain(accountId);
    const onlyFailed = await orgs(mgmtAdmin).send(new ListCreateAccountStatusCommand({ States: ['FAILED'] }));
    expect(onlyFailed.CreateAccountStatuses!.map((s) => s.Id)).toContain(dup.CreateAccountStatus!.Id);
    expect(onlyFailed.CreateAccountStatuses!.every((s) => s.State === 'FAILED' && s.AccountId === undefined)).toBe(true);
  });

  it('closes the account: SUSPENDED, and its role no longer answers', async () => {
    await orgs(mgmtAdmin).send(new CloseAccountCommand({ AccountId: accountId }));
    const a = (await orgs(mgmtAdmin).send(new DescribeAccountCommand({ AccountId: accountId }))).Account!;
    expect(a.Status).toBe('SUSPENDED');
    const listed = (await orgs(mgmtAdmin).send(new ListAccountsCommand({}))).Accounts!.find((x) => x.Id === accountId);
    expect(listed?.Status).toBe('SUSPENDED');
    await expect(assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`)).rejects.toMatchObject({ name: 'AccessDenied' });
    // A session taken before the closure is refused too.
    await expect(new IAMClient(clientConfig(server.url, ds3Admin)).send(new CreateRoleCommand({ RoleName: 'Late', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(orgs(mgmtAdmin).send(new CloseAccountCommand({ AccountId: accountId }))).rejects.toMatchObject({
      name: 'AccountAlreadyClosedException',
      message: 'You attempted to close an account that is already closed.',
    });
  });
});

describe('account lifecycle: bad input and refusals', () => {
  it('refuses an email that is not one, and a name out of its pattern, as the model says', async () => {
    await expect(orgs(mgmtAdmin).send(new CreateAccountCommand({ Email: 'not-an-email', AccountName: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'email' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    });
    await expect(orgs(mgmtAdmin).send(new CreateAccountCommand({ Email: 'ok@mlzone.example', AccountName: 'x'.repeat(51) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses closing or removing the management account', async () => {
    await expect(orgs(mgmtAdmin).send(new CloseAccountCommand({ AccountId: accounts.management }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT',
    });
    await expect(orgs(mgmtAdmin).send(new RemoveAccountFromOrganizationCommand({ AccountId: accounts.management }))).rejects.toMatchObject({
      name: 'MasterCannotLeaveOrganizationException',
    });
    await expect(orgs(mgmtAdmin).send(new CloseAccountCommand({ AccountId: '123456789012' }))).rejects.toMatchObject({ name: 'AccountNotFoundException' });
  });

  it('refuses CreateAccount to a member account, and to a caller without organizations:CreateAccount', async () => {
    const ds1Admin = await assumeRole(server.url, mgmtAdmin, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
    await expect(orgs(ds1Admin).send(new CreateAccountCommand({ Email: 'x1@mlzone.example', AccountName: 'x1' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(orgs(users.ds1Scientist).send(new CreateAccountCommand({ Email: 'x2@mlzone.example', AccountName: 'x2' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('organizations:CreateAccount'),
    });
  });

  it('renames an OU, refusing a sibling name', async () => {
    const development = await ouId('Development');
    await expect(orgs(mgmtAdmin).send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: development, Name: 'Test' }))).rejects.toMatchObject({
      name: 'DuplicateOrganizationalUnitException',
    });
    const out = await orgs(mgmtAdmin).send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: development, Name: 'Dev' }));
    expect(out.OrganizationalUnit).toMatchObject({ Id: development, Name: 'Dev' });
    await orgs(mgmtAdmin).send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: development, Name: 'Development' }));
  });
});
