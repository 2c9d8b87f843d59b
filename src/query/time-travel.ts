/**
 * Trino's time travel (`t FOR TIMESTAMP AS OF <expr>`, `t FOR VERSION AS OF <snapshot id>`, and the older
 * `FOR SYSTEM_TIME` / `FOR SYSTEM_VERSION` spellings) is not DuckDB syntax (reference §2.2, §2.3). Before parsing,
 * each clause is cut out of the text and replaced by blanks of the same length, so every offset — and so every
 * `line L:C` of an error — stays that of the user's text; the engine then reads the chosen snapshot.
 */

/** A resolved clause: the snapshot id, or the instant in epoch milliseconds. */
export type AsOf = { readonly kind: 'VERSION'; readonly snapshotId: string } | { readonly kind: 'TIMESTAMP'; readonly epochMs: number };

export interface TimeTravelClause {
  readonly kind: 'TIMESTAMP' | 'VERSION';
  /** The expression after `AS OF`, as written. */
  readonly expression: string;
  /** Offset of `FOR` and of the expression in the original text. */
  readonly offset: number;
  readonly expressionOffset: number;
}

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly kind: 'word' | 'string' | 'quoted' | 'number' | 'punct';
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out.push({ text: sql.slice(i, j + 1), start: i, end: Math.min(j + 1, sql.length), kind: ch === "'" ? 'string' : 'quoted' });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ text: sql.slice(i, j), start: i, end: j, kind: 'word' });
      i = j;
    } else if (/[0-9.]/.test(ch) && /[0-9]/.test(ch === '.' ? (sql[i + 1] ?? '') : ch)) {
      let j = i + 1;
      while (j < sql.length && /[0-9.eE]/.test(sql[j]!)) j++;
      out.push({ text: sql.slice(i, j), start: i, end: j, kind: 'number' });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      const len = ['||', '<=', '>=', '<>', '!=', '::'].includes(two) ? 2 : 1;
      out.push({ text: sql.slice(i, i + len), start: i, end: i + len, kind: 'punct' });
      i += len;
    }
  }
  return out;
}

/** Keywords that end a table reference's time-travel expression. */
const STOP = new Set(['where', 'group', 'order', 'limit', 'offset', 'fetch', 'having', 'window', 'union', 'intersect', 'except', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'as', 'tablesample', 'qualify', 'for', 'and', 'or']);
const LITERAL_PREFIX = new Set(['timestamp', 'date', 'time', 'interval']);
const UNITS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'years', 'months', 'days', 'hours', 'minutes', 'seconds']);
const OPERATORS = new Set(['+', '-', '*', '/', '||']);

/** The token index just past the expression that starts at `from`. */
function expressionEnd(tokens: readonly Token[], from: number): number {
  let i = from;
  let expectOperand = true;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const lower = t.text.toLowerCase();
    if (t.kind === 'punct') {
      if (t.text === '(') {
        // A parenthesized operand or a call's arguments.
        let depth = 0;
        for (; i < tokens.length; i++) {
          if (tokens[i]!.text === '(') depth++;
          else if (tokens[i]!.text === ')' && --depth === 0) break;
        }
        i++;
        expectOperand = false;
        continue;
      }
      if (OPERATORS.has(t.text) || t.text === '::') {
        i++;
        expectOperand = true;
        continue;
      }
      return i;
    }
    if (!expectOperand) {
      if (t.kind === 'word' && lower === 'at' && tokens[i + 1]?.text.toLowerCase() === 'time' && tokens[i + 2]?.text.toLowerCase() === 'zone') {
        i += 3;
        expectOperand = true;
        continue;
      }
      return i;
    }
    if (t.kind === 'word' && STOP.has(lower)) return i;
    if (t.kind === 'word' && LITERAL_PREFIX.has(lower) && tokens[i + 1]?.kind === 'string') {
      i += 2;
      if (lower === 'interval' && tokens[i]?.kind === 'word' && UNITS.has(tokens[i]!.text.toLowerCase())) {
        i++;
        if (tokens[i]?.text.toLowerCase() === 'to' && UNITS.has(tokens[i + 1]?.text.toLowerCase() ?? '')) i += 2;
      }
      expectOperand = false;
      continue;
    }
    i++;
    expectOperand = false;
  }
  return i;
}

/** The text with every time-travel clause blanked out, and the clauses. */
export function stripTimeTravel(sql: string): { sql: string; clauses: TimeTravelClause[] } {
  if (!/\bfor\b/i.test(sql)) return { sql, clauses: [] };
  const tokens = tokenize(sql);
  const clauses: TimeTravelClause[] = [];
  let text = sql;
  for (let i = 0; i + 4 < tokens.length; i++) {
    const w = tokens.slice(i, i + 4).map((t) => (t.kind === 'word' ? t.text.toLowerCase() : ''));
    if (w[0] !== 'for' || w[2] !== 'as' || w[3] !== 'of') continue;
    const kind = w[1] === 'timestamp' || w[1] === 'system_time' ? 'TIMESTAMP' : w[1] === 'version' || w[1] === 'system_version' ? 'VERSION' : undefined;
    if (!kind) continue;
    const end = expressionEnd(tokens, i + 4);
    const first = tokens[i + 4];
    const start = tokens[i]!.start;
    const stop = end > i + 4 ? tokens[end - 1]!.end : tokens[i + 3]!.end;
    clauses.push({ kind, expression: first && end > i + 4 ? sql.slice(first.start, stop) : '', offset: start, expressionOffset: first?.start ?? stop });
    text = text.slice(0, start) + text.slice(start, stop).replace(/[^\n]/g, ' ') + text.slice(stop);
    i = end - 1;
  }
  return { sql: text, clauses };
}
