import { describe } from 'vitest';
import { runTable } from './test-table.js';

describe('Bool and BinaryEquals', () => {
  runTable([
    { op: 'Bool', values: 'true', value: 'true', expected: true },
    { op: 'Bool', values: 'true', value: 'TRUE', expected: true },
    { op: 'Bool', values: 'false', value: 'true', expected: false },
    { op: 'Bool', values: 'false', value: undefined, expected: false, note: 'C16' },
    { op: 'BoolIfExists', values: 'false', value: undefined, expected: true, note: 'C16' },
    { op: 'BoolIfExists', values: 'false', value: 'false', expected: true },
    { op: 'Bool', values: '${aws:PrincipalTag/flag}', value: 'true', ctx: { 'aws:PrincipalTag/flag': 'true' }, expected: true, note: 'variables allowed' },
    { op: 'Bool', values: '${aws:PrincipalTag/flag}', value: 'true', expected: false, note: 'unresolvable' },
    { op: 'BinaryEquals', values: 'QmluYXJ5VmFsdWU=', value: 'QmluYXJ5VmFsdWU=', expected: true },
    { op: 'BinaryEquals', values: 'QmluYXJ5VmFsdWU=', value: 'QmluYXJ5VmFsdWU', expected: true, note: 'padding is not significant' },
    { op: 'BinaryEquals', values: 'QmluYXJ5VmFsdWU=', value: 'b3RoZXI=', expected: false },
    { op: 'BinaryEquals', values: 'QmluYXJ5VmFsdWU=', value: undefined, expected: false },
    { op: 'BinaryEqualsIfExists', values: 'QmluYXJ5VmFsdWU=', value: undefined, expected: true },
  ]);
});
