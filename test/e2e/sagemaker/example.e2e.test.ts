/** The runnable scenario in examples/ still runs to its end, printing every step (it starts its own mlzone). */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('examples/cross-account-deployment.ts', () => {
  it('deploys across accounts and shows each refusal', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'cross-account-deployment.ts')], { cwd: root, encoding: 'utf8', timeout: 50_000 });
    expect(out).toMatch(/InvokeEndpoint 1,2,3 → \{"predictions":\[\{"score":4\.3\d*\}\]\}/);
    expect(out).toMatch(/because no resource-based policy allows the sagemaker:DescribeModelPackage action/);
    expect(out).toMatch(/with an explicit deny in a service control policy/);
    expect(out).toMatch(/Failed after \d+ ms — Could not access model data/);
    expect(out.trim().endsWith('done')).toBe(true);
  });
});
