/**
 * Reading events back out of blocks: GetLogEvents' walk over one stream and FilterLogEvents' scan over groups.
 * Both order events by (timestamp, block, index). The scan visits blocks by their first timestamp and stops
 * once it holds `limit` matches and no later block can hold an earlier event.
 */
import type { CompiledPattern } from './domain/filter-pattern.js';
import type { GroupRef } from './domain/names.js';
import type { BlockRow, LogsStore, StoredEvent } from './store.js';

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

export function eventsOf(g: GroupRef, b: BlockRow, from: number, to: number, out: StoredEvent[], pattern?: CompiledPattern): void {
  const ts = JSON.parse(b.timestampsJson) as number[];
  const msgs = JSON.parse(b.messagesJson) as string[];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t < from || t >= to) continue;
    if (pattern && !pattern.match(msgs[i]!)) continue;
    out.push({ group: g, stream: b.stream, timestamp: t, message: msgs[i]!, ingestionTime: b.ingestionTime, block: b.id, index: i });
  }
}

const jsonEscaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/** True when a block's raw messages cannot hold a match (a required term is missing). */
export function skippable(b: BlockRow, required: readonly string[]): boolean {
  for (const term of required) if (!b.messagesJson.includes(jsonEscaped(term))) return true;
  return false;
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

/** Matching events after `after`, in order, at most `limit`; `more` when there may be others. */
export async function scan(store: LogsStore, req: ScanRequest): Promise<{ events: StoredEvent[]; more: boolean }> {
  const all: Array<{ g: GroupRef; b: BlockRow; from: number }> = [];
  for (const g of req.groups) {
    const from = Math.max(req.from, req.cutoff(g), req.after?.ts ?? -Infinity);
    for (const b of await store.blocks(g, from, req.to, req.streams, req.streamPrefix)) all.push({ g, b, from });
  }
  all.sort((x, y) => x.b.minTs - y.b.minTs || (x.b.id < y.b.id ? -1 : 1));
  const found: StoredEvent[] = [];
  let more = false;
  for (let i = 0; i < all.length; i++) {
    const { g, b, from } = all[i]!;
    if (found.length >= req.limit) {
      found.sort(compareEvents);
      found.length = req.limit;
      if (b.minTs > found[found.length - 1]!.timestamp) {
        more = true;
        break;
      }
    }
    if (skippable(b, req.pattern.required)) continue;
    const before = found.length;
    eventsOf(g, b, from, req.to, found, req.pattern);
    if (req.after) {
      let w = before;
      for (let j = before; j < found.length; j++) if (comparePos(posOf(found[j]!), req.after) > 0) found[w++] = found[j]!;
      found.length = w;
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
