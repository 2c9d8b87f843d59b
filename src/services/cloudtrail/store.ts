/**
 * The event history tables. Each stored row is one event copy in one recipient account: the full record as
 * JSON plus indexed columns for every LookupEvents attribute; resources live in a child table so that
 * `ResourceType`/`ResourceName` lookups use an index too. Portable SQL (SQLite and PostgreSQL), times as
 * epoch milliseconds.
 *
 * Listing order is newest first: `event_time`, then `seq` (the order calls were recorded within one
 * process), then `event_id`; pages continue after a keyset cursor over those three columns.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { CompiledQuery, Kysely } from 'kysely';
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
    size: Ms;
    identity_id: string | null;
  };
  cloudtrail_identities: {
    id: string;
    identity_json: string;
    last_seen: Ms;
  };
  cloudtrail_usage: {
    recipient_account: string;
    events: Ms;
    bytes: Ms;
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
  {
    // The bounded history: each row's size, and per account the events and bytes it holds (kept up to date by the
    // inserts and the retention sweep, so that checking a cap never scans the table).
    name: 'cloudtrail-002-usage',
    async up(db: Kysely<any>) {
      await db.schema.alterTable('cloudtrail_events').addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update cloudtrail_events set size = length(event_json) + length(resources_json) + ${ROW_OVERHEAD}`.execute(db);
      await db.schema
        .createTable('cloudtrail_usage')
        .addColumn('recipient_account', binaryText(db), (c) => c.primaryKey())
        .addColumn('events', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into cloudtrail_usage (recipient_account, events, bytes)
        select recipient_account, count(*), sum(size) from cloudtrail_events group by recipient_account`.execute(db);
    },
  },
  {
    // The caller's userIdentity (~0.5 KB, the largest part of most records, and the same for every call of a user
    // key or a session) is stored once per distinct identity; event_json keeps the rest of the record.
    name: 'cloudtrail-003-identities',
    async up(db: Kysely<any>) {
      await db.schema.alterTable('cloudtrail_events').addColumn('identity_id', 'text').execute();
      await db.schema
        .createTable('cloudtrail_identities')
        .addColumn('id', binaryText(db), (c) => c.primaryKey())
        .addColumn('identity_json', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cloudtrail_events_identity').on('cloudtrail_events').column('identity_id').execute();
    },
  },
];

/** How long an identity no event refers to any more is kept (a batch naming it may be committing meanwhile). */
const IDENTITY_GRACE_MS = 3_600_000;

/**
 * Splits a record into its userIdentity and the rest, the rest keeping every other member in order; `join` puts them
 * back. Undefined when the record does not start with eventVersion then userIdentity (then it is stored whole).
 */
function splitIdentity(event: { readonly userIdentity?: unknown }): { identity: string; rest: string } | undefined {
  if (event.userIdentity === undefined) return undefined;
  const rest = JSON.stringify({ ...event, userIdentity: undefined });
  if (!rest.startsWith('{"eventVersion":"') || Object.keys(event)[1] !== 'userIdentity') return undefined;
  return { identity: JSON.stringify(event.userIdentity), rest };
}
function joinIdentity(rest: string, identity: string): string {
  // After the first member, `"eventVersion":"1.08",` (a version holds no comma).
  const at = rest.indexOf(',') + 1;
  return at === 0 ? `${rest.slice(0, -1)},"userIdentity":${identity}}` : `${rest.slice(0, at)}"userIdentity":${identity},${rest.slice(at)}`;
}
const identityId = (json: string) => createHash('sha256').update(json).digest('base64url').slice(0, 22);

/**
 * Bytes an event costs besides its JSON texts: the other columns, the seven indexes over them and its resources'
 * rows. Measured on SQLite after a 26,000-event soak: 2,524 bytes of table and index pages per event whose texts held
 * 1,373 (1,151 more), plus the identity index added since. What a byte cap counts is an event's texts plus this, so
 * that it follows the database's size.
 */
export const ROW_OVERHEAD = 1200;

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

// Rows per INSERT statement: a flush is split into chunks of these sizes (largest first), so that only seven
// statement shapes per table exist — each compiled by Kysely once and prepared once by the statement cache —
// and every statement stays far under SQLite's and PostgreSQL's bound-parameter limits (64 × 12 = 768).
const CHUNK_SIZES = [64, 32, 16, 8, 4, 2, 1] as const;

