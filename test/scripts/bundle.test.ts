/**
 * scripts/bundle.mjs records the V8 code cache with one real start of the bundled mlzone, stopped with SIGINT. What
 * that start prints (its `SIGINT: shutting down` notice above all) is not for the person running `npm install`:
 * recording the cache prints nothing, and leaves a cache this Node accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { run } from '../e2e/support/processes.js';
import { repoRoot } from '../e2e/support/readme.js';

const bundle = join(repoRoot, 'dist', 'mlzone.cjs');

describe.skipIf(!existsSync(bundle))('scripts/bundle.mjs --code-cache-only', () => {
  it('records the code cache silently', async () => {
    const r = await run(process.execPath, [join(repoRoot, 'scripts', 'bundle.mjs'), '--code-cache-only']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: readFileSync(`${bundle}.cache`) });
    expect(script.cachedDataRejected).toBe(false);
  });
});
