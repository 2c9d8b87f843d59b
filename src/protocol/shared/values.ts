/**
 * Scalar conversions shared by the codecs. Parsed input carries `Date` for timestamps, `Buffer` (a
 * Uint8Array) for blobs, numbers and booleans. Outputs accept `Date`, an ISO/RFC 822 string or epoch
 * seconds for timestamps and `Uint8Array`/`Buffer`/string for blobs.
 */
import { AwsError } from '../../core/errors.js';
import type { Member, Shape, TimestampFormat } from '../../spec/model.js';

/** The timestamp format of a member: its own trait, then its shape's, then the protocol/location default. */
export function timestampFormat(member: Member | undefined, shape: Shape, fallback: TimestampFormat): TimestampFormat {
  return member?.timestampFormat ?? shape.timestampFormat ?? fallback;
}

/** ISO 8601 in UTC; milliseconds only when non-zero (`2024-05-01T12:00:00Z`). */
export function isoTimestamp(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

export function formatTimestamp(d: Date, fmt: TimestampFormat): string | number {
  switch (fmt) {
    case 'iso8601':
      return isoTimestamp(d);
    case 'rfc822':
      return d.toUTCString();
    case 'unixTimestamp':
      return d.getTime() / 1000;
    default: {
      const never: never = fmt;
      throw new Error(`unknown timestamp format ${String(never)}`);
    }
  }
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A timestamp from the wire: epoch seconds (number or numeric string), ISO 8601 or RFC 822. */
export function parseTimestamp(v: unknown, malformed: (msg: string) => AwsError): Date {
  let ms: number;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') ms = NUMERIC.test(v) ? Number(v) * 1000 : Date.parse(v);
  else throw malformed(`Expected a timestamp but found ${typeof v}`);
  if (!Number.isFinite(ms)) throw malformed(`Invalid timestamp value ${JSON.stringify(v)}`);
  return new Date(ms);
}

/** A timestamp from a handler's output. */
export function outputDate(v: unknown): Date | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  if (typeof v === 'number') return new Date(v * 1000);
  if (typeof v === 'string') {
    const ms = NUMERIC.test(v) ? Number(v) * 1000 : Date.parse(v);
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  }
  return undefined;
}

/** Bytes from a handler's output value. */
export function outputBytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  throw new Error(`expected bytes, got ${typeof v}`);
}

export function parseInteger(s: string, malformed: (msg: string) => AwsError): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isInteger(n)) throw malformed(`Invalid integer value ${JSON.stringify(s)}`);
  return n;
}

export function parseFloatValue(s: string, malformed: (msg: string) => AwsError): number {
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw malformed(`Invalid number value ${JSON.stringify(s)}`);
  return n;
}

export function parseBoolean(s: string, malformed: (msg: string) => AwsError): boolean {
  if (s === 'true') return true;
  if (s === 'false') return false;
  const l = s.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw malformed(`Invalid boolean value ${JSON.stringify(s)}`);
}

/** Text form of a number for XML, headers and query strings. */
export function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Base64 → bytes; rejects characters outside the base64 alphabets. */
export function parseBase64(s: string, malformed: (msg: string) => AwsError): Buffer {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/_=\s-]*$/.test(t)) throw malformed('Invalid base64 value');
  return Buffer.from(t, 'base64');
}

/** Factory for the per-protocol "the request could not be read" error. */
export function malformedFactory(code: string, status = 400): (msg: string) => AwsError {
  return (msg) => new AwsError(code, msg, { status });
}

/**
 * Sets a map entry whose key comes from the request; `__proto__` becomes an ordinary own property
 * instead of replacing the object's prototype.
 */
export function setEntry(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
