/**
 * Runs every IAM vector under `src/iam/vectors/<topic>/<case-set>.json` (STYLE.md §5.5). A file is an array of
 * cases:
 *
 *   { name, source, request: { principal, action, resource, resourceAccount?, context? },
 *     policies: { identity?: [doc], resource?: doc, boundary?: doc, session?: [doc],
 *                 scp?: [[doc | "FullAWSAccess"]], rcp?: [[doc | "RCPFullAWSAccess"]] },
 *     options?: { resourcePolicyKind?, resourcePolicyRequired?, principalIsManagementAccount?,
 *                 resourceIsManagementAccount?, includePolicyArn?, quoteResource? },
 *     expected: { decision, reason?, reasonPolicyKind?, matchedSids?, message? }, skip?, only? }
 *
 * A policy `doc` is a full JSON document, or an array of statements (wrapped in Version 2012-10-17).
 * `principal` is a full principal object or one of the aliases below (the fixtures of reference/iam.md §8.1),
 * optionally as `{ "alias": "ml/s1", …overrides }`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.js';
import { compilePolicy } from './compile.js';
import { denialMessage } from './explain.js';
import type { AuthorizationRequest, PolicyKind, PolicyRef, RequestPrincipal } from './types.js';

type Doc = Record<string, unknown> | unknown[];

interface Vector {
  name: string;
  source: string;
  request: {
    principal: string | (Partial<RequestPrincipal> & { alias?: string });
    action: string;
    resource: string;
    resourceAccount?: string;
    context?: Record<string, string | string[]>;
  };
  policies: {
    identity?: Doc[];
    resource?: Doc;
    boundary?: Doc;
    session?: Doc[];
    scp?: (Doc | string)[][];
    rcp?: (Doc | string)[][];
  };
  options?: {
    resourcePolicyKind?: 'resource' | 'trust';
    resourcePolicyRequired?: boolean;
    principalIsManagementAccount?: boolean;
    resourceIsManagementAccount?: boolean;
    includePolicyArn?: boolean;
    quoteResource?: boolean;
  };
  expected: { decision: string; reason?: string; reasonPolicyKind?: string; matchedSids?: string[]; message?: string };
  skip?: boolean | string;
  only?: boolean;
}

const A = '111111111111';
const B = '222222222222';
const X = '333333333333';
const MGMT = '999999999999';

const ALIASES: Record<string, RequestPrincipal> = {
  'ml/s1': { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/ml/s1`, roleArn: `arn:aws:iam::${A}:role/ml`, accountId: A },
  'ml/s2': { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/ml/s2`, roleArn: `arn:aws:iam::${A}:role/ml`, accountId: A },
  alice: { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, uniqueId: 'AIDAEXAMPLEALICE0001' },
  'bob@B': { type: 'IAMUser', arn: `arn:aws:iam::${B}:user/bob`, accountId: B },
  'trainer/job1': {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${B}:assumed-role/trainer/job1`,
    roleArn: `arn:aws:iam::${B}:role/team/trainer`,
    accountId: B,
    uniqueId: 'AROAEXAMPLETRAINER01',
  },
  'partner/p1': { type: 'AssumedRole', arn: `arn:aws:sts::${X}:assumed-role/partner/p1`, roleArn: `arn:aws:iam::${X}:role/partner`, accountId: X },
  'root@A': { type: 'Root', arn: `arn:aws:iam::${A}:root`, accountId: A },
  'root@B': { type: 'Root', arn: `arn:aws:iam::${B}:root`, accountId: B },
  'fed@A': { type: 'FederatedUser', arn: `arn:aws:sts::${A}:federated-user/carol`, userArn: `arn:aws:iam::${A}:user/alice`, accountId: A },
  'admin/x@mgmt': { type: 'AssumedRole', arn: `arn:aws:sts::${MGMT}:assumed-role/admin/x`, roleArn: `arn:aws:iam::${MGMT}:role/admin`, accountId: MGMT },
  'slr@A': {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForAmazonSageMaker/SageMaker`,
    roleArn: `arn:aws:iam::${A}:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMaker`,
    accountId: A,
    isServiceLinkedRole: true,
  },
  sagemaker: { type: 'AWSService', arn: 'sagemaker.amazonaws.com', accountId: '', service: 'sagemaker.amazonaws.com' },
  anonymous: { type: 'Anonymous', arn: 'anonymous', accountId: '' },
};

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const RCP_FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

function principalOf(spec: Vector['request']['principal']): RequestPrincipal {
  if (typeof spec === 'string') {
    const p = ALIASES[spec];
    if (!p) throw new Error(`unknown principal alias ${spec}`);
    return p;
  }
  const { alias, ...rest } = spec;
  const base = alias !== undefined ? ALIASES[alias] : undefined;
  if (alias !== undefined && !base) throw new Error(`unknown principal alias ${alias}`);
  return { ...(base ?? { type: 'IAMUser', arn: '', accountId: '' }), ...rest } as RequestPrincipal;
}

function text(doc: Doc): string {
  return JSON.stringify(Array.isArray(doc) ? { Version: '2012-10-17', Statement: doc } : doc);
}

function ref(id: string, kind: PolicyKind, doc: Doc, awsManaged = false): PolicyRef {
  return { id, kind, policy: compilePolicy(text(doc), kind, { awsManaged, allowLegacyVersion: true }) };
}

function orgLevels(levels: (Doc | string)[][], kind: 'scp' | 'rcp'): PolicyRef[][] {
  const tag = kind === 'scp' ? 'service_control_policy' : 'resource_control_policy';
  return levels.map((level, li) =>
    level.map((d, pi) => {
      if (d === 'FullAWSAccess') return ref(`arn:aws:organizations::aws:policy/${tag}/p-FullAWSAccess`, kind, FULL_AWS_ACCESS, true);
      if (d === 'RCPFullAWSAccess') return ref(`arn:aws:organizations::aws:policy/${tag}/p-RCPFullAWSAccess`, kind, RCP_FULL_AWS_ACCESS, true);
      if (typeof d === 'string') throw new Error(`unknown org policy ${d}`);
      return ref(`arn:aws:organizations::${MGMT}:policy/o-a1b2c3d4e5/${tag}/p-l${li}x${pi}`, kind, d, kind === 'rcp');
    }),
  );
}

function buildRequest(v: Vector): AuthorizationRequest {
  const principal = principalOf(v.request.principal);
  const acct = principal.accountId || A;
  const o = v.options ?? {};
  const pol = v.policies;
  return {
    principal,
    action: v.request.action,
    resource: v.request.resource,
    ...(v.request.resourceAccount !== undefined ? { resourceAccount: v.request.resourceAccount } : {}),
    context: v.request.context ?? {},
    identityPolicies: (pol.identity ?? []).map((d, i) => ref(`arn:aws:iam::${acct}:policy/identity-${i}`, 'identity', d)),
    ...(pol.resource !== undefined ? { resourcePolicy: ref('resource-policy', o.resourcePolicyKind ?? 'resource', pol.resource) } : {}),
    ...(pol.boundary !== undefined ? { permissionsBoundary: ref(`arn:aws:iam::${acct}:policy/boundary`, 'boundary', pol.boundary) } : {}),
    ...(pol.session !== undefined ? { sessionPolicies: pol.session.map((d, i) => ref(`session-policy-${i}`, 'session', d)) } : {}),
    ...(pol.scp !== undefined ? { scps: orgLevels(pol.scp, 'scp') } : {}),
    ...(pol.rcp !== undefined ? { rcps: orgLevels(pol.rcp, 'rcp') } : {}),
    ...(o.resourcePolicyRequired !== undefined ? { resourcePolicyRequired: o.resourcePolicyRequired } : {}),
    ...(o.principalIsManagementAccount !== undefined ? { principalIsManagementAccount: o.principalIsManagementAccount } : {}),
    ...(o.resourceIsManagementAccount !== undefined ? { resourceIsManagementAccount: o.resourceIsManagementAccount } : {}),
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.json') ? [p] : [];
    });
}

const root = join(dirname(fileURLToPath(import.meta.url)), 'vectors');
const files = walk(root).map((file) => ({ file: relative(root, file), vectors: JSON.parse(readFileSync(file, 'utf8')) as Vector[] }));
const anyOnly = files.some((f) => f.vectors.some((v) => v.only));

describe('IAM vectors', () => {
  it('has at least 170 cases, each with a name and a source', () => {
    const all = files.flatMap((f) => f.vectors);
    expect(all.length).toBeGreaterThanOrEqual(170);
    for (const v of all) {
      expect(v.name, JSON.stringify(v).slice(0, 80)).toBeTruthy();
      expect(v.source, v.name).toMatch(/^https:\/\//);
    }
  });

  for (const { file, vectors } of files) {
    describe(file, () => {
      for (const v of vectors) {
        const run = v.skip || (anyOnly && !v.only) ? it.skip : it;
        run(v.name, () => {
          const req = buildRequest(v);
          const result = authorize(req);
          const why = JSON.stringify({ reason: result.reason, matched: result.matched, evaluated: result.evaluated });
          expect(result.decision, why).toBe(v.expected.decision);
          if (v.expected.reason !== undefined) expect(result.reason.kind, why).toBe(v.expected.reason);
          if (v.expected.reasonPolicyKind !== undefined) expect(result.reason.policyKind, why).toBe(v.expected.reasonPolicyKind);
          if (v.expected.matchedSids !== undefined) {
            const sids = result.matched.flatMap((m) => (m.sid !== undefined ? [m.sid] : [])).sort();
            expect(sids, why).toEqual([...v.expected.matchedSids].sort());
          }
          if (v.expected.message !== undefined) {
            const opts = v.options ?? {};
            const message = denialMessage(req, result, {
              ...(opts.includePolicyArn !== undefined ? { includePolicyArn: opts.includePolicyArn } : {}),
              ...(opts.quoteResource !== undefined ? { quoteResource: opts.quoteResource } : {}),
            });
            expect(message).toBe(v.expected.message);
          }
        });
      }
    });
  }
});
