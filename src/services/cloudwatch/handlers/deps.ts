import type { RequestContext } from '../../../core/context.js';
import type { ObservabilityLinks } from '../../../core/observability.js';
import { CloudWatchErrors } from '../api.gen.js';
import type { MetricStore } from '../store.js';

export interface HandlerDeps {
  readonly store: MetricStore;
  readonly links?: ObservabilityLinks;
  readonly now: () => number;
  readonly log?: (msg: string, err?: unknown) => void;
}

/** The accounts whose metrics the caller sees: its own, then the source accounts linked to it through OAM. */
export async function visibleAccounts(deps: HandlerDeps, ctx: Pick<RequestContext, 'accountId' | 'region'>, includeLinked = true): Promise<string[]> {
  if (!includeLinked || !deps.links) return [ctx.accountId];
  const linked = await deps.links.sourceAccounts(ctx.accountId, ctx.region, 'AWS::CloudWatch::Metric');
  return [ctx.accountId, ...linked.filter((a) => a !== ctx.accountId)];
}

/** NextToken as CloudWatch hands it out: opaque; here the offset into a stable ordering, tied to the request's shape. */
export function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

export function decodeToken(token: string | undefined, fingerprint: string): number {
  if (token === undefined) return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 && v.f === fingerprint) return v.o;
  } catch {
    // falls through to the error below
  }
  throw CloudWatchErrors.InvalidNextToken('The service returned an invalid NextToken.');
}
