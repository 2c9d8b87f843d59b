/**
 * Request-context normalisation. Condition keys are case-insensitive, so the caller's record becomes a map
 * with lower-cased keys once per authorization. (Not cached per object: callers may reuse and extend one
 * context record between authorizations, and a stale cache would be a silent security bug.)
 */
import { LOWER_CASE_KEYS, type AuthorizationRequest, type ConditionLookup, type NormalizedContext } from './types.js';

export function normalizeContext(context: AuthorizationRequest['context']): NormalizedContext {
  if (isLookup(context)) return context;
  const map = new Map<string, string | readonly string[]>();
  for (const key in context) {
    const v = context[key];
    if (v !== undefined) map.set(key.toLowerCase(), v);
  }
  return map;
}

function isLookup(context: AuthorizationRequest['context']): context is ConditionLookup {
  return (context as Partial<ConditionLookup>)[LOWER_CASE_KEYS] === true;
}
