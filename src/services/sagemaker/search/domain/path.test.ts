import { describe, expect, it } from 'vitest';
import { isTagList, resolvePath } from './path.js';

const pkg = {
  ModelPackageGroupName: 'churn',
  ModelPackageVersion: 3,
  CertifyForMarketplace: false,
  InferenceSpecification: {
    Containers: [
      { Image: 'img-a', Environment: { 'SAGEMAKER.MODE': 'a', PLAIN: 'p' } },
      { Image: 'img-b', ModelDataUrl: 's3://m/b.tar.gz' },
    ],
    SupportedContentTypes: ['text/csv', 'application/json'],
  },
  CustomerMetadataProperties: { 'team.name': 'risk', owner: 'ana' },
  Tags: [
    { Key: 'team', Value: 'risk' },
    { Key: 'cost.center', Value: '42' },
    { Key: 'aws:cloudformation:stack-name', Value: 'st' },
  ],
};

describe('resolvePath', () => {
  it('reads scalar members and nested structures', () => {
    expect(resolvePath(pkg, 'ModelPackageGroupName')).toEqual(['churn']);
    expect(resolvePath(pkg, 'ModelPackageVersion')).toEqual([3]);
    expect(resolvePath(pkg, 'CertifyForMarketplace')).toEqual([false]);
  });

  it('goes through lists: the property has every value of every element', () => {
    expect(resolvePath(pkg, 'InferenceSpecification.Containers.Image')).toEqual(['img-a', 'img-b']);
    expect(resolvePath(pkg, 'InferenceSpecification.Containers.ModelDataUrl')).toEqual(['s3://m/b.tar.gz']);
    expect(resolvePath(pkg, 'InferenceSpecification.SupportedContentTypes')).toEqual(['text/csv', 'application/json']);
  });

  it('returns the elements themselves when the path ends on a list of structures', () => {
    expect(resolvePath(pkg, 'InferenceSpecification.Containers')).toHaveLength(2);
    expect(resolvePath(pkg, 'Tags')).toEqual(pkg.Tags);
  });

  it('finds map keys that contain dots (longest key first)', () => {
    expect(resolvePath(pkg, 'CustomerMetadataProperties.team.name')).toEqual(['risk']);
    expect(resolvePath(pkg, 'CustomerMetadataProperties.owner')).toEqual(['ana']);
    expect(resolvePath(pkg, 'InferenceSpecification.Containers.Environment.SAGEMAKER.MODE')).toEqual(['a']);
  });

  it('reads a tag by key with Tags.<key>, keys with dots and colons included', () => {
    expect(resolvePath(pkg, 'Tags.team')).toEqual(['risk']);
    expect(resolvePath(pkg, 'Tags.cost.center')).toEqual(['42']);
    expect(resolvePath(pkg, 'Tags.aws:cloudformation:stack-name')).toEqual(['st']);
    expect(resolvePath(pkg, 'Tags.missing')).toEqual([]);
  });

  it('reads the tag list members with Tags.Key / Tags.Value unless a tag has that key', () => {
    expect(resolvePath(pkg, 'Tags.Key')).toEqual(['team', 'cost.center', 'aws:cloudformation:stack-name']);
    expect(resolvePath({ Tags: [{ Key: 'Key', Value: 'k' }] }, 'Tags.Key')).toEqual(['k']);
  });

  it('finds nothing for missing members, paths through scalars, null and undefined', () => {
    expect(resolvePath(pkg, 'Nope')).toEqual([]);
    expect(resolvePath(pkg, 'ModelPackageGroupName.Length')).toEqual([]);
    expect(resolvePath({ A: null }, 'A')).toEqual([]);
    expect(resolvePath({ A: [null, 1] }, 'A')).toEqual([1]);
    expect(resolvePath(undefined, 'A')).toEqual([]);
  });

  it('is case sensitive in member names, as the model is', () => {
    expect(resolvePath(pkg, 'modelpackagegroupname')).toEqual([]);
  });
});

describe('isTagList', () => {
  it('recognises [{Key, Value}] lists only', () => {
    expect(isTagList([{ Key: 'a', Value: 'b' }])).toBe(true);
    expect(isTagList([])).toBe(true);
    expect(isTagList([{ Name: 'a' }])).toBe(false);
    expect(isTagList({ Key: 'a' })).toBe(false);
  });
});
