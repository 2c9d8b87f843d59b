/** The runnable scenarios in examples/ still run to their end, printing every step (each starts its own mlzone). */
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

describe('examples/train-and-deploy.ts', () => {
  it('splits the lake data, trains, scores, registers and deploys, and refuses data-science-2 the sensitive data', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'train-and-deploy.ts')], { cwd: root, encoding: 'utf8', timeout: 80_000 });
    expect(out).toMatch(/2\. .*\n {3}Completed/);
    expect(out).toMatch(/Failed — ClientError: Data download failed: .*AccessDenied/);
    expect(out).toMatch(/Completed: Starting → Downloading → Training → Uploading → Completed/);
    const m = /InvokeEndpoint [\d.,]+ → \{"predictions":\[\{"score":([\d.e-]+)\}\]\} \(transform: ([\d.e-]+)\)/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(Number(m![2]), 10);
    expect(out.trim().endsWith('done')).toBe(true);
  });
});

describe('examples/pipelines.ts', () => {
  it('trains and registers in data-science-1, fails on a stricter threshold, and scores in the test account', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'pipelines.ts')], { cwd: root, encoding: 'utf8', timeout: 80_000 });
    expect(out).toMatch(/Register-RegisterModel +Succeeded\n +→ Succeeded\n +registered arn:aws:sagemaker:us-east-1:444444444444:model-package\/churn-models-[a-z0-9]+\/1/);
    expect(out).toMatch(/Prep +Succeeded \(cache hit\)/);
    expect(out).toMatch(/→ Failed: MSE above -1/);
    expect(out).toMatch(/Score +Succeeded\n +→ Succeeded\n +rows\.csv\.out: \{"predictions":\[\{"score":3(\.0*\d*)?\},\{"score":(4|3\.99\d*)\}/);
    expect(out).toMatch(/step Score → Executing\n +step Score → Succeeded\n +execution → Succeeded/);
    expect(out.trim().endsWith('done')).toBe(true);
  });
});
