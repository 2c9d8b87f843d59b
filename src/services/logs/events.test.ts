/**
 * FilterLogEvents' fast paths (terms searched in a block's bytes, JSON patterns evaluated on its columns) against
 * the plain definition: every message decoded and matched. Random blocks of text, JSON and mixed messages (seeded,
 * so a failure repeats), in the binary form and in the older JSON-array form.
 */
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import { BlockData, encodeBlock } from './domain/block.js';
import { compileFilterPattern } from './domain/filter-pattern.js';
import { eventsOf, scan, type Position } from './events.js';
import { createLogsStore, logsMigrations, type BlockRow, type StoredEvent } from './store.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['ERROR', 'INFO', 'WARN', 'timeout', 'é', '日本', 'req-1', 'a"b', 'back\\slash', '{', 'latency', 'x'];

function randomMessage(r: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kind = r();
  if (kind < 0.35) return Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(WORDS)).join(' ');
  if (kind < 0.8) {
    const doc: Record<string, unknown> = {};
    if (r() < 0.8) doc.latency = Math.floor(r() * 100);
    if (r() < 0.6) doc.level = pick(['ERROR', 'INFO', 'WARN']);
    if (r() < 0.3) doc.ok = r() < 0.5;
    if (r() < 0.1) doc.level = null; // a mixed key: the block falls back to parsing
    if (r() < 0.1) doc.user = { id: pick(WORDS) };
    return (r() < 0.1 ? '  ' : '') + JSON.stringify(doc);
  }
  if (kind < 0.85) return '[1, 2, 3]';
  if (kind < 0.9) return '{not json';
  return '';
}

const PATTERNS = [
  'ERROR', 'ERROR timeout', '"a\\"b"', '日本', '?WARN ?timeout', 'INFO -ERROR', 'NOSUCH', 'é', '"{"', 'x', '"latency" :',
  '{ $.latency > 50 }', '{ $.latency <= 10 || $.level = "WARN" }', '{ $.level = ERR* }', '{ $.ok IS TRUE }', '{ $.ok IS FALSE }',
  '{ $.level IS NULL }', '{ $.level NOT EXISTS }', '{ $.missing EXISTS }', '{ $.user.id = "x" }', '{ $.latency != 5 }',
];

function legacyRow(id: string, ts: number[], msgs: string[]): BlockRow {
  return { id, stream: 's', minTs: Math.min(...ts), maxTs: Math.max(...ts), ingestionTime: 1, data: new BlockData({ body: null, offsets: null, timestamps: null, timestampsJson: JSON.stringify(ts), messagesJson: JSON.stringify(msgs) }) };
}

/** The binary form, read with its JSON columns (as a scan fetches them) or without (as GetLogEvents does). */
function binaryRow(id: string, ts: number[], msgs: string[], withColumns: boolean): BlockRow {
  const e = encodeBlock(ts, msgs, msgs.map((m) => Buffer.byteLength(m, 'utf8')));
  return { id, stream: 's', minTs: Math.min(...ts), maxTs: Math.max(...ts), ingestionTime: 1, data: new BlockData({ body: e.body, offsets: e.offsets, timestamps: e.timestamps, timestampsJson: '', messagesJson: '', json: withColumns ? (e.json ?? null) : null }) };
}

const g = { account: '111111111111', region: 'us-east-1', name: 'grp' };
const brief = (es: StoredEvent[]) => es.map((e) => `${e.index}@${e.timestamp}:${e.message}`);

