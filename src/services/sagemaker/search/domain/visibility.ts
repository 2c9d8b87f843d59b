/**
 * `VisibilityConditions` (API reference, VisibilityConditions; Developer Guide, "Limit access to searchable
 * resources with visibility conditions"): a list of `{Key: "Tags.<key>", Value}`. A result that has the tag
 * `<key>` stays only if its value is one of the values given for that key; a result without the tag stays.
 *
 * The same pairs are the condition keys `sagemaker:SearchVisibilityCondition/Tags.<key>` of `sagemaker:Search`, so
 * an administrator can require them: a policy whose condition names such a key does not allow a request that
 * leaves it out. The guide's example spells the key with an `/EqualsIfExists` suffix; both spellings are filled.
 */
import type { VisibilityConditions } from '../../api.gen.js';
import type { ConditionValues } from '../../domain/authz.js';
import { errors } from '../../domain/errors.js';
import type { Tag } from '../../store.js';

const PREFIX = 'Tags.';

/** Tag key → allowed values. */
function byTagKey(conditions: readonly VisibilityConditions[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of conditions ?? []) {
    const key = c.Key ?? '';
    if (!key.startsWith(PREFIX) || key.length === PREFIX.length) continue;
    const tagKey = key.slice(PREFIX.length);
    out.set(tagKey, [...(out.get(tagKey) ?? []), c.Value ?? '']);
  }
  return out;
}

/** Refuses a condition whose key is not of the documented form `Tags.<key>`. */
export function checkVisibilityConditions(conditions: readonly VisibilityConditions[] | undefined): void {
  for (const c of conditions ?? []) {
    const key = c.Key ?? '';
    if (!key.startsWith(PREFIX) || key.length === PREFIX.length) {
      throw errors.validation(`The visibility condition key '${key}' must be in the format Tags.<key>.`);
    }
  }
}

/** A predicate on a resource's tags; every resource passes when there are no conditions. */
export function visibilityFilter(conditions: readonly VisibilityConditions[] | undefined): (tags: readonly Tag[]) => boolean {
  const wanted = byTagKey(conditions);
  if (wanted.size === 0) return () => true;
  return (tags) => tags.every((t) => !wanted.has(t.Key) || wanted.get(t.Key)!.includes(t.Value));
}

/** The condition keys a Search request carries for its visibility conditions. */
export function visibilityContext(conditions: readonly VisibilityConditions[] | undefined): ConditionValues {
  const out: ConditionValues = {};
  for (const [tagKey, list] of byTagKey(conditions)) {
    const values = list.length === 1 ? list[0]! : list;
    out[`sagemaker:SearchVisibilityCondition/${PREFIX}${tagKey}`] = values;
    out[`sagemaker:SearchVisibilityCondition/${PREFIX}${tagKey}/EqualsIfExists`] = values;
  }
  return out;
}
