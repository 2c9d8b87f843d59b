/**
 * Type names across the three worlds (reference §1.4): Glue/Hive DDL types → DuckDB types for the views, and
 * DuckDB result types → Athena's `ColumnInfo` (base type name, precision, scale).
 */

/** `decimal(10,2)`, `array<struct<a:int>>`, `map<string,bigint>` … → DuckDB type text. Throws on unknown types. */
export function glueTypeToDuck(glueType: string): string {
  let pos = 0;
  const s = glueType.trim();
  const peek = () => s[pos];
  const skipWs = () => {
    while (pos < s.length && /\s/.test(s[pos]!)) pos++;
  };
  const ident = () => {
    skipWs();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(pos));
    if (!m) throw new Error(`unsupported Glue type '${glueType}'`);
    pos += m[0].length;
    return m[0];
  };
  const expect = (ch: string) => {
    skipWs();
    if (s[pos] !== ch) throw new Error(`unsupported Glue type '${glueType}'`);
    pos++;
  };
  const parse = (): string => {
    const name = ident().toLowerCase();
    skipWs();
    switch (name) {
      case 'string':
        return 'VARCHAR';
      case 'varchar':
      case 'char':
        if (peek() === '(') {
          expect('(');
          while (pos < s.length && s[pos] !== ')') pos++;
          expect(')');
        }
        return 'VARCHAR';
      case 'tinyint':
        return 'TINYINT';
      case 'smallint':
        return 'SMALLINT';
      case 'int':
      case 'integer':
        return 'INTEGER';
      case 'bigint':
        return 'BIGINT';
      case 'float':
      case 'real':
        return 'FLOAT';
      case 'double':
        return 'DOUBLE';
      case 'boolean':
        return 'BOOLEAN';
      case 'timestamp':
        return 'TIMESTAMP';
      case 'date':
        return 'DATE';
      case 'binary':
        return 'BLOB';
      case 'decimal': {
        if (peek() !== '(') return 'DECIMAL(10,0)';
        expect('(');
        const m = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(s.slice(pos));
        if (!m) throw new Error(`unsupported Glue type '${glueType}'`);
        pos += m[0].length;
        return `DECIMAL(${m[1]},${m[2] ?? '0'})`;
      }
      case 'array': {
        expect('<');
        const inner = parse();
        expect('>');
        return `${inner}[]`;
      }
      case 'map': {
        expect('<');
        const k = parse();
        expect(',');
        const v = parse();
        expect('>');
        return `MAP(${k}, ${v})`;
      }
      case 'struct': {
        expect('<');
        const fields: string[] = [];
        for (;;) {
          const field = ident();
          expect(':');
          fields.push(`${quoteIdent(field)} ${parse()}`);
          skipWs();
          if (peek() === ',') {
            pos++;
            continue;
          }
          break;
        }
        expect('>');
        return `STRUCT(${fields.join(', ')})`;
      }
      default:
        throw new Error(`unsupported Glue type '${glueType}'`);
    }
  };
  const out = parse();
  skipWs();
  if (pos !== s.length) throw new Error(`unsupported Glue type '${glueType}'`);
  return out;
}

/** A DuckDB identifier, always quoted (names come from the catalog and the user). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export interface AthenaColumnType {
  readonly type: string;
  readonly precision: number;
  readonly scale: number;
}

/** DuckDB result type text (`DECIMAL(10,2)`, `HUGEINT`, `VARCHAR[]` …) → Athena ColumnInfo type (§4.4). */
export function duckTypeToAthena(duckType: string): AthenaColumnType {
  const t = duckType.trim().toUpperCase();
  if (t.endsWith('[]') || /^[A-Z]+\[\d+\]$/.test(t)) return { type: 'array', precision: 0, scale: 0 };
  if (t.startsWith('MAP(')) return { type: 'map', precision: 0, scale: 0 };
  if (t.startsWith('STRUCT(')) return { type: 'row', precision: 0, scale: 0 };
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return { type: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) };
  switch (t) {
    case 'VARCHAR':
      return { type: 'varchar', precision: 2147483647, scale: 0 };
    case 'TINYINT':
      return { type: 'tinyint', precision: 3, scale: 0 };
    case 'SMALLINT':
      return { type: 'smallint', precision: 5, scale: 0 };
    case 'INTEGER':
      return { type: 'integer', precision: 10, scale: 0 };
    case 'BIGINT':
    case 'HUGEINT':
    case 'UBIGINT':
    case 'UINTEGER':
    case 'USMALLINT':
    case 'UTINYINT':
    case 'UHUGEINT':
      return { type: 'bigint', precision: 19, scale: 0 };
    case 'FLOAT':
      return { type: 'float', precision: 17, scale: 0 };
    case 'DOUBLE':
      return { type: 'double', precision: 17, scale: 0 };
    case 'BOOLEAN':
      return { type: 'boolean', precision: 0, scale: 0 };
    case 'DATE':
      return { type: 'date', precision: 0, scale: 0 };
    case 'TIMESTAMP':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_NS':
      return { type: 'timestamp', precision: 3, scale: 0 };
    case 'TIMESTAMP WITH TIME ZONE':
      return { type: 'timestamp with time zone', precision: 3, scale: 0 };
    case 'TIME':
      return { type: 'time', precision: 3, scale: 0 };
    case 'BLOB':
      return { type: 'varbinary', precision: 1073741824, scale: 0 };
    case 'INTERVAL':
      return { type: 'interval day to second', precision: 0, scale: 0 };
    case '"NULL"':
    case 'NULL':
      return { type: 'unknown', precision: 0, scale: 0 };
    default:
      return { type: 'varchar', precision: 2147483647, scale: 0 };
  }
}