describe('eventsOf', () => {
  it('finds exactly the events a plain decode-and-match finds, in both stored forms', () => {
    const r = prng(20261206);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(r() * 40);
      const msgs = Array.from({ length: n }, () => randomMessage(r));
      const ts = Array.from({ length: n }, (_, i) => 1000 + i * 10);
      const from = r() < 0.3 ? 1000 + Math.floor(r() * n) * 10 : -Infinity;
      const to = r() < 0.3 ? from + 100 : Infinity;
      for (const p of PATTERNS) {
        const pattern = compileFilterPattern(p);
        const want = msgs.flatMap((m, i) => (ts[i]! >= from && ts[i]! < to && pattern.match(m) ? [`${i}@${ts[i]}:${m}`] : []));
        for (const row of [binaryRow('b', ts, msgs, true), binaryRow('b', ts, msgs, false), legacyRow('b', ts, msgs)]) {
          const got: StoredEvent[] = [];
          eventsOf(g, row, from, to, got, pattern);
          expect(brief(got), `${p} over ${JSON.stringify(msgs)}`).toEqual(want);
        }
      }
    }
  });

  it('keeps messages byte for byte, and columns only where they answer the same', () => {
    const msgs = ['plain é 日本', '{"latency":3,"level":"INFO"}', '{"latency":7,"extra":{"a":1}}', ''];
    const e = encodeBlock([1, 2, 3, 4], msgs, msgs.map((m) => Buffer.byteLength(m, 'utf8')));
    const d = new BlockData({ body: e.body, offsets: e.offsets, timestamps: e.timestamps, timestampsJson: '', messagesJson: '' });
    expect(Array.from({ length: d.count }, (_, i) => d.message(i))).toEqual(msgs);
    expect(Array.from({ length: d.count }, (_, i) => d.timestamp(i))).toEqual([1, 2, 3, 4]);
    expect(e.json).toEqual({ mask: '0110', columns: new Map<string, unknown>([['latency', [null, 3, 7, null]], ['level', [null, 'INFO', null, null]]]), mixed: ['extra'] });
    // A block with a JSON array among its messages keeps no columns; one with no JSON at all has an empty mask.
    expect(encodeBlock([1], ['[1]'], [3]).json).toBeUndefined();
    expect(encodeBlock([1], ['text'], [4]).json).toEqual({ mask: '0', columns: new Map(), mixed: [] });
  });

  it('uses the columns only for patterns over plain top-level keys', () => {
    expect(compileFilterPattern('{ $.latency > 1 && $.level = "x" }').json?.topLevelKeys).toEqual(['latency', 'level']);
    expect(compileFilterPattern('{ $.user.id = "x" }').json?.topLevelKeys).toBeUndefined();
    expect(compileFilterPattern('{ $.toString EXISTS }').json?.topLevelKeys).toBeUndefined();
    expect(compileFilterPattern('{ $.a[0] = 1 }').json?.topLevelKeys).toBeUndefined();
  });
});

describe('scan', () => {
  it('pages through many blocks and streams exactly as a plain filter of everything would', async () => {
    const db = openSqlite({ file: ':memory:' });
    await runMigrations(db, logsMigrations);
    const store = createLogsStore(db);
    const r = prng(7);
    await store.createGroup(g, 0, {});
    const written: Array<{ stream: string; ts: number; message: string }> = [];
    for (const stream of ['a', 'b', 'c']) await store.createStream(g, stream, 0);
    // 120 blocks (more than a read chunk) in three streams, with timestamps that interleave across blocks.
    for (let b = 0; b < 120; b++) {
      const stream = ['a', 'b', 'c'][b % 3]!;
      const n = 1 + Math.floor(r() * 30);
      const base = 10_000 + Math.floor(r() * 5000);
      const events = Array.from({ length: n }, (_, i) => ({ timestamp: base + i * 7, message: randomMessage(r) }));
      await store.append(g, stream, events, 1);
      for (const e of events) written.push({ stream, ts: e.timestamp, message: e.message });
    }
    for (const p of ['ERROR', '{ $.latency > 90 }', '{ $.level = "WARN" || $.ok IS TRUE }', '{ $.user.id = "x" }', '?WARN ?日本', '']) {
      const pattern = compileFilterPattern(p);
      const want = written.filter((e) => pattern.match(e.message)).map((e) => `${e.ts}:${e.message}`).sort();
      for (const limit of [7, 1000]) {
        const got: StoredEvent[] = [];
        let after: Position | undefined;
        for (let page = 0; page < 500; page++) {
          const out = await scan(store, { groups: [g], from: -Infinity, to: Infinity, pattern, limit, cutoff: () => -Infinity, ...(after ? { after } : {}) });
          got.push(...out.events);
          const last = out.events[out.events.length - 1];
          if (!out.more || !last) break;
          after = { ts: last.timestamp, block: last.block, index: last.index };
        }
        expect(got.map((e) => `${e.timestamp}:${e.message}`).sort(), `${p}, pages of ${limit}`).toEqual(want);
        // In order, no event twice.
        const keys = got.map((e) => `${e.timestamp}.${e.block}.${e.index}`);
        expect(new Set(keys).size).toBe(keys.length);
      }
    }
    await db.close();
  });
});
