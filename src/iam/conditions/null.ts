/**
 * `Null`: tests presence only. `"true"` holds when the key is absent, `"false"` when it is present. An empty
 * list counts as absent. The set logic in `index.ts` does not apply: a missing key is what Null is about.
 */
export function nullTest(policyValues: readonly string[], value: string | readonly string[] | undefined): boolean {
  const absent = value === undefined || (typeof value !== 'string' && value.length === 0);
  for (const pv of policyValues) {
    const wantAbsent = pv.toLowerCase() === 'true';
    if (wantAbsent === absent) return true;
  }
  return false;
}
