import type { RequestContext } from '../core/context.js';
import type { AuthorizationRecord } from '../gateway/authorizer.js';

export interface KeptDecision {
  readonly requestId: string;
  readonly time: string;
  readonly service: string;
  readonly operation: string;
  readonly principal: string;
  readonly record: AuthorizationRecord;
}

/** The most recent authorization decisions by request id, for `mlzone explain` (bounded; oldest dropped first). */
export function createDecisionLog(limit = 10_000) {
  const byId = new Map<string, KeptDecision>();
  return {
    keep(requestId: string, ctx: RequestContext, record: AuthorizationRecord): void {
      if (byId.size >= limit) byId.delete(byId.keys().next().value!);
      byId.set(requestId, { requestId, time: new Date(ctx.now).toISOString(), service: ctx.service, operation: ctx.operation, principal: ctx.principal.arn, record });
    },
    get: (requestId: string): KeptDecision | undefined => byId.get(requestId),
  };
}
export type DecisionLog = ReturnType<typeof createDecisionLog>;
