/**
 * Logs Insights query language: a lexer and a recursive-descent parser from the query string to a pipeline
 * of commands. Supported: `fields`, `display`, `filter`, `stats … by …`, `sort`, `limit`, `parse` (glob and
 * regex), `dedup`; expressions with arithmetic, comparisons, `like`/`=~` (regex or substring), `in [..]`,
 * `and`/`or`/`not`, function calls and duration literals (`5m`). Errors are MalformedQueryException.
 */
import { AwsError } from '../../../core/errors.js';

export type Expr =
  | { k: 'field'; name: string }
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'regex'; re: RegExp }
  | { k: 'call'; fn: string; args: Expr[]; star?: boolean }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; negated: boolean }
  | { k: 'like'; e: Expr; pattern: Expr; negated: boolean };

export interface Named {
  readonly expr: Expr;
  readonly name: string;
}

export type Command =
  | { c: 'fields'; items: Named[] }
  | { c: 'display'; names: string[] }
  | { c: 'filter'; expr: Expr }
  | { c: 'stats'; aggs: Named[]; by: Named[] }
  | { c: 'sort'; keys: Array<{ expr: Expr; desc: boolean }> }
  | { c: 'limit'; n: number }
  | { c: 'parse'; source: Expr; re: RegExp; names: string[] }
  | { c: 'dedup'; fields: Expr[] };

interface Token {
  t: 'id' | 'num' | 'dur' | 'str' | 'regex' | 'op' | 'pipe' | 'eof';
  v: string;
  at: number;
  flags?: string;
}

