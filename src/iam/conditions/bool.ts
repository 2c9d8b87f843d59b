/** `Bool`: `"true"`/`"false"` (JSON booleans are stringified at compile time); variables allowed [doc]. */
import { parseTemplate, renderText } from '../variables.js';
import type { OperatorSpec } from './types.js';

export const BoolOperators: Readonly<Record<string, OperatorSpec>> = {
  Bool: {
    negated: false,
    variables: true,
    compile(values, variables) {
      const templates = values.map((v) => parseTemplate(v, variables));
      if (templates.every((t) => !t.hasVariables)) {
        const wanted = new Set(values.map((v) => v.toLowerCase()));
        return (rv) => wanted.has(rv.toLowerCase());
      }
      return (rv, ctx) => {
        let hit = false;
        for (const t of templates) {
          const pv = renderText(t, ctx);
          if (pv === undefined) return undefined;
          if (pv.toLowerCase() === rv.toLowerCase()) hit = true;
        }
        return hit;
      };
    },
  },
};
