/**
 * The query pipeline of reference §3.1: gate → resolve every table through the DataCatalogPort → a fresh
 * in-memory DuckDB holding only views of what the caller may read (permitted columns, row filters, cell-level
 * CASE), reading exactly the listed files, locked → run the user's text → Athena-shaped results or errors.
 *
 * DuckDB runs on libuv's thread pool (the node-api is async), which Node's own file I/O shares; a small
 * semaphore keeps queries from taking every pool thread, so S3 and the rest of the API keep answering.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RequestContext } from '../core/context.js';
import { CatalogLookupError, type DataCatalogPort, type ReadableTable } from '../core/data-catalog.js';
import { readFile } from 'node:fs/promises';
import { failures, icebergFailure, QueryFailure } from './errors.js';
import { formatValue } from './format.js';
import { SqlGate, type ColumnPredicate, type GatedQuery } from './gate.js';
import { icebergRelationSql, pruneByPartition, scanFiles, type ParquetLayout } from './iceberg/relation.js';
import { IcebergReader } from './iceberg/table.js';
import { dataLocations, isIceberg, relationSql, type DataFile } from './relation.js';
import { duckTypeToAthena, quoteIdent, quoteLiteral, type AthenaColumnType } from './types.js';
import type { AsOf } from './time-travel.js';
import { macrosFor } from './trino.js';
import { viewSql } from './views.js';

/** Lists the data files under an `s3://bucket/prefix/` location, authorizing the read as the port decided. */
export type DataFilesPort = (ctx: RequestContext, location: string, access: ReadableTable['dataAccess']) => Promise<readonly DataFile[]>;

export interface QueryLimits {
  /** Per query instance. */
  readonly memoryLimit: string;
  readonly threads: number;
  readonly timeoutMs: number;
  /** Rows a result may hold (the rest of the API keeps results in memory/the database). */
  readonly maxRows: number;
  /** Queries executing at once; the others wait (state QUEUED). */
  readonly concurrency: number;
}

export const DEFAULT_LIMITS: QueryLimits = { memoryLimit: '512MB', threads: 2, timeoutMs: 5 * 60_000, maxRows: 1_000_000, concurrency: 2 };

export interface ResultColumn extends AthenaColumnType {
  readonly name: string;
}

export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly (string | null)[])[];
  readonly dataScannedInBytes: number;
  readonly engineMillis: number;
  /** Per table read, `db.table: <the grant that decided>` (ReadableTable.decidedBy), for `mlzone explain`. */
  readonly tableAccess: readonly string[];
}

export interface QueryRequest {
  readonly gated: GatedQuery;
  /** `QueryExecutionContext.Database` (default `default`). */
  readonly database?: string;
  /** `QueryExecutionContext.Catalog` (default `AwsDataCatalog`). */
  readonly catalog?: string;
}

/** What a running query exposes: its outcome and a way to stop it (StopQueryExecution). */
export interface RunningQuery {
  readonly started: Promise<void>;
  readonly result: Promise<QueryResult>;
  cancel(): void;
}

export class QueryCancelled extends Error {
  constructor() {
    super('Query cancelled by user');
    this.name = 'QueryCancelled';
  }
}

const CATALOG = 'awsdatacatalog';

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

interface ResolvedRef {
  readonly schema: string;
  readonly table: string;
  readonly readable: ReadableTable;
  readonly asOf?: AsOf;
  readonly offset: number;
  /** WHERE conjuncts every result row satisfies, when this is the query's only table reference (pruning). */
  readonly predicates?: readonly ColumnPredicate[];
}

export class QueryEngine {
  readonly gate = new SqlGate();
  private readonly slots: Semaphore;
  private readonly limits: QueryLimits;

  constructor(
    private readonly catalog: DataCatalogPort | undefined,
    private readonly files: DataFilesPort,
    limits: Partial<QueryLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.slots = new Semaphore(this.limits.concurrency);
  }

