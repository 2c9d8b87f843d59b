/**
 * Giving a job process a real `/opt/ml` (ARCHITECTURE.md §7). SageMaker scripts hardcode `/opt/ml/...` paths
 * (processing scripts especially), so on Linux a job runs in a private mount namespace where its job directory is
 * bind-mounted onto `/opt/ml`: `unshare -m` as root, `unshare -U -r -m` (a user namespace mapping the user to
 * root) otherwise. The mount is private to the job: the host's `/opt/ml` (an empty folder) is untouched and two
 * jobs at once each see their own.
 *
 * Whether that works is found out once per runtime by trying it (kernel, container sandboxes and sysctls all
 * decide); when it does not, jobs run with host paths: the contract's variables point into the job directory and
 * arguments starting with `/opt/ml/` are rewritten, which covers what SageMaker's SDKs generate but not paths
 * inside user code.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPT_ML = '/opt/ml';

export type OptMlMode =
  /** Jobs run under `unshare <args> /bin/sh -c <mount script>`: `/opt/ml` is the job directory. */
  | { readonly kind: 'namespace'; readonly unshareArgs: readonly string[] }
  /** Jobs see host paths; `reason` says why (for the job's log). */
  | { readonly kind: 'host'; readonly reason: string };

/**
 * The shell run inside the namespace: mount, change to the working directory, become the job's program (`exec`,
 * so the job keeps the pid — and the process group — the runtime started). Exit 125 (as `docker run` does for
 * its own failures) when the mount fails after all. The job's environment travels as `NAME=value` arguments to
 * `env -i`: a shell passes on only variables whose names are identifiers, and the toolkit's names are not all
 * (`SM_HP_LEARNING-RATE`).
 */
export const MOUNT_SCRIPT =
  'mount --bind "$1" /opt/ml || { echo "mlzone: cannot bind-mount the job directory onto /opt/ml" >&2; exit 125; }; cd "$2" || exit 125; shift 2; exec env -i -- "$@"';

/**
 * The command line that runs `argv` with `env`, `jobDir` mounted on /opt/ml and `cwd` (a path the job sees) as its
 * directory; `environment` is what the wrapper itself needs (PATH, to find mount and env).
 */
export function namespaceCommand(
  mode: Extract<OptMlMode, { kind: 'namespace' }>,
  jobDir: string,
  cwd: string,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): { command: string; args: string[]; environment: Record<string, string> } {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const environment: Record<string, string> = { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  return { command: 'unshare', args: [...mode.unshareArgs, '--', '/bin/sh', '-c', MOUNT_SCRIPT, 'mlzone-job', jobDir, cwd, ...assignments, ...argv], environment };
}

/** A path as the host sees it: `/opt/ml/...` mapped into `jobDir`, anything else unchanged. */
export function hostPath(path: string, jobDir: string): string {
  if (path === OPT_ML) return jobDir;
  if (path.startsWith(`${OPT_ML}/`)) return join(jobDir, path.slice(OPT_ML.length + 1));
  return path;
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, output: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, output: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
}

/**
 * Finds out how jobs get their `/opt/ml` on this machine: creates `/opt/ml` when running as root (the mount point
 * must exist), then mounts a probe directory there in a throw-away namespace and checks that the probe is seen.
 */
export async function detectOptMl(): Promise<OptMlMode> {
  if (process.platform !== 'linux') return { kind: 'host', reason: `${process.platform} has no mount namespaces` };
  const root = process.getuid?.() === 0;
  if (root && !existsSync(OPT_ML)) {
    try {
      mkdirSync(OPT_ML, { recursive: true });
    } catch (e) {
      return { kind: 'host', reason: `cannot create ${OPT_ML}: ${(e as Error).message}` };
    }
  }
  if (!existsSync(OPT_ML)) return { kind: 'host', reason: `${OPT_ML} does not exist and mlzone does not run as root; create it once (sudo mkdir ${OPT_ML}) to give jobs a real /opt/ml` };
  const unshareArgs = root ? ['-m'] : ['-U', '-r', '-m'];
  const probe = mkdtempSync(join(tmpdir(), 'mlzone-optml-'));
  try {
    writeFileSync(join(probe, 'probe'), 'ok');
    const script = 'mount --bind "$1" /opt/ml && cat /opt/ml/probe';
    const r = await run('unshare', [...unshareArgs, '--', '/bin/sh', '-c', script, 'mlzone-probe', probe], 5000);
    if (r.code === 0 && r.output === 'ok') return { kind: 'namespace', unshareArgs };
    const why = r.output.split('\n').filter((l) => l.trim() !== '').pop() ?? `exit code ${r.code}`;
    return { kind: 'host', reason: `\`unshare ${unshareArgs.join(' ')}\` cannot mount onto ${OPT_ML} here (${why})` };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
