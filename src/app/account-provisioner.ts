/**
 * What CreateAccount creates in a new account, through IAM: the access role (`OrganizationAccountAccessRole`
 * unless the caller named another) that trusts the management account and has AdministratorAccess, as AWS
 * creates it. A second call for the same account (a request resumed after a stop) keeps the role it finds.
 */
import { isAwsError } from '../core/errors.js';
import type { IamSeeder } from '../services/iam/index.js';
import type { AccountProvisioner } from '../services/organizations/index.js';

const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

export function accessRoleTrustPolicy(managementAccountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` }, Action: 'sts:AssumeRole' }],
  });
}

export function createAccountProvisioner(iam: () => IamSeeder): AccountProvisioner {
  return {
    async provision({ accountId, roleName, managementAccountId }) {
      try {
        await iam().createRole({ accountId, roleName, assumeRolePolicyDocument: accessRoleTrustPolicy(managementAccountId) });
      } catch (e) {
        if (!(isAwsError(e) && e.code === 'EntityAlreadyExists')) throw e;
      }
      await iam().attachRolePolicy({ accountId, roleName, policyArn: ADMINISTRATOR_ACCESS });
    },
  };
}
