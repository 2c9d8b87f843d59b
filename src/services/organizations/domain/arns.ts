/**
 * ARNs of Organizations resources, in the forms of the service authorization reference. Organizations is
 * global: no region; the account is the management account's (AWS-managed policies use `aws`).
 */
import type { PolicyType } from './model.js';

const PREFIX = 'arn:aws:organizations::';

export function organizationArn(managementAccountId: string, orgId: string): string {
  return `${PREFIX}${managementAccountId}:organization/${orgId}`;
}

export function rootArn(managementAccountId: string, orgId: string, rootId: string): string {
  return `${PREFIX}${managementAccountId}:root/${orgId}/${rootId}`;
}

export function ouArn(managementAccountId: string, orgId: string, ouId: string): string {
  return `${PREFIX}${managementAccountId}:ou/${orgId}/${ouId}`;
}

export function accountArn(managementAccountId: string, orgId: string, accountId: string): string {
  return `${PREFIX}${managementAccountId}:account/${orgId}/${accountId}`;
}

/** `service_control_policy`, `resource_control_policy`, …: the policy type as it appears in policy ARNs. */
export function policyTypeSegment(type: PolicyType): string {
  return type.toLowerCase();
}

export function policyArn(managementAccountId: string, orgId: string, type: PolicyType, policyId: string): string {
  return `${PREFIX}${managementAccountId}:policy/${orgId}/${policyTypeSegment(type)}/${policyId}`;
}

/** AWS-managed policies live outside any organization: `arn:aws:organizations::aws:policy/<type>/<id>`. */
export function awsManagedPolicyArn(type: PolicyType, policyId: string): string {
  return `${PREFIX}aws:policy/${policyTypeSegment(type)}/${policyId}`;
}
