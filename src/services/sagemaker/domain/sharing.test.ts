import { describe, expect, it } from 'vitest';
import { groupArnOfPackage, policyNamesAccount } from './sharing.js';

const policy = (principal: unknown, effect = 'Allow') =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'S', Effect: effect, Principal: principal, Action: ['sagemaker:DescribeModelPackageGroup'], Resource: 'arn:aws:sagemaker:us-east-1:111111111111:model-package-group/g' }],
  });

describe('policyNamesAccount', () => {
  it('finds the account as id, root, user, role or session principal', () => {
    expect(policyNamesAccount(policy({ AWS: '444444444444' }), '444444444444')).toBe(true);
    expect(policyNamesAccount(policy({ AWS: 'arn:aws:iam::444444444444:root' }), '444444444444')).toBe(true);
    expect(policyNamesAccount(policy({ AWS: ['arn:aws:iam::555555555555:root', 'arn:aws:iam::444444444444:role/DataScientist'] }), '444444444444')).toBe(true);
    expect(policyNamesAccount(policy({ AWS: 'arn:aws:sts::444444444444:assumed-role/R/s' }), '444444444444')).toBe(true);
    expect(policyNamesAccount(policy('*'), '444444444444')).toBe(true);
    expect(policyNamesAccount(policy({ AWS: '*' }), '444444444444')).toBe(true);
  });

  it('ignores other accounts, Deny statements, service principals and broken documents', () => {
    expect(policyNamesAccount(policy({ AWS: 'arn:aws:iam::555555555555:root' }), '444444444444')).toBe(false);
    expect(policyNamesAccount(policy({ AWS: 'arn:aws:iam::444444444444:root' }, 'Deny'), '444444444444')).toBe(false);
    expect(policyNamesAccount(policy({ Service: 'sagemaker.amazonaws.com' }), '444444444444')).toBe(false);
    expect(policyNamesAccount('{', '444444444444')).toBe(false);
    expect(policyNamesAccount('null', '444444444444')).toBe(false);
    expect(policyNamesAccount(undefined, '444444444444')).toBe(false);
  });

  it('accepts a single statement object', () => {
    expect(policyNamesAccount(JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: '444444444444' } } }), '444444444444')).toBe(true);
  });
});

describe('groupArnOfPackage', () => {
  it('names the group of a versioned package', () => {
    expect(groupArnOfPackage('arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/3')).toBe('arn:aws:sagemaker:us-east-1:111111111111:model-package-group/churn');
    expect(groupArnOfPackage('arn:aws:sagemaker:us-east-1:111111111111:model-package/unversioned')).toBeUndefined();
    expect(groupArnOfPackage('arn:aws:sagemaker:us-east-1:111111111111:model/m')).toBeUndefined();
  });
});
