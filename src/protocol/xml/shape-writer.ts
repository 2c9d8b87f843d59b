/**
 * Writes a value of a model shape as XML, the way botocore and the JS SDK read awsQuery and restXml
 * responses: members by `locationName`, lists wrapped in `<member>` (or the list member's locationName)
 * unless flattened, maps as `<entry><key/><value/></entry>`, `xmlAttribute` members as attributes,
 * `xmlNamespace` as `xmlns[:prefix]`. Members bound to HTTP (`location`) are skipped.
 */
import type { Member, Shape, StructureShape, XmlNamespace } from '../../spec/model.js';
import { wireName } from '../../spec/model.js';
import { formatTimestamp, numberText, outputBytes, outputDate, timestampFormat } from '../shared/values.js';
import { escapeXml } from './writer.js';

function nsAttr(ns: XmlNamespace | undefined): string {
  if (!ns) return '';
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXml(ns.uri)}"` : ` xmlns="${escapeXml(ns.uri)}"`;
}

/** Text of a scalar value, or undefined when the value cannot be written. */
export function scalarText(member: Member | undefined, shape: Shape, value: unknown): string | undefined {
  switch (shape.type) {
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return numberText(Number(value));
    case 'timestamp': {
      const d = outputDate(value);
      return d ? String(formatTimestamp(d, timestampFormat(member, shape, 'iso8601'))) : undefined;
    }
    case 'blob':
      return outputBytes(value).toString('base64');
    default:
      return undefined;
  }
}

function entriesOf(value: unknown): [string, unknown][] {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), v]);
  return typeof value === 'object' && value !== null ? Object.entries(value) : [];
}

/** Writes the members of `shape` (children only, no wrapping element) into `out`. */
export function writeMembers(out: string[], shape: StructureShape, value: Readonly<Record<string, unknown>>): void {
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    if (m.location || m.xmlAttribute) continue;
    const v = value[mn];
    if (v === undefined || v === null) continue;
    writeValue(out, m, m.shape, v, wireName(m));
  }
}

/** Attributes of a structure element: its namespace plus its `xmlAttribute` members. */
export function structureAttributes(
  member: Member | undefined,
  shape: StructureShape,
  value: Readonly<Record<string, unknown>>,
  defaultNs?: XmlNamespace,
): string {
  let s = nsAttr(member?.xmlNamespace ?? shape.xmlNamespace ?? defaultNs);
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    if (!m.xmlAttribute) continue;
    const v = value[mn];
    if (v === undefined || v === null) continue;
    const text = scalarText(m, m.shape, v);
    if (text !== undefined) s += ` ${wireName(m)}="${escapeXml(text)}"`;
  }
  return s;
}

/** Writes one value as the element `name`. */
export function writeValue(out: string[], member: Member | undefined, shape: Shape, value: unknown, name: string): void {
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return;
      const obj = value as Record<string, unknown>;
      out.push(`<${name}${structureAttributes(member, shape, obj)}>`);
      writeMembers(out, shape, obj);
      out.push(`</${name}>`);
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      const item = shape.member;
      if (member?.flattened || shape.flattened) {
        const el = item.locationName ?? name;
        for (const v of value) writeValue(out, item, item.shape, v, el);
        return;
      }
      const el = item.locationName ?? 'member';
      out.push(`<${name}${nsAttr(member?.xmlNamespace)}>`);
      for (const v of value) writeValue(out, item, item.shape, v, el);
      out.push(`</${name}>`);
      return;
    }
    case 'map': {
      const k = shape.key.locationName ?? 'key';
      const vn = shape.value.locationName ?? 'value';
      const flattened = member?.flattened || shape.flattened;
      if (!flattened) out.push(`<${name}>`);
      for (const [key, v] of entriesOf(value)) {
        out.push(flattened ? `<${name}>` : '<entry>', `<${k}>${escapeXml(key)}</${k}>`);
        writeValue(out, shape.value, shape.value.shape, v, vn);
        out.push(flattened ? `</${name}>` : '</entry>');
      }
      if (!flattened) out.push(`</${name}>`);
      return;
    }
    default: {
      const text = scalarText(member, shape, value);
      if (text === undefined) return;
      out.push(`<${name}${nsAttr(member?.xmlNamespace)}>${escapeXml(text)}</${name}>`);
    }
  }
}
