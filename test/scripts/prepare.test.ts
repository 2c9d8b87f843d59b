/**
 * scripts/prepare.mjs (run by `npm install` and by `npx mlzone` in this folder) says whether it rebuilds dist/ and
 * why, instead of compiling silently for ~25 s. `--dry-run` makes it say so without building; the file times it
 * compares are moved for the test and put back.
 */
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../e2e/support/processes.js';
import { repoRoot } from '../e2e/support/readme.js';

const prepare = () => run(process.execPath, [join(repoRoot, 'scripts', 'prepare.mjs'), '--dry-run']);

/** Runs `fn` with `file`'s modification time set to `at`, then puts the times back. */
async function withMtime<T>(file: string, at: Date, fn: () => Promise<T>): Promise<T> {
  const { atime, mtime } = statSync(file);
  utimesSync(file, atime, at);
  try {
    return await fn();
  } finally {
    utimesSync(file, atime, mtime);
  }
}

const built = join(repoRoot, 'dist', 'mlzone.cjs.cache');
const later = (hours: number) => new Date(Date.now() + hours * 3_600_000);

describe.skipIf(!existsSync(built))('scripts/prepare.mjs', () => {
  it('says that dist/ is up to date when nothing it is built from changed', async () => {
    const r = await withMtime(built, later(2), prepare);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('mlzone: dist/ is up to date; nothing to do');
  });

  it('says that it builds dist/, and which change makes it', async () => {
    const r = await withMtime(join(repoRoot, 'blueprints', 'default.yaml'), later(3), prepare);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('mlzone: dist/ would be built (blueprints/default.yaml changed since the last build)');
  });
});
