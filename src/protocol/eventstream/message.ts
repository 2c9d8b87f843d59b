/**
 * The AWS event stream binary message format (`application/vnd.amazon.eventstream`), independent of any
 * service model. One message:
 *
 *   total length (uint32) | headers length (uint32) | prelude CRC32 (of the 8 bytes before)
 *   headers: name length (uint8) | name (UTF-8) | type (uint8) | value, repeated
 *   payload
 *   message CRC32 (of everything before it)
 *
 * All integers big-endian. Header value types: 0 true, 1 false (no value), 2 byte, 3 short, 4 int32,
 * 5 int64, 6 bytes and 7 string (uint16 length + bytes), 8 timestamp (int64 epoch milliseconds), 9 uuid (16 bytes).
 */
import * as zlib from 'node:zlib';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** A typed header value, as the wire distinguishes them (the same tags as `@smithy/types` uses). */
export type EventHeaderValue =
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'byte'; readonly value: number }
  | { readonly type: 'short'; readonly value: number }
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'long'; readonly value: bigint }
  | { readonly type: 'binary'; readonly value: Uint8Array }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'timestamp'; readonly value: Date }
  | { readonly type: 'uuid'; readonly value: string };

/** Headers to encode: a plain string is shorthand for `{ type: 'string', value }`. Order is kept. */
export type EventHeadersInput = Readonly<Record<string, string | EventHeaderValue>>;

export interface EventMessageInput {
  readonly headers: EventHeadersInput;
  readonly payload?: Uint8Array | string;
}

/** A decoded message: headers always typed, payload as a Buffer (a view into the decoded bytes). */
export interface EventMessage {
  readonly headers: Record<string, EventHeaderValue>;
  readonly payload: Buffer;
}

/** Largest total message size the decoder accepts (AWS: payloads up to 16 MiB, headers up to 128 KiB). */
export const MAX_MESSAGE_LENGTH = 16 * 1024 * 1024 + 128 * 1024 + 16;
const PRELUDE = 12;
const MIN_MESSAGE = PRELUDE + 4;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

let table: Uint32Array | undefined;

/** CRC-32 (IEEE, as zlib) by table; the fallback for Node releases without `zlib.crc32` (before 20.15). */
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `value`: `zlib.crc32` when Node has it, else the table version. */
export const crc32: (data: Uint8Array, value?: number) => number = typeof nativeCrc32 === 'function' ? nativeCrc32 : tableCrc32;

/** A message that cannot be decoded (truncated, wrong lengths, CRC mismatch, unknown header type). */
export class EventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamError';
  }
}

function headerValue(v: string | EventHeaderValue): EventHeaderValue {
  return typeof v === 'string' ? { type: 'string', value: v } : v;
}

function uuidBytes(s: string): Buffer {
  if (!UUID_RE.test(s)) throw new EventStreamError(`invalid uuid header value ${JSON.stringify(s)}`);
  return Buffer.from(s.replace(/-/g, ''), 'hex');
}

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function checkRange(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EventStreamError(`header ${name}: ${v} is out of range`);
}

/** The encoded headers section. */
export function encodeHeaders(headers: EventHeadersInput): Buffer {
  const parts: Buffer[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length === 0 || nameBytes.length > 255) throw new EventStreamError(`header name ${JSON.stringify(name)} must be 1 to 255 bytes`);
    const h = headerValue(raw);
    let value: Buffer;
    let type: number;
    switch (h.type) {
      case 'boolean':
        type = h.value ? 0 : 1;
        value = Buffer.alloc(0);
        break;
      case 'byte':
        checkRange(name, h.value, -128, 127);
        type = 2;
        value = Buffer.alloc(1);
        value.writeInt8(h.value);
        break;
      case 'short':
        checkRange(name, h.value, -32768, 32767);
        type = 3;
        value = Buffer.alloc(2);
        value.writeInt16BE(h.value);
        break;
      case 'integer':
        checkRange(name, h.value, -(2 ** 31), 2 ** 31 - 1);
        type = 4;
        value = Buffer.alloc(4);
        value.writeInt32BE(h.value);
        break;
      case 'long':
        if (BigInt.asIntN(64, h.value) !== h.value) throw new EventStreamError(`header ${name}: ${h.value} is out of range`);
        type = 5;
        value = Buffer.alloc(8);
        value.writeBigInt64BE(h.value);
        break;
      case 'binary':
      case 'string': {
        const bytes = h.type === 'string' ? Buffer.from(h.value, 'utf8') : Buffer.from(h.value.buffer, h.value.byteOffset, h.value.byteLength);
        if (bytes.length > 0xffff) throw new EventStreamError(`header ${name}: value longer than 65535 bytes`);
        type = h.type === 'string' ? 7 : 6;
        value = Buffer.alloc(2 + bytes.length);
        value.writeUInt16BE(bytes.length);
        bytes.copy(value, 2);
        break;
      }
      case 'timestamp': {
        const ms = h.value.getTime();
        if (!Number.isFinite(ms)) throw new EventStreamError(`header ${name}: invalid date`);
        type = 8;
        value = Buffer.alloc(8);
        value.writeBigInt64BE(BigInt(ms));
        break;
      }
      case 'uuid':
        type = 9;
        value = uuidBytes(h.value);
        break;
      default:
        throw new EventStreamError(`header ${name}: unknown type ${(h as { type: unknown }).type}`);
    }
    parts.push(Buffer.from([nameBytes.length]), nameBytes, Buffer.from([type]), value);
  }
  return Buffer.concat(parts);
}

