/**
 * Parquet for the Data Wrangler runtime (python/data_wrangler.py), whose pandas may have no Parquet engine
 * (Debian's python3-pandas comes without pyarrow): DuckDB converts between Parquet and CSV with a schema.
 *
 *   parquet-tool to-csv <in.parquet> <out.csv>                 prints the columns as JSON [{"name", "type"}]
 *   parquet-tool from-csv <in.csv> <columns.json> <out.parquet>
 *
 * CSV here has a header, `"` quoting and `\N` for NULL. Built to dist/runtime/builtin-parquet-tool.cjs by
 * scripts/bundle.mjs (DuckDB stays external); run from sources with `node --import tsx`.
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  try {
    if (command === 'to-csv' && args.length === 2) {
      const [input, output] = args as [string, string];
      const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(input)})`);
      const columns = described.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      await c.run(`COPY (SELECT * FROM read_parquet(${lit(input)})) TO ${lit(output)} (FORMAT CSV, HEADER true, NULLSTR '\\N')`);
      process.stdout.write(JSON.stringify(columns));
      return;
    }
    if (command === 'from-csv' && args.length === 3) {
      const [input, schema, output] = args as [string, string, string];
      const columns = JSON.parse(readFileSync(schema, 'utf8')) as Array<{ name: string; type: string }>;
      const spec = columns.map((col, i) => `${lit(`c${i}`)}: ${lit(col.type)}`).join(', ');
      const select = columns.map((col, i) => `c${i} AS ${ident(col.name)}`).join(', ');
      await c.run(
        `COPY (SELECT ${select} FROM read_csv(${lit(input)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = '\\N', columns = {${spec}})) TO ${lit(output)} (FORMAT PARQUET, COMPRESSION snappy)`,
      );
      return;
    }
    throw new Error('usage: parquet-tool to-csv <in.parquet> <out.csv> | from-csv <in.csv> <columns.json> <out.parquet>');
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
