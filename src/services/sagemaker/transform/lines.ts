/**
 * Newline handling shared by `SplitType=Line` splitting and the per-row data processing: records end at `\n`, a `\r`
 * before it belongs to the line ending (CRLF files), and a final newline ends the last record rather than starting an
 * empty one.
 */

const LF = 0x0a;
const CR = 0x0d;

/** The lines of `data`, without their line endings; views into `data`, no copy. */
export function splitLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(LF, start);
    const end = nl < 0 ? data.length : nl;
    lines.push(data.subarray(start, end > start && data[end - 1] === CR ? end - 1 : end));
    if (nl < 0) break;
    start = nl + 1;
  }
  return lines;
}

/** The same on text. */
export function splitTextLines(text: string): string[] {
  if (text === '') return [];
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
