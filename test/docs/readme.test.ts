/**
 * The README and docs/ point only at what the repository holds, and the README's table of environment variables
 * lists every `MLZONE_*` variable the code reads (and none it does not).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readme, referencedPaths, repoRoot } from '../e2e/support/readme.js';

const documents = [join(repoRoot, 'README.md'), ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(repoRoot, 'docs', f))];

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true })
    .map((f) => join(repoRoot, dir, String(f)))
    .filter(keep);
}

describe('README.md and docs/', () => {
  it('finds the paths a text names, and misses none of the kinds it uses', () => {
    expect(referencedPaths('see [the results](bench/RESULTS.md#startup), `../shared/ARCHITECTURE.md` and scripts/bundle.mjs. [AWS](https://aws.amazon.com)')).toEqual([
      'bench/RESULTS.md',
      '../shared/ARCHITECTURE.md',
      'scripts/bundle.mjs',
    ]);
  });

  it.each(documents.map((d) => [d.slice(repoRoot.length + 1), d]))('%s links only to files in the repository', (_name, doc) => {
    const text = readFileSync(doc, 'utf8');
    const missing = referencedPaths(text).filter((p) => {
      const from = p.startsWith('../') || p.startsWith('./') ? dirname(doc) : repoRoot;
      const resolved = join(from, p);
      return !resolved.startsWith(repoRoot) || !existsSync(resolved);
    });
    expect(missing).toEqual([]);
  });

  it('lists every MLZONE_ variable the code reads, and none it does not', () => {
    const code = [
      ...filesUnder('src', (f) => f.endsWith('.ts') && !f.endsWith('.test.ts')),
      ...filesUnder('scripts', (f) => /\.(m?js|ts)$/.test(f)),
      join(repoRoot, 'bin', 'mlzone.js'),
    ]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const tests = filesUnder('test', (f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const variables = (text: string) => new Set(text.match(/\bMLZONE_[A-Z0-9_]+\b/g) ?? []);
    const table = readme()
      .split('\n')
      .filter((l) => l.startsWith('| `MLZONE_'))
      .join('\n');
    const listed = variables(table);
    expect([...variables(code)].filter((v) => !listed.has(v))).toEqual([]);
    // Test fixtures (MLZONE_TEST_HOST_SECRET) are not for users; MLZONE_TEST_PG is.
    expect([...listed].filter((v) => !variables(code).has(v) && !variables(tests).has(v))).toEqual([]);
    expect(listed.has('MLZONE_TEST_PG')).toBe(true);
  });
});
