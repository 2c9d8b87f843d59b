/**
 * `model.tar.gz` in and out (reference §4.2, §4.5): SageMaker extracts `ModelDataUrl` into the container's
 * `/opt/ml/model` before starting it, and training packs `/opt/ml/model` into one.
 *
 * Extraction uses the `tar` package (isaacs; BlueOak-1.0.0, a permissive licence, since v7): archives come from
 * users' training code (Python's tarfile writes PAX headers, GNU tar writes ././@LongLink entries), and `tar`
 * reads all of them and already refuses to write through symlinks; a hand-written USTAR reader would have to
 * re-learn each of those formats. On top of `tar`, this module refuses — rather than silently skipping — any
 * entry that would land outside the target directory (absolute paths, `..`, symlinks or hard links pointing
 * out), because a model archive that tries that is an attack, not a model. Creation writes headers with `tar`'s
 * own encoder, in memory, so tests and training need no temporary directory.
 */
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { deflateRawSync, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Header, Pax, Unpack, create } from 'tar';
import type { ReadEntry } from 'tar';

const gzipAsync = promisify(gzip);

export interface ExtractOptions {
  /** Where the archive came from (an S3 URI), for error messages. */
  readonly source?: string;
}

/**
 * Extracts a gzipped tar archive into `dir` (created if missing). Rejects with an Error whose message a user
 * understands when the archive is not a valid .tar.gz or has an entry escaping `dir`; then `dir` may hold part
 * of the archive, and the caller discards it.
 */
export async function extractModelArtifact(tarGz: Buffer | Uint8Array | Readable, dir: string, options: ExtractOptions = {}): Promise<void> {
  const what = options.source === undefined ? 'model data' : `model data ${options.source}`;
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  let refused: string | undefined;
  const unpack = new Unpack({
    cwd: root,
    strict: true,
    preserveOwner: false,
    filter: (path, entry) => {
      const why = escapes(root, path, entry as ReadEntry);
      if (why === undefined) return true;
      refused ??= `${what} has an entry ${JSON.stringify(path)} that ${why}; refusing to extract it`;
      return false;
    },
  });
  const source = tarGz instanceof Readable ? Readable.from(requireGzip(tarGz, what)) : Readable.from(requireGzip([tarGz], what));
  await new Promise<void>((resolvePromise, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      source.destroy();
      const err = e as Error & { code?: string };
      reject(err.message.startsWith(what) ? err : new Error(`${what} is not a valid .tar.gz: ${err.message}`, { cause: e }));
    };
    unpack.on('error', fail);
    source.on('error', fail);
    unpack.on('close', () => {
      if (settled) return;
      settled = true;
      resolvePromise();
    });
    source.pipe(unpack);
  });
  if (refused !== undefined) throw new Error(refused);
}

/** Passes the chunks through, failing early with a clear message when the data does not start like gzip. */
async function* requireGzip(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, what: string): AsyncGenerator<Buffer> {
  let first = true;
  let pending: Buffer | undefined;
  for await (const chunk of chunks) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (first) {
      if (pending !== undefined) buf = Buffer.concat([pending, buf]);
      if (buf.length < 2) {
        pending = buf;
        continue;
      }
      if (buf[0] !== 0x1f || buf[1] !== 0x8b) throw new Error(`${what} is not a valid .tar.gz: it is not gzip-compressed`);
      first = false;
    }
    yield buf;
  }
  if (first) throw new Error(`${what} is not a valid .tar.gz: it is ${pending === undefined || pending.length === 0 ? 'empty' : 'too short'}`);
}

/** Why an entry would end outside `root`, or undefined when it stays inside. */
function escapes(root: string, path: string, entry: ReadEntry): string | undefined {
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) return 'has an absolute path';
  const target = resolve(root, path);
  if (!inside(root, target)) return 'points outside the model directory';
  if (entry.type === 'SymbolicLink') {
    const link = entry.linkpath ?? '';
    if (isAbsolute(link)) return `is a symbolic link to the absolute path ${JSON.stringify(link)}`;
    if (!inside(root, resolve(target, '..', link))) return `is a symbolic link to ${JSON.stringify(link)}, outside the model directory`;
  }
  if (entry.type === 'Link') {
    const link = entry.linkpath ?? '';
    if (isAbsolute(link) || !inside(root, resolve(root, link))) return `is a hard link to ${JSON.stringify(link)}, outside the model directory`;
  }
  return undefined;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * A `model.tar.gz` holding `files` (path inside the archive → content), regular files with mode 0644. Paths use
 * `/`; parent directories are implied.
 * @example await createModelArtifact({ 'model.joblib': bytes, 'code/inference.py': source })
 */
export async function createModelArtifact(files: Readonly<Record<string, Buffer | Uint8Array | string>>): Promise<Buffer> {
  const blocks: Buffer[] = [];
  const mtime = new Date();
  for (const [path, content] of Object.entries(files)) {
    const normalized = posix.normalize(path);
    if (path === '' || posix.isAbsolute(path) || normalized.startsWith('../') || normalized === '..') {
      throw new Error(`createModelArtifact: ${JSON.stringify(path)} must be a relative path inside the archive`);
    }
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const fields = { path: normalized, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime, type: 'File' as const, uname: '', gname: '' };
    const header = new Header(fields);
    // encode() answers whether the header needs a PAX extension (a path longer than USTAR's 255 bytes).
    if (header.encode()) blocks.push(new Pax(fields).encode());
    blocks.push(header.block as Buffer, data);
    const padding = (512 - (data.length % 512)) % 512;
    if (padding > 0) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipAsync(Buffer.concat(blocks));
}

/**
 * A `model.tar.gz` of everything under `dir` (what training does with `/opt/ml/model`). Data that does not shrink
 * (float weights, already-compressed files) is stored at gzip level 0 — still a valid .tar.gz — because deflating
 * it costs most of a large upload's time (bench/RESULTS.md, jobs: 44 MiB/s deflating against ~350 stored).
 */
export async function createModelArtifactFromDir(dir: string): Promise<Buffer> {
  const level = (await compressesWell(dir)) ? 6 : 0;
  const chunks: Buffer[] = [];
  const stream = create({ gzip: { level }, cwd: dir, portable: true }, ['.']);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const SAMPLE_BYTES = 1 << 20;
const SMALL_TREE_BYTES = 4 << 20;

/** Whether deflating the folder is worth it: small trees always; large ones when a sample of the largest file shrinks by 10 % or more. */
async function compressesWell(dir: string): Promise<boolean> {
  let total = 0;
  let largest: { path: string; size: number } | undefined;
  const walk = async (at: string): Promise<void> => {
    for (const e of await readdir(at, { withFileTypes: true })) {
      const path = join(at, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const size = (await stat(path)).size;
        total += size;
        if (!largest || size > largest.size) largest = { path, size };
      }
    }
  };
  await walk(dir);
  if (total <= SMALL_TREE_BYTES || !largest) return true;
  const handle = await open(largest.path, 'r');
  try {
    const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, largest.size));
    await handle.read(sample, 0, sample.length, 0);
    return deflateRawSync(sample, { level: 1 }).length < sample.length * 0.9;
  } finally {
    await handle.close();
  }
}
