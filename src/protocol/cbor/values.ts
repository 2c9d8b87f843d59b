/**
 * Decoded CBOR ⇄ shape values for Smithy RPC v2 CBOR. Members by their model names (the protocol ignores
 * `locationName`/`jsonName`); timestamps are tag 1 epoch seconds (cbor2 decodes them to `Date`, and a bare
 * number is accepted too, as the protocol tests allow); blobs are byte strings; floats carry NaN/Infinity
 * natively. Unknown input members are ignored; output members not in the shape are dropped.
 */
import type { AwsError } from '../../core/errors.js';
import type { Shape, StructureShape } from '../../spec/model.js';
import { outputBytes, outputDate, setEntry } from '../shared/values.js';

type Malformed = (msg: string) => AwsError;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'byte string';
  if (v instanceof Date) return 'timestamp';
  return typeof v;
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return kind(v) === 'object' && !(v instanceof Map);
}

export function readCborStructure(shape: StructureShape, v: unknown, malformed: Malformed): Record<string, unknown> {
  if (shape.document) return v as Record<string, unknown>;
  if (!isPlainMap(v)) throw malformed(`Expected a map for ${shape.name} but found ${kind(v)}`);
  const out: Record<string, unknown> = {};
  for (const mn of shape.memberNames) {
    const raw = Object.hasOwn(v, mn) ? v[mn] : undefined;
    if (raw === undefined || raw === null) continue;
    const m = shape.members[mn];
    out[mn] = readCborValue(m.shape, raw, malformed);
  }
  return out;
}

function readNumber(shape: Shape, v: unknown, malformed: Malformed): number {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw malformed(`Value out of range for ${shape.name}`);
    return Number(v);
  }
  if (typeof v !== 'number') throw malformed(`Expected a number for ${shape.name} but found ${kind(v)}`);
  return v;
}

export function readCborValue(shape: Shape, v: unknown, malformed: Malformed): unknown {
  switch (shape.type) {
    case 'structure':
      return readCborStructure(shape, v, malformed);
    case 'list':
      if (!Array.isArray(v)) throw malformed(`Expected a list for ${shape.name} but found ${kind(v)}`);
      return v.map((x) => (x === null ? null : readCborValue(shape.member.shape, x, malformed)));
    case 'map': {
      if (!isPlainMap(v)) throw malformed(`Expected a map for ${shape.name} but found ${kind(v)}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setEntry(out, k, x === null ? null : readCborValue(shape.value.shape, x, malformed));
      return out;
    }
    case 'string':
      if (typeof v !== 'string') throw malformed(`Expected a text string for ${shape.name} but found ${kind(v)}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw malformed(`Expected a boolean for ${shape.name} but found ${kind(v)}`);
      return v;
    case 'integer':
    case 'long': {
      const n = readNumber(shape, v, malformed);
      if (!Number.isInteger(n)) throw malformed(`Expected an integer for ${shape.name}`);
      return n;
    }
    case 'float':
    case 'double':
      return readNumber(shape, v, malformed);
    case 'timestamp':
      if (v instanceof Date) return v;
      return new Date(readNumber(shape, v, malformed) * 1000);
    case 'blob':
      if (!(v instanceof Uint8Array)) throw malformed(`Expected a byte string for ${shape.name} but found ${kind(v)}`);
      return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}

export function writeCborStructure(shape: StructureShape, v: unknown): Record<string, unknown> {
  if (shape.document) return v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (v === null || typeof v !== 'object') return out;
  const src = v as Record<string, unknown>;
  for (const mn of shape.memberNames) {
    const x = src[mn];
    if (x === undefined || x === null) continue;
    const w = writeCborValue(shape.members[mn].shape, x);
    if (w !== undefined) out[mn] = w;
  }
  return out;
}

export function writeCborValue(shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.type) {
    case 'structure':
      return writeCborStructure(shape, v);
    case 'list':
      return Array.isArray(v) ? v.map((x) => writeCborValue(shape.member.shape, x) ?? null) : undefined;
    case 'map': {
      const out: Record<string, unknown> = {};
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
      for (const [k, x] of entries) {
        const w = writeCborValue(shape.value.shape, x);
        if (w !== undefined) out[String(k)] = w;
      }
      return out;
    }
    case 'string':
      return typeof v === 'string' ? v : String(v);
    case 'boolean':
      return Boolean(v);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return Number(v);
    case 'timestamp':
      // cbor2 writes a Date as tag 1 with epoch seconds (an integer when whole, a float otherwise).
      return outputDate(v);
    case 'blob':
      return new Uint8Array(outputBytes(v));
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}
