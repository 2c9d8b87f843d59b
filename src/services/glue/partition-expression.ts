/**
 * GetPartitions' `Expression`: a SQL-like predicate over partition keys (`year = '2024' AND month > 3`,
 * `region IN ('EU','US')`, `day BETWEEN 1 AND 7`, `NOT (...)`, `LIKE`). Glue compares by the key's declared type: integer and decimal keys
 * as numbers, string (and date, timestamp: their text sorts chronologically) keys as text, so on a string key
 * `month > '3'` excludes '10' as it does on AWS. A key given without a type compares as a string.
 */
import { AwsError } from '../../core/errors.js';

type Token = { kind: 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma'; text: string };
export type Predicate = (row: Readonly<Record<string, string>>) => boolean;
/** A partition key: its name, and its Glue type (`string`, `int`, `bigint`, `date`, `decimal(10,2)` …). */
export type PartitionKey = string | { readonly name: string; readonly type?: string };

const NUMERIC = /^(tinyint|smallint|int|integer|bigint|long|float|double|decimal(\(.*\))?)$/i;

const invalid = (why: string) => new AwsError('InvalidInputException', `Unsupported expression: ${why}`);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= text.length) throw invalid('unterminated string');
        if (text[j] === "'" && text[j + 1] === "'") { s += "'"; j += 2; continue; }
        if (text[j] === "'") break;
        s += text[j++];
      }
      out.push({ kind: 'string', text: s });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num) { out.push({ kind: 'number', text: num[0] }); i += num[0].length; continue; }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(text.slice(i));
    if (op) { out.push({ kind: 'op', text: op[0] }); i += op[0].length; continue; }
    if (c === '(') { out.push({ kind: 'lparen', text: c }); i++; continue; }
    if (c === ')') { out.push({ kind: 'rparen', text: c }); i++; continue; }
    if (c === ',') { out.push({ kind: 'comma', text: c }); i++; continue; }
    const id = /^([A-Za-z_][A-Za-z0-9_]*|`[^`]+`)/.exec(text.slice(i));
    if (id) { out.push({ kind: 'ident', text: id[0].replace(/`/g, '') }); i += id[0].length; continue; }
    throw invalid(`unexpected character '${c}'`);
  }
  return out;
}

function compare(a: string, b: string, numeric: boolean): number {
  const na = Number(a);
  const nb = Number(b);
  if (numeric && a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function parsePartitionExpression(text: string, keys: readonly PartitionKey[]): Predicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const word = (w: string) => peek()?.kind === 'ident' && peek()!.text.toUpperCase() === w;
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw invalid('unexpected end of expression');
    return t;
  };
  const types = new Map(keys.map((k) => (typeof k === 'string' ? [k.toLowerCase(), 'string'] : [k.name.toLowerCase(), k.type ?? 'string'])));
  const value = (): string => {
    const t = next();
    if (t.kind !== 'string' && t.kind !== 'number') throw invalid(`expected a value, found '${t.text}'`);
    return t.text;
  };
  const or = (): Predicate => {
    let left = and();
    while (word('OR')) { next(); const l = left, r = and(); left = (row) => l(row) || r(row); }
    return left;
  };
  const and = (): Predicate => {
    let left = not();
    while (word('AND')) { next(); const l = left, r = not(); left = (row) => l(row) && r(row); }
    return left;
  };
  const not = (): Predicate => {
    if (word('NOT')) { next(); const p = not(); return (row) => !p(row); }
    return atom();
  };
  const atom = (): Predicate => {
    if (peek()?.kind === 'lparen') {
      next();
      const p = or();
      if (next().kind !== 'rparen') throw invalid('missing )');
      return p;
    }
    const col = next();
    if (col.kind !== 'ident') throw invalid(`expected a partition key, found '${col.text}'`);
    const key = col.text.toLowerCase();
    if (!types.has(key)) throw invalid(`${col.text} is not a partition key`);
    const numeric = NUMERIC.test(types.get(key)!.trim());
    const get = (row: Readonly<Record<string, string>>) => row[key] ?? '';
    const cmp = (row: Readonly<Record<string, string>>, v: string) => compare(get(row), v, numeric);
    let negate = false;
    if (word('NOT')) { next(); negate = true; }
    const wrap = (p: Predicate): Predicate => (negate ? (row) => !p(row) : p);
    if (word('IN')) {
      next();
      if (next().kind !== 'lparen') throw invalid('expected ( after IN');
      const vs = [value()];
      while (peek()?.kind === 'comma') { next(); vs.push(value()); }
      if (next().kind !== 'rparen') throw invalid('missing )');
      return wrap((row) => vs.some((v) => cmp(row, v) === 0));
    }
    if (word('BETWEEN')) {
      next();
      const lo = value();
      if (!word('AND')) throw invalid('expected AND in BETWEEN');
      next();
      const hi = value();
      return wrap((row) => cmp(row, lo) >= 0 && cmp(row, hi) <= 0);
    }
    if (word('LIKE')) {
      next();
      const re = likeRegex(value());
      return wrap((row) => re.test(get(row)));
    }
    if (negate) throw invalid('NOT must precede IN, BETWEEN or LIKE');
    const op = next();
    if (op.kind !== 'op') throw invalid(`expected an operator, found '${op.text}'`);
    const v = value();
    const tests: Record<string, (c: number) => boolean> = { '=': (c) => c === 0, '<>': (c) => c !== 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '>': (c) => c > 0, '<=': (c) => c <= 0, '>=': (c) => c >= 0 };
    const test = tests[op.text]!;
    return (row) => test(cmp(row, v));
  };
  const p = or();
  if (pos < tokens.length) throw invalid(`unexpected '${tokens[pos]!.text}'`);
  return p;
}
