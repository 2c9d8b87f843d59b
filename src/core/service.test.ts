import { describe, expect, it } from 'vitest';
import { resourceOwnerOf } from './service.js';

describe('resourceOwnerOf', () => {
  it('takes the declared owner first, then an account id in the ARN, else says nothing', () => {
    expect(resourceOwnerOf({ action: 's3:GetObject', resource: 'arn:aws:s3:::lake/k', resourceAccount: '333333333333' })).toBe('333333333333');
    expect(resourceOwnerOf({ action: 'iam:GetRole', resource: 'arn:aws:iam::444444444444:role/R' })).toBe('444444444444');
    expect(resourceOwnerOf({ action: 'iam:GetPolicy', resource: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })).toBeUndefined();
    expect(resourceOwnerOf({ action: 's3:ListAllMyBuckets', resource: '*' })).toBeUndefined();
    expect(resourceOwnerOf({ action: 's3:GetObject', resource: 'arn:aws:s3:::lake/k' })).toBeUndefined();
  });
});
