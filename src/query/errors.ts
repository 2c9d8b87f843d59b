/**
 * Why a query did not run, in Athena's terms (reference §3.5). `reason` is the text that becomes
 * `StateChangeReason` / `AthenaError.ErrorMessage`; `malformed` errors are not FAILED queries at all —
 * StartQueryExecution itself answers InvalidRequestException / MALFORMED_QUERY.
 */
export class QueryFailure extends Error {
  /** For `mlzone explain`: per table read, the Lake Formation grant (or missing grant) that decided, when known. */
  tableAccess: readonly string[] = [];
  constructor(
    readonly reason: string,
    readonly errorCategory: 1 | 2 | 3,
    readonly errorType: number,
    readonly malformed = false,
  ) {
    super(reason);
    this.name = 'QueryFailure';
  }
}

/** `line L:C` of a 0-based character offset in the query text (Trino's 1-based line and column). */
export function lineCol(sql: string, offset: number | undefined): string {
  if (offset === undefined || !Number.isFinite(offset) || offset < 0 || offset > sql.length) return 'line 1:1';
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}:${col}`;
}

export const failures = {
  syntax: (sql: string, offset: number | undefined, detail: string) => new QueryFailure(`${lineCol(sql, offset)}: ${detail}`, 2, 1006, true),
  notSupported: (sql: string, offset: number | undefined, what: string) => new QueryFailure(`NOT_SUPPORTED: ${lineCol(sql, offset)}: ${what}`, 2, 1200),
  columnNotFound: (sql: string, offset: number | undefined, name: string) =>
    new QueryFailure(`COLUMN_NOT_FOUND: ${lineCol(sql, offset)}: Column '${name}' cannot be resolved or requester is not authorized to access requested resources`, 2, 1006),
  tableNotFound: (sql: string, offset: number | undefined, name: string) => new QueryFailure(`TABLE_NOT_FOUND: ${lineCol(sql, offset)}: Table '${name}' does not exist`, 2, 1301),
  schemaNotFound: (sql: string, offset: number | undefined, name: string) => new QueryFailure(`SCHEMA_NOT_FOUND: ${lineCol(sql, offset)}: Schema '${name}' does not exist`, 2, 1301),
  catalogNotFound: (sql: string, offset: number | undefined, name: string) => new QueryFailure(`CATALOG_NOT_FOUND: ${lineCol(sql, offset)}: Catalog '${name}' does not exist`, 2, 1301),
  functionNotFound: (sql: string, offset: number | undefined, name: string) => new QueryFailure(`FUNCTION_NOT_FOUND: ${lineCol(sql, offset)}: Function '${name}' not registered`, 2, 1303),
  accessDenied: (message: string) => new QueryFailure(`Permission denied: ${message}`, 2, 1500),
  s3AccessDenied: (message: string) => new QueryFailure(`Permission denied on S3 path: ${message}`, 2, 1501),
  resourceLimit: (what: string) => new QueryFailure(`EXCEEDED_MEMORY_LIMIT: ${what}`, 3, 1008),
  internal: (message: string) => new QueryFailure(`GENERIC_INTERNAL_ERROR: ${message}`, 1, 200),
};

/** Athena's Iceberg errors (ErrorType 233): `ICEBERG_INVALID_METADATA`, `ICEBERG_MISSING_METADATA`, `ICEBERG_CANNOT_OPEN_SPLIT` … */
export const icebergFailure = (code: string, message: string) => new QueryFailure(`${code}: ${message}`, 2, 233);
