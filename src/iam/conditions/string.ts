/**
 * String operators. Equals/NotEquals are exact and case-sensitive, the IgnoreCase pair folds case, Like/NotLike
 * are case-sensitive globs with `*` and `?` (literal ones via `${*}`/`${?}`).
 */
import { compileTemplateGlob, parseTemplate, renderText } from '../variables.js';
import type { OperatorSpec, ValuePredicate } from './types.js';

function equalsPredicate(values: readonly string[], variables: boolean, fold: boolean): ValuePredicate {
  const templates = values.map((v) => parseTemplate(v, variables));
  if (templates.every((t) => !t.hasVariables)) {
    const set = new Set(fold ? values.map((v) => v.toLowerCase()) : values);
    return fold ? (rv) => set.has(rv.toLowerCase()) : (rv) => set.has(rv);
  }
  return (rv, ctx) => {
    const candidate = fold ? rv.toLowerCase() : rv;
    let hit = false;
    for (const t of templates) {
      const pv = renderText(t, ctx);
      if (pv === undefined) return undefined;
      if ((fold ? pv.toLowerCase() : pv) === candidate) hit = true;
    }
    return hit;
  };
}

function likePredicate(values: readonly string[], variables: boolean): ValuePredicate {
  const matchers = values.map((v) => {
    const t = parseTemplate(v, variables);
    return { fn: compileTemplateGlob(t), hasVariables: t.hasVariables, t };
  });
  return (rv, ctx) => {
    let hit = false;
    for (const m of matchers) {
      if (m.hasVariables && renderText(m.t, ctx) === undefined) return undefined;
      if (!hit && m.fn(rv, ctx)) hit = true;
    }
    return hit;
  };
}

const equals = (fold: boolean, negated: boolean): OperatorSpec => ({
  negated,
  variables: true,
  compile: (values, variables) => equalsPredicate(values, variables, fold),
});
const like = (negated: boolean): OperatorSpec => ({ negated, variables: true, compile: likePredicate });

export const StringOperators: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: equals(false, false),
  StringNotEquals: equals(false, true),
  StringEqualsIgnoreCase: equals(true, false),
  StringNotEqualsIgnoreCase: equals(true, true),
  StringLike: like(false),
  StringNotLike: like(true),
};
