import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import type { AuthzRequest } from '../../core/service.js';
import { normalizeContext } from '../../iam/context.js';
import { conditionContext, PrincipalConditions, RequestConditions, type ContextFacts } from './condition-context.js';

const base: RequestContext = {
  requestId: 'r',
  service: 's3',
  operation: 'GetObject',
  region: 'eu-west-1',
  accountId: '444444444444',
  sourceIp: '::ffff:10.1.2.3',
  userAgent: 'aws-cli/2',
  now: Date.UTC(2026, 10, 29, 12, 0, 0),
  secureTransport: false,
  principal: {
    type: 'AssumedRole',
    accountId: '444444444444',
    arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/alice',
    userId: 'AROAEXAMPLE:alice',
    name: 'DataScientist',
    roleArn: 'arn:aws:iam::444444444444:role/DataScientist',
    sessionTags: [{ key: 'team', value: 'ds1', transitive: true }],
    sourceIdentity: 'alice',
    sessionIssuedAt: Date.UTC(2026, 10, 29, 11, 0, 0),
  },
};

describe('global condition keys', () => {
  it('fills the principal, organization, request and resource keys', () => {
    const c = conditionContext(base, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 's3:prefix': 'x/' } }, {
      principalTags: { team: 'role-tag', cost: 'ml' },
      orgId: 'o-mlzone0001',
      orgPath: 'o-mlzone0001/r-mlz0/ou-a/ou-b/',
      resourceAccount: '333333333333',
      resourceOrgId: 'o-mlzone0001',
      resourceTags: { classification: 'curated' },
    });
    expect(c).toMatchObject({
      'aws:PrincipalArn': 'arn:aws:iam::444444444444:role/DataScientist',
      'aws:PrincipalAccount': '444444444444',
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': 'AROAEXAMPLE:alice',
      'aws:PrincipalOrgID': 'o-mlzone0001',
      'aws:PrincipalOrgPaths': ['o-mlzone0001/r-mlz0/ou-a/ou-b/'],
      'aws:PrincipalTag/team': 'ds1',
      'aws:PrincipalTag/cost': 'ml',
      'aws:SourceIdentity': 'alice',
      'aws:SourceIp': '10.1.2.3',
      'aws:RequestedRegion': 'eu-west-1',
      'aws:CurrentTime': '2026-11-29T12:00:00Z',
      'aws:EpochTime': String(Date.UTC(2026, 10, 29, 12) / 1000),
      'aws:SecureTransport': 'false',
      'aws:ResourceAccount': '333333333333',
      'aws:ResourceOrgID': 'o-mlzone0001',
      'aws:ResourceTag/classification': 'curated',
      'aws:PrincipalIsAWSService': 'false',
      'aws:ViaAWSService': 'false',
      's3:prefix': 'x/',
    });
    expect(c['aws:username']).toBeUndefined();
    expect(c['iam:ResourceTag/classification']).toBeUndefined();
  });

  it('describes a service acting on a principal’s behalf', () => {
    const c = conditionContext(
      {
        ...base,
        sourceIp: 'sagemaker.amazonaws.com',
        principal: { type: 'AWSService', accountId: '', arn: 'sagemaker.amazonaws.com', userId: 'sagemaker.amazonaws.com', service: 'sagemaker.amazonaws.com' },
        via: { sourceArn: 'arn:aws:sagemaker:us-east-1:444444444444:training-job/t', sourceAccount: '444444444444', calledVia: ['sagemaker.amazonaws.com'] },
      },
      { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444444444444:role/X' },
      { principalTags: {}, resourceAccount: '444444444444', resourceTags: { team: 'ds1' } },
    );
    expect(c).toMatchObject({
      'aws:PrincipalIsAWSService': 'true',
      'aws:PrincipalServiceName': 'sagemaker.amazonaws.com',
      'aws:SourceArn': 'arn:aws:sagemaker:us-east-1:444444444444:training-job/t',
      'aws:SourceAccount': '444444444444',
      'aws:CalledVia': ['sagemaker.amazonaws.com'],
      'aws:ViaAWSService': 'true',
      'aws:ResourceTag/team': 'ds1',
      'iam:ResourceTag/team': 'ds1',
    });
    expect(c['aws:SourceIp']).toBeUndefined();
    expect(c['aws:PrincipalArn']).toBeUndefined();
  });

  it('names IAM users with aws:username', () => {
    const c = conditionContext(
      { ...base, principal: { type: 'IAMUser', accountId: '444444444444', arn: 'arn:aws:iam::444444444444:user/bob', userId: 'AIDAEXAMPLE', name: 'bob' } },
      { action: 'iam:GetUser', resource: 'arn:aws:iam::444444444444:user/bob' },
      { principalTags: {}, resourceAccount: '444444444444' },
    );
    expect(c).toMatchObject({ 'aws:username': 'bob', 'aws:PrincipalType': 'User', 'aws:PrincipalArn': 'arn:aws:iam::444444444444:user/bob' });
  });

  // The engine reads keys through RequestConditions (computed when asked); explanations list conditionContext. Both
  // must give the same answer for every key, present or absent.
  describe('the per-key form agrees with the record', () => {
    const service = { type: 'AWSService', accountId: '', arn: 'sagemaker.amazonaws.com', userId: 'sagemaker.amazonaws.com', service: 'sagemaker.amazonaws.com' } as const;
    const cases: Array<[string, RequestContext, AuthzRequest, ContextFacts]> = [
      ['a role session reading S3', base, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 's3:prefix': 'x/', 'aws:SecureTransport': 'declared' } }, {
        principalTags: { team: 'role-tag', Cost: 'ml' }, orgId: 'o-1', orgPath: 'o-1/r-1/ou-a/', resourceAccount: '333333333333', resourceOrgId: 'o-1', resourceTags: { Classification: 'curated' },
      }],
      ['a service on a principal’s behalf, IAM resource', { ...base, sourceIp: 'sagemaker.amazonaws.com', userAgent: '', principal: service, via: { sourceArn: 'arn:aws:sagemaker:us-east-1:1:training-job/t', sourceAccount: '444444444444', calledVia: ['sagemaker.amazonaws.com', 'athena.amazonaws.com'] } },
        { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444444444444:role/X' }, { principalTags: {}, resourceAccount: '444444444444', resourceTags: { Team: 'ds1' } }],
      ['an IAM user over IPv6, no tags', { ...base, sourceIp: '::1', secureTransport: true, principal: { type: 'IAMUser', accountId: '444444444444', arn: 'arn:aws:iam::444444444444:user/bob', userId: 'AIDA1', name: 'bob' } },
        { action: 'iam:GetUser', resource: '*' }, { principalTags: {}, resourceAccount: '444444444444' }],
    ];
    const absent = ['aws:sourceip', 'aws:useragent', 'aws:resourceorgid', 'aws:sourcearn', 'aws:sourceaccount', 'aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast',
      'aws:resourcetag/none', 'iam:resourcetag/classification', 'aws:principaltag/none', 'aws:username', 'aws:principalorgid', 'aws:tokenissuetime', 's3:prefix', 'aws:principalarn'];
    it.each(cases)('%s', (_name, ctx, req, facts) => {
      const record = normalizeContext(conditionContext(ctx, req, facts)) as Map<string, unknown>;
      const lazy = new RequestConditions(new PrincipalConditions(ctx.principal, facts), ctx, req, facts);
      expect(record.size).toBeGreaterThan(8);
      for (const [key, value] of record) expect([key, lazy.get(key)]).toEqual([key, value]);
      for (const key of absent) expect([key, lazy.get(key)]).toEqual([key, record.get(key)]);
      expect(lazy.toRecord()).toEqual(conditionContext(ctx, req, facts));
    });
  });
});
