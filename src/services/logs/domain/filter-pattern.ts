/**
 * CloudWatch Logs filter patterns compiled to a matcher over one message:
 * - terms (all must occur, case-sensitive), `"quoted phrases"`, `-term` exclusions, `?a ?b` alternatives;
 * - JSON patterns `{ $.level = "ERROR" }`, `{ $.latency > 100 }`, `&&` / `||` / parentheses, `*` wildcards in
 *   string values, `EXISTS` / `NOT EXISTS` / `IS NULL` / `IS TRUE` / `IS FALSE`;
 * - space-delimited patterns `[ip, user, ..., status = 5*, bytes > 1000]`.
 * `required` lists substrings every matching message contains, so a store can skip whole blocks of events
 * that lack one before splitting them into messages. A JSON pattern also exposes its test over a parsed message and,
 * when it reads only top-level keys, those keys (a store that keeps them as columns evaluates it without parsing).
 */
import { parseJsonMessage } from './block.js';
import { invalidParameter } from './names.js';

export interface CompiledPattern {
  readonly match: (message: string) => boolean;
  readonly required: readonly string[];
  readonly json?: JsonPattern;
}

export interface JsonPattern {
  /** The test over a message parsed as JSON. */
  readonly test: (doc: unknown) => boolean;
  /** Set when every selector is `$.<key>`: the keys read (the test then reads nothing else of the document). */
  readonly topLevelKeys?: readonly string[];
}

const invalid = (): Error => invalidParameter('Invalid filter pattern');

export function compileFilterPattern(pattern: string | undefined): CompiledPattern {
  const p = (pattern ?? '').trim();
  if (p === '') return { match: () => true, required: [] };
  if (p.startsWith('{')) {
    const json = compileJson(p);
    return { match: (m) => {
      const parsed = parseJsonMessage(m);
      return parsed !== undefined && json.test(parsed.doc);
    }, required: [], json };
  }
  if (p.startsWith('[')) return { match: compileSpaceDelimited(p), required: [] };
  return compileTerms(p);
}

// ---------- terms ----------

function termTokens(p: string): Array<{ text: string; mod: '' | '?' | '-' }> {
  const out: Array<{ text: string; mod: '' | '?' | '-' }> = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === ' ' || p[i] === '\t') {
      i++;
      continue;
    }
    let mod: '' | '?' | '-' = '';
    if (p[i] === '?' || p[i] === '-') mod = p[i++] as '?' | '-';
    let text = '';
    if (p[i] === '"') {
      i++;
      while (i < p.length && p[i] !== '"') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        text += p[i++];
      }
      if (p[i] !== '"') throw invalid();
      i++;
    } else {
      while (i < p.length && p[i] !== ' ' && p[i] !== '\t') text += p[i++];
    }
    if (text === '') throw invalid();
    out.push({ text, mod });
  }
  return out;
}

function compileTerms(p: string): CompiledPattern {
  const tokens = termTokens(p);
  const all = tokens.filter((t) => t.mod === '').map((t) => t.text);
  const none = tokens.filter((t) => t.mod === '-').map((t) => t.text);
  const any = tokens.filter((t) => t.mod === '?').map((t) => t.text);
  const match = (m: string): boolean => {
    for (const t of all) if (!m.includes(t)) return false;
    for (const t of none) if (m.includes(t)) return false;
    if (any.length) {
      for (const t of any) if (m.includes(t)) return true;
      return false;
    }
    return true;
  };
  return { match, required: all };
}

// ---------- values shared by JSON and space-delimited patterns ----------

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

function compareValue(actual: unknown, op: Op, literal: string, quoted: boolean): boolean {
  if (!quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(literal)) {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return op === '!=';
    const v = Number(literal);
    switch (op) {
      case '=': return n === v;
      case '!=': return n !== v;
      case '<': return n < v;
      case '<=': return n <= v;
      case '>': return n > v;
      case '>=': return n >= v;
    }
  }
  if (op !== '=' && op !== '!=') throw invalid();
  if (actual === undefined || actual === null || typeof actual === 'object') return op === '!=';
  const s = String(actual);
  const equal = literal.includes('*') ? wildcard(literal).test(s) : s === literal;
  return op === '=' ? equal : !equal;
}

