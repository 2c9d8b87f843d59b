import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type Run } from './processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CliServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  /** Waits for the process to exit and returns its exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `mlzone up` in a child process and resolves once it printed its endpoint: from the TypeScript sources
 * (tsx, so no build is needed), or with `from: 'bin'` as users run it, `bin/mlzone.js` on the built bundle.
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, from: 'source' | 'bin' = 'source'): Promise<CliServer> {
  const entry = from === 'bin' ? [join(root, 'bin/mlzone.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...entry, 'up', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mlzone up did not start in time\nstdout: ${out}\nstderr: ${err}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving the landing zone on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stdout: () => out, exited });
      }
    });
    child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`mlzone up exited (${code}) before serving\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/**
 * Runs a one-shot `mlzone <command>` (explain, profiles, status, reset) as users run it: bin/mlzone.js on the built
 * bundle (`npm run build`), which starts in a fraction of the time tsx needs to compile the sources.
 */
export function mlzone(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(process.execPath, [join(root, 'bin/mlzone.js'), ...args], env);
}
