/**
 * Trino functions DuckDB lacks or names differently (reference §2.2), as TEMP macros created in a query's
 * instance only when the query calls them (creating them all costs ~9 ms). Each one gives Trino's semantics;
 * functions whose DuckDB stand-in would answer differently are left out (the query then fails, never differs).
 */
export const TRINO_MACROS: Readonly<Record<string, string>> = {
  sequence: 'sequence(a, b) AS generate_series(a, b), (a, b, s) AS generate_series(a, b, s)',
  from_unixtime: 'from_unixtime(x) AS make_timestamptz(CAST(x * 1000000 AS BIGINT))',
  to_unixtime: 'to_unixtime(t) AS epoch(t)',
  from_iso8601_timestamp: 'from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  regexp_like: 'regexp_like(s, p) AS regexp_matches(s, p)',
  approx_distinct: 'approx_distinct(x) AS approx_count_distinct(x)',
  approx_percentile: 'approx_percentile(x, p) AS approx_quantile(x, p)',
  day_of_week: 'day_of_week(t) AS isodow(t)',
  dow: 'dow(t) AS isodow(t)',
  day_of_year: 'day_of_year(t) AS dayofyear(t)',
  doy: 'doy(t) AS dayofyear(t)',
  week_of_year: 'week_of_year(t) AS week(t)',
  year_of_week: 'year_of_week(t) AS isoyear(t)',
  last_day_of_month: 'last_day_of_month(t) AS last_day(t)',
  every: 'every(b) AS bool_and(b)',
  levenshtein_distance: 'levenshtein_distance(a, b) AS levenshtein(a, b)',
  hamming_distance: 'hamming_distance(a, b) AS hamming(a, b)',
  codepoint: 'codepoint(s) AS unicode(s)',
  cardinality: 'cardinality(x) AS len(x)',
  // Whole units elapsed (Trino), which DuckDB's date_sub computes; its date_diff counts boundaries instead.
  date_diff: 'date_diff(u, a, b) AS date_sub(u, a, b)',
};

/** The CREATE statements for the Trino functions a query calls. */
export function macrosFor(functions: ReadonlySet<string>): string[] {
  return [...functions].filter((f) => Object.hasOwn(TRINO_MACROS, f)).map((f) => `CREATE TEMP MACRO ${TRINO_MACROS[f]}`);
}
