/**
 * Reads and writes of the SageMaker tables. Every function takes the executor (the database or an open
 * transaction), so one operation's reads and writes share a transaction. No rules here: handlers and `domain/`
 * decide before they write.
 */
import type { Kysely } from 'kysely';
import type { ResourceKind } from './domain/arns.js';

type Big = number | string | bigint;

type Tables = {
  sagemaker_resource: {
    arn: string;
    kind: string;
    account_id: string;
    region: string;
    name: string;
    parent: string | null;
    version: Big | null;
    status: string | null;
    created_at: Big;
    modified_at: Big;
    doc: string;
    policy: string | null;
  };
  sagemaker_tag: { arn: string; key: string; value: string; seq: Big };
  sagemaker_counter: { key: string; value: Big };
  /** No longer written: job output goes to CloudWatch Logs (the table stays, created by an applied migration). */
  sagemaker_job_log: { log_group: string; log_stream: string; seq: Big; at: Big; message: string };
};

type Ex = Kysely<any>;
const t = (ex: Ex) => ex.withTables<Tables>();
type Row = Tables['sagemaker_resource'];

/** One SageMaker resource: indexed columns plus its Describe-shaped document. */
export interface ResourceRecord<D = Record<string, unknown>> {
  readonly arn: string;
  readonly kind: ResourceKind;
  readonly accountId: string;
  readonly region: string;
  /** The name as the user wrote it (ARNs lower-case it). */
  readonly name: string;
  readonly parent?: string;
  readonly version?: number;
  readonly status?: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly doc: D;
  /** A resource-based policy (model package groups). */
  readonly policy?: string;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

function recordOf<D>(r: Row): ResourceRecord<D> {
  return {
    arn: r.arn,
    kind: r.kind as ResourceKind,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    ...(r.parent !== null ? { parent: r.parent } : {}),
    ...(r.version !== null ? { version: Number(r.version) } : {}),
    ...(r.status !== null ? { status: r.status } : {}),
    createdAt: Number(r.created_at),
    modifiedAt: Number(r.modified_at),
    doc: JSON.parse(r.doc) as D,
    ...(r.policy !== null ? { policy: r.policy } : {}),
  };
}

function rowOf(r: ResourceRecord<unknown>): Row {
  return {
    arn: r.arn,
    kind: r.kind,
    account_id: r.accountId,
    region: r.region,
    name: r.name,
    parent: r.parent ?? null,
    version: r.version ?? null,
    status: r.status ?? null,
    created_at: r.createdAt,
    modified_at: r.modifiedAt,
    doc: JSON.stringify(r.doc),
    policy: r.policy ?? null,
  };
}

export interface ListQuery {
  readonly kind: ResourceKind;
  readonly accountId: string;
  readonly region: string;
  readonly parent?: string;
}

export const store = {
  async get<D = Record<string, unknown>>(ex: Ex, arn: string): Promise<ResourceRecord<D> | undefined> {
    const row = await t(ex).selectFrom('sagemaker_resource').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && recordOf<D>(row as Row);
  },

  /** Resources of one kind in one account and region (optionally of one parent), oldest first. */
  async list<D = Record<string, unknown>>(ex: Ex, q: ListQuery): Promise<ResourceRecord<D>[]> {
    let query = t(ex).selectFrom('sagemaker_resource').selectAll().where('account_id', '=', q.accountId).where('region', '=', q.region).where('kind', '=', q.kind);
    if (q.parent !== undefined) query = query.where('parent', '=', q.parent);
    const rows = await query.orderBy('created_at').orderBy('arn').execute();
    return rows.map((r) => recordOf<D>(r as Row));
  },

  /** Every resource of some kinds, in every account (start-up recovery of endpoints). */
  async allOf<D = Record<string, unknown>>(ex: Ex, kind: ResourceKind): Promise<ResourceRecord<D>[]> {
    const rows = await t(ex).selectFrom('sagemaker_resource').selectAll().where('kind', '=', kind).orderBy('created_at').execute();
    return rows.map((r) => recordOf<D>(r as Row));
  },

  async countChildren(ex: Ex, parent: string, kind: ResourceKind): Promise<number> {
    const row = await t(ex).selectFrom('sagemaker_resource').select((eb) => eb.fn.countAll<Big>().as('n')).where('parent', '=', parent).where('kind', '=', kind).executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  async insert(ex: Ex, r: ResourceRecord<unknown>): Promise<void> {
    await t(ex).insertInto('sagemaker_resource').values(rowOf(r)).execute();
  },

  /** Replaces the mutable parts of a resource. */
  async update(ex: Ex, arn: string, patch: { readonly doc?: unknown; readonly status?: string; readonly modifiedAt?: number; readonly policy?: string | null }): Promise<void> {
    const values: Partial<Row> = {};
    if (patch.doc !== undefined) values.doc = JSON.stringify(patch.doc);
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.modifiedAt !== undefined) values.modified_at = patch.modifiedAt;
    if (patch.policy !== undefined) values.policy = patch.policy;
    if (Object.keys(values).length === 0) return;
    await t(ex).updateTable('sagemaker_resource').set(values).where('arn', '=', arn).execute();
  },

  async delete(ex: Ex, arn: string): Promise<void> {
    await t(ex).deleteFrom('sagemaker_resource').where('arn', '=', arn).execute();
    await t(ex).deleteFrom('sagemaker_tag').where('arn', '=', arn).execute();
  },

  /** Increments and returns a named counter (first value 1). Call inside a transaction. */
  async next(ex: Ex, key: string): Promise<number> {
    const row = await t(ex).selectFrom('sagemaker_counter').select('value').where('key', '=', key).executeTakeFirst();
    const value = Number(row?.value ?? 0) + 1;
    if (row) await t(ex).updateTable('sagemaker_counter').set({ value }).where('key', '=', key).execute();
    else await t(ex).insertInto('sagemaker_counter').values({ key, value }).execute();
    return value;
  },

  /** Tags in the order they were first added. */
  async tags(ex: Ex, arn: string): Promise<Tag[]> {
    const rows = await t(ex).selectFrom('sagemaker_tag').select(['key', 'value']).where('arn', '=', arn).orderBy('seq').orderBy('key').execute();
    return rows.map((r) => ({ Key: r.key, Value: r.value }));
  },

  /** Adds or overwrites tags (an overwritten key keeps its place). */
  async putTags(ex: Ex, arn: string, tags: readonly Tag[]): Promise<void> {
    if (tags.length === 0) return;
    const existing = new Set((await this.tags(ex, arn)).map((x) => x.Key));
    const seqRow = await t(ex).selectFrom('sagemaker_tag').select((eb) => eb.fn.max<Big>('seq').as('m')).where('arn', '=', arn).executeTakeFirst();
    let seq = Number(seqRow?.m ?? 0);
    for (const tag of tags) {
      if (existing.has(tag.Key)) {
        await t(ex).updateTable('sagemaker_tag').set({ value: tag.Value }).where('arn', '=', arn).where('key', '=', tag.Key).execute();
      } else {
        await t(ex).insertInto('sagemaker_tag').values({ arn, key: tag.Key, value: tag.Value, seq: ++seq }).execute();
        existing.add(tag.Key);
      }
    }
  },

  async deleteTags(ex: Ex, arn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await t(ex).deleteFrom('sagemaker_tag').where('arn', '=', arn).where('key', 'in', [...keys]).execute();
  },
};
