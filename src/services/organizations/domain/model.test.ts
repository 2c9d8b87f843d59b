import { describe, expect, it } from 'vitest';
import { ouArn, policyArn, awsManagedPolicyArn } from './arns.js';
import { newOrganizationId, newOuId, newPolicyId, newRootId, targetKindOf } from './ids.js';
import { FULL_AWS_ACCESS_ID } from './managed-policies.js';
import type { OrgRows } from './model.js';
import { accountPathOf, ancestorsOf, buildState, effectiveLevels, orgPathOf, ouDepth, ouPathOf } from './model.js';
import { checkDetach, defaultAttachments } from './rules.js';

const rows: OrgRows = {
  org: { id: 'o-aaaaaaaaaa', managementAccountId: '111111111111', featureSet: 'ALL', createdAt: 0 },
  root: { id: 'r-root', name: 'Root' },
  ous: [
    { id: 'ou-root-00000001', name: 'A', parentId: 'r-root', createdAt: 0 },
    { id: 'ou-root-00000002', name: 'B', parentId: 'ou-root-00000001', createdAt: 0 },
  ],
  accounts: [
    { id: '111111111111', name: 'm', email: 'm@x.io', parentId: 'r-root', status: 'ACTIVE', joinedMethod: 'INVITED', joinedAt: 0 },
    { id: '222222222222', name: 'd', email: 'd@x.io', parentId: 'ou-root-00000002', status: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: 0 },
  ],
  policies: [{ id: 'p-guard001', type: 'SERVICE_CONTROL_POLICY', name: 'Guard', description: '', content: '{}', awsManaged: false }],
  attachments: [
    { policyId: 'p-guard001', targetId: 'ou-root-00000001' },
    ...['r-root', 'ou-root-00000001', 'ou-root-00000002', '111111111111', '222222222222'].map((targetId) => ({
      policyId: FULL_AWS_ACCESS_ID,
      targetId,
    })),
  ],
  enabledTypes: ['SERVICE_CONTROL_POLICY'],
  tags: [],
};

describe('ids and ARNs', () => {
  it('generate the AWS formats', () => {
    expect(newOrganizationId()).toMatch(/^o-[a-z0-9]{10}$/);
    const root = newRootId();
    expect(root).toMatch(/^r-[a-z0-9]{4}$/);
    expect(newOuId(root)).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8}$`));
    expect(newPolicyId()).toMatch(/^p-[a-z0-9]{8}$/);
    expect(targetKindOf('123456789012')).toBe('ACCOUNT');
    expect(targetKindOf('r-ab12')).toBe('ROOT');
    expect(targetKindOf('ou-ab12-abcdefgh')).toBe('ORGANIZATIONAL_UNIT');
    expect(targetKindOf('p-abcdefgh')).toBeUndefined();
    expect(ouArn('1', 'o-x', 'ou-a-b')).toBe('arn:aws:organizations::1:ou/o-x/ou-a-b');
    expect(policyArn('1', 'o-x', 'RESOURCE_CONTROL_POLICY', 'p-1')).toBe('arn:aws:organizations::1:policy/o-x/resource_control_policy/p-1');
    expect(awsManagedPolicyArn('SERVICE_CONTROL_POLICY', FULL_AWS_ACCESS_ID)).toBe(
      'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
    );
  });
});

describe('the tree', () => {
  const s = buildState(rows);

  it('knows ancestors, depth and paths', () => {
    expect(ancestorsOf(s, '222222222222')).toEqual(['r-root', 'ou-root-00000001', 'ou-root-00000002']);
    expect(ancestorsOf(s, 'r-root')).toEqual([]);
    expect(ouDepth(s, 'ou-root-00000002')).toBe(2);
    expect(orgPathOf(s, '222222222222')).toBe('o-aaaaaaaaaa/r-root/ou-root-00000001/ou-root-00000002/');
    expect(ouPathOf(s, 'ou-root-00000001')).toBe('o-aaaaaaaaaa/r-root/ou-root-00000001/');
    expect(accountPathOf(s, '111111111111')).toBe('o-aaaaaaaaaa/r-root/111111111111/');
    expect(orgPathOf(s, '999999999999')).toBeUndefined();
  });

  it('effectiveLevels: root, each OU, the account; management account exempt', () => {
    expect(effectiveLevels(s, '222222222222', 'SERVICE_CONTROL_POLICY').map((l) => l.map((p) => p.name))).toEqual([
      ['FullAWSAccess'],
      ['FullAWSAccess', 'Guard'],
      ['FullAWSAccess'],
      ['FullAWSAccess'],
    ]);
    expect(effectiveLevels(s, '111111111111', 'SERVICE_CONTROL_POLICY')).toEqual([]);
    expect(effectiveLevels(s, '222222222222', 'RESOURCE_CONTROL_POLICY')).toEqual([]);
  });

  it('rules: defaults per enabled type, minimum one SCP per target', () => {
    expect(defaultAttachments(s)).toEqual([FULL_AWS_ACCESS_ID]);
    const full = s.policies.get(FULL_AWS_ACCESS_ID)!;
    expect(() => checkDetach(s, full, '222222222222')).toThrow(/fewer than the minimum/);
    expect(() => checkDetach(s, full, 'ou-root-00000001')).not.toThrow();
  });
});
