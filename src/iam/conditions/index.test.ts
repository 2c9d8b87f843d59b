import { describe, expect, it } from 'vitest';
import { parseOperator } from './index.js';
import { runTable } from './test-table.js';

describe('set operators and missing keys', () => {
  runTable([
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], value: undefined, expected: true, note: 'C8' },
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], value: [], expected: true, note: 'C8' },
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], value: ['a'], expected: true, note: 'C8' },
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], value: ['a', 'c'], expected: false, note: 'C8' },
    { op: 'ForAnyValue:StringEquals', values: ['a', 'b'], value: undefined, expected: false, note: 'C9' },
    { op: 'ForAnyValue:StringEquals', values: ['a', 'b'], value: [], expected: false, note: 'C9' },
    { op: 'ForAnyValue:StringEquals', values: ['a', 'b'], value: ['c', 'a'], expected: true, note: 'C9' },
    { op: 'ForAllValues:StringNotLike', values: 'key1*', value: ['key2x'], expected: true, note: 'C10' },
    { op: 'ForAllValues:StringNotLike', values: 'key1*', value: ['key1x', 'key2x'], expected: false, note: 'C10' },
    { op: 'ForAllValues:StringNotLike', values: 'key1*', value: undefined, expected: true, note: 'C10' },
    { op: 'ForAnyValue:StringNotEquals', values: ['a', 'b'], value: ['a', 'c'], expected: true, note: 'C11' },
    { op: 'ForAnyValue:StringNotEquals', values: ['a', 'b'], value: ['a'], expected: false, note: 'C11' },
    { op: 'ForAnyValue:StringNotEquals', values: ['a', 'b'], value: undefined, expected: false, note: 'C11' },
    { op: 'ForAllValues:StringEquals', values: 'a', value: 'a', expected: true, note: 'single value = one-element set' },
    { op: 'ForAnyValue:StringEqualsIfExists', values: 'a', value: undefined, expected: true },
    { op: 'ForAllValues:NumericLessThan', values: '10', value: ['1', 'x'], expected: false, note: 'an unparsable member fails ForAllValues' },
    { op: 'ForAnyValue:NumericLessThan', values: '10', value: ['x', '1'], expected: true },
    { op: 'ForAnyValue:IpAddress', values: '10.0.0.0/8', value: ['192.0.2.1', '10.0.0.1'], expected: true },
    { op: 'ForAllValues:ArnLike', values: 'arn:aws:ec2:*:*:subnet/*', value: ['arn:aws:ec2:r:1:subnet/a', 'arn:aws:ec2:r:1:vpc/b'], expected: false },
  ]);

  it('parses operator names with prefixes and suffixes, canonical spelling only', () => {
    expect(parseOperator('ForAnyValue:StringLikeIfExists')).toEqual({ name: 'ForAnyValue:StringLikeIfExists', base: 'StringLike', setOperator: 'ForAnyValue', ifExists: true });
    expect(parseOperator('Null')?.base).toBe('Null');
    for (const bad of ['stringequals', 'ForAnyValue::StringEquals', 'NullIfExists', 'StringEqualsIfExistsIfExists', 'Foo', 'ForSomeValues:StringEquals'])
      expect(parseOperator(bad), bad).toBeUndefined();
  });
});
