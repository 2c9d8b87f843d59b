import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, python, run } from '../support/processes.js';
import { startTestServer, users, type TestServer } from '../support/server.js';

const here = dirname(fileURLToPath(import.meta.url));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe.skipIf(!hasBoto3)('boto3 (the machine Python) against mlzone', () => {
  it('speaks STS and IAM over the query protocol, with AWS error codes', async () => {
    const r = await run(python, [join(here, 'boto3_identity.py')], {
      MLZONE_URL: server.url,
      MLZONE_KEY: users.orgAdmin.accessKeyId,
      MLZONE_SECRET: users.orgAdmin.secretAccessKey,
      MLZONE_ROLE: 'arn:aws:iam::111111111111:role/Admin',
      MLZONE_ROLE_NAME: 'Boto3Role',
      MLZONE_IAM_AS_ROLE: '1',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.caller.Arn).toBe('arn:aws:iam::111111111111:user/org-admin');
    expect(out.caller.Account).toBe('111111111111');
    expect(out.assumed_arn).toBe('arn:aws:sts::111111111111:assumed-role/Admin/boto3');
    expect(out.session_caller.Arn).toBe('arn:aws:sts::111111111111:assumed-role/Admin/boto3');
    expect(out.wrong_secret).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(out.unknown_key).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
    expect(out.bad_duration).toMatchObject({ code: 'ValidationError' });
    expect(out.created_role_arn).toBe('arn:aws:iam::111111111111:role/Boto3Role');
    expect(out.role_trust.Statement[0].Principal.Service).toBe('sagemaker.amazonaws.com');
    expect(out.role_tags).toEqual([{ Key: 'team', Value: 'ds1' }]);
    expect(out.dup_role).toMatchObject({ code: 'EntityAlreadyExists', status: 409 });
    expect(out.missing_role).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    expect(out.bad_policy).toMatchObject({ code: 'MalformedPolicyDocument', status: 400 });
    expect(out.long_name.code).toBe('ValidationError');
    expect(out.long_name.message).toMatch(/^1 validation error detected: Value '(r){65}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64$/);
    expect(out.paged_role_names).toContain('Boto3Role');
    expect(out.paged_role_names).toContain('Admin');
  });
});
