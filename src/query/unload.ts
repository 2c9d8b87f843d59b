/**
 * Athena's `UNLOAD (<SELECT>) TO 's3://…/' WITH (format = '…', …)`: the inner SELECT goes through the gate and the
 * engine like any query (so Lake Formation's column and row grants apply), and its rows are written as data files in
 * the requested format. AWS: https://docs.aws.amazon.com/athena/latest/ug/unload.html. mlzone writes PARQUET, JSON
 * and TEXTFILE (ORC and AVRO fail the query with NOT_SUPPORTED).
 *
 * Files are encoded by a fresh DuckDB instance that holds nothing but the result: the rows (Athena-formatted
 * strings) are appended as VARCHAR, cast back to their column types and COPY'd to a temporary file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { QueryFailure } from './errors.js';
import type { ResultColumn } from './engine.js';
import { quoteIdent, quoteLiteral } from './types.js';

export type UnloadFormat = 'PARQUET' | 'JSON' | 'TEXTFILE';

export interface UnloadStatement {
  /** The SELECT inside the parentheses. */
  readonly query: string;
  /** The target prefix (`s3://bucket/prefix/`). */
  readonly location: string;
  readonly format: UnloadFormat;
  /** `gzip`, `snappy` or `none` (DuckDB's names). */
  readonly compression: 'gzip' | 'snappy' | 'none';
  /** TEXTFILE only (Hive's default `\001`). */
  readonly fieldDelimiter: string;
}

/** Whether a statement is an UNLOAD (its first word). */
export function isUnload(sql: string): boolean {
  return /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*UNLOAD\b/i.test(sql);
}

const malformed = (detail: string) => new QueryFailure(`line 1:1: ${detail}. UNLOAD takes the form UNLOAD (<SELECT query>) TO 's3://bucket/prefix/' WITH (format = 'PARQUET')`, 2, 1100, true);

/** Index just past the parenthesis that closes the one at `open` (quotes and comments skipped). */
function closing(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Parses an UNLOAD statement; a malformed one is a QueryFailure marked `malformed` (InvalidRequestException). */
export function parseUnload(sql: string): UnloadStatement {
  const head = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*UNLOAD\s*/i.exec(sql);
  if (!head || sql[head[0].length] !== '(') throw malformed("mismatched input after UNLOAD, expecting '('");
  const open = head[0].length;
  const end = closing(sql, open);
  if (end < 0) throw malformed('the query in parentheses is not closed');
  const query = sql.slice(open + 1, end - 1).trim();
  const rest = sql.slice(end);
  const m = /^\s*TO\s*'((?:[^']|'')*)'\s*(?:WITH\s*\(([\s\S]*)\))?\s*;?\s*$/i.exec(rest);
  if (!m) throw malformed("expecting TO 's3://…' WITH (…) after the query");
  const location = m[1]!.replace(/''/g, "'");
  if (!/^s3:\/\/[^/]+/.test(location)) throw malformed(`the UNLOAD location '${location}' is not an s3:// URI`);
  const props = new Map<string, string>();
  for (const part of (m[2] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const kv = /^([A-Za-z_]+)\s*=\s*'((?:[^']|'')*)'$/.exec(part);
    if (!kv) throw malformed(`the property ${part} must be name = 'value'`);
    props.set(kv[1]!.toLowerCase(), kv[2]!.replace(/''/g, "'"));
  }
  const format = (props.get('format') ?? 'PARQUET').toUpperCase();
  if (format === 'ORC' || format === 'AVRO') throw new QueryFailure(`NOT_SUPPORTED: mlzone's Athena unloads PARQUET, JSON and TEXTFILE, not ${format}`, 2, 1100);
  if (format !== 'PARQUET' && format !== 'JSON' && format !== 'TEXTFILE') throw malformed(`format '${format}' is not one of PARQUET, ORC, AVRO, JSON, TEXTFILE`);
  const requested = (props.get('compression') ?? (format === 'PARQUET' ? 'GZIP' : 'NONE')).toUpperCase();
  const compression = requested === 'GZIP' ? 'gzip' : requested === 'SNAPPY' && format === 'PARQUET' ? 'snappy' : requested === 'NONE' ? 'none' : undefined;
  if (!compression) throw new QueryFailure(`NOT_SUPPORTED: compression ${requested} is not supported for ${format} by mlzone's Athena (use GZIP${format === 'PARQUET' ? ', SNAPPY' : ''} or NONE)`, 2, 1100);
  return { query, location: location.endsWith('/') ? location : `${location}/`, format, compression, fieldDelimiter: props.get('field_delimiter') ?? '\u0001' };
}

/** The DuckDB type an Athena result column is written with (nested types stay text). */
function duckType(c: ResultColumn): string {
  switch (c.type) {
    case 'bigint':
    case 'integer':
    case 'smallint':
    case 'tinyint':
    case 'double':
    case 'boolean':
    case 'date':
    case 'timestamp':
      return c.type.toUpperCase();
    case 'real':
      return 'FLOAT';
    case 'decimal':
      return `DECIMAL(${c.precision ?? 38}, ${c.scale ?? 0})`;
    default:
      return 'VARCHAR';
  }
}

/** File name suffix of an unloaded file (Athena names files without an extension, `.gz` when gzipped text). */
export function unloadSuffix(u: Pick<UnloadStatement, 'format' | 'compression'>): string {
  return u.format !== 'PARQUET' && u.compression === 'gzip' ? '.gz' : '';
}

/** Encodes a result as one data file of the UNLOAD's format. */
export async function encodeRows(columns: readonly ResultColumn[], rows: readonly (readonly (string | null)[])[], u: Pick<UnloadStatement, 'format' | 'compression' | 'fieldDelimiter'>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'mlzone-unload-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoload_known_extensions: 'false', autoinstall_known_extensions: 'false' });
  const c = await instance.connect();
  try {
    const names = columns.map((col, i) => `c${i}`);
    await c.run(`CREATE TABLE t (${names.length ? names.map((n) => `${n} VARCHAR`).join(', ') : 'c0 VARCHAR'})`);
    if (names.length) {
      const appender = await c.createAppender('t');
      for (const row of rows) {
        for (let i = 0; i < names.length; i++) {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
    }
    const select = names.length ? columns.map((col, i) => `CAST(c${i} AS ${duckType(col)}) AS ${quoteIdent(col.name)}`).join(', ') : 'c0';
    const file = join(dir, 'part');
    const options =
      u.format === 'PARQUET'
        ? `FORMAT PARQUET, COMPRESSION ${u.compression === 'none' ? 'uncompressed' : u.compression}`
        : u.format === 'JSON'
          ? `FORMAT JSON, COMPRESSION ${u.compression}`
          : `FORMAT CSV, HEADER false, DELIMITER ${quoteLiteral(u.fieldDelimiter)}, NULLSTR '\\N', COMPRESSION ${u.compression}`;
    await c.run(`COPY (SELECT ${select} FROM t) TO ${quoteLiteral(file)} (${options})`);
    return await readFile(file);
  } finally {
    c.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
