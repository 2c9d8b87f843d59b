/**
 * IAM decision latency: p50/p99 over 100k `authorize()` calls for a realistic request — a role session with one
 * identity policy of five statements (wildcards, a condition, a policy variable, a Deny), a bucket policy, and a
 * two-level SCP chain (FullAWSAccess + a region guardrail at the root, an allow-list at the account).
 * Target: p99 < 20 µs. Run: `npx tsx bench/iam-decision.bench.ts` (prints JSON; writes nothing).
 */
import { pathToFileURL } from 'node:url';
import { authorize } from '../src/iam/authorize.js';
import { compilePolicy } from '../src/iam/compile.js';
import type { AuthorizationRequest, PolicyKind, PolicyRef } from '../src/iam/types.js';

const A = '111111111111';

function ref(id: string, kind: PolicyKind, statements: unknown[]): PolicyRef {
  return { id, kind, policy: compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind) };
}

export function buildRequest(): AuthorizationRequest {
  const identity = ref(`arn:aws:iam::${A}:policy/ml-engineer`, 'identity', [
    { Sid: 'Describe', Effect: 'Allow', Action: ['sagemaker:Describe*', 'sagemaker:List*'], Resource: '*' },
    {
      Sid: 'Train',
      Effect: 'Allow',
      Action: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
      Resource: `arn:aws:sagemaker:*:${A}:training-job/*`,
      Condition: { StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' } },
    },
    { Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::ml-data/${aws:PrincipalTag/team}/*' },
    { Sid: 'PassExec', Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${A}:role/ml-exec-*`, Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
    { Sid: 'NoDelete', Effect: 'Deny', Action: ['s3:DeleteObject*', 's3:DeleteBucket'], Resource: '*' },
  ]);
  const bucket = ref('bucket:ml-data', 'resource', [
    { Sid: 'Team', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/ml` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::ml-data/*' },
    { Sid: 'TLS', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::ml-data', 'arn:aws:s3:::ml-data/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ]);
  const fullAccess = ref('p-FullAWSAccess', 'scp', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
  const regionGuard = ref('p-region', 'scp', [
    { Effect: 'Deny', NotAction: ['iam:*', 'sts:*', 'organizations:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } },
  ]);
  const allowList = ref('p-allow', 'scp', [{ Effect: 'Allow', Action: ['s3:*', 'sagemaker:*', 'iam:PassRole', 'sts:*'], Resource: '*' }]);
  return {
    principal: { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/ml/s1`, roleArn: `arn:aws:iam::${A}:role/ml`, accountId: A },
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::ml-data/fraud/train.csv',
    resourceAccount: A,
    context: {
      'aws:PrincipalArn': `arn:aws:iam::${A}:role/ml`,
      'aws:PrincipalAccount': A,
      'aws:PrincipalTag/team': 'fraud',
      'aws:RequestedRegion': 'us-east-1',
      'aws:SecureTransport': 'true',
      'aws:SourceIp': '10.1.2.3',
      'aws:CurrentTime': '2026-03-01T12:00:00Z',
      'aws:EpochTime': '1772366400',
      'aws:userid': 'AROAEXAMPLEML0000001:s1',
      'aws:PrincipalType': 'AssumedRole',
      'aws:ViaAWSService': 'false',
      'aws:MultiFactorAuthPresent': 'false',
    },
    identityPolicies: [identity],
    resourcePolicy: bucket,
    scps: [[fullAccess, regionGuard], [allowList]],
  };
}

export function runIamDecisionBench(n = 100_000): { n: number; p50_us: number; p99_us: number; mean_us: number; max_us: number; decision: string } {
  const req = buildRequest();
  const decision = authorize(req).decision;
  if (decision !== 'Allow') throw new Error(`bench request should be allowed, got ${decision}`);
  for (let i = 0; i < 20_000; i++) authorize(req);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    authorize(req);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 100) / 100;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  return { n, p50_us: at(0.5), p99_us: at(0.99), mean_us: Math.round(mean * 100) / 100, max_us: Math.round(sorted[n - 1]! * 100) / 100, decision };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify({ bench: 'iam-decision', node: process.version, target_p99_us: 20, ...runIamDecisionBench() }));
}
