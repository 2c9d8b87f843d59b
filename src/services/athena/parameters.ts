/**
 * ExecutionParameters: each `?` outside quotes and comments is replaced, in order, by the next value as written
 * (Athena treats them as SQL literals or expressions). A count mismatch is Athena's INVALID_INPUT.
 */
import { invalid } from './context.js';

export function bindParameters(sql: string, values: readonly string[]): string {
  let out = '';
  let used = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j < 0 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '?') {
      if (used >= values.length) throw invalid(`Query has ${used + 1} or more parameters but ${values.length} execution parameters were provided`);
      out += `(${values[used++]!})`;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  if (used !== values.length) throw invalid(`Query has ${used} parameters but ${values.length} execution parameters were provided`);
  return out;
}
