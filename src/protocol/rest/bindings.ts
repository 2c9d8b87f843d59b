/**
 * The HTTP-bound members of restJson/restXml: labels (`uri`), `querystring` (scalars, repeated keys for
 * lists, a map taking every other parameter), `header` (lists comma-separated, timestamps RFC 822 by
 * default, `jsonvalue` base64 JSON), `headers` (a prefix map such as `x-amz-meta-`) and `statusCode`.
 */
import type { AwsError } from '../../core/errors.js';
import type { WireRequest } from '../../core/wire.js';
import type { Member, ServiceModel, Shape, StructureShape, TimestampFormat } from '../../spec/model.js';
import {
  formatTimestamp,
  numberText,
  outputBytes,
  outputDate,
  parseBase64,
  parseBoolean,
  parseFloatValue,
  parseInteger,
  parseTimestamp,
  timestampFormat,
  setEntry,
} from '../shared/values.js';

type Malformed = (msg: string) => AwsError;

/** Members of a structure sorted by where they live on the wire, computed once per shape. */
export interface Bindings {
  readonly labels: readonly Member[];
  readonly query: readonly Member[];
  readonly queryMap?: Member;
  readonly headers: readonly Member[];
  /** Lower-cased header names, index-aligned with `headers`. */
  readonly headerNames: readonly string[];
  readonly prefixHeaders: readonly Member[];
  readonly statusCode?: Member;
  readonly payload?: Member;
  /** Members serialized in the body when there is no payload member. */
  readonly body: readonly Member[];
}

export function bindingsOf(model: ServiceModel, shape: StructureShape): Bindings {
  return model.cache.get(shape, 'rest.bindings', () => {
    const b = {
      labels: [] as Member[],
      query: [] as Member[],
      queryMap: undefined as Member | undefined,
      headers: [] as Member[],
      headerNames: [] as string[],
      prefixHeaders: [] as Member[],
      statusCode: undefined as Member | undefined,
      payload: shape.payload ? shape.members[shape.payload] : undefined,
      body: [] as Member[],
    };
    for (const mn of shape.memberNames) {
      const m = shape.members[mn];
      switch (m.location) {
        case 'uri':
          b.labels.push(m);
          break;
        case 'querystring':
          if (m.shape.type === 'map') b.queryMap = m;
          else b.query.push(m);
          break;
        case 'header':
          b.headers.push(m);
          b.headerNames.push((m.locationName ?? m.name).toLowerCase());
          break;
        case 'headers':
          b.prefixHeaders.push(m);
          break;
        case 'statusCode':
          b.statusCode = m;
          break;
        default:
          if (!b.payload) b.body.push(m);
      }
    }
    return b;
  });
}

function scalarFromString(m: Member, shape: Shape, s: string, malformed: Malformed): unknown {
  switch (shape.type) {
    case 'string':
      if (m.jsonvalue) {
        try {
          return JSON.parse(parseBase64(s, malformed).toString('utf8'));
        } catch {
          throw malformed(`Invalid JSON value for ${m.name}`);
        }
      }
      return s;
    case 'boolean':
      return parseBoolean(s, malformed);
    case 'integer':
    case 'long':
      return parseInteger(s, malformed);
    case 'float':
    case 'double':
      return parseFloatValue(s, malformed);
    case 'timestamp':
      return parseTimestamp(s, malformed);
    case 'blob':
      return parseBase64(s, malformed);
    default:
      throw malformed(`Member ${m.name} cannot be bound to the URL or a header`);
  }
}

/** Timestamps are read in any of the three formats, whatever the location's default. */
function fromStrings(m: Member, values: readonly string[], malformed: Malformed): unknown {
  const s = m.shape;
  if (s.type === 'list') return values.map((v) => scalarFromString(s.member, s.member.shape, v, malformed));
  return scalarFromString(m, s, values[0], malformed);
}

