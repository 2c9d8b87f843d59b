/**
 * A reader (and, for tests and fixtures, a writer) of Avro object container files as Iceberg writes its manifest
 * lists and manifests (Avro 1.11 specification, "Object Container Files" and "Binary Encoding"): every primitive and
 * complex type, the `null` and `deflate` codecs (Iceberg's default `gzip` is Avro `deflate`), and `snappy` (raw
 * Snappy block + CRC-32). Records decode to plain objects keyed by field name; `long` decodes to a number when it is
 * a safe integer and to a bigint otherwise (Iceberg snapshot ids use all 63 bits). The writer's schema travels in the
 * file; `fieldIds` gives each record field's Iceberg `field-id` so a reader can project by id as Iceberg does.
 *
 * Written here rather than taken from `avsc`: avsc refuses longs beyond 2^53 unless given a custom long type, keeps
 * no `field-id` attributes on its parsed types and ships no snappy codec — the three things a manifest needs.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export type AvroSchema = string | AvroSchema[] | { readonly type: string; readonly [k: string]: unknown };

export type AvroValue = null | boolean | number | bigint | string | Uint8Array | AvroValue[] | Map<string, AvroValue> | { [k: string]: AvroValue };

export class AvroError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvroError';
  }
}

const MAGIC = [0x4f, 0x62, 0x6a, 0x01];
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const MAX_BLOCK_ITEMS = 10_000_000;
/** A decompressed block larger than this is refused (a manifest block is kilobytes; this stops a deflate bomb). */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new AvroError(`truncated data: needed ${n} bytes at offset ${this.pos} of ${this.buf.length}`);
  }
  long(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new AvroError(`malformed variable-length integer at offset ${this.pos}`);
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  int(): number {
    const v = this.long();
    if (v < -(2n ** 31n) || v >= 2n ** 31n) throw new AvroError(`int out of range at offset ${this.pos}`);
    return Number(v);
  }
  count(): number {
    const v = this.long();
    if (v > BigInt(MAX_BLOCK_ITEMS) || v < -BigInt(MAX_BLOCK_ITEMS)) throw new AvroError(`implausible block count ${v} at offset ${this.pos}`);
    return Number(v);
  }
  /**
   * Calls `item` once per element of an array or map: blocks of a count each, ended by a zero count; a negative count
   * is followed by the block's size in bytes (skipped: the items are read anyway).
   */
  eachBlockItem(item: () => void): void {
    for (;;) {
      let n = this.count();
      if (n === 0) return;
      if (n < 0) {
        n = -n;
        this.long();
      }
      for (let i = 0; i < n; i++) item();
    }
  }
  bytes(n?: number): Uint8Array {
    const len = n ?? Number(this.long());
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();
const longValue = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** Named types (records, enums, fixed) by full name, so later references resolve. */
type Named = Map<string, AvroSchema & object>;

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** Registers named types and checks the schema is well-formed before any data is read. */
function register(schema: AvroSchema, named: Named, namespace?: string): void {
  if (typeof schema === 'string') {
    if (!PRIMITIVES.has(schema) && !named.has(fullName(schema, namespace)) && !named.has(schema)) throw new AvroError(`unknown type '${schema}' in schema`);
    return;
  }
  if (Array.isArray(schema)) {
    for (const s of schema) register(s, named, namespace);
    return;
  }
  const { type } = schema;
  if (typeof type !== 'string') {
    register(type as AvroSchema, named, namespace);
    return;
  }
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
    if (typeof schema.name !== 'string') throw new AvroError(`${type} without a name in schema`);
    const name = fullName(schema.name, ns);
    named.set(name, schema);
    const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ns;
    if (type === 'record' || type === 'error') {
      if (!Array.isArray(schema.fields)) throw new AvroError(`record ${name} without fields`);
      for (const f of schema.fields as { name?: unknown; type?: unknown }[]) {
        if (typeof f.name !== 'string' || f.type === undefined) throw new AvroError(`malformed field in record ${name}`);
        register(f.type as AvroSchema, named, inner);
      }
    }
    if (type === 'enum' && !Array.isArray(schema.symbols)) throw new AvroError(`enum ${name} without symbols`);
    if (type === 'fixed' && typeof schema.size !== 'number') throw new AvroError(`fixed ${name} without size`);
  } else if (type === 'array') register(schema.items as AvroSchema, named, ns);
  else if (type === 'map') register(schema.values as AvroSchema, named, ns);
  else if (!PRIMITIVES.has(type) && !named.has(fullName(type, ns)) && !named.has(type)) throw new AvroError(`unknown type '${type}' in schema`);
}

function resolve(schema: AvroSchema, named: Named, namespace?: string): AvroSchema {
  if (typeof schema === 'string' && !PRIMITIVES.has(schema)) return named.get(fullName(schema, namespace)) ?? named.get(schema)!;
  if (typeof schema === 'object' && !Array.isArray(schema) && typeof schema.type === 'string' && !PRIMITIVES.has(schema.type) && !['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(schema.type)) {
    return named.get(fullName(schema.type, namespace)) ?? named.get(schema.type)!;
  }
  if (typeof schema === 'object' && !Array.isArray(schema) && typeof schema.type === 'object') return resolve(schema.type as AvroSchema, named, namespace);
  return schema;
}

function decode(r: Reader, schema: AvroSchema, named: Named, depth = 0): AvroValue {
  if (depth > 64) throw new AvroError('schema nested too deeply');
  const s = resolve(schema, named);
  if (Array.isArray(s)) {
    const branch = Number(r.long());
    if (branch < 0 || branch >= s.length) throw new AvroError(`union branch ${branch} out of range at offset ${r.pos}`);
    return decode(r, s[branch]!, named, depth + 1);
  }
  const type = typeof s === 'string' ? s : s.type;
  switch (type) {
    case 'null':
      return null;
    case 'boolean': {
      const b = r.bytes(1)[0]!;
      if (b > 1) throw new AvroError(`invalid boolean byte ${b} at offset ${r.pos - 1}`);
      return b === 1;
    }
    case 'int':
      return r.int();
    case 'long':
      return longValue(r.long());
    case 'float':
      return r.float();
    case 'double':
      return r.double();
    case 'bytes':
      return r.bytes();
    case 'string':
      try {
        return utf8.decode(r.bytes());
      } catch {
        throw new AvroError(`invalid UTF-8 string at offset ${r.pos}`);
      }
  }
  const obj = s as Exclude<AvroSchema, string | AvroSchema[]>;
  switch (type) {
    case 'record':
    case 'error': {
      const out: { [k: string]: AvroValue } = {};
      for (const f of obj.fields as { name: string; type: AvroSchema }[]) out[f.name] = decode(r, f.type, named, depth + 1);
      return out;
    }
    case 'enum': {
      const symbols = obj.symbols as string[];
      const i = r.int();
      if (i < 0 || i >= symbols.length) throw new AvroError(`enum index ${i} out of range`);
      return symbols[i]!;
    }
    case 'fixed':
      return r.bytes(obj.size as number);
    case 'array': {
      const out: AvroValue[] = [];
      r.eachBlockItem(() => out.push(decode(r, obj.items as AvroSchema, named, depth + 1)));
      return out;
    }
    case 'map': {
      const out = new Map<string, AvroValue>();
      r.eachBlockItem(() => {
        const k = decode(r, 'string', named) as string;
        out.set(k, decode(r, obj.values as AvroSchema, named, depth + 1));
      });
      return out;
    }
  }
  throw new AvroError(`unsupported type '${String(type)}'`);
}

/** Raw Snappy (no framing), as Avro's snappy codec stores each block (followed by a CRC-32 of the result). */
export function snappyDecompress(src: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) throw new AvroError('malformed snappy block length');
    const b = src[pos++]!;
    length |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
  }
  if (length > 1 << 30) throw new AvroError('implausible snappy block length');
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > src.length) throw new AvroError('truncated snappy literal');
        len = 0;
        for (let i = 0; i < extra; i++) len |= src[pos + i]! << (8 * i);
        len = (len >>> 0) + 1;
        pos += extra;
      }
      if (pos + len > src.length || o + len > length) throw new AvroError('snappy literal out of range');
      out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= src.length) throw new AvroError('truncated snappy copy');
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > src.length) throw new AvroError('truncated snappy copy');
      len = (tag >> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > src.length) throw new AvroError('truncated snappy copy');
      len = (tag >> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw new AvroError('snappy copy out of range');
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw new AvroError('snappy block shorter than its declared length');
  return out;
}

