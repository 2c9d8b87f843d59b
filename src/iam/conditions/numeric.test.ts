import { describe } from 'vitest';
import { runTable } from './test-table.js';

describe('Numeric operators', () => {
  runTable([
    { op: 'NumericEquals', values: '10', value: '10', expected: true },
    { op: 'NumericEquals', values: '10', value: '10.0', expected: true },
    { op: 'NumericEquals', values: '10', value: '010', expected: true },
    { op: 'NumericEquals', values: '10', value: 'ten', expected: false },
    { op: 'NumericEquals', values: '10', value: undefined, expected: false },
    { op: 'NumericNotEquals', values: '10', value: '11', expected: true },
    { op: 'NumericNotEquals', values: '10', value: '10', expected: false },
    { op: 'NumericNotEquals', values: '10', value: undefined, expected: true },
    { op: 'NumericNotEquals', values: '10', value: 'abc', expected: false, note: 'unparsable never matches' },
    { op: 'NumericLessThan', values: '10', value: '9.99', expected: true },
    { op: 'NumericLessThan', values: '10', value: '10', expected: false },
    { op: 'NumericLessThanEquals', values: '10', value: '10', expected: true, note: 'C13' },
    { op: 'NumericLessThanEquals', values: '10', value: 'abc', expected: false, note: 'C13' },
    { op: 'NumericGreaterThan', values: '-5', value: '-4', expected: true },
    { op: 'NumericGreaterThan', values: '1e3', value: '1001', expected: true },
    { op: 'NumericGreaterThanEquals', values: ['100', '200'], value: '150', expected: true, note: 'any value' },
    { op: 'NumericGreaterThanEquals', values: '100', value: '99', expected: false },
    { op: 'NumericLessThanIfExists', values: '5', value: undefined, expected: true },
    { op: 'NumericEquals', values: '${aws:x}', value: '1', ctx: { 'aws:x': '1' }, expected: false, note: 'no variables in Numeric' },
  ]);
});
