/**
 * `mlzone status`: what a running mlzone runs — the organization at a glance (every account with its OU, status,
 * the blueprint's personas and counts of what lives there), then each endpoint's variants and their container
 * processes (pid, port, health, memory). `--json` prints the raw answer for scripts. Talks to the HTTP API only
 * (`/_mlzone/status`).
 */
import type { OrganizationStatus } from '../app/org-status.js';
import { getAdmin } from './endpoint.js';
interface StatusResponse {
  organization?: OrganizationStatus;
  jobs?: string[];
  endpoints: Array<{
    accountId: string;
    region: string;
    name: string;
    variants: Array<{ name: string; weight: number; image: string; instances: Array<{ pid?: number; port: number; healthy: boolean; rssBytes?: number }> }>;
  }>;
}

/** One row per account, columns aligned; SageMaker resources summed by kind (`endpoint 1, model 2`). */
export function formatOrganization(o: NonNullable<StatusResponse['organization']>): string[] {
  const header = ['ACCOUNT', 'NAME', 'STATUS', 'OU', 'ROLES', 'USERS', 'BUCKETS', 'REPOS', 'SAGEMAKER', 'PERSONAS'];
  const rows = o.accounts.map((a) => {
    const r = a.resources;
    const sagemaker = Object.entries(r.sagemaker)
      .filter(([, n]) => n > 0)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    const ou = a.outsideOrganization ? '(outside the organization)' : a.ou ? a.ou : '(root)';
    const personas = a.personas.map((p) => p.split(':')[0]!.trim()).join(', ');
    return [a.id, a.name, a.status, ou, String(r.roles), String(r.users), String(r.buckets), String(r.repositories), sagemaker || '-', personas || '-'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const title = o.id ? `organization ${o.id} (management account ${o.managementAccountId ?? '-'}), ${o.accounts.filter((a) => !a.outsideOrganization).length} accounts` : 'no organization';
  return [title, line(header), ...rows.map(line)];
}

export function formatStatus(s: StatusResponse): string {
  const org = s.organization ? [...formatOrganization(s.organization), ''] : [];
  const jobs = (s.jobs ?? []).map((arn) => `job ${arn}`);
  if (s.endpoints.length === 0) return [...org, ...jobs, 'no endpoint is running'].join('\n');
  const lines: string[] = [...org, ...jobs];
  for (const e of s.endpoints) {
    lines.push(`${e.accountId}  ${e.region}  endpoint/${e.name}`);
    for (const v of e.variants) {
      lines.push(`  ${v.name}  weight ${v.weight}  ${v.image}`);
      for (const i of v.instances) {
        const mem = i.rssBytes !== undefined ? `${(i.rssBytes / 1024 / 1024).toFixed(1)} MB` : '-';
        lines.push(`    pid ${String(i.pid ?? '-').padEnd(8)} port ${String(i.port).padEnd(6)} ${i.healthy ? 'healthy    ' : 'restarting '} ${mem}`);
      }
    }
  }
  return lines.join('\n');
}

export async function statusCommand(opts: { endpoint: string; json?: boolean }): Promise<number> {
  const res = await getAdmin(opts.endpoint, '/_mlzone/status');
  if (!res.ok) {
    console.error(`mlzone status: ${res.status} ${res.statusText}`);
    return 1;
  }
  const body = (await res.json()) as StatusResponse;
  console.log(opts.json ? JSON.stringify(body, null, 2) : formatStatus(body));
  return 0;
}
