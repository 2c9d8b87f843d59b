/**
 * A service acting on a principal's behalf through the internal client: the role trust policy sees the
 * service principal and the confused-deputy keys aws:SourceAccount / aws:SourceArn, exactly as on AWS.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePrincipal } from '../../../src/gateway/internal-client.js';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let ds1Admin: Creds;
const roleArn = `arn:aws:iam::${accounts.dataScience1}:role/GuardedExecution`;

beforeAll(async () => {
  server = await startTestServer();
  const mgmt = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  ds1Admin = await assumeRole(server.url, mgmt, `arn:aws:iam::${accounts.dataScience1}:role/OrganizationAccountAccessRole`);
  await new IAMClient(clientConfig(server.url, ds1Admin)).send(
    new CreateRoleCommand({
      RoleName: 'GuardedExecution',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'sagemaker.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': accounts.dataScience1 }, ArnLike: { 'aws:SourceArn': `arn:aws:sagemaker:*:${accounts.dataScience1}:*` } },
          },
        ],
      }),
    }),
  );
});
afterAll(() => server.close());

type AssumeOut = { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
const asSageMaker = (sourceAccount: string, sourceArn: string) =>
  server.app.internal.call<AssumeOut>({
    service: 'sts',
    operation: 'AssumeRole',
    input: { RoleArn: roleArn, RoleSessionName: 'SageMaker' },
    principal: servicePrincipal('sagemaker.amazonaws.com'),
    via: { sourceAccount, sourceArn },
  });

describe('service principals through the internal client', () => {
  it('lets SageMaker assume an execution role for a job of the same account', async () => {
    const out = await asSageMaker(accounts.dataScience1, `arn:aws:sagemaker:us-east-1:${accounts.dataScience1}:training-job/churn-1`);
    const creds = { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken };
    const id = await new STSClient(clientConfig(server.url, creds)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${accounts.dataScience1}:assumed-role/GuardedExecution/SageMaker`);
  });

  it('refuses the confused deputy: a job of another account cannot use the role', async () => {
    await expect(asSageMaker(accounts.dataScience2, `arn:aws:sagemaker:us-east-1:${accounts.dataScience2}:training-job/evil`)).rejects.toMatchObject({
      code: 'AccessDenied',
      message: expect.stringContaining(`is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`),
    });
  });

  it('refuses a service the trust policy does not name', async () => {
    await expect(
      server.app.internal.call({
        service: 'sts',
        operation: 'AssumeRole',
        input: { RoleArn: roleArn, RoleSessionName: 'Glue' },
        principal: servicePrincipal('glue.amazonaws.com'),
        via: { sourceAccount: accounts.dataScience1, sourceArn: `arn:aws:glue:us-east-1:${accounts.dataScience1}:job/x` },
      }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
  });
});
