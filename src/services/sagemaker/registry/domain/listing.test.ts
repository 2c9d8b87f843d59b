import { describe, expect, it } from 'vitest';
import type { Listed } from './listing.js';
import { matchesApproval, matchesCommon, matchesType, ordered, sortKey } from './listing.js';

const item = (name: string, createdAt: number, version?: number): Listed => ({
  arn: `arn:aws:sagemaker:us-east-1:444444444444:model-package/${name.toLowerCase()}${version !== undefined ? `/${version}` : ''}`,
  name,
  createdAt,
  ...(version !== undefined ? { version } : {}),
});

describe('sortKey and ordered', () => {
  const items = [item('b', 300, 1), item('a', 200, 2), item('ab', 100), item('a', 200, 10)];
  const names = (by: 'Name' | 'CreationTime', order: 'Ascending' | 'Descending') =>
    ordered(items, (x) => x, () => true, by, order).map((x) => `${x.item.name}${x.item.version !== undefined ? `/${x.item.version}` : ''}`);

  it('orders by creation time (ties by name and version number, not its digits)', () => {
    expect(names('CreationTime', 'Ascending')).toEqual(['ab', 'a/2', 'a/10', 'b/1']);
    expect(names('CreationTime', 'Descending')).toEqual(['b/1', 'a/10', 'a/2', 'ab']);
  });

  it('orders by name, a name before the longer names it starts', () => {
    expect(names('Name', 'Ascending')).toEqual(['a/2', 'a/10', 'ab', 'b/1']);
    expect(names('Name', 'Descending')).toEqual(['b/1', 'ab', 'a/10', 'a/2']);
  });

  it('makes keys whose plain string order is the listing order (what keysetPage needs)', () => {
    for (const by of ['Name', 'CreationTime'] as const) {
      for (const order of ['Ascending', 'Descending'] as const) {
        const keys = ordered(items, (x) => x, () => true, by, order).map((x) => x.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort()).toEqual(keys);
      }
    }
    expect(sortKey(item('a', 1), 'Name', 'Descending') > sortKey(item('ab', 1), 'Name', 'Descending')).toBe(true);
  });
});

describe('filters', () => {
  it('matches names case-insensitively and creation times exclusively', () => {
    const x = item('Churn-Model', 1000);
    expect(matchesCommon(x, { nameContains: 'churn' })).toBe(true);
    expect(matchesCommon(x, { nameContains: 'CHURN-m' })).toBe(true);
    expect(matchesCommon(x, { nameContains: 'fraud' })).toBe(false);
    expect(matchesCommon(x, { creationTimeAfter: 999, creationTimeBefore: 1001 })).toBe(true);
    expect(matchesCommon(x, { creationTimeAfter: 1000 })).toBe(false);
    expect(matchesCommon(x, { creationTimeBefore: 1000 })).toBe(false);
  });

  it('lists unversioned packages by default, versions only for a group', () => {
    const version = item('g', 1, 1);
    const plain = item('p', 1);
    expect([matchesType(version, undefined, false), matchesType(plain, undefined, false)]).toEqual([false, true]);
    expect([matchesType(version, 'Versioned', false), matchesType(plain, 'Versioned', false)]).toEqual([true, false]);
    expect([matchesType(version, 'Both', false), matchesType(plain, 'Both', false)]).toEqual([true, true]);
    expect(matchesType(version, 'Unversioned', true)).toBe(true);
  });

  it('filters on the approval status only when asked', () => {
    expect(matchesApproval('Approved', undefined)).toBe(true);
    expect(matchesApproval('Approved', 'Approved')).toBe(true);
    expect(matchesApproval('Rejected', 'Approved')).toBe(false);
    expect(matchesApproval(undefined, 'Approved')).toBe(false);
  });
});