/**
 * How much history each recipient account keeps: events older than `maxAgeMs`, then the oldest beyond
 * `maxEvents` events or `maxBytes` bytes (see ROW_OVERHEAD) are deleted by `sweep`.
 */
export interface EventLimits {
  readonly maxAgeMs: number;
  readonly maxEvents?: number;
  readonly maxBytes?: number;
}

/** What one account holds now. */
export interface AccountUsage {
  readonly account: string;
  readonly events: number;
  readonly bytes: number;
}

export type EventStore = ReturnType<typeof createEventStore>;

const EVENT_COLUMNS = ['event_id', 'recipient_account', 'event_time', 'seq', 'event_name', 'event_source', 'read_only', 'username', 'access_key_id', 'category', 'resources_json', 'event_json', 'size', 'identity_id'] as const;
const RESOURCE_COLUMNS = ['event_id', 'recipient_account', 'resource_type', 'resource_name', 'event_time'] as const;

export function createEventStore(db: Database) {
  const t = (ex: Kysely<any>) => ex.withTables<CloudTrailTables>();
  // Identity JSON → id, so that a busy caller's identity is hashed once (bounded; cleared when full).
  const ids = new Map<string, string>();
  const idOf = (json: string): string => {
    let id = ids.get(json);
    if (id === undefined) {
      if (ids.size >= 1000) ids.clear();
      ids.set(json, (id = identityId(json)));
    }
    return id;
  };
  // Compiled multi-row INSERTs by table and row count (the values are placeholders; parameters are set per call).
  const compiled = new Map<string, CompiledQuery>();
  const insertQuery = (table: 'cloudtrail_events' | 'cloudtrail_event_resources', rows: number, parameters: unknown[]): CompiledQuery => {
    const key = `${table}:${rows}`;
    let q = compiled.get(key);
    if (!q) {
      const columns = table === 'cloudtrail_events' ? EVENT_COLUMNS : RESOURCE_COLUMNS;
      const row = Object.fromEntries(columns.map((c) => [c, '']));
      q = db.kysely.insertInto(table).values(Array.from({ length: rows }, () => row)).compile();
      if (q.parameters.length !== rows * columns.length) throw new Error(`cloudtrail: unexpected insert shape for ${table}`);
      compiled.set(key, q);
    }
    return { ...q, parameters };
  };
  /** Runs the INSERTs of `values` (row-major, `width` per row) in chunks of CHUNK_SIZES. */
  async function insertRows(trx: Kysely<any>, table: 'cloudtrail_events' | 'cloudtrail_event_resources', width: number, values: unknown[]): Promise<void> {
    let row = 0;
    const total = values.length / width;
    for (const size of CHUNK_SIZES) {
      while (total - row >= size) {
        await trx.executeQuery(insertQuery(table, size, values.slice(row * width, (row + size) * width)));
        row += size;
      }
    }
  }

  return {
    /** Writes a batch in one transaction: all of it is visible afterwards, or none of it. */
    async insert(entries: readonly QueuedEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const rows: unknown[] = [];
      const resources: unknown[] = [];
      const usage = new Map<string, { events: number; bytes: number }>();
      const identities = new Map<string, { json: string; seen: number }>();
      for (const e of entries) {
        const resourcesJson = JSON.stringify(e.resources.map((r) => ({ type: r.type, name: r.name })));
        const split = splitIdentity(e.event);
        const eventJson = split ? split.rest : JSON.stringify(e.event);
        let identity: string | null = null;
        if (split) {
          identity = idOf(split.identity);
          const known = identities.get(identity);
          if (!known) identities.set(identity, { json: split.identity, seen: e.eventTime });
          else if (known.seen < e.eventTime) known.seen = e.eventTime;
        }
        // The identity's bytes are counted once, by the identity table, not per event.
        const size = eventJson.length + resourcesJson.length + ROW_OVERHEAD;
        rows.push(
          e.eventId,
          e.recipientAccountId,
          e.eventTime,
          e.seq,
          e.eventName,
          e.eventSource,
          String(e.readOnly),
          e.username ?? null,
          e.accessKeyId ?? null,
          e.category,
          resourcesJson,
          eventJson,
          size,
          identity,
        );
        for (const r of e.resources) resources.push(e.eventId, e.recipientAccountId, r.type, r.name, e.eventTime);
        const u = usage.get(e.recipientAccountId);
        if (u) {
          u.events++;
          u.bytes += size;
        } else usage.set(e.recipientAccountId, { events: 1, bytes: size });
      }
      await db.transaction(async (trx) => {
        for (const [id, i] of identities) {
          await t(trx)
            .insertInto('cloudtrail_identities')
            .values({ id, identity_json: i.json, last_seen: i.seen })
            .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ last_seen: eb.ref('excluded.last_seen') })))
            .execute();
        }
        await insertRows(trx, 'cloudtrail_events', EVENT_COLUMNS.length, rows);
        await insertRows(trx, 'cloudtrail_event_resources', RESOURCE_COLUMNS.length, resources);
        for (const [account, u] of usage) {
          await t(trx)
            .insertInto('cloudtrail_usage')
            .values({ recipient_account: account, events: u.events, bytes: u.bytes })
            .onConflict((oc) =>
              oc.column('recipient_account').doUpdateSet((eb) => ({
                events: eb('cloudtrail_usage.events', '+', eb.ref('excluded.events')),
                bytes: eb('cloudtrail_usage.bytes', '+', eb.ref('excluded.bytes')),
              })),
            )
            .execute();
        }
      });
    },

    /**
     * Deletes the identities no event refers to any more and none named for an hour (a batch naming one may still
     * be committing); returns how many went. The sweep runs it after deleting events.
     */
    async deleteUnusedIdentities(now: number): Promise<number> {
      const k = t(db.kysely);
      const gone = await k
        .deleteFrom('cloudtrail_identities')
        .where('last_seen', '<', now - IDENTITY_GRACE_MS)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('cloudtrail_events').select('event_id').whereRef('cloudtrail_events.identity_id', '=', 'cloudtrail_identities.id'))))
        .executeTakeFirst();
      return Number(gone.numDeletedRows);
    },

    /** Events and bytes each account holds (accounts that held events since the usage table exists). */
    async usage(): Promise<AccountUsage[]> {
      const rows = await t(db.kysely).selectFrom('cloudtrail_usage').selectAll().orderBy('recipient_account').execute();
      return rows.map((r) => ({ account: r.recipient_account, events: Number(r.events), bytes: Number(r.bytes) }));
    },

    /**
     * Deletes up to `limit` of `account`'s oldest events (only those before `before` when given), with their resources,
     * in one transaction; returns how many went. Safe when several processes sweep at once: each subtracts from the
     * usage only the rows its own DELETE removed.
     */
    async deleteOldest(account: string, limit: number, before?: number): Promise<number> {
      return db.transaction(async (trx) => {
        const k = t(trx);
        let oldest = k.selectFrom('cloudtrail_events').select('event_id').where('recipient_account', '=', account);
        if (before !== undefined) oldest = oldest.where('event_time', '<', before);
        const gone = await k
          .deleteFrom('cloudtrail_events')
          .where('event_id', 'in', oldest.orderBy('event_time').orderBy('seq').limit(limit))
          .returning(['event_id', 'size'])
          .execute();
        if (gone.length === 0) return 0;
        const ids = gone.map((r) => r.event_id);
        for (let i = 0; i < ids.length; i += 500) await k.deleteFrom('cloudtrail_event_resources').where('event_id', 'in', ids.slice(i, i + 500)).execute();
        const bytes = gone.reduce((sum, r) => sum + Number(r.size), 0);
        await k
          .updateTable('cloudtrail_usage')
          .set((eb) => ({ events: eb('events', '-', gone.length), bytes: eb('bytes', '-', bytes) }))
          .where('recipient_account', '=', account)
          .execute();
        return gone.length;
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
      const wanted = [...new Set(rows.flatMap((r) => (r.identity_id !== null ? [r.identity_id] : [])))];
      const identities = new Map(
        wanted.length ? (await k.selectFrom('cloudtrail_identities').select(['id', 'identity_json']).where('id', 'in', wanted).execute()).map((r) => [r.id, r.identity_json] as const) : [],
      );
      const recordOf = (r: (typeof rows)[number]): string => {
        if (r.identity_id === null) return r.event_json;
        const identity = identities.get(r.identity_id);
        // Only a broken database lacks it; the record is still returned, without the caller.
        return identity === undefined ? r.event_json : joinIdentity(r.event_json, identity);
      };
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
          eventJson: recordOf(r),
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
