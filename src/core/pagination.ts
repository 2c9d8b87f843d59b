/**
 * Keyset paging behind AWS's opaque `NextToken`s. A token names the listing it belongs to (`scope`: the
 * operation plus its filters) and the key of the last item returned, so a page boundary survives inserts
 * and deletes between calls, and a token from another listing is refused. Each service keeps its own
 * page-size rules and error for a bad token.
 */
interface TokenBody {
  readonly v: 1;
  readonly s: string;
  readonly k: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export function encodePageToken(scope: string, lastKey: string): string {
  const body: TokenBody = { v: 1, s: scope, k: lastKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The last key a token carries, or undefined when the token is not ours or belongs to another listing. */
export function decodePageToken(token: string, scope: string): string | undefined {
  let b: Partial<TokenBody> | undefined;
  try {
    b = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    return undefined;
  }
  return b && b.v === 1 && b.s === scope && typeof b.k === 'string' ? b.k : undefined;
}

/**
 * One page of `items`, which must be sorted by `key` (strictly increasing as strings), starting after the
 * key in `token`. `invalidToken` builds the service's error for a token that does not decode.
 */
export function keysetPage<T>(
  items: readonly T[],
  key: (item: T) => string,
  scope: string,
  size: number,
  token: string | undefined | null,
  invalidToken: () => Error,
): Page<T> {
  let start = 0;
  if (token !== undefined && token !== null && token !== '') {
    const after = decodePageToken(token, scope);
    if (after === undefined) throw invalidToken();
    start = items.findIndex((item) => key(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return more ? { items: page, nextToken: encodePageToken(scope, key(page[page.length - 1]!)) } : { items: page };
}
