/**
 * A Glue table → the DuckDB relation that reads its files (reference §1.2, §1.3, §1.5). Files are listed by the
 * caller and passed explicitly (no globs: hidden files stay out and `allowed_paths` can be exact). Every column is
 * cast to its Glue type; text formats map by position, Parquet and JSON by name. A partitioned table is one
 * branch per registered partition with its values as typed constants, joined with UNION ALL.
 */
import type { CatalogTable } from '../core/data-catalog.js';
import { glueTypeToDuck, quoteIdent, quoteLiteral } from './types.js';

export interface DataFile {
  /** The local file DuckDB opens. */
  readonly path: string;
  readonly size: number;
  /** The object's `s3://bucket/key` (Iceberg metadata names files by URI). */
  readonly uri?: string;
}

/** Glue's marker of an Iceberg table (`Parameters.table_type=ICEBERG`); read through its metadata, see iceberg/. */
export function isIceberg(table: CatalogTable): boolean {
  return table.parameters.table_type?.toUpperCase() === 'ICEBERG';
}

export type TableFormat = 'parquet' | 'opencsv' | 'lazysimple' | 'json';

/** The reader a table needs, from its SerDe, then its input format, then `classification` (§1.2). */
export function tableFormat(table: CatalogTable): TableFormat {
  const serde = (table.serdeLibrary ?? '').toLowerCase();
  const input = (table.inputFormat ?? '').toLowerCase();
  const classification = (table.parameters.classification ?? '').toLowerCase();
  if (serde.includes('parquet') || (!serde && input.includes('parquet'))) return 'parquet';
  if (serde.includes('opencsvserde')) return 'opencsv';
  if (serde.includes('jsonserde')) return 'json';
  if (serde.includes('lazysimpleserde')) return 'lazysimple';
  if (isIceberg(table)) throw new Error(`${table.databaseName}.${table.name} is an Iceberg table: it is read through its metadata, not as a file format`);
  if (serde.includes('orc') || input.includes('orc') || serde.includes('avro')) {
    throw new Error(`Table format of ${table.databaseName}.${table.name} is not supported by mlzone's query engine`);
  }
  if (classification === 'parquet') return 'parquet';
  if (classification === 'json') return 'json';
  if (classification === 'csv') return 'lazysimple';
  throw new Error(`No reader for the SerDe '${table.serdeLibrary ?? ''}' of ${table.databaseName}.${table.name}`);
}

const list = (files: readonly DataFile[]) => `[${files.map((f) => quoteLiteral(f.path)).join(', ')}]`;

/** Delimiter parameters come in as characters or as octal-ish Hive escapes (`\001`) or decimal codes ('1'). */
function delimiter(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const octal = /^\\(\d{1,3})$/.exec(value);
  if (octal) return String.fromCharCode(parseInt(octal[1]!, 8));
  if (value === '\\t') return '\t';
  if (/^\d+$/.test(value) && value.length > 1) return String.fromCharCode(Number(value));
  return value.slice(0, 1);
}

/** The SELECT that reads `files` with the table's data columns (no partition keys). */
function readerSql(table: CatalogTable, format: TableFormat, files: readonly DataFile[]): string {
  const cols = table.columns;
  if (files.length === 0) {
    const nulls = cols.map((c) => `CAST(NULL AS ${glueTypeToDuck(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
    return `SELECT ${nulls || '1 AS __empty'} WHERE false`;
  }
  switch (format) {
    case 'parquet': {
      const select = cols.map((c) => `CAST(${quoteIdent(c.name)} AS ${glueTypeToDuck(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
      return `SELECT ${select} FROM read_parquet(${list(files)}, union_by_name=true)`;
    }
    case 'json': {
      const struct = cols.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(glueTypeToDuck(c.type))}`).join(', ');
      const select = cols.map((c) => quoteIdent(c.name)).join(', ');
      return `SELECT ${select} FROM read_json(${list(files)}, format='newline_delimited', columns={${struct}}, ignore_errors=true)`;
    }
    case 'opencsv':
    case 'lazysimple': {
      const skip = Number(table.parameters['skip.header.line.count'] ?? '0');
      const p = table.serdeParameters;
      const options =
        format === 'opencsv'
          ? `delim=${quoteLiteral(delimiter(p.separatorChar, ','))}, quote=${quoteLiteral(delimiter(p.quoteChar, '"'))}, escape=${quoteLiteral(delimiter(p.escapeChar, '\\'))}`
          : `delim=${quoteLiteral(delimiter(p['field.delim'] ?? p['serialization.format'], '\u0001'))}, quote='', escape='', nullstr=${quoteLiteral(p['serialization.null.format'] ?? '\\N')}`;
      const raw = cols.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
      const select = cols
        .map((c, i) => {
          const duck = glueTypeToDuck(c.type);
          return duck === 'VARCHAR' ? `"c${i}" AS ${quoteIdent(c.name)}` : `TRY_CAST("c${i}" AS ${duck}) AS ${quoteIdent(c.name)}`;
        })
        .join(', ');
      const skipOpt = Number.isInteger(skip) && skip > 0 ? `, skip=${skip}` : '';
      return `SELECT ${select} FROM read_csv(${list(files)}, header=false${skipOpt}, ${options}, columns={${raw}}, auto_detect=false, null_padding=true, strict_mode=false)`;
    }
  }
}

/** The whole table as one relation: data columns, then partition keys. */
export function relationSql(table: CatalogTable, filesOf: ReadonlyMap<string, readonly DataFile[]>): string {
  const format = tableFormat(table);
  if (table.partitionKeys.length === 0) return readerSql(table, format, filesOf.get(table.location) ?? []);
  const keys = table.partitionKeys;
  const branches = table.partitions
    .map((p) => {
      const files = filesOf.get(p.location) ?? [];
      if (files.length === 0) return undefined;
      const constants = keys.map((k, i) => `CAST(${quoteLiteral(p.values[i] ?? '')} AS ${glueTypeToDuck(k.type)}) AS ${quoteIdent(k.name)}`).join(', ');
      return `SELECT *, ${constants} FROM (${readerSql(table, format, files)})`;
    })
    .filter((b): b is string => b !== undefined);
  if (branches.length === 0) {
    const all = [...table.columns, ...keys].map((c) => `CAST(NULL AS ${glueTypeToDuck(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
    return `SELECT ${all} WHERE false`;
  }
  return branches.join(' UNION ALL ');
}

/** Locations whose files the relation reads: the table's, or each registered partition's. */
export function dataLocations(table: CatalogTable): string[] {
  return table.partitionKeys.length === 0 ? [table.location] : table.partitions.map((p) => p.location);
}
