/**
 * What `npx mlzone up` runs: bin/mlzone.js on the bundle dist/mlzone.cjs with the V8 code cache recorded by
 * `npm run build` (scripts/bundle.mjs). `npm install` builds them; the tests run after it.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { clientConfig, users } from '../support/server.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'mlzone.cjs');

describe('the built CLI', () => {
  it('has a bundle and a code cache this Node accepts', () => {
    expect(existsSync(bundle), 'dist/mlzone.cjs is missing: run `npm run build`').toBe(true);
    expect(existsSync(`${bundle}.cache`), 'dist/mlzone.cjs.cache is missing: run `npm run build`').toBe(true);
    const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: readFileSync(`${bundle}.cache`) });
    expect(script.cachedDataRejected).toBe(false);
  });

  it('serves signed calls and shuts down cleanly', async () => {
    const cli = await startCli(['--ephemeral'], {}, 'bin');
    try {
      expect(cli.stdout()).toContain('data-science-1     444444444444');
      const id = await new STSClient(clientConfig(cli.url, users.ds1Scientist)).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe('arn:aws:iam::444444444444:user/ds1-scientist');
      const health = (await (await fetch(`${cli.url}/_mlzone/health`)).json()) as { services: Record<string, string[]> };
      expect(health.services.sts).toContain('AssumeRole');
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    }
  });
});
