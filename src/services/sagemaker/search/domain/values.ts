/**
 * How Search compares a property value with a filter's `Value` (always a string on the wire). The API reference
 * (Search, Filter) says queries work on numeric, text, Boolean and timestamp values:
 * - numbers and timestamps compare as such (`ModelPackageVersion GreaterThan "3"`,
 *   `CreationTime GreaterThanOrEqualTo "2026-01-01T00:00:00Z"`);
 * - GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo are "not supported for text properties",
 *   Contains and In are "only supported for text properties";
 * - hyperparameters are strings that hold numbers: "Decimal hyperparameter values are treated as a decimal in a
 *   comparison if the specified Value is also a decimal value. If the specified Value is an integer, the decimal
 *   hyperparameter values are treated as integers" — applied here to any numeric text in a range comparison.
 * Text comparisons are case sensitive (nothing in the reference says otherwise; the Python SDK compares group
 * names exactly when it falls back from Search to ListModelPackageGroups).
 *
 * Stored documents keep timestamps as ISO-8601 strings (see `../../context.ts`), so an ISO-8601 string is a
 * timestamp. A filter value for a timestamp is ISO-8601 or a number of epoch seconds (the JSON protocols' own
 * timestamp format; a number of 1e11 or more is taken as milliseconds).
 */
import type { Leaf } from './path.js';

export type Typed =
  | { readonly kind: 'number'; readonly n: number }
  | { readonly kind: 'time'; readonly n: number }
  | { readonly kind: 'boolean'; readonly b: boolean }
  | { readonly kind: 'text'; readonly s: string };

export type Comparison = 'Equals' | 'Contains' | 'In' | 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The type Search gives a stored value; undefined for structures (a filter never matches a whole object). */
export function typeOf(leaf: Leaf): Typed | undefined {
  if (typeof leaf === 'number') return { kind: 'number', n: leaf };
  if (typeof leaf === 'boolean') return { kind: 'boolean', b: leaf };
  if (typeof leaf === 'string') {
    if (ISO_TIMESTAMP.test(leaf)) {
      const n = Date.parse(leaf);
      if (!Number.isNaN(n)) return { kind: 'time', n };
    }
    return { kind: 'text', s: leaf };
  }
  return undefined;
}

export function parseNumber(value: string): number | undefined {
  const v = value.trim();
  return NUMBER.test(v) ? Number(v) : undefined;
}

/** Epoch milliseconds for a filter value meant as a timestamp. */
export function parseTime(value: string): number | undefined {
  const n = parseNumber(value);
  if (n !== undefined) return Math.abs(n) >= 1e11 ? n : n * 1000;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? undefined : t;
}

/** True when a range operator can compare with `value` (a number or a timestamp, not text). */
export function isOrderedValue(value: string): boolean {
  return parseNumber(value) !== undefined || parseTime(value) !== undefined;
}

function order(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanOrEqualTo':
      return a >= b;
    case 'LessThan':
      return a < b;
    case 'LessThanOrEqualTo':
      return a <= b;
    default:
      return false;
  }
}

/** Whether one stored value satisfies `op Value`. */
export function compare(leaf: Leaf, op: Comparison, value: string): boolean {
  const t = typeOf(leaf);
  if (!t) return false;
  switch (op) {
    case 'Equals':
      switch (t.kind) {
        case 'number':
          return parseNumber(value) === t.n;
        case 'time':
          return parseTime(value) === t.n;
        case 'boolean':
          return value.trim().toLowerCase() === String(t.b);
        case 'text':
          return t.s === value;
        default:
          return assertNever(t);
      }
    case 'Contains':
      return t.kind === 'text' && t.s.includes(value);
    case 'In':
      return t.kind === 'text' && value.split(',').some((x) => x.trim() === t.s);
    case 'GreaterThan':
    case 'GreaterThanOrEqualTo':
    case 'LessThan':
    case 'LessThanOrEqualTo': {
      if (t.kind === 'number') {
        const v = parseNumber(value);
        return v !== undefined && order(op, t.n, v);
      }
      if (t.kind === 'time') {
        const v = parseTime(value);
        return v !== undefined && order(op, t.n, v);
      }
      if (t.kind === 'text') {
        const v = parseNumber(value);
        const own = parseNumber(t.s);
        if (v === undefined || own === undefined) return false;
        return order(op, INTEGER.test(value.trim()) ? Math.trunc(own) : own, v);
      }
      return false;
    }
    default:
      return assertNever(op);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}
