import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { PutObjectCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestServer, type TestServer } from '../support/server.js';

// A one-account organization without the default blueprint's OrganizationOnly RCP (which denies every caller
// outside the organization, anonymous ones included), so that a public bucket policy can do its work.
const ACCOUNT = '123456789012';
const BUCKET = `public-site-${ACCOUNT}`;
const admin = { accessKeyId: 'AKIAPUBLICTESTADM234', secretAccessKey: 'publictestsecret0000000000000000000000000' };
const blueprint = `
version: 1
organization: { id: o-publictest1, rootId: r-pub0, managementAccount: main, region: us-east-1, featureSet: ALL, policyTypes: [SERVICE_CONTROL_POLICY] }
accounts:
  - name: main
    id: "${ACCOUNT}"
    short: main
    email: main@mlzone.example
    users:
      - name: admin
        accessKeys: [{ id: ${admin.accessKeyId}, secret: ${admin.secretAccessKey} }]
        managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
    buckets:
      - name: ${BUCKET}
        policy: |
          {"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${BUCKET}/*"}]}
`;

/** A GET with an explicit Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: TestServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlzone-s3-anon-'));
  writeFileSync(join(dir, 'blueprint.yaml'), blueprint);
  server = await startTestServer({ blueprintPath: join(dir, 'blueprint.yaml') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('anonymous S3 access', () => {
  it('is granted only by a bucket policy naming "*", and RestrictPublicBuckets takes it away', async () => {
    const s3 = new S3Client({ ...clientConfig(server.url, admin), forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'index.html', Body: '<h1>hi</h1>', ContentType: 'text/html' }));
    const get = await fetch(`${server.url}/${BUCKET}/index.html`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/html');
    expect(await get.text()).toBe('<h1>hi</h1>');
    // Via the virtual host too (the Host header names the bucket).
    expect(await getWithHost(`${server.url}/index.html`, `${BUCKET}.localhost:${new URL(server.url).port}`)).toEqual({ status: 200, body: '<h1>hi</h1>' });
    const put = await fetch(`${server.url}/${BUCKET}/other.html`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('<Code>AccessDenied</Code>');
    expect((await fetch(`${server.url}/${BUCKET}?list-type=2`)).status).toBe(403);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    expect((await fetch(`${server.url}/${BUCKET}/index.html`)).status).toBe(403);
  });
});
