/**
 * What a kept denial costs and what it still explains. The IAM authorizer's denials go into the decision log as a
 * running server keeps them (10,000 at most); each must hold little of the heap — the facts `explain` renders, with
 * the policies shared — and `GET /_mlzone/explain/<id>` must render what it would have rendered when the call was
 * decided, after the authorizer has moved on (new policies, caches cleared).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../core/context.js';
import type { Principal } from '../core/principal.js';
import { createIamAuthorizer, type DecisionDetail } from '../gateway/enforce/iam-authorizer.js';
import type { PolicySources, StoredPolicy } from '../gateway/enforce/policy-sources.js';
import type { WireRequest } from '../core/wire.js';
import { explain } from '../iam/explain.js';
import { adminEndpoints } from './admin.js';
import { createDecisionLog } from './decisions.js';

const ACCOUNT = '444444444444';
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const READ_ONLY = doc([{ Sid: 'Reads', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 's3:List*'], Resource: '*' }]);
const FULL_ACCESS = doc([{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }]);
const NO_PROD = doc([{ Sid: 'NoProductionRoles', Effect: 'Deny', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::777777777777:role/*' }]);

function sources(state: { generation: number; identity: StoredPolicy[] }): PolicySources {
  return {
    identityPolicies: async () => state.identity,
    permissionsBoundary: async () => undefined,
    managedPolicy: async () => undefined,
    principalTags: async () => ({ team: 'ds1' }),
    resourcePolicy: async () => undefined,
    resourceTags: async () => undefined,
    generation: () => state.generation,
    coversResource: () => false,
    organization: {
      managementAccountId: async () => '111111111111',
      orgId: async () => 'o-mlzone0001',
      orgPath: async () => 'o-mlzone0001/r-root/ou-dev/',
      inOrganization: async () => true,
      policiesFor: async (_account, type) =>
        type === 'SERVICE_CONTROL_POLICY'
          ? [[{ id: 'p-FullAWSAccess', document: FULL_ACCESS }], [{ id: 'p-dev', document: NO_PROD }, { id: 'p-FullAWSAccess', document: FULL_ACCESS }]]
          : [],
    },
  };
}

const principal: Principal = {
  type: 'AssumedRole',
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/soak`,
  userId: 'AROAREADONLY:soak',
  name: 'ReadOnly',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/ReadOnly`,
  roleId: 'AROAREADONLY',
  sessionName: 'soak',
};

// What the gateway builds per request: fresh strings, as parsed from a socket and headers.
const ctxOf = (i: number): RequestContext => ({
  requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  service: 'iam',
  operation: 'CreateRole',
  region: 'us-east-1',
  principal,
  accountId: ACCOUNT,
  sourceIp: ['127', '0', '0', String(1 + (i % 200))].join('.'),
  userAgent: `aws-sdk-js/3.1168.0 ua/2.1 os/linux#6.18 lang/js md/nodejs#20.20.2 api/iam#3.1168.0 m/N,E req/${i}`,
  now: Date.UTC(2026, 11, 6, 12) + i,
  secureTransport: false,
});
const createRole = (i: number) => [{ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/soak-${i}` }];

async function explained(admin: ReturnType<typeof adminEndpoints>, requestId: string): Promise<unknown> {
  const res = await admin({ method: 'GET', path: `/_mlzone/explain/${requestId}`, query: [], headers: {} } as unknown as WireRequest, `/_mlzone/explain/${requestId}`);
  expect(res?.status).toBe(200);
  return JSON.parse(String(res!.body));
}

describe('kept denials', () => {
  it('explain renders a kept denial as it was decided, after the policies and the caches changed', async () => {
    const state = { generation: 1, identity: [{ id: `arn:aws:iam::aws:policy/ReadOnlyAccess`, document: READ_ONLY }] };
    const authorizer = createIamAuthorizer(sources(state));
    const decisions = createDecisionLog();
    const admin = adminEndpoints({ decisions } as unknown as Parameters<typeof adminEndpoints>[0]);
    const expected: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const ctx = ctxOf(i);
      const record = await authorizer.authorize(ctx, createRole(i), 'query');
      decisions.keep(ctx.requestId, ctx, record!);
      // What explain showed at that moment, built the way it was before denials were kept compact.
      const details = record!.details as DecisionDetail[];
      expected.push({
        requestId: ctx.requestId,
        time: new Date(ctx.now).toISOString(),
        call: 'iam:CreateRole',
        principal: principal.arn,
        verdict: 'ImplicitDeny',
        message: record!.error!.message,
        checks: details.map((d) => ({ ...explain(d.request, d.result), context: d.context })),
      });
    }
    expect((expected[0] as { message: string }).message).toBe(
      `User: ${principal.arn} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${ACCOUNT}:role/soak-0 because no identity-based policy allows the iam:CreateRole action`,
    );
    // The principal's policies change (and with them the generation): later calls are allowed, kept ones are not rewritten.
    state.identity = [{ id: 'admin', document: FULL_ACCESS }];
    state.generation++;
    const later = ctxOf(99);
    expect((await authorizer.authorize(later, createRole(99), 'query'))!.decision).toBe('Allow');
    for (let i = 0; i < 3; i++) expect(await explained(admin, ctxOf(i).requestId)).toEqual(JSON.parse(JSON.stringify(expected[i])));
  });

  it('each holds little of the heap: 5,000 denials on new resource names retain under 1.5 KB each', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const state = { generation: 1, identity: [{ id: `arn:aws:iam::aws:policy/ReadOnlyAccess`, document: READ_ONLY }] };
    const authorizer = createIamAuthorizer(sources(state));
    const decisions = createDecisionLog();
    // Warm: the principal, the account and the compiled policies are gathered once and shared by every decision.
    for (let i = 0; i < 50; i++) await authorizer.authorize(ctxOf(i), createRole(i), 'query');
    const N = 5000;
    const before = settle();
    for (let i = 1000; i < 1000 + N; i++) {
      const ctx = ctxOf(i);
      decisions.keep(ctx.requestId, ctx, (await authorizer.authorize(ctx, createRole(i), 'query'))!);
    }
    const perDenial = (settle() - before) / N;
    // Each kept: its request context and declared request (fresh strings: id, address, user agent, resource ARN),
    // the decision's few fields; the result, the policies and the principal are shared. Before: ~2.8 KB (the
    // AccessDenied error and its captured stack, the engine's request and condition lookup, a result per request).
    expect(perDenial).toBeLessThan(1500);
    expect(decisions.lastDenied()?.requestId).toBe(ctxOf(1000 + N - 1).requestId);
  });
});
