/**
 * LF-Tags (tag-based access control), the pure part: tag expressions, inheritance (database → table → column,
 * each level overriding its parent per key, as Lake Formation does) and matching a resource against an
 * `LFTagPolicy` expression. Keys and values are compared in lower case: Lake Formation stores them so.
 */
import { AwsError } from '../../core/errors.js';
import type { LFTag } from './api.gen.js';

/** The tags on one resource: key → its single value (a resource carries at most one value per key). */
export type TagSet = Readonly<Record<string, string>>;

/** An expression normalised: keys sorted, values sorted and unique. AND across keys, OR within a key. */
export type TagExpression = readonly { readonly key: string; readonly values: readonly string[] }[];

/** What is directly assigned on a table, its database and its columns (the owner's catalog). */
export interface AssignedTags {
  readonly database: TagSet;
  readonly table: TagSet;
  readonly columns: Readonly<Record<string, TagSet>>;
}

/** Lake Formation's quota of values one LF-Tag key holds. */
export const MAX_VALUES_PER_KEY = 1000;
/** Lake Formation's quota of LF-Tags assigned to one resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

export function normaliseExpression(expression: readonly LFTag[]): TagExpression {
  if (!expression.length) throw new AwsError('InvalidInputException', 'Expression cannot be empty.');
  const byKey = new Map<string, Set<string>>();
  for (const t of expression) {
    const key = t.TagKey.toLowerCase();
    if (byKey.has(key)) throw new AwsError('InvalidInputException', 'Provided list of tags contains duplicate tag key');
    if (!t.TagValues.length) throw new AwsError('InvalidInputException', `Tag values of ${t.TagKey} cannot be empty.`);
    byKey.set(key, new Set(t.TagValues.map((v) => v.toLowerCase())));
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, values]) => ({ key, values: [...values].sort() }));
}

export const expressionView = (e: TagExpression): LFTag[] => e.map((t) => ({ TagKey: t.key, TagValues: [...t.values] }));

/** `{classification=[public]; team=[a,b]}` for messages and `mlzone explain`. */
export const expressionText = (e: TagExpression): string => `{${e.map((t) => `${t.key}=[${t.values.join(',')}]`).join('; ')}}`;

/** The parent's tags with the child's own overriding them per key. */
export const inherit = (parent: TagSet, own: TagSet | undefined): TagSet => ({ ...parent, ...(own ?? {}) });

export const tableTags = (a: AssignedTags): TagSet => inherit(a.database, a.table);
export const columnTags = (a: AssignedTags, column: string): TagSet => inherit(tableTags(a), a.columns[column]);

/** Every key of the expression is on the resource with one of its values (`*`: any value of that key). */
export function matches(e: TagExpression, tags: TagSet): boolean {
  return e.every((t) => {
    const v = tags[t.key];
    return v !== undefined && (t.values.includes('*') || t.values.includes(v));
  });
}

/** The table's columns whose (inherited) tags match: what an LFTagPolicy TABLE grant of SELECT reads. */
export const matchingColumns = (e: TagExpression, a: AssignedTags, columns: readonly string[]): string[] => columns.filter((c) => matches(e, columnTags(a, c)));

/** Tag pairs as the API shows them. */
export const pairs = (catalogId: string, tags: TagSet) =>
  Object.keys(tags)
    .sort()
    .map((k) => ({ CatalogId: catalogId, TagKey: k, TagValues: [tags[k]!] }));
