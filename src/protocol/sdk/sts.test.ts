import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { caught, clientConfig, codecHandler, modelError, registry } from './harness.js';

const model = registry.get('sts');
const expiration = new Date('2030-01-02T03:04:05Z');

describe('STS (awsQuery) with the JS SDK', () => {
  it('AssumeRole: parses the SDK request and the SDK reads our response', async () => {
    const { handler, exchanges } = codecHandler(model, (op) =>
      op.name === 'AssumeRole'
        ? {
            Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret/+=', SessionToken: 'tok&<en>', Expiration: expiration },
            AssumedRoleUser: { AssumedRoleId: 'AROA123:sess', Arn: 'arn:aws:sts::111122223333:assumed-role/R/sess' },
            PackedPolicySize: 6,
          }
        : {},
    );
    const client = new STSClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111122223333:role/R',
        RoleSessionName: 'sess',
        DurationSeconds: 900,
        ExternalId: 'ext=id+1',
        Tags: [
          { Key: 'team', Value: 'ml' },
          { Key: 'env', Value: 'a b+c' },
        ],
        TransitiveTagKeys: ['team'],
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      }),
    );
    expect(exchanges[0].op?.name).toBe('AssumeRole');
    expect(exchanges[0].input).toEqual({
      RoleArn: 'arn:aws:iam::111122223333:role/R',
      RoleSessionName: 'sess',
      DurationSeconds: 900,
      ExternalId: 'ext=id+1',
      Tags: [
        { Key: 'team', Value: 'ml' },
        { Key: 'env', Value: 'a b+c' },
      ],
      TransitiveTagKeys: ['team'],
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    });
    expect(out.Credentials).toEqual({
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret/+=',
      SessionToken: 'tok&<en>',
      Expiration: expiration,
    });
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111122223333:assumed-role/R/sess');
    expect(out.PackedPolicySize).toBe(6);
    expect(out.$metadata.requestId).toBe('req-1');
  });

  it('GetCallerIdentity: empty input, output members', async () => {
    const { handler, exchanges } = codecHandler(model, () => ({
      UserId: 'AIDAEXAMPLE',
      Account: '111122223333',
      Arn: 'arn:aws:iam::111122223333:user/alice',
    }));
    const client = new STSClient({ ...clientConfig, requestHandler: handler as never });
    const out = await client.send(new GetCallerIdentityCommand({}));
    expect(exchanges[0].input).toEqual({});
    expect(out).toMatchObject({ UserId: 'AIDAEXAMPLE', Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice' });
  });

  it('errors: modelled code, message and status reach the SDK', async () => {
    const { handler, exchanges } = codecHandler(model, () =>
      modelError(model, 'MalformedPolicyDocumentException', 'The policy is malformed'),
    );
    const client = new STSClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/R', RoleSessionName: 'ss' })));
    expect(exchanges[0].response?.status).toBe(400);
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(err.Code ?? err.Error?.Code).toBe('MalformedPolicyDocument');
    expect(err.message).toBe('The policy is malformed');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toBe('req-1');
  });

  it('validation: AWS wording for a bad RoleSessionName', async () => {
    const { handler } = codecHandler(model, () => ({}));
    const client = new STSClient({ ...clientConfig, requestHandler: handler as never });
    const err = await caught(() => client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/R', RoleSessionName: 'a b' })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });
});
