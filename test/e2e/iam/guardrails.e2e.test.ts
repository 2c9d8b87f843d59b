/**
 * The blueprint's production guardrail, checked through the policy simulator (SageMaker itself is not served
 * yet): in production only DeploymentRole may create, update or delete endpoints and models, even when an
 * identity policy grants everything.
 */
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, type Creds } from '../support/sessions.js';
import { accounts, clientConfig, startTestServer, users, type TestServer } from '../support/server.js';

let server: TestServer;
let prodAdmin: Creds;
beforeAll(async () => {
  server = await startTestServer();
  const mgmt = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  prodAdmin = await assumeRole(server.url, mgmt, `arn:aws:iam::${accounts.production}:role/OrganizationAccountAccessRole`);
  const iam = new IAMClient(clientConfig(server.url, prodAdmin));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'ProdAdministrator',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: accounts.management }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'ProdAdministrator', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
});
afterAll(() => server.close());

const simulate = (role: string, action: string) =>
  new IAMClient(clientConfig(server.url, prodAdmin)).send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${accounts.production}:role/${role}`,
      ActionNames: [action],
      ResourceArns: [`arn:aws:sagemaker:us-east-1:${accounts.production}:endpoint/churn`],
      // The simulator, like AWS's, evaluates only the context it is given.
      ContextEntries: [{ ContextKeyName: 'aws:PrincipalArn', ContextKeyType: 'string', ContextKeyValues: [`arn:aws:iam::${accounts.production}:role/${role}`] }],
    }),
  );

describe('production guardrail SCP', () => {
  it.each(['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:CreateModel', 'sagemaker:DeleteModel'])(
    'denies %s to an administrator and allows it to DeploymentRole',
    async (action) => {
      const admin = (await simulate('ProdAdministrator', action)).EvaluationResults![0]!;
      expect(admin).toMatchObject({ EvalDecision: 'explicitDeny', OrganizationsDecisionDetail: { AllowedByOrganizations: false } });
      const deploy = (await simulate('DeploymentRole', action)).EvaluationResults![0]!;
      expect(deploy).toMatchObject({ EvalDecision: 'allowed', OrganizationsDecisionDetail: { AllowedByOrganizations: true } });
    },
  );

  it('leaves invoking endpoints to the application role', async () => {
    const app = (await simulate('ProdApp', 'sagemaker:InvokeEndpoint')).EvaluationResults![0]!;
    expect(app.EvalDecision).toBe('allowed');
  });
});
