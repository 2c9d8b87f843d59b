import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';
import { assumeRole } from '../support/sessions.js';
import { startTestServer, users, type TestServer } from '../support/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('mlzone explain', () => {
  it('prints the verdict and the policy that denied a call', async () => {
    const scientist = await assumeRole(server.url, users.ds1Scientist, 'arn:aws:iam::444444444444:role/DataScientist');
    const err = await assumeRole(server.url, scientist, 'arn:aws:iam::777777777777:role/ProdApp').then(
      () => undefined,
      (e: { $metadata: { requestId: string } }) => e,
    );
    const requestId = err!.$metadata.requestId;
    const r = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'explain', requestId, '--endpoint', server.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`request ${requestId}`);
    expect(r.stdout).toContain('call      sts:AssumeRole');
    expect(r.stdout).toContain('verdict   ExplicitDeny');
    expect(r.stdout).toContain('with an explicit deny in a service control policy');
    expect(r.stdout).toMatch(/scp OU 2\s+deny\s+arn:aws:organizations::111111111111:policy\/o-mlzone0001\/service_control_policy\/p-\w+\s+matched: #1 NoProductionRoles \(Deny\)/);
    const unknown = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'explain', 'no-such-request', '--endpoint', server.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no authorization decision is kept for request no-such-request');
  });
});
