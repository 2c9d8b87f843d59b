import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../core/errors.js';
import { parsePolicyArn, policyArn, roleArn, userArn } from './arns.js';
import { groupDeleteConflict, policyDeleteConflict, roleDeleteConflict, userDeleteConflict } from './conflicts.js';
import { checkMaxSessionDuration, checkPath, checkPolicyPath, checkUserName, iamTimestamp, nameKey } from './names.js';
import { decodeMarker, encodeMarker, paginate } from './pagination.js';
import {
  checkAttachQuota,
  checkCanCreateVersion,
  checkCanDeleteVersion,
  checkInlinePolicy,
  checkManagedPolicyDocument,
  checkTrustPolicyDocument,
  encodePolicyDocument,
  policySize,
  versionId,
  versionNumber,
} from './policy-rules.js';
import { checkRequestTags, mergeTags, removeTags, requestTagContext } from './tags.js';
import { awsPrincipals, classifyPrincipal } from './trust-principals.js';

function thrown(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError');
}

describe('arns', () => {
  it('builds entity ARNs with their path', () => {
    expect(userArn('111111111111', '/', 'alice')).toBe('arn:aws:iam::111111111111:user/alice');
    expect(roleArn('111111111111', '/svc/', 'deployer')).toBe('arn:aws:iam::111111111111:role/svc/deployer');
    expect(policyArn('111111111111', '/a/b/', 'p')).toBe('arn:aws:iam::111111111111:policy/a/b/p');
  });
  it('parses local and AWS managed policy ARNs', () => {
    expect(parsePolicyArn('arn:aws:iam::aws:policy/AdministratorAccess')).toEqual({ accountId: 'aws', path: '/', name: 'AdministratorAccess' });
    expect(parsePolicyArn('arn:aws:iam::111111111111:policy/team/x/P1')).toEqual({ accountId: '111111111111', path: '/team/x/', name: 'P1' });
    expect(parsePolicyArn('arn:aws:iam::111111111111:role/x')).toBeUndefined();
    expect(parsePolicyArn('nope')).toBeUndefined();
  });
});

describe('names', () => {
  it('applies the model constraints with AWS validation wording', () => {
    expect(() => checkUserName('ok.name+=,@-_1')).not.toThrow();
    const e = thrown(() => checkUserName('bad name'));
    expect(e.code).toBe('ValidationError');
    expect(e.message).toBe(
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    expect(thrown(() => checkUserName('x'.repeat(65))).message).toContain('Member must have length less than or equal to 64');
    expect(() => checkPath('/a/b/')).not.toThrow();
    expect(() => checkPath('a/')).toThrow(AwsError);
    expect(() => checkPolicyPath('/team/')).not.toThrow();
    expect(() => checkPolicyPath('/te am/')).toThrow(AwsError);
    expect(() => checkMaxSessionDuration(3600)).not.toThrow();
    expect(thrown(() => checkMaxSessionDuration(3599)).message).toContain('greater than or equal to 3600');
    expect(thrown(() => checkMaxSessionDuration(43201)).message).toContain('less than or equal to 43200');
  });
  it('compares names without case and keeps second precision', () => {
    expect(nameKey('Admin')).toBe(nameKey('ADMIN'));
    expect(iamTimestamp(1_700_000_000_123)).toBe(1_700_000_000_000);
  });
});

describe('pagination', () => {
  const items = Array.from({ length: 7 }, (_, i) => `k${i}`);
  it('walks pages with Marker and IsTruncated', () => {
    const p1 = paginate(items, (x) => x, { MaxItems: 3 });
    expect(p1.items).toEqual(['k0', 'k1', 'k2']);
    expect(p1.isTruncated).toBe(true);
    const p2 = paginate(items, (x) => x, { MaxItems: 3, Marker: p1.marker! });
    expect(p2.items).toEqual(['k3', 'k4', 'k5']);
    const p3 = paginate(items, (x) => x, { MaxItems: 3, Marker: p2.marker! });
    expect(p3).toEqual({ items: ['k6'], isTruncated: false });
  });
  it('defaults to 100 items and survives deletions between pages', () => {
    const many = Array.from({ length: 150 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const p1 = paginate(many, (x) => x, {});
    expect(p1.items).toHaveLength(100);
    const after = many.filter((x) => x !== 'k099' && x !== 'k100');
    expect(paginate(after, (x) => x, { Marker: p1.marker! }).items[0]).toBe('k101');
  });
  it('rejects markers it did not issue', () => {
    expect(decodeMarker(encodeMarker('abc'))).toBe('abc');
    expect(thrown(() => paginate(items, (x) => x, { Marker: 'garbage' })).code).toBe('InvalidInput');
  });
});

describe('tags', () => {
  it('merges case-insensitively and enforces 50 tags', () => {
    const merged = mergeTags([{ Key: 'Team', Value: 'a' }], [{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'dev' }], 'role');
    expect(merged).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'dev' },
    ]);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const e = thrown(() => mergeTags(fifty, [{ Key: 'one-more', Value: 'v' }], 'role'));
    expect(e.code).toBe('LimitExceeded');
    expect(e.message).toBe('Cannot exceed quota for TagsPerRole: 50');
    expect(removeTags(merged, ['TEAM', 'missing'])).toEqual([{ Key: 'env', Value: 'dev' }]);
  });
  it('rejects duplicate keys in one request', () => {
    const e = thrown(() => checkRequestTags([{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }]));
    expect(e.code).toBe('InvalidInput');
    expect(e.message).toBe('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  });
  it('fills aws:RequestTag and aws:TagKeys', () => {
    expect(requestTagContext([{ Key: 'team', Value: 'ml' }])).toEqual({ 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'ml' });
    expect(requestTagContext(undefined)).toEqual({});
  });
});

describe('policy rules', () => {
  it('validates documents through the IAM engine', () => {
    expect(thrown(() => checkManagedPolicyDocument('{not json')).code).toBe('MalformedPolicyDocument');
    const noVersion = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    expect(thrown(() => checkManagedPolicyDocument(noVersion)).message).toBe('Policy document must be version 2012-10-17 or greater.');
    expect(() => checkInlinePolicy('role', 'r', noVersion, [])).not.toThrow();
    const trustWithResource = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }],
    });
    expect(thrown(() => checkTrustPolicyDocument(trustWithResource)).code).toBe('MalformedPolicyDocument');
  });
  it('counts size without white space and enforces the quotas', () => {
    expect(policySize('{ "a" : 1 }\n')).toBe(7);
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }],
    });
    const e = thrown(() => checkManagedPolicyDocument(big));
    expect(e.code).toBe('LimitExceeded');
    expect(e.message).toBe('Cannot exceed quota for PolicySize: 6144');
    const half = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 40 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }],
    });
    expect(thrown(() => checkInlinePolicy('user', 'bob', half, [half])).message).toBe('Maximum policy size of 2048 bytes exceeded for user bob');
    expect(thrown(() => checkAttachQuota('role', 10)).message).toBe('Cannot exceed quota for PoliciesPerRole: 10');
  });
  it('numbers versions and protects the default one', () => {
    expect(versionId(6)).toBe('v6');
    expect(versionNumber('v12')).toBe(12);
    expect(Number.isNaN(versionNumber('x1'))).toBe(true);
    expect(() => checkCanCreateVersion(4)).not.toThrow();
    expect(thrown(() => checkCanCreateVersion(5)).code).toBe('LimitExceeded');
    expect(thrown(() => checkCanDeleteVersion(true)).message).toBe('Cannot delete the default version of a policy.');
  });
  it('percent-encodes documents the way the query API returns them', () => {
    expect(encodePolicyDocument('{"Action": "s3:*"}')).toBe('%7B%22Action%22%3A%20%22s3%3A*%22%7D');
    expect(decodeURIComponent(encodePolicyDocument('{\n  "a": "ü"\n}'))).toBe('{\n  "a": "ü"\n}');
  });
});

