/**
 * nextToken/maxResults paging of DescribeRepositories, DescribeImages and ListImages: at most `maxResults`
 * items (1–1000, checked by the model; 100 when absent, as AWS documents), and an opaque `nextToken` while
 * more remain. The token names the listing and the key of the last item returned, so a page boundary
 * survives pushes and deletes between calls; a token from another listing, or not ours, is refused with
 * InvalidParameterException.
 */
import { keysetPage, type Page } from '../../../core/pagination.js';
import { errors } from './errors.js';

export const DEFAULT_PAGE_SIZE = 100;

export type { Page } from '../../../core/pagination.js';
export { encodePageToken as encodeToken } from '../../../core/pagination.js';

/**
 * One page of `items`, which must be sorted by `key` (strictly increasing as strings). `scope` binds the
 * token to one listing.
 */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  scope: string,
  req: { readonly nextToken?: string; readonly maxResults?: number },
): Page<T> {
  return keysetPage(items, key, scope, req.maxResults ?? DEFAULT_PAGE_SIZE, req.nextToken, () => errors.invalidNextToken());
}

/** A sort key that orders by time first: epoch milliseconds padded to 15 digits, then `rest`. */
export function timeKey(ms: number, rest: string): string {
  return `${String(ms).padStart(15, '0')}/${rest}`;
}
