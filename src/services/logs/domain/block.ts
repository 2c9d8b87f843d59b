/**
 * The stored form of a block of log events (one written batch), built so that FilterLogEvents can answer without
 * decoding every message:
 * - `body`: the messages' UTF-8 bytes, concatenated; `offsets`: where each starts (n + 1 little-endian uint32s).
 *   A term is searched for in the bytes (UTF-8 keeps substrings substrings) and only the messages it lands in are
 *   decoded.
 * - `timestamps`: n little-endian float64s (epoch milliseconds are exact in a double).
 * - `fields`: for the JSON messages, their top-level scalar values as columns, so a JSON filter pattern over
 *   top-level keys (`{ $.latency > 990 }`) is evaluated on the columns, not by parsing every message again.
 *
 * Blocks written before this form hold JSON arrays of timestamps and messages; {@link BlockData} reads both.
 */

/** A column: one top-level key's scalar value per message; `null` where a message is not JSON or lacks the key. */
export type JsonColumn = Array<string | number | boolean | null>;

/** More keys than this in one block and the block keeps no columns (FilterLogEvents parses its JSON messages). */
const MAX_COLUMNS = 64;

/**
 * The JSON side of a block. `mask` has '1' where the message is a JSON object, '0' otherwise; `mixed` lists the
 * keys some message holds with a null, object or array value (kept out of `columns`: read by parsing instead).
 */
export interface JsonColumns {
  readonly mask: string;
  readonly mixed: readonly string[];
  readonly columns: ReadonlyMap<string, JsonColumn>;
}

export interface EncodedBlock {
  readonly body: Buffer;
  readonly offsets: Buffer;
  readonly timestamps: Buffer;
  /**
   * Undefined when the block keeps no columns (a JSON array among its messages, or more than {@link MAX_COLUMNS}
   * keys); a mask of zeros and no columns when no message is JSON (a JSON pattern then matches none of them).
   */
  readonly json?: JsonColumns;
}

/** How CloudWatch's JSON patterns decide that a message is JSON: it starts (after blanks) with `{` or `[` and parses. */
export function parseJsonMessage(m: string): { doc: unknown } | undefined {
  if (m.length < 2 || (m[0] !== '{' && m[0] !== '[')) {
    const t = m.trimStart();
    if (t[0] !== '{' && t[0] !== '[') return undefined;
  }
  try {
    return { doc: JSON.parse(m) as unknown };
  } catch {
    return undefined;
  }
}

export function encodeBlock(timestamps: readonly number[], messages: readonly string[], byteLengths: readonly number[]): EncodedBlock {
  const n = messages.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += byteLengths[i]!;
  const body = Buffer.allocUnsafe(total);
  const offsets = Buffer.allocUnsafe((n + 1) * 4);
  const ts = Buffer.allocUnsafe(n * 8);
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets.writeUInt32LE(at, i * 4);
    at += body.write(messages[i]!, at, 'utf8');
    ts.writeDoubleLE(timestamps[i]!, i * 8);
  }
  offsets.writeUInt32LE(at, n * 4);
  const json = jsonColumns(messages);
  return { body: at === total ? body : body.subarray(0, at), offsets, timestamps: ts, ...(json ? { json } : {}) };
}

function jsonColumns(messages: readonly string[]): JsonColumns | undefined {
  const n = messages.length;
  let mask = '';
  const columns = new Map<string, JsonColumn>();
  const mixed = new Set<string>();
  for (let i = 0; i < n; i++) {
    const parsed = parseJsonMessage(messages[i]!);
    if (parsed === undefined) {
      mask += '0';
      continue;
    }
    const doc = parsed.doc;
    // `$.0` or `$.length` reads into an array; such blocks are read by parsing.
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    mask += '1';
    for (const [k, v] of Object.entries(doc)) {
      if (mixed.has(k)) continue;
      if (v === null || typeof v === 'object') {
        mixed.add(k);
        columns.delete(k);
        continue;
      }
      let col = columns.get(k);
      if (!col) {
        if (columns.size + mixed.size >= MAX_COLUMNS) return undefined;
        columns.set(k, (col = new Array<string | number | boolean | null>(n).fill(null)));
      }
      col[i] = v as string | number | boolean;
    }
  }
  return { mask, mixed: [...mixed], columns };
}

/** What a reader fetched of a stored block: its messages (new or old form) and, when asked, some JSON columns. */
export interface StoredBlock {
  readonly body?: Buffer | null;
  readonly offsets?: Buffer | null;
  readonly timestamps: Buffer | null;
  readonly timestampsJson: string;
  readonly messagesJson?: string;
  /** Null when the block keeps no columns (or predates them); absent when not fetched. */
  readonly json?: { readonly mask: string; readonly mixed: readonly string[]; readonly columns: ReadonlyMap<string, JsonColumn> } | null;
}

/** A stored block, read lazily: new blocks from their binary columns, older ones from their JSON arrays. */
export class BlockData {
  readonly count: number;
  private legacyTimestamps?: number[];
  private legacyMessages?: string[];

  constructor(private readonly stored: StoredBlock) {
    if (stored.timestamps) {
      this.count = stored.timestamps.length / 8;
    } else {
      this.legacyTimestamps = JSON.parse(stored.timestampsJson) as number[];
      this.count = this.legacyTimestamps.length;
    }
  }

  timestamp(i: number): number {
    return this.legacyTimestamps ? this.legacyTimestamps[i]! : this.stored.timestamps!.readDoubleLE(i * 8);
  }

  message(i: number): string {
    const { body, offsets } = this.stored;
    if (body && offsets) return body.toString('utf8', offsets.readUInt32LE(i * 4), offsets.readUInt32LE((i + 1) * 4));
    if (this.stored.messagesJson === undefined) throw new Error('block read without its messages');
    this.legacyMessages ??= JSON.parse(this.stored.messagesJson) as string[];
    return this.legacyMessages[i]!;
  }

  /** The UTF-8 size of message `i`, without decoding it when the block is in the binary form. */
  byteLength(i: number): number {
    const o = this.stored.offsets;
    if (this.stored.body && o) return o.readUInt32LE((i + 1) * 4) - o.readUInt32LE(i * 4);
    return Buffer.byteLength(this.message(i), 'utf8');
  }

  /** False when no message of the block can contain `term` (so its messages need not be decoded). */
  mayContain(term: string): boolean {
    if (this.stored.body) return this.stored.body.includes(term, 0, 'utf8');
    return this.stored.messagesJson === undefined || this.stored.messagesJson.includes(JSON.stringify(term).slice(1, -1));
  }

  /**
   * The indexes of the messages whose bytes contain `term`, in order (each once). Candidates only where a match
   * could straddle two messages: callers test each message itself.
   */
  *withTerm(term: string): Generator<number> {
    const { body, offsets } = this.stored;
    if (!body || !offsets) {
      for (let i = 0; i < this.count; i++) if (this.message(i).includes(term)) yield i;
      return;
    }
    const needle = Buffer.from(term, 'utf8');
    let p = body.indexOf(needle, 0);
    while (p >= 0) {
      const i = this.messageAt(p);
      yield i;
      p = body.indexOf(needle, offsets.readUInt32LE((i + 1) * 4));
    }
  }

  /** The JSON columns fetched with the block; undefined when it keeps none and its JSON messages must be parsed. */
  columns(): StoredBlock['json'] | undefined {
    return this.stored.json ?? undefined;
  }

  /** The message holding byte `p` of the body (binary search over the offsets). */
  private messageAt(p: number): number {
    const o = this.stored.offsets!;
    let lo = 0, hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (o.readUInt32LE(mid * 4) <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
