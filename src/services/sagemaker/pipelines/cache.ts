/**
 * Step caching (`CacheConfig`): a Processing, Training or Transform step whose resolved arguments equal those of a
 * step of the same name that succeeded in an earlier execution of the same pipeline, within `ExpireAfter`, is not
 * run again: it succeeds at once with `CacheHitResult` naming that execution, and its properties are the earlier
 * job's. Only the members AWS lists for each step type make the key (not the outputs, which usually carry the
 * execution's id).
 */
const KEY_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  Processing: ['AppSpecification', 'Environment', 'ProcessingInputs'],
  Training: ['AlgorithmSpecification', 'CheckpointConfig', 'DebugHookConfig', 'DebugRuleConfigurations', 'Environment', 'HyperParameters', 'InputDataConfig'],
  Transform: ['DataProcessing', 'Environment', 'ModelName', 'TransformInput'],
};

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The cache key of a step's resolved arguments, or undefined for a type that is not cached. */
export function cacheKey(type: string, args: Readonly<Record<string, unknown>>): string | undefined {
  const members = KEY_MEMBERS[type];
  if (!members) return undefined;
  return stable(Object.fromEntries(members.filter((m) => args[m] !== undefined).map((m) => [m, args[m]])));
}

const DURATION = /^P?(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** `ExpireAfter` (ISO-8601 duration, `P30D`, `PT1H`, `P4DT12H`; the leading P may be missing) in ms; no value never expires. */
export function expireAfterMs(text: string | undefined): number {
  if (text === undefined || text === '') return Number.POSITIVE_INFINITY;
  const m = DURATION.exec(text.toUpperCase());
  if (!m || m.slice(1).every((x) => x === undefined)) return Number.POSITIVE_INFINITY;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return ((((y! * 365 + mo! * 30 + w! * 7 + d!) * 24 + h!) * 60 + mi!) * 60 + s!) * 1000;
}
