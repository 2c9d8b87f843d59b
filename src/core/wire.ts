/**
 * An HTTP request/response as the codecs and the SigV4 verifier see them: bytes and strings, no sockets.
 * The gateway builds a `WireRequest` from `node:http` and writes a `WireResponse` back.
 */
export interface WireRequest {
  readonly method: string;
  /** The path exactly as sent, still percent-encoded, without the query string (`/my-bucket/k%201`). */
  readonly rawPath: string;
  /** The raw query string without `?` (`a=1&b=x%20y`); empty when absent. */
  readonly rawQuery: string;
  /** Query parameters decoded with decodeURIComponent (a `+` stays a `+`), in order of appearance. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Header names lower-cased; repeated headers joined with `,` as SigV4 requires. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** First value of a query parameter, or undefined. */
export function queryParam(req: WireRequest, name: string): string | undefined {
  for (const [k, v] of req.query) if (k === name) return v;
  return undefined;
}
