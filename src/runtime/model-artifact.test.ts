import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelArtifact, createModelArtifactFromDir, extractModelArtifact } from './model-artifact.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-artifact-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`, 'model');

/** A hand-made archive, for entries createModelArtifact refuses to write. */
function rawTarGz(entries: { path: string; type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory'; linkpath?: string; data?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const type = e.type ?? 'File';
    const h = new Header({ path: e.path, type, linkpath: e.linkpath, mode: 0o644, size: type === 'File' ? data.length : 0, mtime: new Date(), uid: 0, gid: 0 });
    h.encode();
    blocks.push(h.block as Buffer);
    if (type === 'File') blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('createModelArtifact / extractModelArtifact', () => {
  const longName = `code/${'deep/'.repeat(40)}helper.py`;
  const files = {
    'model.joblib': Buffer.from([0x80, 0x04, 0x95, 0x00, 0xff]),
    'code/inference.py': 'def model_fn(model_dir):\n    return 1\n',
    [longName]: 'x = 1\n',
    'empty.txt': '',
  };

  it('round-trips files, nested folders and paths longer than USTAR allows', async () => {
    const tgz = await createModelArtifact(files);
    expect(tgz[0]).toBe(0x1f);
    const dir = fresh();
    await extractModelArtifact(tgz, dir);
    expect(readFileSync(join(dir, 'model.joblib'))).toEqual(files['model.joblib']);
    expect(readFileSync(join(dir, 'code/inference.py'), 'utf8')).toBe(files['code/inference.py']);
    expect(readFileSync(join(dir, longName), 'utf8')).toBe('x = 1\n');
    expect(readFileSync(join(dir, 'empty.txt'), 'utf8')).toBe('');
  });

  it('extracts from a stream too, in small chunks', async () => {
    const tgz = await createModelArtifact(files);
    const chunks = Array.from({ length: Math.ceil(tgz.length / 7) }, (_, i) => tgz.subarray(i * 7, i * 7 + 7));
    const dir = fresh();
    await extractModelArtifact(Readable.from(chunks), dir);
    expect(readFileSync(join(dir, 'code/inference.py'), 'utf8')).toBe(files['code/inference.py']);
  });

  it('packs a directory the way training packs /opt/ml/model', async () => {
    const src = join(root, 'packed');
    mkdirSync(join(src, 'code'), { recursive: true });
    writeFileSync(join(src, 'xgboost-model'), 'booster');
    writeFileSync(join(src, 'code', 'inference.py'), 'pass\n');
    const dir = fresh();
    await extractModelArtifact(await createModelArtifactFromDir(src), dir);
    expect(readFileSync(join(dir, 'xgboost-model'), 'utf8')).toBe('booster');
    expect(readFileSync(join(dir, 'code', 'inference.py'), 'utf8')).toBe('pass\n');
  });

  it('keeps symbolic links that stay inside the model directory', async () => {
    const dir = fresh();
    await extractModelArtifact(rawTarGz([{ path: 'model.bin', data: 'w' }, { path: 'latest', type: 'SymbolicLink', linkpath: 'model.bin' }]), dir);
    expect(lstatSync(join(dir, 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'latest'))).toBe('model.bin');
  });

  it('refuses to create entries outside the archive', async () => {
    await expect(createModelArtifact({ '../evil': 'x' })).rejects.toThrow(/must be a relative path/);
    await expect(createModelArtifact({ '/etc/evil': 'x' })).rejects.toThrow(/must be a relative path/);
  });
});

describe('extractModelArtifact refuses entries escaping the directory', () => {
  it.each([
    ['../evil.txt', {}, /"\.\.\/evil\.txt" that points outside the model directory/],
    ['a/../../evil.txt', {}, /points outside the model directory/],
    ['/tmp/mlzone-evil-absolute.txt', {}, /has an absolute path/],
    ['link', { type: 'SymbolicLink' as const, linkpath: '/etc' }, /symbolic link to the absolute path "\/etc"/],
    ['sub/link', { type: 'SymbolicLink' as const, linkpath: '../../..' }, /symbolic link to "\.\.\/\.\.\/\.\.", outside the model directory/],
    ['hard', { type: 'Link' as const, linkpath: '../outside.txt' }, /hard link to "\.\.\/outside\.txt", outside the model directory/],
  ])('%s', async (path, extra, message) => {
    const dir = fresh();
    const tgz = rawTarGz([{ path: 'ok.txt', data: 'fine' }, { path, data: 'evil', ...extra }]);
    const err = await extractModelArtifact(tgz, dir, { source: 's3://bucket/model.tar.gz' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^model data s3:\/\/bucket\/model\.tar\.gz has an entry /);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain('refusing to extract it');
    expect(existsSync(join(dir, '..', 'evil.txt'))).toBe(false);
    expect(existsSync('/tmp/mlzone-evil-absolute.txt')).toBe(false);
    expect(existsSync(join(dir, 'link'))).toBe(false);
  });
});

describe('extractModelArtifact on a corrupt archive', () => {
  const valid = rawTarGz([{ path: 'a.txt', data: 'a'.repeat(2000) }]);
  it.each([
    ['plain bytes', Buffer.from('this is not an archive at all, just text')],
    ['an empty body', Buffer.alloc(0)],
    ['gzip of something that is not tar', gzipSync(Buffer.from('hello world, definitely not a tarball'))],
    ['a truncated .tar.gz', valid.subarray(0, valid.length - 20)],
    ['a corrupted gzip stream', Buffer.concat([valid.subarray(0, 12), Buffer.alloc(40, 0x55), valid.subarray(52)])],
  ])('%s → "is not a valid .tar.gz"', async (_what, data) => {
    const err = await extractModelArtifact(data, fresh(), { source: 's3://b/k/model.tar.gz' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^model data s3:\/\/b\/k\/model\.tar\.gz is not a valid \.tar\.gz/);
  });

  it('says "model data" when the source is not given', async () => {
    await expect(extractModelArtifact(Buffer.from('nope'), fresh())).rejects.toThrow(/^model data is not a valid \.tar\.gz: it is not gzip-compressed$/);
  });
});

describe('createModelArtifactFromDir', () => {
  it('stores incompressible data without deflating it, and the archive still extracts', async () => {
    const src = mkdtempSync(join(tmpdir(), 'artifact-src-'));
    const out = mkdtempSync(join(tmpdir(), 'artifact-out-'));
    try {
      const noise = randomBytes(6 << 20);
      writeFileSync(join(src, 'weights.bin'), noise);
      const archive = await createModelArtifactFromDir(src);
      // Level 0: the archive is the tar plus a little framing, not smaller and not much larger.
      expect(archive.length).toBeGreaterThan(noise.length);
      expect(archive.length).toBeLessThan(noise.length + 64 * 1024);
      await extractModelArtifact(archive, out);
      expect(readFileSync(join(out, 'weights.bin')).equals(noise)).toBe(true);
      writeFileSync(join(src, 'weights.bin'), Buffer.alloc(6 << 20, 1));
      expect((await createModelArtifactFromDir(src)).length).toBeLessThan(1 << 20);
    } finally {
      rmSync(src, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
