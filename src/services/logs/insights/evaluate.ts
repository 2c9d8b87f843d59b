/**
 * Runs a parsed Logs Insights pipeline over log events. Each event becomes a record of the built-in fields
 * (@timestamp, @message, @logStream, @log, @ingestionTime) plus, for JSON messages, every field of the
 * document flattened with dots (`a.b`, `list.0`). Commands apply in order; `stats` turns records into groups.
 * Results are rows of `{field, value}` with values as strings, timestamps as AWS prints them.
 */
import type { Command, Expr, Named } from './parse.js';
import { malformed } from './parse.js';

type Value = string | number | boolean | null | undefined;
export type Rec = Record<string, Value>;

export interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly logStream: string;
  /** `<account>:<log group name>`, as AWS's @log shows it. */
  readonly log: string;
}

export interface QueryOutput {
  readonly rows: Array<Array<{ field: string; value: string }>>;
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}

const TIME_FIELDS = new Set(['@timestamp', '@ingestionTime']);

function flatten(prefix: string, v: unknown, out: Rec): void {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else if (prefix) out[prefix] = v as Value;
}

export function recordOf(e: InputEvent): Rec {
  const r: Rec = { '@timestamp': e.timestamp, '@message': e.message, '@logStream': e.logStream, '@log': e.log, '@ingestionTime': e.ingestionTime };
  const m = e.message;
  if (m.length > 1 && m.charCodeAt(0) === 123 /* { */) {
    try {
      const doc: unknown = JSON.parse(m);
      const extra: Rec = {};
      flatten('', doc, extra);
      for (const [k, v] of Object.entries(extra)) if (!(k in r)) r[k] = v;
    } catch {
      // Not JSON after all: only the built-in fields.
    }
  }
  return r;
}

const num = (v: Value): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN);
const truthy = (v: Value): boolean => v !== null && v !== undefined && v !== false && v !== 0 && v !== '';

