import { describe, expect, it } from 'vitest';
import { formatCsvRow, parseCsvRow } from './csv.js';
import { TransformDataError } from './errors.js';

describe('CSV rows (RFC 4180, one line)', () => {
  it.each([
    ['1,2,3', ['1', '2', '3']],
    ['', ['']],
    ['a,', ['a', '']],
    [',', ['', '']],
    [' 1, 2 ', [' 1', ' 2 ']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",2', ['say "hi"', '2']],
    ['""', ['']],
    ['"",""', ['', '']],
    ['x,"",y', ['x', '', 'y']],
    ['"a"b,c', ['ab', 'c']],
    ['a"b,c', ['a"b', 'c']],
    ['Record1-Attribute1, Record1-Attribute2', ['Record1-Attribute1', ' Record1-Attribute2']],
  ])('parses %j', (row, fields) => {
    expect(parseCsvRow(row)).toEqual(fields);
  });

  it('rejects an unterminated quoted field', () => {
    expect(() => parseCsvRow('1,"open')).toThrow(TransformDataError);
    expect(() => parseCsvRow('1,"open')).toThrow(/unterminated quoted field/);
  });

  it.each([
    [['1', '2'], '1,2'],
    [['a,b', 'c'], '"a,b",c'],
    [['say "hi"'], '"say ""hi"""'],
    [['line\rbreak'], '"line\rbreak"'],
    [[''], ''],
    [[1, 0.5, true, null], '1,0.5,true,'],
    [[{ a: 1 }], '"{""a"":1}"'],
  ] as const)('formats %j', (fields, row) => {
    expect(formatCsvRow(fields)).toBe(row);
  });

  it('round-trips quoted fields', () => {
    const fields = ['id,7', 'he said "x"', '', ' pad '];
    expect(parseCsvRow(formatCsvRow(fields))).toEqual(fields);
  });
});
