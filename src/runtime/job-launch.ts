/**
 * How a job image becomes a command line, a working directory and an environment (the job counterpart of
 * launch.ts). Paths here are the ones the job sees: `/opt/ml/...` in a mount namespace, the job directory's own
 * path otherwise (`base`); job-runtime.ts maps them for the host where it needs to.
 *
 * Per image:
 * - built-in linear-learner, training: mlzone's TypeScript training (`builtin/train.ts`).
 * - scikit-learn / XGBoost, training in script mode (`sagemaker_program`): the toolkit's behaviour — `SM_*`
 *   variables, `python <program> --<hp> <value> …` in `/opt/ml/code` — through `python/job_entry.py`, which checks
 *   that the framework's packages are importable and writes `output/success` or `output/failure` as the toolkit does.
 * - XGBoost, training in algorithm mode (no `sagemaker_program`): `python/xgboost_algorithm.py`.
 * - any image with `ContainerEntrypoint` (processing jobs always have one for framework images): that command,
 *   with `python`/`python3` meaning mlzone's Python for framework images.
 * - `command` images (the blueprint's): `command args`, or the entrypoint when one is given, plus `arguments`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FRAMEWORK_NAMES, builtinEntry, pythonScript, pythonSpawnError } from './launch.js';
import type { LaunchOptions } from './launch.js';
import { entryPointType, trainingEnvironment } from './training-contract.js';
import { ContainerError } from './types.js';
import type { JobContainerSpec } from './types.js';

export interface JobPlan {
  /** The program and its arguments (paths as the job sees them). */
  readonly argv: readonly string[];
  /** The working directory as the job sees it. */
  readonly cwd: string;
  /** The image's own variables: below the spec's `environment`. */
  readonly imageEnvironment: Readonly<Record<string, string>>;
  /** The contract's variables: above the spec's `environment`. */
  readonly contractEnvironment: Readonly<Record<string, string>>;
  readonly describeSpawnError?: (error: NodeJS.ErrnoException) => string;
  /** The job's `python` and `python3` on PATH must be mlzone's Python (framework images: their scripts call `python3`). */
  readonly pythonOnPath?: boolean;
}

export interface JobLaunchOptions extends LaunchOptions {
  /** CPUs the job may use (`SM_NUM_CPUS`). */
  readonly numCpus: number;
}

/** `SAGEMAKER_TRAINING_MODULE` of AWS's framework images (the toolkit reports it as `SM_FRAMEWORK_MODULE`). */
const TRAINING_MODULES = { sklearn: 'sagemaker_sklearn_container.training:main', xgboost: 'sagemaker_xgboost_container.training:main' } as const;

const PYTHON_NAME = /^python(?:3(?:\.\d+)?)?$/;

/** Whether `program` names "a Python" (`python3`, `/usr/bin/python3.11`, `/miniconda3/bin/python`). */
export function isPython(program: string): boolean {
  return PYTHON_NAME.test(program.slice(program.lastIndexOf('/') + 1));
}

/**
 * The plan for a job. `base` is the job directory as the job sees it; `jobDir` is the host path (to look into the
 * code directory). Throws ContainerError('start') for jobs that cannot run at all.
 */
