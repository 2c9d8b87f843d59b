/**
 * `npm test` printed the AWS SDK's Node-version warning once per test file. vitest.config.ts sets the SDK's own
 * switch for it in every test process; this checks that it is set and that the SDK honours it (a client in a
 * child process warns without it on Node < 22, and is silent with it).
 */
import { describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';
import { repoRoot } from '../support/readme.js';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const makeClient = `const { STSClient } = require(${JSON.stringify(`${repoRoot}/node_modules/@aws-sdk/client-sts`)}); new STSClient({ region: 'us-east-1' });`;
const major = Number(process.versions.node.split('.')[0]);

describe("the AWS SDK's Node-version warning in tests", () => {
  it('is switched off in every test process', () => {
    expect(process.env[SWITCH]).toBe('true');
  });

  it.skipIf(major >= 22)('is what the switch silences', async () => {
    const warned = await run(process.execPath, ['-e', makeClient], { [SWITCH]: undefined });
    expect(warned.stderr).toContain('NodeVersionSupportWarning');
    const silent = await run(process.execPath, ['-e', makeClient], { [SWITCH]: 'true' });
    expect(silent.code).toBe(0);
    expect(silent.stderr).toBe('');
  });
});
