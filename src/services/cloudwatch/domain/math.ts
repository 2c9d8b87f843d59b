/**
 * Metric math for GetMetricData: a parser for CloudWatch expressions (numbers, query ids, + - * / ^, unary minus,
 * parentheses, `[a, b]` arrays of series, functions) and an evaluator over series aligned on period timestamps.
 *
 * Functions: SUM, AVG, MIN, MAX (over an array of series: one series, point by point; over one series: a scalar,
 * as CloudWatch), ABS, RATE (change per second between consecutive points), FILL(series, value | REPEAT |
 * LINEAR) over the query's period grid, METRICS('filter') (the request's MetricStat queries whose id contains
 * filter) and SEARCH(expression, stat, period), resolved by the caller.
 */
import { CloudWatchErrors } from '../api.gen.js';

export interface Series {
  readonly label: string;
  /** period start (ms) → value */
  readonly points: ReadonlyMap<number, number>;
  /** Set on series that come from another account (AWS shows it as the datapoint's owner). */
  readonly accountId?: string;
}

export type Value = number | Series | Series[];

export type Node =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'id'; name: string }
  | { kind: 'neg'; arg: Node }
  | { kind: 'array'; items: Node[] }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const invalidExpression = (msg: string) => CloudWatchErrors.InvalidParameterValueException(msg);

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw invalidExpression(`Unterminated string in expression: ${src}`);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if ('+-*/^(),[]'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else {
      throw invalidExpression(`Unexpected character ${c} in expression: ${src}`);
    }
  }
  return out;
}

export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw invalidExpression(`Expected ${v} in expression: ${src}`);
    pos++;
  };
  function expr(): Node {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[pos++] as { v: '+' | '-' }).v;
      left = { kind: 'bin', op, left, right: term() };
    }
    return left;
  }
  function term(): Node {
    let left = power();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[pos++] as { v: '*' | '/' }).v;
      left = { kind: 'bin', op, left, right: power() };
    }
    return left;
  }
  function power(): Node {
    const base = unary();
    if (isOp('^')) {
      pos++;
      return { kind: 'bin', op: '^', left: base, right: power() };
    }
    return base;
  }
  function unary(): Node {
    if (isOp('-')) {
      pos++;
      return { kind: 'neg', arg: unary() };
    }
    return primary();
  }
  function primary(): Node {
    const tok = tokens[pos++];
    if (!tok) throw invalidExpression(`Unexpected end of expression: ${src}`);
    if (tok.t === 'num') return { kind: 'num', value: tok.v };
    if (tok.t === 'str') return { kind: 'str', value: tok.v };
    if (tok.t === 'id') {
      if (!isOp('(')) return { kind: 'id', name: tok.v };
      pos++;
      const args: Node[] = [];
      if (!isOp(')')) {
        args.push(expr());
        while (isOp(',')) {
          pos++;
          args.push(expr());
        }
      }
      expect(')');
      return { kind: 'call', name: tok.v.toUpperCase(), args };
    }
    if (tok.v === '(') {
      const inner = expr();
      expect(')');
      return inner;
    }
    if (tok.v === '[') {
      const items: Node[] = [expr()];
      while (isOp(',')) {
        pos++;
        items.push(expr());
      }
      expect(']');
      return { kind: 'array', items };
    }
    throw invalidExpression(`Unexpected ${tok.v} in expression: ${src}`);
  }
  const node = expr();
  if (pos !== tokens.length) throw invalidExpression(`Unexpected ${String(tokens[pos]!.v)} in expression: ${src}`);
  return node;
}

/** FILL's keyword arguments, which are not query ids. */
const isFillKeyword = (n: Node | undefined): boolean => n?.kind === 'id' && ['REPEAT', 'LINEAR'].includes(n.name.toUpperCase());

