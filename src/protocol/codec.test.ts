import { describe, expect, it } from 'vitest';
import { AwsError } from '../core/errors.js';
import type { WireRequest } from '../core/wire.js';
import { buildServiceModel, createModelRegistry } from '../spec/load.js';
import { codecFor, codecForRequest, protocolOf } from './codec.js';

const registry = createModelRegistry();

function req(init: Partial<WireRequest>): WireRequest {
  return { method: 'POST', rawPath: '/', rawQuery: '', query: [], headers: {}, body: Buffer.alloc(0), ...init };
}

describe('codecFor', () => {
  it('picks the protocol of each model', () => {
    expect(['sts', 'iam', 'organizations', 'cloudtrail', 's3', 'ecr'].map((s) => codecFor(registry.get(s)).protocol)).toEqual([
      'query',
      'query',
      'json',
      'json',
      'rest-xml',
      'json',
    ]);
  });

  it('defaults to the first listed protocol (CBOR), answers each request in its own, and honours a forced one', () => {
    const model = buildServiceModel('cw', {
      metadata: { apiVersion: '2010-08-01', endpointPrefix: 'monitoring', protocol: 'smithy-rpc-v2-cbor', protocols: ['smithy-rpc-v2-cbor', 'json', 'query'], serviceId: 'CloudWatch' },
      operations: {},
      shapes: {},
    });
    expect(protocolOf(model)).toBe('smithy-rpc-v2-cbor');
    expect(codecFor(model, { protocol: 'query' }).protocol).toBe('query');
    const base = codecFor(model);
    const req = (headers: Record<string, string>, body = '') => ({ method: 'POST', rawPath: '/', rawQuery: '', query: [], headers, body: Buffer.from(body) });
    expect(codecForRequest(model, req({ 'smithy-protocol': 'rpc-v2-cbor' }), base).protocol).toBe('smithy-rpc-v2-cbor');
    expect(codecForRequest(model, req({ 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' }), base).protocol).toBe('json');
    expect(codecForRequest(model, req({ 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ListMetrics'), base).protocol).toBe('query');
  });

  it('lets an override replace or post-process one operation', () => {
    const s3 = registry.get('s3');
    const codec = codecFor(s3, {
      overrides: {
        GetBucketLocation: (output, _id, next) => {
          const res = next({});
          return { ...res, body: `<LocationConstraint>${String((output as { LocationConstraint?: string }).LocationConstraint)}</LocationConstraint>` };
        },
      },
    });
    const res = codec.serialize(s3, s3.operations.GetBucketLocation, { LocationConstraint: 'eu-west-1' }, 'r');
    expect(res.body).toBe('<LocationConstraint>eu-west-1</LocationConstraint>');
    expect(res.headers['x-amz-request-id']).toBe('r');
    expect(String(codec.serialize(s3, s3.operations.ListBuckets, { Buckets: [] }, 'r').body)).toContain('<Buckets></Buckets>');
  });

  it('renames restXml document elements per operation', () => {
    const s3 = registry.get('s3');
    const codec = codecFor(s3, { xmlRootNames: { ListObjectsV2: 'ListBucketResult' } });
    expect(String(codec.serialize(s3, s3.operations.ListObjectsV2, { Name: 'b' }, 'r').body)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name></ListBucketResult>',
    );
    expect(String(codec.serialize(s3, s3.operations.ListBuckets, {}, 'r').body)).toContain('<ListBucketsOutput ');
  });
});

describe('unreadable requests become AwsErrors', () => {
  it('unknown operations resolve to undefined', () => {
    const iam = registry.get('iam');
    expect(codecFor(iam).resolveOperation(req({ body: Buffer.from('Action=Nope&Version=2010-05-08') }), iam)).toBeUndefined();
    expect(codecFor(iam).resolveOperation(req({ body: Buffer.from('Version=1') }), iam)).toBeUndefined();
    const ecr = registry.get('ecr');
    expect(codecFor(ecr).resolveOperation(req({ headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.toString' } }), ecr)).toBeUndefined();
    const s3 = registry.get('s3');
    expect(codecFor(s3).resolveOperation(req({ method: 'PATCH', rawPath: '/b' }), s3)).toBeUndefined();
  });

  it('JSON: bad JSON and wrong types are SerializationException', () => {
    const ecr = registry.get('ecr');
    const op = ecr.operations.DescribeRepositories;
    const parse = (body: string) => codecFor(ecr).parse(req({ body: Buffer.from(body) }), ecr, op);
    for (const body of ['{', '[]', '{"repositoryNames":"x"}', '{"maxResults":"5"}', '{"maxResults":1.5}']) {
      const e = (() => {
        try {
          parse(body);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e, body).toBeInstanceOf(AwsError);
      expect((e as AwsError).code).toBe('SerializationException');
    }
  });

  it('query: bad numbers, booleans and timestamps', () => {
    const iam = registry.get('iam');
    const parse = (body: string) => codecFor(iam).parse(req({ body: Buffer.from(body) }), iam, iam.operations.ListRoles);
    expect(() => parse('Action=ListRoles&MaxItems=ten')).toThrow(AwsError);
    expect(parse('Action=ListRoles&MaxItems=10')).toEqual({ MaxItems: 10 });
  });

  it('rest-xml: malformed XML is MalformedXML', () => {
    const s3 = registry.get('s3');
    const op = s3.operations.PutBucketTagging;
    const r = req({ method: 'PUT', rawPath: '/b', rawQuery: 'tagging', query: [['tagging', '']], body: Buffer.from('<Tagging><TagSet>') });
    expect(codecFor(s3).resolveOperation(r, s3)).toBe(op);
    expect(() => codecFor(s3).parse(r, s3, op)).toThrow(expect.objectContaining({ code: 'MalformedXML', status: 400 }));
  });
});