  /**
   * A fresh, never-used instance: one is created ahead of time (creation is ~8 ms of the ~11 ms set-up), so a
   * query takes a ready one and the next is made in the background. Every query still gets its own instance.
   */
  private spare?: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }>;

  private createInstance(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    const made = (async () => {
      const instance = await DuckDBInstance.create(':memory:', {
        autoload_known_extensions: 'false',
        autoinstall_known_extensions: 'false',
        allow_community_extensions: 'false',
        threads: String(this.limits.threads),
        memory_limit: this.limits.memoryLimit,
        // No spilling: a temp directory would silently join the allowed directories (reference §3.4).
        temp_directory: '',
      });
      return { instance, connection: await instance.connect() };
    })();
    made.catch(() => undefined);
    return made;
  }

  private async takeInstance(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    const ready = this.spare ?? this.createInstance();
    this.spare = this.createInstance();
    return ready;
  }

  /** Reads Parquet footers of Iceberg data files (never runs user SQL); made on first use. */
  private inspector?: Promise<DuckDBInstance>;
  /** Footer facts by local path and size (Iceberg data files are immutable; an overwrite changes the path). */
  private readonly layouts = new Map<string, ParquetLayout>();

  private async parquetLayout(path: string, size: number, uri: string, table: string): Promise<ParquetLayout> {
    const key = `${path}\0${size}`;
    const known = this.layouts.get(key);
    if (known) return known;
    this.inspector ??= DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '64MB', autoload_known_extensions: 'false', autoinstall_known_extensions: 'false', allow_community_extensions: 'false', temp_directory: '' });
    const c = await (await this.inspector).connect();
    try {
      const rows = (await c.runAndReadAll(`SELECT name, num_children, field_id FROM parquet_schema(${quoteLiteral(path)})`)).getRows();
      const columns: string[] = [];
      // The flat schema: the root, then each column followed by its children (depth first).
      const skip = (i: number): number => {
        const n = Number(rows[i]?.[1] ?? 0);
        let j = i + 1;
        for (let k = 0; k < n; k++) j = skip(j);
        return j;
      };
      for (let i = 1, k = 0, n = Number(rows[0]?.[1] ?? 0); k < n && i < rows.length; k++) {
        columns.push(String(rows[i]![0]));
        i = skip(i);
      }
      const layout = { hasFieldIds: rows.slice(1).some((r) => r[2] !== null), columns };
      if (this.layouts.size >= 10_000) this.layouts.clear();
      this.layouts.set(key, layout);
      return layout;
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replaceAll(path, uri);
      throw icebergFailure('ICEBERG_CANNOT_OPEN_SPLIT', `Error opening Iceberg split ${uri} (table ${table}): ${message}`);
    } finally {
      c.closeSync();
    }
  }

  /** Closes the spare instance (tests, shutdown). */
  async close(): Promise<void> {
    const inspector = this.inspector;
    this.inspector = undefined;
    (await inspector?.catch(() => undefined))?.closeSync();
    const spare = this.spare;
    this.spare = undefined;
    const s = await spare?.catch(() => undefined);
    s?.connection.closeSync();
    s?.instance.closeSync();
  }

  /** Gate only: a syntax error here is StartQueryExecution's InvalidRequestException. */
  check(sql: string): Promise<GatedQuery> {
    return this.gate.check(sql);
  }

  start(ctx: RequestContext, req: QueryRequest): RunningQuery {
    let cancelled = false;
    let connection: DuckDBConnection | undefined;
    let markStarted!: () => void;
    const started = new Promise<void>((r) => (markStarted = r));
    const result = (async () => {
      const release = await this.slots.acquire();
      try {
        if (cancelled) throw new QueryCancelled();
        markStarted();
        return await this.execute(ctx, req, (c) => (connection = c), () => cancelled);
      } finally {
        release();
      }
    })();
    result.catch(() => markStarted());
    return {
      started,
      result,
      cancel() {
        cancelled = true;
        connection?.interrupt();
      },
    };
  }

  private async resolve(ctx: RequestContext, req: QueryRequest, decided: string[]): Promise<ResolvedRef[]> {
    const { gated } = req;
    const contextDb = (req.database ?? 'default').toLowerCase();
    const out = new Map<string, ResolvedRef>();
    for (const ref of gated.tables) {
      const catalog = ref.catalog.toLowerCase();
      if (catalog !== '' && catalog !== CATALOG) throw failures.catalogNotFound(gated.sql, ref.offset, ref.catalog);
      const schema = (ref.schema || contextDb).toLowerCase();
      const table = ref.table.toLowerCase();
      const key = `${schema}.${table}`;
      const seen = out.get(key);
      if (seen) {
        // One view per table and query: a table read at two versions at once is refused rather than answered wrongly.
        if (JSON.stringify(seen.asOf ?? null) !== JSON.stringify(ref.asOf ?? null)) throw failures.notSupported(gated.sql, ref.offset, `Reading table ${CATALOG}.${key} at more than one version in one query is not supported`);
        continue;
      }
      if (!this.catalog) throw failures.schemaNotFound(gated.sql, ref.offset, schema);
      try {
        const readable = await this.catalog.resolveTable(ctx, schema, table);
        // Not under a row filter: bytes scanned per partition would tell about rows the caller may not see.
        const rowFiltered = readable.grants?.some((g) => g.rowFilter !== undefined && g.rowFilter.trim() !== '') ?? false;
        const only = gated.tables.length === 1 && gated.predicates?.offset === ref.offset && !rowFiltered;
        out.set(key, { schema, table, readable, offset: ref.offset, ...(ref.asOf ? { asOf: ref.asOf } : {}), ...(only ? { predicates: gated.predicates!.conjuncts } : {}) });
        decided.push(`${key}: ${readable.decidedBy}`);
      } catch (e) {
        if (!(e instanceof CatalogLookupError)) throw e;
        // The catalog's own wording names the missing grant; the client gets Athena's.
        decided.push(`${key}: ${e.message}`);
        if (e.kind === 'SCHEMA_NOT_FOUND') throw failures.schemaNotFound(gated.sql, ref.offset, schema);
        throw failures.tableNotFound(gated.sql, ref.offset, `${CATALOG}.${schema}.${table}`);
      }
    }
    return [...out.values()];
  }

  /**
   * An Iceberg table's relation and the files it reads (reference §1.9). Metadata, manifests and data files are
   * objects of the table's location, listed through the same port as any table's files (so read as the caller
   * when `dataAccess` is `caller`); a file the metadata names elsewhere is found by listing its folder the same way.
   */
  private async iceberg(ctx: RequestContext, r: ResolvedRef): Promise<{ relation: string; files: DataFile[] }> {
    const table = r.readable.table;
    const name = `${table.databaseName}.${table.name}`;
    const byUri = new Map<string, DataFile>();
    const listed = new Set<string>();
    const normalize = (uri: string) => uri.replace(/^s3[an]:\/\//, 's3://');
    const list = async (location: string) => {
      if (listed.has(location)) return;
      listed.add(location);
      for (const f of await this.files(ctx, location, r.readable.dataAccess)) if (f.uri) byUri.set(f.uri, f);
    };
    const root = table.location.endsWith('/') ? table.location : `${table.location}/`;
    const find = async (raw: string): Promise<DataFile | undefined> => {
      const uri = normalize(raw);
      if (byUri.has(uri)) return byUri.get(uri);
      // Lake Formation vends access to the table's location only; the caller's own S3 permissions may reach further.
      if (r.readable.dataAccess === 'lakeformation' && !uri.startsWith(root)) throw failures.s3AccessDenied(`${uri} is outside the location ${root} of table ${name}, the only one Lake Formation vends access to`);
      if (/^s3:\/\/[^/]+\/.+\/[^/]+$/.test(uri)) await list(uri.slice(0, uri.lastIndexOf('/') + 1));
      return byUri.get(uri);
    };
    await list(table.location);
    const reader = new IcebergReader(name, async (uri) => {
      const f = await find(uri);
      return f && (await readFile(f.path).catch(() => undefined));
    });
    const planned = await reader.plan(table.parameters.metadata_location, r.asOf);
    const scan = r.predicates ? pruneByPartition(table, planned, r.predicates) : planned;
    const files: DataFile[] = [];
    for (const f of scanFiles(scan)) {
      const d = await find(f.uri);
      if (!d) throw icebergFailure('ICEBERG_CANNOT_OPEN_SPLIT', `Error opening Iceberg split ${f.uri} (table ${name}): the file does not exist`);
      files.push(d);
    }
    const layouts = new Map<string, ParquetLayout>();
    for (const f of [...scan.dataFiles, ...scan.equalityDeletes]) {
      const d = byUri.get(normalize(f.uri))!;
      layouts.set(f.uri, await this.parquetLayout(d.path, d.size, f.uri, name));
    }
    try {
      return { relation: icebergRelationSql(table, scan, (uri) => byUri.get(normalize(uri))!.path, (uri) => layouts.get(uri)), files };
    } catch (e) {
      if (e instanceof QueryFailure) throw e;
      throw icebergFailure('ICEBERG_INVALID_METADATA', `${(e as Error).message} (table ${name})`);
    }
  }

  private async execute(ctx: RequestContext, req: QueryRequest, onConnection: (c: DuckDBConnection) => void, isCancelled: () => boolean): Promise<QueryResult> {
    const decided: string[] = [];
    try {
      return { ...(await this.executeResolved(ctx, req, decided, onConnection, isCancelled)), tableAccess: decided };
    } catch (e) {
      if (e instanceof QueryFailure) e.tableAccess = decided;
      throw e;
    }
  }

  private async executeResolved(ctx: RequestContext, req: QueryRequest, decided: string[], onConnection: (c: DuckDBConnection) => void, isCancelled: () => boolean): Promise<Omit<QueryResult, 'tableAccess'>> {
    const begun = performance.now();
    const refs = await this.resolve(ctx, req, decided);
    // Row filters come from the catalog; they are checked like the query before they reach any SQL.
    for (const r of refs) {
      const names = [...r.readable.table.columns, ...r.readable.table.partitionKeys].map((c) => c.name);
      for (const g of r.readable.grants ?? []) if (g.rowFilter !== undefined && g.rowFilter.trim() !== '') await this.gate.checkRowFilter(g.rowFilter, names);
    }
    const views: { schema: string; table: string; sql: string }[] = [];
    const allowed: string[] = [];
    let scanned = 0;
    for (const r of refs) {
      if (isIceberg(r.readable.table)) {
        const plan = await this.iceberg(ctx, r);
        for (const f of plan.files) {
          allowed.push(f.path);
          scanned += f.size;
        }
        views.push({ schema: r.schema, table: r.table, sql: viewSql(r.readable.table, plan.relation, r.readable.grants) });
        continue;
      }
      if (r.asOf) throw failures.notSupported(req.gated.sql, r.offset, 'This connector does not support versioned tables');
      const filesOf = new Map<string, readonly DataFile[]>();
      for (const location of dataLocations(r.readable.table)) {
        if (filesOf.has(location)) continue;
        const files = await this.files(ctx, location, r.readable.dataAccess);
        filesOf.set(location, files);
        for (const f of files) {
          allowed.push(f.path);
          scanned += f.size;
        }
      }
      let relation: string;
      try {
        relation = relationSql(r.readable.table, filesOf);
      } catch (e) {
        throw new QueryFailure(`HIVE_UNSUPPORTED_FORMAT: ${(e as Error).message}`, 2, 1201);
      }
      views.push({ schema: r.schema, table: r.table, sql: viewSql(r.readable.table, relation, r.readable.grants) });
    }
    if (isCancelled()) throw new QueryCancelled();
    const { instance, connection: c } = await this.takeInstance();
    onConnection(c);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      c.interrupt();
    }, this.limits.timeoutMs);
    try {
      for (const setting of ["SET TimeZone='UTC'", 'SET integer_division=true', `ATTACH ':memory:' AS ${CATALOG}`]) await c.run(setting);
      const schemas = new Set([(req.database ?? 'default').toLowerCase(), ...views.map((v) => v.schema)]);
      for (const s of schemas) await c.run(`CREATE SCHEMA IF NOT EXISTS ${CATALOG}.${quoteIdent(s)}`);
      for (const v of views) await c.run(`CREATE VIEW ${CATALOG}.${quoteIdent(v.schema)}.${quoteIdent(v.table)} AS ${v.sql}`);
      for (const m of macrosFor(req.gated.functions)) await c.run(m);
      await c.run(`USE ${CATALOG}.${quoteIdent((req.database ?? 'default').toLowerCase())}`);
      await c.run(`SET allowed_paths=[${allowed.map(quoteLiteral).join(', ')}]`);
      await c.run('SET enable_external_access=false');
      await c.run('SET lock_configuration=true');
      if (isCancelled()) throw new QueryCancelled();
      const reader = await c.runAndReadUntil(req.gated.sql, this.limits.maxRows + 1);
      const types = reader.columnTypes().map((t) => t.toString());
      const rawNames = reader.columnNames();
      const names = athenaNames(req.gated, rawNames);
      const raw = reader.getRows();
      if (raw.length > this.limits.maxRows) throw failures.resourceLimit(`Query result exceeds the limit of ${this.limits.maxRows} rows`);
      const rows = raw.map((row) => row.map((v, i) => formatValue(v, types[i]!)));
      const columns = names.map((name, i) => ({ name, ...duckTypeToAthena(types[i]!) }));
      return { columns, rows, dataScannedInBytes: scanned, engineMillis: Math.round(performance.now() - begun) };
    } catch (e) {
      if (e instanceof QueryFailure || e instanceof QueryCancelled) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (/INTERRUPT/i.test(message) || /Interrupted/.test(message)) {
        if (isCancelled()) throw new QueryCancelled();
        if (timedOut) throw new QueryFailure(`Query exhausted resources at this scale factor: it ran longer than ${this.limits.timeoutMs} ms`, 3, 206);
        throw new QueryCancelled();
      }
      throw mapDuckError(req.gated, message, refs.some((r) => r.readable.grants?.some((g) => g.rowFilter)));
    } finally {
      clearTimeout(timer);
      c.closeSync();
      instance.closeSync();
    }
  }
}

