/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'shared'}`, escapes `${*}` `${?}` `${$}`).
 * Only documents with `Version: 2012-10-17` get them; otherwise the text is literal
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 *
 * A value is compiled into parts once; at request time the parts resolve against the context. A variable that
 * is absent (and has no default) or multivalued makes the whole value unresolvable: callers treat that as
 * "this entry cannot match" (reference/iam.md §3.5).
 */
import type { NormalizedContext } from './types.js';
import { escapeRegex, globSource } from './wildcard.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'var'; readonly key: string; readonly fallback?: string }
  | { readonly kind: 'escape'; readonly char: string };

export interface Template {
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
}

const VARIABLE_BODY = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Parses `text`; with `variables` false (2008-10-17 policies, Numeric/Date/IP values) the text is one literal part. */
export function parseTemplate(text: string, variables: boolean): Template {
  if (!variables || !text.includes('${')) return { parts: [{ kind: 'text', text }], hasVariables: false };
  const parts: TemplatePart[] = [];
  let hasVariables = false;
  let i = 0;
  let literal = '';
  while (i < text.length) {
    if (text[i] === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) break;
      const body = text.slice(i + 2, end);
      if (body === '*' || body === '?' || body === '$') {
        if (literal) parts.push({ kind: 'text', text: literal });
        literal = '';
        parts.push({ kind: 'escape', char: body });
      } else {
        const m = VARIABLE_BODY.exec(body);
        if (!m) {
          literal += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        if (literal) parts.push({ kind: 'text', text: literal });
        literal = '';
        hasVariables = true;
        parts.push(m[2] === undefined ? { kind: 'var', key: m[1]!.toLowerCase() } : { kind: 'var', key: m[1]!.toLowerCase(), fallback: m[2] });
      }
      i = end + 1;
    } else {
      literal += text[i];
      i++;
    }
  }
  literal += text.slice(i);
  if (literal) parts.push({ kind: 'text', text: literal });
  return { parts, hasVariables: hasVariables || parts.some((p) => p.kind === 'escape') };
}

/** Single value of a variable, or undefined when it cannot be substituted. */
export function resolveVariable(part: { key: string; fallback?: string }, ctx: NormalizedContext): string | undefined {
  const v = ctx.get(part.key);
  if (v === undefined) return part.fallback;
  if (typeof v === 'string') return v;
  // A list marks a multivalued key, and those cannot be policy variables [doc].
  return undefined;
}

/** Plain text after substitution (for StringEquals/Bool); undefined when a variable is unresolvable. */
export function renderText(t: Template, ctx: NormalizedContext): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'escape') out += p.char;
    else {
      const v = resolveVariable(p, ctx);
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/**
 * Regex source after substitution: `text` parts go through `textToSource` (a glob dialect), substituted values
 * and escapes are literal. Also returns the cache key (the substituted values) so callers can reuse regexes.
 */
export function renderSource(
  t: Template,
  ctx: NormalizedContext,
  textToSource: (text: string) => string = globSource,
): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'text') out += textToSource(p.text);
    else if (p.kind === 'escape') out += escapeRegex(p.char);
    else {
      const v = resolveVariable(p, ctx);
      if (v === undefined) return undefined;
      out += escapeRegex(v);
    }
  }
  return out;
}

/**
 * A glob whose pattern may contain variables. Regexes for substituted patterns are cached per matcher (bounded)
 * so the hot path does not rebuild them for every request of the same user.
 */
export function compileTemplateGlob(
  t: Template,
  textToSource: (text: string) => string = globSource,
  flags = '',
): (value: string, ctx: NormalizedContext) => boolean {
  if (!t.hasVariables) {
    const text = t.parts.length === 0 ? '' : (t.parts[0] as { text: string }).text;
    const re = new RegExp(`^${textToSource(text)}$`, flags);
    return (value) => re.test(value);
  }
  const cache = new Map<string, RegExp>();
  return (value, ctx) => {
    const src = renderSource(t, ctx, textToSource);
    if (src === undefined) return false;
    let re = cache.get(src);
    if (re === undefined) {
      if (cache.size >= 256) cache.clear();
      re = new RegExp(`^${src}$`, flags);
      cache.set(src, re);
    }
    return re.test(value);
  };
}
