/**
 * The canonical pieces of a SigV4 canonical request, computed from the bytes a client sent (pure functions).
 *
 *   <METHOD>\n<canonical URI>\n<canonical query>\n<canonical headers>\n\n<signed headers>\n<payload hash>
 *
 * Quirks (see shared/reference/protocols.md §3):
 * - URI: S3 signs its path encoded once and never normalised (`a//b`, `dir/../x` are literal keys); every other
 *   service normalises (`.`/`..`/empty segments) and encodes the already-encoded path a second time.
 * - Query: split on `&` and the first `=`, percent-decode (a `+` stays a `+`), re-encode with the AWS set
 *   (`A-Za-z0-9-_.~` unreserved), sort by key then value.
 * - Header values: trimmed, inner whitespace runs folded to one space; repeated header lines joined with `,`.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const NEEDS_EXTRA_ESCAPE = /[!'()*]/g;
/** Already in canonical form: unreserved characters and upper-case `%XX` escapes only… */
const ENCODED_FORM = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;
/** …none of which escapes an unreserved character (`%7E`, `%41`, … decode to something that stays literal). */
const ESCAPED_UNRESERVED = /%(?:3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|2[DE]|5F|7E)/;

/** `decode` then `awsUriEncode`, skipping both when the raw text is already canonical (the common case). */
function reencode(raw: string): string {
  if (UNRESERVED.test(raw)) return raw;
  if (ENCODED_FORM.test(raw) && !ESCAPED_UNRESERVED.test(raw) && validUtf8Escapes(raw)) return raw;
  return awsUriEncode(safeDecode(raw));
}

/** Whether the `%XX` escapes decode as UTF-8 (otherwise the slow path keeps or re-escapes the raw text). */
function validUtf8Escapes(raw: string): boolean {
  if (!/%[89A-F]/.test(raw)) return true; // ASCII escapes only
  try {
    decodeURIComponent(raw);
    return true;
  } catch {
    return false;
  }
}

function hexEscape(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** AWS URI encoding (RFC 3986 unreserved kept, everything else `%XX` upper-case hex over UTF-8). */
export function awsUriEncode(s: string): string {
  if (UNRESERVED.test(s)) return s;
  try {
    return encodeURIComponent(s).replace(NEEDS_EXTRA_ESCAPE, hexEscape);
  } catch {
    // A lone surrogate cannot be UTF-8 encoded; encode it the way Buffer would (U+FFFD) rather than throwing.
    return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8')).replace(NEEDS_EXTRA_ESCAPE, hexEscape);
  }
}

/** decodeURIComponent that keeps the input when it holds a malformed escape. A `+` stays a `+`. */
export function safeDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}


/**
 * Canonical URI.
 * - `s3`: every raw segment decoded and re-encoded once, no normalisation (`/b/a//b` stays, `/b/dir/../x` stays).
 * - otherwise: the raw path normalised (drop empty, `.` and `..` segments; keep leading and trailing `/`) and
 *   encoded again, so `%20` becomes `%2520` (what botocore's `quote(path)` and smithy's `escapeUri` produce).
 */
export function canonicalUri(rawPath: string, s3: boolean): string {
  // Query and JSON protocol calls all go to `/`.
  if (rawPath === '/' || rawPath === '') return '/';
  const path = rawPath;
  if (s3) {
    if (UNRESERVED.test(path.replaceAll('/', ''))) return path;
    return path.split('/').map(reencode).join('/');
  }
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = out.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + out.map(awsUriEncode).join('/') + trail;
}

type Pair = [string, string];

function comparePairs(a: Pair, b: Pair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

function splitQuery(rawQuery: string, exclude: string | undefined, canonical: boolean): string {
  if (rawQuery === '') return '';
  const pairs: Pair[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawKey = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    if (exclude !== undefined && safeDecode(rawKey) === exclude) continue;
    pairs.push(canonical ? [reencode(rawKey), reencode(rawValue)] : [rawKey, rawValue]);
  }
  if (pairs.length > 1) pairs.sort(comparePairs);
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i === 0 ? '' : '&') + pairs[i][0] + '=' + pairs[i][1];
  return out;
}

/**
 * Canonical query string from the raw query: each name and value percent-decoded and AWS-encoded again, sorted by
 * name then value; a parameter without `=` gets an empty value. `exclude` drops one parameter by decoded name
 * (`X-Amz-Signature` for presigned URLs).
 */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  return splitQuery(rawQuery, exclude, true);
}

/** The raw pairs sorted as sent, without re-encoding (what a client that signs its own URL verbatim produced). */
export function rawCanonicalQuery(rawQuery: string, exclude?: string): string {
  return splitQuery(rawQuery, exclude, false);
}

const FOLDABLE = /\s{2,}|[\t\n\r\v\f]/;

/** Trimmed, with every run of whitespace folded to one space. */
export function canonicalHeaderValue(value: string): string {
  const t = value.trim();
  return FOLDABLE.test(t) ? t.replace(/\s+/g, ' ') : t;
}

/**
 * Builds `WireRequest.headers` from node's `IncomingMessage.rawHeaders` (`[name, value, name, value, …]`) the
 * way SigV4 needs it: names lower-cased, each value trimmed and folded, repeated lines joined with `,`
 * (botocore signs `a,b` for two lines `a` and ` b `; node's own `req.headers` would give `a, b` or drop one).
 */
export function headersFromRaw(rawHeaders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = canonicalHeaderValue(rawHeaders[i + 1]);
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}
