/**
 * examples/monitoring.ts still runs to its end, printing every step (it starts its own mlzone). Python-backed: the
 * example's endpoint runs SageMaker's scikit-learn image; its alarm steps wait for real minutes to end (~2.5 min).
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hasSklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, joblib, numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasSklearn)('examples/monitoring.ts', () => {
  it('watches production from shared-services: dashboard, an alarm that fires and clears, Logs Insights, and the refusals', { timeout: 300_000 }, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', join(root, 'examples', 'monitoring.ts')], { cwd: root, encoding: 'utf8', timeout: 290_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).toMatch(/endpoint churn-\w+: InService/);
    expect(out).toMatch(/Invocations \(Sum\) 20 · ModelLatency p99 [\d.]+ ms — account 777777777777, seen from 222222222222/);
    expect(out).toMatch(/ProdApp InvokeEndpoint 1,abc,3 → ModelError: Received server error \(500\) from primary .*ValueError: could not convert string to float: 'abc'/);
    expect(out).toMatch(/5\. [^\n]*\n(?:.*\n)*? {3}production-churn-\w+-5xx: ALARM after \d+ s — Threshold Crossed: 1 datapoint \[3\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than the threshold \(0\.0\)\./);
    expect(out).toMatch(/6\. [^\n]*\n {3}production-churn-\w+-5xx: OK after \d+ s — Threshold Crossed: 1 out of the last 1 datapoints \[0\.0 \([^)]+\)\] was not greater than the threshold \(0\.0\)/);
    expect(out).toMatch(/owning accounts: 777777777777 \(/);
    expect(out).toMatch(/ListMetrics OwningAccount 555555555555 → 0 metrics/);
    expect(out).toMatch(/→ 0 invocations \(nothing visible\)/);
    expect(out).toMatch(/AssumeRole production ReadOnly → refused: AccessDenied/);
    expect(out.match(/777777777777:\/aws\/sagemaker\/Endpoints\/churn-\w+ AllTraffic\/i-[0-9a-f]{17}: ValueError: could not convert string to float: 'abc'/g)).toHaveLength(3);
    expect(out).toMatch(/AllTraffic\/i-[0-9a-f]{17}: \d+ good requests, \d+ rows scored/);
    expect(out.trim().endsWith('done')).toBe(true);
  });
});
