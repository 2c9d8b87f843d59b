/**
 * Tags on SageMaker resources and the tag condition keys in authorization: AddTags/ListTags/DeleteTags with AWS's
 * limits, `aws:ResourceTag/*` deciding access to a tagged model, `aws:RequestTag/*` deciding what may be created.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AddTagsCommand, CreateModelCommand, DeleteTagsCommand, DescribeModelCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

const DS1 = accounts.dataScience1;
const IMAGE = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const ROLE = `arn:aws:iam::${DS1}:role/SageMakerExecution`;

let server: TestServer;
let scientist: SageMakerClient;
let tagged: SageMakerClient;

const model = (name: string, tags?: Array<{ Key: string; Value: string }>) => new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE }, ...(tags ? { Tags: tags } : {}) });

beforeAll(async () => {
  server = await startTestServer();
  const ds1: Creds = await assumeRole(server.url, users.ds1Scientist, `arn:aws:iam::${DS1}:role/DataScientist`);
  scientist = new SageMakerClient(clientConfig(server.url, ds1));
  const admin = await assumeRole(server.url, await assumeRole(server.url, users.orgAdmin, `arn:aws:iam::${accounts.management}:role/Admin`), `arn:aws:iam::${DS1}:role/OrganizationAccountAccessRole`);
  const iam = new IAMClient(clientConfig(server.url, admin));
  const roleName = unique('TeamScoped');
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DS1}:root` }, Action: 'sts:AssumeRole' }] }) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'team-ds1-only',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'ds1' } } },
          { Effect: 'Allow', Action: ['sagemaker:CreateModel', 'sagemaker:AddTags'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'ds1' } } },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE },
        ],
      }),
    }),
  );
  tagged = new SageMakerClient(clientConfig(server.url, await assumeRole(server.url, admin, `arn:aws:iam::${DS1}:role/${roleName}`)));
});

afterAll(async () => {
  await server?.close();
});

describe('tags', () => {
  it('adds, lists and deletes tags, keeping their order; refuses aws: keys and more than 50', async () => {
    const name = unique('tagged');
    const { ModelArn } = await scientist.send(model(name, [{ Key: 'team', Value: 'ds1' }]));
    await scientist.send(new AddTagsCommand({ ResourceArn: ModelArn, Tags: [{ Key: 'stage', Value: 'dev' }, { Key: 'team', Value: 'ds1-core' }] }));
    expect((await scientist.send(new ListTagsCommand({ ResourceArn: ModelArn }))).Tags).toEqual([{ Key: 'team', Value: 'ds1-core' }, { Key: 'stage', Value: 'dev' }]);
    // ListTags pages at 50 or more, and a resource holds at most 50 tags: one page always.
    expect((await scientist.send(new ListTagsCommand({ ResourceArn: ModelArn, MaxResults: 50 }))).NextToken).toBeUndefined();
    await scientist.send(new DeleteTagsCommand({ ResourceArn: ModelArn, TagKeys: ['stage'] }));
    expect((await scientist.send(new ListTagsCommand({ ResourceArn: ModelArn }))).Tags).toEqual([{ Key: 'team', Value: 'ds1-core' }]);

    const reserved = await scientist.send(new AddTagsCommand({ ResourceArn: ModelArn, Tags: [{ Key: 'aws:owner', Value: 'x' }] })).catch((e: unknown) => e);
    expect(reserved).toMatchObject({ name: 'ValidationException' });
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const tooMany = await scientist.send(new AddTagsCommand({ ResourceArn: ModelArn, Tags: many })).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ name: 'ResourceLimitExceeded' });
    expect((await scientist.send(new ListTagsCommand({ ResourceArn: ModelArn }))).Tags).toHaveLength(1);

    const missing = await scientist.send(new ListTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:${DS1}:model/nope` })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ValidationException' });
  });

  it('aws:ResourceTag decides who may read a model, aws:RequestTag what may be created', async () => {
    const mine = unique('mine');
    const theirs = unique('theirs');
    await scientist.send(model(mine, [{ Key: 'team', Value: 'ds1' }]));
    await scientist.send(model(theirs, [{ Key: 'team', Value: 'ds2' }]));
    expect((await tagged.send(new DescribeModelCommand({ ModelName: mine }))).ModelName).toBe(mine);
    const refused = (await tagged.send(new DescribeModelCommand({ ModelName: theirs })).catch((e: unknown) => e)) as Error;
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toMatch(/sagemaker:DescribeModel on resource: arn:aws:sagemaker:us-east-1:444444444444:model\/theirs/);

    // A tag changed after a decision was made decides the next call (nothing stale is kept).
    await scientist.send(new AddTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:${DS1}:model/${mine.toLowerCase()}`, Tags: [{ Key: 'team', Value: 'ds2' }] }));
    expect(((await tagged.send(new DescribeModelCommand({ ModelName: mine })).catch((e: unknown) => e)) as Error).name).toBe('AccessDeniedException');
    await scientist.send(new DeleteTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:${DS1}:model/${mine.toLowerCase()}`, TagKeys: ['team'] }));
    expect(((await tagged.send(new DescribeModelCommand({ ModelName: mine })).catch((e: unknown) => e)) as Error).name).toBe('AccessDeniedException');
    await scientist.send(new AddTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:${DS1}:model/${mine.toLowerCase()}`, Tags: [{ Key: 'team', Value: 'ds1' }] }));
    expect((await tagged.send(new DescribeModelCommand({ ModelName: mine }))).ModelName).toBe(mine);

    await tagged.send(model(unique('ok'), [{ Key: 'team', Value: 'ds1' }]));
    const untagged = (await tagged.send(model(unique('untagged'))).catch((e: unknown) => e)) as Error;
    expect(untagged.name).toBe('AccessDeniedException');
    const wrong = (await tagged.send(model(unique('wrong'), [{ Key: 'team', Value: 'ds2' }])).catch((e: unknown) => e)) as Error;
    expect(wrong.name).toBe('AccessDeniedException');
  });
});