/** One binary message. A string payload is written as UTF-8. */
export function encodeEventMessage(message: EventMessageInput): Buffer {
  const headers = encodeHeaders(message.headers);
  const p = message.payload ?? Buffer.alloc(0);
  const payload = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
  const total = PRELUDE + headers.length + payload.byteLength + 4;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headers.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headers.copy(out, PRELUDE);
  out.set(payload, PRELUDE + headers.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

function decodeHeaders(b: Buffer): Record<string, EventHeaderValue> {
  const out: Record<string, EventHeaderValue> = {};
  let i = 0;
  const need = (n: number) => {
    if (i + n > b.length) throw new EventStreamError('truncated header');
  };
  while (i < b.length) {
    const nameLen = b[i++];
    need(nameLen + 1);
    const name = b.toString('utf8', i, i + nameLen);
    i += nameLen;
    const type = b[i++];
    let v: EventHeaderValue;
    switch (type) {
      case 0:
      case 1:
        v = { type: 'boolean', value: type === 0 };
        break;
      case 2:
        need(1);
        v = { type: 'byte', value: b.readInt8(i) };
        i += 1;
        break;
      case 3:
        need(2);
        v = { type: 'short', value: b.readInt16BE(i) };
        i += 2;
        break;
      case 4:
        need(4);
        v = { type: 'integer', value: b.readInt32BE(i) };
        i += 4;
        break;
      case 5:
        need(8);
        v = { type: 'long', value: b.readBigInt64BE(i) };
        i += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = b.readUInt16BE(i);
        i += 2;
        need(len);
        v = type === 7 ? { type: 'string', value: b.toString('utf8', i, i + len) } : { type: 'binary', value: Buffer.from(b.subarray(i, i + len)) };
        i += len;
        break;
      }
      case 8:
        need(8);
        v = { type: 'timestamp', value: new Date(Number(b.readBigInt64BE(i))) };
        i += 8;
        break;
      case 9:
        need(16);
        v = { type: 'uuid', value: uuidText(b.subarray(i, i + 16)) };
        i += 16;
        break;
      default:
        throw new EventStreamError(`unknown header value type ${type} for ${name}`);
    }
    Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Total length of the message starting at `offset`, after checking its prelude; undefined when fewer than 12 bytes are there. */
function preludeLength(buf: Buffer, offset: number): number | undefined {
  if (buf.length - offset < PRELUDE) return undefined;
  const total = buf.readUInt32BE(offset);
  const headersLen = buf.readUInt32BE(offset + 4);
  if (crc32(buf.subarray(offset, offset + 8)) !== buf.readUInt32BE(offset + 8)) throw new EventStreamError('prelude checksum mismatch');
  if (total < MIN_MESSAGE || total > MAX_MESSAGE_LENGTH) throw new EventStreamError(`invalid message length ${total}`);
  if (headersLen > total - MIN_MESSAGE) throw new EventStreamError(`invalid headers length ${headersLen}`);
  return total;
}

function decodeOne(msg: Buffer): EventMessage {
  const total = msg.length;
  const headersLen = msg.readUInt32BE(4);
  if (crc32(msg.subarray(0, total - 4)) !== msg.readUInt32BE(total - 4)) throw new EventStreamError('message checksum mismatch');
  return { headers: decodeHeaders(msg.subarray(PRELUDE, PRELUDE + headersLen)), payload: msg.subarray(PRELUDE + headersLen, total - 4) };
}

/** Every message of a buffer holding whole messages; throws `EventStreamError` on anything else. */
export function decodeEventMessages(buf: Uint8Array): EventMessage[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: EventMessage[] = [];
  let offset = 0;
  while (offset < b.length) {
    const total = preludeLength(b, offset);
    if (total === undefined || offset + total > b.length) throw new EventStreamError('truncated message');
    out.push(decodeOne(b.subarray(offset, offset + total)));
    offset += total;
  }
  return out;
}

/**
 * Incremental decoder for bytes arriving in arbitrary chunks: `push` returns the messages completed so
 * far; `end` throws when a partial message is left over.
 */
export class EventStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): EventMessage[] {
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let b = this.pending.length === 0 ? c : Buffer.concat([this.pending, c]);
    const out: EventMessage[] = [];
    for (;;) {
      const total = preludeLength(b, 0);
      if (total === undefined || total > b.length) break;
      // Copy: the chunk's memory may be reused by whoever produced it.
      out.push(decodeOne(Buffer.from(b.subarray(0, total))));
      b = b.subarray(total);
    }
    this.pending = b.length === 0 ? Buffer.alloc(0) : Buffer.from(b);
    return out;
  }

  end(): void {
    if (this.pending.length > 0) throw new EventStreamError(`truncated message (${this.pending.length} bytes left over)`);
  }
}

/** The messages of a byte stream, as they complete. */
export async function* decodeEventStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<EventMessage> {
  const d = new EventStreamDecoder();
  for await (const chunk of source) yield* d.push(chunk);
  d.end();
}