function decompress(codec: string, data: Uint8Array): Uint8Array {
  switch (codec) {
    case 'null':
      return data;
    case 'deflate':
      try {
        return inflateRawSync(data, { maxOutputLength: MAX_BLOCK_BYTES });
      } catch (e) {
        throw new AvroError(`deflate block does not decompress: ${(e as Error).message}`);
      }
    case 'snappy':
      if (data.length < 4) throw new AvroError('snappy block without its checksum');
      return snappyDecompress(data.subarray(0, data.length - 4));
    default:
      throw new AvroError(`unsupported Avro codec '${codec}'`);
  }
}

export interface AvroContainer {
  readonly schema: AvroSchema;
  readonly metadata: ReadonlyMap<string, string>;
  readonly records: readonly AvroValue[];
}

/** Decodes a whole object container file. Throws AvroError naming what is wrong. */
export function readAvroContainer(bytes: Uint8Array): AvroContainer {
  if (bytes.length < 4 || MAGIC.some((b, i) => bytes[i] !== b)) throw new AvroError('not an Avro object container file (bad magic bytes)');
  const r = new Reader(bytes);
  r.pos = 4;
  const metadata = new Map<string, string>();
  r.eachBlockItem(() => {
    const k = utf8.decode(r.bytes());
    // Values are bytes; the ones read (schema, codec) are text, others are kept leniently decoded.
    metadata.set(k, lenient.decode(r.bytes()));
  });
  const sync = r.bytes(16);
  const schemaText = metadata.get('avro.schema');
  if (schemaText === undefined) throw new AvroError('the file header has no avro.schema');
  let schema: AvroSchema;
  try {
    schema = JSON.parse(schemaText) as AvroSchema;
  } catch {
    throw new AvroError('the file header holds an avro.schema that is not JSON');
  }
  const named: Named = new Map();
  register(schema, named);
  const codec = metadata.get('avro.codec') ?? 'null';
  const records: AvroValue[] = [];
  while (r.pos < bytes.length) {
    const n = r.count();
    const size = Number(r.long());
    const block = decompress(codec, r.bytes(size));
    const br = new Reader(block);
    for (let i = 0; i < n; i++) records.push(decode(br, schema, named));
    if (br.pos !== block.length) throw new AvroError(`block of ${n} records has ${block.length - br.pos} trailing bytes`);
    const marker = r.bytes(16);
    if (marker.some((b, i) => b !== sync[i])) throw new AvroError(`sync marker mismatch after a block ending at offset ${r.pos}`);
  }
  return { schema, metadata, records };
}

