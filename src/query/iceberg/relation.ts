/**
 * An Iceberg scan plan → the DuckDB relation that reads it (reference §1.9). Data files are read by Parquet field
 * id with `read_parquet(files, schema=MAP{id: {name, type, default_value}})`, so renamed columns take their
 * current name and columns added after a file was written read as NULL — Iceberg's schema-evolution rule.
 * Position deletes are an anti-join on (file, row position) for data files whose sequence number is not newer
 * than the delete's; equality deletes an anti-join on the equality columns for strictly older data files of the
 * delete's partition (every partition when the delete's spec is unpartitioned). The relation's columns are the Glue
 * table's, matched to Iceberg fields by name and cast to the Glue type, so Lake Formation's column names apply.
 */
import type { CatalogTable } from '../../core/data-catalog.js';
import type { ColumnPredicate } from '../gate.js';
import { QueryFailure } from '../errors.js';
import { glueTypeToDuck, quoteIdent, quoteLiteral } from '../types.js';
import type { AvroValue } from './avro.js';
import type { IcebergField, IcebergFile, IcebergScan, IcebergType } from './table.js';

const PRIMITIVE: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  timestamp_ns: 'TIMESTAMP_NS',
  string: 'VARCHAR',
  uuid: 'UUID',
  binary: 'BLOB',
};

/** Iceberg type (JSON form) → DuckDB type text. */
export function icebergTypeToDuck(t: IcebergType): string {
  if (typeof t === 'string') {
    const p = PRIMITIVE[t];
    if (p) return p;
    const dec = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
    if (dec) return `DECIMAL(${dec[1]},${dec[2]})`;
    if (/^fixed\[\d+\]$/.test(t)) return 'BLOB';
    throw new Error(`unsupported Iceberg type '${t}'`);
  }
  switch (t.type) {
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${icebergTypeToDuck(f.type)}`).join(', ')})`;
    case 'list':
      return `${icebergTypeToDuck(t.element)}[]`;
    case 'map':
      return `MAP(${icebergTypeToDuck(t.key)}, ${icebergTypeToDuck(t.value)})`;
  }
  throw new Error(`unsupported Iceberg type ${JSON.stringify(t)}`);
}

const schemaMap = (fields: readonly IcebergField[]) =>
  `MAP{${fields.map((f) => `${f.id}: {name: ${quoteLiteral(f.name)}, type: ${quoteLiteral(icebergTypeToDuck(f.type))}, default_value: NULL}`).join(', ')}}`;

/**
 * For a file without field ids, the SQL each field reads: its column (name mapping first, else the current name);
 * a field missing from the file takes the file's identity partition value (Iceberg's rule for files added from a
 * Hive table, whose partition columns live in the path), else NULL.
 */
function byNameSource(scan: IcebergScan, fields: readonly IcebergField[], file: ParquetLayout, data?: IcebergFile): string[] {
  const present = new Map(file.columns.map((c) => [c.toLowerCase(), c]));
  return fields.map((field) => {
    const column = (scan.nameMapping?.get(field.id) ?? [field.name]).map((n) => present.get(n.toLowerCase())).find((c) => c !== undefined);
    if (column !== undefined) return quoteIdent(column);
    const partitionField = data && scan.identityPartitions.get(data.specId)?.get(field.id);
    return partitionField !== undefined ? partitionLiteral(data!.partitionValues[partitionField], field.type) : 'NULL';
  });
}

