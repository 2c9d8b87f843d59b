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

/**
 * A bounded map by request id that drops its oldest entry first. The ids are kept in insertion order as a queue
 * (`order[head]` is the oldest), so that dropping the oldest is O(1): `byId.keys().next()` after many deletes walks
 * over the deleted slots at the front of V8's ordered hash table (~6 µs per request at 10,000 entries).
 */
function boundedLog(limit: number) {
  const byId = new Map<string, KeptDecision>();
  let order: string[] = [];
  let head = 0;
  return {
    byId,
    add(requestId: string, kept: KeptDecision): void {
      if (limit <= 0) return;
      if (byId.size >= limit && head < order.length) byId.delete(order[head++]!);
      if (!byId.has(requestId)) order.push(requestId);
      byId.set(requestId, kept);
      if (head >= 1024 && head * 2 >= order.length) {
        order = order.slice(head);
        head = 0;
      }
    },
  };
}

/** A kept decision: the request context is held as is and read only when the decision is explained. */
class Kept implements KeptDecision {
  #time: string | undefined;
  constructor(
    readonly requestId: string,
    private readonly ctx: RequestContext,
    readonly record: AuthorizationRecord,
  ) {}
  get time(): string {
    return (this.#time ??= new Date(this.ctx.now).toISOString());
  }
  get service(): string {
    return this.ctx.service;
  }
  get operation(): string {
    return this.ctx.operation;
  }
  get principal(): string {
    return this.ctx.principal.arn;
  }
}

/**
 * The most recent authorization decisions by request id, for `mlzone explain` (bounded; oldest dropped first).
 * Denials — what people explain — are kept up to `limit`; allowed decisions only up to `allowedLimit` (every
 * allowed call of a busy server would otherwise keep its full record: memory and GC on the hot path).
 * The time is formatted when read.
 */
export function createDecisionLog(limit = 10_000, allowedLimit = 1_000) {
  const denied = boundedLog(limit);
  // Allowed decisions go round a fixed ring, newest over oldest: no map to update on every request. Finding one
  // walks the ring (explaining is rare; keeping is on every call).
  const ring: Array<Kept | undefined> = new Array<Kept | undefined>(Math.max(0, Math.min(allowedLimit, limit))).fill(undefined);
  let next = 0;
  return {
    keep(requestId: string, ctx: RequestContext, record: AuthorizationRecord): void {
      const kept = new Kept(requestId, ctx, record);
      if (record.decision === 'Allow') {
        denied.byId.delete(requestId);
        if (ring.length === 0) return;
        ring[next] = kept;
        next = (next + 1) % ring.length;
      } else {
        denied.add(requestId, kept);
      }
    },
    get(requestId: string): KeptDecision | undefined {
      const d = denied.byId.get(requestId);
      if (d) return d;
      for (let i = 1; i <= ring.length; i++) {
        const k = ring[(next - i + ring.length) % ring.length];
        if (k?.requestId === requestId) return k;
      }
      return undefined;
    },
  };
}
export type DecisionLog = ReturnType<typeof createDecisionLog>;
