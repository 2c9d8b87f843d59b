/**
 * Log groups, streams and events in the database. Events are stored in blocks: one row per written batch
 * (a PutLogEvents call or a sink flush) in the binary form of domain/block.ts (messages as UTF-8 bytes with their
 * offsets, timestamps, JSON messages' top-level fields as columns), with the block's time range indexed. Writing a
 * batch is one insert, and a scan decodes few messages: FilterLogEvents looks for the pattern's terms in the bytes
 * and evaluates JSON patterns on the columns. Blocks written before that form keep their JSON arrays
 * (`timestamps_json`, `messages_json`; empty in newer rows). Retention deletes whole blocks whose newest event
 * expired; readers hide the expired events of blocks that straddle the cut-off.
 *
 * An event's position is (timestamp, block id, index in block); block ids sort in write order.
 */
import type { Kysely } from 'kysely';
import type { Database, Migration } from '../../persistence/db.js';
import { binaryBlob, binaryText, startsWith } from '../../persistence/portable-sql.js';
import { EVENT_OVERHEAD_BYTES, type InputEvent } from './domain/batch.js';
import { BlockData, encodeBlock, type JsonColumn } from './domain/block.js';
import type { GroupRef } from './domain/names.js';

type Ms = number | string | bigint;
type LogsTables = {
  logs_groups: { account: string; region: string; name: string; creation_time: Ms; retention_days: number | null; tags_json: string };
  logs_streams: { account: string; region: string; group_name: string; name: string; creation_time: Ms; first_ts: Ms | null; last_ts: Ms | null; last_ingestion: Ms | null; stored_bytes: Ms };
  logs_blocks: { id: string; account: string; region: string; group_name: string; stream_name: string; min_ts: Ms; max_ts: Ms; ingestion_time: Ms; bytes: Ms; timestamps_json: string; messages_json: string; body: Buffer | null; offsets: Buffer | null; timestamps: Buffer | null; json_mask: string | null; json_mixed: string | null };
  logs_block_columns: { block_id: string; key: string; values_json: string };
};