// ---- writer (fixtures, tests) ----

class Writer {
  private chunks: Uint8Array[] = [];
  long(v: number | bigint): void {
    let n = BigInt(v);
    n = (n << 1n) ^ (n >> 63n);
    n = BigInt.asUintN(64, n);
    const out: number[] = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) b |= 0x80;
      out.push(b);
    } while (n !== 0n);
    this.chunks.push(Uint8Array.from(out));
  }
  raw(b: Uint8Array): void {
    this.chunks.push(b);
  }
  bytes(b: Uint8Array): void {
    this.long(b.length);
    this.raw(b);
  }
  result(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

function encode(w: Writer, schema: AvroSchema, value: AvroValue | undefined, named: Named): void {
  const s = resolve(schema, named);
  if (Array.isArray(s)) {
    const i = s.findIndex((b) => matches(resolve(b, named), value));
    if (i < 0) throw new AvroError(`value ${String(value)} matches no branch of the union`);
    w.long(i);
    return encode(w, s[i]!, value, named);
  }
  const type = typeof s === 'string' ? s : s.type;
  const obj = s as Exclude<AvroSchema, string | AvroSchema[]>;
  switch (type) {
    case 'null':
      return;
    case 'boolean':
      return w.raw(Uint8Array.of(value ? 1 : 0));
    case 'int':
    case 'long':
      return w.long(value as number | bigint);
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(value as number);
      return w.raw(b);
    }
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value as number);
      return w.raw(b);
    }
    case 'bytes':
      return w.bytes(value as Uint8Array);
    case 'string':
      return w.bytes(Buffer.from(value as string, 'utf8'));
    case 'fixed':
      return w.raw(value as Uint8Array);
    case 'enum':
      return w.long((obj.symbols as string[]).indexOf(value as string));
    case 'record':
      for (const f of obj.fields as { name: string; type: AvroSchema }[]) encode(w, f.type, (value as Record<string, AvroValue>)[f.name] ?? null, named);
      return;
    case 'array': {
      const items = value as AvroValue[];
      if (items.length > 0) {
        w.long(items.length);
        for (const it of items) encode(w, obj.items as AvroSchema, it, named);
      }
      return w.long(0);
    }
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, AvroValue>);
      if (entries.length > 0) {
        w.long(entries.length);
        for (const [k, v] of entries) {
          w.bytes(Buffer.from(k, 'utf8'));
          encode(w, obj.values as AvroSchema, v, named);
        }
      }
      return w.long(0);
    }
  }
  throw new AvroError(`unsupported type '${String(type)}'`);
}

