/**
 * Validation of a data cells filter's row filter expression: Lake Formation's PartiQL subset — column references
 * (struct fields as `a.b`), string / number / boolean literals, `= > < >= <= <> !=`, BETWEEN, IN, LIKE, NOT,
 * IS [NOT] NULL, AND, OR and parentheses; no functions, no column-to-column comparison, shorter than 2048
 * characters. The query engine applies the expression as written (a subset of both PartiQL and DuckDB SQL).
 */
import { AwsError } from '../../core/errors.js';

const invalid = (why: string) => new AwsError('InvalidInputException', `Invalid row filter expression: ${why}`);

type Tok = { k: 'id' | 'str' | 'num' | 'op' | '(' | ')' | ','; t: string };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) { i += ws[0].length; continue; }
    if (s[i] === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= s.length) throw invalid('unterminated string literal');
        if (s[j] === "'" && s[j + 1] === "'") { j += 2; continue; }
        if (s[j] === "'") break;
        j++;
      }
      out.push({ k: 'str', t: s.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const m =
      /^(-?\d+(\.\d+)?)/.exec(rest) ?? null;
    if (m) { out.push({ k: 'num', t: m[0] }); i += m[0].length; continue; }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(rest);
    if (op) { out.push({ k: 'op', t: op[0] }); i += op[0].length; continue; }
    if ('(),'.includes(s[i]!)) { out.push({ k: s[i] as '(' | ')' | ',', t: s[i]! }); i++; continue; }
    const id = /^([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*|"[^"]+")/.exec(rest);
    if (id) { out.push({ k: 'id', t: id[0] }); i += id[0].length; continue; }
    throw invalid(`unexpected character '${s[i]}'`);
  }
  return out;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'LIKE', 'IS', 'NULL', 'TRUE', 'FALSE']);

/** Throws InvalidInputException unless `expr` is a valid row filter over `columns` (lower-case names). */
export function validateRowFilter(expr: string, columns: readonly string[]): void {
  if (expr.length >= 2048) throw invalid('the expression must be shorter than 2048 characters');
  const toks = lex(expr);
  let p = 0;
  const known = new Set(columns.map((c) => c.toLowerCase()));
  const peek = () => toks[p];
  const kw = (w: string) => peek()?.k === 'id' && peek()!.t.toUpperCase() === w;
  const take = () => {
    const t = toks[p++];
    if (!t) throw invalid('unexpected end of expression');
    return t;
  };
  const literal = () => {
    const t = take();
    if (t.k === 'str' || t.k === 'num') return;
    if (t.k === 'id' && ['TRUE', 'FALSE', 'NULL'].includes(t.t.toUpperCase())) return;
    if (t.k === 'id' && peek()?.k === '(') throw invalid(`functions are not supported (${t.t})`);
    if (t.k === 'id') throw invalid(`comparing a column with another column is not supported (${t.t})`);
    throw invalid(`expected a literal, found '${t.t}'`);
  };
  const column = () => {
    const t = take();
    if (t.k !== 'id' || KEYWORDS.has(t.t.toUpperCase())) throw invalid(`expected a column, found '${t.t}'`);
    if (peek()?.k === '(') throw invalid(`functions are not supported (${t.t})`);
    const root = t.t.replace(/"/g, '').split('.')[0]!.toLowerCase();
    if (!known.has(root)) throw invalid(`unknown column ${t.t}`);
  };
  const or = (): void => { and(); while (kw('OR')) { take(); and(); } };
  const and = (): void => { not(); while (kw('AND')) { take(); not(); } };
  const not = (): void => { if (kw('NOT')) { take(); not(); return; } atom(); };
  const atom = (): void => {
    if (peek()?.k === '(') { take(); or(); if (take().k !== ')') throw invalid('missing )'); return; }
    if (kw('TRUE') || kw('FALSE')) { take(); return; }
    column();
    if (kw('IS')) { take(); if (kw('NOT')) take(); if (!kw('NULL')) throw invalid('expected NULL after IS'); take(); return; }
    if (kw('NOT')) take();
    if (kw('IN')) {
      take();
      if (take().k !== '(') throw invalid('expected ( after IN');
      literal();
      while (peek()?.k === ',') { take(); literal(); }
      if (take().k !== ')') throw invalid('missing )');
      return;
    }
    if (kw('BETWEEN')) { take(); literal(); if (!kw('AND')) throw invalid('expected AND in BETWEEN'); take(); literal(); return; }
    if (kw('LIKE')) { take(); const t = take(); if (t.k !== 'str') throw invalid('LIKE needs a string pattern'); return; }
    const op = take();
    if (op.k !== 'op') throw invalid(`expected a comparison, found '${op.t}'`);
    literal();
  };
  if (!toks.length) throw invalid('the expression is empty');
  or();
  if (p < toks.length) throw invalid(`unexpected '${toks[p]!.t}'`);
}