/** The ids an expression reads (for dependency order and METRICS()). */
export function referencedIds(n: Node): string[] {
  switch (n.kind) {
    case 'id':
      return [n.name];
    case 'neg':
      return referencedIds(n.arg);
    case 'bin':
      return [...referencedIds(n.left), ...referencedIds(n.right)];
    case 'array':
      return n.items.flatMap(referencedIds);
    case 'call':
      return (n.name === 'FILL' && isFillKeyword(n.args[1]) ? n.args.slice(0, 1) : n.args).flatMap(referencedIds);
    default:
      return [];
  }
}

export interface MathContext {
  /** The value of another query of the request. */
  query(id: string): Value;
  /** Ids of the request's MetricStat queries, in request order (what METRICS() returns). */
  metricIds(): string[];
  /** SEARCH(expression, stat, period). */
  search(expression: string, stat: string, period: number): Series[];
  /** The period grid of the request (for FILL). */
  readonly grid: readonly number[];
  readonly period: number;
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return a ** b;
  }
}

function mapSeries(s: Series, f: (v: number) => number, label = s.label): Series {
  const points = new Map<number, number>();
  for (const [t, v] of s.points) points.set(t, f(v));
  return { label, points, ...(s.accountId ? { accountId: s.accountId } : {}) };
}

function combine(op: string, a: Value, b: Value, label: string): Value {
  if (typeof a === 'number' && typeof b === 'number') return binary(op, a, b);
  if (Array.isArray(a)) return a.map((s) => combine(op, s, b, s.label) as Series);
  if (Array.isArray(b)) return b.map((s) => combine(op, a, s, s.label) as Series);
  if (typeof a === 'number') return mapSeries(b as Series, (v) => binary(op, a, v), label);
  if (typeof b === 'number') return mapSeries(a, (v) => binary(op, v, b), label);
  // Two series: a point exists where both have one.
  const points = new Map<number, number>();
  for (const [t, v] of a.points) {
    const w = b.points.get(t);
    if (w !== undefined) points.set(t, binary(op, v, w));
  }
  return { label, points };
}

function finite(points: Map<number, number>): Map<number, number> {
  for (const [t, v] of points) if (!Number.isFinite(v)) points.delete(t);
  return points;
}

function reduceArray(name: string, list: Series[], label: string): Series {
  const acc = new Map<number, number[]>();
  for (const s of list) for (const [t, v] of s.points) (acc.get(t) ?? acc.set(t, []).get(t)!).push(v);
  const points = new Map<number, number>();
  for (const [t, vs] of [...acc.entries()].sort((x, y) => x[0] - y[0])) points.set(t, aggregate(name, vs));
  return { label, points };
}

function aggregate(name: string, vs: number[]): number {
  switch (name) {
    case 'SUM':
      return vs.reduce((x, y) => x + y, 0);
    case 'AVG':
      return vs.reduce((x, y) => x + y, 0) / vs.length;
    case 'MIN':
      return Math.min(...vs);
    default:
      return Math.max(...vs);
  }
}

function asSeries(v: Value, fn: string): Series {
  if (typeof v === 'number' || Array.isArray(v)) throw invalidExpression(`${fn} expects a time series.`);
  return v;
}

function rate(s: Series): Series {
  const pts = [...s.points.entries()].sort((a, b) => a[0] - b[0]);
  const points = new Map<number, number>();
  for (let i = 1; i < pts.length; i++) points.set(pts[i]![0], (pts[i]![1] - pts[i - 1]![1]) / ((pts[i]![0] - pts[i - 1]![0]) / 1000));
  return { label: s.label, points };
}

function fill(s: Series, how: Value | string, grid: readonly number[]): Series {
  const points = new Map<number, number>();
  const known = [...s.points.entries()].sort((a, b) => a[0] - b[0]);
  let k = 0;
  let last: number | undefined;
  for (const t of grid) {
    const v = s.points.get(t);
    while (k < known.length && known[k]![0] <= t) k++;
    if (v !== undefined) {
      points.set(t, v);
      last = v;
    } else if (typeof how === 'number') {
      points.set(t, how);
    } else if (how === 'REPEAT') {
      if (last !== undefined) points.set(t, last);
    } else if (how === 'LINEAR') {
      const prev = known[k - 1];
      const next = known[k];
      if (prev && next) points.set(t, prev[1] + ((next[1] - prev[1]) * (t - prev[0])) / (next[0] - prev[0]));
    } else {
      throw invalidExpression('FILL expects a number, REPEAT or LINEAR.');
    }
  }
  return { label: s.label, points };
}

