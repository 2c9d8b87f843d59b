/**
 * Condition blocks: operator-name parsing (`ForAnyValue:` / `ForAllValues:` prefix, `IfExists` suffix), the
 * operator registry, and the uniform rules for missing keys, negation and multivalued keys
 * (reference/iam.md §3.3–3.4):
 *
 *   key absent            IfExists → true; ForAllValues → true; ForAnyValue → false; else negated ? true : false
 *   plain op, one value   base(v), negated → !base(v)
 *   plain op, list value  does not match: a list marks a multivalued key, which needs a set operator (C12 [?])
 *   ForAllValues          every request value satisfies the (possibly negated) operator
 *   ForAnyValue           at least one request value satisfies it
 *   base(v) undefined     (unparsable value, unresolvable variable) → the whole key test is false, negated or not
 */
import type { NormalizedContext } from '../types.js';
import { ArnOperators } from './arn.js';
import { BinaryOperators } from './binary.js';
import { BoolOperators } from './bool.js';
import { DateOperators } from './date.js';
import { IpOperators } from './ip.js';
import { nullTest } from './null.js';
import { NumericOperators } from './numeric.js';
import { StringOperators } from './string.js';
import type { OperatorSpec, ValuePredicate } from './types.js';

export const Operators: Readonly<Record<string, OperatorSpec>> = {
  ...StringOperators,
  ...NumericOperators,
  ...DateOperators,
  ...BoolOperators,
  ...BinaryOperators,
  ...IpOperators,
  ...ArnOperators,
};

export type SetOperator = 'ForAllValues' | 'ForAnyValue' | undefined;

export interface ParsedOperator {
  readonly name: string;
  readonly base: string;
  readonly setOperator: SetOperator;
  readonly ifExists: boolean;
}

/** Splits an operator name; undefined when it is not a known operator (canonical spelling required). */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let setOperator: SetOperator;
  if (rest.startsWith('ForAllValues:')) {
    setOperator = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    setOperator = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (rest === 'Null') return ifExists ? undefined : { name, base: rest, setOperator, ifExists };
  return Object.prototype.hasOwnProperty.call(Operators, rest) ? { name, base: rest, setOperator, ifExists } : undefined;
}

/** One `Operator: { key: values }` entry, compiled. */
export interface CompiledCondition {
  readonly operator: string;
  /** Lower-cased key. */
  readonly key: string;
  readonly values: readonly string[];
  test(ctx: NormalizedContext): boolean;
}

function evaluate(
  pred: ValuePredicate,
  negated: boolean,
  setOperator: SetOperator,
  ifExists: boolean,
  value: string | readonly string[] | undefined,
  ctx: NormalizedContext,
): boolean {
  const absent = value === undefined || (typeof value !== 'string' && value.length === 0);
  if (absent) {
    if (ifExists) return true;
    if (setOperator === 'ForAllValues') return true;
    if (setOperator === 'ForAnyValue') return false;
    return negated;
  }
  if (setOperator === undefined) {
    if (typeof value !== 'string') return false;
    const r = pred(value, ctx);
    if (r === undefined) return false;
    return negated ? !r : r;
  }
  const list: readonly string[] = typeof value === 'string' ? [value] : value;
  if (setOperator === 'ForAllValues') {
    for (const v of list) {
      const r = pred(v, ctx);
      if (r === undefined || (negated ? r : !r)) return false;
    }
    return true;
  }
  for (const v of list) {
    const r = pred(v, ctx);
    if (r !== undefined && (negated ? !r : r)) return true;
  }
  return false;
}

/** Compiles one operator/key entry. `variables` is false for 2008-10-17 documents. */
export function compileCondition(op: ParsedOperator, key: string, values: readonly string[], variables: boolean): CompiledCondition {
  const lowerKey = key.toLowerCase();
  if (op.base === 'Null') {
    return { operator: op.name, key: lowerKey, values, test: (ctx) => nullTest(values, ctx.get(lowerKey)) };
  }
  const spec = Operators[op.base]!;
  const pred = spec.compile(values, variables && spec.variables);
  const { negated } = spec;
  const { setOperator, ifExists } = op;
  return {
    operator: op.name,
    key: lowerKey,
    values,
    test: (ctx) => evaluate(pred, negated, setOperator, ifExists, ctx.get(lowerKey), ctx),
  };
}
