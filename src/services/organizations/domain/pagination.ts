/**
 * NextToken/MaxResults paging as Organizations does it: at most `MaxResults` items (1–20; 20 when absent),
 * and an opaque `NextToken` while more remain. The token names the operation and the last key returned,
 * so a page boundary survives inserts and deletes between calls; a token from another operation, or
 * one that is not ours, is rejected with InvalidInputException (INVALID_NEXT_TOKEN).
 */
import { keysetPage, type Page } from '../../../core/pagination.js';
import { errors } from './errors.js';

export const MAX_PAGE_SIZE = 20;

export type { Page } from '../../../core/pagination.js';
export { encodePageToken as encodeToken } from '../../../core/pagination.js';

export function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === null) return MAX_PAGE_SIZE;
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw errors.invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is too small for MaxResults: the minimum is 1.');
  }
  if (maxResults > MAX_PAGE_SIZE) {
    throw errors.invalidInput('MAX_VALUE_EXCEEDED', `You provided a value that is too large for MaxResults: the maximum is ${MAX_PAGE_SIZE}.`);
  }
  return maxResults;
}

/**
 * One page of `items`, which must be sorted by `key` (strictly increasing, compared as strings).
 * `scope` binds the token to one listing (operation name plus its filter arguments).
 */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  scope: string,
  req: { readonly NextToken?: string; readonly MaxResults?: number },
): Page<T> {
  return keysetPage(items, key, scope, pageSize(req.MaxResults), req.NextToken, () =>
    errors.invalidInput('INVALID_NEXT_TOKEN', 'The specified value for NextToken is not valid.'),
  );
}
