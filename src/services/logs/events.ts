/**
 * Reading events back out of blocks: GetLogEvents' walk over one stream and FilterLogEvents' scan over groups.
 * Both order events by (timestamp, block, index). The scan visits blocks by their first timestamp and stops
 * once it holds `limit` matches and no later block can hold an earlier event.
 */
import type { BlockData } from './domain/block.js';
import type { CompiledPattern, JsonPattern } from './domain/filter-pattern.js';
import type { GroupRef } from './domain/names.js';
import { READ_CHUNK, type BlockHead, type BlockRow, type LogsStore, type StoredEvent } from './store.js';

/** A position between events: (timestamp, block id, index). */
export interface Position {
  readonly ts: number;
  readonly block: string;
  readonly index: number;
}

export const comparePos = (a: Position, b: Position): number =>
  a.ts - b.ts || (a.block < b.block ? -1 : a.block > b.block ? 1 : 0) || a.index - b.index;

export function encodePos(p: Position): string {
  return `${p.ts}.${p.block}.${p.index}`;
}

export function decodePos(s: string): Position | undefined {
  const m = /^(-?\d+)\.([0-9a-z]+)\.(\d+)$/.exec(s);
  return m ? { ts: Number(m[1]), block: m[2]!, index: Number(m[3]) } : undefined;
}

/**
 * The messages of a block in [from, to) that a JSON pattern over top-level keys matches, decided on the block's
 * columns (fetched with it) without decoding a message; undefined when the block keeps no usable columns (its
 * messages must be parsed).
 */
export function matchedByColumns(d: BlockData, from: number, to: number, json: JsonPattern): number[] | undefined {
  const keys = json.topLevelKeys;
  const cols = d.columns();
  if (!keys || !cols || keys.some((k) => cols.mixed.includes(k))) return undefined;
  // A key absent from the columns (and not mixed) is in no JSON message of the block.
  const values = keys.map((k) => cols.columns.get(k));
  const doc: Record<string, unknown> = {};
  const out: number[] = [];
  for (let i = 0; i < d.count; i++) {
    if (cols.mask.charCodeAt(i) !== 49 /* '1' */) continue;
    const t = d.timestamp(i);
    if (t < from || t >= to) continue;
    for (let k = 0; k < keys.length; k++) doc[keys[k]!] = values[k]?.[i] ?? undefined;
    if (json.test(doc)) out.push(i);
  }
  return out;
}

/** How many events of a block lie in [from, to), and their UTF-8 bytes (what a query scanned there). */
export function scannedIn(d: BlockData, from: number, to: number): { records: number; bytes: number } {
  let records = 0, bytes = 0;
  for (let i = 0; i < d.count; i++) {
    const t = d.timestamp(i);
    if (t < from || t >= to) continue;
    records++;
    bytes += d.byteLength(i);
  }
  return { records, bytes };
}

/**
 * The events of block `b` in [from, to) that match `pattern` (all of them without one), appended to `out`. Only the
 * messages that can match are decoded: a block lacking a required term is skipped, the longest required term is
 * looked for in the block's bytes, and a JSON pattern over top-level keys is decided on the block's columns when
 * they were fetched.
 */
export function eventsOf(g: GroupRef, b: BlockRow, from: number, to: number, out: StoredEvent[], pattern?: CompiledPattern): void {
  const d = b.data;
  const push = (i: number, t: number, message: string) => out.push({ group: g, stream: b.stream, timestamp: t, message, ingestionTime: b.ingestionTime, block: b.id, index: i });
  const inRange = (t: number) => t >= from && t < to;
  if (!pattern) {
    for (let i = 0; i < d.count; i++) {
      const t = d.timestamp(i);
      if (inRange(t)) push(i, t, d.message(i));
    }
    return;
  }
  for (const term of pattern.required) if (!d.mayContain(term)) return;
  if (pattern.required.length > 0) {
    const longest = pattern.required.reduce((a, x) => (x.length > a.length ? x : a));
    for (const i of d.withTerm(longest)) {
      const t = d.timestamp(i);
      if (!inRange(t)) continue;
      const m = d.message(i);
      if (pattern.match(m)) push(i, t, m);
    }
    return;
  }
  const byColumns = pattern.json ? matchedByColumns(d, from, to, pattern.json) : undefined;
  if (byColumns) {
    for (const i of byColumns) push(i, d.timestamp(i), d.message(i));
    return;
  }
  for (let i = 0; i < d.count; i++) {
    const t = d.timestamp(i);
    if (!inRange(t)) continue;
    const m = d.message(i);
    if (pattern.match(m)) push(i, t, m);
  }
}

