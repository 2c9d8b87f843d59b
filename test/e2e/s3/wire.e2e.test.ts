/**
 * S3 on the wire, below the SDKs: hand-signed requests for what clients rarely show — a payload that does not
 * match its signed SHA-256, signed aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), and S3's raw
 * XML documents.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

let server: TestServer;
let creds: Creds;
beforeAll(async () => {
  server = await startTestServer();
  creds = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
});
afterAll(() => server.close());

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function key(date: string): Buffer {
  let k = createHmac('sha256', `AWS4${creds.secretAccessKey}`).update(date).digest();
  for (const p of ['us-east-1', 's3', 'aws4_request']) k = createHmac('sha256', k).update(p).digest();
  return k;
}

interface Signed {
  headers: Record<string, string>;
  signature: string;
  amzDate: string;
  scope: string;
}

/** SigV4 header auth for `method path` with `payloadHash` as x-amz-content-sha256. */
function sign(method: string, path: string, payloadHash: string, extra: Record<string, string> = {}): Signed {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const host = new URL(server.url).host;
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate, 'x-amz-security-token': creds.sessionToken!, ...extra };
  const names = Object.keys(headers).sort();
  const [p, q = ''] = path.split('?');
  const query = q === '' ? '' : q.split('&').map((x) => (x.includes('=') ? x : `${x}=`)).sort().join('&');
  const canonical = `${method}\n${p}\n${query}\n${names.map((n) => `${n}:${headers[n]}\n`).join('')}\n${names.join(';')}\n${payloadHash}`;
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const signature = createHmac('sha256', key(amzDate.slice(0, 8))).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha(canonical)}`).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { headers, signature, amzDate, scope };
}

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(server.url);
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call(method: string, path: string, body?: Buffer, extra: Record<string, string> = {}) {
  const s = sign(method, path, body ? sha(body) : sha(''), { ...extra, ...(body ? { 'content-length': String(body.length) } : {}) });
  return send(method, path, s.headers, body);
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk signed, chained from the request's signature. */
function signedChunked(seed: Signed, chunks: Buffer[], tamper = false): Buffer {
  let previous = seed.signature;
  const out: Buffer[] = [];
  for (const c of [...chunks, Buffer.alloc(0)]) {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${seed.amzDate}\n${seed.scope}\n${previous}\n${sha('')}\n${sha(c)}`;
    const sig = createHmac('sha256', key(seed.amzDate.slice(0, 8))).update(sts).digest('hex');
    const data = tamper && c.length > 0 ? Buffer.from(c.toString().toUpperCase()) : c;
    out.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`), data, Buffer.from('\r\n'));
    previous = sig;
  }
  return Buffer.concat(out);
}

describe('S3 on the wire', () => {
  it('refuses a body that does not match its signed SHA-256 and stores nothing', async () => {
    const bucket = unique('wire-');
    expect((await call('PUT', `/${bucket}`)).status).toBe(200);
    const s = sign('PUT', `/${bucket}/k`, sha('expected body'), { 'content-length': '10' });
    const r = await send('PUT', `/${bucket}/k`, s.headers, Buffer.from('other body'));
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect((await call('HEAD', `/${bucket}/k`)).status).toBe(404);
  });

  it('accepts signed aws-chunked uploads and refuses a chunk whose signature does not match', async () => {
    const bucket = unique('chunked-');
    await call('PUT', `/${bucket}`);
    const chunks = [Buffer.from('hello, '), Buffer.from('chunked world')];
    const decoded = String(chunks.reduce((n, c) => n + c.length, 0));
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': decoded };
    const ok = sign('PUT', `/${bucket}/c`, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const okBody = signedChunked(ok, chunks);
    const put = await send('PUT', `/${bucket}/c`, { ...ok.headers, 'content-length': String(okBody.length) }, okBody);
    expect(put.status).toBe(200);
    const got = await call('GET', `/${bucket}/c`);
    expect(got.body).toBe('hello, chunked world');
    expect(got.headers['content-encoding']).toBeUndefined();
    const bad = sign('PUT', `/${bucket}/d`, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const badBody = signedChunked(bad, chunks, true);
    const refused = await send('PUT', `/${bucket}/d`, { ...bad.headers, 'content-length': String(badBody.length) }, badBody);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect((await call('HEAD', `/${bucket}/d`)).status).toBe(404);
  });

  it("answers S3's XML documents: ListAllMyBucketsResult, a bare LocationConstraint, ListBucketResult", async () => {
    const bucket = unique('xml-');
    await call('PUT', `/${bucket}`);
    const list = await call('GET', '/');
    expect(list.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><ListAllMyBucketsResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
    expect(list.body).toContain(`<Bucket><Name>${bucket}</Name>`);
    const loc = await call('GET', `/${bucket}?location`);
    expect(loc.body).toBe('<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
    const objects = await call('GET', `/${bucket}?list-type=2`);
    expect(objects.body).toContain('<ListBucketResult');
    expect(objects.body).toContain(`<Name>${bucket}</Name>`);
    const missing = await call('GET', `/${bucket}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope</Key>');
  });

  it('answers 304 without a body and HEAD with the object length', async () => {
    const bucket = unique('cond-');
    await call('PUT', `/${bucket}`);
    const put = await call('PUT', `/${bucket}/o`, Buffer.from('0123456789'));
    const etag = put.headers.etag as string;
    const head = await call('HEAD', `/${bucket}/o`);
    expect(head.headers['content-length']).toBe('10');
    const notModified = await call('GET', `/${bucket}/o`, undefined, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBe('');
  });
});
