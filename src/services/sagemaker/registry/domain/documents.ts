/**
 * The registry's stored documents: a group's and a package's Describe answer (the convention of `context.ts`:
 * model member names, timestamps as ISO strings), built from the create input and changed by UpdateModelPackage,
 * and the summaries the list and batch operations cut from them. Pure: time and caller come in as arguments.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../../../../core/principal.js';
import type {
  BatchDescribeModelPackageSummary,
  CreateModelPackageGroupInput,
  CreateModelPackageInput,
  DescribeModelPackageGroupOutput,
  DescribeModelPackageOutput,
  ModelPackageGroupSummary,
  ModelPackageSummary,
  UpdateModelPackageInput,
  UserContext,
} from '../../api.gen.js';

/** A model shape as the store keeps it: every timestamp an ISO-8601 string. */
export type Stored<T> = T extends string | number | boolean | bigint | null | undefined
  ? T
  : T extends Date
    ? string
    : T extends readonly (infer U)[]
      ? Stored<U>[]
      : T extends object
        ? { [K in keyof T]: Stored<T[K]> }
        : T;

export type GroupDocument = Stored<DescribeModelPackageGroupOutput>;

/**
 * A package's Describe answer, plus the idempotency record of its creation under `_idempotency` (not a model member:
 * the codec writes only model members, so clients never see it).
 */
export type PackageDocument = Stored<DescribeModelPackageOutput> & { readonly _idempotency?: { readonly token: string; readonly digest: string } };

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * `CreatedBy`/`LastModifiedBy`: the caller's IAM identity. `UserProfileArn` (Studio) is never set: mlzone has no
 * Studio domains, and a call made with IAM credentials carries none.
 */
export function userContext(p: Principal): Stored<UserContext> {
  return { IamIdentity: { Arn: p.arn, PrincipalId: p.userId, ...(p.sourceIdentity !== undefined ? { SourceIdentity: p.sourceIdentity } : {}) } };
}

/** DescribeModelPackageGroup of a new group: `Completed` at once (there is nothing to provision). */
export function groupDocument(input: CreateModelPackageGroupInput, arn: string, now: number, caller: Principal): GroupDocument {
  return {
    ModelPackageGroupName: input.ModelPackageGroupName,
    ModelPackageGroupArn: arn,
    ...(input.ModelPackageGroupDescription !== undefined ? { ModelPackageGroupDescription: input.ModelPackageGroupDescription } : {}),
    CreationTime: iso(now),
    CreatedBy: userContext(caller),
    ModelPackageGroupStatus: 'Completed',
    ...(input.ManagedConfiguration !== undefined ? { ManagedConfiguration: structuredClone(input.ManagedConfiguration) } : {}),
  };
}

export function groupSummary(doc: GroupDocument): Stored<ModelPackageGroupSummary> {
  return {
    ModelPackageGroupName: doc.ModelPackageGroupName,
    ModelPackageGroupArn: doc.ModelPackageGroupArn,
    ...(doc.ModelPackageGroupDescription !== undefined ? { ModelPackageGroupDescription: doc.ModelPackageGroupDescription } : {}),
    CreationTime: doc.CreationTime,
    ModelPackageGroupStatus: doc.ModelPackageGroupStatus,
    ...(doc.ManagedConfiguration !== undefined ? { ManagedConfiguration: doc.ManagedConfiguration } : {}),
  };
}

/** Create members kept as they are (each is also a DescribeModelPackage member of the same name and shape). */
const KEPT = [
  'ModelPackageDescription',
  'ModelPackageRegistrationType',
  'InferenceSpecification',
  'ValidationSpecification',
  'SourceAlgorithmSpecification',
  'MetadataProperties',
  'ModelMetrics',
  'Domain',
  'Task',
  'SamplePayloadUrl',
  'CustomerMetadataProperties',
  'DriftCheckBaselines',
  'AdditionalInferenceSpecifications',
  'SkipModelValidation',
  'SourceUri',
  'SecurityConfig',
  'ModelCard',
  'ModelLifeCycle',
  'ManagedStorageType',
] as const satisfies ReadonlyArray<keyof CreateModelPackageInput & keyof DescribeModelPackageOutput>;

/** Where a new package goes: a version of a group (whose stored name it takes), or an unversioned package. */
export type PackageTarget =
  | { readonly kind: 'versioned'; readonly arn: string; readonly groupName: string; readonly version: number }
  | { readonly kind: 'unversioned'; readonly arn: string; readonly name: string };

/** The digest that tells a retry (same ClientToken, same input) from a reuse of the token for another request. */
export function inputDigest(input: CreateModelPackageInput): string {
  const { ClientToken: _token, ...rest } = input;
  return createHash('sha256').update(stableJson(rest)).digest('hex');
}

export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}

/**
 * DescribeModelPackage of a new package. A versioned package answers its group's name as `ModelPackageName` (the
 * member is required and AWS keeps no other name for a version) and starts `PendingManualApproval` when the input
 * names no status; `ModelApprovalStatus` does not apply to unversioned packages. Validation and image scans are not
 * run, so the status is `Completed` at once with empty status lists.
 */