function wildcard(literal: string): RegExp {
  return new RegExp(`^${literal.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

// ---------- JSON patterns ----------

interface Lexer {
  peek(): string | undefined;
  next(): string;
}

function jsonLexer(src: string): Lexer {
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||!=|<=|>=|[()=<>{}]|"(?:[^"\\]|\\.)*"|[^\s()=<>!&|{}"]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < src.length) {
    re.lastIndex = at;
    m = re.exec(src);
    if (!m) {
      if (src.slice(at).trim() === '') break;
      throw invalid();
    }
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  let i = 0;
  return { peek: () => tokens[i], next: () => { if (i >= tokens.length) throw invalid(); return tokens[i++]!; } };
}

type JsonTest = (doc: unknown) => boolean;

/** The selectors a JSON pattern uses, as path steps. */
type Selectors = Array<ReadonlyArray<string | number>>;

function compileJson(p: string): JsonPattern {
  const lx = jsonLexer(p);
  if (lx.next() !== '{') throw invalid();
  const selectors: Selectors = [];
  const test = orExpr(lx, selectors);
  if (lx.next() !== '}' || lx.peek() !== undefined) throw invalid();
  // A key that objects inherit (`toString`) would read the prototype through the parsed document: no columns then.
  const topLevel = selectors.every((s) => s.length === 1 && typeof s[0] === 'string' && !(s[0] in Object.prototype));
  return { test, ...(topLevel ? { topLevelKeys: [...new Set(selectors.map((s) => s[0] as string))] } : {}) };
}

function orExpr(lx: Lexer, sel: Selectors): JsonTest {
  let left = andExpr(lx, sel);
  while (lx.peek() === '||') {
    lx.next();
    const l = left, r = andExpr(lx, sel);
    left = (d) => l(d) || r(d);
  }
  return left;
}

function andExpr(lx: Lexer, sel: Selectors): JsonTest {
  let left = primary(lx, sel);
  while (lx.peek() === '&&') {
    lx.next();
    const l = left, r = primary(lx, sel);
    left = (d) => l(d) && r(d);
  }
  return left;
}

function primary(lx: Lexer, sel: Selectors): JsonTest {
  if (lx.peek() === '(') {
    lx.next();
    const inner = orExpr(lx, sel);
    if (lx.next() !== ')') throw invalid();
    return inner;
  }
  const selector = lx.next();
  if (!selector.startsWith('$')) throw invalid();
  const { get, steps } = jsonPath(selector);
  sel.push(steps);
  const word = lx.peek()?.toUpperCase();
  if (word === 'EXISTS') {
    lx.next();
    return (d) => get(d) !== undefined;
  }
  if (word === 'NOT') {
    lx.next();
    if (lx.next().toUpperCase() !== 'EXISTS') throw invalid();
    return (d) => get(d) === undefined;
  }
  if (word === 'IS') {
    lx.next();
    const what = lx.next().toUpperCase();
    if (what === 'NULL') return (d) => get(d) === null;
    if (what === 'TRUE') return (d) => get(d) === true;
    if (what === 'FALSE') return (d) => get(d) === false;
    throw invalid();
  }
  const op = lx.next() as Op;
  if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw invalid();
  const raw = lx.next();
  const quoted = raw.startsWith('"');
  const literal = quoted ? (JSON.parse(raw) as string) : raw;
  return (d) => {
    const v = get(d);
    return v !== undefined && compareValue(v, op, literal, quoted);
  };
}

/** `$.a.b[0].c` → a getter; `$.a[*]`-style wildcards are not supported (refused as invalid). */
function jsonPath(selector: string): { get: (doc: unknown) => unknown; steps: ReadonlyArray<string | number> } {
  const steps: Array<string | number> = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/gy;
  re.lastIndex = 1;
  let m: RegExpExecArray | null;
  while (re.lastIndex < selector.length && (m = re.exec(selector))) steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  if (re.lastIndex !== selector.length && selector !== '$') throw invalid();
  const get = (doc: unknown): unknown => {
    let v: unknown = doc;
    for (const s of steps) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[s];
    }
    return v;
  };
  return { get, steps };
}

// ---------- space-delimited patterns ----------

/** A message split as CloudWatch Logs splits it: on spaces, with `"…"` and `[…]` each one field. */
export function splitFields(m: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < m.length) {
    if (m[i] === ' ') { i++; continue; }
    const close = m[i] === '"' ? '"' : m[i] === '[' ? ']' : undefined;
    if (close) {
      const end = m.indexOf(close, i + 1);
      if (end >= 0) { out.push(m.slice(i + 1, end)); i = end + 1; continue; }
    }
    let j = i;
    while (j < m.length && m[j] !== ' ') j++;
    out.push(m.slice(i, j));
    i = j;
  }
  return out;
}

function compileSpaceDelimited(p: string): (m: string) => boolean {
  if (!p.endsWith(']')) throw invalid();
  const body = p.slice(1, -1).trim();
  const specs = body === '' ? [] : body.split(',').map((s) => s.trim());
  const fields = specs.map((spec) => {
    if (spec === '...') return { ellipsis: true as const };
    const m = /^(\w+)(.*)$/s.exec(spec);
    if (!m) throw invalid();
    const cond = m[2]!.trim();
    if (cond === '') return { ellipsis: false as const, test: () => true };
    const alternatives = cond.split('||').map((alt) => alt.split('&&').map((part) => {
      // `status = 4* || status = 5*`: later alternatives repeat the field's name.
      const c = /^\s*(?:(\w+)\s*)?(!=|<=|>=|=|<|>)\s*(.+?)\s*$/s.exec(part);
      if (!c || (c[1] !== undefined && c[1] !== m[1])) throw invalid();
      const raw = c[3]!;
      const quoted = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2;
      const lit = quoted ? raw.slice(1, -1) : raw;
      return (v: string) => compareValue(v, c[2] as Op, lit, quoted);
    }));
    return { ellipsis: false as const, test: (v: string) => alternatives.some((all) => all.every((t) => t(v))) };
  });
  const fixed = fields.filter((f) => !f.ellipsis).length;
  return (m) => {
    const values = splitFields(m);
    const go = (fi: number, vi: number): boolean => {
      if (fi === fields.length) return vi === values.length;
      const f = fields[fi]!;
      if (f.ellipsis) {
        for (let k = vi; k <= values.length; k++) if (go(fi + 1, k)) return true;
        return false;
      }
      return vi < values.length && f.test(values[vi]!) && go(fi + 1, vi + 1);
    };
    return values.length >= fixed && go(0, 0);
  };
}
