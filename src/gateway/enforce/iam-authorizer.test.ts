/**
 * The authorizer keeps what it gathered (principal, account, resource) while `generation()` is unchanged. These
 * tests pin down when that reuse is allowed: never across a generation change, never for a resource the generation
 * does not cover, never from one session to another that shares its ARN.
 */
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import type { Principal } from '../../core/principal.js';
import { createIamAuthorizer, type DecisionDetail } from './iam-authorizer.js';
import type { PolicySources, StoredPolicy } from './policy-sources.js';

const ACCOUNT = '444444444444';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Target`;
const BUCKET_ARN = 'arn:aws:s3:::lake';
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function fakeSources() {
  const state = {
    generation: 1,
    identity: [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: ['iam:GetRole', 's3:GetBucketTagging'], Resource: '*' }]) }] as StoredPolicy[],
    roleTags: { stage: 'dev' } as Record<string, string>,
    bucketPolicy: undefined as string | undefined,
    calls: { identity: 0, resourcePolicy: 0, resourceTags: 0 },
  };
  const sources: PolicySources = {
    identityPolicies: async () => (state.calls.identity++, state.identity),
    permissionsBoundary: async () => undefined,
    managedPolicy: async () => undefined,
    principalTags: async () => ({}),
    resourcePolicy: async (arn) => {
      state.calls.resourcePolicy++;
      return arn === BUCKET_ARN && state.bucketPolicy ? { id: BUCKET_ARN, document: state.bucketPolicy, kind: 'resource' } : undefined;
    },
    resourceTags: async (arn) => (state.calls.resourceTags++, arn === ROLE_ARN ? { ...state.roleTags } : undefined),
    generation: () => state.generation,
    coversResource: (arn) => !arn.startsWith('arn:aws:s3:::'),
    organization: {
      managementAccountId: async () => undefined,
      orgId: async () => undefined,
      orgPath: async () => undefined,
      inOrganization: async () => false,
      policiesFor: async () => [],
    },
  };
  return { state, sources };
}

const session = (tags: Record<string, string> = {}): Principal => ({
  type: 'AssumedRole',
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Caller/s`,
  userId: 'AROACALLER:s',
  name: 'Caller',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/Caller`,
  sessionName: 's',
  sessionTags: Object.entries(tags).map(([key, value]) => ({ key, value, transitive: false })),
});

const ctxOf = (principal: Principal): RequestContext => ({
  requestId: 'r',
  service: 'iam',
  operation: 'GetRole',
  region: 'us-east-1',
  principal,
  accountId: principal.accountId,
  sourceIp: '127.0.0.1',
  userAgent: 'test',
  now: Date.UTC(2026, 10, 29),
  secureTransport: false,
});

async function decision(authorizer: ReturnType<typeof createIamAuthorizer>, principal: Principal, action: string, resource: string) {
  const record = await authorizer.authorize(ctxOf(principal), [{ action, resource }], 'query');
  return { decision: record!.decision, detail: (record!.details as DecisionDetail[])[0]! };
}

describe('IAM authorizer reuse', () => {
  it('asks the sources once per generation for a principal and an IAM resource', async () => {
    const { state, sources } = fakeSources();
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    for (let i = 0; i < 3; i++) expect((await decision(authorizer, p, 'iam:GetRole', ROLE_ARN)).decision).toBe('Allow');
    expect(state.calls).toEqual({ identity: 1, resourcePolicy: 1, resourceTags: 1 });

    // An IAM write: the identity policy now denies. The next decision sees it.
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Deny', Action: 'iam:GetRole', Resource: '*' }]) }];
    state.generation++;
    expect((await decision(authorizer, p, 'iam:GetRole', ROLE_ARN)).decision).toBe('ExplicitDeny');
    expect(state.calls).toEqual({ identity: 2, resourcePolicy: 2, resourceTags: 2 });
  });

  it('sees changed resource tags after the generation changes, not before', async () => {
    const { state, sources } = fakeSources();
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/stage': 'dev' } } }]) }];
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    expect((await decision(authorizer, p, 'iam:GetRole', ROLE_ARN)).decision).toBe('Allow');
    state.roleTags = { stage: 'prod' };
    state.generation++;
    const after = await decision(authorizer, p, 'iam:GetRole', ROLE_ARN);
    expect(after.decision).toBe('ImplicitDeny');
    expect(after.detail.context['aws:ResourceTag/stage']).toBe('prod');
  });

  it('asks for an uncovered resource (a bucket) on every request', async () => {
    const { state, sources } = fakeSources();
    state.identity = [];
    state.bucketPolicy = doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Caller` }, Action: 's3:GetBucketTagging', Resource: BUCKET_ARN }]);
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    expect((await decision(authorizer, p, 's3:GetBucketTagging', BUCKET_ARN)).decision).toBe('Allow');
    // The bucket policy changes without any IAM write (generation unchanged): the next request must see it.
    state.bucketPolicy = doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: BUCKET_ARN }]);
    expect((await decision(authorizer, p, 's3:GetBucketTagging', BUCKET_ARN)).decision).toBe('ExplicitDeny');
    expect(state.calls.resourcePolicy).toBe(2);
  });

  it('keeps what it derived per session: another session with the same ARN has its own tags', async () => {
    const { state, sources } = fakeSources();
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ds1' } } }]) }];
    const authorizer = createIamAuthorizer(sources);
    const ds1 = await decision(authorizer, session({ team: 'ds1' }), 'iam:GetRole', ROLE_ARN);
    const other = await decision(authorizer, session({ team: 'other' }), 'iam:GetRole', ROLE_ARN);
    expect([ds1.decision, other.decision]).toEqual(['Allow', 'ImplicitDeny']);
    expect(other.detail.context['aws:PrincipalTag/team']).toBe('other');
  });

  it('reuses a decision only while every condition key it read is unchanged', async () => {
    const { state, sources } = fakeSources();
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]) }];
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    const from = async (sourceIp: string) => {
      const record = await authorizer.authorize({ ...ctxOf(p), sourceIp }, [{ action: 'iam:GetRole', resource: ROLE_ARN }], 'query');
      return record!.decision;
    };
    expect([await from('10.1.1.1'), await from('10.2.2.2'), await from('192.168.1.1'), await from('10.3.3.3'), await from('::ffff:192.168.1.1')]).toEqual([
      'Allow',
      'Allow',
      'ImplicitDeny',
      'Allow',
      'ImplicitDeny',
    ]);
  });

  it('does not hand one resource or action the decision of another', async () => {
    const { state, sources } = fakeSources();
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: ROLE_ARN }]) }];
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    const other = `arn:aws:iam::${ACCOUNT}:role/Other`;
    const decisions = [];
    for (const [action, resource] of [['iam:GetRole', ROLE_ARN], ['iam:GetRole', other], ['iam:DeleteRole', ROLE_ARN], ['iam:GetRole', ROLE_ARN]] as const) {
      decisions.push((await decision(authorizer, p, action, resource)).decision);
    }
    expect(decisions).toEqual(['Allow', 'ImplicitDeny', 'ImplicitDeny', 'Allow']);
  });

  it('builds the request keys per request: time and source address', async () => {
    const { sources } = fakeSources();
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    const first = await authorizer.authorize(ctxOf(p), [{ action: 'iam:GetRole', resource: ROLE_ARN }], 'query');
    const later = await authorizer.authorize({ ...ctxOf(p), now: Date.UTC(2026, 10, 29, 0, 0, 5), sourceIp: '::ffff:10.0.0.9' }, [{ action: 'iam:GetRole', resource: ROLE_ARN }], 'query');
    const ctx = (r: typeof first) => (r!.details as DecisionDetail[])[0]!.context;
    expect(ctx(first)).toMatchObject({ 'aws:CurrentTime': '2026-11-29T00:00:00Z', 'aws:SourceIp': '127.0.0.1' });
    expect(ctx(later)).toMatchObject({ 'aws:CurrentTime': '2026-11-29T00:00:05Z', 'aws:EpochTime': String(Date.UTC(2026, 10, 29, 0, 0, 5) / 1000), 'aws:SourceIp': '10.0.0.9' });
  });

  it('answers without a promise once everything is gathered, with the same decision and the same explanation', async () => {
    const { state, sources } = fakeSources();
    state.identity = [{ id: 'identity', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/stage': 'dev' } } }]) }];
    const authorizer = createIamAuthorizer(sources);
    const p = session();
    const request = [{ action: 'iam:GetRole', resource: ROLE_ARN }];
    const pending = authorizer.authorize(ctxOf(p), request, 'query');
    expect(pending).toBeInstanceOf(Promise);
    const first = await pending;
    const second = authorizer.authorize({ ...ctxOf(p), sourceIp: '10.0.0.9' }, request, 'query');
    expect(second).not.toBeInstanceOf(Promise);
    const [a, b] = [first!, (await second)!].map((r) => (r.details as DecisionDetail[])[0]!);
    expect([a!.result.decision, b!.result.decision]).toEqual(['Allow', 'Allow']);
    // Kept decisions rebuild the engine's request from what they were decided with, this request's keys included.
    expect([b!.request.action, b!.request.resource, b!.request.identityPolicies.map((x) => x.id)]).toEqual(['iam:GetRole', ROLE_ARN, ['identity']]);
    expect(b!.context).toMatchObject({ 'aws:SourceIp': '10.0.0.9', 'aws:ResourceTag/stage': 'dev' });
    expect(b!.policies.map((x) => x.id)).toEqual(['identity']);
    // A write anywhere in IAM or Organizations: gathered again, with a promise.
    state.generation++;
    expect(authorizer.authorize(ctxOf(p), request, 'query')).toBeInstanceOf(Promise);
  });
});