export function packageDocument(input: CreateModelPackageInput, target: PackageTarget, now: number, caller: Principal): PackageDocument {
  const by = userContext(caller);
  const doc: Record<string, unknown> = {
    ModelPackageName: target.kind === 'versioned' ? target.groupName : target.name,
    ...(target.kind === 'versioned' ? { ModelPackageGroupName: target.groupName, ModelPackageVersion: target.version } : {}),
    ModelPackageArn: target.arn,
    CreationTime: iso(now),
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: input.CertifyForMarketplace ?? false,
    ...(target.kind === 'versioned' ? { ModelApprovalStatus: input.ModelApprovalStatus ?? 'PendingManualApproval' } : {}),
    CreatedBy: by,
    LastModifiedTime: iso(now),
    LastModifiedBy: by,
  };
  for (const k of KEPT) if (input[k] !== undefined) doc[k] = structuredClone(input[k]);
  if (input.ClientToken !== undefined) doc._idempotency = { token: input.ClientToken, digest: inputDigest(input) };
  return doc as PackageDocument;
}

/**
 * UpdateModelPackage: replaces what the input names, merges `CustomerMetadataProperties` key by key, then removes
 * `CustomerMetadataPropertiesToRemove`, appends `AdditionalInferenceSpecificationsToAdd`; any approval status may follow
 * any other (the registry enforces no state machine). Every update stamps `LastModifiedTime` and `LastModifiedBy`.
 */
export function updatedPackage(doc: PackageDocument, input: UpdateModelPackageInput, now: number, caller: Principal): PackageDocument {
  const out: Record<string, unknown> = structuredClone(doc) as Record<string, unknown>;
  const set = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = structuredClone(v);
  };
  set('ModelApprovalStatus', input.ModelApprovalStatus);
  set('ApprovalDescription', input.ApprovalDescription);
  set('ModelPackageRegistrationType', input.ModelPackageRegistrationType);
  set('InferenceSpecification', input.InferenceSpecification);
  set('SourceUri', input.SourceUri);
  set('ModelCard', input.ModelCard);
  set('ModelLifeCycle', input.ModelLifeCycle);
  if (input.CustomerMetadataProperties !== undefined || input.CustomerMetadataPropertiesToRemove !== undefined) {
    const merged: Record<string, string> = { ...(doc.CustomerMetadataProperties ?? {}), ...(input.CustomerMetadataProperties ?? {}) };
    for (const k of input.CustomerMetadataPropertiesToRemove ?? []) delete merged[k];
    if (Object.keys(merged).length > 0) out.CustomerMetadataProperties = merged;
    else delete out.CustomerMetadataProperties;
  }
  if (input.AdditionalInferenceSpecificationsToAdd !== undefined) {
    out.AdditionalInferenceSpecifications = [...(doc.AdditionalInferenceSpecifications ?? []), ...structuredClone(input.AdditionalInferenceSpecificationsToAdd)];
  }
  out.LastModifiedTime = iso(now);
  out.LastModifiedBy = userContext(caller);
  return out as PackageDocument;
}

/**
 * A ListModelPackages entry. A version has no `ModelPackageName` there (AWS lists versions by group, version and ARN
 * only; observed in a real `list-model-packages --model-package-group-name` answer).
 */
export function packageSummary(doc: PackageDocument): Stored<ModelPackageSummary> {
  const versioned = doc.ModelPackageVersion !== undefined;
  return {
    ...(versioned ? {} : { ModelPackageName: doc.ModelPackageName }),
    ...(versioned ? { ModelPackageGroupName: doc.ModelPackageGroupName, ModelPackageVersion: doc.ModelPackageVersion } : {}),
    ModelPackageArn: doc.ModelPackageArn,
    ...(doc.ModelPackageDescription !== undefined ? { ModelPackageDescription: doc.ModelPackageDescription } : {}),
    CreationTime: doc.CreationTime,
    ModelPackageStatus: doc.ModelPackageStatus,
    ...(doc.ModelApprovalStatus !== undefined ? { ModelApprovalStatus: doc.ModelApprovalStatus } : {}),
    ...(doc.ModelLifeCycle !== undefined ? { ModelLifeCycle: doc.ModelLifeCycle } : {}),
    ...(doc.ModelPackageRegistrationType !== undefined ? { ModelPackageRegistrationType: doc.ModelPackageRegistrationType } : {}),
  };
}

/** A BatchDescribeModelPackage entry (its `ModelPackageGroupName` is required: an unversioned package has none to give). */
export function batchSummary(doc: PackageDocument): Stored<BatchDescribeModelPackageSummary> {
  return {
    ModelPackageGroupName: doc.ModelPackageGroupName ?? doc.ModelPackageName,
    ...(doc.ModelPackageVersion !== undefined ? { ModelPackageVersion: doc.ModelPackageVersion } : {}),
    ModelPackageArn: doc.ModelPackageArn,
    ...(doc.ModelPackageDescription !== undefined ? { ModelPackageDescription: doc.ModelPackageDescription } : {}),
    CreationTime: doc.CreationTime,
    // Required by the model; a package registered without one answers an empty container list.
    InferenceSpecification: doc.InferenceSpecification ?? { Containers: [] },
    ModelPackageStatus: doc.ModelPackageStatus,
    ...(doc.ModelApprovalStatus !== undefined ? { ModelApprovalStatus: doc.ModelApprovalStatus } : {}),
    ...(doc.ModelPackageRegistrationType !== undefined ? { ModelPackageRegistrationType: doc.ModelPackageRegistrationType } : {}),
  };
}

/** The Describe answer without mlzone's bookkeeping. */
export function describedPackage(doc: PackageDocument): Stored<DescribeModelPackageOutput> {
  const { _idempotency: _i, ...rest } = doc;
  return rest;
}
