import { describe, expect, it } from 'vitest';
import { arnAccountId, parseArn } from './arn.js';

describe('arnAccountId', () => {
  it('reads the account field as parseArn does, without splitting', () => {
    for (const arn of [
      'arn:aws:iam::444444444444:role/DataScientist',
      'arn:aws:sts::444444444444:assumed-role/R/s',
      'arn:aws:ecr:us-east-1:222222222222:repository/team/image:with:colons',
      'arn:aws:sagemaker:us-east-1:777777777777:endpoint/e',
    ]) {
      expect(arnAccountId(arn)).toBe(parseArn(arn)!.accountId);
    }
  });

  it('has no account for buckets, wildcards and non-ARNs', () => {
    expect(['arn:aws:s3:::bucket/key', '*', 'arn:aws:iam', 'not:an:arn:at:all:x', ''].map(arnAccountId)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
