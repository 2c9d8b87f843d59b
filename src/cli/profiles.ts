import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultBlueprintPath, loadBlueprintFile } from '../org/blueprint.js';
import { blueprintProfiles, mergeIni, organizationProfiles, renderProfiles } from '../org/profiles.js';

export interface ProfilesOptions {
  endpoint: string;
  blueprint?: string;
  write?: boolean;
  awsDir?: string;
}

/**
 * The running organization's accounts from `/_mlzone/status`, or undefined when no mlzone answers at `endpoint`
 * (profiles are then the blueprint's alone).
 */
async function runningAccounts(endpoint: string): Promise<Parameters<typeof organizationProfiles>[3] | undefined> {
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/_mlzone/status`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { organization?: { accounts?: Parameters<typeof organizationProfiles>[3] } };
    return body.organization?.accounts;
  } catch {
    return undefined;
  }
}

/**
 * Prints (or merges into ~/.aws after a backup) one profile per persona of the blueprint, plus an admin profile for
 * each account the running organization added (vended or invited), when mlzone answers at the endpoint.
 */
export async function profiles(opts: ProfilesOptions): Promise<void> {
  const bp = loadBlueprintFile(opts.blueprint ?? defaultBlueprintPath());
  const fromBlueprint = blueprintProfiles(bp, opts.endpoint);
  const running = await runningAccounts(opts.endpoint);
  const { config, credentials } = renderProfiles([...fromBlueprint, ...(running ? organizationProfiles(bp, opts.endpoint, fromBlueprint, running) : [])]);
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
