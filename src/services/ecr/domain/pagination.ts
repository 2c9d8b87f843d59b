/**
 * nextToken/maxResults paging of DescribeRepositories, DescribeImages and ListImages: at most `maxResults`
 * items (1–1000, checked by the model; 100 when absent, as AWS documents), and an opaque `nextToken` while
 * more remain. The token names the listing and the key of the last item returned, so a page boundary
 * survives pushes and deletes between calls; a token from another listing, or not ours, is refused with
 * InvalidParameterException.
 */
import { errors } from './errors.js';

export const DEFAULT_PAGE_SIZE = 100;

interface TokenBody {
  readonly v: 1;
  /** The listing (operation, registry, repository, filter) the token belongs to. */
  readonly s: string;
  /** Key of the last item returned. */
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
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (!body || body.v !== 1 || body.s !== scope || typeof body.k !== 'string') throw errors.invalidNextToken();
  return body.k;
}

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
  const size = req.maxResults ?? DEFAULT_PAGE_SIZE;
  let start = 0;
  if (req.nextToken !== undefined && req.nextToken !== null && req.nextToken !== '') {
    const after = decodeToken(req.nextToken, scope);
    start = items.findIndex((item) => key(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return more ? { items: page, nextToken: encodeToken(scope, key(page[page.length - 1]!)) } : { items: page };
}

/** A sort key that orders by time first: epoch milliseconds padded to 15 digits, then `rest`. */
export function timeKey(ms: number, rest: string): string {
  return `${String(ms).padStart(15, '0')}/${rest}`;
}