/**
 * Trino names unaliased expressions `_col<position>`; DuckDB names them by their text. Only the top-level select
 * list of a plain SELECT without `*` is renamed (a star makes positions ambiguous).
 */
function athenaNames(gated: GatedQuery, names: readonly string[]): string[] {
  const select = gated.topSelect;
  if (!select || select.some((s) => s.kind === 'star') || select.length !== names.length) return [...names];
  return names.map((n, i) => (select[i]!.kind === 'expression' ? `_col${i}` : n));
}

/** DuckDB error text → Athena's reason (reference §3.5). */
export function mapDuckError(gated: GatedQuery, message: string, rowFiltered: boolean): QueryFailure {
  const column = /Referenced column "([^"]+)" not found|does not have a column named "([^"]+)"|Referenced table "([^"]+)" not found/.exec(message);
  if (column) {
    const name = column[1] ?? column[2] ?? column[3]!;
    const ref = gated.columns.find((c) => c.parts[c.parts.length - 1]!.toLowerCase() === name.toLowerCase() || c.parts.join('.').toLowerCase() === name.toLowerCase());
    return failures.columnNotFound(gated.sql, ref?.offset, ref ? ref.parts.join('.') : name);
  }
  const fn = /(?:Scalar|Aggregate|Table) Function with name "?([^"\s]+)"? does not exist/.exec(message);
  if (fn) return failures.functionNotFound(gated.sql, undefined, fn[1]!);
  // Values of rows a row filter hides must not leak through a conversion error's text (§3.4 side channel).
  const scrub = (s: string) => (rowFiltered ? s.replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"') : s);
  const firstLine = message.split('\n')[0]!.replace(/^[A-Za-z ]+ Error: /, '');
  if (/^Conversion Error/.test(message)) return new QueryFailure(`INVALID_CAST_ARGUMENT: ${scrub(firstLine)}`, 2, 1100);
  if (/No function matches|Cannot compare|Cannot mix/.test(message)) return new QueryFailure(`TYPE_MISMATCH: ${scrub(firstLine)}`, 2, 1002);
  if (/Division by zero/i.test(message)) return new QueryFailure('DIVISION_BY_ZERO: Division by zero', 2, 1001);
  if (/Out of Memory|memory limit/i.test(message)) return failures.resourceLimit(`Query exceeded per-query memory limit: ${scrub(firstLine)}`);
  if (/^Binder Error/.test(message)) return new QueryFailure(`SYNTAX_ERROR: ${scrub(firstLine)}`, 2, 1006);
  if (/^Permission Error/.test(message)) return failures.accessDenied(scrub(firstLine));
  return failures.internal(scrub(firstLine));
}
