/**
 * The filesystem blob store (the default, under `<dataDir>/blobs`):
 *
 *   write:  <root>/tmp/<id>  ──(bytes, fsync)──►  rename  ──►  <root>/<id[0..1]>/<id>  ──►  fsync(dir)
 *
 * A blob exists only after the rename, and the rename happens only after the file's bytes reached the disk,
 * so neither a failing source nor `kill -9` can leave a half blob under a visible name (at worst a temporary
 * in `tmp/`, or a finished blob no row references yet: both are removed by `sweep` on the next start).
 * Writes are double-buffered: the next chunks are read from the source while the previous batch is written,
 * with at most two batches (2 × 1 MiB) in memory.
 */
import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobNotFoundError, type BlobStore, type ByteRange, type StoredBlob } from './blob-store.js';

const BATCH_BYTES = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;
const ID = /^[0-9a-f]{32}$/;

export interface FsBlobStoreOptions {
  /** Remove the whole directory on `close()` (for `--ephemeral`). */
  readonly removeOnClose?: boolean;
  /** Skip fsync (tests and benchmarks that measure the cost of durability only). Default false. */
  readonly noSync?: boolean;
}

async function writeFully(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    let { bytesWritten } = await fh.writev(pending);
    const rest: Uint8Array[] = [];
    for (const c of pending) {
      if (bytesWritten >= c.length) {
        bytesWritten -= c.length;
        continue;
      }
      rest.push(bytesWritten > 0 ? c.subarray(bytesWritten) : c);
      bytesWritten = 0;
    }
    pending = rest;
  }
}

async function syncDir(path: string): Promise<void> {
  const dir = await open(path, constants.O_RDONLY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** A blob store rooted at `root` (created when missing). */
export async function createFsBlobStore(root: string, options: FsBlobStoreOptions = {}): Promise<BlobStore> {
  const tmp = join(root, 'tmp');
  await mkdir(tmp, { recursive: true });
  // File times come from a coarse kernel clock that may lag Date.now() by a tick: keep a margin so a blob
  // written just after opening is never taken for a leftover of an earlier run.
  const openedAt = Date.now() - 2000;
  const shards = new Set<string>();
  const sync = !options.noSync;
  const pathOf = (id: string) => join(root, id.slice(0, 2), id);

  async function shard(id: string): Promise<string> {
    const dir = join(root, id.slice(0, 2));
    if (!shards.has(dir)) {
      await mkdir(dir, { recursive: true });
      shards.add(dir);
    }
    return dir;
  }

  return {
    async write(source) {
      const id = randomUUID().replace(/-/g, '');
      const temp = join(tmp, id);
      const fh = await open(temp, 'wx');
      let size = 0;
      let closed = false;
      try {
        let batch: Uint8Array[] = [];
        let batchBytes = 0;
        let inflight: Promise<void> | undefined;
        for await (const chunk of source) {
          if (chunk.length === 0) continue;
          batch.push(chunk);
          batchBytes += chunk.length;
          size += chunk.length;
          if (batchBytes >= BATCH_BYTES) {
            await inflight;
            inflight = writeFully(fh, batch);
            batch = [];
            batchBytes = 0;
          }
        }
        await inflight;
        if (batch.length > 0) await writeFully(fh, batch);
        if (sync) await fh.sync();
        closed = true;
        await fh.close();
        const dir = await shard(id);
        await rename(temp, join(dir, id));
        if (sync) await syncDir(dir);
        return { id, size } satisfies StoredBlob;
      } catch (e) {
        if (!closed) await fh.close().catch(() => undefined);
        await rm(temp, { force: true }).catch(() => undefined);
        throw e;
      }
    },

    localPath: (id: string) => (ID.test(id) ? pathOf(id) : undefined),

    async read(id: string, range?: ByteRange) {
      if (!ID.test(id)) throw new BlobNotFoundError(id);
      let fh: FileHandle;
      try {
        fh = await open(pathOf(id), 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(id);
        throw e;
      }
      if (range && range.end < range.start) {
        await fh.close();
        return (async function* () {})();
      }
      // The stream owns the descriptor from here and closes it when done or destroyed.
      return createReadStream('', { fd: fh, start: range?.start, end: range?.end, highWaterMark: READ_CHUNK, autoClose: true });
    },

    async delete(id) {
      if (!ID.test(id)) return;
      await unlink(pathOf(id)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    },

    async sweep(isReferenced) {
      let removed = 0;
      for (const name of await readdir(tmp)) {
        const p = join(tmp, name);
        const st = await stat(p).catch(() => undefined);
        if (st && st.mtimeMs < openedAt) await rm(p, { force: true });
      }
      for (const dir of await readdir(root)) {
        if (!/^[0-9a-f]{2}$/.test(dir)) continue;
        for (const id of await readdir(join(root, dir))) {
          if (!ID.test(id) || isReferenced(id)) continue;
          const p = join(root, dir, id);
          const st = await stat(p).catch(() => undefined);
          if (!st || st.mtimeMs >= openedAt) continue;
          await rm(p, { force: true });
          removed++;
        }
      }
      return removed;
    },

    async close() {
      if (options.removeOnClose) await rm(root, { recursive: true, force: true });
    },
  };
}

/** A store in a fresh temporary directory that disappears on `close()` (`--ephemeral`). */
export async function createEphemeralBlobStore(): Promise<BlobStore> {
  const dir = await mkdtemp(join(tmpdir(), 'mlzone-blobs-'));
  return createFsBlobStore(dir, { removeOnClose: true });
}
