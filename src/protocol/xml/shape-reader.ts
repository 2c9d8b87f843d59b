/**
 * Reads an XML element into a value of a model shape (restXml request payloads): the inverse of
 * shape-writer.ts. Lists may be wrapped (any child element is an item) or flattened (repeated elements
 * named after the member, or after the list member's locationName); maps as `entry`/`key`/`value`.
 */
import type { AwsError } from '../../core/errors.js';
import type { Member, Shape, StructureShape } from '../../spec/model.js';
import { wireName } from '../../spec/model.js';
import {
  parseBase64,
  parseBoolean,
  parseFloatValue,
  parseInteger,
  parseTimestamp,
  setEntry,
} from '../shared/values.js';
import type { XmlElement } from './reader.js';
import { childrenByName } from './reader.js';

type Malformed = (msg: string) => AwsError;

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function scalarFromText(shape: Shape, text: string, malformed: Malformed): unknown {
  switch (shape.type) {
    case 'string':
      return text;
    case 'boolean':
      return parseBoolean(text.trim(), malformed);
    case 'integer':
    case 'long':
      return parseInteger(text.trim(), malformed);
    case 'float':
    case 'double':
      return parseFloatValue(text.trim(), malformed);
    case 'timestamp':
      return parseTimestamp(text.trim(), malformed);
    case 'blob':
      return parseBase64(text, malformed);
    default:
      throw malformed(`Unexpected text for ${shape.name}`);
  }
}

export function readStructure(shape: StructureShape, el: XmlElement, malformed: Malformed): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const byName = childrenByName(el);
  for (const mn of shape.memberNames) {
    const m = shape.members[mn];
    if (m.location) continue;
    const wire = wireName(m);
    if (m.xmlAttribute) {
      const a = el.attrs[wire] ?? el.attrs[local(wire)];
      if (a !== undefined) out[mn] = scalarFromText(m.shape, a, malformed);
      continue;
    }
    const s = m.shape;
    if ((s.type === 'list' || s.type === 'map') && (m.flattened || s.flattened)) {
      const els =
        byName.get(local(wire)) ?? (s.type === 'list' && s.member.locationName ? byName.get(s.member.locationName) : undefined);
      if (!els) continue;
      if (s.type === 'list') out[mn] = els.map((e) => readValue(s.member, e, malformed));
      else out[mn] = readMapEntries(s.key, s.value, els, malformed);
      continue;
    }
    const e = byName.get(local(wire))?.[0];
    if (e) out[mn] = readValue(m, e, malformed);
  }
  return out;
}

function readMapEntries(key: Member, value: Member, entries: XmlElement[], malformed: Malformed): Record<string, unknown> {
  const kn = key.locationName ?? 'key';
  const vn = value.locationName ?? 'value';
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    let k: string | undefined;
    let v: XmlElement | undefined;
    for (const c of entry.children) {
      if (c.local === kn) k = c.text;
      else if (c.local === vn) v = c;
    }
    if (k !== undefined) setEntry(out, k, v ? readValue(value, v, malformed) : undefined);
  }
  return out;
}

export function readValue(member: Member, el: XmlElement, malformed: Malformed): unknown {
  const s = member.shape;
  switch (s.type) {
    case 'structure':
      return readStructure(s, el, malformed);
    case 'list':
      return el.children.map((c) => readValue(s.member, c, malformed));
    case 'map':
      return readMapEntries(s.key, s.value, el.children, malformed);
    default:
      return scalarFromText(s, el.text, malformed);
  }
}