export interface ScanRequest {
  readonly groups: readonly GroupRef[];
  readonly from: number;
  readonly to: number;
  readonly streams?: readonly string[];
  readonly streamPrefix?: string;
  readonly pattern: CompiledPattern;
  readonly after?: Position;
  readonly limit: number;
  /** Per group: the retention cut-off (events before it are hidden). */
  readonly cutoff: (g: GroupRef) => number;
}

/**
 * Matching events after `after`, in order, at most `limit`; `more` when there may be others. Blocks are read
 * READ_CHUNK at a time in the order of their first event, so a scan that has its page stops reading. A JSON pattern
 * over top-level keys first reads only those keys' columns, then the messages of the blocks where something matched.
 */
export async function scan(store: LogsStore, req: ScanRequest): Promise<{ events: StoredEvent[]; more: boolean }> {
  const all: Array<{ g: GroupRef; h: BlockHead; from: number }> = [];
  for (const g of req.groups) {
    const from = Math.max(req.from, req.cutoff(g), req.after?.ts ?? -Infinity);
    for (const h of await store.blockHeads(g, from, req.to, req.streams, req.streamPrefix)) all.push({ g, h, from });
  }
  all.sort((x, y) => x.h.minTs - y.h.minTs || (x.h.id < y.h.id ? -1 : 1));
  const keys = req.pattern.json?.topLevelKeys;
  const found: StoredEvent[] = [];
  let more = false;
  /** True once `found` holds a full page that no block from `minTs` on can improve. */
  const pageFull = (minTs: number): boolean => {
    if (found.length < req.limit) return false;
    found.sort(compareEvents);
    found.length = req.limit;
    return minTs > found[found.length - 1]!.timestamp;
  };
  const keep = (before: number) => {
    if (!req.after) return;
    let w = before;
    for (let j = before; j < found.length; j++) if (comparePos(posOf(found[j]!), req.after) > 0) found[w++] = found[j]!;
    found.length = w;
  };
  scanning: for (let c = 0; c < all.length; c += READ_CHUNK) {
    const chunk = all.slice(c, c + READ_CHUNK);
    if (pageFull(chunk[0]!.h.minTs)) {
      more = true;
      break;
    }
    const where = new Map(chunk.map((x) => [x.h.id, x]));
    let rows: BlockRow[];
    const decided = new Map<string, number[]>();
    if (keys && req.pattern.json) {
      // Columns first; messages only for the blocks with a match or without usable columns.
      const json = req.pattern.json;
      const need: BlockHead[] = [];
      for (const r of await store.blockData(chunk.map((x) => x.h), { messages: false, columns: keys })) {
        const x = where.get(r.id)!;
        const hits = matchedByColumns(r.data, x.from, req.to, json);
        if (hits) decided.set(r.id, hits);
        if (!hits || hits.length > 0) need.push(x.h);
      }
      rows = await store.blockData(need, { messages: true });
    } else {
      rows = await store.blockData(chunk.map((x) => x.h), { messages: true });
    }
    for (const b of rows) {
      if (pageFull(b.minTs)) {
        more = true;
        break scanning;
      }
      const { g, from } = where.get(b.id)!;
      const before = found.length;
      const hits = decided.get(b.id);
      if (hits) for (const i of hits) found.push({ group: g, stream: b.stream, timestamp: b.data.timestamp(i), message: b.data.message(i), ingestionTime: b.ingestionTime, block: b.id, index: i });
      else eventsOf(g, b, from, req.to, found, req.pattern);
      keep(before);
    }
  }
  found.sort(compareEvents);
  if (found.length > req.limit) {
    found.length = req.limit;
    more = true;
  }
  return { events: found, more };
}

export const posOf = (e: StoredEvent): Position => ({ ts: e.timestamp, block: e.block, index: e.index });
export const compareEvents = (a: StoredEvent, b: StoredEvent): number => comparePos(posOf(a), posOf(b));