function compare(a: Value, b: Value): number | undefined {
  if (a === undefined || a === null || b === undefined || b === null) return undefined;
  const x = num(a), y = num(b);
  if (!Number.isNaN(x) && !Number.isNaN(y) && (typeof a === 'number' || typeof b === 'number' || (a !== '' && b !== ''))) return x - y;
  const s = String(a), t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

function evaluate(e: Expr, r: Rec): Value {
  switch (e.k) {
    case 'field': return r[e.name];
    case 'lit': return e.v;
    case 'regex': return e.re.source;
    case 'not': return !truthy(evaluate(e.e, r));
    case 'neg': return -num(evaluate(e.e, r));
    case 'in': {
      const v = evaluate(e.e, r);
      const hit = e.list.some((x) => compare(v, evaluate(x, r)) === 0);
      return e.negated ? !hit : hit;
    }
    case 'like': {
      const v = evaluate(e.e, r);
      if (v === undefined || v === null) return e.negated;
      const s = String(v);
      const hit = e.pattern.k === 'regex' ? (e.pattern.re.lastIndex = 0, e.pattern.re.test(s)) : s.includes(String(evaluate(e.pattern, r) ?? ''));
      return e.negated ? !hit : hit;
    }
    case 'bin': {
      if (e.op === 'and') return truthy(evaluate(e.l, r)) && truthy(evaluate(e.r, r));
      if (e.op === 'or') return truthy(evaluate(e.l, r)) || truthy(evaluate(e.r, r));
      const a = evaluate(e.l, r), b = evaluate(e.r, r);
      switch (e.op) {
        case '+': return num(a) + num(b);
        case '-': return num(a) - num(b);
        case '*': return num(a) * num(b);
        case '/': return num(a) / num(b);
        case '%': return num(a) % num(b);
      }
      const c = compare(a, b);
      if (c === undefined || Number.isNaN(c)) return e.op === '!=' ? a !== b : false;
      switch (e.op) {
        case '=': return c === 0;
        case '!=': return c !== 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '>=': return c >= 0;
      }
      return undefined;
    }
    case 'call': return callScalar(e.fn, e.args.map((a) => evaluate(a, r)), r);
  }
}

function callScalar(fn: string, args: Value[], r: Rec): Value {
  const [a, b, c] = args;
  switch (fn) {
    case 'bin': {
      const width = num(a);
      if (!(width > 0)) return undefined;
      return Math.floor(num(r['@timestamp']) / width) * width;
    }
    case 'datefloor': return Math.floor(num(a) / num(b)) * num(b);
    case 'dateceil': return Math.ceil(num(a) / num(b)) * num(b);
    case 'abs': return Math.abs(num(a));
    case 'floor': return Math.floor(num(a));
    case 'ceil': return Math.ceil(num(a));
    case 'sqrt': return Math.sqrt(num(a));
    case 'log': return Math.log(num(a));
    case 'greatest': return Math.max(...args.map(num));
    case 'least': return Math.min(...args.map(num));
    case 'strlen': return a === undefined || a === null ? undefined : String(a).length;
    case 'tolower': return a === undefined || a === null ? undefined : String(a).toLowerCase();
    case 'toupper': return a === undefined || a === null ? undefined : String(a).toUpperCase();
    case 'trim': return a === undefined || a === null ? undefined : String(a).trim();
    case 'concat': return args.map((x) => (x === undefined || x === null ? '' : String(x))).join('');
    case 'substr': return a === undefined || a === null ? undefined : String(a).substr(num(b), c === undefined ? undefined : num(c));
    case 'replace': return a === undefined || a === null ? undefined : String(a).split(String(b)).join(String(c ?? ''));
    case 'strcontains': return a !== undefined && a !== null && String(a).includes(String(b));
    case 'ispresent': return a !== undefined && a !== null;
    case 'isempty': return a === undefined || a === null || a === '';
    case 'isblank': return a === undefined || a === null || String(a).trim() === '';
    case 'coalesce': return args.find((x) => x !== undefined && x !== null);
    case 'tonumber': return num(a);
    case 'tostring': return a === undefined || a === null ? undefined : String(a);
    case 'frommillis': return num(a);
    case 'tomillis': return num(a);
  }
  throw malformed(`unknown function ${fn}`);
}

// ---------- aggregates ----------

interface Acc {
  add(r: Rec): void;
  result(): Value;
}

function accumulator(e: Expr): Acc {
  if (e.k !== 'call') throw malformed('stats takes aggregate functions');
  const arg = e.args[0];
  const value = (r: Rec): Value => (arg ? evaluate(arg, r) : undefined);
  const present = (v: Value) => v !== undefined && v !== null && v !== '';
  switch (e.fn) {
    case 'count': {
      let n = 0;
      return { add: (r) => { if (e.star || !arg || present(value(r))) n++; }, result: () => n };
    }
    case 'count_distinct': {
      const seen = new Set<string>();
      return { add: (r) => { const v = value(r); if (present(v)) seen.add(String(v)); }, result: () => seen.size };
    }
    case 'sum': case 'avg': case 'min': case 'max': {
      let sum = 0, n = 0, min = Infinity, max = -Infinity;
      return {
        add: (r) => {
          const x = num(value(r));
          if (Number.isNaN(x)) return;
          sum += x; n++;
          if (x < min) min = x;
          if (x > max) max = x;
        },
        result: () => (n === 0 ? undefined : e.fn === 'sum' ? sum : e.fn === 'avg' ? sum / n : e.fn === 'min' ? min : max),
      };
    }
    case 'pct': case 'stddev': {
      const xs: number[] = [];
      const p = e.fn === 'pct' ? num(e.args[1] ? evaluate(e.args[1], {}) : NaN) : 0;
      if (e.fn === 'pct' && !(p >= 0 && p <= 100)) throw malformed('pct takes a percentile between 0 and 100');
      return {
        add: (r) => { const x = num(value(r)); if (!Number.isNaN(x)) xs.push(x); },
        result: () => {
          if (xs.length === 0) return undefined;
          if (e.fn === 'stddev') {
            const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
            return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
          }
          xs.sort((x, y) => x - y);
          return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];
        },
      };
    }
    case 'earliest': case 'latest': {
      let best: { t: number; v: Value } | undefined;
      return {
        add: (r) => {
          const t = num(r['@timestamp']);
          if (!best || (e.fn === 'earliest' ? t < best.t : t > best.t)) best = { t, v: value(r) };
        },
        result: () => best?.v,
      };
    }
  }
  throw malformed(`unknown aggregate function ${e.fn}`);
}

