import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { run } from '../support/processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], env);
const scratch = mkdtempSync(join(tmpdir(), 'mlzone-newcomer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('what a newcomer runs into', () => {
  it('refuses a data dir made from another blueprint, naming the fix, and mlzone reset starts it over', async () => {
    const dataDir = join(scratch, 'state');
    const first = await startCli(['--data-dir', dataDir]);
    first.child.kill('SIGTERM');
    await first.exited;

    const other = join(scratch, 'my-org.yaml');
    const partner = 'accounts:\n  - name: partner\n    id: "999999999999"\n    outsideOrganization: true\n';
    writeFileSync(other, readFileSync(join(root, 'blueprints/default.yaml'), 'utf8').replace(/^accounts:\n/m, partner));
    const refused = await startCli(['--data-dir', dataDir, '--blueprint', other]).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(refused).toContain(`mlzone up: the data dir ${dataDir} was created from another blueprint than ${other}; nothing was started`);
    expect(refused).toContain(`--data-dir <new folder>, or --ephemeral), or delete this one with \`mlzone reset --data-dir ${dataDir} --yes\``);
    // Nothing of the new blueprint was shown as if it ran.
    expect(refused).not.toContain('serving the landing zone');

    const unconfirmed = await cli(['reset', '--data-dir', dataDir]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('run again with --yes');
    expect(existsSync(join(dataDir, 'mlzone.db'))).toBe(true);

    const done = await cli(['reset', '--data-dir', dataDir, '--yes']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(existsSync(join(dataDir, 'mlzone.db'))).toBe(false);

    const again = await startCli(['--data-dir', dataDir, '--blueprint', other]);
    try {
      expect(again.stdout()).toContain('partner            999999999999');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('reset deletes nothing in a folder without mlzone state', async () => {
    const r = await cli(['reset', '--data-dir', scratch, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('holds no mlzone state (no mlzone.db); nothing was deleted');
    expect(existsSync(join(scratch, 'my-org.yaml'))).toBe(true);
  });

  it('says that a busy port is in use and how to pick another', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const r = await cli(['up', '--ephemeral'], { MLZONE_PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`mlzone up: port ${port} on 127.0.0.1 is in use`);
      expect(r.stderr).toContain('pick another with --port <n> or MLZONE_PORT');
      expect(r.stderr).not.toContain('EADDRINUSE');
    } finally {
      busy.close();
    }
  });

  it('says which endpoint explain and status tried and how to start one when no mlzone answers', async () => {
    // A port nothing listens on: one the system just handed out and that was closed again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await cli(['explain', '--last'], { MLZONE_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`mlzone explain: no mlzone answered at http://127.0.0.1:${port} (ECONNREFUSED). Start one with \`mlzone up\``);
    expect(r.stderr).not.toContain('fetch failed');
    const status = await cli(['status'], { MLZONE_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`mlzone status: no mlzone answered at http://127.0.0.1:${port} (ECONNREFUSED). Start one with \`mlzone up\``);
  });

  it('lists the environment variables in --help', async () => {
    const r = await cli(['--help']);
    for (const v of ['MLZONE_PORT', 'MLZONE_HOST', 'MLZONE_DATA_DIR', 'MLZONE_AUTH', 'MLZONE_DATABASE_URL', 'MLZONE_SESSION_SECRET', 'MLZONE_ENDPOINT']) expect(r.stdout).toContain(v);
    expect((await cli(['profiles', '--help'])).stdout).toContain('MLZONE_ENDPOINT');
  });

  it('points the profiles at MLZONE_ENDPOINT', async () => {
    const r = await cli(['profiles'], { MLZONE_ENDPOINT: 'http://127.0.0.1:4999' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('endpoint_url = http://127.0.0.1:4999');
  });
});