export const logsMigrations: Migration[] = [
  {
    name: 'logs-001-groups-streams-blocks',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('logs_groups')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', binaryText(db), (c) => c.notNull())
        .addColumn('creation_time', 'bigint', (c) => c.notNull())
        .addColumn('retention_days', 'integer')
        .addColumn('tags_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('logs_groups_pk', ['account', 'region', 'name'])
        .execute();
      await db.schema
        .createTable('logs_streams')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('group_name', binaryText(db), (c) => c.notNull())
        .addColumn('name', binaryText(db), (c) => c.notNull())
        .addColumn('creation_time', 'bigint', (c) => c.notNull())
        .addColumn('first_ts', 'bigint')
        .addColumn('last_ts', 'bigint')
        .addColumn('last_ingestion', 'bigint')
        .addColumn('stored_bytes', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('logs_streams_pk', ['account', 'region', 'group_name', 'name'])
        .execute();
      await db.schema
        .createTable('logs_blocks')
        .addColumn('id', binaryText(db), (c) => c.primaryKey())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('group_name', binaryText(db), (c) => c.notNull())
        .addColumn('stream_name', binaryText(db), (c) => c.notNull())
        .addColumn('min_ts', 'bigint', (c) => c.notNull())
        .addColumn('max_ts', 'bigint', (c) => c.notNull())
        .addColumn('ingestion_time', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('timestamps_json', 'text', (c) => c.notNull())
        .addColumn('messages_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('logs_blocks_group_time').on('logs_blocks').columns(['account', 'region', 'group_name', 'min_ts']).execute();
      await db.schema.createIndex('logs_blocks_stream_time').on('logs_blocks').columns(['account', 'region', 'group_name', 'stream_name', 'min_ts']).execute();
      await db.schema.createIndex('logs_blocks_expiry').on('logs_blocks').columns(['max_ts']).execute();
    },
  },
  {
    name: 'logs-002-binary-blocks',
    async up(db: Kysely<any>) {
      for (const column of ['body', 'offsets', 'timestamps']) await db.schema.alterTable('logs_blocks').addColumn(column, binaryBlob(db)).execute();
      // Null: the block keeps no JSON columns (it predates them, or a JSON pattern must parse its messages).
      await db.schema.alterTable('logs_blocks').addColumn('json_mask', 'text').execute();
      await db.schema.alterTable('logs_blocks').addColumn('json_mixed', 'text').execute();
      // One row per block and key, so a JSON pattern reads only the keys it tests.
      await db.schema
        .createTable('logs_block_columns')
        .addColumn('block_id', binaryText(db), (c) => c.notNull())
        .addColumn('key', binaryText(db), (c) => c.notNull())
        .addColumn('values_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('logs_block_columns_pk', ['block_id', 'key'])
        .execute();
    },
  },
];

export interface GroupRow {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly creationTime: number;
  readonly retentionDays?: number;
  readonly tags: Record<string, string>;
  readonly storedBytes: number;
}

export interface StreamRow {
  readonly name: string;
  readonly creationTime: number;
  readonly firstTs?: number;
  readonly lastTs?: number;
  readonly lastIngestion?: number;
  readonly storedBytes: number;
}

/** One stored event with its position. */
export interface StoredEvent {
  readonly stream: string;
  readonly group: GroupRef;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly block: string;
  readonly index: number;
}

/** Where a block sits, without its contents. */
export interface BlockHead {
  readonly id: string;
  readonly stream: string;
  readonly minTs: number;
  readonly maxTs: number;
  readonly ingestionTime: number;
}

export interface BlockRow extends BlockHead {
  readonly data: BlockData;
}

/** What to fetch of blocks: their messages, and/or some of their JSON columns. */
export interface BlockParts {
  readonly messages: boolean;
  readonly columns?: readonly string[];
}

const n = (v: Ms | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** Blocks read per statement (bounds the ids bound in one `in` list and the bytes held at once by a scan). */
export const READ_CHUNK = 32;

let blockSeq = 0;
/** Sortable in write order within a process and across restarts (time first). */
function blockId(now: number): string {
  blockSeq = (blockSeq + 1) % 1_000_000;
  return `${now.toString(36).padStart(9, '0')}${blockSeq.toString(36).padStart(4, '0')}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

export function createLogsStore(db: Database) {
  const k = db.kysely.withTables<LogsTables>();
  const where = (g: GroupRef) => ({ account: g.account, region: g.region, group_name: g.name });

  const toGroup = async (r: LogsTables['logs_groups']): Promise<GroupRow> => {
    const bytes = await k
      .selectFrom('logs_streams')
      .select((e) => e.fn.sum<Ms>('stored_bytes').as('b'))
      .where('account', '=', r.account).where('region', '=', r.region).where('group_name', '=', r.name)
      .executeTakeFirst();
    return {
      account: r.account,
      region: r.region,
      name: r.name,
      creationTime: Number(r.creation_time),
      ...(r.retention_days !== null ? { retentionDays: Number(r.retention_days) } : {}),
      tags: JSON.parse(r.tags_json) as Record<string, string>,
      storedBytes: Number(bytes?.b ?? 0),
    };
  };

  const store = {
    async createGroup(g: GroupRef, now: number, tags: Record<string, string>): Promise<boolean> {
      const r = await k
        .insertInto('logs_groups')
        .values({ account: g.account, region: g.region, name: g.name, creation_time: now, retention_days: null, tags_json: JSON.stringify(tags) })
        .onConflict((c) => c.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async group(g: GroupRef): Promise<GroupRow | undefined> {
      const r = await k.selectFrom('logs_groups').selectAll().where('account', '=', g.account).where('region', '=', g.region).where('name', '=', g.name).executeTakeFirst();
      return r ? toGroup(r as LogsTables['logs_groups']) : undefined;
    },

    /** Groups of the accounts, by name, starting after `after`. */
    async listGroups(accounts: readonly string[], region: string, opts: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<GroupRow[]> {
      let q = k.selectFrom('logs_groups').selectAll().where('account', 'in', accounts as string[]).where('region', '=', region);
      if (opts.prefix !== undefined) q = q.where(startsWith('name', opts.prefix));
      if (opts.after !== undefined) q = q.where('name', '>=', opts.after.split('\u0000')[0]!);
      const rows = await q.orderBy('name').orderBy('account').execute();
      const lowered = opts.contains?.toLowerCase();
      const out: GroupRow[] = [];
      for (const r of rows as Array<LogsTables['logs_groups']>) {
        if (opts.after !== undefined && `${r.name}\u0000${r.account}` <= opts.after) continue;
        if (lowered !== undefined && !r.name.toLowerCase().includes(lowered)) continue;
        out.push(await toGroup(r as LogsTables['logs_groups']));
        if (out.length >= opts.limit + 1) break;
      }
      return out;
    },

    async deleteGroup(g: GroupRef): Promise<boolean> {
      return db.transaction(async (trx) => {
        const t = trx.withTables<LogsTables>();
        const r = await t.deleteFrom('logs_groups').where('account', '=', g.account).where('region', '=', g.region).where('name', '=', g.name).executeTakeFirst();
        await t.deleteFrom('logs_streams').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).execute();
        const blocks = t.selectFrom('logs_blocks').select('id').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name);
        await t.deleteFrom('logs_block_columns').where('block_id', 'in', blocks).execute();
        await t.deleteFrom('logs_blocks').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).execute();
        return Number(r.numDeletedRows) > 0;
      });
    },

    async setRetention(g: GroupRef, days: number | null): Promise<boolean> {
      const r = await k.updateTable('logs_groups').set({ retention_days: days }).where('account', '=', g.account).where('region', '=', g.region).where('name', '=', g.name).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async setTags(g: GroupRef, tags: Record<string, string>): Promise<void> {
      await k.updateTable('logs_groups').set({ tags_json: JSON.stringify(tags) }).where('account', '=', g.account).where('region', '=', g.region).where('name', '=', g.name).execute();
    },

    async createStream(g: GroupRef, name: string, now: number): Promise<boolean> {
      const r = await k
        .insertInto('logs_streams')
        .values({ ...where(g), name, creation_time: now, first_ts: null, last_ts: null, last_ingestion: null, stored_bytes: 0 })
        .onConflict((c) => c.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async stream(g: GroupRef, name: string): Promise<StreamRow | undefined> {
      const r = await k.selectFrom('logs_streams').selectAll().where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('name', '=', name).executeTakeFirst();
      return r ? toStream(r as LogsTables['logs_streams']) : undefined;
    },

    async streams(g: GroupRef, prefix?: string): Promise<StreamRow[]> {
      let q = k.selectFrom('logs_streams').selectAll().where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name);
      if (prefix !== undefined) q = q.where(startsWith('name', prefix));
      return (await q.orderBy('name').execute()).map((r) => toStream(r as LogsTables['logs_streams']));
    },

    async deleteStream(g: GroupRef, name: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const t = trx.withTables<LogsTables>();
        const r = await t.deleteFrom('logs_streams').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('name', '=', name).executeTakeFirst();
        const blocks = t.selectFrom('logs_blocks').select('id').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('stream_name', '=', name);
        await t.deleteFrom('logs_block_columns').where('block_id', 'in', blocks).execute();
        await t.deleteFrom('logs_blocks').where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('stream_name', '=', name).execute();
        return Number(r.numDeletedRows) > 0;
      });
    },

    /** Writes one block (events in chronological order) and updates the stream's summary, atomically. */
    async append(g: GroupRef, stream: string, events: readonly InputEvent[], now: number): Promise<void> {
      if (events.length === 0) return;
      let bytes = 0;
      const timestamps = new Array<number>(events.length);
      const messages = new Array<string>(events.length);
      const lengths = new Array<number>(events.length);
      let minTs = Infinity;
      let maxTs = -Infinity;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        timestamps[i] = e.timestamp;
        messages[i] = e.message;
        lengths[i] = Buffer.byteLength(e.message, 'utf8');
        bytes += lengths[i]! + EVENT_OVERHEAD_BYTES;
        if (e.timestamp < minTs) minTs = e.timestamp;
        if (e.timestamp > maxTs) maxTs = e.timestamp;
      }
      const block = encodeBlock(timestamps, messages, lengths);
      const id = blockId(now);
      await db.transaction(async (trx) => {
        const t = trx.withTables<LogsTables>();
        await t
          .insertInto('logs_blocks')
          .values({ id, ...where(g), stream_name: stream, min_ts: minTs, max_ts: maxTs, ingestion_time: now, bytes, timestamps_json: '', messages_json: '', body: block.body, offsets: block.offsets, timestamps: block.timestamps, json_mask: block.json?.mask ?? null, json_mixed: block.json ? JSON.stringify(block.json.mixed) : null })
          .execute();
        const columns = [...(block.json?.columns ?? [])].map(([key, values]) => ({ block_id: id, key, values_json: JSON.stringify(values) }));
        for (let i = 0; i < columns.length; i += 100) await t.insertInto('logs_block_columns').values(columns.slice(i, i + 100)).execute();
        const s = await t.selectFrom('logs_streams').select(['first_ts', 'last_ts', 'stored_bytes']).where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('name', '=', stream).executeTakeFirst();
        if (!s) return;
        await t
          .updateTable('logs_streams')
          .set({
            first_ts: Math.min(n(s.first_ts) ?? minTs, minTs),
            last_ts: Math.max(n(s.last_ts) ?? maxTs, maxTs),
            last_ingestion: now,
            stored_bytes: Number(s.stored_bytes) + bytes,
          })
          .where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name).where('name', '=', stream)
          .execute();
      });
    },

    /**
     * Blocks of a group (optionally some streams) that may hold events in [from, to), oldest first by their
     * first event, without their contents. `from` should already include the retention cut-off.
     */
    async blockHeads(g: GroupRef, from: number, to: number, streams?: readonly string[], streamPrefix?: string): Promise<BlockHead[]> {
      let q = k
        .selectFrom('logs_blocks')
        .select(['id', 'stream_name', 'min_ts', 'max_ts', 'ingestion_time'])
        .where('account', '=', g.account).where('region', '=', g.region).where('group_name', '=', g.name)
        // Unbounded ends as the widest bigint-safe numbers (PostgreSQL has no infinite bigint).
        .where('min_ts', '<', Math.min(to, Number.MAX_SAFE_INTEGER))
        .where('max_ts', '>=', Math.max(from, Number.MIN_SAFE_INTEGER));
      if (streams) q = q.where('stream_name', 'in', streams as string[]);
      if (streamPrefix !== undefined) q = q.where(startsWith('stream_name', streamPrefix));
      const rows = await q.orderBy('min_ts').orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, stream: r.stream_name, minTs: Number(r.min_ts), maxTs: Number(r.max_ts), ingestionTime: Number(r.ingestion_time) }));
    },

    /** The contents of the blocks (the parts asked for), in the order of `heads`. */
    async blockData(heads: readonly BlockHead[], parts: BlockParts): Promise<BlockRow[]> {
      if (heads.length === 0) return [];
      const ids = heads.map((h) => h.id);
      const rows = parts.messages
        ? await k.selectFrom('logs_blocks').select(['id', 'timestamps', 'timestamps_json', 'body', 'offsets', 'messages_json', 'json_mask', 'json_mixed']).where('id', 'in', ids).execute()
        : await k.selectFrom('logs_blocks').select(['id', 'timestamps', 'timestamps_json', 'json_mask', 'json_mixed']).where('id', 'in', ids).execute();
      const byId = new Map<string, (typeof rows)[number] & { body?: Buffer | null; offsets?: Buffer | null; messages_json?: string }>(rows.map((r) => [r.id, r]));
      const columns = new Map<string, Map<string, JsonColumn>>();
      if (parts.columns?.length) {
        const cols = await k.selectFrom('logs_block_columns').select(['block_id', 'key', 'values_json']).where('block_id', 'in', ids).where('key', 'in', parts.columns as string[]).execute();
        for (const c of cols) {
          let m = columns.get(c.block_id);
          if (!m) columns.set(c.block_id, (m = new Map()));
          m.set(c.key, JSON.parse(c.values_json) as JsonColumn);
        }
      }
      return heads.flatMap((h) => {
        const r = byId.get(h.id);
        if (!r) return []; // swept meanwhile
        const json = parts.columns && r.json_mask !== null ? { mask: r.json_mask, mixed: JSON.parse(r.json_mixed ?? '[]') as string[], columns: columns.get(h.id) ?? new Map<string, JsonColumn>() } : null;
        return [{ ...h, data: new BlockData({ timestamps: r.timestamps, timestampsJson: r.timestamps_json, body: r.body ?? null, offsets: r.offsets ?? null, ...(r.messages_json !== undefined ? { messagesJson: r.messages_json } : {}), json }) }];
      });
    },

    /** Blocks with their messages (see {@link blockHeads}). */
    async blocks(g: GroupRef, from: number, to: number, streams?: readonly string[], streamPrefix?: string): Promise<BlockRow[]> {
      const heads = await store.blockHeads(g, from, to, streams, streamPrefix);
      const out: BlockRow[] = [];
      for (let i = 0; i < heads.length; i += READ_CHUNK) out.push(...(await store.blockData(heads.slice(i, i + READ_CHUNK), { messages: true })));
      return out;
    },

    /**
     * Deletes the blocks whose every event is older than its group's retention, and takes their bytes off their
     * streams' stored bytes (so DescribeLogGroups' storedBytes falls with them); returns how many blocks went.
     */
    async sweepExpired(now: number): Promise<number> {
      const groups = await k.selectFrom('logs_groups').select(['account', 'region', 'name', 'retention_days']).where('retention_days', 'is not', null).execute();
      let deleted = 0;
      for (const gr of groups) {
        const cutoff = now - Number(gr.retention_days) * 86_400_000;
        deleted += await db.transaction(async (trx) => {
          const t = trx.withTables<LogsTables>();
          const expired = t.selectFrom('logs_blocks').where('account', '=', gr.account).where('region', '=', gr.region).where('group_name', '=', gr.name).where('max_ts', '<', cutoff);
          const perStream = await expired.select(['stream_name', (e) => e.fn.sum<Ms>('bytes').as('b'), (e) => e.fn.countAll<Ms>().as('n')]).groupBy('stream_name').execute();
          if (perStream.length === 0) return 0;
          await t.deleteFrom('logs_block_columns').where('block_id', 'in', expired.select('id')).execute();
          await t.deleteFrom('logs_blocks').where('account', '=', gr.account).where('region', '=', gr.region).where('group_name', '=', gr.name).where('max_ts', '<', cutoff).execute();
          for (const s of perStream) {
            await t
              .updateTable('logs_streams')
              .set((e) => ({ stored_bytes: e('stored_bytes', '-', Number(s.b)) }))
              .where('account', '=', gr.account).where('region', '=', gr.region).where('group_name', '=', gr.name).where('name', '=', s.stream_name)
              .execute();
          }
          return perStream.reduce((a, s) => a + Number(s.n), 0);
        });
      }
      return deleted;
    },
  };
  return store;
}

function toStream(r: LogsTables['logs_streams']): StreamRow {
  return {
    name: r.name,
    creationTime: Number(r.creation_time),
    ...(r.first_ts !== null ? { firstTs: Number(r.first_ts) } : {}),
    ...(r.last_ts !== null ? { lastTs: Number(r.last_ts) } : {}),
    ...(r.last_ingestion !== null ? { lastIngestion: Number(r.last_ingestion) } : {}),
    storedBytes: Number(r.stored_bytes),
  };
}

export type LogsStore = ReturnType<typeof createLogsStore>;
