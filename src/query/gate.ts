/**
 * Layer 1 of the enforcement (reference §3.1): DuckDB's own parser turns the text into JSON
 * (`json_serialize_sql` in a long-lived instance that holds no data), and the walk below refuses anything that
 * is not one read-only SELECT over catalog tables: other statements, several statements, table functions other
 * than `unnest` (read_*, glob, query, duckdb_*, …), DESCRIBE/SHOW, time travel, and scalar functions that read
 * settings, files or run SQL. What it keeps — the table and column references with their positions — drives
 * name resolution and Athena's `line L:C` error texts.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { failures, lineCol, QueryFailure } from './errors.js';
import { stripTimeTravel, type AsOf, type TimeTravelClause } from './time-travel.js';
import { wrapFilter } from './views.js';

export interface TableRef {
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
  readonly offset: number;
  /** Time travel (`FOR TIMESTAMP|VERSION AS OF`), resolved to a snapshot id or an instant. */
  readonly asOf?: AsOf;
}

/** `column = v` / `column IN (v, …)` with string or integer literals. */
export interface ColumnPredicate {
  readonly column: string;
  readonly values: readonly (string | number)[];
}

export interface ColumnRef {
  readonly parts: readonly string[];
  readonly offset: number;
}

export interface GatedQuery {
  readonly sql: string;
  /** Catalog tables the query names (CTE names removed), in text order. */
  readonly tables: readonly TableRef[];
  readonly columns: readonly ColumnRef[];
  readonly functions: ReadonlySet<string>;
  /**
   * For a plain SELECT over one catalog table: the top-level WHERE conjuncts of the form `column = literal` or
   * `column IN (literals)`, by the table reference's offset (partition pruning; every row of the result satisfies them).
   */
  readonly predicates?: { readonly offset: number; readonly conjuncts: readonly ColumnPredicate[] };
  /** The outer select list of a plain SELECT (for Trino's `_colN` names); undefined for set operations. */
  readonly topSelect?: readonly { readonly kind: 'star' | 'column' | 'aliased' | 'expression' }[];
}

/** Table functions a query may call: only UNNEST (Athena's `CROSS JOIN UNNEST`). */
const TABLE_FUNCTIONS = new Set(['unnest']);

/**
 * Scalar functions that would let SQL look outside its views: settings and variables, files and globs,
 * SQL execution from text, sequences, catalog introspection (view SQL holds file paths), extensions.
 */
const DENIED_FUNCTION = /^(duckdb_|pragma_|parquet_|read_|sql_|json_execute|json_serialize|json_deserialize|glob$|query$|query_table$|sniff_csv$|checkpoint$|force_checkpoint$|current_setting$|getvariable$|setvariable$|getenv$|error$|nextval$|currval$|which_secret$|load_extension$|install_extension$|enable_|disable_|current_schemas?$|current_database$|current_catalog$|has_[a-z_]+privilege$|pg_|icu_|test_|version$|platform$)/i;

/** Schemas DuckDB itself writes into parsed function calls (`main.list_value` for `[1, 2]`). */
const IMPLICIT_SCHEMAS = new Set(['', 'main']);

interface AstNode {
  readonly [key: string]: unknown;
}

const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null;

function firstWord(sql: string): string {
  const stripped = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
  return /^[A-Za-z_]+/.exec(stripped)?.[0] ?? stripped.slice(0, 1);
}

function offsetOf(node: AstNode): number | undefined {
  const loc = node.query_location;
  return typeof loc === 'number' && loc < 2 ** 52 ? loc : undefined;
}

