import { describe } from 'vitest';
import { runTable } from './test-table.js';

describe('Null', () => {
  runTable([
    { op: 'Null', values: 'true', value: undefined, expected: true, note: 'C7' },
    { op: 'Null', values: 'false', value: undefined, expected: false, note: 'C7' },
    { op: 'Null', values: 'true', value: 'x', expected: false },
    { op: 'Null', values: 'false', value: 'x', expected: true },
    { op: 'Null', values: 'true', value: [], expected: true, note: 'empty list is absent' },
    { op: 'Null', values: 'false', value: ['a', 'b'], expected: true },
    { op: 'Null', values: 'TRUE', value: undefined, expected: true },
  ]);
});
