/** Minimal XML text building: escaping and element strings. Callers push pieces into an array and join once. */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#xD;' };
const NEEDS_ESCAPE = /[&<>"\r]/;
const ESCAPE_ALL = /[&<>"\r]/g;

/** Escapes text or attribute values (`&`, `<`, `>`, `"`, and CR so that it survives newline normalisation). */
export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESC[c]) : s;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** ` name="value"` pairs for an opening tag; empty when there are none. */
export function attributes(attrs: Readonly<Record<string, string>> | undefined): string {
  if (!attrs) return '';
  let s = '';
  for (const k in attrs) s += ` ${k}="${escapeXml(attrs[k])}"`;
  return s;
}

/** `<name>escaped text</name>`. */
export function leaf(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}
