/**
 * Search expressions: checking them as AWS does before searching, then evaluating them on one record.
 *
 * Semantics (SageMaker API reference: Search, SearchExpression, Filter, NestedFilters):
 * - an expression combines its Filters, NestedFilters and SubExpressions with `Operator` And (default) or Or,
 *   and must contain at least one of them;
 * - at most 50 Filters, NestedFilters and SubExpressions in the whole request, counted recursively (each list
 *   holds at most 20, which the codec checks from the model); a NestedFilters counts once, its own Filters not;
 * - a Filter with a Value and no Operator means Equals; with neither, it asks that the property exist (the
 *   reference's older wording: "the filter searches for only the specified property");
 * - a property reached through a list matches when any element matches; NotEquals and NotExists are the
 *   negations of Equals and Exists (so a record without the property satisfies NotEquals, as a `must_not`
 *   query does in the search index behind the API);
 * - NestedFilters: one element of the list named by NestedPropertyName must satisfy all its Filters, whose
 *   names start with that property name (`InputDataConfig.ChannelName` under `InputDataConfig`);
 * - Contains may appear once per request ("'CONTAINS' operator usage limit of 1 exceeded."); the exemption the
 *   reference lists concerns Experiment, Trial and TrialComponent properties, which mlzone does not keep.
 */
import type { Filter, NestedFilters, SearchExpression } from '../../api.gen.js';
import { errors } from '../../domain/errors.js';
import { resolvePath, type Leaf } from './path.js';
import { isKnownProperty, propertyValues, type SearchableResource } from './resources.js';
import { compare, isOrderedValue, type Comparison } from './values.js';

export const MAX_EXPRESSION_ELEMENTS = 50;

const RANGE = new Set(['GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo']);

type Op = Comparison | 'NotEquals' | 'Exists' | 'NotExists';

/** The operator a filter means: an omitted one is Equals with a Value, Exists without. */
export function operatorOf(f: Filter): Op {
  if (f.Operator !== undefined) return f.Operator as Op;
  return f.Value === undefined ? 'Exists' : 'Equals';
}

interface Tally {
  elements: number;
  contains: number;
}

function checkFilter(resource: SearchableResource | undefined, f: Filter, tally: Tally, nestedUnder?: string): void {
  const op = operatorOf(f);
  if (op === 'Contains') tally.contains++;
  if (nestedUnder !== undefined) {
    if (!f.Name.startsWith(`${nestedUnder}.`)) {
      throw errors.validation(`The filter name ${f.Name} must start with the nested property name ${nestedUnder} followed by a period.`);
    }
  } else if (resource !== undefined && !isKnownProperty(resource, f.Name)) {
    throw errors.validation(`Unknown property name: ${f.Name}`);
  }
  if (op !== 'Exists' && op !== 'NotExists' && f.Value === undefined) {
    throw errors.validation(`The filter on ${f.Name} with the operator ${op} must have a Value.`);
  }
  if (RANGE.has(op) && !isOrderedValue(f.Value!)) {
    throw errors.validation(`The ${op} operator is not supported for text properties: the filter on ${f.Name} has the value '${f.Value}'.`);
  }
}

function checkNested(resource: SearchableResource | undefined, n: NestedFilters, tally: Tally): void {
  if (resource !== undefined && !isKnownProperty(resource, n.NestedPropertyName)) {
    throw errors.validation(`Unknown property name: ${n.NestedPropertyName}`);
  }
  for (const f of n.Filters) checkFilter(resource, f, tally, n.NestedPropertyName);
}

function checkOne(resource: SearchableResource | undefined, e: SearchExpression, tally: Tally): void {
  const filters = e.Filters ?? [];
  const nested = e.NestedFilters ?? [];
  const subs = e.SubExpressions ?? [];
  if (filters.length + nested.length + subs.length === 0) {
    throw errors.validation('A SearchExpression must contain at least one subexpression, filter, or nested filter.');
  }
  tally.elements += filters.length + nested.length + subs.length;
  if (tally.elements > MAX_EXPRESSION_ELEMENTS) {
    throw errors.validation(
      `The maximum number of recursive SubExpressions, NestedFilters, and Filters that can be included in a SearchExpression object is ${MAX_EXPRESSION_ELEMENTS}.`,
    );
  }
  for (const f of filters) checkFilter(resource, f, tally);
  for (const n of nested) checkNested(resource, n, tally);
  for (const s of subs) checkOne(resource, s, tally);
}

/**
 * Refuses an expression AWS would refuse. `resource` is undefined for resources mlzone does not keep: their
 * property names are not checked (they match nothing anyway).
 */
export function checkExpression(resource: SearchableResource | undefined, e: SearchExpression | undefined): void {
  if (e === undefined) return;
  const tally: Tally = { elements: 0, contains: 0 };
  checkOne(resource, e, tally);
  if (tally.contains > 1) throw errors.validation("'CONTAINS' operator usage limit of 1 exceeded.");
}

function holds(leaves: readonly Leaf[], f: Filter): boolean {
  const op = operatorOf(f);
  switch (op) {
    case 'Exists':
      return leaves.length > 0;
    case 'NotExists':
      return leaves.length === 0;
    case 'NotEquals':
      return !leaves.some((l) => compare(l, 'Equals', f.Value!));
    default:
      return leaves.some((l) => compare(l, op, f.Value!));
  }
}

function nestedHolds(resource: SearchableResource, body: Readonly<Record<string, unknown>>, n: NestedFilters): boolean {
  const prefix = n.NestedPropertyName.length + 1;
  return propertyValues(resource, body, n.NestedPropertyName).some((element) =>
    n.Filters.every((f) => holds(resolvePath(element, f.Name.slice(prefix)), f)),
  );
}

/** Whether the record body satisfies a checked expression (no expression: every record). */
export function matches(resource: SearchableResource, body: Readonly<Record<string, unknown>>, e: SearchExpression | undefined): boolean {
  if (e === undefined) return true;
  const parts: Array<() => boolean> = [
    ...(e.Filters ?? []).map((f) => () => holds(propertyValues(resource, body, f.Name), f)),
    ...(e.NestedFilters ?? []).map((n) => () => nestedHolds(resource, body, n)),
    ...(e.SubExpressions ?? []).map((s) => () => matches(resource, body, s)),
  ];
  return e.Operator === 'Or' ? parts.some((p) => p()) : parts.every((p) => p());
}
