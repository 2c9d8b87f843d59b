/**
 * Logs Insights queries this process ran, per account and region, for GetQueryResults / DescribeQueries.
 * Kept in memory like AWS keeps results for a limited time: the newest `capacity` queries stay.
 */
import type { QueryOutput } from './insights/evaluate.js';

export interface QueryRecord {
  readonly queryId: string;
  readonly account: string;
  readonly region: string;
  readonly queryString: string;
  readonly logGroupName: string;
  readonly createTime: number;
  readonly durationMs: number;
  readonly status: 'Complete' | 'Cancelled' | 'Failed';
  readonly output: QueryOutput & { readonly logGroupsScanned: number };
}

export function createQueryRegistry(capacity = 1000) {
  const byId = new Map<string, QueryRecord>();
  return {
    add(q: QueryRecord): void {
      byId.set(q.queryId, q);
      if (byId.size > capacity) byId.delete(byId.keys().next().value!);
    },
    get(account: string, region: string, id: string): QueryRecord | undefined {
      const q = byId.get(id);
      return q && q.account === account && q.region === region ? q : undefined;
    },
    /** Newest first. */
    list(account: string, region: string): QueryRecord[] {
      return [...byId.values()].filter((q) => q.account === account && q.region === region).reverse();
    },
  };
}

export type QueryRegistry = ReturnType<typeof createQueryRegistry>;
