/**
 * CloudWatch search expressions as SEARCH() takes them: an optional schema `{Namespace,DimName,…}` (metrics of
 * that namespace with exactly those dimension names), then terms that must all match: `Key="value"` / `Key=value`
 * (Key: MetricName, Namespace or a dimension name; exact match) and bare words or quoted phrases (matched as
 * part of the namespace, metric name or any dimension name or value). Terms may be joined with AND.
 */
export interface SearchableMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export interface SearchQuery {
  readonly namespace?: string;
  readonly schemaDimensions?: readonly string[];
  readonly exact: readonly { key: string; value: string }[];
  readonly words: readonly string[];
}

export function parseSearch(src: string): SearchQuery {
  let rest = src.trim();
  let namespace: string | undefined;
  let schemaDimensions: string[] | undefined;
  const schema = /^\{([^}]*)\}/.exec(rest);
  if (schema) {
    const parts = schema[1]!.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    namespace = parts[0];
    schemaDimensions = parts.slice(1).filter((s) => s.length > 0);
    rest = rest.slice(schema[0].length);
  }
  const exact: { key: string; value: string }[] = [];
  const words: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_.:/-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|"([^"]*)"|'([^']*)'|(\S+))/g;
  for (const m of rest.matchAll(re)) {
    if (m[1] !== undefined) exact.push({ key: m[1], value: m[2] ?? m[3] ?? m[4] ?? '' });
    else {
      const w = m[5] ?? m[6] ?? m[7]!;
      if (w !== 'AND') words.push(w);
    }
  }
  return { namespace, schemaDimensions, exact, words };
}

export function matchesSearch(q: SearchQuery, m: SearchableMetric): boolean {
  if (q.namespace !== undefined && m.namespace !== q.namespace) return false;
  if (q.schemaDimensions !== undefined) {
    const names = m.dimensions.map((d) => d.Name).sort();
    const want = [...q.schemaDimensions].sort();
    if (names.length !== want.length || names.some((n, i) => n !== want[i])) return false;
  }
  for (const { key, value } of q.exact) {
    if (key === 'MetricName' ? m.metricName !== value : key === 'Namespace' ? m.namespace !== value : !m.dimensions.some((d) => d.Name === key && d.Value === value)) return false;
  }
  for (const w of q.words) {
    const hay = [m.namespace, m.metricName, ...m.dimensions.flatMap((d) => [d.Name, d.Value])];
    if (!hay.some((h) => h.toLowerCase().includes(w.toLowerCase()))) return false;
  }
  return true;
}
