/**
 * What a hostile run found (issue #13): unsigned bodies that froze the server, UNSIGNED-PAYLOAD outside S3, bodies
 * that never time out, refused uploads that kept their sockets, and transport failures answered bare. Each test
 * speaks raw HTTP where the point is the transport, and the real SDK where it is the service.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateDatabaseCommand, GetDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasCommand } from '../support/processes.js';
import { clientConfig, startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique, type Creds } from '../support/sessions.js';

let server: TestServer;
let host: string;
let port: number;
let mgmtAdmin: Creds;
let lakeAdmin: Creds;

beforeAll(async () => {
  server = await startTestServer();
  const u = new URL(server.url);
  host = u.hostname;
  port = Number(u.port);
  mgmtAdmin = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
  lakeAdmin = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
});
afterAll(() => server.close());

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Milliseconds from the first byte sent to the answer's arrival. */
  readonly elapsed: number;
}

/**
 * A raw HTTP exchange: sends `head` (and `body`, if any), then `feed` keeps writing (as a slow or endless client
 * would) until the socket closes. Resolves with the first response and, separately, when the server closed the socket.
 */
function exchange(
  head: string,
  o: { body?: Buffer | string; feed?: (s: Socket) => void; port?: number } = {},
): { answer: Promise<RawAnswer>; closed: Promise<number> } {
  const socket = connect(o.port ?? port, host);
  socket.on('error', () => {});
  const started = Date.now();
  let buf = Buffer.alloc(0);
  let settled = false;
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    const tryParse = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || settled) return;
      const lines = buf.toString('latin1', 0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      const status = Number(lines[0]!.split(' ')[1]);
      if (status === 100) {
        buf = buf.subarray(end + 4);
        return tryParse();
      }
      const len = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + len) return;
      settled = true;
      resolve({ status, headers, body: buf.toString('utf8', end + 4, end + 4 + len), elapsed: Date.now() - started });
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      tryParse();
    });
    socket.on('close', () => {
      if (!settled) reject(new Error(`socket closed without an answer: ${JSON.stringify(buf.toString('latin1'))}`));
    });
  });
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  socket.write(head);
  if (o.body !== undefined) socket.write(o.body);
  o.feed?.(socket);
  return { answer, closed };
}

/** Writes `chunk` every few milliseconds until the socket closes (or `max` writes). */
function endless(chunk: Buffer, everyMs = 5, max = 100_000): (s: Socket) => void {
  return (s) => {
    let n = 0;
    const t = setInterval(() => {
      if (s.destroyed || !s.writable || ++n > max) return clearInterval(t);
      s.write(chunk);
    }, everyMs);
    s.on('close', () => clearInterval(t));
  };
}

const sign = (service: string, creds: Creds) =>
  new SignatureV4({ service, region: 'us-east-1', credentials: creds, sha256: Sha256, uriEscapePath: service !== 's3' });

async function health(): Promise<number> {
  const t = Date.now();
  const res = await fetch(`${server.url}/_mlzone/health`);
  expect(res.status).toBe(200);
  await res.text();
  return Date.now() - t;
}

/** A query-form body of `n` bytes made of tiny parameters: what made splitting the buffered body so slow. */
const ampersands = (n: number) => Buffer.alloc(n, 'x&');