function matches(s: AvroSchema, v: AvroValue | undefined): boolean {
  const type = typeof s === 'string' ? s : Array.isArray(s) ? 'union' : s.type;
  if (v === null || v === undefined) return type === 'null';
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
    case 'long':
      return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
    case 'float':
    case 'double':
      return typeof v === 'number';
    case 'string':
    case 'enum':
      return typeof v === 'string';
    case 'bytes':
    case 'fixed':
      return v instanceof Uint8Array;
    case 'array':
      return Array.isArray(v);
    case 'map':
    case 'record':
      return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
    default:
      return false;
  }
}

/** Writes an object container file (one block) with the given codec; `metadata` adds header entries. */
export function writeAvroContainer(schema: AvroSchema, records: readonly AvroValue[], options: { codec?: 'null' | 'deflate'; metadata?: Record<string, string> } = {}): Uint8Array {
  const named: Named = new Map();
  register(schema, named);
  const codec = options.codec ?? 'deflate';
  const w = new Writer();
  w.raw(Uint8Array.from(MAGIC));
  const meta = { ...options.metadata, 'avro.schema': JSON.stringify(schema), 'avro.codec': codec };
  w.long(Object.keys(meta).length);
  for (const [k, v] of Object.entries(meta)) {
    w.bytes(Buffer.from(k, 'utf8'));
    w.bytes(Buffer.from(v, 'utf8'));
  }
  w.long(0);
  const sync = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
  w.raw(sync);
  if (records.length > 0) {
    const body = new Writer();
    for (const rec of records) encode(body, schema, rec, named);
    const data = codec === 'deflate' ? deflateRawSync(body.result()) : body.result();
    w.long(records.length);
    w.bytes(data);
    w.raw(sync);
  }
  return w.result();
}
