import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const home = mkdtempSync(join(tmpdir(), 'mlzone-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { HOME: home });

describe('mlzone profiles', () => {
  it('prints config and credentials snippets for every persona', async () => {
    const r = await cli(['profiles', '--endpoint', 'http://127.0.0.1:4999']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[profile ds1-scientist]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4999');
    expect(r.stdout).toContain('role_arn = arn:aws:iam::444444444444:role/DataScientist\nsource_profile = user-ds1-scientist');
    expect(r.stdout).toContain('[user-ds1-scientist]\naws_access_key_id = AKIAXFEF5XS35DJLOYMK');
  });

  it('merges into ~/.aws after a backup, keeping the user’s own profiles', async () => {
    const aws = join(home, '.aws');
    await cli(['profiles', '--write']);
    writeFileSync(join(aws, 'config'), '[default]\nregion = eu-west-1\n\n' + readFileSync(join(aws, 'config'), 'utf8'));
    const r = await cli(['profiles', '--write', '--endpoint', 'http://127.0.0.1:4567']);
    expect(r.code).toBe(0);
    const config = readFileSync(join(aws, 'config'), 'utf8');
    expect(config).toContain('[default]\nregion = eu-west-1');
    expect(config).toContain('endpoint_url = http://127.0.0.1:4567');
    expect(config).not.toContain('endpoint_url = http://127.0.0.1:4566');
    expect(config.match(/\[profile ds1-scientist\]/g)).toHaveLength(1);
    expect(readdirSync(aws).filter((f) => f.startsWith('config.mlzone-backup-')).length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toContain('[user-prod-app]');
  });
});
