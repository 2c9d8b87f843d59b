/**
 * Cross-check with botocore (boto3 and the AWS CLI use it): botocore's serializers produce the requests our
 * codecs parse, and botocore's parsers read what our codecs serialize. Skipped when python3 with botocore
 * is not installed.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import type { WireRequest } from '../../core/wire.js';
import { createModelRegistry } from '../../spec/load.js';
import { codecFor } from '../codec.js';
import { tag, untag } from '../vectors/runner.js';

const bridge = join(dirname(fileURLToPath(import.meta.url)), 'bridge.py');
const hasBotocore = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' }).status === 0;
const registry = createModelRegistry();

interface Task {
  kind: 'request' | 'response';
  service: string;
  operation: string;
  params?: unknown;
  status?: number;
  headers?: Record<string, string>;
  body_b64?: string;
}

function runBridge(tasks: Task[]): any[] {
  const r = spawnSync('python3', [bridge], { input: JSON.stringify(tasks), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as any[];
}

interface Case {
  name: string;
  service: string;
  operation: string;
  params: Record<string, unknown>;
  /** Expected parse result; defaults to `params`. */
  expectInput?: Record<string, unknown>;
  output: Record<string, unknown> | AwsError;
  /** Expected botocore result; defaults to `output`. */
  expectParsed?: Record<string, unknown>;
}

const d = (iso: string) => ({ $date: iso });
const cases: Case[] = [
  {
    name: 'STS AssumeRole',
    service: 'sts',
    operation: 'AssumeRole',
    params: { RoleArn: 'arn:aws:iam::111122223333:role/R', RoleSessionName: 'sess', Tags: [{ Key: 'k', Value: 'v w' }], TransitiveTagKeys: ['k'] },
    output: {
      Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: d('2030-01-02T03:04:05.000Z') },
      AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::111122223333:assumed-role/R/s' },
    },
  },
  {
    name: 'IAM CreateRole with an empty tag list',
    service: 'iam',
    operation: 'CreateRole',
    params: { RoleName: 'r', AssumeRolePolicyDocument: '{"Version":"2012-10-17"}', Tags: [] },
    output: { Role: { Path: '/', RoleName: 'r', RoleId: 'AROA', Arn: 'arn:aws:iam::1:role/r', CreateDate: d('2024-01-01T00:00:00.000Z'), Tags: [{ Key: 'a', Value: 'b' }] } },
  },
  {
    name: 'IAM GetRole → NoSuchEntity',
    service: 'iam',
    operation: 'GetRole',
    params: { RoleName: 'ghost' },
    output: new AwsError('NoSuchEntity', 'The role with name ghost cannot be found.', { status: 404 }),
    expectParsed: { Error: { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The role with name ghost cannot be found.' } },
  },
  {
    name: 'CloudTrail LookupEvents (long X-Amz-Target)',
    service: 'cloudtrail',
    operation: 'LookupEvents',
    params: { StartTime: d('2024-01-01T00:00:00.000Z'), LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] },
    output: { Events: [{ EventId: 'e', EventTime: d('2024-01-01T00:00:01.500Z') }], NextToken: 'n' },
  },
  {
    name: 'ECR DescribeRepositories → RepositoryNotFoundException',
    service: 'ecr',
    operation: 'DescribeRepositories',
    params: { repositoryNames: ['ml/train'] },
    output: new AwsError('RepositoryNotFoundException', 'not found'),
    expectParsed: { Error: { Code: 'RepositoryNotFoundException', Message: 'not found' } },
  },
  {
    name: 'S3 PutObject',
    service: 's3',
    operation: 'PutObject',
    params: { Bucket: 'ml-data', Key: 'a b/ü+x.bin', Body: { $base64: 'AAEC/w==' }, Metadata: { owner: 'ds1' }, ContentType: 'application/x-thing' },
    output: { ETag: '"e"', VersionId: 'v1' },
  },
  {
    name: 'S3 ListObjectsV2',
    service: 's3',
    operation: 'ListObjectsV2',
    params: { Bucket: 'ml-data', Prefix: 'p/', MaxKeys: 2 },
    output: { Name: 'ml-data', KeyCount: 1, IsTruncated: false, Contents: [{ Key: 'p/a&b', Size: 3, LastModified: d('2024-01-01T00:00:00.000Z') }] },
  },
  {
    name: 'S3 GetObject with metadata',
    service: 's3',
    operation: 'GetObject',
    params: { Bucket: 'ml-data', Key: 'k' },
    output: { Body: { $base64: 'aGk=' }, ContentLength: 2, LastModified: d('2024-01-01T00:00:00.000Z'), Metadata: { owner: 'ds1' }, ETag: '"x"' },
  },
  {
    name: 'S3 DeleteObjects (flattened <Object> list in an XML payload)',
    service: 's3',
    operation: 'DeleteObjects',
    params: { Bucket: 'ml-data', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }], Quiet: true } },
    output: { Deleted: [{ Key: 'a' }], Errors: [{ Key: 'b', Code: 'AccessDenied', Message: 'Access Denied' }] },
  },
  {
    name: 'S3 GetObject → NoSuchKey',
    service: 's3',
    operation: 'GetObject',
    params: { Bucket: 'ml-data', Key: 'nope' },
    output: new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: 'nope' } }),
    expectParsed: { Error: { Code: 'NoSuchKey', Message: 'The specified key does not exist.', Key: 'nope' } },
  },
];

describe.skipIf(!hasBotocore)('botocore cross-check', () => {
  let requests: any[] = [];
  let parsed: any[] = [];
  const inputs: Record<string, unknown>[] = [];

  beforeAll(() => {
    requests = runBridge(cases.map((c) => ({ kind: 'request', service: c.service, operation: c.operation, params: c.params })));
    const responses: Task[] = cases.map((c, i) => {
      const model = registry.get(c.service);
      const codec = codecFor(model);
      const r = requests[i];
      const q = String(r.url_path).indexOf('?');
      const rawPath = q < 0 ? r.url_path : r.url_path.slice(0, q);
      const literal: Array<[string, string]> = q < 0 ? [] : r.url_path.slice(q + 1).split('&').map((p: string) => {
        const [k, v = ''] = p.split('=');
        return [decodeURIComponent(k), decodeURIComponent(v)];
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers as Record<string, string>)) headers[k.toLowerCase()] = v;
      const query = [...literal, ...(r.query as Array<[string, string]>)];
      const wire: WireRequest = { method: r.method, rawPath, rawQuery: '', query, headers, body: Buffer.from(r.body_b64, 'base64') };
      const op = codec.resolveOperation(wire, model);
      if (op?.name !== c.operation) throw new Error(`${c.name}: resolved ${op?.name}`);
      inputs[i] = codec.parse(wire, model, op);
      const res =
        c.output instanceof AwsError
          ? codec.serializeError(model, op, c.output, 'REQID')
          : codec.serialize(model, op, untag(c.output), 'REQID');
      const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
      return { kind: 'response', service: c.service, operation: c.operation, status: res.status, headers: res.headers, body_b64: body.toString('base64') };
    });
    parsed = runBridge(responses);
  });

  cases.forEach((c, i) => {
    it(c.name, () => {
      expect(tag(inputs[i])).toEqual(c.expectInput ?? c.params);
      const expected = c.expectParsed ?? c.output;
      expect(parsed[i]).toMatchObject(expected as Record<string, unknown>);
    });
  });
});