export function jobPlan(spec: JobContainerSpec, base: string, options: JobLaunchOptions): JobPlan {
  const image = spec.image;
  const training = spec.kind === 'training';
  const contract: Record<string, string> = {};
  if (training) {
    if (spec.jobName !== undefined) contract.TRAINING_JOB_NAME = spec.jobName;
    if (spec.jobArn !== undefined) contract.TRAINING_JOB_ARN = spec.jobArn;
  }
  const python = options.python;
  const pythonEnvironment = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'UTF-8' };

  switch (image.kind) {
    case 'builtin': {
      if (!training) throw new ContainerError('start', `mlzone's built-in ${image.algorithm} image runs training jobs only, not processing jobs`);
      if (spec.entrypoint !== undefined) throw new ContainerError('start', `mlzone's built-in ${image.algorithm} image does not take a ContainerEntrypoint`);
      const { command, args } = builtinEntry('train', image.algorithm, options);
      return {
        argv: [command, ...args],
        cwd: base,
        imageEnvironment: { MLZONE_ALGORITHM: image.algorithm },
        contractEnvironment: { ...contract, ...trainingVariables(spec, base, options), MLZONE_JOB_DIR: base },
      };
    }
    case 'framework': {
      const name = FRAMEWORK_NAMES[image.framework];
      const describeSpawnError = pythonSpawnError(image.framework, python);
      const imageEnvironment = {
        ...pythonEnvironment,
        ...(training ? { SAGEMAKER_TRAINING_MODULE: TRAINING_MODULES[image.framework] } : {}),
      };
      if (spec.entrypoint !== undefined && spec.entrypoint.length > 0) {
        const [program, ...rest] = spec.entrypoint;
        const argv = [...(isPython(program) ? [python] : [program]), ...rest, ...(spec.arguments ?? [])];
        // A Python command goes through job_entry.py, which checks the framework's packages first and then becomes it.
        const checked = isPython(program) ? [python, '-B', pythonScript('job_entry.py'), 'exec', image.framework, spec.kind, join(base, 'output'), '--', ...argv] : argv;
        return {
          argv: checked,
          cwd: base,
          imageEnvironment,
          contractEnvironment: training ? { ...contract, ...trainingVariables(spec, base, options) } : contract,
          describeSpawnError,
          pythonOnPath: true,
        };
      }
      if (!training) {
        throw new ContainerError(
          'start',
          `the ${name} image has no default command for a processing job: set AppSpecification.ContainerEntrypoint (the SageMaker SDK's SKLearnProcessor and ScriptProcessor set it to ["python3", "/opt/ml/processing/input/code/<script>"])`,
        );
      }
      const env = trainingEnvironment(contractInput(spec, base, options, TRAINING_MODULES[image.framework]));
      const variables = { ...contract, ...env.variables, SAGEMAKER_BASE_DIR: base };
      if (env.program === undefined) {
        if (image.framework === 'sklearn') {
          throw new ContainerError('start', 'the scikit-learn image trains in script mode only: set the sagemaker_program hyperparameter to the training script (the SDK\'s entry_point) and stage its source directory');
        }
        return {
          argv: [python, '-B', pythonScript('xgboost_algorithm.py')],
          cwd: base,
          imageEnvironment,
          contractEnvironment: { ...variables, MLZONE_JOB_DIR: base },
          describeSpawnError,
          pythonOnPath: true,
        };
      }
      const codeDir = join(base, 'code');
      const hostCodeDir = join(spec.jobDir, 'code');
      const files = existsSync(hostCodeDir) ? readdirSync(hostCodeDir) : [];
      const program = env.program;
      const type = entryPointType(program, files);
      if (type !== 'python-module' && !existsSync(join(hostCodeDir, program))) {
        throw new ContainerError(
          'start',
          `the training script ${program} (hyperparameter sagemaker_program) is not in the job's code directory: the source directory${env.submitDirectory === undefined ? '' : ` ${env.submitDirectory}`} must be extracted into ${hostCodeDir} (/opt/ml/code) before the job starts`,
        );
      }
      let user: string[];
      switch (type) {
        case 'python-program':
          user = [python, program, ...env.userArgs];
          break;
        case 'python-package':
          user = [python, '-m', program.replace('.py', ''), ...env.userArgs];
          break;
        case 'python-module':
          user = [python, ...program.split(' ').filter((p) => p !== ''), ...env.userArgs];
          break;
        case 'command':
          user = ['/bin/sh', '-c', `./${program} ${env.userArgs.join(' ')}`];
          break;
        default: {
          const never: never = type;
          throw new Error(`unknown entry point type ${String(never)}`);
        }
      }
      return {
        argv: [python, '-B', pythonScript('job_entry.py'), 'run', image.framework, spec.kind, join(base, 'output'), '--', ...user],
        cwd: codeDir,
        imageEnvironment: { ...imageEnvironment, PYTHONPATH: codeDir },
        contractEnvironment: variables,
        describeSpawnError,
        pythonOnPath: true,
      };
    }
    case 'data-wrangler': {
      // mlzone's interpreter of the job's `.flow` (python/data_wrangler.py, pandas) stands in for the image's Spark
      // program; it reads and writes Parquet through mlzone's DuckDB-backed tool when pandas has no Parquet engine.
      if (training) throw new ContainerError('start', 'the SageMaker Data Wrangler image runs processing jobs only, not training jobs');
      if (spec.entrypoint !== undefined && spec.entrypoint.length > 0) {
        throw new ContainerError('start', 'mlzone serves the SageMaker Data Wrangler image with its own flow interpreter, which takes no ContainerEntrypoint (pass the flow as the input named flow and --output-config in ContainerArguments)');
      }
      const tool = builtinEntry('parquet-tool', 'data-wrangler', options);
      return {
        argv: [python, '-B', pythonScript('data_wrangler.py'), ...(spec.arguments ?? [])],
        cwd: base,
        imageEnvironment: { ...pythonEnvironment, MLZONE_PARQUET_TOOL: JSON.stringify([tool.command, ...tool.args]) },
        contractEnvironment: { ...contract, MLZONE_JOB_DIR: base },
        describeSpawnError: (e) =>
          e.code === 'ENOENT'
            ? `the SageMaker Data Wrangler runtime needs Python 3 with pandas, and ${python} was not found: install it (apt-get install -y python3 python3-pandas) or set MLZONE_PYTHON`
            : `cannot run ${python} for the SageMaker Data Wrangler runtime: ${e.message}`,
        pythonOnPath: true,
      };
    }
    case 'command': {
      const argv = spec.entrypoint !== undefined && spec.entrypoint.length > 0 ? [...spec.entrypoint, ...(spec.arguments ?? [])] : [image.command, ...image.args, ...(spec.arguments ?? [])];
      return {
        argv,
        cwd: image.cwd ?? base,
        imageEnvironment: { ...image.environment },
        contractEnvironment: training ? { ...contract, ...trainingVariables(spec, base, options), SAGEMAKER_BASE_DIR: base } : contract,
        describeSpawnError: (e) =>
          e.code === 'ENOENT'
            ? `cannot run ${argv[0]}: no such program (check the command of this image in the blueprint's images:, or the job's ContainerEntrypoint)`
            : `cannot run ${argv[0]}: ${e.message}`,
      };
    }
    default: {
      const never: never = image;
      throw new Error(`unknown image kind ${JSON.stringify(never)}`);
    }
  }
}

function contractInput(spec: JobContainerSpec, base: string, options: JobLaunchOptions, frameworkModule?: string) {
  return {
    basePath: base,
    hyperParameters: spec.hyperParameters ?? {},
    channels: spec.channels ?? [],
    channelConfig: spec.channelConfig,
    hosts: spec.hosts,
    currentHost: spec.currentHost,
    instanceType: spec.instanceType,
    jobName: spec.jobName,
    numCpus: options.numCpus,
    frameworkModule,
    environment: spec.environment,
  };
}

/** The toolkit's variables for training images that are not framework images (harmless there, handy for scripts). */
function trainingVariables(spec: JobContainerSpec, base: string, options: JobLaunchOptions): Record<string, string> {
  return trainingEnvironment(contractInput(spec, base, options)).variables;
}
