import { describe, expect, it } from 'vitest';
import { compare, isOrderedValue, parseNumber, parseTime, typeOf } from './values.js';

const T = '2026-01-15T12:00:00.000Z';
const T_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('typeOf', () => {
  it('types numbers, Booleans, ISO-8601 timestamps and text', () => {
    expect(typeOf(3)).toEqual({ kind: 'number', n: 3 });
    expect(typeOf(true)).toEqual({ kind: 'boolean', b: true });
    expect(typeOf(T)).toEqual({ kind: 'time', n: T_MS });
    expect(typeOf('2026-01-15T12:00:00+02:00')).toEqual({ kind: 'time', n: T_MS - 2 * 3600_000 });
    expect(typeOf('2026-01-15')).toEqual({ kind: 'text', s: '2026-01-15' });
    expect(typeOf('0.5')).toEqual({ kind: 'text', s: '0.5' });
    expect(typeOf({ a: 1 })).toBeUndefined();
  });
});

describe('filter values', () => {
  it('parses numbers strictly', () => {
    expect(parseNumber('3')).toBe(3);
    expect(parseNumber(' -0.25 ')).toBe(-0.25);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('3a')).toBeUndefined();
    expect(parseNumber('')).toBeUndefined();
  });

  it('parses timestamps as ISO-8601, epoch seconds, or epoch milliseconds from 1e11 on', () => {
    expect(parseTime(T)).toBe(T_MS);
    expect(parseTime(String(T_MS / 1000))).toBe(T_MS);
    expect(parseTime(String(T_MS))).toBe(T_MS);
    expect(parseTime('1768478400.5')).toBe(T_MS + 500);
    expect(parseTime('not a time')).toBeUndefined();
  });

  it('knows which values a range operator accepts', () => {
    expect(isOrderedValue('0.9')).toBe(true);
    expect(isOrderedValue(T)).toBe(true);
    expect(isOrderedValue('churn')).toBe(false);
  });
});

describe('compare', () => {
  it('Equals: text exactly and case sensitively', () => {
    expect(compare('Approved', 'Equals', 'Approved')).toBe(true);
    expect(compare('Approved', 'Equals', 'approved')).toBe(false);
    expect(compare('Approved', 'Equals', 'Approved ')).toBe(false);
  });

  it('Equals: numbers, timestamps and Booleans by value', () => {
    expect(compare(3, 'Equals', '3')).toBe(true);
    expect(compare(3, 'Equals', '3.0')).toBe(true);
    expect(compare(3, 'Equals', 'three')).toBe(false);
    expect(compare(T, 'Equals', '2026-01-15T12:00:00Z')).toBe(true);
    expect(compare(T, 'Equals', String(T_MS / 1000))).toBe(true);
    expect(compare(false, 'Equals', 'false')).toBe(true);
    expect(compare(true, 'Equals', 'True')).toBe(true);
    expect(compare(true, 'Equals', 'false')).toBe(false);
  });

  it('Contains and In apply to text only', () => {
    expect(compare('churn-xgb', 'Contains', 'xgb')).toBe(true);
    expect(compare('churn-xgb', 'Contains', 'XGB')).toBe(false);
    expect(compare(123, 'Contains', '2')).toBe(false);
    expect(compare('Rejected', 'In', 'Approved,Rejected')).toBe(true);
    expect(compare('Rejected', 'In', 'Approved, Rejected')).toBe(true);
    expect(compare('Reject', 'In', 'Approved,Rejected')).toBe(false);
    expect(compare(3, 'In', '3,4')).toBe(false);
  });

  it('range operators on numbers and timestamps', () => {
    expect(compare(0.93, 'GreaterThan', '0.9')).toBe(true);
    expect(compare(0.9, 'GreaterThan', '0.9')).toBe(false);
    expect(compare(0.9, 'GreaterThanOrEqualTo', '0.9')).toBe(true);
    expect(compare(2, 'LessThan', '3')).toBe(true);
    expect(compare(3, 'LessThanOrEqualTo', '3')).toBe(true);
    expect(compare(T, 'GreaterThan', '2026-01-01T00:00:00Z')).toBe(true);
    expect(compare(T, 'LessThan', '2026-01-01T00:00:00Z')).toBe(false);
    expect(compare(T, 'GreaterThanOrEqualTo', String(T_MS / 1000))).toBe(true);
  });

  it('range operators never match text, nor a number against a non-number', () => {
    expect(compare('beta', 'GreaterThan', '1')).toBe(false);
    expect(compare(true, 'GreaterThan', '0')).toBe(false);
    expect(compare(5, 'GreaterThan', 'x')).toBe(false);
  });

  it('numeric text (hyperparameters): decimal against a decimal, truncated against an integer', () => {
    expect(compare('0.3', 'LessThan', '0.5')).toBe(true);
    expect(compare('0.7', 'LessThan', '0.5')).toBe(false);
    // "If the specified Value is an integer, the decimal hyperparameter values are treated as integers."
    expect(compare('1.9', 'LessThan', '2')).toBe(true);
    expect(compare('2.9', 'LessThanOrEqualTo', '2')).toBe(true);
    expect(compare('2.9', 'GreaterThan', '2')).toBe(false);
    expect(compare('2.9', 'GreaterThan', '2.5')).toBe(true);
  });

  it('never matches a structure', () => {
    expect(compare({ Image: 'x' }, 'Equals', 'x')).toBe(false);
  });
});
