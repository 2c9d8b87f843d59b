/**
 * DeleteConflict rules: what must be gone before a user, role, group or managed policy can be deleted,
 * checked in the order AWS documents for removing the dependents.
 */
import type { AwsError } from '../../../core/errors.js';
import { IamError } from '../errors.js';

export interface UserDependents {
  readonly accessKeys: number;
  readonly inlinePolicies: number;
  readonly attachedPolicies: number;
  readonly groups: number;
}

export function userDeleteConflict(d: UserDependents): AwsError | undefined {
  if (d.accessKeys > 0) return IamError.deleteConflict('Cannot delete entity, must delete access keys first.');
  if (d.inlinePolicies > 0) return IamError.deleteConflict('Cannot delete entity, must delete policies first.');
  if (d.attachedPolicies > 0) return IamError.deleteConflict('Cannot delete entity, must detach all policies first.');
  if (d.groups > 0) return IamError.deleteConflict('Cannot delete entity, must remove users from group first.');
  return undefined;
}

export interface RoleDependents {
  readonly instanceProfiles: number;
  readonly inlinePolicies: number;
  readonly attachedPolicies: number;
}

export function roleDeleteConflict(d: RoleDependents): AwsError | undefined {
  if (d.instanceProfiles > 0) return IamError.deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  if (d.inlinePolicies > 0) return IamError.deleteConflict('Cannot delete entity, must delete policies first.');
  if (d.attachedPolicies > 0) return IamError.deleteConflict('Cannot delete entity, must detach all policies first.');
  return undefined;
}

export interface GroupDependents {
  readonly members: number;
  readonly inlinePolicies: number;
  readonly attachedPolicies: number;
}

export function groupDeleteConflict(d: GroupDependents): AwsError | undefined {
  if (d.members > 0) return IamError.deleteConflict('Cannot delete entity, must remove users from group first.');
  if (d.inlinePolicies > 0) return IamError.deleteConflict('Cannot delete entity, must delete policies first.');
  if (d.attachedPolicies > 0) return IamError.deleteConflict('Cannot delete entity, must detach all policies first.');
  return undefined;
}

export interface PolicyDependents {
  readonly attachments: number;
  readonly versions: number;
}

export function policyDeleteConflict(d: PolicyDependents): AwsError | undefined {
  if (d.attachments > 0) return IamError.deleteConflict('Cannot delete a policy attached to entities.');
  if (d.versions > 1) {
    return IamError.deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
  return undefined;
}
