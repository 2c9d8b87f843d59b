/**
 * Observability Access Manager with the AWS SDK for JavaScript v3: the default blueprint's monitoring sink in
 * shared-services and the links from data-science-1, test and production; the sink policy enforced on CreateLink
 * (accounts it does not name, resource types it does not allow); identity policies (a data scientist cannot link);
 * AWS's validation; and `sourceAccounts`, the port CloudWatch metrics and Logs read, following links as they come
 * and go.
 */
import {
  CreateLinkCommand,
  CreateSinkCommand,
  DeleteLinkCommand,
  DeleteSinkCommand,
  GetLinkCommand,
  GetSinkCommand,
  GetSinkPolicyCommand,
  ListAttachedLinksCommand,
  ListLinksCommand,
  ListSinksCommand,
  ListTagsForResourceCommand,
  OAMClient,
  PutSinkPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateLinkCommand,
} from '@aws-sdk/client-oam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

const METRIC = 'AWS::CloudWatch::Metric';
const LOGS = 'AWS::Logs::LogGroup';

let server: TestServer;
let admin: Record<'shared' | 'ds1' | 'ds2' | 'test' | 'production' | 'hub', OAMClient>;
let ds1Scientist: OAMClient;
let sinkArn: string;

const client = (c: Creds) => new OAMClient(clientConfig(server.url, c));

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  server = await startTestServer();
  const mgmt = await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`);
  const orgAccess = async (account: string) => client(await assumeRole(server.url, mgmt, `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`));
  admin = {
    shared: client(await assumeRole(server.url, users.devops, `arn:aws:iam::${accounts.sharedServices}:role/Admin`)),
    ds1: await orgAccess(accounts.dataScience1),
    ds2: await orgAccess(accounts.dataScience2),
    test: await orgAccess(accounts.test),
    production: await orgAccess(accounts.production),
    hub: await orgAccess(accounts.catalogHub),
  };
  ds1Scientist = client(await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${accounts.dataScience1}:role/DataScientist`));
  const sinks = await admin.shared.send(new ListSinksCommand({}));
  sinkArn = sinks.Items![0]!.Arn!;
});
afterAll(() => server.close());

const sources = (monitoring: string, type: typeof METRIC | typeof LOGS) => server.app.oam.links.sourceAccounts(monitoring, 'us-east-1', type);

describe('the seeded monitoring account', () => {
  it('has one sink whose policy names data-science-1, test and production', async () => {
    const sinks = await admin.shared.send(new ListSinksCommand({}));
    expect(sinks.Items).toEqual([{ Arn: expect.stringMatching(/^arn:aws:oam:us-east-1:222222222222:sink\/[0-9a-f-]{36}$/), Id: expect.any(String), Name: 'central-monitoring' }]);
    const policy = await admin.shared.send(new GetSinkPolicyCommand({ SinkIdentifier: sinkArn }));
    expect(policy.SinkArn).toBe(sinkArn);
    expect(JSON.parse(policy.Policy!).Statement[0].Principal.AWS).toEqual([accounts.dataScience1, accounts.test, accounts.production]);
    const byId = await admin.shared.send(new GetSinkCommand({ Identifier: sinks.Items![0]!.Id! }));
    expect(byId).toMatchObject({ Arn: sinkArn, Name: 'central-monitoring' });
  });

  it('sees the three seeded links with their account names as labels', async () => {
    const attached = await admin.shared.send(new ListAttachedLinksCommand({ SinkIdentifier: sinkArn }));
    expect(attached.Items!.map((i) => i.Label).sort()).toEqual(['data-science-1', 'production', 'test']);
    for (const i of attached.Items!) expect(i.ResourceTypes).toEqual([METRIC, LOGS]);
    expect(await sources(accounts.sharedServices, METRIC)).toEqual([accounts.dataScience1, accounts.test, accounts.production]);
    expect(await sources(accounts.sharedServices, LOGS)).toEqual([accounts.dataScience1, accounts.test, accounts.production]);
    const labels = await server.app.oam.links.accountLabels(accounts.sharedServices, 'us-east-1');
    expect(labels.get(accounts.production)).toBe('production');
  });

  it('shows a source account its own link', async () => {
    const links = await admin.ds1.send(new ListLinksCommand({}));
    expect(links.Items).toEqual([{ Arn: expect.stringMatching(/^arn:aws:oam:us-east-1:444444444444:link\//), Id: expect.any(String), Label: 'data-science-1', ResourceTypes: [METRIC, LOGS], SinkArn: sinkArn }]);
    const link = await admin.ds1.send(new GetLinkCommand({ Identifier: links.Items![0]!.Arn! }));
    expect(link).toMatchObject({ Label: 'data-science-1', LabelTemplate: '$AccountName', SinkArn: sinkArn });
  });
});

describe('the sink policy and identity policies', () => {
  it('refuses data-science-2, which the sink policy does not name, with the reason', async () => {
    const err = await failure(admin.ds2.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: '$AccountName' })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.status).toBe(403);
    expect(err.message).toContain(`oam:CreateLink on resource: ${sinkArn}`);
    expect(err.message).toMatch(/no resource-based policy allows/);
    expect(await sources(accounts.sharedServices, METRIC)).not.toContain(accounts.dataScience2);
  });

  it('refuses a data scientist, whose identity policy does not allow oam:CreateLink', async () => {
    const err = await failure(ds1Scientist.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: '$AccountName' })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('assumed-role/DataScientist/');
    expect(err.message).toMatch(/no identity-based policy allows the oam:CreateLink action/);
  });

  it('refuses resource types the policy does not allow (ForAllValues on oam:ResourceTypes), then links with allowed ones', async () => {
    const [own] = (await admin.test.send(new ListLinksCommand({}))).Items!;
    await admin.test.send(new DeleteLinkCommand({ Identifier: own!.Arn! }));
    const err = await failure(admin.test.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC, 'AWS::XRay::Trace'], LabelTemplate: '$AccountName' })));
    expect(err.name).toBe('AccessDeniedException');
    const created = await admin.test.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: 'env-$AccountEmailNoDomain', Tags: { team: 'qa' } }));
    expect(created).toMatchObject({ Label: 'env-test', ResourceTypes: [METRIC], SinkArn: sinkArn, Tags: { team: 'qa' } });
    expect(await sources(accounts.sharedServices, METRIC)).toContain(accounts.test);
    expect(await sources(accounts.sharedServices, LOGS)).not.toContain(accounts.test);
    // Widening the link is checked against the sink policy too.
    expect((await failure(admin.test.send(new UpdateLinkCommand({ Identifier: created.Arn!, ResourceTypes: ['AWS::XRay::Trace'] })))).name).toBe('AccessDeniedException');
    // (This SDK's model predates IncludeTags; boto3's test covers it.)
    const updated = await admin.test.send(new UpdateLinkCommand({ Identifier: created.Arn!, ResourceTypes: [METRIC, LOGS] }));
    expect(updated).toMatchObject({ ResourceTypes: [METRIC, LOGS], Label: 'env-test' });
    expect((await admin.test.send(new ListTagsForResourceCommand({ ResourceArn: created.Arn! }))).Tags).toEqual({ team: 'qa' });
    expect(await sources(accounts.sharedServices, LOGS)).toContain(accounts.test);
  });
});

