/**
 * How an image becomes a command line and an environment (ARCHITECTURE.md §7, reference §4.2). Kept apart from
 * the supervision in process-runtime.ts because it is where the machine's setup shows through (which Python,
 * whether mlzone runs from sources or from its build) and each of those choices needs its reason next to it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../core/package-root.js';
import { ContainerError } from './types.js';
import type { HostingContainerSpec, RuntimeImage } from './types.js';

/** A process to start for an image. */
export interface LaunchCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Defaults to the instance's `workDir`. */
  readonly cwd?: string;
  /** Added to the container's environment, below the spec's own variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Turns a spawn failure (ENOENT, EACCES) into a reason the user can act on. */
  readonly describeSpawnError?: (error: NodeJS.ErrnoException) => string;
}

export interface LaunchOptions {
  /** The Python that serves framework images. */
  readonly python: string;
  /** Extra Node.js flags for the built-in algorithms. */
  readonly nodeArgs: readonly string[];
}

/**
 * The Python for framework images: `MLZONE_PYTHON`, else Debian's `/usr/bin/python3` (where `apt-get install
 * python3-sklearn` puts scikit-learn; a pyenv or venv `python3` earlier on PATH usually lacks it), else
 * `python3` from PATH.
 */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.MLZONE_PYTHON;
  if (configured !== undefined && configured !== '') return configured;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

const here = fileURLToPath(import.meta.url);

/**
 * Whether mlzone runs from its TypeScript sources (vitest, `node --import tsx`) rather than from its build. The
 * extension of this very module tells, and it is the one signal that cannot be stale: checking whether the
 * build output exists would pick an old build while a developer runs the sources. From sources the built-in
 * server runs through tsx (a devDependency, present wherever the sources run); from the build it is the
 * self-contained bundle dist/runtime/builtin-serve.cjs, produced by the same `npm run build`.
 */
const fromSources = here.endsWith('.ts');

/**
 * How to run one of the built-in algorithms' Node.js entry points (`serve` answers /invocations, `train` runs a
 * training job): through tsx from the sources, or the self-contained bundle dist/runtime/builtin-<entry>.cjs.
 */
export function builtinEntry(entry: 'serve' | 'train' | 'parquet-tool', algorithm: 'linear-learner' | 'data-wrangler', options: LaunchOptions): { command: string; args: string[] } {
  const root = packageRoot(import.meta.url);
  if (fromSources) {
    // An absolute loader URL: the child's cwd is the instance's workDir, from where `--import tsx` would not resolve.
    const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
    return { command: process.execPath, args: [...options.nodeArgs, '--import', tsx, join(dirname(here), 'builtin', `${entry}.ts`)] };
  }
  const bundle = join(root, 'dist', 'runtime', `builtin-${entry}.cjs`);
  if (!existsSync(bundle)) {
    throw new ContainerError('start', `mlzone's built-in ${algorithm} ${entry === 'serve' ? 'server' : entry === 'train' ? 'training' : 'Parquet tool'} is missing (${bundle}); rebuild mlzone with npm run build`);
  }
  return { command: process.execPath, args: [...options.nodeArgs, bundle] };
}

function builtinLaunch(algorithm: 'linear-learner', options: LaunchOptions): LaunchCommand {
  const { command, args } = builtinEntry('serve', algorithm, options);
  return { command, args, environment: { MLZONE_ALGORITHM: algorithm } };
}

export const FRAMEWORK_NAMES = { sklearn: 'scikit-learn', xgboost: 'XGBoost' } as const;

/** A Python script of mlzone's (`src/runtime/python/<name>`), read from the package's sources in both modes (the package ships src/). */
export function pythonScript(name: string): string {
  return join(packageRoot(import.meta.url), 'src', 'runtime', 'python', name);
}

/** The reason given when the framework's Python cannot be started. */
export function pythonSpawnError(framework: 'sklearn' | 'xgboost', python: string): (e: NodeJS.ErrnoException) => string {
  const name = FRAMEWORK_NAMES[framework];
  return (e) =>
    e.code === 'ENOENT'
      ? `the ${name} runtime needs Python 3, and ${python} was not found: install it (apt-get install -y python3 python3-sklearn python3-xgboost python3-pandas) or set MLZONE_PYTHON to a Python that has ${name}`
      : `cannot run ${python} for the ${name} runtime: ${e.message}; set MLZONE_PYTHON to a Python that has ${name}`;
}

function frameworkLaunch(framework: 'sklearn' | 'xgboost', version: string | undefined, options: LaunchOptions): LaunchCommand {
  const python = options.python;
  return {
    command: python,
    args: ['-u', '-B', pythonScript('serve.py')],
    environment: {
      MLZONE_FRAMEWORK: framework,
      ...(version === undefined ? {} : { MLZONE_FRAMEWORK_VERSION: version }),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    describeSpawnError: pythonSpawnError(framework, python),
  };
}

/** The default command for an image. */
export function defaultLaunch(image: RuntimeImage, options: LaunchOptions): LaunchCommand {
  switch (image.kind) {
    case 'builtin':
      return builtinLaunch(image.algorithm, options);
    case 'framework':
      return frameworkLaunch(image.framework, image.version, options);
    case 'data-wrangler':
      throw new ContainerError('start', 'the SageMaker Data Wrangler image runs processing jobs only; it cannot serve an endpoint');
    case 'command':
      return {
        command: image.command,
        args: image.args,
        cwd: image.cwd,
        environment: image.environment,
        describeSpawnError: (e) =>
          e.code === 'ENOENT'
            ? `cannot run ${image.command}: no such program (check the command of this image in the blueprint's images:)`
            : `cannot run ${image.command}: ${e.message}`,
      };
    default: {
      const never: never = image;
      throw new Error(`unknown image kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Host variables a container may see. A real container sees none of the host's environment; a child process
 * needs a few to work at all (PATH to find programs, HOME and the locale for Python), and must not inherit
 * mlzone's own settings (credentials, NODE_OPTIONS from a test runner, PYTHONPATH of another Python).
 */
const HOST_VARIABLES = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TMP|TEMP|TERM|LD_LIBRARY_PATH|SSL_CERT_FILE|SSL_CERT_DIR|SYSTEMROOT|(?:HTTPS?|NO)_PROXY|(?:https?|no)_proxy)$/;

/**
 * The container's environment: the host variables above, the launch's own, `ContainerDefinition.Environment`
 * verbatim, then the contract's variables, which win. `/opt/ml/model` cannot exist for a child process, so
 * every container reads its model directory from `SM_MODEL_DIR` / `MLZONE_MODEL_DIR`.
 */
export function containerEnvironment(spec: HostingContainerSpec, port: number, launch: LaunchCommand, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env = hostEnvironment(host);
  Object.assign(env, launch.environment, spec.environment);
  env.SAGEMAKER_BIND_TO_PORT = String(port);
  env.SM_MODEL_DIR = spec.modelDir;
  env.MLZONE_MODEL_DIR = spec.modelDir;
  return env;
}

/** The host variables a container may see (see HOST_VARIABLES): the base of every container's environment. */
export function hostEnvironment(host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(host)) {
    if (value !== undefined && HOST_VARIABLES.test(key)) env[key] = value;
  }
  return env;
}
