/**
 * The event history tables. Each stored row is one event copy in one recipient account: the full record as
 * JSON plus indexed columns for every LookupEvents attribute; resources live in a child table so that
 * `ResourceType`/`ResourceName` lookups use an index too. Portable SQL (SQLite and PostgreSQL), times as
 * epoch milliseconds.
 *
 * Listing order is newest first: `event_time`, then `seq` (the order calls were recorded within one
 * process), then `event_id`; pages continue after a keyset cursor over those three columns.
 */
import type { Kysely } from 'kysely';
import type { Database, Migration } from '../../persistence/db.js';
import { binaryText } from '../../persistence/portable-sql.js';
import type { AuditEntry, EventCategory, EventResource } from './domain/event.js';
import type { Cursor, LookupQuery } from './domain/lookup.js';

type Ms = number | string | bigint;

type CloudTrailTables = {
  cloudtrail_events: {
    event_id: string;
    recipient_account: string;
    event_time: Ms;
    seq: Ms;
    event_name: string;
    event_source: string;
    read_only: string;
    username: string | null;
    access_key_id: string | null;
    category: string;
    resources_json: string;
    event_json: string;
  };
  cloudtrail_event_resources: {
    event_id: string;
    recipient_account: string;
    resource_type: string;
    resource_name: string;
    event_time: Ms;
  };
};