describe('validation', () => {
  it('answers a second link to the same sink with ConflictException', async () => {
    const err = await failure(admin.ds1.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: '$AccountName' })));
    expect(err).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(err.message).toMatch(/already exists/);
  });

  it('refuses a link to a sink in the same account', async () => {
    const err = await failure(admin.shared.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: [METRIC], LabelTemplate: '$AccountName' })));
    expect(err).toMatchObject({ name: 'InvalidParameterException', status: 400, message: 'A link cannot be created to a sink in the same account.' });
  });

  it('allows one sink per account and Region', async () => {
    const err = await failure(admin.shared.send(new CreateSinkCommand({ Name: 'second' })));
    expect(err).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  it('refuses an unknown resource type and a bad sink name from the model', async () => {
    expect((await failure(admin.ds2.send(new CreateLinkCommand({ SinkIdentifier: sinkArn, ResourceTypes: ['AWS::S3::Bucket'], LabelTemplate: 'x' })))).name).toBe('ValidationException');
    expect((await failure(admin.hub.send(new CreateSinkCommand({ Name: 'bad name!' })))).name).toBe('ValidationException');
  });

  it('answers ResourceNotFoundException for a link that does not exist', async () => {
    const err = await failure(admin.ds1.send(new GetLinkCommand({ Identifier: `arn:aws:oam:us-east-1:${accounts.dataScience1}:link/00000000-0000-4000-a000-000000000000` })));
    expect(err).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

describe('ending visibility', () => {
  it('stops sharing as soon as a link is deleted', async () => {
    const [own] = (await admin.production.send(new ListLinksCommand({}))).Items!;
    await admin.production.send(new DeleteLinkCommand({ Identifier: own!.Arn! }));
    expect(await sources(accounts.sharedServices, METRIC)).not.toContain(accounts.production);
    expect((await admin.production.send(new ListLinksCommand({}))).Items).toEqual([]);
  });

  it('stops sharing as soon as the sink is deleted (a new sink, policy allowing the organization)', async () => {
    const sink = await admin.hub.send(new CreateSinkCommand({ Name: 'hub-monitoring', Tags: { purpose: 'e2e' } }));
    await admin.hub.send(
      new PutSinkPolicyCommand({
        SinkIdentifier: sink.Arn!,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'oam:CreateLink', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-mlzone0001' } } }],
        }),
      }),
    );
    await admin.ds2.send(new CreateLinkCommand({ SinkIdentifier: sink.Arn!, ResourceTypes: [LOGS], LabelTemplate: '$AccountEmail' }));
    expect(await sources(accounts.catalogHub, LOGS)).toEqual([accounts.dataScience2]);
    expect((await admin.hub.send(new ListAttachedLinksCommand({ SinkIdentifier: sink.Arn! }))).Items![0]!.Label).toBe('data-science-2@mlzone.example');
    await admin.hub.send(new TagResourceCommand({ ResourceArn: sink.Arn!, Tags: { owner: 'hub' } }));
    await admin.hub.send(new UntagResourceCommand({ ResourceArn: sink.Arn!, TagKeys: ['purpose'] }));
    expect((await admin.hub.send(new ListTagsForResourceCommand({ ResourceArn: sink.Arn! }))).Tags).toEqual({ owner: 'hub' });
    await admin.hub.send(new DeleteSinkCommand({ Identifier: sink.Arn! }));
    expect(await sources(accounts.catalogHub, LOGS)).toEqual([]);
    expect((await failure(admin.hub.send(new GetSinkCommand({ Identifier: sink.Arn! })))).name).toBe('ResourceNotFoundException');
  });
});
