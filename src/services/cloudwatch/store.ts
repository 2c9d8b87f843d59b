/**
 * CloudWatch tables. A metric (account, region, namespace, name, dimensions) is one row; its data lives in
 * aggregation buckets keyed (metric, resolution, bucket start, unit): one per minute, plus one per second for
 * high-resolution datums (those also feed the minute bucket). A bucket holds count/sum/min/max and a bounded
 * histogram (domain/sketch.ts), so a day at one-minute period is at most 1,440 rows per metric and unit
 * whatever the number of points, read through the primary key.
 *
 * Retention, as CloudWatch's: second buckets are kept 3 hours; minute buckets 15 days, then rolled up into
 * 5-minute buckets kept 63 days, then into hourly buckets kept 455 days (`expire`). A time slot's data lives in one
 * tier at a time (rolling up moves it), so readers merge every tier at or above the one they need. A metric row
 * stays while it may still have data (455 days after its last put); ListMetrics and SEARCH show only those put in
 * the past two weeks. Alarm history is kept two weeks. Times are epoch milliseconds.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';
import type { Bucket } from './domain/sketch.js';
import { mergeInto } from './domain/sketch.js';

export interface MetricKey {
  readonly account: string;
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name. */
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export interface StoredMetric extends MetricKey {
  readonly id: string;
  readonly lastPut: number;
}

export type Resolution = 1 | 60 | 300 | 3600;

export interface BucketWrite {
  readonly metric: MetricKey;
  readonly res: 1 | 60;
  readonly t: number;
  readonly unit: string;
  readonly bucket: Bucket;
}

export interface BucketRow {
  readonly t: number;
  readonly unit: string;
  readonly bucket: Bucket;
}

const DAY_MS = 86_400_000;
export const RETENTION_MS: Readonly<Record<Resolution, number>> = { 1: 3 * 3600_000, 60: 15 * DAY_MS, 300: 63 * DAY_MS, 3600: 455 * DAY_MS };
/** How long a metric with no new data stays in ListMetrics and SEARCH. */
export const LISTED_MS = 14 * DAY_MS;
const HISTORY_MS = 14 * DAY_MS;
/** Each tier's buckets go, when they expire, into the next coarser tier. */
const ROLL_UPS: readonly [from: Resolution, to: Resolution][] = [
  [60, 300],
  [300, 3600],
];
/** A bucket about to be merged into the stored one under the same key. */
interface Pending {
  readonly id: string;
  readonly res: number;
  readonly t: number;
  readonly unit: string;
  readonly bucket: Bucket;
}

/** Rows per multi-row statement when writing (well under SQLite's and PostgreSQL's bound-parameter limits). */
const WRITE_CHUNK = 250;

function* chunks<T>(xs: readonly T[], n: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += n) yield xs.slice(i, i + n);
}

/** Rows moved per transaction while rolling up (bounds the time the database is held). */
const ROLL_UP_CHUNK = 2000;

function canonicalKey(k: MetricKey): string {
  return JSON.stringify([k.account, k.region, k.namespace, k.metricName, k.dimensions.map((d) => [d.Name, d.Value])]);
}

function hashKey(canonical: string): string {
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 32);
}

export function metricId(k: MetricKey): string {
  return hashKey(canonicalKey(k));
}

