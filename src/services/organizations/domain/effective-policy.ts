/**
 * The effective management policy of an account (tag, backup, AI services opt-out, … policies): the policies of
 * one type attached to the root, each OU on the way down and the account itself, merged level by level with
 * Organizations' inheritance operators, operators removed from the result.
 * https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html
 *
 * - `@@assign` replaces the inherited value (arrays included); `@@append` adds to an inherited array;
 *   `@@remove` takes values out of it. A setting is an object holding one or more of them.
 * - `@@operators_allowed_for_child_policies` (`["@@all"]` by default, `["@@none"]`, or a list of operators) limits
 *   what policies further down may do at that key and everything under it; a lower level cannot widen it. An
 *   operator a level may not use is ignored there. Policies attached at the same level do not limit each other.
 *
 * Pure: takes the documents, returns the merged JSON.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const VALUE_OPS = ['@@assign', '@@append', '@@remove'] as const;
type ValueOp = (typeof VALUE_OPS)[number];
const CHILD_CONTROL = '@@operators_allowed_for_child_policies';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);
const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

/** The operators a child-control list allows. */
function allowedBy(list: Json): ReadonlySet<ValueOp> {
  const items = Array.isArray(list) ? list : [];
  if (items.includes('@@all')) return new Set(VALUE_OPS);
  return new Set(VALUE_OPS.filter((op) => items.includes(op)));
}

/**
 * Merges `levels` (policy documents per level, from the root down to the account; each level's in attachment
 * order). Undefined when no level has a policy.
 */
export function mergeEffectivePolicy(levels: readonly (readonly string[])[]): JsonObject | undefined {
  if (levels.every((l) => l.length === 0)) return undefined;
  const effective: JsonObject = {};
  /** Path (keys joined by NUL) → operators allowed there and below, from the levels already merged. */
  const limits = new Map<string, ReadonlySet<ValueOp>>();

  const allowedAt = (path: readonly string[]): ReadonlySet<ValueOp> => {
    let allowed: Set<ValueOp> = new Set(VALUE_OPS);
    for (let i = 0; i <= path.length; i++) {
      const limit = limits.get(path.slice(0, i).join('\0'));
      if (limit) allowed = new Set([...allowed].filter((op) => limit.has(op)));
    }
    return allowed;
  };

  for (const level of levels) {
    const pending: Array<{ path: string; ops: ReadonlySet<ValueOp> }> = [];
    const walk = (src: JsonObject, into: JsonObject, path: readonly string[]): void => {
      for (const [key, value] of Object.entries(src)) {
        if (key === CHILD_CONTROL) {
          pending.push({ path: path.join('\0'), ops: allowedBy(value) });
          continue;
        }
        if (key.startsWith('@@')) continue;
        const here = [...path, key];
        if (isObject(value) && VALUE_OPS.some((op) => op in value)) {
          if (CHILD_CONTROL in value) pending.push({ path: here.join('\0'), ops: allowedBy(value[CHILD_CONTROL]!) });
          const allowed = allowedAt(here);
          for (const op of VALUE_OPS) if (op in value && allowed.has(op)) apply(into, key, op, value[op]!);
        } else if (isObject(value)) {
          if (!isObject(into[key])) into[key] = {};
          walk(value, into[key] as JsonObject, here);
        } else if (allowedAt(here).has('@@assign')) {
          // A bare value sets the setting, as @@assign would.
          into[key] = clone(value);
        }
      }
    };
    for (const doc of level) {
      const parsed = JSON.parse(doc) as Json;
      if (isObject(parsed)) walk(parsed, effective, []);
    }
    for (const { path, ops } of pending) {
      const prev = limits.get(path);
      limits.set(path, prev ? new Set([...prev].filter((op) => ops.has(op))) : ops);
    }
  }
  return prune(effective);
}

function apply(into: JsonObject, key: string, op: ValueOp, value: Json): void {
  const current = into[key];
  switch (op) {
    case '@@assign':
      into[key] = clone(value);
      return;
    case '@@append': {
      const list = Array.isArray(current) ? [...current] : current === undefined ? [] : [current];
      for (const v of Array.isArray(value) ? value : [value]) if (!list.some((x) => same(x, v))) list.push(clone(v));
      into[key] = list;
      return;
    }
    case '@@remove': {
      const drop = Array.isArray(value) ? value : [value];
      if (Array.isArray(current)) into[key] = current.filter((x) => !drop.some((d) => same(x, d)));
      else if (current !== undefined && drop.some((d) => same(current, d))) delete into[key];
      return;
    }
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operator ${String(unreachable)}`);
    }
  }
}

/** Drops sections left empty (a policy that only named keys, or whose operators were all refused). */
function prune(o: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(o)) {
    if (isObject(v)) {
      prune(v);
      if (Object.keys(v).length === 0) delete o[k];
    }
  }
  return o;
}
