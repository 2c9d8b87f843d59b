/**
 * Streamed request bodies (S3 PutObject / UploadPart) after authentication: the bytes the service sees are
 * checked against what the client signed while they flow, never buffered whole.
 *
 *   x-amz-content-sha256: <hex>                         → SHA-256 of the stream compared at its end
 *   x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER
 *   x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
 *        → aws-chunked decoded:  <hex size>[;chunk-signature=<sig>]\r\n <data>\r\n … 0[;…]\r\n <trailer lines>\r\n
 *          signed chunks are checked one by one (each signature chains on the previous, the first on the
 *          Authorization header's); trailer lines (`x-amz-checksum-crc32:…`) are exposed as `trailers`.
 *
 * A failing check throws from the iterator, so the consumer (the blob store) discards what it wrote.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import { BodyStream, type StreamedBody } from '../core/wire.js';
import { authError } from '../auth/sigv4-errors.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MAX_LINE = 8 * 1024;

/** The stream, hashed as it is read; at its end the SHA-256 must be `expectedHex`. */
export function checkedPayload(source: AsyncIterable<Uint8Array>, expectedHex: string): StreamedBody {
  return new BodyStream(async function* () {
    const h = createHash('sha256');
    for await (const chunk of source) {
      h.update(chunk);
      yield chunk;
    }
    const computed = h.digest('hex');
    if (computed !== expectedHex.toLowerCase()) throw authError('contentSha256Mismatch', 's3', { claimed: expectedHex, computed });
  });
}

/** What signed chunks chain on. */
export interface ChunkSigning {
  readonly signingKey: Buffer;
  /** The Authorization header's signature: the "previous signature" of the first chunk. */
  readonly seedSignature: string;
  readonly amzDate: string;
  /** `yyyymmdd/region/s3/aws4_request`. */
  readonly scope: string;
  readonly accessKeyId: string;
}

export interface AwsChunkedOptions {
  /** Set for STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER): every chunk (and the trailer) must carry a valid signature. */
  readonly signing?: ChunkSigning;
  /** `x-amz-decoded-content-length`, checked against the decoded size when present. */
  readonly decodedLength?: number;
}

const incomplete = () =>
  new AwsError('IncompleteBody', 'The request body terminated unexpectedly', { status: 400 });

/** Reads lines and counted byte runs from an async byte stream, copying only to join a line split across chunks. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
    return true;
  }

  /** The next line without its CRLF; undefined at a clean end of stream. */
  async line(): Promise<string | undefined> {
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) {
        const s = this.buf.subarray(0, i).toString('latin1');
        this.buf = this.buf.subarray(i + 2);
        return s;
      }
      if (this.buf.length > MAX_LINE) throw incomplete();
      if (!(await this.fill())) {
        if (this.buf.length === 0) return undefined;
        const s = this.buf.toString('latin1');
        this.buf = Buffer.alloc(0);
        return s;
      }
    }
  }

  /** Exactly `n` bytes, in pieces as they arrive. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw incomplete();
      const piece = this.buf.length <= left ? this.buf : this.buf.subarray(0, left);
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  async expectCrlf(): Promise<void> {
    while (this.buf.length < 2) if (!(await this.fill())) throw incomplete();
    if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw incomplete();
    this.buf = this.buf.subarray(2);
  }
}

function hmacHex(key: Buffer, s: string): string {
  return createHmac('sha256', key).update(s).digest('hex');
}

function sameSignature(expected: string, got: string): boolean {
  return expected.length === got.length && timingSafeEqual(Buffer.from(expected), Buffer.from(got));
}

function signatureMismatch(signing: ChunkSigning, provided: string, stringToSign: string): AwsError {
  return authError('signatureMismatch', 's3', { accessKeyId: signing.accessKeyId, signatureProvided: provided, stringToSign, canonicalRequest: '' });
}

function parseChunkHeader(line: string): { size: number; signature?: string } {
  const semi = line.indexOf(';');
  const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw incomplete();
  const size = parseInt(hex, 16);
  if (semi < 0) return { size };
  const ext = line.slice(semi + 1).trim();
  const m = /^chunk-signature=([0-9a-f]{64})$/.exec(ext);
  return m ? { size, signature: m[1] } : { size };
}

/** Decodes an aws-chunked body; see the module comment. */
export function decodeAwsChunked(source: AsyncIterable<Uint8Array>, options: AwsChunkedOptions = {}): StreamedBody {
  const trailers: Record<string, string> = {};
  const { signing } = options;
  return new BodyStream(
    async function* () {
      const reader = new ByteReader(source);
      let previous = signing?.seedSignature ?? '';
      let total = 0;
      for (;;) {
        const header = await reader.line();
        if (header === undefined) throw incomplete();
        const { size, signature } = parseChunkHeader(header);
        if (signing && signature === undefined) throw signatureMismatch(signing, '', '');
        const hash = signing ? createHash('sha256') : undefined;
        for await (const piece of reader.take(size)) {
          hash?.update(piece);
          total += piece.length;
          yield piece;
        }
        if (signing && hash) {
          const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previous}\n${EMPTY_SHA256}\n${hash.digest('hex')}`;
          const expected = hmacHex(signing.signingKey, sts);
          if (!sameSignature(expected, signature!)) throw signatureMismatch(signing, signature!, sts);
          previous = expected;
        }
        if (size === 0) break;
        await reader.expectCrlf();
      }
      // Trailer: header lines until an empty line or the end of the stream.
      let trailerText = '';
      let trailerSignature: string | undefined;
      for (;;) {
        const line = await reader.line();
        if (line === undefined || line === '') break;
        const colon = line.indexOf(':');
        if (colon <= 0) throw incomplete();
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'x-amz-trailer-signature') {
          trailerSignature = value;
          continue;
        }
        trailers[name] = value;
        trailerText += `${name}:${value}\n`;
      }
      if (signing && trailerSignature !== undefined) {
        const sts = `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${previous}\n${createHash('sha256').update(trailerText).digest('hex')}`;
        const expected = hmacHex(signing.signingKey, sts);
        if (!sameSignature(expected, trailerSignature)) throw signatureMismatch(signing, trailerSignature, sts);
      }
      if (options.decodedLength !== undefined && options.decodedLength !== total) throw incomplete();
    },
    trailers,
  );
}