describe('1. a request without a signature cannot freeze the server', () => {
  it('a 60 MB unsigned form body declared up front is refused at once, in the query shape, without reading it', async () => {
    const { answer, closed } = exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${60 * 1024 * 1024}\r\n\r\n`,
      { feed: endless(ampersands(64 * 1024)) },
    );
    const a = await answer;
    expect(a.status).toBe(403);
    expect(a.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(a.headers['connection']).toBe('close');
    expect(a.elapsed).toBeLessThan(1000);
    expect(await closed).toBeLessThan(4000);
  });

  it('four chunked unsigned bodies sent as fast as possible are cut off after 2 MiB while /_mlzone/health keeps answering', async () => {
    const head = `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const piece = ampersands(256 * 1024);
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    const runs = Array.from({ length: 4 }, () => exchange(head, { feed: endless(chunk, 1, 240) }));
    const healthTimes: number[] = [];
    for (let i = 0; i < 5; i++) healthTimes.push(await health());
    const answers = await Promise.all(runs.map((r) => r.answer));
    for (const a of answers) {
      expect(a.status).toBe(403);
      expect(a.body).toContain('<Code>MissingAuthenticationToken</Code>');
      expect(a.elapsed).toBeLessThan(3000);
    }
    expect(Math.max(...healthTimes)).toBeLessThan(1000);
    await Promise.all(runs.map((r) => r.closed));
  });

  it('an unsigned JSON call of an operation that needs credentials is refused from its headers alone', async () => {
    const { answer } = exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nX-Amz-Target: AmazonEC2ContainerRegistry_V20150921.DescribeRepositories\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 50000000\r\n\r\n{`,
    );
    const a = await answer;
    expect([a.status, a.headers['x-amzn-errortype']]).toEqual([400, 'MissingAuthenticationTokenException']);
    expect(JSON.parse(a.body)).toMatchObject({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });

  it('an Expect: 100-continue client without credentials is answered without ever being told to send', async () => {
    const { answer } = exchange(
      `PUT /some-bucket?policy HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: 40000000\r\nExpect: 100-continue\r\n\r\n`,
    );
    const a = await answer;
    expect(a.status).toBe(403);
    expect(a.body).toContain('<Code>AccessDenied</Code>');
  });

  it('unsigned calls that may be anonymous still work: an unknown action keeps its query error', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=NoSuchAction&Version=2011-06-15' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describe('2. UNSIGNED-PAYLOAD is S3 only', () => {
  it('a signature over Action=ListRoles sent with a CreateRole body is refused and creates nothing', async () => {
    const RoleName = unique('Backdoor');
    const signed = await sign('iam', mgmtAdmin).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      port,
      path: '/',
      query: {},
      headers: { host: `${host}:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: 'Action=ListRoles&Version=2010-05-08',
    });
    const trust = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }));
    const res = await fetch(server.url, {
      method: 'POST',
      headers: signed.headers,
      body: `Action=CreateRole&Version=2010-05-08&RoleName=${RoleName}&AssumeRolePolicyDocument=${trust}`,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const iam = new IAMClient(clientConfig(server.url, mgmtAdmin));
    await expect(iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('3. bodies time out, refused uploads do not keep their sockets', () => {
  // A short idle limit keeps these tests quick; the default is 20 s.
  let slow: TestServer;
  let slowPort: number;
  beforeAll(async () => {
    slow = await startTestServer({ bodyIdleTimeoutMs: 400 });
    slowPort = Number(new URL(slow.url).port);
  });
  afterAll(() => slow.close());

  it('a signed body that stalls is answered with RequestTimeout within the idle limit and its connection closed', async () => {
    const body = 'Action=ListUsers&Version=2010-05-08';
    const signed = await sign('iam', users.orgAdmin).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      port: slowPort,
      path: '/',
      query: {},
      headers: { host: `${host}:${slowPort}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(body.length + 100) },
      body,
    });
    const head = `POST / HTTP/1.1\r\n${Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    const { answer, closed } = exchange(head, { body: body.slice(0, 10), port: slowPort });
    const a = await answer;
    expect(a.status).toBe(408);
    expect(a.body).toContain('<Code>RequestTimeout</Code>');
    expect(a.elapsed).toBeGreaterThanOrEqual(350);
    expect(a.elapsed).toBeLessThan(2000);
    expect(await closed).toBeLessThan(4000);
  });

  it('a streamed S3 upload that stalls gets S3 RequestTimeout and stores nothing', async () => {
    const creds = await assumeRole(slow.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
    const s3 = new S3Client({ ...clientConfig(slow.url, creds), forcePathStyle: true });
    const Bucket = unique('slow-');
    await s3.send(new CreateBucketCommand({ Bucket }));
    const signed = await sign('s3', creds).sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: host,
      port: slowPort,
      path: `/${Bucket}/slow`,
      query: {},
      headers: { host: `${host}:${slowPort}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '1000' },
    });
    const head = `PUT /${Bucket}/slow HTTP/1.1\r\n${Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    const { answer, closed } = exchange(head, { body: 'only the start', port: slowPort });
    const a = await answer;
    expect(a.status).toBe(400);
    expect(a.body).toContain('<Code>RequestTimeout</Code>');
    expect(a.body).toContain('Idle connections will be closed.');
    expect(a.headers['connection']).toBe('close');
    expect(await closed).toBeLessThan(4000);
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'slow' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('an upload refused before its body is read (anonymous PutObject to a private bucket) is not drained: its socket closes', async () => {
    const s3 = new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true });
    const Bucket = unique('private-');
    await s3.send(new CreateBucketCommand({ Bucket }));
    const { answer, closed } = exchange(`PUT /${Bucket}/big HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: ${1024 * 1024 * 1024}\r\n\r\n`, {
      feed: endless(Buffer.alloc(64 * 1024, 1)),
    });
    const a = await answer;
    expect(a.status).toBe(403);
    expect(a.body).toContain('<Code>AccessDenied</Code>');
    expect(a.headers['connection']).toBe('close');
    // The client never stops sending; the server cuts it off after a short linger instead of reading a gigabyte.
    expect(await closed).toBeLessThan(4000);
  });
});

describe('4. a forged signature cannot make the server read a large body', () => {
  const MB60 = 60 * 1024 * 1024;
  const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  /** An Authorization header whose signature is made up, for `key` and X-Amz-Date `at` (default: now). */
  const forgedAuth = (service: string, key: string, o: { at?: number; token?: string; extra?: string } = {}) => {
    const date = amzDate(o.at ?? Date.now());
    const signed = ['host', 'x-amz-date', ...(o.token === undefined ? [] : ['x-amz-security-token']), ...(o.extra === undefined ? [] : ['x-amz-content-sha256'])];
    return (
      `Authorization: AWS4-HMAC-SHA256 Credential=${key}/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=${signed.join(';')}, Signature=${'0'.repeat(64)}\r\n` +
      `X-Amz-Date: ${date}\r\n${o.token === undefined ? '' : `X-Amz-Security-Token: ${o.token}\r\n`}${o.extra ?? ''}`
    );
  };
  const codeOf = (a: RawAnswer) => (a.body.startsWith('{') ? (JSON.parse(a.body) as { __type: string }).__type : /<Code>([^<]+)<\/Code>/.exec(a.body)?.[1]);
  const messageOf = (a: RawAnswer) => (a.body.startsWith('{') ? (JSON.parse(a.body) as { message: string }).message : /<Message>([^<]*)<\/Message>/.exec(a.body)?.[1]);

  /**
   * The head with a 60 MB Content-Length and not one byte of body: only a server that does not wait for the body
   * answers (it would otherwise wait out the 20 s idle limit). Then the same head with a 10-byte body, which the
   * server reads and authenticates whole as before (`small`, a valid call): both answers must be the same error.
   */
  async function refusedUnread(head: (length: number) => string, small = 'Action=ListUsers&Version=2010-05-08'): Promise<RawAnswer> {
    const big = await exchange(head(MB60)).answer;
    expect(big.elapsed).toBeLessThan(1000);
    expect(big.headers['connection']).toBe('close');
    const read = await exchange(head(Buffer.byteLength(small)), { body: small }).answer;
    expect([big.status, codeOf(big)]).toEqual([read.status, codeOf(read)]);
    return big;
  }

  const query = (auth: string) => (length: number) =>
    `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\n${auth}Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n`;
  const glue = (auth: string, target = 'GetDatabases') => (length: number) =>
    `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\n${auth}X-Amz-Target: AWSGlue.${target}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${length}\r\n\r\n`;

  it('an unknown access key: InvalidClientTokenId before the body, and the client that keeps sending is cut off', async () => {
    const auth = forgedAuth('iam', 'AKIAFORGEDFORGED0000');
    const a = await refusedUnread(query(auth));
    expect([a.status, codeOf(a), messageOf(a)]).toEqual([403, 'InvalidClientTokenId', 'The security token included in the request is invalid.']);
    // A client that sends as fast as it can: answered at once, and the socket closes long before 60 MB went out.
    let client: Socket | undefined;
    const { answer, closed } = exchange(query(auth)(MB60), {
      feed: (socket) => {
        client = socket;
        endless(Buffer.alloc(64 * 1024, 'x&'), 1)(socket);
      },
    });
    expect((await answer).status).toBe(403);
    const sentAtAnswer = client!.bytesWritten;
    expect(await closed).toBeLessThan(4000);
    expect(sentAtAnswer).toBeLessThan(MB60 / 4);
    expect(client!.bytesWritten).toBeLessThan(MB60);
    // A body of unknown length (chunked) is vouched for the same way.
    const chunked = await exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\n${auth}Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n`,
    ).answer;
    expect([chunked.status, codeOf(chunked)]).toEqual([403, 'InvalidClientTokenId']);
    expect(chunked.elapsed).toBeLessThan(1000);
  });

  it('a role session key with a session token that is not its own: UnrecognizedClientException in JSON', async () => {
    const a = await refusedUnread(glue(forgedAuth('glue', mgmtAdmin.accessKeyId, { token: `${mgmtAdmin.sessionToken!.slice(0, -8)}AAAAAAAA` })), '{}');
    expect([a.status, codeOf(a)]).toEqual([400, 'UnrecognizedClientException']);
  });

  it('a session key without its token, and a user key with one, are refused alike', async () => {
    const a = await refusedUnread(glue(forgedAuth('glue', mgmtAdmin.accessKeyId)), '{}');
    expect(a.status).toBe(400);
    const b = await refusedUnread(glue(forgedAuth('glue', users.orgAdmin.accessKeyId, { token: mgmtAdmin.sessionToken! })), '{}');
    expect([b.status, codeOf(b)]).toEqual([400, 'UnrecognizedClientException']);
  });

  it('a real key with a date an hour old: the expired-signature error (Coral) and RequestTimeTooSkewed (S3)', async () => {
    const at = Date.now() - 3600_000;
    const coral = await refusedUnread(query(forgedAuth('iam', users.orgAdmin.accessKeyId, { at })));
    expect([coral.status, codeOf(coral)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(messageOf(coral)).toContain('Signature expired');
    const s3 = await refusedUnread(
      (length) =>
        `POST /some-bucket?delete HTTP/1.1\r\nHost: ${host}:${port}\r\n${forgedAuth('s3', users.lakeAdmin.accessKeyId, { at, extra: 'x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n' })}Content-Length: ${length}\r\n\r\n`,
    );
    expect([s3.status, codeOf(s3)]).toEqual([403, 'RequestTimeTooSkewed']);
  });

  it('a real key and a hex x-amz-content-sha256: the signature is checked over the headers before the body', async () => {
    const extra = `x-amz-content-sha256: ${createHash('sha256').update('anything').digest('hex')}\r\n`;
    const json = await refusedUnread(glue(forgedAuth('glue', users.orgAdmin.accessKeyId, { extra })), '{}');
    expect([json.status, codeOf(json)]).toEqual([400, 'InvalidSignatureException']);
    // S3 signs the header's value, whatever it is: a forged S3 signature never needs the body either.
    const s3 = await refusedUnread(
      (length) => `PUT /some-bucket?policy HTTP/1.1\r\nHost: ${host}:${port}\r\n${forgedAuth('s3', users.lakeAdmin.accessKeyId, { extra: 'x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n' })}Content-Length: ${length}\r\n\r\n`,
      '{}',
    );
    expect([s3.status, codeOf(s3)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('a role session on its first call (looked up asynchronously): a forged signature refused unread, a valid 3 MB call taken', async () => {
    const forger = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
    const extra = `x-amz-content-sha256: ${createHash('sha256').update('anything').digest('hex')}\r\n`;
    const a = await exchange(glue(forgedAuth('glue', forger.accessKeyId, { token: forger.sessionToken!, extra }))(MB60)).answer;
    expect([a.status, codeOf(a)]).toEqual([400, 'InvalidSignatureException']);
    expect(a.elapsed).toBeLessThan(1000);
    const fresh = await assumeRole(server.url, users.orgAdmin, 'arn:aws:iam::111111111111:role/Admin');
    const Name = unique('freshdb').toLowerCase();
    const Parameters = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => [k, k.repeat(400_000)]));
    await new GlueClient(clientConfig(server.url, fresh)).send(new CreateDatabaseCommand({ DatabaseInput: { Name, Parameters } }));
    expect((await new GlueClient(clientConfig(server.url, mgmtAdmin)).send(new GetDatabaseCommand({ Name }))).Database?.Parameters?.['a']).toHaveLength(400_000);
  });

  it('a signed head whose service or operation does not exist is answered as before, without its body', async () => {
    const unknownOp = await refusedUnread(glue(forgedAuth('glue', users.orgAdmin.accessKeyId), 'NoSuchOperation'), '{}');
    expect([unknownOp.status, codeOf(unknownOp)]).toEqual([400, 'UnknownOperationException']);
  });

  it('a body larger than an unsigned request may send, correctly signed with a hex hash, is taken; a different body is refused after', async () => {
    const Name = unique('bigdb').toLowerCase();
    const body = JSON.stringify({ DatabaseInput: { Name, Parameters: { big: 'p'.repeat(400_000), more: 'q'.repeat(400_000), most: 'r'.repeat(400_000), last: 's'.repeat(400_000), tail: 't'.repeat(400_000), end: 'u'.repeat(400_000) } } });
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    const sha = createHash('sha256').update(body).digest('hex');
    const signed = await sign('glue', mgmtAdmin).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      port,
      path: '/',
      query: {},
      headers: { host: `${host}:${port}`, 'x-amz-target': 'AWSGlue.CreateDatabase', 'content-type': 'application/x-amz-json-1.1', 'x-amz-content-sha256': sha },
      body,
    });
    const other = body.replace('"big":"p', '"big":"P');
    const refused = await fetch(server.url, { method: 'POST', headers: signed.headers, body: other });
    expect([refused.status, refused.headers.get('x-amzn-errortype')]).toEqual([400, 'InvalidSignatureException']);
    const res = await fetch(server.url, { method: 'POST', headers: signed.headers, body });
    expect(res.status).toBe(200);
    const glueClient = new GlueClient(clientConfig(server.url, mgmtAdmin));
    const got = await glueClient.send(new GetDatabaseCommand({ Name }));
    expect(got.Database?.Parameters?.['end']).toHaveLength(400_000);
  });

  it('valid signed large calls still work with the JS SDK: S3 PutObject of 6 MB, a 3 MB JSON call', async () => {
    const s3 = new S3Client({ ...clientConfig(server.url, lakeAdmin), forcePathStyle: true });
    const Bucket = unique('big-');
    await s3.send(new CreateBucketCommand({ Bucket }));
    const data = Buffer.alloc(6 * 1024 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'six', Body: data }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'six' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    const Name = unique('sdkdb').toLowerCase();
    const Parameters = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => [k, k.repeat(400_000)]));
    const glueClient = new GlueClient(clientConfig(server.url, mgmtAdmin));
    await glueClient.send(new CreateDatabaseCommand({ DatabaseInput: { Name, Parameters } }));
    expect((await glueClient.send(new GetDatabaseCommand({ Name }))).Database?.Parameters?.['h']).toHaveLength(400_000);
  });

  it.skipIf(!hasCommand('aws'))('valid signed large calls still work with the AWS CLI: s3 cp of 12 MB (multipart), a 3 MB glue call', async () => {
    const cli = cliProfiles(server);
    const aws = async (...args: string[]) => (await promisify(execFile)('aws', ['--profile', 'mgmt-admin', '--output', 'json', ...args], { env: { ...process.env, ...cli.env }, maxBuffer: 64 * 1024 * 1024 })).stdout;
    try {
      const Bucket = unique('cli-big-');
      await aws('s3api', 'create-bucket', '--bucket', Bucket);
      const file = join(cli.dir, 'twelve');
      const data = Buffer.alloc(12 * 1024 * 1024, 3);
      writeFileSync(file, data);
      await aws('s3', 'cp', file, `s3://${Bucket}/twelve`);
      await aws('s3', 'cp', `s3://${Bucket}/twelve`, `${file}.back`);
      expect(readFileSync(`${file}.back`).equals(data)).toBe(true);
      const Name = unique('clidb').toLowerCase();
      const input = join(cli.dir, 'db.json');
      writeFileSync(input, JSON.stringify({ Name, Parameters: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => [k, k.repeat(400_000)])) }));
      await aws('glue', 'create-database', '--database-input', `file://${input}`);
      const got = JSON.parse(await aws('glue', 'get-database', '--name', Name)) as { Database: { Parameters: Record<string, string> } };
      expect(got.Database.Parameters['h']).toHaveLength(400_000);
    } finally {
      cli.remove();
    }
  });
});

describe('5. transport-level refusals are AWS-shaped', () => {
  const bigHeader = `X-Padding: ${'p'.repeat(20 * 1024)}\r\n`;

  it('headers over 16 KiB: 431 with an XML error (S3 and query callers) or a JSON one (X-Amz-Target)', async () => {
    const xml = await exchange(`GET /bucket/key HTTP/1.1\r\nHost: ${host}:${port}\r\n${bigHeader}\r\n`).answer;
    expect(xml.status).toBe(431);
    expect(xml.body).toContain('<Code>RequestHeaderSectionTooLarge</Code>');
    expect(xml.headers['connection']).toBe('close');
    const json = await exchange(`POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nX-Amz-Target: AmazonSageMaker.ListModels\r\nContent-Type: application/x-amz-json-1.1\r\n${bigHeader}\r\n`).answer;
    expect(json.status).toBe(431);
    expect(JSON.parse(json.body)).toMatchObject({ __type: 'RequestHeaderSectionTooLarge' });
  });

  const scoped = (service: string) =>
    `Authorization: AWS4-HMAC-SHA256 Credential=${users.orgAdmin.accessKeyId}/20261206/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}\r\nX-Amz-Date: 20261206T000000Z\r\n`;

  it('a body over the limit: 413 in the service shape outside S3, S3 MaxMessageLengthExceeded / EntityTooLarge', async () => {
    const iam = await exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\n${scoped('iam')}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${65 * 1024 * 1024}\r\n\r\n`,
    ).answer;
    expect(iam.status).toBe(413);
    expect(iam.body).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>RequestEntityTooLarge<\/Code>/);
    const s3 = await exchange(
      `POST /bucket?delete HTTP/1.1\r\nHost: ${host}:${port}\r\n${scoped('s3')}x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: ${65 * 1024 * 1024}\r\n\r\n`,
    ).answer;
    expect(s3.status).toBe(400);
    expect(s3.body).toContain('<Code>MaxMessageLengthExceeded</Code>');
    const put = await exchange(
      `PUT /bucket/huge HTTP/1.1\r\nHost: ${host}:${port}\r\n${scoped('s3')}x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: ${6 * 1024 * 1024 * 1024}\r\n\r\n`,
    ).answer;
    expect(put.status).toBe(400);
    expect(put.body).toContain('<Code>EntityTooLarge</Code>');
    expect(put.body).toContain(`<ProposedSize>${6 * 1024 * 1024 * 1024}</ProposedSize>`);
  });

  it('bad framing: Content-Length with Transfer-Encoding, or a bad chunk size, is a 400 with an error body', async () => {
    const both = await exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ).answer;
    expect(both.status).toBe(400);
    expect(both.body).toContain('<Code>BadRequest</Code>');
    expect(both.body).toContain('<ErrorResponse>');
    // Found while the body is read: the request is already with the gateway, the parser answers for it.
    const chunk = await exchange(
      `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nAction\r\nzz\r\n`,
    ).answer;
    expect(chunk.status).toBe(400);
    expect(chunk.body).toContain('<Code>BadRequest</Code>');
  });

  it('the server still answers after all of it', async () => {
    expect(await health()).toBeLessThan(1000);
  });
});
