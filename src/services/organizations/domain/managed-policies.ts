/**
 * The AWS-managed organization policies every organization has: `FullAWSAccess` (SCP) and
 * `RCPFullAWSAccess` (RCP). AWS attaches them to the root, every OU and every account when the policy type
 * is enabled, and to every OU or account created afterwards. `RCPFullAWSAccess` cannot be detached.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
import type { PolicyRecord } from './model.js';

export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';
export const RCP_FULL_AWS_ACCESS_ID = 'p-RCPFullAWSAccess';

export const FULL_AWS_ACCESS: PolicyRecord = {
  id: FULL_AWS_ACCESS_ID,
  type: 'SERVICE_CONTROL_POLICY',
  name: 'FullAWSAccess',
  description: 'Allows access to every operation',
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, null, 2),
  awsManaged: true,
};

export const RCP_FULL_AWS_ACCESS: PolicyRecord = {
  id: RCP_FULL_AWS_ACCESS_ID,
  type: 'RESOURCE_CONTROL_POLICY',
  name: 'RCPFullAWSAccess',
  description: 'Allows access to every operation',
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, null, 2),
  awsManaged: true,
};

export const AWS_MANAGED_POLICIES: readonly PolicyRecord[] = [FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS];

/** The AWS-managed policy attached by default for a policy type, if that type has one. */
export function defaultPolicyFor(type: string): PolicyRecord | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.type === type);
}

/** Policies that can never be detached (AWS answers `InvalidInputException` with reason NON_DETACHABLE_POLICY). */
export function isNonDetachable(policyId: string): boolean {
  return policyId === RCP_FULL_AWS_ACCESS_ID;
}
