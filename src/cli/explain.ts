/**
 * `mlzone explain <requestId>`: asks a running mlzone why a call was allowed or denied and prints every
 * policy it weighed, with the statements that matched. Talks to the HTTP API only.
 */
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
}

export function formatExplanation(e: ExplainResponse): string {
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

export async function explainCommand(requestId: string, opts: { endpoint: string; json?: boolean }): Promise<number> {
  const res = await fetch(`${opts.endpoint.replace(/\/$/, '')}/_mlzone/explain/${encodeURIComponent(requestId)}`);
  const body = (await res.json()) as ExplainResponse & { message?: string };
  if (!res.ok) {
    console.error(`mlzone explain: ${body.message ?? res.statusText}`);
    return 1;
  }
  console.log(opts.json ? JSON.stringify(body, null, 2) : formatExplanation(body));
  return 0;
}