export const cloudTrailMigrations: Migration[] = [
  {
    name: 'cloudtrail-001-events',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cloudtrail_events')
        .addColumn('event_id', binaryText(db), (c) => c.primaryKey())
        .addColumn('recipient_account', 'text', (c) => c.notNull())
        .addColumn('event_time', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('event_name', 'text', (c) => c.notNull())
        .addColumn('event_source', 'text', (c) => c.notNull())
        .addColumn('read_only', 'text', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('access_key_id', 'text')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('resources_json', 'text', (c) => c.notNull())
        .addColumn('event_json', 'text', (c) => c.notNull())
        .execute();
      const index = (name: string, columns: string[]) => db.schema.createIndex(name).on('cloudtrail_events').columns(columns).execute();
      await index('cloudtrail_events_time', ['recipient_account', 'event_time', 'seq']);
      await index('cloudtrail_events_name', ['recipient_account', 'event_name', 'event_time']);
      await index('cloudtrail_events_source', ['recipient_account', 'event_source', 'event_time']);
      await index('cloudtrail_events_user', ['recipient_account', 'username', 'event_time']);
      await index('cloudtrail_events_key', ['recipient_account', 'access_key_id', 'event_time']);
      await index('cloudtrail_events_read_only', ['recipient_account', 'read_only', 'event_time']);
      await db.schema
        .createTable('cloudtrail_event_resources')
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('recipient_account', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_name', 'text', (c) => c.notNull())
        .addColumn('event_time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cloudtrail_event_resources_pk', ['event_id', 'resource_type', 'resource_name'])
        .execute();
      await db.schema.createIndex('cloudtrail_event_resources_type').on('cloudtrail_event_resources').columns(['recipient_account', 'resource_type', 'event_time']).execute();
      await db.schema.createIndex('cloudtrail_event_resources_name').on('cloudtrail_event_resources').columns(['recipient_account', 'resource_name', 'event_time']).execute();
    },
  },
];

/** An entry as queued by the sink: the event plus its position in record order. */
export interface QueuedEntry extends AuditEntry {
  readonly seq: number;
}

/** One row as LookupEvents returns it. */
export interface StoredEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly seq: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly category: EventCategory;
  readonly resources: ReadonlyArray<Pick<EventResource, 'type' | 'name'>>;
  /** The CloudTrail record, as JSON text. */
  readonly eventJson: string;
}

// Rows per INSERT statement: stays under SQLite's and PostgreSQL's bound-parameter limits.
const ROWS_PER_STATEMENT = 200;

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export type EventStore = ReturnType<typeof createEventStore>;

export function createEventStore(db: Database) {
  const t = (ex: Kysely<any>) => ex.withTables<CloudTrailTables>();
  return {
    /** Writes a batch in one transaction: all of it is visible afterwards, or none of it. */
    async insert(entries: readonly QueuedEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const rows = entries.map((e) => ({
        event_id: e.eventId,
        recipient_account: e.recipientAccountId,
        event_time: e.eventTime,
        seq: e.seq,
        event_name: e.eventName,
        event_source: e.eventSource,
        read_only: String(e.readOnly),
        username: e.username ?? null,
        access_key_id: e.accessKeyId ?? null,
        category: e.category,
        resources_json: JSON.stringify(e.resources.map((r) => ({ type: r.type, name: r.name }))),
        event_json: JSON.stringify(e.event),
      }));
      const resources = entries.flatMap((e) =>
        e.resources.map((r) => ({
          event_id: e.eventId,
          recipient_account: e.recipientAccountId,
          resource_type: r.type,
          resource_name: r.name,
          event_time: e.eventTime,
        })),
      );
      await db.transaction(async (trx) => {
        for (const part of chunks(rows, ROWS_PER_STATEMENT)) await t(trx).insertInto('cloudtrail_events').values(part).execute();
        for (const part of chunks(resources, ROWS_PER_STATEMENT)) await t(trx).insertInto('cloudtrail_event_resources').values(part).execute();
      });
    },

    /** One page of management events of `q.accountId`, newest first; `next` is set when more follow. */
    async lookup(q: LookupQuery): Promise<{ events: StoredEvent[]; next?: Cursor }> {
      const k = t(db.kysely);
      let query = k
        .selectFrom('cloudtrail_events')
        .selectAll()
        .where('recipient_account', '=', q.accountId)
        .where('category', '=', 'Management')
        .where('event_time', '>=', q.startTime)
        .where('event_time', '<=', q.endTime);
      const a = q.attribute;
      if (a) {
        switch (a.key) {
          case 'EventId':
            query = query.where('event_id', '=', a.value);
            break;
          case 'EventName':
            query = query.where('event_name', '=', a.value);
            break;
          case 'EventSource':
            query = query.where('event_source', '=', a.value);
            break;
          case 'ReadOnly':
            query = query.where('read_only', '=', a.value);
            break;
          case 'Username':
            query = query.where('username', '=', a.value);
            break;
          case 'AccessKeyId':
            query = query.where('access_key_id', '=', a.value);
            break;
          case 'ResourceType':
          case 'ResourceName': {
            const column = a.key === 'ResourceType' ? 'resource_type' : 'resource_name';
            query = query.where('event_id', 'in', k
              .selectFrom('cloudtrail_event_resources')
              .select('event_id')
              .where('recipient_account', '=', q.accountId)
              .where(column, '=', a.value));
            break;
          }
          default: {
            const never: never = a.key;
            throw new Error(`unknown lookup attribute ${String(never)}`);
          }
        }
      }
      const c = q.after;
      if (c) {
        query = query.where((eb) =>
          eb.or([
            eb('event_time', '<', c.time),
            eb.and([eb('event_time', '=', c.time), eb('seq', '<', c.seq)]),
            eb.and([eb('event_time', '=', c.time), eb('seq', '=', c.seq), eb('event_id', '<', c.eventId)]),
          ]),
        );
      }
      const rows = await query.orderBy('event_time', 'desc').orderBy('seq', 'desc').orderBy('event_id', 'desc').limit(q.limit + 1).execute();
      const events = rows.slice(0, q.limit).map(
        (r): StoredEvent => ({
          eventId: r.event_id,
          eventTime: Number(r.event_time),
          seq: Number(r.seq),
          eventName: r.event_name,
          eventSource: r.event_source,
          readOnly: r.read_only === 'true',
          ...(r.username !== null ? { username: r.username } : {}),
          ...(r.access_key_id !== null ? { accessKeyId: r.access_key_id } : {}),
          category: r.category as EventCategory,
          resources: JSON.parse(r.resources_json) as StoredEvent['resources'],
          eventJson: r.event_json,
        }),
      );
      const last = events[events.length - 1];
      return rows.length > q.limit && last ? { events, next: { time: last.eventTime, seq: last.seq, eventId: last.eventId } } : { events };
    },

    /** Number of stored event copies (all accounts); for tests and status. */
    async count(): Promise<number> {
      const r = await t(db.kysely).selectFrom('cloudtrail_events').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
