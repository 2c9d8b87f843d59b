import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultBlueprintPath, loadBlueprintFile } from '../org/blueprint.js';
import { blueprintProfiles, mergeIni, renderProfiles } from '../org/profiles.js';

export interface ProfilesOptions {
  endpoint: string;
  blueprint?: string;
  write?: boolean;
  awsDir?: string;
}

/** Prints (or merges into ~/.aws after a backup) one profile per persona of the blueprint. */
export function profiles(opts: ProfilesOptions): void {
  const bp = loadBlueprintFile(opts.blueprint ?? defaultBlueprintPath());
  const { config, credentials } = renderProfiles(blueprintProfiles(bp, opts.endpoint));
  if (!opts.write) {
    console.log('# ~/.aws/config\n' + config + '\n# ~/.aws/credentials\n' + credentials);
    return;
  }
  const dir = opts.awsDir ?? join(homedir(), '.aws');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const [file, text] of [['config', config], ['credentials', credentials]] as const) {
    const path = join(dir, file);
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (existing) copyFileSync(path, `${path}.mlzone-backup-${stamp}`);
    writeFileSync(path, mergeIni(existing, text), { mode: 0o600 });
    console.log(`wrote ${path}${existing ? ` (backup: ${path}.mlzone-backup-${stamp})` : ''}`);
  }
}
