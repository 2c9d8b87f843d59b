/** Numeric operators: integers or decimals; a request value that is not a number makes the test fail. */
import type { OperatorSpec, ValuePredicate } from './types.js';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | undefined {
  const s = text.trim();
  return NUMBER.test(s) ? Number(s) : undefined;
}

type Cmp = (requestValue: number, policyValue: number) => boolean;

function numeric(cmp: Cmp, negated: boolean): OperatorSpec {
  return {
    negated,
    variables: false,
    compile(values): ValuePredicate {
      // A policy value that is not a number can never match (AWS's write-time text for it is unrecorded).
      const nums = values.map(parseNumber).filter((n): n is number => n !== undefined);
      return (rv) => {
        const n = parseNumber(rv);
        if (n === undefined) return undefined;
        for (const p of nums) if (cmp(n, p)) return true;
        return false;
      };
    },
  };
}

export const NumericOperators: Readonly<Record<string, OperatorSpec>> = {
  NumericEquals: numeric((a, b) => a === b, false),
  NumericNotEquals: numeric((a, b) => a === b, true),
  NumericLessThan: numeric((a, b) => a < b, false),
  NumericLessThanEquals: numeric((a, b) => a <= b, false),
  NumericGreaterThan: numeric((a, b) => a > b, false),
  NumericGreaterThanEquals: numeric((a, b) => a >= b, false),
};
