/**
 * Requests signed by the machine's real botocore (boto3 1.43): one `python3` run builds them (header-signed STS,
 * SageMaker and S3 requests captured at `before-send`, boto3's default SigV2 and s3v4 presigned URLs, a request
 * with repeated header lines signed by `SigV4Auth`), and every one must verify here.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../core/wire.js';
import type { AuthErrorStyle } from './sigv4-errors.js';
import { headersFromRaw } from './sigv4-canonical.js';
import { createSigV4Verifier, readClaim } from './sigv4.js';
import { readSigV2Presign, verifySigV2Presign } from './sigv2.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

const SCRIPT = String.raw`
import base64, json
import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

EP = 'http://127.0.0.1:4566'
SECRET = '${SECRET}'
KEYS = ['k 1+x=y&z', 'dir/../x', 'ü/ß', "'()*!~", 'a//b']
out = []

class Captured(Exception):
    pass

def body_of(b):
    if b is None:
        return b''
    if hasattr(b, 'read'):
        pos = b.tell(); data = b.read(); b.seek(pos); return data
    return b if isinstance(b, bytes) else b.encode()

def client(service, token=None, **config):
    c = boto3.client(service, region_name='us-east-1', endpoint_url=config.pop('endpoint', EP),
                     aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key=SECRET, aws_session_token=token,
                     config=Config(retries={'max_attempts': 1}, **config))
    return c

def capture(c, name, style, call):
    def handler(request, **kw):
        out.append(dict(name=name, style=style, method=request.method, url=request.url,
                        headers=[[k, v if isinstance(v, str) else v.decode()] for k, v in request.headers.items()],
                        body=base64.b64encode(body_of(request.body)).decode()))
        raise Captured()
    c.meta.events.register('before-send', handler)
    try:
        call(c)
    except Captured:
        pass

def url_case(name, style, url, method='GET', bucket=None):
    out.append(dict(name=name, style=style, method=method, url=url, headers=[], body='', bucket=bucket))

capture(client('sts'), 'sts GetCallerIdentity', 'query', lambda c: c.get_caller_identity())
capture(client('sts', token='FwoGZXIvYXdzEJr//session+token='), 'sts AssumeRole with session token', 'query',
        lambda c: c.assume_role(RoleArn='arn:aws:iam::123456789012:role/r', RoleSessionName='s p+a/c=e'))
capture(client('sagemaker'), 'sagemaker ListTrainingJobs', 'json', lambda c: c.list_training_jobs(MaxResults=10))
s3 = client('s3', s3={'addressing_style': 'path'})
for k in KEYS:
    capture(s3, 'S3 PutObject ' + k, 's3', lambda c, k=k: c.put_object(Bucket='bucket', Key=k, Body=b'hello ' + k.encode(),
            ContentType='text/plain', Metadata={'note': 'a   b'}))
    capture(s3, 'S3 GetObject ' + k, 's3', lambda c, k=k: c.get_object(Bucket='bucket', Key=k, Range='bytes=0-9'))
capture(client('s3', token='tok/en+=', s3={'addressing_style': 'path'}), 'S3 ListObjectsV2 with token', 's3',
        lambda c: c.list_objects_v2(Bucket='bucket', Prefix='a b+c', Delimiter='/', MaxKeys=5))

v2 = client('s3', s3={'addressing_style': 'path'})
v2tok = client('s3', token='tok/en+=', s3={'addressing_style': 'path'})
v4 = client('s3', signature_version='s3v4', s3={'addressing_style': 'path'})
v4tok = client('s3', token='tok/en+=', signature_version='s3v4', s3={'addressing_style': 'path'})
for k in KEYS:
    url_case('SigV2 presigned GET ' + k, 's3', v2.generate_presigned_url('get_object', Params={'Bucket': 'bucket', 'Key': k}, ExpiresIn=300))
    url_case('SigV4 presigned GET ' + k, 's3', v4.generate_presigned_url('get_object', Params={'Bucket': 'bucket', 'Key': k}, ExpiresIn=300))
    url_case('SigV4 presigned PUT ' + k, 's3', v4.generate_presigned_url('put_object', Params={'Bucket': 'bucket', 'Key': k}, ExpiresIn=300), 'PUT')
rct = {'Bucket': 'bucket', 'Key': 'r.txt', 'ResponseContentType': 'text/plain; charset=utf-8', 'VersionId': 'v 1'}
url_case('SigV2 presigned GET with sub-resources and token', 's3', v2tok.generate_presigned_url('get_object', Params=rct, ExpiresIn=300))
url_case('SigV4 presigned GET with sub-resources and token', 's3', v4tok.generate_presigned_url('get_object', Params=rct, ExpiresIn=300))
vhost = client('s3', endpoint='http://s3.localhost.test:4566', s3={'addressing_style': 'virtual'})
url_case('SigV2 presigned GET, virtual-hosted', 's3', vhost.generate_presigned_url('get_object', Params={'Bucket': 'vbucket', 'Key': 'x y'}, ExpiresIn=300), bucket='vbucket')

req = AWSRequest(method='POST', url=EP + '/', data='Action=GetCallerIdentity&Version=2011-06-15',
                 headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
req.headers['X-Multi'] = 'one'
req.headers['X-Multi'] = '  two   three '
SigV4Auth(Credentials('AKIDEXAMPLE', SECRET), 'sts', 'us-east-1').add_auth(req)
out.append(dict(name='SigV4Auth repeated header lines', style='query', method='POST', url=req.url,
                headers=[[k, v] for k, v in req.headers.items()], body=base64.b64encode(body_of(req.body)).decode()))
print(json.dumps(out))
`;

interface Case {
  name: string;
  style: 'query' | 'json' | 's3';
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
  bucket?: string | null;
}

function botocoreCases(): Case[] | undefined {
  try {
    return JSON.parse(execFileSync('python3', ['-c', SCRIPT], { encoding: 'utf8', timeout: 60_000 })) as Case[];
  } catch (e) {
    // Only a missing python3/boto3 skips; anything else is a failure to report.
    if (/No module named|ENOENT/.test(String((e as Error).message))) return undefined;
    throw e;
  }
}

const STYLES: Record<Case['style'], AuthErrorStyle> = {
  query: { style: 'query', s3: false },
  json: { style: 'json', s3: false },
  s3: { style: 'rest-xml', s3: true },
};

function toWire(c: Case): WireRequest {
  const m = /^https?:\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?/.exec(c.url);
  if (m === null) throw new Error(`bad url ${c.url}`);
  const [, host, rawPath, rawQuery = ''] = m;
  const raw = c.headers.flat();
  if (!c.headers.some(([k]) => k.toLowerCase() === 'host')) raw.push('Host', host);
  const query = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p): [string, string] => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decodeURIComponent(p), ''] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
    });
  return { method: c.method, rawPath, rawQuery, query, headers: headersFromRaw(raw), body: Buffer.from(c.body, 'base64') };
}

const cases = botocoreCases();

describe.skipIf(cases === undefined)('botocore-signed requests (python3 + boto3 on this machine)', () => {
  it('covers every kind of request it was asked for', () => {
    expect(cases!.length).toBe(3 + 2 * 5 + 1 + 3 * 5 + 3 + 1);
    expect(cases!.filter((c) => c.url.includes('AWSAccessKeyId=')).length).toBe(7);
    expect(cases!.filter((c) => c.url.includes('X-Amz-Signature=')).length).toBe(11);
  });

  it('every request verifies', () => {
    const verifier = createSigV4Verifier();
    const now = Date.now();
    const failures: string[] = [];
    for (const c of cases!) {
      const wire = toWire(c);
      const style = STYLES[c.style];
      try {
        const v2 = readSigV2Presign(wire);
        if (v2 !== undefined) {
          verifySigV2Presign(wire, v2, SECRET, { now, ...(c.bucket ? { bucket: c.bucket } : {}) });
          continue;
        }
        const claim = readClaim(wire, style);
        if (claim === undefined) throw new Error('no claim');
        verifier.verify(wire, claim, SECRET, { ...style, now });
        if (c.name.includes('token')) expect(claim.sessionToken, c.name).toMatch(/token|tok\/en/);
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message} ${c.url}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the repeated header lines arrive joined as botocore signed them', () => {
    const c = cases!.find((x) => x.name === 'SigV4Auth repeated header lines')!;
    expect(c.headers.filter(([k]) => k === 'X-Multi').length).toBe(2);
    expect(toWire(c).headers['x-multi']).toBe('one,two three');
  });

  it('a wrong secret fails for each of them', () => {
    const verifier = createSigV4Verifier();
    for (const c of cases!) {
      const wire = toWire(c);
      const v2 = readSigV2Presign(wire);
      const attempt = () =>
        v2 !== undefined
          ? verifySigV2Presign(wire, v2, 'wrong', { now: Date.now(), ...(c.bucket ? { bucket: c.bucket } : {}) })
          : verifier.verify(wire, readClaim(wire, STYLES[c.style])!, 'wrong', { ...STYLES[c.style], now: Date.now() });
      expect(attempt, c.name).toThrow();
    }
  });
});
