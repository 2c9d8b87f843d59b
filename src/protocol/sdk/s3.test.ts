import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../core/errors.js';
import { caught, clientConfig, codecHandler, modelError, registry } from './harness.js';

const model = registry.get('s3');
const modified = new Date('2024-06-07T08:09:10Z');

function client(handler: object) {
  return new S3Client({ ...clientConfig, forcePathStyle: true, requestHandler: handler as never });
}

describe('S3 (restXml) with the JS SDK', () => {
  it('PutObject: labels (greedy key), headers, x-amz-meta-*, raw body; ETag/VersionId headers back', async () => {
    const { handler, exchanges } = codecHandler(model, () => ({ ETag: '"abc123"', VersionId: 'v1', ServerSideEncryption: 'AES256' }));
    const out = await client(handler).send(
      new PutObjectCommand({
        Bucket: 'ml-data',
        Key: 'datasets/2024/ü ß+x=y&z.csv',
        Body: 'a,b\n1,2\n',
        ContentType: 'text/csv',
        CacheControl: 'no-cache',
        Metadata: { owner: 'ds1', 'run-id': '42' },
        Tagging: 'team=ds1',
        StorageClass: 'STANDARD_IA',
      }),
    );
    const ex = exchanges[0];
    expect(ex.op?.name).toBe('PutObject');
    const input = ex.input as Record<string, unknown>;
    expect(input).toMatchObject({
      Bucket: 'ml-data',
      Key: 'datasets/2024/ü ß+x=y&z.csv',
      ContentType: 'text/csv',
      CacheControl: 'no-cache',
      Metadata: { owner: 'ds1', 'run-id': '42' },
      Tagging: 'team=ds1',
      StorageClass: 'STANDARD_IA',
    });
    expect(Buffer.isBuffer(input.Body) && input.Body.toString()).toBe('a,b\n1,2\n');
    expect(out.ETag).toBe('"abc123"');
    expect(out.VersionId).toBe('v1');
    expect(out.ServerSideEncryption).toBe('AES256');
    expect(out.$metadata.requestId).toBe('req-1');
  });

  it('GetObject: streaming body, header members, metadata, Last-Modified', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const { handler, exchanges } = codecHandler(model, () => ({
      Body: bytes,
      ContentType: 'application/octet-stream',
      ContentLength: bytes.length,
      ETag: '"e"',
      LastModified: modified,
      Metadata: { owner: 'ds1' },
      TagCount: 2,
    }));
    const out = await client(handler).send(new GetObjectCommand({ Bucket: 'ml-data', Key: 'model.bin', Range: 'bytes=0-4', VersionId: 'v1' }));
    expect(exchanges[0].input).toEqual({ Bucket: 'ml-data', Key: 'model.bin', Range: 'bytes=0-4', VersionId: 'v1', ChecksumMode: exchanges[0].input?.ChecksumMode });
    expect(Buffer.from(await out.Body!.transformToByteArray())).toEqual(bytes);
    expect(out.ContentType).toBe('application/octet-stream');
    expect(out.ContentLength).toBe(5);
    expect(out.LastModified).toEqual(modified);
    expect(out.Metadata).toEqual({ owner: 'ds1' });
    expect(out.TagCount).toBe(2);
    expect(exchanges[0].response?.headers['last-modified']).toBe('Fri, 07 Jun 2024 08:09:10 GMT');
  });

  it('ListObjectsV2: ?list-type=2 routing, query members, flattened Contents and CommonPrefixes', async () => {
    const { handler, exchanges } = codecHandler(model, (_op, input) => ({
      Name: input.Bucket,
      Prefix: input.Prefix,
      Delimiter: '/',
      MaxKeys: input.MaxKeys,
      KeyCount: 2,
      IsTruncated: true,
      NextContinuationToken: 'tok 2',
      Contents: [
        { Key: 'a&b.txt', LastModified: modified, ETag: '"1"', Size: 10, StorageClass: 'STANDARD' },
        { Key: 'c<d>.txt', LastModified: modified, ETag: '"2"', Size: 20, StorageClass: 'STANDARD', Owner: { ID: 'o', DisplayName: 'me' } },
      ],
      CommonPrefixes: [{ Prefix: 'data/sub/' }],
    }));
    const out = await client(handler).send(
      new ListObjectsV2Command({ Bucket: 'ml-data', Prefix: 'data/', Delimiter: '/', MaxKeys: 2, ContinuationToken: 'tok 1', FetchOwner: true }),
    );
    expect(exchanges[0].op?.name).toBe('ListObjectsV2');
    expect(exchanges[0].input).toEqual({ Bucket: 'ml-data', Prefix: 'data/', Delimiter: '/', MaxKeys: 2, ContinuationToken: 'tok 1', FetchOwner: true });
    expect(out.Contents?.map((c) => c.Key)).toEqual(['a&b.txt', 'c<d>.txt']);
    expect(out.Contents?.[1]).toMatchObject({ Size: 20, LastModified: modified, Owner: { ID: 'o', DisplayName: 'me' } });
    expect(out.CommonPrefixes).toEqual([{ Prefix: 'data/sub/' }]);
    expect(out).toMatchObject({ IsTruncated: true, KeyCount: 2, NextContinuationToken: 'tok 2', Name: 'ml-data' });
    const body = String(exchanges[0].response?.body);
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><ListObjectsV2Output xmlns="http://s3.amazonaws.com/doc/2006-03-01/">')).toBe(true);
    expect(body).toContain('<Contents><Key>a&amp;b.txt</Key>');
  });

  it('ListBuckets: GET / and wrapped <Bucket> lists', async () => {
    const { handler, exchanges } = codecHandler(model, () => ({
      Buckets: [{ Name: 'a', CreationDate: modified }, { Name: 'b', CreationDate: modified }],
      Owner: { ID: 'owner' },
    }));
    const out = await client(handler).send(new ListBucketsCommand({}));
    expect(exchanges[0].op?.name).toBe('ListBuckets');
    expect(out.Buckets).toEqual([{ Name: 'a', CreationDate: modified }, { Name: 'b', CreationDate: modified }]);
    expect(out.Owner?.ID).toBe('owner');
  });

  it('CreateBucket and DeleteObjects: XML payloads with namespaces are parsed', async () => {
    const { handler, exchanges } = codecHandler(model, (op, input) =>
      op.name === 'CreateBucket'
        ? { Location: `/${String(input.Bucket)}` }
        : { Deleted: [{ Key: 'a' }], Errors: [{ Key: 'b', Code: 'AccessDenied', Message: 'Access Denied' }] },
    );
    const c = client(handler);
    const created = await c.send(new CreateBucketCommand({ Bucket: 'ml-lake', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect(exchanges[0].input).toEqual({ Bucket: 'ml-lake', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    expect(created.Location).toBe('/ml-lake');
    const del = await c.send(new DeleteObjectsCommand({ Bucket: 'ml-lake', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v' }], Quiet: false } }));
    expect(exchanges[1].op?.name).toBe('DeleteObjects');
    expect((exchanges[1].input as Record<string, unknown>).Delete).toEqual({ Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v' }], Quiet: false });
    expect(del.Deleted).toEqual([{ Key: 'a' }]);
    expect(del.Errors).toEqual([{ Key: 'b', Code: 'AccessDenied', Message: 'Access Denied' }]);
  });

  it('NoSuchKey: <Error> body, 404, request id; HEAD errors have no body', async () => {
    const { handler, exchanges } = codecHandler(model, () => modelError(model, 'NoSuchKey', 'The specified key does not exist.', { Key: 'nope' }));
    const c = client(handler);
    const err = await caught(() => c.send(new GetObjectCommand({ Bucket: 'ml-data', Key: 'nope' })));
    expect(err.name).toBe('NoSuchKey');
    expect(err.message).toBe('The specified key does not exist.');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$metadata.requestId).toBe('req-1');
    expect(String(exchanges[0].response?.body)).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>nope<\/Key><RequestId>req-1<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
    const head = await caught(() => c.send(new HeadObjectCommand({ Bucket: 'ml-data', Key: 'nope' })));
    expect(exchanges[1].response?.body).toBe('');
    expect(head.$metadata.httpStatusCode).toBe(404);
    expect(head.name).toBe('NotFound');
  });

  it('an unmodelled error code (AccessDenied 403) reaches the SDK', async () => {
    const { handler } = codecHandler(model, () => new AwsError('AccessDenied', 'Access Denied', { status: 403 }));
    const err = await caught(() => client(handler).send(new ListObjectsV2Command({ Bucket: 'b' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe('Access Denied');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });
});