export function evaluate(n: Node, ctx: MathContext, label: string): Value {
  switch (n.kind) {
    case 'num':
      return n.value;
    case 'str':
      throw invalidExpression(`Unexpected string '${n.value}'.`);
    case 'id':
      return ctx.query(n.name);
    case 'neg':
      return combine('*', -1, evaluate(n.arg, ctx, label), label);
    case 'array': {
      // [a, b, METRICS()]: the series of every item, flattened (a scalar is not a series).
      const out: Series[] = [];
      for (const item of n.items) {
        const v = evaluate(item, ctx, label);
        if (typeof v === 'number') throw invalidExpression('An array in an expression may hold only time series.');
        out.push(...(Array.isArray(v) ? v : [v]));
      }
      return out;
    }
    case 'bin': {
      const out = combine(n.op, evaluate(n.left, ctx, label), evaluate(n.right, ctx, label), label);
      if (typeof out === 'number') return out;
      if (Array.isArray(out)) return out.map((s) => ({ ...s, points: finite(new Map(s.points)) }));
      return { ...out, points: finite(new Map(out.points)) };
    }
    case 'call':
      return call(n, ctx, label);
  }
}

function call(n: Extract<Node, { kind: 'call' }>, ctx: MathContext, label: string): Value {
  const arg = (i: number) => {
    const a = n.args[i];
    if (!a) throw invalidExpression(`${n.name} is missing an argument.`);
    return a;
  };
  switch (n.name) {
    case 'SUM':
    case 'AVG':
    case 'MIN':
    case 'MAX': {
      const v = evaluate(arg(0), ctx, label);
      if (typeof v === 'number') return v;
      if (Array.isArray(v)) return reduceArray(n.name, v, label);
      const vs = [...v.points.values()];
      return vs.length ? aggregate(n.name, vs) : NaN;
    }
    case 'ABS': {
      const v = evaluate(arg(0), ctx, label);
      if (typeof v === 'number') return Math.abs(v);
      return Array.isArray(v) ? v.map((s) => mapSeries(s, Math.abs)) : mapSeries(v, Math.abs, label);
    }
    case 'RATE': {
      const v = evaluate(arg(0), ctx, label);
      return Array.isArray(v) ? v.map(rate) : rate(asSeries(v, 'RATE'));
    }
    case 'FILL': {
      const v = evaluate(arg(0), ctx, label);
      const how = arg(1);
      const mode = isFillKeyword(how) ? (how as { name: string }).name.toUpperCase() : evaluate(how, ctx, label);
      return Array.isArray(v) ? v.map((s) => fill(s, mode, ctx.grid)) : fill(asSeries(v, 'FILL'), mode, ctx.grid);
    }
    case 'METRICS': {
      const filter = n.args[0]?.kind === 'str' ? n.args[0].value : '';
      const out: Series[] = [];
      for (const id of ctx.metricIds()) {
        if (!id.includes(filter)) continue;
        const v = ctx.query(id);
        if (Array.isArray(v)) out.push(...v);
        else if (typeof v !== 'number') out.push(v);
      }
      return out;
    }
    case 'SEARCH': {
      const [e, s, p] = n.args;
      if (e?.kind !== 'str' || s?.kind !== 'str') throw invalidExpression('SEARCH expects a search expression and a statistic.');
      const period = p ? evaluate(p, ctx, label) : ctx.period;
      if (typeof period !== 'number') throw invalidExpression('The period of SEARCH must be a number.');
      return ctx.search(e.value, s.value, period);
    }
    default:
      throw invalidExpression(`Unknown function ${n.name}.`);
  }
}
