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
  /** The whole body; empty when `bodyStream` carries it. */
  readonly body: Buffer;
  /**
   * The body as it arrives, for operations with a streaming blob payload (S3 PutObject, UploadPart): the
   * server sets it instead of buffering, the gateway replaces it with the decoded, checked stream.
   */
  readonly bodyStream?: StreamedBody;
}

/** A request body read as a stream, with what only its end can tell (aws-chunked trailers). */
export interface StreamedBody extends AsyncIterable<Uint8Array> {
  /** Trailing headers of an aws-chunked body (`x-amz-checksum-crc32` …), lower-cased; complete once the stream ended. */
  readonly trailers?: Readonly<Record<string, string>>;
}

/**
 * A body stream as a class instance (not a plain object), so that code walking inputs and outputs for
 * parameters (the audit trail) treats it as opaque bytes. `open` is called once per iteration.
 */
export class BodyStream implements StreamedBody {
  constructor(
    private readonly open: () => AsyncIterator<Uint8Array>,
    readonly trailers?: Readonly<Record<string, string>>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.open();
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
  /** A body written as it is produced (S3 GetObject), with backpressure; `body` is then empty. */
  bodyStream?: AsyncIterable<Uint8Array>;
}

/** First value of a query parameter, or undefined. */
export function queryParam(req: WireRequest, name: string): string | undefined {
  for (const [k, v] of req.query) if (k === name) return v;
  return undefined;
}
