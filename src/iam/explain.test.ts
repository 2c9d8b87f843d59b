import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.js';
import { compilePolicy } from './compile.js';
import { denialMessage, denialReason, explain } from './explain.js';
import type { AuthorizationRequest, AuthorizationResult, PolicyKind, PolicyRef } from './types.js';

const A = '111111111111';
const ref = (id: string, kind: PolicyKind, statements: unknown[]): PolicyRef => ({
  id,
  kind,
  policy: compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind),
});
const alice = { type: 'IAMUser' as const, arn: `arn:aws:iam::${A}:user/alice`, accountId: A };

function request(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    principal: alice,
    action: 'sagemaker:CreateModel',
    resource: `arn:aws:sagemaker:us-east-1:${A}:model/m1`,
    context: {},
    identityPolicies: [
      ref(`arn:aws:iam::${A}:policy/ml`, 'identity', [
        { Sid: 'Read', Effect: 'Allow', Action: 'sagemaker:Describe*', Resource: '*' },
        { Sid: 'Create', Effect: 'Allow', Action: 'sagemaker:Create*', Resource: '*' },
      ]),
    ],
    scps: [[ref('p-FullAWSAccess', 'scp', [{ Effect: 'Allow', Action: '*', Resource: '*' }])]],
    ...overrides,
  };
}

describe('explain', () => {
  it('lists every policy with its matching statements and a verdict', () => {
    const req = request();
    const e = explain(req, authorize(req));
    expect(e.decision).toBe('Allow');
    expect(e.message).toBeUndefined();
    expect(e.verdict).toBe(`Allowed: sagemaker:CreateModel on arn:aws:sagemaker:us-east-1:${A}:model/m1`);
    expect(e.policies.map((p) => [p.layer, p.policyId, p.outcome])).toEqual([
      ['scp root', 'p-FullAWSAccess', 'allow'],
      ['identity', `arn:aws:iam::${A}:policy/ml`, 'allow'],
    ]);
    expect(e.policies[1]!.statements).toEqual([
      { index: 0, sid: 'Read', effect: 'Allow', matched: false },
      { index: 1, sid: 'Create', effect: 'Allow', matched: true },
    ]);
  });

  it('marks layers that do not apply as not-applicable', () => {
    const req = request({ principalIsManagementAccount: true });
    const e = explain(req, authorize(req));
    expect(e.policies[0]!.outcome).toBe('not-applicable');
  });

  it('explains an explicit deny with the message and the denying policy', () => {
    const req = request({
      identityPolicies: [...request().identityPolicies, ref(`arn:aws:iam::${A}:policy/guard`, 'identity', [{ Sid: 'NoCreate', Effect: 'Deny', Action: 'sagemaker:Create*', Resource: '*' }])],
    });
    const result = authorize(req);
    const e = explain(req, result, { includePolicyArn: true });
    expect(e.reason).toEqual({ kind: 'explicit-deny', policyKind: 'identity', policyId: `arn:aws:iam::${A}:policy/guard` });
    expect(e.verdict).toBe(`Explicitly denied by identity-based policy arn:aws:iam::${A}:policy/guard`);
    expect(e.message).toBe(
      `User: ${alice.arn} is not authorized to perform: sagemaker:CreateModel on resource: arn:aws:sagemaker:us-east-1:${A}:model/m1 with an explicit deny in an identity-based policy: arn:aws:iam::${A}:policy/guard`,
    );
  });
});

describe('denial reasons', () => {
  const base = { matched: [], evaluated: [] };
  const r = (reason: AuthorizationResult['reason'], decision: AuthorizationResult['decision'] = 'ImplicitDeny'): AuthorizationResult => ({ decision, reason, ...base });
  it.each([
    [{ kind: 'no-identity-allow', policyKind: 'identity' }, 'because no identity-based policy allows the s3:GetObject action'],
    [{ kind: 'no-resource-allow', policyKind: 'resource' }, 'because no resource-based policy allows the s3:GetObject action'],
    [{ kind: 'no-resource-allow', policyKind: 'trust' }, ''],
    [{ kind: 'scp', policyKind: 'scp' }, 'because no service control policy allows the s3:GetObject action'],
    [{ kind: 'rcp', policyKind: 'rcp' }, 'because no resource control policy allows the s3:GetObject action'],
    [{ kind: 'boundary', policyKind: 'boundary' }, 'because no permissions boundary allows the s3:GetObject action'],
    [{ kind: 'session', policyKind: 'session' }, 'because no session policy allows the s3:GetObject action'],
    [{ kind: 'explicit-deny', policyKind: 'scp', policyId: 'p-1' }, 'with an explicit deny in a service control policy'],
    [{ kind: 'explicit-deny', policyKind: 'rcp', policyId: 'p-1' }, 'with an explicit deny in a resource control policy'],
    [{ kind: 'explicit-deny', policyKind: 'identity', policyId: 'inline:user/alice/p' }, 'with an explicit deny in an identity-based policy'],
    [{ kind: 'explicit-deny', policyKind: 'resource', policyId: 'bucket' }, 'with an explicit deny in a resource-based policy'],
    [{ kind: 'explicit-deny', policyKind: 'trust', policyId: 'trust' }, ''],
  ] as const)('%j → %s', (reason, text) => {
    expect(denialReason('s3:GetObject', r(reason as AuthorizationResult['reason'], reason.kind === 'explicit-deny' ? 'ExplicitDeny' : 'ImplicitDeny'), { includePolicyArn: true })).toBe(text);
  });

  it('is empty for an allowed result', () => {
    expect(denialMessage({ principal: alice, action: 'a:b', resource: '*' }, r({ kind: 'allowed' }, 'Allow'))).toBe('');
  });
});
