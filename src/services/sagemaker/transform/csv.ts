/**
 * One CSV row as SageMaker's data processing sees it: "each row is taken as a JSON array" of its columns, and the
 * data "should follow RFC 4180" (https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html).
 * Rows never contain a newline here: records are split on newlines first, and the same page says CSV input "cannot
 * use embedded newline characters".
 */
import { TransformDataError } from './errors.js';

/**
 * Splits one row into its columns: commas separate fields, a field that starts with `"` is quoted and `""` inside it
 * is one `"`. Lenient where RFC 4180 is silent about recovery (a `"` inside an unquoted field, text after a closing
 * quote are kept as they are); an unterminated quoted field is an error.
 *
 * @example parseCsvRow('1,"a, ""b""",c') // ['1', 'a, "b"', 'c']
 */
export function parseCsvRow(row: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (row[i] === '"') {
      i++;
      for (;;) {
        const q = row.indexOf('"', i);
        if (q < 0) throw new TransformDataError('MalformedRecord', `malformed CSV row: unterminated quoted field in \`${abbreviate(row)}\``);
        field += row.slice(i, q);
        if (row[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
    }
    const comma = row.indexOf(',', i);
    const end = comma < 0 ? row.length : comma;
    field += row.slice(i, end);
    fields.push(field);
    if (comma < 0) return fields;
    i = comma + 1;
  }
}

/** Joins columns into one row, quoting only the fields that need it (a comma, a quote, CR or LF). */
export function formatCsvRow(fields: readonly unknown[]): string {
  return fields.map(formatCsvField).join(',');
}

function formatCsvField(value: unknown): string {
  const s = typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function abbreviate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
