import { describe, expect, it } from 'vitest';
import { parseDate } from './date.js';
import { runTable } from './test-table.js';

describe('Date operators', () => {
  runTable([
    { op: 'DateLessThan', values: '2026-01-01T00:00:00Z', value: '2025-12-31T23:59:59Z', expected: true, note: 'C14' },
    { op: 'DateLessThan', values: '2026-01-01T00:00:00Z', value: '2026-01-01T00:00:00Z', expected: false },
    { op: 'DateLessThanEquals', values: '2026-01-01T00:00:00Z', value: '2026-01-01T00:00:00Z', expected: true },
    { op: 'DateGreaterThan', values: '1767225600', value: '1767225601', expected: true, note: 'C15 epoch' },
    { op: 'DateGreaterThanEquals', values: '2026-01-01', value: '2026-01-01T00:00:00Z', expected: true },
    { op: 'DateEquals', values: '2026-01-01T02:00:00+02:00', value: '2026-01-01T00:00:00Z', expected: true },
    { op: 'DateEquals', values: '2026-01-01T00:00:00-05:00', value: '2026-01-01T05:00:00Z', expected: true },
    { op: 'DateEquals', values: '2026-01-01T00:00:00.500Z', value: '2026-01-01T00:00:00.5Z', expected: true },
    { op: 'DateNotEquals', values: '2026-01-01T00:00:00Z', value: '2026-01-02T00:00:00Z', expected: true },
    { op: 'DateNotEquals', values: '2026-01-01T00:00:00Z', value: undefined, expected: true },
    { op: 'DateGreaterThan', values: '2026-01-01T00:00:00Z', value: 'soon', expected: false },
    { op: 'DateLessThanIfExists', values: '2026-01-01T00:00:00Z', value: undefined, expected: true },
    { op: 'DateLessThan', values: '2026-01-01T00:00:00Z', value: '1767225599', expected: true, note: 'epoch request vs ISO policy' },
  ]);

  it('accepts the values AWS accepts and refuses the ones it refuses (recorded by moto)', () => {
    for (const ok of ['2019-07-01T13:20:15Z', '2016-12-13T21:20:37.593194+00:00', '2016-12-13t2:00:00.593194+23', '-292275054', '01T', '0'])
      expect(parseDate(ok), ok).toBeDefined();
    for (const bad of ['sdfdsf', '234-13', '2016-12-13t2:00:00.593194+1', '2016-12-13t2:00:00.1999999999+10:59', '9223372036854775808'])
      expect(parseDate(bad), bad).toBeUndefined();
  });
});
