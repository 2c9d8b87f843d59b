import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coveragePath, renderCoverage } from '../../scripts/coverage.js';

describe('docs/coverage.md', () => {
  it('matches the implemented operations (run `npx tsx scripts/coverage.ts`)', async () => {
    const committed = existsSync(coveragePath) ? readFileSync(coveragePath, 'utf8') : '';
    expect(committed).toBe(await renderCoverage());
  });
});
