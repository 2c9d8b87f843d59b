/**
 * Glob → RegExp translation for the three wildcard dialects IAM uses. All matchers are anchored and built
 * once at compile time; literal text is regex-escaped so `.`/`+`/`(` in ARNs stay literal.
 *
 * - free glob (Action names, StringLike, the resource part of an ARN): `*` = any run, `?` = one character.
 * - ARN prefix segments (`arn:partition:service:region:account`): a `*` stays inside its segment unless it is
 *   the segment's last character, in which case AWS lets it run past colons
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * - ArnLike segments: each of the six components is matched separately, `*` never absorbs a colon in the
 *   first five (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 */

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

export function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/** Free glob: `*` → `.*`, `?` → `.`. Returns regex source without anchors. */
export function globSource(pattern: string): string {
  let out = '';
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' || c === '?') {
      if (literal) out += escapeRegex(literal);
      literal = '';
      out += c === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    } else {
      literal += c;
    }
  }
  if (literal) out += escapeRegex(literal);
  return out;
}

/** One colon-free segment: `*` stays in the segment unless `trailingStarCrosses` and it ends the segment. */
export function segmentSource(segment: string, trailingStarCrosses: boolean): string {
  let out = '';
  let literal = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*' || c === '?') {
      if (literal) out += escapeRegex(literal);
      literal = '';
      if (c === '?') out += '[^:]';
      else out += trailingStarCrosses && i === segment.length - 1 ? '[\\s\\S]*' : '[^:]*';
    } else {
      literal += c;
    }
  }
  if (literal) out += escapeRegex(literal);
  return out;
}

/**
 * Splits at the first `count` colons that are not inside a `${…}` policy variable, so
 * `arn:aws:s3:::b/${aws:username}` splits into five prefix segments and `b/${aws:username}`.
 */
export function splitArnPrefix(text: string, count: number): { segments: string[]; rest: string | undefined } {
  const segments: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length && segments.length < count; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}' && depth > 0) {
      depth--;
    } else if (c === ':' && depth === 0) {
      segments.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (segments.length < count) {
    segments.push(text.slice(start));
    return { segments, rest: undefined };
  }
  return { segments, rest: text.slice(start) };
}

/** A compiled matcher for one literal-or-glob string. */
export type StringMatcher = (value: string) => boolean;

export function compileGlob(pattern: string, ignoreCase = false): StringMatcher {
  if (pattern === '*') return () => true;
  if (!hasWildcard(pattern)) {
    if (ignoreCase) {
      const lower = pattern.toLowerCase();
      return (v) => v.toLowerCase() === lower;
    }
    return (v) => v === pattern;
  }
  const re = new RegExp(`^${globSource(pattern)}$`, ignoreCase ? 'i' : '');
  return (v) => re.test(v);
}

/** Resource-element ARN pattern without policy variables (see header for the segment rule). */
export function resourceRegexSource(pattern: string): string {
  const { segments, rest } = splitArnPrefix(pattern, 5);
  const head = segments.map((s) => segmentSource(s, true)).join(':');
  return rest === undefined ? head : `${head}:${globSource(rest)}`;
}

/** ArnLike pattern source; `rest` (the resource component) may itself contain colons. */
export function arnLikeRegexSource(pattern: string): string {
  const { segments, rest } = splitArnPrefix(pattern, 5);
  const head = segments.map((s) => segmentSource(s, false)).join(':');
  return rest === undefined ? head : `${head}:${globSource(rest)}`;
}
