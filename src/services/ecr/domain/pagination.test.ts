import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { DEFAULT_PAGE_SIZE, encodeToken, paginate, timeKey } from './pagination.js';

const items = Array.from({ length: 250 }, (_, i) => `r${String(i).padStart(3, '0')}`);
const self = (s: string) => s;

describe('paginate', () => {
  it('returns 100 items by default and walks every page once', () => {
    const first = paginate(items, self, 'L', {});
    expect(first.items).toHaveLength(DEFAULT_PAGE_SIZE);
    const seen = [...first.items];
    let token = first.nextToken;
    while (token) {
      const p = paginate(items, self, 'L', { nextToken: token, maxResults: 70 });
      seen.push(...p.items);
      token = p.nextToken;
    }
    expect(seen).toEqual(items);
  });

  it('has no token on the last page', () => {
    expect(paginate(items, self, 'L', { maxResults: 1000 }).nextToken).toBeUndefined();
    expect(paginate([], self, 'L', {})).toEqual({ items: [] });
  });

  it('keeps its place when items are inserted or deleted between pages', () => {
    const p1 = paginate(items, self, 'L', { maxResults: 2 });
    expect(p1.items).toEqual(['r000', 'r001']);
    const changed = ['r0005', ...items.filter((x) => x !== 'r002')];
    changed.sort();
    expect(paginate(changed, self, 'L', { nextToken: p1.nextToken, maxResults: 2 }).items).toEqual(['r003', 'r004']);
  });

  it('refuses a token of another listing or a forged one', () => {
    const err = (token: string) => {
      try {
        paginate(items, self, 'L', { nextToken: token });
      } catch (e) {
        return isAwsError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(err(encodeToken('other', 'r001'))).toBe('InvalidParameterException');
    expect(err('garbage')).toBe('InvalidParameterException');
  });

  it('orders time keys chronologically', () => {
    expect(timeKey(9, 'b') < timeKey(10, 'a')).toBe(true);
  });
});
