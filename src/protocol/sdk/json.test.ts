import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeAccountCommand, ListAccountsCommand, OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import type { Account } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { caught, clientConfig, codecHandler, modelError, registry } from './harness.js';

const joined = new Date('2023-03-04T05:06:07.250Z');

describe('Organizations (awsJson 1.1) with the JS SDK', () => {
  const model = registry.get('organizations');

  it('ListAccounts: X-Amz-Target routing, NextToken pagination, epoch-second timestamps', async () => {
    const accounts = ['111111111111', '222222222222', '333333333333'].map((id, i) => ({
      Id: id,
      Arn: `arn:aws:organizations::111111111111:account/o-abcdefghij/${id}`,
      Email: `a${i}@example.com`,
      Name: `account-${i}`,
      Status: 'ACTIVE',
      JoinedMethod: i === 0 ? 'INVITED' : 'CREATED',
      JoinedTimestamp: joined,
    }));
    const { handler, exchanges } = codecHandler(model, (_op, input) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const max = (input.MaxResults as number) ?? 20;
      const next = start + max;
      return { Accounts: accounts.slice(start, next), NextToken: next < accounts.length ? String(next) : undefined };
    });
    const client = new OrganizationsClient({ ...clientConfig, requestHandler: handler as never });
    const seen: Account[] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 2 }, {})) seen.push(...(page.Accounts ?? []));
    expect(seen.map((a) => a.Id)).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(seen[0].JoinedTimestamp).toEqual(joined);
    expect(seen[0].Status).toBe('ACTIVE');
    expect(exchanges[0].wire?.headers['x-amz-target']).toBe('AWSOrganizationsV20161128.ListAccounts');
    expect(exchanges.map((e) => e.input)).toEqual([{ MaxResults: 2 }, { MaxResults: 2, NextToken: '2' }]);
    const body = JSON.parse(String(exchanges[0].response?.body));
    expect(body.Accounts[0].JoinedTimestamp).toBe(1677906367.25);
    expect(exchanges[0].response?.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('AccountNotFoundException: x-amzn-ErrorType, __type and Message reach the SDK', async () => {
    const { handler, exchanges } = codecHandler(model, () =>
      modelError(model, 'AccountNotFoundException', "You specified an account that doesn't exist."),
    );
    const client = new OrganizationsClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new DescribeAccountCommand({ AccountId: '123456789012' })));
    expect(err.name).toBe('AccountNotFoundException');
    expect(err.message).toBe("You specified an account that doesn't exist.");
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(exchanges[0].response?.headers['x-amzn-errortype']).toBe('AccountNotFoundException');
    expect(JSON.parse(String(exchanges[0].response?.body))).toEqual({
      __type: 'AccountNotFoundException',
      Message: "You specified an account that doesn't exist.",
    });
  });

  it('validation: ValidationException with AWS wording (camel-cased member path)', async () => {
    const { handler } = codecHandler(model, () => ({}));
    const client = new OrganizationsClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new ListAccountsCommand({ MaxResults: 0 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe('CloudTrail (awsJson 1.1, long target prefix) with the JS SDK', () => {
  const model = registry.get('cloudtrail');

  it('LookupEvents: timestamps in and out, nested lists', async () => {
    const t = new Date('2024-01-01T00:00:00.123Z');
    const { handler, exchanges } = codecHandler(model, () => ({
      Events: [
        {
          EventId: 'e1',
          EventName: 'AssumeRole',
          ReadOnly: 'false',
          EventTime: t,
          EventSource: 'sts.amazonaws.com',
          Username: 'alice',
          Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'R' }],
          CloudTrailEvent: JSON.stringify({ eventVersion: '1.08' }),
        },
      ],
      NextToken: 'n2',
    }));
    const client = new CloudTrailClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
        StartTime: new Date('2023-12-31T00:00:00Z'),
        EndTime: new Date('2024-01-02T12:30:00.5Z'),
        MaxResults: 50,
      }),
    );
    expect(exchanges[0].op?.name).toBe('LookupEvents');
    expect(exchanges[0].input).toEqual({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
      StartTime: new Date('2023-12-31T00:00:00Z'),
      EndTime: new Date('2024-01-02T12:30:00.5Z'),
      MaxResults: 50,
    });
    expect(out.Events?.[0].EventTime).toEqual(t);
    expect(out.Events?.[0].Resources).toEqual([{ ResourceType: 'AWS::IAM::Role', ResourceName: 'R' }]);
    expect(out.NextToken).toBe('n2');
  });

  it('accepts the botocore form of the target header too', () => {
    const op = registry.get('cloudtrail');
    const wire = {
      method: 'POST',
      rawPath: '/',
      rawQuery: '',
      query: [],
      headers: { 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
      body: Buffer.from('{}'),
    };
    return import('../codec.js').then(({ codecFor }) => expect(codecFor(op).resolveOperation(wire, op)?.name).toBe('LookupEvents'));
  });
});

describe('ECR (awsJson 1.1, camelCase members) with the JS SDK', () => {
  const model = registry.get('ecr');

  it('DescribeRepositories', async () => {
    const createdAt = new Date('2024-02-03T04:05:06Z');
    const { handler, exchanges } = codecHandler(model, () => ({
      repositories: [
        {
          repositoryArn: 'arn:aws:ecr:us-east-1:111122223333:repository/ml/train',
          registryId: '111122223333',
          repositoryName: 'ml/train',
          repositoryUri: '111122223333.dkr.ecr.us-east-1.amazonaws.com/ml/train',
          createdAt,
          imageTagMutability: 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'AES256' },
        },
      ],
    }));
    const client = new ECRClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['ml/train'], registryId: '111122223333' }));
    expect(exchanges[0].input).toEqual({ repositoryNames: ['ml/train'], registryId: '111122223333' });
    expect(out.repositories?.[0]).toMatchObject({
      repositoryName: 'ml/train',
      createdAt,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('RepositoryNotFoundException and the model ValidationException', async () => {
    const { handler } = codecHandler(model, () =>
      modelError(model, 'RepositoryNotFoundException', "The repository with name 'x' does not exist in the registry with id '111122223333'"),
    );
    const client = new ECRClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new DescribeRepositoriesCommand({ repositoryNames: ['xy'] })));
    expect(err.name).toBe('RepositoryNotFoundException');
    expect(err.message).toBe("The repository with name 'x' does not exist in the registry with id '111122223333'");
    const bad = await caught(() => client.send(new DescribeRepositoriesCommand({ repositoryNames: ['UPPER'] })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^1 validation error detected: Value '\[UPPER\]' at 'repositoryNames' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy regular expression pattern: /);
  });
});
