/**
 * The contract every condition-operator family implements. A family compiles the policy values of one
 * `Operator: { key: values }` entry into a predicate on ONE request value that answers the *positive* question
 * ("does the value match at least one policy value?"). Negation, `IfExists`, missing keys and the
 * `ForAllValues:`/`ForAnyValue:` set logic are applied uniformly in `conditions/index.ts`.
 */
import type { NormalizedContext } from '../types.js';

/** true/false, or undefined when the test cannot be made (unparsable request value, unresolvable variable). */
export type ValuePredicate = (requestValue: string, ctx: NormalizedContext) => boolean | undefined;

export interface OperatorSpec {
  /** `StringNotEquals` is the negation of `StringEquals`, and so on; negated operators are true on a missing key. */
  readonly negated: boolean;
  /** Whether `${…}` in policy values is substituted (String, ARN and Bool operators) [doc]. */
  readonly variables: boolean;
  /** Compiles the policy values; may throw `PolicyError` for values AWS refuses at write time. */
  compile(values: readonly string[], variables: boolean): ValuePredicate;
}
