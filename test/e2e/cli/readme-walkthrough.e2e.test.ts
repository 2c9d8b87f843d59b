/**
 * The README's walkthroughs, run as written: every ```sh block, in order, in one bash session (so that a variable
 * or a file one block makes is there for the next), against a fresh mlzone started from the built CLI on a free
 * port, with HOME in a temporary folder. What the test maps, and nothing else:
 *  - `npm start` → nothing: the test's mlzone already serves (its URL is MLZONE_ENDPOINT, which `mlzone profiles`
 *    writes into the profiles);
 *  - `npm run mlzone -- …` and `npx mlzone …` → bin/mlzone.js on the built bundle;
 *  - `http://127.0.0.1:4566` in a command → the test server's URL;
 *  - `aws` is the AWS CLI on PATH (v1, which follows `endpoint_url` in profiles), `/usr/bin/aws` Debian's CLI v2.
 * Each command must end as its shown output says (an `An error occurred` output: a failure; otherwise success),
 * and the fields of the output the README shows in the `# …` lines after it must appear in the real output.
 * A block that cannot run here carries `<!-- readme-test: skip (why) -->` in the README source.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliServer } from '../support/cli-process.js';
import { hasCommand } from '../support/processes.js';
import { missingFields, readme, repoRoot, shellBlocks } from '../support/readme.js';

const blocks = shellBlocks(readme());
const runnable = blocks.filter((b) => !b.skip);

/** One bash process; `run` sends a command and resolves with its exit status and its output (stderr included). */
function bashSession(env: NodeJS.ProcessEnv, cwd: string) {
  const child: ChildProcessWithoutNullStreams = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: 'pipe' });
  let buffer = '';
  let waiting: { marker: string; resolve: (r: { code: number; output: string }) => void } | undefined;
  const settle = () => {
    if (!waiting) return;
    const at = buffer.indexOf(waiting.marker);
    const end = /^ (\d+)\n/.exec(at < 0 ? '' : buffer.slice(at + waiting.marker.length));
    if (!end) return;
    const output = buffer.slice(0, at);
    buffer = buffer.slice(at + waiting.marker.length + end[0].length);
    const { resolve } = waiting;
    waiting = undefined;
    resolve({ code: Number(end[1]), output });
  };
  const collect = (d: Buffer) => {
    buffer += d.toString();
    settle();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    run(command: string, timeoutMs = 90_000): Promise<{ code: number; output: string }> {
      const marker = `__readme_test_${randomUUID()}__`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no end after ${timeoutMs} ms; output so far:\n${buffer}`)), timeoutMs);
        waiting = {
          marker,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        // A group, so that assignments stay in the session; stdin closed, so that nothing waits for input.
        child.stdin.write(`{\n${command}\n} </dev/null\necho "${marker}" $?\n`);
      });
    },
    close: () => child.kill('SIGKILL'),
  };
}

// The walkthroughs call both CLIs: `aws` (v1) and Debian's CLI v2 at /usr/bin/aws (.ci/run installs it).
const clients = hasCommand('aws') && hasCommand('/usr/bin/aws');

describe.skipIf(!clients)('the README walkthroughs', () => {
  let server: CliServer;
  let home: string;
  let shell: ReturnType<typeof bashSession>;

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dist', 'mlzone.cjs')), 'dist/mlzone.cjs is missing: run `npm run build`').toBe(true);
    server = await startCli(['--ephemeral'], {}, 'bin');
    home = mkdtempSync(join(tmpdir(), 'mlzone-readme-'));
    const env = Object.fromEntries(
      Object.entries({ ...process.env, HOME: home, MLZONE_ENDPOINT: server.url, AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' }).filter(
        ([k, v]) => v !== undefined && !(/^AWS_/.test(k) && !['AWS_PAGER', 'AWS_EC2_METADATA_DISABLED'].includes(k)) && !/^MLZONE_(PORT|HOST|DATA_DIR|AUTH|DATABASE_URL)$/.test(k),
      ),
    );
    shell = bashSession(env, home);
    const bin = join(repoRoot, 'bin', 'mlzone.js');
    const setup = await shell.run(
      [
        'exec 2>&1',
        `npm() {
    if [ "$1" = run ] && [ "$2" = mlzone ]; then shift 2; [ "$1" = -- ] && shift; node '${bin}' "$@"
    elif [ "$1" = start ]; then :
    else echo "npm $*: not run by the README test; mark its block <!-- readme-test: skip (why) -->"; return 127; fi
  }`,
        `npx() {
    if [ "$1" = mlzone ]; then shift; node '${bin}' "$@"
    else echo "npx $*: not run by the README test; mark its block <!-- readme-test: skip (why) -->"; return 127; fi
  }`,
      ].join('\n'),
    );
    expect(setup.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    shell?.close();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (home) rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('has walkthroughs to run, and says why each block it does not run is left out', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks.filter((x) => x.skip)) expect(b.skip!.length, `README.md:${b.line}`).toBeGreaterThan(10);
  });

  for (const block of runnable) {
    it(
      `README.md:${block.line}: ${block.commands[0]?.text.split('\n')[0]}`,
      async () => {
        for (const c of block.commands) {
          const { code, output } = await shell.run(c.text.replaceAll('http://127.0.0.1:4566', server.url));
          const where = `README.md:${c.line}: ${c.text}\n--- output (exit ${code}) ---\n${output}`;
          const fails = c.expected.some((l) => l.includes('An error occurred'));
          if (fails) expect(code, where).not.toBe(0);
          else expect(code, where).toBe(0);
          expect(missingFields(c.expected, output), where).toEqual([]);
        }
      },
      300_000,
    );
  }
});
