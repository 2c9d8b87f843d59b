import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../../core/principal.js';
import { batchSummary, describedPackage, groupDocument, groupSummary, inputDigest, packageDocument, packageSummary, stableJson, updatedPackage, userContext } from './documents.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const alice: Principal = {
  type: 'AssumedRole',
  accountId: '444444444444',
  arn: 'arn:aws:sts::444444444444:assumed-role/MLEngineer/alice',
  userId: 'AROAEXAMPLE:alice',
  name: 'MLEngineer',
  sourceIdentity: 'alice@example.com',
};
const bob: Principal = { type: 'IAMUser', accountId: '666666666666', arn: 'arn:aws:iam::666666666666:user/bob', userId: 'AIDAEXAMPLEBOB' };
const ARN = 'arn:aws:sagemaker:us-east-1:444444444444:model-package/churn/2';
const SPEC = { Containers: [{ Image: '222222222222.dkr.ecr.us-east-1.amazonaws.com/mlzone/inference:1', ModelDataUrl: 's3://b/model.tar.gz' }], SupportedContentTypes: ['text/csv'] };

describe('userContext', () => {
  it('names the caller by IAM identity', () => {
    expect(userContext(alice)).toEqual({ IamIdentity: { Arn: alice.arn, PrincipalId: 'AROAEXAMPLE:alice', SourceIdentity: 'alice@example.com' } });
    expect(userContext(bob)).toEqual({ IamIdentity: { Arn: bob.arn, PrincipalId: 'AIDAEXAMPLEBOB' } });
  });
});

describe('groups', () => {
  it('describes a new group as Completed and summarizes it', () => {
    const doc = groupDocument({ ModelPackageGroupName: 'Churn', ModelPackageGroupDescription: 'churn models' }, 'arn:g', T0, alice);
    expect(doc).toEqual({
      ModelPackageGroupName: 'Churn',
      ModelPackageGroupArn: 'arn:g',
      ModelPackageGroupDescription: 'churn models',
      CreationTime: '2026-01-15T12:00:00.000Z',
      CreatedBy: userContext(alice),
      ModelPackageGroupStatus: 'Completed',
    });
    expect(groupSummary(doc)).toEqual({
      ModelPackageGroupName: 'Churn',
      ModelPackageGroupArn: 'arn:g',
      ModelPackageGroupDescription: 'churn models',
      CreationTime: '2026-01-15T12:00:00.000Z',
      ModelPackageGroupStatus: 'Completed',
    });
  });
});

