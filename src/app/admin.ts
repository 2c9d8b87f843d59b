import { queryParam, type WireRequest, type WireResponse } from '../core/wire.js';
import type { OrganizationStatus } from './org-status.js';
import type { ServiceRegistry } from '../gateway/service-registry.js';
import type { DecisionDetail } from '../gateway/enforce/iam-authorizer.js';
import { explain } from '../iam/explain.js';
import type { Blueprint } from '../org/blueprint-types.js';
import type { DecisionLog, DenialFilter, KeptDecision } from './decisions.js';
import type { EventLog } from './event-log.js';

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body, null, 2) };
}

/** What runs in this process, for `/_mlzone/status`: every endpoint's variants and their container instances. */
export interface RunningEndpoint {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly variants: ReadonlyArray<{
    readonly name: string;
    readonly weight: number;
    readonly image: string;
    readonly instances: ReadonlyArray<{ readonly pid?: number; readonly port: number; readonly healthy: boolean; readonly rssBytes?: number }>;
  }>;
}

/** `/_mlzone/*`: health (version and implemented operations), the accounts, `status` (what runs), `events`, `explain/<requestId>` and `explain/last` (the newest denial, `?principal=&account=&action=`). */
export function adminEndpoints(deps: { version: string; services: ServiceRegistry; blueprint: Blueprint; auth: string; decisions: DecisionLog; running: () => RunningEndpoint[]; runningJobs: () => string[]; events: EventLog; organization?: () => Promise<OrganizationStatus>; queryAccess?: (queryExecutionId: string) => Promise<QueryAccess | undefined> }) {
  return async (req: WireRequest, path: string): Promise<WireResponse | undefined> => {
    if (req.method !== 'GET') return undefined;
    if (path === '/_mlzone/health') {
      return json(200, {
        status: 'ok',
        version: deps.version,
        auth: deps.auth,
        services: deps.services.implemented(),
      });
    }
    if (path === '/_mlzone/accounts') {
      // A blueprint outsider that accepted an invitation is a member now.
      const members = deps.organization ? new Set((await deps.organization()).accounts.filter((a) => !a.outsideOrganization).map((a) => a.id)) : undefined;
      const outside = (a: Blueprint['accounts'][number]) => a.outsideOrganization === true && !members?.has(a.id);
      return json(
        200,
        deps.blueprint.accounts.map((a) => ({ name: a.name, id: a.id, ...(outside(a) ? { outsideOrganization: true } : {}), roles: a.roles.map((r) => r.name), users: a.users.map((u) => u.name) })),
      );
    }
    if (path === '/_mlzone/status') {
      return json(200, { ...(deps.organization ? { organization: await deps.organization() } : {}), endpoints: deps.running(), jobs: deps.runningJobs() });
    }
    // What EventBridge would have delivered (until it exists): `?account=…&detail-type=…` narrow it.
    if (path === '/_mlzone/events') {
      const q = new Map(req.query);
      return json(200, deps.events.list({ account: q.get('account'), detailType: q.get('detail-type') }));
    }
    if (path === '/_mlzone/explain/last') {
      const filter: DenialFilter = Object.fromEntries(LAST_FILTERS.flatMap((k) => (queryParam(req, k) ? [[k, queryParam(req, k)]] : [])));
      const kept = deps.decisions.lastDenied(filter);
      if (!kept) return json(404, { message: `no denial is kept${Object.keys(filter).length ? ` that matches ${LAST_FILTERS.filter((k) => filter[k]).map((k) => `--${k} ${filter[k]}`).join(' ')}` : ''}` });
      return json(200, explanation(kept));
    }
    const m = /^\/_mlzone\/explain\/([\w-]+)$/.exec(path);
    if (m) {
      const kept = deps.decisions.get(m[1]!);
      // An Athena query execution id: which Lake Formation grant (or missing grant) decided each table it read.
      const query = kept ? undefined : await deps.queryAccess?.(m[1]!);
      if (query) return json(200, { requestId: m[1], call: 'athena:StartQueryExecution', principal: '', verdict: `Lake Formation (query in ${query.accountId})`, checks: [], tables: query.tables });
      if (!kept) return json(404, { message: `no authorization decision is kept for request ${m[1]}` });
      return json(200, explanation(kept));
    }
    return undefined;
  };
}

const LAST_FILTERS = ['principal', 'account', 'action'] as const;

/** What decided an Athena query's access to each table it named: `<db.table>: <grant or missing grant>`. */
export interface QueryAccess {
  readonly accountId: string;
  readonly tables: readonly string[];
}

function explanation(kept: KeptDecision) {
  const details = kept.details as DecisionDetail[];
  return {
    requestId: kept.requestId,
    time: kept.time,
    call: `${kept.service}:${kept.operation}`,
    principal: kept.principal,
    verdict: kept.decision,
    message: kept.message,
    checks: details.map((d) => ({ ...explain(d.request, d.result), context: d.context })),
  };
}
