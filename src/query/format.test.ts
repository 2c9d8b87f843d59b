import { describe, expect, it } from 'vitest';
import { javaDouble } from './format.js';
import { duckTypeToAthena, glueTypeToDuck } from './types.js';

describe('value and type mapping', () => {
  it('prints doubles as Java does', () => {
    expect([1.5, 20, 0.30000000000000004, 1e20, 1e-7, 0, 12345678].map(javaDouble)).toEqual(['1.5', '20.0', '0.30000000000000004', '1.0E20', '1.0E-7', '0.0', '1.2345678E7']);
  });
  it('maps Glue types to DuckDB and DuckDB result types to Athena', () => {
    expect(glueTypeToDuck('array<struct<a:int,b:map<string,decimal(10,2)>>>')).toBe('STRUCT("a" INTEGER, "b" MAP(VARCHAR, DECIMAL(10,2)))[]');
    expect(glueTypeToDuck('decimal')).toBe('DECIMAL(10,0)');
    expect(() => glueTypeToDuck('int); DROP TABLE x; --')).toThrow(/unsupported Glue type/);
    expect(duckTypeToAthena('HUGEINT')).toEqual({ type: 'bigint', precision: 19, scale: 0 });
    expect(duckTypeToAthena('DECIMAL(10,2)')).toEqual({ type: 'decimal', precision: 10, scale: 2 });
    expect(duckTypeToAthena('FLOAT').type).toBe('float');
  });
});