/** Walks one serialized statement, collecting references and throwing on anything refused. */
function walk(sql: string, root: unknown): Omit<GatedQuery, 'sql'> {
  const tables: TableRef[] = [];
  const columns: ColumnRef[] = [];
  const functions = new Set<string>();
  const cteNames = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) return;
    const type = v.type;
    if (v.cte_map && isNode(v.cte_map) && Array.isArray(v.cte_map.map)) {
      for (const entry of v.cte_map.map as AstNode[]) if (typeof entry.key === 'string') cteNames.add(entry.key.toLowerCase());
    }
    if (type === 'BASE_TABLE') {
      if (v.at_clause !== null && v.at_clause !== undefined) throw failures.notSupported(sql, offsetOf(v), 'Time travel (AT / FOR ... AS OF) is not supported on this table');
      tables.push({ catalog: String(v.catalog_name ?? ''), schema: String(v.schema_name ?? ''), table: String(v.table_name ?? ''), offset: offsetOf(v) ?? 0 });
    } else if (type === 'TABLE_FUNCTION') {
      const fn = isNode(v.function) ? v.function : undefined;
      const name = String(fn?.function_name ?? '');
      if (!fn || !TABLE_FUNCTIONS.has(name.toLowerCase()) || !IMPLICIT_SCHEMAS.has(String(fn.schema ?? '')) || String(fn.catalog ?? '') !== '') {
        throw new QueryFailure(`FUNCTION_NOT_FOUND: ${lineCol(sql, offsetOf(v))}: Table function '${name}' not registered`, 2, 1303);
      }
    } else if (type === 'SHOW_REF') {
      throw failures.notSupported(sql, offsetOf(v), 'DESCRIBE and SHOW are answered from the catalog and are not supported inside a query');
    } else if (v.class === 'FUNCTION' || v.class === 'AGGREGATE' || v.class === 'WINDOW') {
      const name = String(v.function_name ?? '');
      const schema = String(v.schema ?? '');
      if (!IMPLICIT_SCHEMAS.has(schema) || String(v.catalog ?? '') !== '' || DENIED_FUNCTION.test(name)) {
        throw failures.functionNotFound(sql, offsetOf(v), schema !== '' && schema !== 'main' ? `${schema}.${name}` : name);
      }
      functions.add(name.toLowerCase());
    } else if (v.class === 'COLUMN_REF' && Array.isArray(v.column_names)) {
      columns.push({ parts: v.column_names.map(String), offset: offsetOf(v) ?? 0 });
    } else if (v.class === 'PARAMETER') {
      throw new QueryFailure(`INVALID_PARAMETER_USAGE: ${lineCol(sql, offsetOf(v))}: Incorrect number of parameters: expected 0 but found 1`, 2, 1100);
    }
    if (v.class === 'CONSTANT') return;
    for (const child of Object.values(v)) visit(child);
  };
  visit(root);
  // A CTE name shadows a table of the same unqualified name, as in Trino.
  return { tables: tables.filter((t) => t.schema !== '' || t.catalog !== '' || !cteNames.has(t.table.toLowerCase())), columns, functions };
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT']);