function splitHeaderList(m: Member, v: string): string[] {
  const s = m.shape;
  if (s.type !== 'list') return [v];
  // RFC 822 dates contain a comma; botocore splits timestamp lists on every second comma.
  const parts = v.split(',').map((x) => x.trim());
  if (s.member.shape.type !== 'timestamp') return parts;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 2) out.push(`${parts[i]}, ${parts[i + 1] ?? ''}`.trim());
  return out;
}

/** Reads labels, query parameters and headers of a request into `out`. */
export function readBindings(
  b: Bindings,
  req: WireRequest,
  labels: Readonly<Record<string, string>>,
  out: Record<string, unknown>,
  malformed: Malformed,
): void {
  for (const m of b.labels) {
    const v = labels[m.locationName ?? m.name];
    if (v !== undefined) out[m.name] = fromStrings(m, [v], malformed);
  }
  const bound = new Set<string>();
  for (const m of b.query) {
    const name = m.locationName ?? m.name;
    bound.add(name);
    const values: string[] = [];
    for (const [k, v] of req.query) if (k === name) values.push(v);
    if (values.length > 0) out[m.name] = fromStrings(m, values, malformed);
  }
  if (b.queryMap && b.queryMap.shape.type === 'map') {
    const valueShape = b.queryMap.shape.value.shape;
    const map: Record<string, unknown> = {};
    for (const [k, v] of req.query) {
      if (bound.has(k)) continue;
      const prev = Object.hasOwn(map, k) ? map[k] : undefined;
      if (valueShape.type === 'list') {
        if (prev) (prev as string[]).push(v);
        else setEntry(map, k, [v]);
      } else if (prev === undefined) setEntry(map, k, v);
    }
    if (Object.keys(map).length > 0) out[b.queryMap.name] = map;
  }
  for (let i = 0; i < b.headers.length; i++) {
    const v = req.headers[b.headerNames[i]];
    if (v === undefined) continue;
    const m = b.headers[i];
    out[m.name] = fromStrings(m, splitHeaderList(m, v), malformed);
  }
  for (const m of b.prefixHeaders) {
    const prefix = (m.locationName ?? '').toLowerCase();
    const map: Record<string, unknown> = {};
    for (const k in req.headers) if (k.startsWith(prefix)) setEntry(map, k.slice(prefix.length), req.headers[k]);
    if (Object.keys(map).length > 0) out[m.name] = map;
  }
}

/** A scalar as header/query text, or undefined when it cannot be written. */
export function scalarToString(m: Member, shape: Shape, v: unknown, tsDefault: TimestampFormat): string | undefined {
  switch (shape.type) {
    case 'string':
      if (m.jsonvalue) return Buffer.from(JSON.stringify(v)).toString('base64');
      return typeof v === 'string' ? v : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return numberText(Number(v));
    case 'timestamp': {
      const d = outputDate(v);
      return d ? String(formatTimestamp(d, timestampFormat(m, shape, tsDefault))) : undefined;
    }
    case 'blob':
      return outputBytes(v).toString('base64');
    default:
      return undefined;
  }
}

/** Writes header and status members of an output (or error) into `headers`; returns a status override. */
export function writeBindings(b: Bindings, value: Readonly<Record<string, unknown>>, headers: Record<string, string>): number | undefined {
  for (let i = 0; i < b.headers.length; i++) {
    const m = b.headers[i];
    const v = value[m.name];
    if (v === undefined || v === null) continue;
    const s = m.shape;
    const text =
      s.type === 'list'
        ? Array.isArray(v)
          ? v.map((x) => scalarToString(s.member, s.member.shape, x, 'rfc822')).filter((x) => x !== undefined).join(',')
          : undefined
        : scalarToString(m, s, v, 'rfc822');
    if (text !== undefined) headers[b.headerNames[i]] = text;
  }
  for (const m of b.prefixHeaders) {
    const v = value[m.name];
    if (!v || typeof v !== 'object') continue;
    for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) headers[`${m.locationName ?? ''}${k}`.toLowerCase()] = String(x);
  }
  const st = b.statusCode ? value[b.statusCode.name] : undefined;
  return typeof st === 'number' ? st : undefined;
}
