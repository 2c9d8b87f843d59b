/** examples/governed-lake.ts still runs to its end, printing what each account may see (it starts its own mlzone). */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('examples/governed-lake.ts', () => {
  it('shares columns and EU rows across accounts, refuses ssn, the test account and a revoked scientist', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'governed-lake.ts')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/data-science-1: SELECT \* FROM lake\.customers ORDER BY id\n +\| id \| name \| region \| spend\n +\| 1 \| Ana \| EU \| 10\.5\n +\| 2 \| Bo \| US \| 20\.0\n/);
    expect(out).toMatch(/SELECT name, ssn FROM lake\.customers\n +→ FAILED: COLUMN_NOT_FOUND: .*Column 'ssn' cannot be resolved or requester is not authorized/);
    expect(out).toMatch(/data-science-2: SELECT \* FROM lake\.customers ORDER BY id\n +\| id \| name \| region \| spend\n +\| 1 \| Ana \| EU \| 10\.5\n +\| 3 \| Cy \| EU \| 30\.25\n +\(results: s3:\/\/sagemaker-us-east-1-555555555555\/athena\//);
    expect(out).toMatch(/test: SELECT .*\n +→ FAILED: SCHEMA_NOT_FOUND/);
    expect(out).toMatch(/data-science-1: SELECT count\(\*\) FROM lake\.customers\n +→ FAILED: TABLE_NOT_FOUND/);
    expect(out.trim().endsWith('done')).toBe(true);
  });
});
