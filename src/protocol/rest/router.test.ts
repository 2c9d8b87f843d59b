import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../../core/wire.js';
import { createModelRegistry } from '../../spec/load.js';
import type { OperationModel } from '../../spec/model.js';
import { matchRoute, routeFor, routeLabels } from './router.js';

const s3 = createModelRegistry().get('s3');

/** A request for an operation built from its own template, with its required query/header members set. */
function requestFor(op: OperationModel): WireRequest {
  const [p, q = ''] = op.http.requestUri.split('?');
  const rawPath = p.replace('{Bucket}', 'bkt').replace(/\{[^}]+\+\}/, 'dir/k%20ey').replace(/\{[^}]+\}/g, 'x');
  const query: Array<[string, string]> = q === '' ? [] : q.split('&').map((x) => [x.split('=')[0], x.split('=')[1] ?? '']);
  const headers: Record<string, string> = {};
  for (const n of op.input?.requiredSet ?? []) {
    const m = op.input!.members[n];
    if (m.location === 'querystring') query.push([m.locationName ?? n, '1']);
    if (m.location === 'header') headers[(m.locationName ?? n).toLowerCase()] = '1';
  }
  return { method: op.http.method, rawPath, rawQuery: '', query, headers, body: Buffer.alloc(0) };
}

describe('REST routing over the whole S3 model', () => {
  it('every operation resolves to itself, except templates shared with a newer or equivalent operation', () => {
    const others: string[] = [];
    for (const op of Object.values(s3.operations)) {
      const got = matchRoute(requestFor(op), s3)?.op;
      if (got !== op) others.push(`${op.name} -> ${got?.name}`);
    }
    expect(others).toEqual([
      'GetBucketLifecycle -> GetBucketLifecycleConfiguration',
      'GetBucketNotification -> GetBucketNotificationConfiguration',
      'ListDirectoryBuckets -> ListBuckets',
      'PutBucketLifecycle -> PutBucketLifecycleConfiguration',
      'PutBucketNotification -> PutBucketNotificationConfiguration',
    ]);
  });

  it('a missing required member falls back to the route that needs it only when nothing else fits', () => {
    const get = (query: Array<[string, string]>) =>
      matchRoute({ method: 'GET', rawPath: '/b', rawQuery: '', query, headers: {}, body: Buffer.alloc(0) }, s3)?.op.name;
    expect(get([['analytics', '']])).toBe('ListBucketAnalyticsConfigurations');
    expect(get([['analytics', ''], ['id', 'a1']])).toBe('GetBucketAnalyticsConfiguration');
    const put = (headers: Record<string, string>, query: Array<[string, string]> = []) =>
      matchRoute({ method: 'PUT', rawPath: '/b/k', rawQuery: '', query, headers, body: Buffer.alloc(0) }, s3)?.op.name;
    expect(put({})).toBe('PutObject');
    expect(put({ 'x-amz-copy-source': '/b/j' })).toBe('CopyObject');
    expect(put({}, [['partNumber', '1'], ['uploadId', 'u']])).toBe('UploadPart');
    expect(put({ 'x-amz-copy-source': '/b/j' }, [['partNumber', '1'], ['uploadId', 'u']])).toBe('UploadPartCopy');
  });

  it('decodes labels; greedy labels keep their slashes', () => {
    const op = s3.operations.GetObject;
    const req = requestFor(op);
    expect(routeLabels(routeFor(s3, op), req)).toEqual({ Bucket: 'bkt', Key: 'dir/k ey' });
  });
});
