import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, python, run } from '../support/processes.js';
import { startTestServer, users, type TestServer } from '../support/server.js';
import { assumeRole, unique } from '../support/sessions.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'mlzone-s3-boto3-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasBoto3)('S3 with boto3', () => {
  it('upload_file / download_file, presigned URLs (SigV2 default, SigV4, PUT) and virtual-hosted buckets', async () => {
    const lake = await assumeRole(server.url, users.lakeAdmin, 'arn:aws:iam::333333333333:role/LakeAdmin');
    const script = fileURLToPath(new URL('./boto3_s3.py', import.meta.url));
    const r = await run(python, [script], {
      MLZONE_ENDPOINT: server.url,
      MLZONE_BUCKET: unique('boto3-'),
      MLZONE_WORKDIR: dir,
      AWS_ACCESS_KEY_ID: lake.accessKeyId,
      AWS_SECRET_ACCESS_KEY: lake.secretAccessKey,
      AWS_SESSION_TOKEN: lake.sessionToken,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      AWS_PROFILE: undefined,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ sigv2_presign: 200, sigv4_presign: 200, presigned_put: 200, virtual_host: ['virtual/k 1+x=y&z'] });
    expect(summary.multipart_etag).toMatch(/-3"$/);
  }, 60_000);
});
