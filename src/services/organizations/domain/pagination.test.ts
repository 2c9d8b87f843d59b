import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { encodeToken, paginate } from './pagination.js';

const items = ['a', 'b', 'c', 'd', 'e'];
const key = (s: string) => s;

function reason(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    if (isAwsError(e)) return `${e.code}/${String(e.fields['Reason'])}`;
    throw e;
  }
  return undefined;
}

describe('paginate', () => {
  it('walks all items page by page and stops without a token', () => {
    const p1 = paginate(items, key, 'L', { MaxResults: 2 });
    const p2 = paginate(items, key, 'L', { MaxResults: 2, NextToken: p1.nextToken });
    const p3 = paginate(items, key, 'L', { MaxResults: 2, NextToken: p2.nextToken });
    expect([p1.items, p2.items, p3.items]).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(p3.nextToken).toBeUndefined();
  });

  it('defaults to 20 per page and gives no token for an exact last page', () => {
    const many = Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0'));
    expect(paginate(many, key, 'L', {})).toEqual({ items: many });
    expect(paginate([], key, 'L', {})).toEqual({ items: [] });
  });

  it('resumes after the last key even when items changed in between', () => {
    const p1 = paginate(items, key, 'L', { MaxResults: 2 });
    expect(paginate(['a', 'c', 'd'], key, 'L', { MaxResults: 2, NextToken: p1.nextToken }).items).toEqual(['c', 'd']);
    expect(paginate(['a'], key, 'L', { MaxResults: 2, NextToken: p1.nextToken }).items).toEqual([]);
  });

  it('treats the token as opaque and bound to its listing', () => {
    const t = paginate(items, key, 'L', { MaxResults: 1 }).nextToken!;
    expect(t).not.toContain('a');
    expect(reason(() => paginate(items, key, 'Other', { NextToken: t }))).toBe('InvalidInputException/INVALID_NEXT_TOKEN');
    expect(reason(() => paginate(items, key, 'L', { NextToken: 'garbage' }))).toBe('InvalidInputException/INVALID_NEXT_TOKEN');
    expect(paginate(items, key, 'L', { NextToken: encodeToken('L', 'c') }).items).toEqual(['d', 'e']);
  });

  it('checks MaxResults', () => {
    expect(reason(() => paginate(items, key, 'L', { MaxResults: 21 }))).toBe('InvalidInputException/MAX_VALUE_EXCEEDED');
    expect(reason(() => paginate(items, key, 'L', { MaxResults: 0 }))).toBe('InvalidInputException/MIN_VALUE_EXCEEDED');
  });
});
