import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blueprintProfiles, renderProfiles } from '../../../src/org/profiles.js';
import type { TestServer } from './server.js';

/**
 * A private AWS CLI home with `mlzone profiles` for the test server, and the environment that makes the CLI use
 * only it (no inherited keys or profile). `profile` sets AWS_PROFILE.
 */
export function cliProfiles(server: TestServer, profile?: string): { dir: string; env: NodeJS.ProcessEnv; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mlzone-cli-'));
  const { config, credentials } = renderProfiles(blueprintProfiles(server.app.blueprint, server.url));
  writeFileSync(join(dir, 'config'), config);
  writeFileSync(join(dir, 'credentials'), credentials);
  const env: NodeJS.ProcessEnv = {
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_PAGER: '',
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: profile,
    AWS_DEFAULT_PROFILE: undefined,
    HOME: dir,
  };
  return { dir, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