/** A literal the pruning can compare exactly: a string, or an integer JSON carried without loss. */
function literal(v: unknown): string | number | undefined {
  if (!isNode(v) || v.class !== 'CONSTANT' || !isNode(v.value) || v.value.is_null !== false) return undefined;
  const id = isNode(v.value.type) ? String(v.value.type.id) : '';
  const value = v.value.value;
  if (id === 'VARCHAR' && typeof value === 'string') return value;
  if (INTEGER_TYPES.has(id) && typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
}

/** The `column = literal` / `column IN (…)` conjuncts of a plain single-table SELECT's WHERE (see GatedQuery). */
function wherePredicates(node: AstNode): GatedQuery['predicates'] {
  const from = node.from_table;
  if (node.type !== 'SELECT_NODE' || !isNode(from) || from.type !== 'BASE_TABLE' || !isNode(node.where_clause)) return undefined;
  if (isNode(node.cte_map) && Array.isArray(node.cte_map.map) && node.cte_map.map.length > 0) return undefined;
  const qualifier = String(from.alias || from.table_name).toLowerCase();
  const columnOf = (v: unknown): string | undefined => {
    if (!isNode(v) || v.class !== 'COLUMN_REF' || !Array.isArray(v.column_names)) return undefined;
    const parts = v.column_names.map(String);
    if (parts.length === 1) return parts[0];
    return parts.length === 2 && parts[0]!.toLowerCase() === qualifier ? parts[1] : undefined;
  };
  const conjuncts: ColumnPredicate[] = [];
  const visit = (e: unknown): void => {
    if (!isNode(e)) return;
    if (e.class === 'CONJUNCTION' && e.type === 'CONJUNCTION_AND' && Array.isArray(e.children)) return e.children.forEach(visit);
    if (e.class === 'COMPARISON' && e.type === 'COMPARE_EQUAL') {
      const [c, v] = columnOf(e.left) !== undefined ? [columnOf(e.left), literal(e.right)] : [columnOf(e.right), literal(e.left)];
      if (c !== undefined && v !== undefined) conjuncts.push({ column: c, values: [v] });
    } else if (e.class === 'OPERATOR' && e.type === 'COMPARE_IN' && Array.isArray(e.children) && e.children.length > 1) {
      const c = columnOf(e.children[0]);
      const values = e.children.slice(1).map(literal);
      if (c !== undefined && values.every((x) => x !== undefined)) conjuncts.push({ column: c, values: values as (string | number)[] });
    }
  };
  visit(node.where_clause);
  const offset = offsetOf(from);
  return conjuncts.length > 0 && offset !== undefined ? { offset, conjuncts } : undefined;
}

/** The long-lived parser: one data-less DuckDB instance locked before its first use. */
export class SqlGate {
  private connection?: Promise<DuckDBConnection>;

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', { enable_external_access: 'false', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', threads: '1' });
      const c = await instance.connect();
      // Time-travel instants are evaluated here (Athena's session zone is UTC).
      await c.run("SET TimeZone='UTC'");
      await c.run('SET lock_configuration=true');
      return c;
    })();
    return this.connection;
  }

  async check(sql: string): Promise<GatedQuery> {
    if (sql.trim() === '') throw failures.syntax(sql, 0, "mismatched input '<EOF>'. Expecting: 'SELECT', 'WITH', 'VALUES', 'TABLE'");
    const original = sql;
    const travel = stripTimeTravel(original);
    sql = travel.sql;
    const c = await this.connect();
    const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
    const parsed = JSON.parse(String(reader.getRows()[0]![0])) as AstNode;
    if (parsed.error) {
      if (parsed.error_type === 'parser') {
        const pos = Number(parsed.position);
        throw failures.syntax(sql, Number.isFinite(pos) ? pos : undefined, String(parsed.error_message ?? 'syntax error'));
      }
      // Only SELECT-class statements serialize: COPY, ATTACH, INSTALL, PRAGMA, SET, DDL, … (alone or after a SELECT).
      throw failures.syntax(sql, 0, `mismatched input '${firstWord(sql)}'. Only one SELECT, WITH or VALUES statement is accepted here`);
    }
    const statements = parsed.statements as unknown[];
    if (!Array.isArray(statements) || statements.length !== 1) {
      throw new QueryFailure('Only one sql statement is allowed. Got: ' + sql, 2, 1006, true);
    }
    const node = (statements[0] as AstNode).node as AstNode;
    const topSelect =
      node.type === 'SELECT_NODE' && Array.isArray(node.select_list)
        ? (node.select_list as AstNode[]).map((e) => ({
            kind: e.class === 'STAR' ? ('star' as const) : e.alias ? ('aliased' as const) : e.class === 'COLUMN_REF' ? ('column' as const) : ('expression' as const),
          }))
        : undefined;
    const walked = walk(sql, statements[0]);
    const tables = travel.clauses.length === 0 ? walked.tables : await this.timeTravel(original, walked.tables, travel.clauses);
    const predicates = wherePredicates(node);
    return { sql, ...walked, tables, ...(topSelect ? { topSelect } : {}), ...(predicates ? { predicates } : {}) };
  }

  /** Attaches each time-travel clause to the table it follows, resolved to a snapshot id or an instant. */
  private async timeTravel(sql: string, tables: readonly TableRef[], clauses: readonly TimeTravelClause[]): Promise<TableRef[]> {
    const out = [...tables];
    for (const clause of clauses) {
      const at = out.reduce<number>((best, t, i) => (t.offset < clause.offset && (best < 0 || t.offset > out[best]!.offset) ? i : best), -1);
      // The clause must follow the table name itself (not a CTE, a subquery or an alias).
      if (at < 0 || !QUALIFIED_NAME.test(sql.slice(out[at]!.offset, clause.offset))) throw failures.syntax(sql, clause.offset, "mismatched input 'FOR'. Time travel applies to a table name");
      if (clause.expression.trim() === '') throw failures.syntax(sql, clause.expressionOffset, "mismatched input '<EOF>'. Expecting: <expression>");
      let asOf: AsOf;
      if (clause.kind === 'VERSION') {
        const id = clause.expression.trim();
        if (!/^-?\d+$/.test(id)) throw new QueryFailure(`TYPE_MISMATCH: ${lineCol(sql, clause.expressionOffset)}: Unsupported type for table version: ${id}`, 2, 1002);
        asOf = { kind: 'VERSION', snapshotId: BigInt(id).toString() };
      } else {
        const probe = await this.check(`SELECT (${clause.expression}\n)`).catch(() => undefined);
        if (!probe || probe.tables.length > 0) throw new QueryFailure(`TYPE_MISMATCH: ${lineCol(sql, clause.expressionOffset)}: Invalid time travel expression: ${clause.expression}`, 2, 1002);
        const c = await this.connect();
        let epochMs: number;
        try {
          const r = await c.runAndReadAll(`SELECT CAST(epoch_ms(CAST((${clause.expression}\n) AS TIMESTAMPTZ)) AS VARCHAR)`);
          epochMs = Number(r.getRows()[0]![0]);
        } catch (e) {
          throw new QueryFailure(`TYPE_MISMATCH: ${lineCol(sql, clause.expressionOffset)}: Invalid time travel expression: ${(e as Error).message.split('\n')[0]}`, 2, 1002);
        }
        if (!Number.isFinite(epochMs)) throw new QueryFailure(`TYPE_MISMATCH: ${lineCol(sql, clause.expressionOffset)}: Invalid time travel expression: ${clause.expression}`, 2, 1002);
        asOf = { kind: 'TIMESTAMP', epochMs };
      }
      if (out[at]!.asOf) throw failures.syntax(sql, clause.offset, "mismatched input 'FOR'");
      out[at] = { ...out[at]!, asOf };
    }
    return out;
  }

  /**
   * Refuses a row-filter expression outside Lake Formation's PartiQL subset (reference §3.2): column refs of the
   * table, constants, comparisons, AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE and CAST; no functions, no
   * subqueries. It is parsed exactly as the view embeds it, so text cannot break out of its parentheses.
   */
  async checkRowFilter(expression: string, columns: readonly string[]): Promise<void> {
    const key = `${expression}\0${columns.join('\0')}`;
    if (this.acceptedFilters.has(key)) return;
    await this.validateRowFilter(expression, columns);
    if (this.acceptedFilters.size >= 10_000) this.acceptedFilters.clear();
    this.acceptedFilters.add(key);
  }

  /** Filters already accepted with the same table columns (the check is pure). */
  private readonly acceptedFilters = new Set<string>();

  private async validateRowFilter(expression: string, columns: readonly string[]): Promise<void> {
    const refuse = (why: string) => new QueryFailure(`Permission denied: the row filter '${expression}' is not valid: ${why}`, 2, 234);
    if (expression.length >= 2048) throw refuse('longer than 2048 characters');
    const c = await this.connect();
    const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [`SELECT 1 FROM __lf WHERE ${wrapFilter(expression)}`]);
    const parsed = JSON.parse(String(reader.getRows()[0]![0])) as AstNode;
    const statements = parsed.statements as AstNode[] | undefined;
    if (parsed.error || !Array.isArray(statements) || statements.length !== 1) throw refuse('not one expression');
    const node = statements[0]!.node as AstNode;
    const from = node.from_table as AstNode;
    const simple =
      node.type === 'SELECT_NODE' &&
      from.type === 'BASE_TABLE' &&
      from.table_name === '__lf' &&
      (node.select_list as unknown[]).length === 1 &&
      (node.group_expressions as unknown[]).length === 0 &&
      node.having === null &&
      node.qualify === null &&
      (node.modifiers as unknown[]).length === 0 &&
      (node.cte_map as { map: unknown[] }).map.length === 0;
    if (!simple) throw refuse('not one expression');
    const known = new Set(columns.map((x) => x.toLowerCase()));
    const check = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(check);
      if (!isNode(v)) return;
      if (typeof v.class === 'string') {
        if (!ROW_FILTER_CLASSES.has(v.class)) throw refuse(`${v.class.toLowerCase()} is not allowed`);
        if (v.class === 'FUNCTION' && !LIKE_FUNCTIONS.has(String(v.function_name))) throw refuse(`function ${String(v.function_name)} is not allowed`);
        if (v.class === 'COLUMN_REF') {
          const names = v.column_names as string[];
          if (names.length !== 1 || !known.has(names[0]!.toLowerCase())) throw refuse(`unknown column ${names.join('.')}`);
        }
        if (v.class === 'CONSTANT') return;
      }
      for (const child of Object.values(v)) check(child);
    };
    check(node.where_clause);
  }
}

const NAME_PART = '(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)';
const QUALIFIED_NAME = new RegExp(`^${NAME_PART}(?:\\s*\\.\\s*${NAME_PART}){0,2}\\s*$`);

const ROW_FILTER_CLASSES = new Set(['COLUMN_REF', 'CONSTANT', 'COMPARISON', 'CONJUNCTION', 'OPERATOR', 'BETWEEN', 'CAST', 'FUNCTION']);
/** How DuckDB's parser spells LIKE / NOT LIKE / ILIKE (with or without ESCAPE). */
const LIKE_FUNCTIONS = new Set(['~~', '!~~', '~~*', '!~~*', 'like_escape', 'not_like_escape']);
