/**
 * Resolving a Search property name (`InferenceSpecification.Containers.Image`, `Tags.team`,
 * `HyperParameters.learning_rate`) against a search record: a dotted path into nested objects, where a list
 * on the way stands for each of its elements (the property "has" every value any element has, as the
 * SageMaker API reference describes nested properties: a plain filter on a list member matches when any
 * element matches; NestedFilters ask for one element that satisfies several filters together).
 *
 * Two member kinds are addressed by key rather than by member name:
 * - maps (`HyperParameters`, `CustomerMetadataProperties`, `Environment` …): their keys may contain dots, so at
 *   each object the longest run of segments that names a key wins (`HyperParameters.a.b` finds the key `a.b`);
 * - tag lists (`Tags: [{Key, Value}]`): `Tags.<key>` is the value of the tag `<key>` (the whole rest of the
 *   path is the key, since tag keys may contain dots and colons). `Tags.Key` / `Tags.Value` address the list's
 *   members only when no tag is named `Key` / `Value`.
 */

/** A value found at the end of a path: never an array (lists are spread), never null or undefined. */
export type Leaf = string | number | boolean | Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `[{Key, Value}, …]`: the shape every SageMaker `TagList` has. */
export function isTagList(v: unknown): v is ReadonlyArray<{ readonly Key: string; readonly Value?: string }> {
  return Array.isArray(v) && v.every((t) => isObject(t) && typeof t.Key === 'string');
}

function spread(v: unknown, out: Leaf[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) for (const x of v) spread(x, out);
  else out.push(v as Leaf);
}

function walk(value: unknown, segments: readonly string[], out: Leaf[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const element of value) walk(element, segments, out);
    return;
  }
  if (segments.length === 0) {
    spread(value, out);
    return;
  }
  if (!isObject(value)) return;
  for (let n = segments.length; n >= 1; n--) {
    const key = segments.slice(0, n).join('.');
    if (!Object.hasOwn(value, key)) continue;
    const child = value[key];
    const rest = segments.slice(n);
    if (key === 'Tags' && rest.length > 0 && isTagList(child)) {
      const tagKey = rest.join('.');
      const tagged = child.filter((t) => t.Key === tagKey);
      if (tagged.length > 0 || (tagKey !== 'Key' && tagKey !== 'Value')) {
        for (const t of tagged) spread(t.Value ?? '', out);
        return;
      }
    }
    walk(child, rest, out);
    return;
  }
}

/** Every value the dotted `path` reaches in `root` (an empty list when the property does not exist). */
export function resolvePath(root: unknown, path: string): Leaf[] {
  const out: Leaf[] = [];
  walk(root, path.split('.'), out);
  return out;
}

