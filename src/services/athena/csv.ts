/**
 * Athena's result CSV (reference §4.3): every non-NULL value double-quoted (header too), `"` doubled, NULL an
 * empty unquoted field, `\n` after every line. The parser reads it back for GetQueryResults, keeping NULL
 * (empty) apart from the empty string (`""`).
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const field = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
  const lines = [header.map(field).join(','), ...rows.map((r) => r.map(field).join(','))];
  return lines.join('\n') + '\n';
}

export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let value: string | null;
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field in result CSV');
        v += text.slice(i, q);
        if (text[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      value = v;
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
      value = end === i ? null : text.slice(i, end);
      i = end;
    }
    row.push(value);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}
