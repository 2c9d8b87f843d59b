/**
 * Trails: where CloudTrail delivers an account's events (or, for an organization trail, every member
 * account's) as log files in S3. The trail rows are few; all of them are kept in memory after the first
 * read, so routing a batch of events to trails costs no query. Delivery status (latest delivery time and
 * error) lives in memory only, like a fresh trail's after a restart.
 */
import type { Kysely } from 'kysely';
import type { Database, Migration } from '../../persistence/db.js';

export interface TrailRecord {
  readonly accountId: string;
  readonly homeRegion: string;
  readonly name: string;
  readonly bucket: string;
  readonly prefix?: string;
  readonly isOrganizationTrail: boolean;
  readonly isMultiRegionTrail: boolean;
  readonly includeGlobalServiceEvents: boolean;
  readonly logging: boolean;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly createdAt: number;
}

export function trailArn(t: Pick<TrailRecord, 'homeRegion' | 'accountId' | 'name'>): string {
  return `arn:aws:cloudtrail:${t.homeRegion}:${t.accountId}:trail/${t.name}`;
}

type Row = {
  account_id: string;
  home_region: string;
  name: string;
  bucket: string;
  prefix: string | null;
  is_org: number;
  multi_region: number;
  include_global: number;
  logging: number;
  started_at: number | string | null;
  stopped_at: number | string | null;
  created_at: number | string;
};
type Tables = { cloudtrail_trails: Row };

export const trailMigrations: Migration[] = [
  {
    name: 'cloudtrail-002-trails',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cloudtrail_trails')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('home_region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text')
        .addColumn('is_org', 'integer', (c) => c.notNull())
        .addColumn('multi_region', 'integer', (c) => c.notNull())
        .addColumn('include_global', 'integer', (c) => c.notNull())
        .addColumn('logging', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('stopped_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudtrail_trails_pk', ['account_id', 'home_region', 'name'])
        .execute();
    },
  },
];

function toRecord(r: Row): TrailRecord {
  return {
    accountId: r.account_id,
    homeRegion: r.home_region,
    name: r.name,
    bucket: r.bucket,
    ...(r.prefix !== null ? { prefix: r.prefix } : {}),
    isOrganizationTrail: Number(r.is_org) === 1,
    isMultiRegionTrail: Number(r.multi_region) === 1,
    includeGlobalServiceEvents: Number(r.include_global) === 1,
    logging: Number(r.logging) === 1,
    ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
    ...(r.stopped_at !== null ? { stoppedAt: Number(r.stopped_at) } : {}),
    createdAt: Number(r.created_at),
  };
}

function toRow(t: TrailRecord): Row {
  return {
    account_id: t.accountId,
    home_region: t.homeRegion,
    name: t.name,
    bucket: t.bucket,
    prefix: t.prefix ?? null,
    is_org: t.isOrganizationTrail ? 1 : 0,
    multi_region: t.isMultiRegionTrail ? 1 : 0,
    include_global: t.includeGlobalServiceEvents ? 1 : 0,
    logging: t.logging ? 1 : 0,
    started_at: t.startedAt ?? null,
    stopped_at: t.stoppedAt ?? null,
    created_at: t.createdAt,
  };
}

export interface DeliveryStatus {
  latestDeliveryTime?: number;
  latestDeliveryAttemptTime?: number;
  latestDeliveryError?: string;
}

export class TrailStore {
  private cache: Map<string, TrailRecord> | undefined;
  private loading: Promise<Map<string, TrailRecord>> | undefined;
  readonly status = new Map<string, DeliveryStatus>();

  constructor(private readonly db: Database) {}

  private table(ex: Kysely<any> = this.db.kysely) {
    return ex.withTables<Tables>();
  }

  async all(): Promise<ReadonlyMap<string, TrailRecord>> {
    if (this.cache) return this.cache;
    this.loading ??= this.table()
      .selectFrom('cloudtrail_trails')
      .selectAll()
      .execute()
      .then((rows) => {
        this.cache = new Map(rows.map((r) => [trailArn(toRecord(r as Row)), toRecord(r as Row)] as const));
        return this.cache;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** The trails logging now, without a query once loaded (undefined before the first load). */
  loggingNow(): TrailRecord[] | undefined {
    return this.cache && [...this.cache.values()].filter((t) => t.logging);
  }

  async get(arn: string): Promise<TrailRecord | undefined> {
    return (await this.all()).get(arn);
  }

  async put(t: TrailRecord, isNew: boolean): Promise<void> {
    await this.all();
    if (isNew) await this.table().insertInto('cloudtrail_trails').values(toRow(t)).execute();
    else {
      await this.table()
        .updateTable('cloudtrail_trails')
        .set(toRow(t))
        .where('account_id', '=', t.accountId)
        .where('home_region', '=', t.homeRegion)
        .where('name', '=', t.name)
        .execute();
    }
    this.cache!.set(trailArn(t), t);
  }

  async delete(t: TrailRecord): Promise<void> {
    await this.all();
    await this.table()
      .deleteFrom('cloudtrail_trails')
      .where('account_id', '=', t.accountId)
      .where('home_region', '=', t.homeRegion)
      .where('name', '=', t.name)
      .execute();
    this.cache!.delete(trailArn(t));
    this.status.delete(trailArn(t));
  }
}
