/** Athena's rows: query executions (one JSON document each) and named documents (workgroups, named queries, prepared statements). */
import type { Kysely } from 'kysely';
import type { Database } from '../../persistence/db.js';
import type { ResultColumn } from '../../query/engine.js';

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface QueryRecord {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly workgroup: string;
  readonly clientToken?: string;
  readonly query: string;
  readonly statementType: 'DML' | 'DDL' | 'UTILITY';
  readonly substatementType: string;
  readonly database?: string;
  readonly catalog?: string;
  /** Full result file path `s3://bucket/prefix/<id>.csv`. */
  readonly outputLocation: string;
  readonly executionParameters?: readonly string[];
  readonly state: QueryState;
  readonly stateChangeReason?: string;
  readonly error?: { readonly category: number; readonly type: number; readonly retryable: boolean; readonly message: string };
  readonly submittedAt: number;
  readonly startedAt?: number;
  readonly completedAt?: number;
  readonly engineMillis?: number;
  readonly dataScannedInBytes?: number;
  readonly columns?: readonly ResultColumn[];
  readonly rowCount?: number;
  /** Per table read, the Lake Formation grant (or missing grant) that decided (`mlzone explain`). */
  readonly tableAccess?: readonly string[];
}

export type ResourceKind = 'workgroup' | 'named_query' | 'prepared_statement';

export interface ResourceRow<D> {
  readonly key: string;
  readonly workgroup: string;
  readonly createdAt: number;
  readonly doc: D;
}

const ACTIVE: QueryState[] = ['QUEUED', 'RUNNING'];

export function createAthenaStore(db: Database) {
  const k = (): Kysely<any> => db.kysely;
  const fromRow = (r: { doc: string }): QueryRecord => JSON.parse(r.doc) as QueryRecord;
  return {
    async insertQuery(q: QueryRecord): Promise<void> {
      await k()
        .insertInto('athena_query')
        .values({ id: q.id, account_id: q.accountId, region: q.region, workgroup: q.workgroup, client_token: q.clientToken ?? null, state: q.state, submitted_at: q.submittedAt, completed_at: q.completedAt ?? null, doc: JSON.stringify(q) })
        .execute();
    },
    /** Writes `next` only while the stored state is still active (a Stop or a restart wins over a late finish). */
    async updateActive(next: QueryRecord): Promise<boolean> {
      const r = await k()
        .updateTable('athena_query')
        .set({ state: next.state, completed_at: next.completedAt ?? null, doc: JSON.stringify(next) })
        .where('id', '=', next.id)
        .where('state', 'in', ACTIVE)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async query(accountId: string, region: string, id: string): Promise<QueryRecord | undefined> {
      const r = await k().selectFrom('athena_query').select('doc').where('id', '=', id).where('account_id', '=', accountId).where('region', '=', region).executeTakeFirst();
      return r ? fromRow(r) : undefined;
    },
    /** A query by id alone (ids are UUIDs, unique across accounts and regions): for the operator's `mlzone explain`. */
    async queryById(id: string): Promise<QueryRecord | undefined> {
      const r = await k().selectFrom('athena_query').select('doc').where('id', '=', id).executeTakeFirst();
      return r ? fromRow(r) : undefined;
    },
    async byToken(accountId: string, region: string, token: string): Promise<QueryRecord | undefined> {
      const r = await k().selectFrom('athena_query').select('doc').where('account_id', '=', accountId).where('region', '=', region).where('client_token', '=', token).executeTakeFirst();
      return r ? fromRow(r) : undefined;
    },
    /** Ids of a workgroup, newest first, after `after` (an id of the previous page). */
    async listIds(accountId: string, region: string, workgroup: string, offset: number, limit: number): Promise<string[]> {
      const rows = await k()
        .selectFrom('athena_query')
        .select('id')
        .where('account_id', '=', accountId)
        .where('region', '=', region)
        .where('workgroup', '=', workgroup)
        .orderBy('submitted_at', 'desc')
        .orderBy('id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute();
      return rows.map((r) => String(r.id));
    },
    async active(): Promise<QueryRecord[]> {
      return (await k().selectFrom('athena_query').select('doc').where('state', 'in', ACTIVE).execute()).map(fromRow);
    },
    async putResource<D>(accountId: string, region: string, kind: ResourceKind, row: ResourceRow<D>, replace: boolean): Promise<boolean> {
      const values = { account_id: accountId, region, kind, key: row.key, workgroup: row.workgroup, created_at: row.createdAt, doc: JSON.stringify(row.doc) };
      if (replace) {
        const r = await k().updateTable('athena_resource').set({ doc: values.doc, workgroup: row.workgroup }).where('account_id', '=', accountId).where('region', '=', region).where('kind', '=', kind).where('key', '=', row.key).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }
      const existing = await this.resource(accountId, region, kind, row.key);
      if (existing) return false;
      await k().insertInto('athena_resource').values(values).execute();
      return true;
    },
    async resource<D>(accountId: string, region: string, kind: ResourceKind, key: string): Promise<ResourceRow<D> | undefined> {
      const r = await k().selectFrom('athena_resource').selectAll().where('account_id', '=', accountId).where('region', '=', region).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
      return r ? { key: String(r.key), workgroup: String(r.workgroup), createdAt: Number(r.created_at), doc: JSON.parse(String(r.doc)) as D } : undefined;
    },
    async resources<D>(accountId: string, region: string, kind: ResourceKind, workgroup?: string): Promise<ResourceRow<D>[]> {
      let q = k().selectFrom('athena_resource').selectAll().where('account_id', '=', accountId).where('region', '=', region).where('kind', '=', kind);
      if (workgroup !== undefined) q = q.where('workgroup', '=', workgroup);
      const rows = await q.orderBy('key').execute();
      return rows.map((r) => ({ key: String(r.key), workgroup: String(r.workgroup), createdAt: Number(r.created_at), doc: JSON.parse(String(r.doc)) as D }));
    },
    async deleteResource(accountId: string, region: string, kind: ResourceKind, key: string): Promise<boolean> {
      const r = await k().deleteFrom('athena_resource').where('account_id', '=', accountId).where('region', '=', region).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type AthenaStore = ReturnType<typeof createAthenaStore>;