/** An identity partition value (Avro-decoded, Iceberg's single-value binary forms) as a SQL literal of the field's type. */
function partitionLiteral(v: AvroValue | undefined, type: IcebergType): string {
  if (v === null || v === undefined) return 'NULL';
  const t = typeof type === 'string' ? type : '';
  if (typeof v === 'string') return quoteLiteral(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (t === 'date') return `(DATE '1970-01-01' + CAST(${v} AS INTEGER))`;
    if (t === 'timestamp' || t === 'timestamptz') return `make_timestamp(CAST(${v} AS BIGINT))`;
    if (typeof v === 'number' && !Number.isFinite(v)) return `CAST('${String(v)}' AS DOUBLE)`;
    return String(v);
  }
  const dec = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (v instanceof Uint8Array && dec) {
    // Big-endian two's-complement unscaled value.
    let n = 0n;
    for (const b of v) n = (n << 8n) | BigInt(b);
    if (v.length > 0 && v[0]! & 0x80) n -= 1n << BigInt(8 * v.length);
    const scale = Number(dec[2]);
    const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
    const text = `${n < 0n ? '-' : ''}${scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
    return `CAST('${text}' AS DECIMAL(${dec[1]},${dec[2]}))`;
  }
  return 'NULL';
}

const partitionKey = (f: IcebergFile) => `${f.specId}:${f.partition}`;

const list = (paths: readonly string[]) => `[${paths.map(quoteLiteral).join(', ')}]`;

/** What a data file's Parquet footer says: whether its columns carry field ids, and its top-level column names. */
export interface ParquetLayout {
  readonly hasFieldIds: boolean;
  readonly columns: readonly string[];
}

/**
 * `local(uri)` is the local file DuckDB opens for an `s3://` URI of the plan (the engine has resolved and allowed
 * every one of them); `layout(uri)` what its footer says (undefined: assume field ids, as Iceberg writers write).
 */
export function icebergRelationSql(table: CatalogTable, scan: IcebergScan, local: (uri: string) => string, layout: (uri: string) => ParquetLayout | undefined = () => undefined): string {
  const name = `${table.databaseName}.${table.name}`;
  const byName = new Map(scan.fields.map((f) => [f.name.toLowerCase(), f]));
  const project = (source: (f: IcebergField) => string) =>
    table.columns
      .map((c) => {
        const f = byName.get(c.name.toLowerCase());
        return `CAST(${f ? source(f) : 'NULL'} AS ${glueTypeToDuck(c.type)}) AS ${quoteIdent(c.name)}`;
      })
      .join(', ');
  if (scan.dataFiles.length === 0) return `SELECT ${project(() => 'NULL') || '1 AS __empty'} WHERE false`;
  if (table.columns.length === 0) throw new Error(`Iceberg table ${name} has no columns in the catalog`);

  const deletes = scan.positionDeletes.length > 0 || scan.equalityDeletes.length > 0;
  const extras = deletes ? ", filename='__iceberg_file', file_row_number=true" : '';
  const branches: string[] = [];
  const withIds = scan.dataFiles.filter((f) => layout(f.uri)?.hasFieldIds !== false);
  if (withIds.length > 0) branches.push(`SELECT * FROM read_parquet(${list(withIds.map((f) => local(f.uri)))}, schema=${schemaMap(scan.fields)}${extras})`);
  // Files without field ids (added from a Hive table) map by the table's name mapping, else by current name.
  const groups = new Map<string, { sources: string[]; paths: string[] }>();
  for (const f of scan.dataFiles.filter((x) => layout(x.uri)?.hasFieldIds === false)) {
    const sources = byNameSource(scan, scan.fields, layout(f.uri)!, f);
    const key = JSON.stringify(sources);
    const g = groups.get(key) ?? { sources, paths: [] };
    g.paths.push(local(f.uri));
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const cols = scan.fields.map((field, i) => `CAST(${g.sources[i]!} AS ${icebergTypeToDuck(field.type)}) AS ${quoteIdent(field.name)}`);
    if (deletes) cols.push('__iceberg_file', 'file_row_number');
    branches.push(`SELECT ${cols.join(', ')} FROM read_parquet(${list(g.paths)}, union_by_name=true${extras})`);
  }
  const reader = `(${branches.join(' UNION ALL BY NAME ')})`;
  if (!deletes) return `SELECT ${project((f) => quoteIdent(f.name))} FROM ${reader} AS __d`;

  const seq = (f: IcebergFile) => `CAST(${f.sequenceNumber.toString()} AS BIGINT)`;
  const files = scan.dataFiles.map((f) => `(${quoteLiteral(local(f.uri))}, ${quoteLiteral(f.uri)}, ${seq(f)}, ${quoteLiteral(partitionKey(f))})`).join(', ');
  let sql = `SELECT ${project((f) => `__d.${quoteIdent(f.name)}`)} FROM ${reader} AS __d JOIN (VALUES ${files}) AS __f(__local, __uri, __seq, __part) ON __d.__iceberg_file = __f.__local`;
  if (scan.positionDeletes.length > 0) {
    const pd = scan.positionDeletes.map((f) => `SELECT file_path, pos, ${seq(f)} AS __seq FROM read_parquet(${list([local(f.uri)])})`).join(' UNION ALL ');
    // A position delete applies to data files whose data sequence number is ≤ its own.
    sql += ` ANTI JOIN (${pd}) AS __pd ON __pd.file_path = __f.__uri AND __pd.pos = __d.file_row_number AND __f.__seq <= __pd.__seq`;
  }
  if (scan.equalityDeletes.length > 0) {
    const groups = new Map<string, IcebergFile[]>();
    for (const f of scan.equalityDeletes) {
      if (f.equalityIds.length === 0) throw new QueryFailure(`ICEBERG_INVALID_METADATA: The equality delete file ${f.uri} of table ${name} has no equality_ids`, 2, 233);
      const key = [...f.equalityIds].sort((a, b) => a - b).join(',');
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const conditions = [...groups.values()].map((group) => {
      const ids = group[0]!.equalityIds;
      const eqFields = ids.map((id) => {
        const field = scan.fields.find((x) => x.id === id);
        if (!field) throw new QueryFailure(`ICEBERG_INVALID_METADATA: The equality delete file ${group[0]!.uri} of table ${name} names field id ${id}, which is not in the table schema`, 2, 233);
        return field;
      });
      // A delete of a partitioned spec applies within its partition (same spec and tuple); an unpartitioned one everywhere.
      const scope = (f: IcebergFile) => (scan.partitionedSpecs.has(f.specId) ? quoteLiteral(partitionKey(f)) : 'CAST(NULL AS VARCHAR)');
      const rows = group
        .map((f) => {
          const source = layout(f.uri)?.hasFieldIds === false ? byNameSource(scan, eqFields, layout(f.uri)!) : undefined;
          const reader = source
            ? `(SELECT ${eqFields.map((field, i) => `CAST(${source[i]!} AS ${icebergTypeToDuck(field.type)}) AS ${quoteIdent(field.name)}`).join(', ')} FROM read_parquet(${list([local(f.uri)])}))`
            : `read_parquet(${list([local(f.uri)])}, schema=${schemaMap(eqFields)})`;
          return `SELECT *, ${seq(f)} AS __seq, ${scope(f)} AS __part FROM ${reader}`;
        })
        .join(' UNION ALL ');
      const match = eqFields.map((f) => `__e.${quoteIdent(f.name)} IS NOT DISTINCT FROM __d.${quoteIdent(f.name)}`).join(' AND ');
      // An equality delete applies to data files with a strictly smaller data sequence number.
      return `NOT EXISTS (SELECT 1 FROM (${rows}) AS __e WHERE __e.__seq > __f.__seq AND (__e.__part IS NULL OR __e.__part = __f.__part) AND ${match})`;
    });
    sql += ` WHERE ${conditions.join(' AND ')}`;
  }
  return sql;
}

const INTEGER_DUCK = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);

/**
 * Partition pruning: drops data files whose identity partition value fails a `column = literal` / `IN` conjunct
 * that every result row must satisfy. Only exact comparisons are used (string fields read as VARCHAR against string
 * literals, int/long fields read as integers against integer literals); anything else keeps the file.
 */
export function pruneByPartition(table: CatalogTable, scan: IcebergScan, conjuncts: readonly ColumnPredicate[]): IcebergScan {
  const rules = conjuncts.flatMap((p) => {
    const glue = table.columns.find((c) => c.name.toLowerCase() === p.column.toLowerCase());
    const field = scan.fields.find((f) => f.name.toLowerCase() === p.column.toLowerCase());
    if (!glue || !field) return [];
    let duck: string;
    try {
      duck = glueTypeToDuck(glue.type);
    } catch {
      return [];
    }
    const strings = field.type === 'string' && duck === 'VARCHAR' && p.values.every((v) => typeof v === 'string');
    const integers = (field.type === 'int' || field.type === 'long') && INTEGER_DUCK.has(duck) && p.values.every((v) => typeof v === 'number');
    return strings || integers ? [{ fieldId: field.id, values: new Set(p.values.map(String)) }] : [];
  });
  if (rules.length === 0) return scan;
  const keep = (f: IcebergFile) =>
    rules.every((r) => {
      const partitionField = scan.identityPartitions.get(f.specId)?.get(r.fieldId);
      if (partitionField === undefined) return true;
      const v = f.partitionValues[partitionField];
      // NULL never equals a literal.
      if (v === null || v === undefined) return false;
      return (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') && r.values.has(String(v));
    });
  return { ...scan, dataFiles: scan.dataFiles.filter(keep) };
}

/** The `s3://` URIs a scan reads (data and delete files), for `allowed_paths` and bytes scanned. */
export function scanFiles(scan: IcebergScan): IcebergFile[] {
  return [...scan.dataFiles, ...scan.positionDeletes, ...scan.equalityDeletes];
}
