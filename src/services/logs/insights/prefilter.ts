/**
 * What a Logs Insights query says about `@message` before anything else runs: the substrings every event that can
 * reach the rest of the pipeline contains. `filter @message like "ERROR"` (or `like /ERROR/`, `=~`, joined with
 * `and`) at the head of the query means an event without `ERROR` is dropped whatever follows, so the store need
 * not decode it (FilterLogEvents' term search does the work). The filters still run on what passes: this only
 * narrows, it never decides.
 */
import type { CompiledPattern } from '../domain/filter-pattern.js';
import type { Command, Expr } from './parse.js';

/** A regular expression that is a plain literal (no metacharacters, case-sensitive): its text is a substring test. */
const LITERAL_REGEX = /^[A-Za-z0-9 _\-:,=@#%&!'"<>~`]+$/;

function required(e: Expr): string[] {
  if (e.k === 'bin' && e.op === 'and') return [...required(e.l), ...required(e.r)];
  if (e.k !== 'like' || e.negated || e.e.k !== 'field' || e.e.name !== '@message') return [];
  const p = e.pattern;
  if (p.k === 'lit' && typeof p.v === 'string' && p.v !== '') return [p.v];
  if (p.k === 'regex' && p.re.flags.replace(/[gy]/g, '') === '' && LITERAL_REGEX.test(p.re.source)) return [p.re.source];
  return [];
}

/** The prefilter of a query, or undefined when its head says nothing about `@message`. */
export function messagePrefilter(commands: readonly Command[]): CompiledPattern | undefined {
  const terms: string[] = [];
  for (const c of commands) {
    if (c.c !== 'filter') break;
    terms.push(...required(c.expr));
  }
  if (terms.length === 0) return undefined;
  return { required: terms, match: (m) => terms.every((t) => m.includes(t)) };
}
