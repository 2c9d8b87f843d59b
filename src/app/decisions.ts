import type { RequestContext } from '../core/context.js';
import type { AuthorizationRecord } from '../gateway/authorizer.js';

export interface KeptDecision {
  readonly requestId: string;
  readonly time: string;
  readonly service: string;
  readonly operation: string;
  readonly principal: string;
  /** The caller's account (empty for anonymous and service principals). */
  readonly accountId: string;
  readonly decision: AuthorizationRecord['decision'];
  /** The AccessDenied text the caller got, for a refusal. */
  readonly message?: string;
  /** The authorizer's details (for the IAM authorizer, one `DecisionDetail` per check). */
  readonly details: unknown;
}

/** What `mlzone explain --last` narrows the most recent denial to; every given field must match. */
export interface DenialFilter {
  /** The caller's ARN, its role's ARN, or a part of the ARN (`ds1-scientist`, `DataScientist`). */
  readonly principal?: string;
  /** The caller's account, or the account of a resource a check was about. */
  readonly account?: string;
  /** `service:Operation` of the call or an IAM action checked (`sts:AssumeRole`), case-insensitive. */
  readonly action?: string;
}

function matches(d: Kept, f: DenialFilter): boolean {
  const checks = Array.isArray(d.details) ? (d.details as Array<{ action?: string; resource?: string }>) : [];
  if (f.principal !== undefined && !d.principal.includes(f.principal) && d.roleArn !== f.principal) return false;
  if (f.account !== undefined && d.accountId !== f.account && !checks.some((c) => c.resource?.split(':')[4] === f.account)) return false;
  if (f.action !== undefined) {
    const wanted = f.action.toLowerCase();
    if (`${d.service}:${d.operation}`.toLowerCase() !== wanted && !checks.some((c) => c.action?.toLowerCase() === wanted)) return false;
  }
  return true;
}

/**
 * A bounded map by request id that drops its oldest entry first. The ids are kept in insertion order as a queue
 * (`order[head]` is the oldest), so that dropping the oldest is O(1): `byId.keys().next()` after many deletes walks
 * over the deleted slots at the front of V8's ordered hash table (~6 µs per request at 10,000 entries).
 */
function boundedLog(limit: number) {
  const byId = new Map<string, Kept>();
  let order: string[] = [];
  let head = 0;
  return {
    byId,
    /** Newest first, the kept entries still in the log. */
    *newestFirst(): Generator<Kept> {
      for (let i = order.length - 1; i >= head; i--) {
        const kept = byId.get(order[i]!);
        if (kept) yield kept;
      }
    },
    add(requestId: string, kept: Kept): void {
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

/**
 * A kept decision: the facts `explain` renders and nothing else. The request context is the one the decision's
 * details already hold (they rebuild the condition keys from it), the details share the policies by reference with
 * every other decision of the same principal and resource, and of the refusal only its message stays — not the error
 * object, whose captured stack alone was ~0.5 KB a denial. The time is formatted when read.
 */
class Kept implements KeptDecision {
  readonly decision: AuthorizationRecord['decision'];
  readonly message: string | undefined;
  readonly details: unknown;
  constructor(
    readonly requestId: string,
    private readonly ctx: RequestContext,
    record: AuthorizationRecord,
    /** Order of keeping, across allowed and denied decisions. */
    readonly seq = 0,
  ) {
    this.decision = record.decision;
    this.message = record.error?.message;
    this.details = record.details;
  }
  get time(): string {
    return new Date(this.ctx.now).toISOString();
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
  get accountId(): string {
    return this.ctx.principal.accountId;
  }
  get roleArn(): string | undefined {
    return this.ctx.principal.roleArn;
  }
}

/**
 * The most recent authorization decisions by request id, for `mlzone explain` (bounded; oldest dropped first).
 * Denials — what people explain — are kept up to `limit`; allowed decisions only up to `allowedLimit`, in a fixed
 * ring of plain slots: keeping one costs three stores and no object, and nothing is updated in the denial map
 * (every allowed call of a busy server goes through here). When a request id was decided more than once, the
 * later decision answers (each keeps its sequence number). The time is formatted when read.
 */
export function createDecisionLog(limit = 10_000, allowedLimit = 1_000) {
  const denied = boundedLog(limit);
  const size = Math.max(0, Math.min(allowedLimit, limit));
  const ids: Array<string | undefined> = new Array<string | undefined>(size).fill(undefined);
  const contexts: Array<RequestContext | undefined> = new Array<RequestContext | undefined>(size).fill(undefined);
  const records: Array<AuthorizationRecord | undefined> = new Array<AuthorizationRecord | undefined>(size).fill(undefined);
  const seqs = new Float64Array(size);
  let next = 0;
  let seq = 0;
  return {
    keep(requestId: string, ctx: RequestContext, record: AuthorizationRecord): void {
      seq++;
      if (record.decision === 'Allow') {
        if (size === 0) return;
        ids[next] = requestId;
        contexts[next] = ctx;
        records[next] = record;
        seqs[next] = seq;
        next = (next + 1) % size;
      } else {
        denied.add(requestId, new Kept(requestId, ctx, record, seq));
      }
    },
    get(requestId: string): KeptDecision | undefined {
      const d = denied.byId.get(requestId);
      // Newest first: the first match is the latest allowed decision for this id.
      for (let i = 1; i <= size; i++) {
        const slot = (next - i + size) % size;
        if (ids[slot] !== requestId) continue;
        if (d !== undefined && d.seq > seqs[slot]!) return d;
        return new Kept(requestId, contexts[slot]!, records[slot]!, seqs[slot]);
      }
      return d;
    },
    /** The most recent denial that matches `filter` (any denial when it is empty), for `mlzone explain --last`. */
    lastDenied(filter: DenialFilter = {}): KeptDecision | undefined {
      for (const d of denied.newestFirst()) if (matches(d, filter)) return d;
      return undefined;
    },
  };
}
export type DecisionLog = ReturnType<typeof createDecisionLog>;
