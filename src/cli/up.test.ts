import { describe, expect, it } from 'vitest';
import { parseByteSize } from './up.js';

describe('--audit-max-bytes sizes', () => {
  it('reads plain byte counts, decimal and binary units, any case', () => {
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('500MB')).toBe(500_000_000);
    expect(parseByteSize('500mb')).toBe(500_000_000);
    expect(parseByteSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('1.5 k')).toBe(1500);
    expect(parseByteSize('64KiB')).toBe(65536);
  });

  it('refuses what is not a positive size', () => {
    for (const bad of ['', '0', '-5MB', 'MB', '10 parsecs', 'constructor', '1e9', '0.1']) expect(parseByteSize(bad), bad).toBeUndefined();
  });
});
