import { describe, expect, it } from 'vitest';
import { groupRef, groupVersionsPattern, packageRef, versionCounterKey } from './refs.js';

const caller = { accountId: '444444444444', region: 'us-east-1' };
const OTHER = '666666666666';

describe('groupRef', () => {
  it('resolves a name in the caller account and region, lower-cased in the ARN', () => {
    expect(groupRef('Churn-Models', caller)).toEqual({
      accountId: caller.accountId,
      region: 'us-east-1',
      name: 'Churn-Models',
      arn: 'arn:aws:sagemaker:us-east-1:444444444444:model-package-group/churn-models',
      byArn: false,
    });
  });

  it('takes account and region from an ARN (another account: a cross-account call)', () => {
    const ref = groupRef(`arn:aws:sagemaker:eu-west-1:${OTHER}:model-package-group/Churn`, caller);
    expect(ref).toMatchObject({ accountId: OTHER, region: 'eu-west-1', arn: `arn:aws:sagemaker:eu-west-1:${OTHER}:model-package-group/churn`, byArn: true });
  });

  it('reads any ARN for its account, region and name (the model pattern takes any resource type)', () => {
    expect(groupRef(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package/Churn`, caller).arn).toBe(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package-group/churn`);
  });

  it('names every version of a group with …/<group>/*', () => {
    expect(groupVersionsPattern(groupRef('Churn', caller))).toBe('arn:aws:sagemaker:us-east-1:444444444444:model-package/churn/*');
    expect(groupVersionsPattern(groupRef(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package-group/churn`, caller))).toBe(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package/churn/*`);
  });
});

describe('packageRef', () => {
  it('reads a versioned ARN, a versioned name, an unversioned ARN and an unversioned name', () => {
    expect(packageRef(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package/Churn/12`, caller)).toEqual({
      kind: 'versioned',
      accountId: OTHER,
      region: 'us-east-1',
      group: 'churn',
      version: 12,
      arn: `arn:aws:sagemaker:us-east-1:${OTHER}:model-package/churn/12`,
    });
    expect(packageRef('Churn/3', caller)).toMatchObject({ kind: 'versioned', accountId: caller.accountId, group: 'churn', version: 3, arn: 'arn:aws:sagemaker:us-east-1:444444444444:model-package/churn/3' });
    expect(packageRef(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package/Marketplace-Pkg`, caller)).toEqual({
      kind: 'unversioned',
      accountId: OTHER,
      region: 'us-east-1',
      name: 'Marketplace-Pkg',
      arn: `arn:aws:sagemaker:us-east-1:${OTHER}:model-package/marketplace-pkg`,
    });
    expect(packageRef('Marketplace-Pkg', caller)).toMatchObject({ kind: 'unversioned', arn: 'arn:aws:sagemaker:us-east-1:444444444444:model-package/marketplace-pkg' });
  });

  it('reads any ARN for its account, region and name', () => {
    expect(packageRef(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package-group/churn`, caller).arn).toBe(`arn:aws:sagemaker:us-east-1:${OTHER}:model-package/churn`);
  });
});

it('keys the version counter by group and creation time, so a re-created group counts from 1', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:444444444444:model-package-group/churn';
  expect(versionCounterKey(arn, 1)).not.toBe(versionCounterKey(arn, 2));
});