function stats(records: Rec[], aggs: Named[], by: Named[]): Rec[] {
  const groups = new Map<string, { key: Rec; accs: Acc[] }>();
  for (const r of records) {
    const key: Rec = {};
    for (const b of by) key[b.name] = evaluate(b.expr, r);
    const id = JSON.stringify(by.map((b) => key[b.name] ?? null));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, accs: aggs.map((a) => accumulator(a.expr)) }));
    for (const acc of g.accs) acc.add(r);
  }
  if (by.length === 0 && groups.size === 0) groups.set('', { key: {}, accs: aggs.map((a) => accumulator(a.expr)) });
  return [...groups.values()].map((g) => {
    const out: Rec = { ...g.key };
    aggs.forEach((a, i) => (out[a.name] = g.accs[i]!.result()));
    return out;
  });
}

// ---------- the pipeline ----------

function format(field: string, v: Value, timeFields: Set<string>): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (timeFields.has(field) && typeof v === 'number') return new Date(v).toISOString().replace('T', ' ').replace('Z', '');
  return String(v);
}

/**
 * Runs the pipeline over `events`. `scanned`, when given, is what the store scanned to produce them (a prefilter may
 * have left events out that the statistics must still count); otherwise the events themselves are counted.
 */
export function runQuery(commands: Command[], events: Iterable<InputEvent>, limit = 10_000, scanned?: { records: number; bytes: number }): QueryOutput {
  let records: Rec[] = [];
  let counted = 0, bytes = 0;
  for (const e of events) {
    counted++;
    bytes += Buffer.byteLength(e.message, 'utf8');
    records.push(recordOf(e));
  }
  // Newest first unless the query sorts: a bare `limit` keeps the latest events, as in the console.
  records.sort((x, y) => num(y['@timestamp']) - num(x['@timestamp']));
  let columns: string[] | undefined;
  const timeFields = new Set(TIME_FIELDS);
  let aggregated = false;
  let explicitLimit: number | undefined;
  for (const cmd of commands) {
    switch (cmd.c) {
      case 'filter':
        records = records.filter((r) => truthy(evaluate(cmd.expr, r)));
        break;
      case 'fields':
        for (const r of records) for (const f of cmd.items) if (f.expr.k !== 'field' || f.expr.name !== f.name) r[f.name] = evaluate(f.expr, r);
        for (const f of cmd.items) if (f.expr.k === 'call' && f.expr.fn === 'bin') timeFields.add(f.name);
        columns = [...(aggregated ? [] : columns ?? []), ...cmd.items.map((f) => f.name)];
        break;
      case 'display':
        columns = cmd.names;
        break;
      case 'parse':
        for (const r of records) {
          const src = evaluate(cmd.source, r);
          if (src === undefined || src === null) continue;
          const m = cmd.re.exec(String(src));
          if (!m) continue;
          cmd.names.forEach((n, i) => (r[n] = m.groups?.[n] ?? m[i + 1]));
        }
        break;
      case 'stats':
        for (const b of cmd.by) if (b.expr.k === 'call' && b.expr.fn === 'bin') timeFields.add(b.name);
        records = stats(records, cmd.aggs, cmd.by);
        columns = [...cmd.by.map((b) => b.name), ...cmd.aggs.map((a) => a.name)];
        aggregated = true;
        break;
      case 'sort':
        records.sort((x, y) => {
          for (const k of cmd.keys) {
            const a = evaluate(k.expr, x), b = evaluate(k.expr, y);
            const c = a === undefined || a === null ? (b === undefined || b === null ? 0 : 1) : b === undefined || b === null ? -1 : compare(a, b) ?? 0;
            if (c !== 0 && !Number.isNaN(c)) return k.desc ? -c : c;
          }
          return 0;
        });
        break;
      case 'limit':
        explicitLimit = cmd.n;
        records = records.slice(0, cmd.n);
        break;
      case 'dedup': {
        const seen = new Set<string>();
        records = records.filter((r) => {
          const id = JSON.stringify(cmd.fields.map((f) => evaluate(f, r) ?? null));
          if (seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        break;
      }
    }
  }
  const matched = records.length;
  records = records.slice(0, Math.min(explicitLimit ?? limit, limit));
  const cols = columns ?? ['@timestamp', '@message'];
  const rows = records.map((r) =>
    cols.flatMap((field) => {
      const value = format(field, r[field], timeFields);
      return value === undefined ? [] : [{ field, value }];
    }),
  );
  return { rows, recordsMatched: matched, recordsScanned: scanned?.records ?? counted, bytesScanned: scanned?.bytes ?? bytes };
}
