/**
 * Request-context normalisation. Condition keys are case-insensitive, so the caller's record becomes a map
 * with lower-cased keys once per authorization. (Not cached per object: callers may reuse and extend one
 * context record between authorizations, and a stale cache would be a silent security bug.)
 */
import type { AuthorizationRequest, NormalizedContext } from './types.js';

export function normalizeContext(context: AuthorizationRequest['context']): NormalizedContext {
  const map = new Map<string, string | readonly string[]>();
  for (const key in context) {
    const v = context[key];
    if (v !== undefined) map.set(key.toLowerCase(), v);
  }
  return map;
}
