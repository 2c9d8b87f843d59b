import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { checkRepositoryPolicy, principalEntityArns } from './policy.js';

const ok = () => undefined;
const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const pull = { Sid: 'Pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777777777777:root' }, Action: ['ecr:BatchGetImage'] };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAwsError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('checkRepositoryPolicy', () => {
  it('accepts a statement without Resource', () => {
    expect(message(() => checkRepositoryPolicy(doc(pull), ok))).toBe('accepted');
  });

  it("answers ECR's one text for Resource, bad JSON and whatever IAM refuses", () => {
    const text = "InvalidParameterException: Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'";
    expect(message(() => checkRepositoryPolicy(doc({ ...pull, Resource: '*' }), ok))).toBe(text);
    expect(message(() => checkRepositoryPolicy('{', ok))).toBe(text);
    expect(message(() => checkRepositoryPolicy('{"Version":"2012-10-17"}', ok))).toBe(text);
    expect(message(() => checkRepositoryPolicy(doc(pull), () => 'Syntax errors in policy.'))).toBe(text);
  });
});

describe('principalEntityArns', () => {
  it('lists the user and role ARNs named as principals', () => {
    const text = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:root', 'arn:aws:iam::777777777777:role/DeploymentRole', '777777777777'] }, Action: 'ecr:*' },
        { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::777777777777:user/ops/alice' }, Action: 'ecr:*' },
        { Effect: 'Allow', Principal: '*', Action: 'ecr:*' },
      ],
    });
    expect(principalEntityArns(text)).toEqual(['arn:aws:iam::777777777777:role/DeploymentRole', 'arn:aws:iam::777777777777:user/ops/alice']);
  });
});
