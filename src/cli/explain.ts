/**
 * `mlzone explain <requestId>`: asks a running mlzone why a call was allowed or denied and prints every
 * policy it weighed, with the statements that matched; `--last` explains the most recent denial (narrowed by
 * `--principal`, `--account`, `--action`). Given an Athena query execution id it prints which Lake Formation grant (or
 * missing grant) decided each table the query named. Talks to the HTTP API only.
 */
import { getAdmin } from './endpoint.js';

interface ExplainedPolicy {
  policyId: string;
  kind: string;
  layer: string;
  outcome: string;
  statements: Array<{ index: number; sid?: string; effect: string; matched: boolean }>;
}

interface ExplainResponse {
  requestId: string;
  time: string;
  call: string;
  principal: string;
  verdict: string;
  message?: string;
  checks: Array<{ action: string; resource: string; decision: string; verdict: string; policies: ExplainedPolicy[] }>;
  /** For an Athena query execution id: what Lake Formation decided for each table (`db.table: grant`). */
  tables?: string[];
}

export function formatExplanation(e: ExplainResponse): string {
  if (e.tables) return [`query     ${e.requestId}`, `call      ${e.call}`, `verdict   ${e.verdict}`, ...e.tables.map((t) => `table     ${t}`)].join('\n');
  const lines = [`request ${e.requestId}  ${e.time}`, `call      ${e.call}`, `principal ${e.principal}`, `verdict   ${e.verdict}`];
  if (e.message) lines.push(`message   ${e.message}`);
  e.checks.forEach((c, i) => {
    lines.push('', `check ${i + 1}: ${c.action} on ${c.resource} → ${c.decision}`, `  ${c.verdict}`);
    for (const p of c.policies) {
      const matched = p.statements.filter((s) => s.matched).map((s) => `#${s.index}${s.sid ? ` ${s.sid}` : ''} (${s.effect})`);
      lines.push(`  ${p.layer.padEnd(14)} ${p.outcome.padEnd(14)} ${p.policyId}${matched.length ? `  matched: ${matched.join(', ')}` : ''}`);
    }
  });
  return lines.join('\n');
}

export interface ExplainOptions {
  endpoint: string;
  json?: boolean;
  last?: boolean;
  principal?: string;
  account?: string;
  action?: string;
}

/** `/_mlzone/explain/<requestId>`, or `/_mlzone/explain/last?…` for the newest denial that matches the filters. */
export function explainPath(requestId: string | undefined, opts: ExplainOptions): string {
  const filters = (['principal', 'account', 'action'] as const).filter((k) => opts[k] !== undefined);
  if (requestId !== undefined) {
    if (opts.last || filters.length) throw new Error('give either a request id or --last (with --principal, --account, --action), not both');
    return `/_mlzone/explain/${encodeURIComponent(requestId)}`;
  }
  if (!opts.last && !filters.length) throw new Error('give the request id of a call (x-amzn-RequestId), or --last for the most recent denial');
  const query = new URLSearchParams(filters.map((k) => [k, opts[k]!])).toString();
  return `/_mlzone/explain/last${query ? `?${query}` : ''}`;
}

export async function explainCommand(requestId: string | undefined, opts: ExplainOptions): Promise<number> {
  const res = await getAdmin(opts.endpoint, explainPath(requestId, opts));
  const body = (await res.json()) as ExplainResponse & { message?: string };
  if (!res.ok) {
    console.error(`mlzone explain: ${body.message ?? res.statusText}`);
    return 1;
  }
  console.log(opts.json ? JSON.stringify(body, null, 2) : formatExplanation(body));
  return 0;
}
