import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfiles } from '../support/aws-cli.js';
import { hasCommand, run } from '../support/processes.js';
import { startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique } from '../support/sessions.js';

let server: TestServer;
let dir: string;
let env: NodeJS.ProcessEnv;
const MiB = 1024 * 1024;

let cleanup: () => void;
beforeAll(async () => {
  server = await startTestServer();
  ({ dir, env, remove: cleanup } = cliProfiles(server, 'lake-lakeadmin'));
});
afterAll(async () => {
  await server.close();
  cleanup();
});

function md5File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** A file of `size` pseudo-random bytes, written in 8 MiB blocks. */
function makeFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  const block = randomBytes(8 * MiB);
  for (let left = size, i = 0; left > 0; i++) {
    const n = Math.min(left, block.length);
    block.writeUInt32BE(i, 0);
    writeSync(fd, block, 0, n);
    left -= n;
  }
  closeSync(fd);
}

const aws = (args: string[], extra: NodeJS.ProcessEnv = {}) => run('aws', args, { ...env, ...extra });

describe.skipIf(!hasCommand('aws'))('S3 with the AWS CLI v1', () => {
  it('copies a 200 MB file up (multipart) and back', async () => {
    const bucket = unique('cli-big-');
    expect((await aws(['s3', 'mb', `s3://${bucket}`])).stderr).toBe('');
    const src = join(dir, 'big.bin');
    makeFile(src, 200 * MiB);
    const up = await aws(['s3', 'cp', src, `s3://${bucket}/data/big.bin`, '--only-show-errors']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const head = JSON.parse((await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'data/big.bin'])).stdout);
    expect(head.ContentLength).toBe(200 * MiB);
    expect(head.ETag).toMatch(/-\d+"$/);
    const back = join(dir, 'back.bin');
    const down = await aws(['s3', 'cp', `s3://${bucket}/data/big.bin`, back, '--only-show-errors']);
    expect(down.stderr).toBe('');
    expect(await md5File(back)).toBe(await md5File(src));
    rmSync(src);
    rmSync(back);
    expect((await aws(['s3', 'rm', `s3://${bucket}/data/big.bin`])).code).toBe(0);
    expect((await aws(['s3', 'rb', `s3://${bucket}`])).code).toBe(0);
  }, 120_000);

  it('syncs a directory tree both ways and uploads nothing the second time', async () => {
    const bucket = unique('cli-sync-');
    await aws(['s3', 'mb', `s3://${bucket}`]);
    const local = join(dir, 'tree');
    const files: Record<string, string> = { 'a.txt': 'alpha', 'nested/b.csv': 'x,y\n1,2\n', 'nested/deeper/c d+e.json': '{"k":1}', 'ü/ß.txt': 'umlaut' };
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(local, name, '..'), { recursive: true });
      writeFileSync(join(local, name), content);
    }
    const first = await aws(['s3', 'sync', local, `s3://${bucket}/tree`]);
    expect(first.code).toBe(0);
    expect(first.stdout.match(/^upload:/gm)?.length).toBe(4);
    const second = await aws(['s3', 'sync', local, `s3://${bucket}/tree`]);
    expect(second.stdout).toBe('');
    const ls = await aws(['s3', 'ls', '--recursive', `s3://${bucket}/`]);
    expect(ls.stdout).toContain('tree/nested/deeper/c d+e.json');
    expect(ls.stdout).toContain('tree/ü/ß.txt');
    const copy = join(dir, 'tree-copy');
    expect((await aws(['s3', 'sync', `s3://${bucket}/tree`, copy])).code).toBe(0);
    for (const [name, content] of Object.entries(files)) expect(readFileSync(join(copy, name), 'utf8')).toBe(content);
  }, 60_000);

  it('presigns a URL that curl can download, and the URL is refused once tampered with', async () => {
    const bucket = unique('cli-presign-');
    await aws(['s3', 'mb', `s3://${bucket}`]);
    const file = join(dir, 'report.txt');
    writeFileSync(file, 'presigned content');
    await aws(['s3', 'cp', file, `s3://${bucket}/reports/q 1.txt`]);
    const url = (await aws(['s3', 'presign', `s3://${bucket}/reports/q 1.txt`, '--expires-in', '300'])).stdout.trim();
    expect(url.startsWith(server.url)).toBe(true);
    const got = await run('curl', ['-sS', '-f', url]);
    expect(got.stdout).toBe('presigned content');
    const tampered = await run('curl', ['-sS', url.replace('reports', 'Reports')]);
    expect(tampered.stdout).toMatch(/<Code>(SignatureDoesNotMatch|AccessDenied)<\/Code>/);
  }, 60_000);
});

const v2 = '/usr/bin/aws';
describe.skipIf(!existsSync(v2))('S3 with the AWS CLI v2 (/usr/bin/aws) and --endpoint-url', () => {
  it('copies, lists and presigns with session credentials', async () => {
    const lake = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
    const creds = { AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: lake.accessKeyId, AWS_SECRET_ACCESS_KEY: lake.secretAccessKey, AWS_SESSION_TOKEN: lake.sessionToken, AWS_DEFAULT_REGION: 'us-east-1' };
    const cli = (args: string[]) => run(v2, ['--endpoint-url', server.url, ...args], { ...env, ...creds });
    const bucket = unique('cli-v2-');
    expect((await cli(['s3', 'mb', `s3://${bucket}`])).code).toBe(0);
    const file = join(dir, 'v2.bin');
    writeFileSync(file, randomBytes(9 * MiB));
    const up = await cli(['s3', 'cp', file, `s3://${bucket}/v2.bin`, '--only-show-errors']);
    expect(up.stderr).toBe('');
    expect((await cli(['s3', 'ls', `s3://${bucket}/`])).stdout).toContain('v2.bin');
    const url = (await cli(['s3', 'presign', `s3://${bucket}/v2.bin`])).stdout.trim();
    const got = await run('curl', ['-sS', '-f', '-o', join(dir, 'v2.back'), url]);
    expect(got.stderr).toBe('');
    expect(await md5File(join(dir, 'v2.back'))).toBe(await md5File(file));
  }, 60_000);
});
