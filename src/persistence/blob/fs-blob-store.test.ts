import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, createFsBlobStore } from './index.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mlzone-blob-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function* chunks(total: number, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  let sent = 0;
  while (sent < total) {
    const n = Math.min(size, total - sent);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (sent + i) % 251;
    sent += n;
    yield b;
  }
}

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

function blobFiles(root: string): string[] {
  return readdirSync(root)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(root, d)));
}

describe('filesystem blob store', () => {
  it('writes, reads whole and by range, and deletes', async () => {
    const store = await createFsBlobStore(freshDir());
    const { id, size } = await store.write(chunks(3_000_000));
    expect(size).toBe(3_000_000);
    const all = await collect(await store.read(id));
    expect(createHash('md5').update(all).digest('hex')).toBe(createHash('md5').update(await collect(chunks(3_000_000))).digest('hex'));
    const mid = await collect(await store.read(id, { start: 1_000_000, end: 1_000_009 }));
    expect([...mid]).toEqual([...all.subarray(1_000_000, 1_000_010)]);
    expect((await collect(await store.read(id, { start: 2_999_999, end: 2_999_999 }))).length).toBe(1);
    await store.delete(id);
    await expect(store.read(id)).rejects.toBeInstanceOf(BlobNotFoundError);
    await store.delete(id); // idempotent
  });

  it('an empty source makes an empty blob', async () => {
    const store = await createFsBlobStore(freshDir());
    const { id, size } = await store.write(chunks(0));
    expect(size).toBe(0);
    expect((await collect(await store.read(id))).length).toBe(0);
  });

  it('a source that fails leaves nothing behind (the rename never happens)', async () => {
    const root = freshDir();
    const store = await createFsBlobStore(root);
    async function* failing() {
      yield* chunks(2_500_000);
      throw new Error('checksum mismatch');
    }
    await expect(store.write(failing())).rejects.toThrow('checksum mismatch');
    expect(blobFiles(root)).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('delete frees the space on disk', async () => {
    const root = freshDir();
    const store = await createFsBlobStore(root);
    const free = () => {
      const s = statfsSync(root);
      return s.bavail * s.bsize;
    };
    const before = free();
    const { id } = await store.write(chunks(64 * 1024 * 1024, 1024 * 1024));
    const during = free();
    expect(before - during).toBeGreaterThan(48 * 1024 * 1024);
    await store.delete(id);
    expect(free() - during).toBeGreaterThan(48 * 1024 * 1024);
  });

  it('sweep removes unreferenced blobs and stale temporaries written before the store opened', async () => {
    const root = freshDir();
    const first = await createFsBlobStore(root);
    const kept = await first.write(chunks(10));
    const orphan = await first.write(chunks(10));
    const past = new Date(Date.now() - 60_000);
    for (const id of [kept.id, orphan.id]) utimesSync(join(root, id.slice(0, 2), id), past, past);
    const second = await createFsBlobStore(root);
    const fresh = await second.write(chunks(10)); // written after opening: never swept
    expect(await second.sweep((id) => id === kept.id)).toBe(1);
    expect(blobFiles(root).sort()).toEqual([kept.id, fresh.id].sort());
  });

  it('kill -9 in the middle of a write leaves no visible blob; the next start sweeps the temporary', async () => {
    const root = freshDir();
    const script = `
      import { createFsBlobStore } from ${JSON.stringify(new URL('./fs-blob-store.ts', import.meta.url).pathname)};
      const store = await createFsBlobStore(${JSON.stringify(root)});
      async function* slow() {
        for (let i = 0; ; i++) {
          yield Buffer.alloc(1024 * 1024, i);
          if (i === 3) process.stdout.write('writing\\n');
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      await store.write(slow());
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(blobFiles(root)).toEqual([]);
    const temps = readdirSync(join(root, 'tmp'));
    expect(temps.length).toBe(1);
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'tmp', temps[0]), past, past);
    const reopened = await createFsBlobStore(root);
    await reopened.sweep(() => false);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  }, 20_000);

  it('an ephemeral store removes its directory on close', async () => {
    const root = join(freshDir(), 'eph');
    const store = await createFsBlobStore(root, { removeOnClose: true });
    await store.write(chunks(5));
    await store.close();
    expect(existsSync(root)).toBe(false);
  });
});