describe('packages', () => {
  const version = () =>
    packageDocument(
      { ModelPackageGroupName: 'arn:ignored', InferenceSpecification: SPEC, CustomerMetadataProperties: { team: 'retention', stage: 'dev' }, Tags: [{ Key: 'k', Value: 'v' }], ClientToken: 'tok-1', Domain: 'MACHINE_LEARNING' },
      { kind: 'versioned', arn: ARN, groupName: 'Churn', version: 2 },
      T0,
      alice,
    );

  it('describes a new version: pending approval, completed, group name as its name, no tags or token in the answer', () => {
    const doc = version();
    expect(describedPackage(doc)).toEqual({
      ModelPackageName: 'Churn',
      ModelPackageGroupName: 'Churn',
      ModelPackageVersion: 2,
      ModelPackageArn: ARN,
      CreationTime: '2026-01-15T12:00:00.000Z',
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'PendingManualApproval',
      CreatedBy: userContext(alice),
      LastModifiedTime: '2026-01-15T12:00:00.000Z',
      LastModifiedBy: userContext(alice),
      InferenceSpecification: SPEC,
      CustomerMetadataProperties: { team: 'retention', stage: 'dev' },
      Domain: 'MACHINE_LEARNING',
    });
    expect(doc._idempotency?.token).toBe('tok-1');
  });

  it('gives an unversioned package no approval status, group or version', () => {
    const doc = packageDocument({ ModelPackageName: 'Pkg', ModelApprovalStatus: 'Approved' }, { kind: 'unversioned', arn: 'arn:p', name: 'Pkg' }, T0, alice);
    expect(doc).not.toHaveProperty('ModelApprovalStatus');
    expect(doc).not.toHaveProperty('ModelPackageGroupName');
    expect(doc.ModelPackageName).toBe('Pkg');
    expect(packageSummary(doc)).toEqual({ ModelPackageName: 'Pkg', ModelPackageArn: 'arn:p', CreationTime: '2026-01-15T12:00:00.000Z', ModelPackageStatus: 'Completed' });
  });

  it('merges metadata, removes keys, moves approval any way and stamps the modifier', () => {
    const later = T0 + 60_000;
    const approved = updatedPackage(version(), { ModelPackageArn: ARN, ModelApprovalStatus: 'Approved', ApprovalDescription: 'meets the bar', CustomerMetadataProperties: { stage: 'prod', owner: 'bob' }, CustomerMetadataPropertiesToRemove: ['team'] }, later, bob);
    expect(approved).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'meets the bar',
      CustomerMetadataProperties: { stage: 'prod', owner: 'bob' },
      LastModifiedTime: '2026-01-15T12:01:00.000Z',
      LastModifiedBy: userContext(bob),
      CreatedBy: userContext(alice),
    });
    const rejected = updatedPackage(approved, { ModelPackageArn: ARN, ModelApprovalStatus: 'Rejected', CustomerMetadataPropertiesToRemove: ['stage', 'owner'] }, later, bob);
    expect(rejected.ModelApprovalStatus).toBe('Rejected');
    expect(rejected.ApprovalDescription).toBe('meets the bar');
    expect(rejected).not.toHaveProperty('CustomerMetadataProperties');
    const back = updatedPackage(rejected, { ModelPackageArn: ARN, ModelApprovalStatus: 'PendingManualApproval' }, later, bob);
    expect(back.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it('appends additional inference specifications', () => {
    const extra = { Name: 'gpu', Containers: [{ Image: 'img:gpu' }] };
    const once = updatedPackage(version(), { ModelPackageArn: ARN, AdditionalInferenceSpecificationsToAdd: [extra] }, T0, bob);
    const twice = updatedPackage(once, { ModelPackageArn: ARN, AdditionalInferenceSpecificationsToAdd: [{ ...extra, Name: 'cpu' }] }, T0, bob);
    expect(twice.AdditionalInferenceSpecifications?.map((x) => x.Name)).toEqual(['gpu', 'cpu']);
  });

  it('lists a version without a name, by group and version', () => {
    expect(packageSummary(version())).toEqual({
      ModelPackageGroupName: 'Churn',
      ModelPackageVersion: 2,
      ModelPackageArn: ARN,
      CreationTime: '2026-01-15T12:00:00.000Z',
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
    });
    expect(batchSummary(version())).toEqual({
      ModelPackageGroupName: 'Churn',
      ModelPackageVersion: 2,
      ModelPackageArn: ARN,
      CreationTime: '2026-01-15T12:00:00.000Z',
      InferenceSpecification: SPEC,
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
    });
  });
});

describe('idempotency digest', () => {
  it('ignores the token and key order, and sees any other difference', () => {
    const a = inputDigest({ ModelPackageGroupName: 'g', ClientToken: 'x', CustomerMetadataProperties: { a: '1', b: '2' } });
    expect(inputDigest({ CustomerMetadataProperties: { b: '2', a: '1' }, ModelPackageGroupName: 'g', ClientToken: 'y' })).toBe(a);
    expect(inputDigest({ ModelPackageGroupName: 'g', ClientToken: 'x', CustomerMetadataProperties: { a: '1', b: '3' } })).not.toBe(a);
    expect(stableJson({ b: [1, { d: 1, c: undefined }], a: null })).toBe('{"a":null,"b":[1,{"d":1}]}');
  });
});
