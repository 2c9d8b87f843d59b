/**
 * A small, strict XML reader for request bodies (S3 payloads): elements, attributes, text, CDATA,
 * comments, processing instructions and the five predefined entities plus character references. DTDs are
 * skipped and no other entity is expanded (no XXE). Namespace prefixes are kept in `name`; `local` drops them.
 */

export interface XmlElement {
  readonly name: string;
  /** The name without its namespace prefix (`type` for `xsi:type`). */
  readonly local: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element (entities decoded). */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlSyntaxError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string, at: number): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&([^;&\s]{1,10});/g, (m, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) throw new XmlSyntaxError(`bad character reference ${m}`, at);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[name];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity ${m}`, at);
    return v;
  });
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

const NAME = /[^\s/>=]+/y;
const ATTR = /\s*([^\s/>=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** Parses a document and returns its root element; throws XmlSyntaxError on malformed input. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const n = src.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(raw, i);
      else if (raw.trim() !== '') throw new XmlSyntaxError('text outside the root element', i);
    }
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new XmlSyntaxError('unterminated comment', i);
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlSyntaxError('unterminated CDATA', i);
      const top = stack[stack.length - 1];
      if (!top) throw new XmlSyntaxError('CDATA outside the root element', i);
      top.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated processing instruction', i);
      i = end + 2;
    } else if (src.startsWith('<!', i)) {
      // DOCTYPE (possibly with an internal subset in brackets): skipped, never interpreted.
      let depth = 0;
      let j = i + 2;
      for (; j < n; j++) {
        const c = src[j];
        if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '>' && depth <= 0) break;
      }
      if (j >= n) throw new XmlSyntaxError('unterminated declaration', i);
      i = j + 1;
    } else if (src[i + 1] === '/') {
      const end = src.indexOf('>', i + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated end tag', i);
      const name = src.slice(i + 2, end).trim();
      const top = stack.pop();
      if (!top || top.name !== name) throw new XmlSyntaxError(`unexpected </${name}>`, i);
      i = end + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) throw new XmlSyntaxError('bad element name', i);
      const name = m[0];
      let j = NAME.lastIndex;
      const attrs: Record<string, string> = {};
      for (;;) {
        ATTR.lastIndex = j;
        const a = ATTR.exec(src);
        if (!a) break;
        attrs[a[1]] = decodeEntities(a[2] ?? a[3], j);
        j = ATTR.lastIndex;
      }
      while (j < n && /\s/.test(src[j])) j++;
      const selfClosing = src[j] === '/';
      if (selfClosing) j++;
      if (src[j] !== '>') throw new XmlSyntaxError(`malformed start tag <${name}`, i);
      const el: XmlElement = { name, local: localName(name), attrs, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new XmlSyntaxError('more than one root element', i);
      else root = el;
      if (!selfClosing) stack.push(el);
      i = j + 1;
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed <${stack[stack.length - 1].name}>`, n);
  if (!root) throw new XmlSyntaxError('no root element', 0);
  return root;
}

/** Children of `el` grouped by local name, in document order. */
export function childrenByName(el: XmlElement): Map<string, XmlElement[]> {
  const m = new Map<string, XmlElement[]>();
  for (const c of el.children) {
    const list = m.get(c.local);
    if (list) list.push(c);
    else m.set(c.local, [c]);
  }
  return m;
}
