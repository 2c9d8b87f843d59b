/**
 * AWS CLI / SDK profiles for every persona of a blueprint: a `user-<name>` profile per IAM user with its
 * access key, and a `<account short>-<persona>` profile per role with `role_arn` + `source_profile`, so the
 * client calls mlzone's `AssumeRole` itself.
 */
import type { Blueprint } from './blueprint-types.js';

export interface Profile {
  readonly name: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly config: Readonly<Record<string, string>>;
  readonly credentials?: { readonly aws_access_key_id: string; readonly aws_secret_access_key: string };
}

export function blueprintProfiles(bp: Blueprint, endpoint: string): Profile[] {
  const region = bp.organization.region;
  const base = { region, endpoint_url: endpoint, output: 'json' };
  const profiles: Profile[] = [];
  const roleProfile = new Map<string, string>();
  const userProfile = (account: string, user: string) => `user-${user}${account}`;
  const userNames = new Map<string, number>();
  for (const a of bp.accounts) for (const u of a.users) userNames.set(u.name, (userNames.get(u.name) ?? 0) + 1);
  // user names are unique across the default blueprint; a custom one may repeat them, so qualify only then
  const qualify = (a: string, u: string) => ((userNames.get(u) ?? 0) > 1 ? `-${a}` : '');

  for (const a of bp.accounts) {
    for (const u of a.users) {
      const key = u.accessKeys[0];
      if (!key) continue;
      profiles.push({
        name: userProfile(qualify(a.short, u.name), u.name),
        accountId: a.id,
        accountName: a.name,
        config: base,
        credentials: { aws_access_key_id: key.id, aws_secret_access_key: key.secret },
      });
    }
  }
  // Roles trusted by users first, then roles trusted by other roles (whose profiles must exist to chain from).
  const pending = bp.accounts.flatMap((a) => a.roles.map((r) => ({ a, r })));
  for (let pass = 0; pass < 3; pass++) {
    for (const { a, r } of pending) {
      const name = `${a.short}-${r.persona}`;
      if (roleProfile.has(`${a.id}:${r.name}`) || profiles.some((p) => p.name === name)) continue;
      let source: string | undefined;
      const u = r.trustedUsers[0];
      if (u) source = userProfile(qualify(a.short, u), u);
      else if (r.trustedRoles[0]) {
        const [acct, rn] = r.trustedRoles[0].split(':');
        const src = bp.accounts.find((x) => x.name === acct);
        source = src ? roleProfile.get(`${src.id}:${rn}`) : undefined;
      } else if (r.name === 'OrganizationAccountAccessRole') {
        const mgmt = bp.accounts.find((x) => x.name === bp.organization.managementAccount);
        source = mgmt ? roleProfile.get(`${mgmt.id}:Admin`) : undefined;
      }
      if (!source) continue;
      roleProfile.set(`${a.id}:${r.name}`, name);
      profiles.push({
        name,
        accountId: a.id,
        accountName: a.name,
        config: { ...base, role_arn: `arn:aws:iam::${a.id}:role/${r.name}`, source_profile: source, role_session_name: name },
      });
    }
  }
  return profiles;
}

/**
 * Profiles for accounts the running organization has and the blueprint does not (vended with CreateAccount, or
 * invited): `<account name>-admin`, the account's `OrganizationAccountAccessRole` assumed from the management
 * account's Admin profile — the way a platform team reaches a new account. `accounts` are the organization's
 * (from `/_mlzone/status`); those the blueprint already has, those outside the organization and closed ones are skipped.
 */
export function organizationProfiles(
  bp: Blueprint,
  endpoint: string,
  known: readonly Profile[],
  accounts: ReadonlyArray<{ readonly id: string; readonly name: string; readonly status: string; readonly outsideOrganization?: boolean }>,
): Profile[] {
  const mgmt = bp.accounts.find((a) => a.name === bp.organization.managementAccount);
  const source = known.find((p) => p.accountId === mgmt?.id && p.config['role_arn'] === `arn:aws:iam::${mgmt.id}:role/Admin`);
  if (!source) return [];
  const base = { region: bp.organization.region, endpoint_url: endpoint, output: 'json' };
  const inBlueprint = new Set(bp.accounts.map((a) => a.id));
  return accounts
    .filter((a) => !inBlueprint.has(a.id) && !a.outsideOrganization && a.status === 'ACTIVE')
    .map((a) => {
      // A blueprint profile of the same name (`<short>-admin`) keeps its name; the vended account's gets its id.
      const name = known.some((p) => p.name === `${a.name}-admin`) ? `${a.name}-${a.id}-admin` : `${a.name}-admin`;
      return {
        name,
        accountId: a.id,
        accountName: a.name,
        config: { ...base, role_arn: `arn:aws:iam::${a.id}:role/OrganizationAccountAccessRole`, source_profile: source.name, role_session_name: name },
      };
    });
}

/** Renders `~/.aws/config` and `~/.aws/credentials` sections. */
export function renderProfiles(profiles: readonly Profile[]): { config: string; credentials: string } {
  const config: string[] = [];
  const credentials: string[] = [];
  for (const p of profiles) {
    config.push(`# ${p.accountName} (${p.accountId})`, `[profile ${p.name}]`, ...Object.entries(p.config).map(([k, v]) => `${k} = ${v}`), '');
    if (p.credentials) {
      credentials.push(`[${p.name}]`, ...Object.entries(p.credentials).map(([k, v]) => `${k} = ${v}`), '');
    }
  }
  return { config: config.join('\n'), credentials: credentials.join('\n') };
}

/**
 * Merges rendered sections into an existing INI file's text: sections we write replace same-named ones,
 * everything else is kept in place.
 */
export function mergeIni(existing: string, addition: string): string {
  const parse = (text: string) => {
    const sections: Array<{ header: string | null; lines: string[] }> = [{ header: null, lines: [] }];
    for (const line of text.split('\n')) {
      const m = /^\s*\[([^\]]+)\]\s*$/.exec(line);
      if (m) sections.push({ header: m[1]!.trim(), lines: [line] });
      else sections[sections.length - 1]!.lines.push(line);
    }
    return sections;
  };
  const add = parse(addition).filter((s) => s.header !== null);
  const names = new Set(add.map((s) => s.header));
  const kept = parse(existing).filter((s) => s.header === null || !names.has(s.header));
  const body = kept.map((s) => s.lines.join('\n')).join('\n').replace(/\n+$/, '');
  return (body ? body + '\n\n' : '') + add.map((s) => s.lines.join('\n').replace(/\n+$/, '')).join('\n\n') + '\n';
}
