/**
 * ARN operators. `ArnEquals` and `ArnLike` behave identically (as do their negations): each of the six
 * colon-delimited components is matched separately, so a `*` never absorbs a colon in the first five — unlike
 * `StringLike` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 * Variables are allowed.
 */
import { arnLikeRegexSource } from '../wildcard.js';
import { compileTemplateGlob, parseTemplate, resolveVariable } from '../variables.js';
import type { Template } from '../variables.js';
import type { NormalizedContext } from '../types.js';
import type { OperatorSpec, ValuePredicate } from './types.js';

// Substituted values and `${*}`/`${?}` escapes are literal, but the component split has to run on the
// substituted text (a variable may hold a whole ARN). Their wildcard characters travel through the split as
// private-use sentinels and come back as escaped literals.
const STAR = '\uE000';
const QUESTION = '\uE001';

function renderWithSentinels(t: Template, ctx: NormalizedContext): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'text') out += p.text;
    else {
      const v = p.kind === 'escape' ? p.char : resolveVariable(p, ctx);
      if (v === undefined) return undefined;
      out += v.replaceAll('*', STAR).replaceAll('?', QUESTION);
    }
  }
  return out;
}

function sentinelSource(pattern: string): string {
  return arnLikeRegexSource(pattern).replaceAll(STAR, '\\*').replaceAll(QUESTION, '\\?');
}

function arnPredicate(values: readonly string[], variables: boolean): ValuePredicate {
  const matchers = values.map((v) => {
    const t = parseTemplate(v, variables);
    return { t, fn: t.hasVariables ? undefined : compileTemplateGlob(t, arnLikeRegexSource) };
  });
  const cache = new Map<string, RegExp>();
  return (rv, ctx) => {
    if (!rv.startsWith('arn:')) return false;
    let hit = false;
    for (const m of matchers) {
      if (m.fn) {
        if (!hit && m.fn(rv, ctx)) hit = true;
        continue;
      }
      const pattern = renderWithSentinels(m.t, ctx);
      if (pattern === undefined) return undefined;
      if (hit) continue;
      let re = cache.get(pattern);
      if (re === undefined) {
        if (cache.size >= 256) cache.clear();
        re = new RegExp(`^${sentinelSource(pattern)}$`);
        cache.set(pattern, re);
      }
      if (re.test(rv)) hit = true;
    }
    return hit;
  };
}

const arn = (negated: boolean): OperatorSpec => ({ negated, variables: true, compile: arnPredicate });

export const ArnOperators: Readonly<Record<string, OperatorSpec>> = {
  ArnEquals: arn(false),
  ArnLike: arn(false),
  ArnNotEquals: arn(true),
  ArnNotLike: arn(true),
};
