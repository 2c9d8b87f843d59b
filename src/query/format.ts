/**
 * DuckDB values → the strings Athena puts in result CSVs and GetQueryResults (reference §4.4): doubles in Java
 * notation, timestamps with milliseconds, arrays `[1, 2]`, maps `{k=1}`, rows `{id=1, name=x}`, varbinary as
 * space-separated hex bytes. NULL stays null (an absent VarCharValue / empty CSV field).
 */
import { DuckDBBlobValue, DuckDBListValue, DuckDBArrayValue, DuckDBMapValue, DuckDBStructValue, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';

/** Java's Double.toString: plain between 1e-3 and 1e7, else `1.0E20`; always a fraction digit. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

function timestamp(v: DuckDBTimestampValue): string {
  const s = v.toString();
  const m = /^(\S+ \d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(s);
  if (!m) return s;
  return `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}`;
}

function inner(v: DuckDBValue): string {
  if (v === null) return 'null';
  return formatValue(v, typeof v === 'number' && !Number.isInteger(v) ? 'DOUBLE' : '') ?? 'null';
}

/** `duckType` is the column's DuckDB type text: numbers print as Java doubles only for DOUBLE and FLOAT. */
export function formatValue(v: DuckDBValue, duckType: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (duckType === 'FLOAT') return javaDouble(Number(Math.fround(v).toPrecision(7)));
    if (duckType === 'DOUBLE') return javaDouble(v);
    return String(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (v instanceof DuckDBTimestampValue) return timestamp(v);
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return `[${v.items.map((x) => inner(x)).join(', ')}]`;
  if (v instanceof DuckDBMapValue) {
    const entries = v.entries.map((e) => [inner(e.key), inner(e.value)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${entries.map(([k, x]) => `${k}=${x}`).join(', ')}}`;
  }
  if (v instanceof DuckDBStructValue) return `{${Object.entries(v.entries).map(([k, x]) => `${k}=${inner(x)}`).join(', ')}}`;
  if (v instanceof DuckDBBlobValue) return Array.from(v.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return String(v);
}