export function malformed(message: string, at = 0): AwsError {
  return new AwsError('MalformedQueryException', message, { fields: { queryCompileError: { location: { startCharOffset: at, endCharOffset: at }, message } } });
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Words after which `/` opens a regular expression rather than dividing. */
const KEYWORDS = new Set(['like', 'and', 'or', 'not', 'in', 'filter', 'as', 'by', 'parse', 'fields', 'display', 'stats', 'sort']);

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let prevValue = false;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    const at = i;
    if (ch === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (ch === '|' && src[i + 1] !== '|') { out.push({ t: 'pipe', v: '|', at }); i++; prevValue = false; continue; }
    if (ch === '"' || ch === "'") {
      let v = '';
      i++;
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\' && i + 1 < src.length) { i++; v += src[i] === 'n' ? '\n' : src[i] === 't' ? '\t' : src[i]; i++; continue; }
        v += src[i++];
      }
      if (i >= src.length) throw malformed('unterminated string', at);
      i++;
      out.push({ t: 'str', v, at });
      prevValue = true;
      continue;
    }
    if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw malformed('unterminated quoted field', at);
      out.push({ t: 'id', v: src.slice(i + 1, end), at });
      i = end + 1;
      prevValue = true;
      continue;
    }
    const prev = out[out.length - 1], prev2 = out[out.length - 2];
    const afterParse = (prev?.t === 'id' && prev.v.toLowerCase() === 'parse') || (prev2?.t === 'id' && prev2.v.toLowerCase() === 'parse' && prev?.t === 'id');
    if (ch === '/' && (!prevValue || afterParse)) {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '/') {
        if (src[i] === '\\' && i + 1 < src.length) { v += src[i]! + src[i + 1]!; i += 2; continue; }
        v += src[i++];
      }
      if (i >= src.length) throw malformed('unterminated regular expression', at);
      i++;
      let flags = '';
      while (i < src.length && /[a-z]/.test(src[i]!)) flags += src[i++];
      out.push({ t: 'regex', v, at, flags });
      prevValue = true;
      continue;
    }
    const num = /^(\d+(?:\.\d+)?)(ms|min|hr|s|m|h|d|w)?(?![\w])/.exec(src.slice(i));
    if (num) {
      if (num[2]) out.push({ t: 'dur', v: String(Number(num[1]) * DURATION_MS[num[2]]!), at });
      else out.push({ t: 'num', v: num[1]!, at });
      i += num[0].length;
      prevValue = true;
      continue;
    }
    const id = /^@?[A-Za-z_][\w.@-]*/.exec(src.slice(i));
    if (id) {
      let v = id[0];
      // A trailing `-` belongs to arithmetic, not the name.
      while (v.endsWith('-') || v.endsWith('.')) v = v.slice(0, -1);
      out.push({ t: 'id', v, at });
      i += v.length;
      prevValue = !KEYWORDS.has(v.toLowerCase());
      continue;
    }
    const op = /^(=~|!=|<=|>=|==|&&|\|\||[=<>+\-*/%(),[\]!])/.exec(src.slice(i));
    if (!op) throw malformed(`unexpected character '${ch}'`, at);
    out.push({ t: 'op', v: op[0], at });
    i += op[0].length;
    prevValue = op[0] === ')' || op[0] === ']';
  }
  out.push({ t: 'eof', v: '', at: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly src: string) {}
  peek(): Token { return this.tokens[this.i]!; }
  next(): Token { return this.tokens[this.i++]!; }
  word(w: string): boolean {
    const t = this.peek();
    if (t.t === 'id' && t.v.toLowerCase() === w) { this.i++; return true; }
    return false;
  }
  op(o: string): boolean {
    const t = this.peek();
    if (t.t === 'op' && t.v === o) { this.i++; return true; }
    return false;
  }
  expectOp(o: string): void {
    if (!this.op(o)) throw malformed(`expected '${o}'`, this.peek().at);
  }
  atEnd(): boolean { const t = this.peek().t; return t === 'pipe' || t === 'eof'; }

  pipeline(): Command[] {
    const out: Command[] = [];
    for (;;) {
      if (this.peek().t === 'eof') break;
      out.push(this.command());
      if (this.peek().t === 'pipe') { this.next(); continue; }
      if (this.peek().t !== 'eof') throw malformed(`unexpected '${this.peek().v}'`, this.peek().at);
    }
    if (out.length === 0) throw malformed('the query is empty');
    return out;
  }

  command(): Command {
    const t = this.next();
    const name = t.t === 'id' ? t.v.toLowerCase() : '';
    switch (name) {
      case 'fields': return { c: 'fields', items: this.namedList() };
      case 'display': return { c: 'display', names: this.namedList().map((n) => n.name) };
      case 'filter': return { c: 'filter', expr: this.expr() };
      case 'stats': {
        const aggs = this.namedList(true);
        const by = this.word('by') ? this.namedList() : [];
        return { c: 'stats', aggs, by };
      }
      case 'sort': {
        const keys: Array<{ expr: Expr; desc: boolean }> = [];
        do {
          const expr = this.expr();
          const desc = this.word('desc') ? true : (this.word('asc'), false);
          keys.push({ expr, desc });
        } while (this.op(','));
        return { c: 'sort', keys };
      }
      case 'limit': {
        const n = this.next();
        if (n.t !== 'num' || !Number.isInteger(Number(n.v)) || Number(n.v) < 1) throw malformed('limit takes a positive integer', n.at);
        return { c: 'limit', n: Number(n.v) };
      }
      case 'parse': return this.parseCommand();
      case 'dedup': {
        const fields: Expr[] = [];
        do fields.push(this.expr()); while (this.op(','));
        return { c: 'dedup', fields };
      }
      default: throw malformed(`unexpected command '${t.v}'`, t.at);
    }
  }

  parseCommand(): Command {
    let source: Expr = { k: 'field', name: '@message' };
    if (this.peek().t === 'id') source = { k: 'field', name: this.next().v };
    const p = this.next();
    if (p.t === 'regex') {
      const re = compileRegex(p.v, p.flags ?? '', p.at);
      const names = Object.keys(new RegExp(`${re.source}|`).exec('')?.groups ?? {});
      if (names.length === 0) throw malformed('a parse regular expression needs named groups (?<name>…)', p.at);
      return { c: 'parse', source, re, names };
    }
    if (p.t !== 'str') throw malformed('parse takes a glob string or a regular expression', p.at);
    const parts = p.v.split('*');
    const stars = parts.length - 1;
    if (stars === 0) throw malformed('a parse pattern needs at least one *', p.at);
    if (!this.word('as')) throw malformed("expected 'as'", this.peek().at);
    const names: string[] = [];
    do {
      const t = this.next();
      if (t.t !== 'id') throw malformed('expected a field name', t.at);
      names.push(t.v);
    } while (this.op(','));
    if (names.length !== stars) throw malformed(`the pattern has ${stars} wildcards but ${names.length} names`, p.at);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const body = parts.map(esc).map((s, i) => (i === 0 ? s : `(${i === stars ? '.*' : '.*?'})${s}`)).join('');
    return { c: 'parse', source, re: new RegExp(body, 's'), names };
  }

  namedList(aggregates = false): Named[] {
    const out: Named[] = [];
    do {
      const start = this.peek().at;
      const expr = this.expr();
      if (aggregates && expr.k !== 'call') throw malformed('stats takes aggregate functions', start);
      const text = this.src.slice(start, this.peek().at).trim();
      const name = this.word('as') ? this.next().v : text || describe(expr);
      out.push({ expr, name });
    } while (this.op(','));
    return out;
  }

  expr(): Expr { return this.or(); }
  or(): Expr {
    let l = this.and();
    while (this.word('or') || this.op('||')) l = { k: 'bin', op: 'or', l, r: this.and() };
    return l;
  }
  and(): Expr {
    let l = this.not();
    while (this.word('and') || this.op('&&')) l = { k: 'bin', op: 'and', l, r: this.not() };
    return l;
  }
  not(): Expr {
    if (this.word('not') || this.op('!')) return { k: 'not', e: this.not() };
    return this.comparison();
  }
  comparison(): Expr {
    const l = this.additive();
    const t = this.peek();
    if (t.t === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.next();
      return { k: 'bin', op: t.v === '==' ? '=' : t.v, l, r: this.additive() };
    }
    if (this.op('=~')) return { k: 'like', e: l, pattern: this.additive(), negated: false };
    const negated = this.word('not');
    if (this.word('like')) return { k: 'like', e: l, pattern: this.additive(), negated };
    if (this.word('in')) {
      this.expectOp('[');
      const list: Expr[] = [];
      if (!this.op(']')) {
        do list.push(this.additive()); while (this.op(','));
        this.expectOp(']');
      }
      return { k: 'in', e: l, list, negated };
    }
    if (negated) throw malformed("expected 'like' or 'in' after 'not'", this.peek().at);
    return l;
  }
  additive(): Expr {
    let l = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '+' || t.v === '-')) { this.next(); l = { k: 'bin', op: t.v, l, r: this.multiplicative() }; } else return l;
    }
  }
  multiplicative(): Expr {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && (t.v === '*' || t.v === '/' || t.v === '%')) { this.next(); l = { k: 'bin', op: t.v, l, r: this.unary() }; } else return l;
    }
  }
  unary(): Expr {
    if (this.op('-')) return { k: 'neg', e: this.unary() };
    return this.primary();
  }
  primary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'num': case 'dur': return { k: 'lit', v: Number(t.v) };
      case 'str': return { k: 'lit', v: t.v };
      case 'regex': return { k: 'regex', re: compileRegex(t.v, t.flags ?? '', t.at) };
      case 'id': {
        if (this.op('(')) {
          const fn = t.v.toLowerCase();
          if (this.op('*')) { this.expectOp(')'); return { k: 'call', fn, args: [], star: true }; }
          const args: Expr[] = [];
          if (!this.op(')')) {
            do args.push(this.expr()); while (this.op(','));
            this.expectOp(')');
          }
          return { k: 'call', fn, args };
        }
        const low = t.v.toLowerCase();
        if (low === 'true' || low === 'false') return { k: 'lit', v: low === 'true' };
        if (low === 'null') return { k: 'lit', v: null };
        return { k: 'field', name: t.v };
      }
      case 'op':
        if (t.v === '(') { const e = this.expr(); this.expectOp(')'); return e; }
        throw malformed(`unexpected '${t.v}'`, t.at);
      default:
        throw malformed(t.t === 'eof' ? 'unexpected end of query' : `unexpected '${t.v}'`, t.at);
    }
  }
}

function compileRegex(source: string, flags: string, at: number): RegExp {
  try {
    return new RegExp(source, flags.replace(/[^imsu]/g, ''));
  } catch {
    throw malformed(`invalid regular expression /${source}/`, at);
  }
}

/** The column name AWS gives an unnamed expression: its text (`count(*)`, `avg(latency)`, `bin(5m)`). */
export function describe(e: Expr): string {
  switch (e.k) {
    case 'field': return e.name;
    case 'lit': return typeof e.v === 'string' ? `"${e.v}"` : String(e.v);
    case 'regex': return `/${e.re.source}/`;
    case 'call': return `${e.fn}(${e.star ? '*' : e.args.map(describe).join(',')})`;
    case 'bin': return `${describe(e.l)}${e.op}${describe(e.r)}`;
    case 'not': return `not ${describe(e.e)}`;
    case 'neg': return `-${describe(e.e)}`;
    case 'in': return `${describe(e.e)} in [...]`;
    case 'like': return `${describe(e.e)} like ${describe(e.pattern)}`;
  }
}

export function parseQuery(query: string): Command[] {
  return new Parser(lex(query), query).pipeline();
}
