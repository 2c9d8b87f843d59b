/**
 * NextToken/MaxResults paging as Organizations does it: at most `MaxResults` items (1–20; 20 when absent),
 * and an opaque `NextToken` while more remain. The token names the operation and the last key returned,
 * so a page boundary survives inserts and deletes between calls; a token from another operation, or
 * one that is not ours, is rejected with InvalidInputException (INVALID_NEXT_TOKEN).
 */
import { errors } from './errors.js';

export const MAX_PAGE_SIZE = 20;

interface TokenBody {
  readonly v: 1;
  /** The operation (and its scope, e.g. the parent id) the token belongs to. */
  readonly s: string;
  /** The key of the last item returned. */
  readonly k: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export function encodeToken(scope: string, lastKey: string): string {
  const body: TokenBody = { v: 1, s: scope, k: lastKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: string, scope: string): string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const b = body as Partial<TokenBody> | undefined;
  if (!b || b.v !== 1 || b.s !== scope || typeof b.k !== 'string') {
    throw errors.invalidInput('INVALID_NEXT_TOKEN', 'The specified value for NextToken is not valid.');
  }
  return b.k;
}

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
  const size = pageSize(req.MaxResults);
  let start = 0;
  if (req.NextToken !== undefined && req.NextToken !== null && req.NextToken !== '') {
    const after = decodeToken(req.NextToken, scope);
    start = items.length;
    for (let i = 0; i < items.length; i++) {
      if (key(items[i]!) > after) {
        start = i;
        break;
      }
    }
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return more ? { items: page, nextToken: encodeToken(scope, key(page[page.length - 1]!)) } : { items: page };
}