export const cloudWatchMigrations: Migration[] = [
  {
    name: 'cloudwatch-001-metrics',
    async up(db: Kysely<any>) {
      const text = binaryText(db);
      await db.schema
        .createTable('cloudwatch_metrics')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('account', text, (c) => c.notNull())
        .addColumn('region', text, (c) => c.notNull())
        .addColumn('namespace', text, (c) => c.notNull())
        .addColumn('metric_name', text, (c) => c.notNull())
        .addColumn('dims_json', 'text', (c) => c.notNull())
        .addColumn('last_put', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cloudwatch_metrics_by_name').on('cloudwatch_metrics').columns(['account', 'region', 'namespace', 'metric_name']).execute();
      await db.schema
        .createTable('cloudwatch_buckets')
        .addColumn('metric_id', text, (c) => c.notNull())
        .addColumn('res', 'integer', (c) => c.notNull())
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('unit', text, (c) => c.notNull())
        .addColumn('count', 'double precision', (c) => c.notNull())
        .addColumn('sum', 'double precision', (c) => c.notNull())
        .addColumn('min', 'double precision', (c) => c.notNull())
        .addColumn('max', 'double precision', (c) => c.notNull())
        .addColumn('bins', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudwatch_buckets_pk', ['metric_id', 'res', 't', 'unit'])
        .execute();
      await db.schema.createIndex('cloudwatch_buckets_by_time').on('cloudwatch_buckets').columns(['res', 't']).execute();
      await db.schema
        .createTable('cloudwatch_dashboards')
        .addColumn('account', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudwatch_dashboards_pk', ['account', 'name'])
        .execute();
      await db.schema
        .createTable('cloudwatch_alarms')
        .addColumn('account', text, (c) => c.notNull())
        .addColumn('region', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('alarm_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudwatch_alarms_pk', ['account', 'region', 'name'])
        .execute();
      await db.schema
        .createTable('cloudwatch_alarm_history')
        .addColumn('account', text, (c) => c.notNull())
        .addColumn('region', text, (c) => c.notNull())
        .addColumn('alarm_name', text, (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('item_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cloudwatch_alarm_history_by_time').on('cloudwatch_alarm_history').columns(['account', 'region', 'ts']).execute();
      await db.schema
        .createTable('cloudwatch_tags')
        .addColumn('arn', text, (c) => c.notNull())
        .addColumn('tag_key', text, (c) => c.notNull())
        .addColumn('tag_value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudwatch_tags_pk', ['arn', 'tag_key'])
        .execute();
    },
  },
];

function toBucket(r: { count: unknown; sum: unknown; min: unknown; max: unknown; bins: string }): Bucket {
  return { count: Number(r.count), sum: Number(r.sum), min: Number(r.min), max: Number(r.max), bins: JSON.parse(r.bins) as Record<string, number> };
}

function toMetric(r: any): StoredMetric {
  return {
    id: r.id,
    account: r.account,
    region: r.region,
    namespace: r.namespace,
    metricName: r.metric_name,
    dimensions: JSON.parse(r.dims_json),
    lastPut: Number(r.last_put),
  };
}

export interface MetricFilter {
  readonly accounts: readonly string[];
  readonly region: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly since?: number;
}

export function createMetricStore(db: Database) {
  // metricId hashes a canonical form; writers repeat the same few metrics, so the hashes are remembered (bounded).
  const ids = new Map<string, string>();
  const idOf = (k: MetricKey): string => {
    const canonical = canonicalKey(k);
    let id = ids.get(canonical);
    if (id === undefined) {
      if (ids.size >= 10_000) ids.clear();
      ids.set(canonical, (id = hashKey(canonical)));
    }
    return id;
  };
  /**
   * Merges `entries` (keyed `id|res|t|unit`) with the buckets stored under the same keys and writes them back: the
   * existing rows are read by primary key and the merged rows written as multi-row upserts, in chunks.
   */
  async function mergeBuckets(trx: Kysely<any>, entries: Map<string, Pending>): Promise<void> {
    for (const part of chunks([...entries.values()], WRITE_CHUNK)) {
      const existing: any[] = await trx
        .selectFrom('cloudwatch_buckets')
        .select(['metric_id', 'res', 't', 'unit', 'count', 'sum', 'min', 'max', 'bins'])
        .where((eb) => eb(eb.refTuple('metric_id', 'res', 't'), 'in', part.map((w) => eb.tuple(w.id, w.res, w.t))))
        .execute();
      for (const r of existing) {
        const w = entries.get(`${r.metric_id}|${Number(r.res)}|${Number(r.t)}|${r.unit}`);
        if (w) mergeInto(w.bucket, toBucket(r));
      }
      await trx
        .insertInto('cloudwatch_buckets')
        .values(part.map((w) => ({ metric_id: w.id, res: w.res, t: w.t, unit: w.unit, count: w.bucket.count, sum: w.bucket.sum, min: w.bucket.min, max: w.bucket.max, bins: JSON.stringify(w.bucket.bins) })))
        .onConflict((oc) =>
          oc.columns(['metric_id', 'res', 't', 'unit']).doUpdateSet((eb) => ({
            count: eb.ref('excluded.count'),
            sum: eb.ref('excluded.sum'),
            min: eb.ref('excluded.min'),
            max: eb.ref('excluded.max'),
            bins: eb.ref('excluded.bins'),
          })),
        )
        .execute();
    }
  }

  /** Moves the `from` buckets older than `cutoff` into `to` buckets (merged with what is there), chunk by chunk. */
  async function rollUp(from: Resolution, to: Resolution, cutoff: number): Promise<void> {
    const toMs = to * 1000;
    for (;;) {
      const moved = await db.transaction(async (trx) => {
        const rows: any[] = await trx
          .selectFrom('cloudwatch_buckets')
          .select(['metric_id', 't', 'unit', 'count', 'sum', 'min', 'max', 'bins'])
          .where('res', '=', from)
          .where('t', '<', cutoff)
          .orderBy('t')
          .limit(ROLL_UP_CHUNK)
          .execute();
        const merged = new Map<string, Pending>();
        for (const r of rows) {
          const t = Math.floor(Number(r.t) / toMs) * toMs;
          const key = `${r.metric_id}|${to}|${t}|${r.unit}`;
          const prev = merged.get(key);
          if (prev) mergeInto(prev.bucket, toBucket(r));
          else merged.set(key, { id: r.metric_id, res: to, t, unit: r.unit, bucket: toBucket(r) });
        }
        for (const part of chunks(rows, WRITE_CHUNK)) {
          await trx
            .deleteFrom('cloudwatch_buckets')
            .where('res', '=', from)
            .where((eb) => eb(eb.refTuple('metric_id', 't', 'unit'), 'in', part.map((r) => eb.tuple(r.metric_id, r.t, r.unit))))
            .execute();
        }
        await mergeBuckets(trx, merged);
        return rows.length;
      });
      if (moved < ROLL_UP_CHUNK) return;
    }
  }

  return {
    /**
     * Merges the writes into their buckets in one transaction (all visible together, or none). A call costs a
     * handful of statements whatever its size: the writes are merged in memory per bucket first, the buckets that
     * exist are read by primary key in chunks, and the merged rows go back as multi-row upserts.
     */
    async write(writes: readonly BucketWrite[], now: number): Promise<void> {
      if (writes.length === 0) return;
      const merged = new Map<string, Pending>();
      const metrics = new Map<string, MetricKey>();
      for (const w of writes) {
        const id = idOf(w.metric);
        metrics.set(id, w.metric);
        const key = `${id}|${w.res}|${w.t}|${w.unit}`;
        const prev = merged.get(key);
        if (prev) mergeInto(prev.bucket, w.bucket);
        else merged.set(key, { id, res: w.res, t: w.t, unit: w.unit, bucket: { ...w.bucket, bins: { ...w.bucket.bins } } });
      }
      await db.transaction(async (trx) => {
        for (const part of chunks([...metrics], WRITE_CHUNK)) {
          await trx
            .insertInto('cloudwatch_metrics')
            .values(part.map(([id, m]) => ({ id, account: m.account, region: m.region, namespace: m.namespace, metric_name: m.metricName, dims_json: JSON.stringify(m.dimensions), last_put: now })))
            .onConflict((oc) => oc.column('id').doUpdateSet({ last_put: now }))
            .execute();
        }
        await mergeBuckets(trx, merged);
      });
    },

    /** Buckets of one metric in [start, end), at the given resolutions, oldest first. */
    async buckets(id: string, res: readonly Resolution[], start: number, end: number): Promise<BucketRow[]> {
      const rows = await db.kysely
        .selectFrom('cloudwatch_buckets')
        .select(['t', 'unit', 'count', 'sum', 'min', 'max', 'bins'])
        .where('metric_id', '=', id)
        .where('res', 'in', [...res])
        .where('t', '>=', start)
        .where('t', '<', end)
        .orderBy('t')
        .execute();
      return rows.map((r: any) => ({ t: Number(r.t), unit: r.unit, bucket: toBucket(r) }));
    },

    async metrics(f: MetricFilter): Promise<StoredMetric[]> {
      if (f.accounts.length === 0) return [];
      let q = db.kysely.selectFrom('cloudwatch_metrics').selectAll().where('account', 'in', [...f.accounts]).where('region', '=', f.region);
      if (f.namespace !== undefined) q = q.where('namespace', '=', f.namespace);
      if (f.metricName !== undefined) q = q.where('metric_name', '=', f.metricName);
      if (f.since !== undefined) q = q.where('last_put', '>=', f.since);
      const rows = await q.orderBy('namespace').orderBy('metric_name').orderBy('id').execute();
      return rows.map(toMetric);
    },

    async metric(id: string): Promise<StoredMetric | undefined> {
      const r = await db.kysely.selectFrom('cloudwatch_metrics').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toMetric(r) : undefined;
    },

    /**
     * Applies retention at `now`: drops expired second buckets, rolls expired minute buckets into 5-minute ones and
     * those into hourly ones, drops expired hourly buckets, metrics that can have no data left, and old alarm history.
     */
    async expire(now: number): Promise<void> {
      await db.kysely.deleteFrom('cloudwatch_buckets').where('res', '=', 1).where('t', '<', now - RETENTION_MS[1]).execute();
      for (const [from, to] of ROLL_UPS) await rollUp(from, to, now - RETENTION_MS[from]);
      await db.kysely.deleteFrom('cloudwatch_buckets').where('res', '=', 3600).where('t', '<', now - RETENTION_MS[3600]).execute();
      await db.kysely.deleteFrom('cloudwatch_metrics').where('last_put', '<', now - RETENTION_MS[3600]).execute();
      await db.kysely.deleteFrom('cloudwatch_alarm_history').where('ts', '<', now - HISTORY_MS).execute();
    },

    // Dashboards
    async putDashboard(account: string, name: string, body: string, now: number): Promise<void> {
      await db.kysely
        .insertInto('cloudwatch_dashboards')
        .values({ account, name, body, last_modified: now })
        .onConflict((oc) => oc.columns(['account', 'name']).doUpdateSet({ body, last_modified: now }))
        .execute();
    },
    async dashboard(account: string, name: string): Promise<{ name: string; body: string; lastModified: number } | undefined> {
      const r: any = await db.kysely.selectFrom('cloudwatch_dashboards').selectAll().where('account', '=', account).where('name', '=', name).executeTakeFirst();
      return r ? { name: r.name, body: r.body, lastModified: Number(r.last_modified) } : undefined;
    },
    async dashboards(account: string): Promise<{ name: string; body: string; lastModified: number }[]> {
      const rows: any[] = await db.kysely.selectFrom('cloudwatch_dashboards').selectAll().where('account', '=', account).orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, body: r.body, lastModified: Number(r.last_modified) }));
    },
    async deleteDashboards(account: string, names: readonly string[]): Promise<void> {
      await db.kysely.deleteFrom('cloudwatch_dashboards').where('account', '=', account).where('name', 'in', [...names]).execute();
    },

    // Alarms (the whole alarm as JSON: it is read and written whole)
    async putAlarm(account: string, region: string, name: string, alarm: unknown): Promise<void> {
      const alarm_json = JSON.stringify(alarm);
      await db.kysely
        .insertInto('cloudwatch_alarms')
        .values({ account, region, name, alarm_json })
        .onConflict((oc) => oc.columns(['account', 'region', 'name']).doUpdateSet({ alarm_json }))
        .execute();
    },
    async alarms(account?: string, region?: string): Promise<{ account: string; region: string; alarm: any }[]> {
      let q = db.kysely.selectFrom('cloudwatch_alarms').selectAll();
      if (account !== undefined) q = q.where('account', '=', account);
      if (region !== undefined) q = q.where('region', '=', region);
      const rows: any[] = await q.orderBy('name').execute();
      return rows.map((r) => ({ account: r.account, region: r.region, alarm: JSON.parse(r.alarm_json) }));
    },
    async deleteAlarms(account: string, region: string, names: readonly string[]): Promise<void> {
      await db.kysely.deleteFrom('cloudwatch_alarms').where('account', '=', account).where('region', '=', region).where('name', 'in', [...names]).execute();
    },
    async addHistory(account: string, region: string, alarmName: string, ts: number, item: unknown): Promise<void> {
      await db.kysely.insertInto('cloudwatch_alarm_history').values({ account, region, alarm_name: alarmName, ts, item_json: JSON.stringify(item) }).execute();
    },
    async history(account: string, region: string, alarmName: string | undefined, start: number, end: number): Promise<any[]> {
      let q = db.kysely.selectFrom('cloudwatch_alarm_history').select(['item_json']).where('account', '=', account).where('region', '=', region).where('ts', '>=', start).where('ts', '<=', end);
      if (alarmName !== undefined) q = q.where('alarm_name', '=', alarmName);
      const rows: any[] = await q.orderBy('ts', 'desc').execute();
      return rows.map((r) => JSON.parse(r.item_json));
    },

    // Tags
    async tags(arn: string): Promise<{ Key: string; Value: string }[]> {
      const rows: any[] = await db.kysely.selectFrom('cloudwatch_tags').select(['tag_key', 'tag_value']).where('arn', '=', arn).orderBy('tag_key').execute();
      return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
    },
    async tag(arn: string, tags: readonly { Key: string; Value: string }[]): Promise<void> {
      for (const t of tags) {
        await db.kysely
          .insertInto('cloudwatch_tags')
          .values({ arn, tag_key: t.Key, tag_value: t.Value })
          .onConflict((oc) => oc.columns(['arn', 'tag_key']).doUpdateSet({ tag_value: t.Value }))
          .execute();
      }
    },
    async untag(arn: string, keys: readonly string[]): Promise<void> {
      if (keys.length) await db.kysely.deleteFrom('cloudwatch_tags').where('arn', '=', arn).where('tag_key', 'in', [...keys]).execute();
    },
  };
}

export type MetricStore = ReturnType<typeof createMetricStore>;
