/**
 * JSON body ⇄ shape values for awsJson and restJson: members by `locationName` (else the member name),
 * timestamps as epoch seconds (unless the member says iso8601/rfc822), blobs base64, documents as-is.
 * Unknown input members are ignored; output members not in the shape are dropped.
 */
import type { AwsError } from '../../core/errors.js';
import type { Member, Shape, StructureShape } from '../../spec/model.js';
import { wireName } from '../../spec/model.js';
import {
  formatTimestamp,
  outputBytes,
  outputDate,
  parseBase64,
  parseTimestamp,
  timestampFormat,
  setEntry,
} from '../shared/values.js';

type Malformed = (msg: string) => AwsError;

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export function readJsonStructure(shape: StructureShape, v: unknown, malformed: Malformed): Record<string, unknown> {
  if (shape.document) return v as Record<string, unknown>;
  if (kind(v) !== 'object') throw malformed(`Expected an object for ${shape.name} but found ${kind(v)}`);
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    if (m.location) continue;
    const raw = src[wireName(m)];
    if (raw === undefined || raw === null) continue;
    out[mn] = readJsonValue(m, m.shape, raw, malformed);
  }
  return out;
}

export function readJsonValue(member: Member | undefined, shape: Shape, v: unknown, malformed: Malformed): unknown {
  switch (shape.type) {
    case 'structure':
      return readJsonStructure(shape, v, malformed);
    case 'list': {
      if (!Array.isArray(v)) throw malformed(`Expected a list for ${shape.name} but found ${kind(v)}`);
      const item = shape.member;
      return v.map((x) => (x === null ? null : readJsonValue(item, item.shape, x, malformed)));
    }
    case 'map': {
      if (kind(v) !== 'object') throw malformed(`Expected a map for ${shape.name} but found ${kind(v)}`);
      const out: Record<string, unknown> = {};
      const val = shape.value;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        setEntry(out, k, x === null ? null : readJsonValue(val, val.shape, x, malformed));
      }
      return out;
    }
    case 'string':
      if (member?.jsonvalue) return v;
      if (typeof v !== 'string') throw malformed(`Expected a string for ${shape.name} but found ${kind(v)}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw malformed(`Expected a boolean for ${shape.name} but found ${kind(v)}`);
      return v;
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw malformed(`Expected an integer for ${shape.name}`);
      return v;
    case 'float':
    case 'double':
      if (typeof v === 'number') return v;
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      throw malformed(`Expected a number for ${shape.name} but found ${kind(v)}`);
    case 'timestamp':
      return parseTimestamp(v, malformed);
    case 'blob':
      if (typeof v !== 'string') throw malformed(`Expected a base64 string for ${shape.name}`);
      return parseBase64(v, malformed);
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}

function floatJson(n: number): number | string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

/** Output members of a structure as a JSON-ready object (skips members bound to HTTP locations). */
export function writeJsonStructure(shape: StructureShape, v: unknown): Record<string, unknown> {
  if (shape.document) return v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (v === null || typeof v !== 'object') return out;
  const src = v as Record<string, unknown>;
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    if (m.location) continue;
    const x = src[mn];
    if (x === undefined || x === null) continue;
    const w = writeJsonValue(m, m.shape, x);
    if (w !== undefined) out[wireName(m)] = w;
  }
  return out;
}

export function writeJsonValue(member: Member | undefined, shape: Shape, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (shape.type) {
    case 'structure':
      return writeJsonStructure(shape, v);
    case 'list':
      return Array.isArray(v) ? v.map((x) => writeJsonValue(shape.member, shape.member.shape, x) ?? null) : undefined;
    case 'map': {
      const out: Record<string, unknown> = {};
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
      for (const [k, x] of entries) {
        const w = writeJsonValue(shape.value, shape.value.shape, x);
        if (w !== undefined) out[String(k)] = w;
      }
      return out;
    }
    case 'string':
      return member?.jsonvalue || typeof v === 'string' ? v : String(v);
    case 'boolean':
      return Boolean(v);
    case 'integer':
    case 'long':
      return Number(v);
    case 'float':
    case 'double':
      return floatJson(Number(v));
    case 'timestamp': {
      const d = outputDate(v);
      return d ? formatTimestamp(d, timestampFormat(member, shape, 'unixTimestamp')) : undefined;
    }
    case 'blob':
      return outputBytes(v).toString('base64');
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}
