/**
 * Object bytes in and out. In: the request body (a stream for PutObject/UploadPart, bytes otherwise) is
 * digested while the blob store writes it; Content-MD5 and flexible checksums (header or aws-chunked
 * trailer) are compared at its end, *inside* the stream, so a mismatch makes the blob store discard the
 * data. Out: an object's segments (one blob per part) read back to back, cut to a byte range.
 */
import { BodyStream, type StreamedBody } from '../../core/wire.js';
import type { BlobStore, ByteRange } from '../../persistence/blob/blob-store.js';
import { isChecksumAlgorithm, isWellFormedChecksum, newDigest, type ChecksumAlgorithm, type Digest } from './domain/checksum.js';
import { s3Errors } from './domain/errors.js';
import type { Segment } from './records.js';

export interface BodyChecks {
  /** Content-MD5 header (base64). */
  readonly contentMd5?: string;
  /** `x-amz-sdk-checksum-algorithm` / ChecksumAlgorithm. */
  readonly algorithm?: string;
  /** Checksum values sent as headers, by algorithm. */
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** Content-Length the client declared for the (decoded) object, when known. */
  readonly contentLength?: number;
}

export interface BodyDigests {
  readonly size: number;
  readonly md5Hex: string;
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

/** Validates what can be validated before reading (malformed Content-MD5 / checksum values). */
export function precheck(c: BodyChecks): void {
  if (c.contentMd5 !== undefined && Buffer.from(c.contentMd5, 'base64').length !== 16) throw s3Errors.invalidDigest();
  for (const [alg, v] of Object.entries(c.checksums)) {
    if (v !== undefined && !isWellFormedChecksum(alg as ChecksumAlgorithm, v)) throw s3Errors.invalidChecksum(alg);
  }
}

function asIterable(body: unknown): AsyncIterable<Uint8Array> {
  if (body === undefined || body === null) return (async function* () {})();
  if (body instanceof Uint8Array) return (async function* () { yield body; })();
  if (typeof body === 'string') return (async function* () { yield Buffer.from(body); })();
  return body as AsyncIterable<Uint8Array>;
}

/**
 * The body as a source for the blob store, digesting as it flows; `result()` is valid once the store resolved.
 * Which flexible checksum is computed: the algorithm named by the request, else the one whose header was sent.
 */
export function digestingSource(body: unknown, checks: BodyChecks): { source: AsyncIterable<Uint8Array>; result: () => BodyDigests } {
  const named = checks.algorithm?.toUpperCase();
  const algorithm: ChecksumAlgorithm | undefined = isChecksumAlgorithm(named)
    ? (named as ChecksumAlgorithm)
    : (Object.keys(checks.checksums).find((a) => checks.checksums[a as ChecksumAlgorithm] !== undefined) as ChecksumAlgorithm | undefined);
  let digests: BodyDigests | undefined;
  const iterable = asIterable(body);
  const source = new BodyStream(
    async function* () {
      const md5 = newDigest('MD5');
      const sum: Digest | undefined = algorithm ? newDigest(algorithm) : undefined;
      let size = 0;
      for await (const chunk of iterable) {
        md5.update(chunk);
        sum?.update(chunk);
        size += chunk.length;
        yield chunk;
      }
      if (checks.contentLength !== undefined && size < checks.contentLength) throw s3Errors.incompleteBody();
      const md5Raw = md5.digest();
      if (checks.contentMd5 !== undefined && !md5Raw.equals(Buffer.from(checks.contentMd5, 'base64'))) throw s3Errors.badDigest();
      let checksum: BodyDigests['checksum'];
      if (algorithm && sum) {
        const value = sum.digest().toString('base64');
        const trailers = (iterable as StreamedBody).trailers;
        const expected = checks.checksums[algorithm] ?? trailers?.[`x-amz-checksum-${algorithm.toLowerCase()}`];
        if (expected !== undefined && expected !== value) throw s3Errors.checksumMismatch(algorithm);
        checksum = { algorithm, value };
      }
      digests = { size, md5Hex: md5Raw.toString('hex'), ...(checksum ? { checksum } : {}) };
    },
  );
  return {
    source,
    result: () => {
      if (!digests) throw new Error('body not read to its end');
      return digests;
    },
  };
}

/** The bytes of an object (or `range` of it) from its segments, opening each blob only when reached. */
export async function readSegments(blobs: BlobStore, segments: readonly Segment[], range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
  const start = range?.start ?? 0;
  const total = segments.reduce((n, s) => n + s.size, 0);
  const end = range?.end ?? total - 1;
  const pieces: Array<{ blob: string; range: ByteRange }> = [];
  let offset = 0;
  for (const s of segments) {
    const segStart = offset;
    const segEnd = offset + s.size - 1;
    offset += s.size;
    if (s.size === 0 || segEnd < start || segStart > end) continue;
    pieces.push({ blob: s.blob, range: { start: Math.max(start, segStart) - segStart, end: Math.min(end, segEnd) - segStart } });
  }
  // Open the first blob now so that a missing blob fails before the response starts.
  const first = pieces.length > 0 ? await blobs.read(pieces[0].blob, pieces[0].range) : undefined;
  return new BodyStream(async function* () {
    for (let i = 0; i < pieces.length; i++) {
      const stream = i === 0 ? first! : await blobs.read(pieces[i].blob, pieces[i].range);
      yield* stream;
    }
  });
}
