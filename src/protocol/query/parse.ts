/**
 * awsQuery request → input. The form body (and the query string) is a flat list of `A.B.member.1.C=v`
 * pairs; it is folded into a tree once, then read along the input shape:
 * lists `Name.member.N` (or `Name.<locationName>.N`), flattened lists `Name.N`, maps
 * `Name.entry.N.key/value` (flattened: `Name.N.key/value`), an empty list as `Name=`.
 */
import type { AwsError } from '../../core/errors.js';
import type { WireRequest } from '../../core/wire.js';
import type { Member, Shape, StructureShape } from '../../spec/model.js';
import { wireName } from '../../spec/model.js';
import {
  malformedFactory,
  parseBase64,
  parseBoolean,
  parseFloatValue,
  parseInteger,
  parseTimestamp,
  setEntry,
} from '../shared/values.js';

export const malformedQuery = malformedFactory('MalformedQueryString');

interface QNode {
  v?: string;
  c?: Map<string, QNode>;
}

function decodeForm(s: string): string {
  const t = s.indexOf('+') >= 0 ? s.replace(/\+/g, ' ') : s;
  if (t.indexOf('%') < 0) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    throw malformedQuery(`Invalid percent-encoding in ${JSON.stringify(s)}`);
  }
}

/** The parameters of a query request: URL query first, then the form-encoded body. */
export function queryParams(req: WireRequest): Array<[string, string]> {
  const out: Array<[string, string]> = req.query.map(([k, v]) => [k, v]);
  const ct = req.headers['content-type'] ?? '';
  if (req.body.length > 0 && (ct === '' || ct.includes('x-www-form-urlencoded'))) {
    for (const pair of req.body.toString('utf8').split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      out.push(eq < 0 ? [decodeForm(pair), ''] : [decodeForm(pair.slice(0, eq)), decodeForm(pair.slice(eq + 1))]);
    }
  }
  return out;
}

function buildTree(params: Array<[string, string]>): QNode {
  const root: QNode = {};
  for (const [key, value] of params) {
    let node = root;
    let start = 0;
    for (;;) {
      const dot = key.indexOf('.', start);
      const part = dot < 0 ? key.slice(start) : key.slice(start, dot);
      const c = (node.c ??= new Map());
      let next = c.get(part);
      if (!next) c.set(part, (next = {}));
      node = next;
      if (dot < 0) break;
      start = dot + 1;
    }
    if (node.v === undefined) node.v = value;
  }
  return root;
}

/** Children `1`, `2`, … of a node in numeric order. */
function indexed(node: QNode | undefined): QNode[] {
  if (!node?.c) return [];
  const items: Array<[number, QNode]> = [];
  for (const [k, v] of node.c) {
    const i = Number(k);
    if (Number.isInteger(i) && i > 0) items.push([i, v]);
  }
  return items.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}

function scalar(member: Member, shape: Shape, text: string, malformed: (m: string) => AwsError): unknown {
  switch (shape.type) {
    case 'string':
      return text;
    case 'boolean':
      return parseBoolean(text, malformed);
    case 'integer':
    case 'long':
      return parseInteger(text, malformed);
    case 'float':
    case 'double':
      return parseFloatValue(text, malformed);
    case 'timestamp':
      return parseTimestamp(text, malformed);
    case 'blob':
      return parseBase64(text, malformed);
    default:
      throw malformed(`Unexpected value for ${member.name}`);
  }
}

function isFlattened(m: Member): boolean {
  return m.flattened === true || m.shape.flattened === true;
}

/** The key under which a structure member appears (flattened lists use the list member's locationName). */
function memberKey(m: Member): string {
  const s = m.shape;
  if (s.type === 'list' && isFlattened(m) && s.member.locationName) return s.member.locationName;
  return wireName(m);
}

function readStructure(shape: StructureShape, node: QNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!node.c) return out;
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    const child = node.c.get(memberKey(m));
    if (!child) continue;
    const v = readValue(m, child);
    if (v !== undefined) out[mn] = v;
  }
  return out;
}

function readValue(m: Member, node: QNode): unknown {
  const s = m.shape;
  switch (s.type) {
    case 'structure':
      return readStructure(s, node);
    case 'list': {
      const items = isFlattened(m) ? indexed(node) : indexed(node.c?.get(s.member.locationName ?? 'member'));
      if (items.length === 0) return node.v !== undefined || node.c ? [] : undefined;
      return items.map((n) => readValue(s.member, n));
    }
    case 'map': {
      const entries = isFlattened(m) ? indexed(node) : indexed(node.c?.get('entry'));
      const kn = s.key.locationName ?? 'key';
      const vn = s.value.locationName ?? 'value';
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        const k = e.c?.get(kn)?.v;
        const v = e.c?.get(vn);
        if (k !== undefined) setEntry(out, k, v ? readValue(s.value, v) : undefined);
      }
      return out;
    }
    default:
      return node.v === undefined ? undefined : scalar(m, s, node.v, malformedQuery);
  }
}

/** The `Action` parameter of a query request (URL or form body), found without parsing the whole body. */
export function queryAction(req: WireRequest): string | undefined {
  for (const [k, v] of req.query) if (k === 'Action') return v;
  const body = req.body;
  if (body.length === 0) return undefined;
  // Searched in the bytes: a large body is neither copied into a string nor split before it is authenticated.
  let start = 7;
  if (body.toString('latin1', 0, 7) !== 'Action=') {
    const i = body.indexOf('&Action=', 0, 'latin1');
    if (i < 0) return undefined;
    start = i + 8;
  }
  const end = body.indexOf(0x26, start);
  return decodeForm(body.toString('latin1', start, end < 0 ? body.length : end));
}

export function parseQueryInput(req: WireRequest, input: StructureShape | undefined): Record<string, unknown> {
  if (!input) return {};
  return readStructure(input, buildTree(queryParams(req)));
}
