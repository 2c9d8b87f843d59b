/**
 * `mlzone status`: what a running mlzone runs — each endpoint's variants and their container processes (pid, port,
 * health, memory). Talks to the HTTP API only (`/_mlzone/status`).
 */
import { getAdmin } from './endpoint.js';

interface StatusResponse {
  jobs?: string[];
  endpoints: Array<{
    accountId: string;
    region: string;
    name: string;
    variants: Array<{ name: string; weight: number; image: string; instances: Array<{ pid?: number; port: number; healthy: boolean; rssBytes?: number }> }>;
  }>;
}

export function formatStatus(s: StatusResponse): string {
  const jobs = (s.jobs ?? []).map((arn) => `job ${arn}`);
  if (s.endpoints.length === 0) return [...jobs, 'no endpoint is running'].join('\n');
  const lines: string[] = [...jobs];
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
