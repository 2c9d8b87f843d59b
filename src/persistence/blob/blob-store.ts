/**
 * The blob store port: immutable byte sequences (S3 object bodies, multipart parts, later model artifacts)
 * named by an id the store picks. Metadata about blobs lives in the database; the store only keeps bytes.
 *
 * Contract every backend keeps (filesystem today, an S3-compatible store later):
 *   - `write` streams its source (memory stays bounded whatever the size) and resolves only once the bytes
 *     are durable; until then no id exists, so a crash or a failing source leaves nothing visible;
 *   - a blob never changes after `write` resolved; `delete` frees it (deleting an unknown id is not an error);
 *   - `sweep` removes blobs nobody references (crash leftovers) and half-written temporaries.
 *
 * The caller makes a blob visible by committing a database row that names its id, in the same transaction
 * as the rest of the object's metadata; a blob written but never referenced is an orphan for `sweep`.
 */

/** A blob that `write` finished. */
export interface StoredBlob {
  readonly id: string;
  readonly size: number;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobStore {
  /**
   * The file holding a blob's bytes, for readers that open files themselves (the query engine's DuckDB);
   * undefined when the backend keeps no local file or the id is malformed. The file must only be read.
   */
  localPath?(id: string): string | undefined;
  /**
   * Streams `source` into a new blob. When `source` throws (a checksum that fails at the end of the body, a
   * client that went away) the partial data is discarded and the error is rethrown.
   */
  write(source: AsyncIterable<Uint8Array>): Promise<StoredBlob>;
  /** The bytes of a blob, or of `range` of it. Rejects with a `BlobNotFoundError` when the blob does not exist. */
  read(id: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>;
  /** Frees a blob. Unknown ids are ignored. */
  delete(id: string): Promise<void>;
  /**
   * Deletes every blob for which `isReferenced` is false and that was written before this store was opened,
   * and every temporary left by an interrupted write. Returns how many blobs were removed.
   */
  sweep(isReferenced: (id: string) => boolean): Promise<number>;
  /** Releases resources (an ephemeral store also removes its directory). */
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`blob ${id} does not exist`);
    this.name = 'BlobNotFoundError';
  }
}