describe('delete conflicts', () => {
  it('reports the first dependent in AWS order', () => {
    expect(userDeleteConflict({ accessKeys: 1, inlinePolicies: 1, attachedPolicies: 1, groups: 1 })?.message).toBe(
      'Cannot delete entity, must delete access keys first.',
    );
    expect(userDeleteConflict({ accessKeys: 0, inlinePolicies: 0, attachedPolicies: 0, groups: 1 })?.message).toBe(
      'Cannot delete entity, must remove users from group first.',
    );
    expect(userDeleteConflict({ accessKeys: 0, inlinePolicies: 0, attachedPolicies: 0, groups: 0 })).toBeUndefined();
    expect(roleDeleteConflict({ instanceProfiles: 0, inlinePolicies: 0, attachedPolicies: 2 })?.message).toBe(
      'Cannot delete entity, must detach all policies first.',
    );
    expect(groupDeleteConflict({ members: 0, inlinePolicies: 1, attachedPolicies: 0 })?.message).toBe('Cannot delete entity, must delete policies first.');
    expect(policyDeleteConflict({ attachments: 1, versions: 1 })?.message).toBe('Cannot delete a policy attached to entities.');
    expect(policyDeleteConflict({ attachments: 0, versions: 2 })?.code).toBe('DeleteConflict');
    expect(policyDeleteConflict({ attachments: 0, versions: 1 })).toBeUndefined();
  });
});

describe('trust principals', () => {
  it('lists AWS principals and classifies them', () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:role/a/b', '222222222222'] }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(awsPrincipals(doc)).toEqual(['arn:aws:iam::111111111111:role/a/b', '222222222222']);
    expect(classifyPrincipal('arn:aws:iam::111111111111:role/a/b')).toEqual({ kind: 'entity', accountId: '111111111111', entity: 'role', path: '/a/', name: 'b' });
    expect(classifyPrincipal('arn:aws:iam::111111111111:root').kind).toBe('fixed');
    expect(classifyPrincipal('*').kind).toBe('fixed');
    expect(classifyPrincipal('bogus').kind).toBe('invalid');
  });
});
