/**
 * The training container contract as files and variables (reference §2.3, §2.5): what SageMaker writes to
 * `/opt/ml/input/config/`, and what sagemaker-training-toolkit derives from it inside framework containers — the
 * `SM_*` variables and a script's command-line arguments. Pure, so every rule is tested without a process.
 *
 * The toolkit is Python and its outputs show it: hyperparameter values are `json.loads`-ed (falling back to the
 * raw string), variables hold `json.dumps(value, sort_keys=True, separators=(",", ":"))` (ASCII only), and
 * arguments hold `str(value)` — `True`, `1e-05`, `['a', 'b']`. To be byte-for-byte what a script sees on AWS, values
 * are kept as Python values here ({@link PyValue}: integers as bigint, floats wrapped, dicts ordered) and printed
 * with Python's rules. Sources: aws/sagemaker-training-toolkit `environment.py` (Environment, to_env_vars),
 * `mapping.py` (to_env_vars, to_cmd_args), `params.py` (the reserved names), `_entry_point_type.py`.
 */

import type { JobChannelConfig } from './types.js';

// ---- Python values ---------------------------------------------------------------------------------------------

/** A Python float (JSON numbers with a fraction or exponent); integers are bigint, dicts are Maps in key order. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyValue = string | bigint | PyFloat | boolean | null | PyValue[] | Map<string, PyValue>;

/** `json.loads(text)`, or undefined where Python would raise (the toolkit then keeps the raw string). */
export function pyJsonLoads(text: string): PyValue | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('not JSON');
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map<string, PyValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = string();
        ws();
        if (text[i++] !== ':') fail();
        map.set(key, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] !== '}') fail();
        return map;
      }
    }
    if (c === '[') {
      i++;
      const list: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] !== ']') fail();
        return list;
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(NaN)],
      ['Infinity', new PyFloat(Infinity)],
      ['-Infinity', new PyFloat(-Infinity)],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (m === null) return fail();
    i += m[0].length;
    return m[1] !== undefined || m[2] !== undefined ? new PyFloat(Number(m[0])) : BigInt(m[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Python's `repr(float)`: the shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(expText);
  if (e >= -4 && e < 16) {
    if (e >= 0) {
      const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
      const frac = digits.slice(e + 1);
      return `${sign}${whole}.${frac === '' ? '0' : frac}`;
    }
    return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function jsonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[k];
  }
  return out + '"';
}

/** `json.dumps(v, sort_keys=True, separators=(",", ":"))` (ensure_ascii, as the toolkit calls it). */
export function pyJsonDumps(v: PyValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) {
    if (Number.isNaN(v.value)) return 'NaN';
    if (!Number.isFinite(v.value)) return v.value > 0 ? 'Infinity' : '-Infinity';
    return pyFloatRepr(v.value);
  }
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(',')}]`;
  const keys = [...v.keys()].sort();
  return `{${keys.map((k) => `${jsonString(k)}:${pyJsonDumps(v.get(k) as PyValue)}`).join(',')}}`;
}

function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr(v)`. */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return pyStr(v);
}

/** Python's `str(v)`. */
export function pyStr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  return pyRepr(v);
}

/** The toolkit's `read_hyperparameters()`: every value `json.loads`-ed, the raw string where that fails. */
export function decodeHyperParameters(raw: Readonly<Record<string, string>>): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const [k, v] of Object.entries(raw)) {
    const decoded = pyJsonLoads(v);
    out.set(k, decoded === undefined ? v : decoded);
  }
  return out;
}

// ---- the contract --------------------------------------------------------------------------------------------

/** Reserved hyperparameters the toolkit consumes (params.SAGEMAKER_HYPERPARAMETERS). */
const SAGEMAKER_HYPERPARAMETERS = new Set([
  'sagemaker_program',
  'sagemaker_submit_directory',
  'sagemaker_enable_cloudwatch_metrics',
  'sagemaker_region',
  'sagemaker_container_log_level',
  'sagemaker_job_name',
  'default_user_module_name',
  '_tuning_objective_metric',
  'sagemaker_s3_output',
]);

/** Framework parameters that turn on distributed training, putting the current group into distribution. */
const DISTRIBUTION_FLAGS = [
  'sagemaker_mpi_enabled',
  'sagemaker_parameter_server_enabled',
  'sagemaker_distributed_dataparallel_enabled',
  'sagemaker_pytorch_ddp_enabled',
  'sagemaker_pytorch_xla_multi_worker_enabled',
  'sagemaker_multi_worker_mirrored_strategy_enabled',
];

/** One channel's entry in `inputdataconfig.json`. */
export type ChannelConfig = JobChannelConfig;

export interface TrainingContractInput {
  /** The job directory as the process sees it: `/opt/ml`, or the host folder when it cannot be mounted there. */
  readonly basePath: string;
  /** `HyperParameters`, as AWS passes them (strings). */
  readonly hyperParameters: Readonly<Record<string, string>>;
  readonly channels: readonly string[];
  readonly channelConfig?: Readonly<Record<string, ChannelConfig>>;
  readonly hosts: readonly string[];
  readonly currentHost: string;
  /** `ResourceConfig.InstanceType`; the toolkit's own default is `local`. */
  readonly instanceType?: string;
  /** `TRAINING_JOB_NAME`, set by the platform. */
  readonly jobName?: string;
  readonly numCpus: number;
  readonly numGpus?: number;
  /** The image's `SAGEMAKER_TRAINING_MODULE` (e.g. `sagemaker_sklearn_container.training:main`). */
  readonly frameworkModule?: string;
  /** The container's other variables (`Environment`): `SAGEMAKER_PROGRAM` there overrides the hyperparameter. */
  readonly environment?: Readonly<Record<string, string>>;
}

const join = (...parts: string[]) => parts.join('/').replace(/\/+/g, '/');

/** The channels of a job: the staged ones and those `channelConfig` names, sorted and without duplicates. */
export function channelNames(input: Pick<TrainingContractInput, 'channels' | 'channelConfig'>): string[] {
  return [...new Set([...input.channels, ...Object.keys(input.channelConfig ?? {})])].sort();
}

/** `inputdataconfig.json`: one entry per channel, AWS's defaults for what the service does not say. */
export function inputDataConfig(input: Pick<TrainingContractInput, 'channels' | 'channelConfig'>): Record<string, ChannelConfig> {
  const out: Record<string, ChannelConfig> = {};
  for (const name of channelNames(input)) {
    const given = input.channelConfig?.[name] ?? {};
    out[name] = {
      ...(given.ContentType !== undefined ? { ContentType: given.ContentType } : {}),
      TrainingInputMode: given.TrainingInputMode ?? 'File',
      S3DistributionType: given.S3DistributionType ?? 'FullyReplicated',
      RecordWrapperType: given.RecordWrapperType ?? 'None',
    };
  }
  return out;
}

/** `resourceconfig.json` as the training platform writes it today (with the instance group of a homogeneous cluster). */
export function resourceConfig(input: Pick<TrainingContractInput, 'hosts' | 'currentHost' | 'instanceType'>): Record<string, unknown> {
  const instanceType = input.instanceType ?? 'local';
  return {
    current_host: input.currentHost,
    current_instance_type: instanceType,
    current_group_name: 'homogeneousCluster',
    hosts: [...input.hosts],
    instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: instanceType, hosts: [...input.hosts] }],
    network_interface_name: 'eth0',
  };
}

/** The files SageMaker writes to `/opt/ml/input/config/`, by name. */
export function trainingConfigFiles(input: TrainingContractInput): Record<string, string> {
  return {
    'hyperparameters.json': JSON.stringify(input.hyperParameters),
    'inputdataconfig.json': JSON.stringify(inputDataConfig(input)),
    'resourceconfig.json': JSON.stringify(resourceConfig(input)),
  };
}

/** Turns a JSON document (from JSON.parse) into Python values (numbers: integral → int, else float). */
function fromJs(v: unknown): PyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : new PyFloat(v);
  if (Array.isArray(v)) return v.map(fromJs);
  return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJs(x)]));
}

export interface TrainingEnvironment {
  /** `SM_*` and the other variables the toolkit exports. */
  readonly variables: Record<string, string>;
  /** The user hyperparameters as script arguments (`SM_USER_ARGS`). */
  readonly userArgs: string[];
  /** `sagemaker_program` (or `SAGEMAKER_PROGRAM`), when the job is in script mode. */
  readonly program?: string;
  /** `sagemaker_submit_directory`, as given (an S3 URI on AWS). */
  readonly submitDirectory?: string;
}

/**
 * What the toolkit's `Environment().to_env_vars()` gives for this job, plus the variables it exports itself
 * (`SAGEMAKER_JOB_NAME`, `CURRENT_HOST`, `SAGEMAKER_REGION`), and the user arguments.
 */
export function trainingEnvironment(input: TrainingContractInput): TrainingEnvironment {
  const base = input.basePath;
  const all = decodeHyperParameters(input.hyperParameters);
  const sagemaker = new Map<string, PyValue>();
  const user = new Map<string, PyValue>();
  for (const [k, v] of all) (SAGEMAKER_HYPERPARAMETERS.has(k) || k.startsWith('sagemaker_') ? sagemaker : user).set(k, v);
  const framework = new Map([...sagemaker].filter(([k]) => !SAGEMAKER_HYPERPARAMETERS.has(k)));

  const resource = fromJs(resourceConfig(input)) as Map<string, PyValue>;
  const dataConfig = fromJs(inputDataConfig(input)) as Map<string, PyValue>;
  const channels = channelNames(input);
  const codeDir = join(base, 'code');
  const modelDir = join(base, 'model');
  const inputDir = join(base, 'input');
  const outputDir = join(base, 'output');

  const envProgram = input.environment?.SAGEMAKER_PROGRAM;
  const hpProgram = sagemaker.get('sagemaker_program');
  const userEntryPoint: PyValue = envProgram ?? (hpProgram === undefined ? null : hpProgram);
  // As the toolkit: str(None) when there is no program, so SM_MODULE_NAME is "None" in algorithm mode.
  const moduleRaw = envProgram ?? pyStr(hpProgram ?? null);
  const moduleName = moduleRaw.endsWith('.py') ? moduleRaw.slice(0, -3) : moduleRaw;
  const submit = sagemaker.get('sagemaker_submit_directory');
  const moduleDir = submit === undefined ? codeDir : pyStr(submit);
  const logLevel = sagemaker.get('sagemaker_container_log_level') ?? 20n;

  const instanceType = input.instanceType ?? 'local';
  const group = 'homogeneousCluster';
  const hosts = [...input.hosts];
  const groupHosts = hosts;
  const distributionGroups: PyValue =
    framework.get('sagemaker_distribution_instance_groups') ?? (DISTRIBUTION_FLAGS.some((f) => truthy(framework.get(f))) ? [group] : []);
  const distributionHosts = Array.isArray(distributionGroups) && distributionGroups.includes(group) ? hosts : [];
  const masterHostname = distributionHosts.length > 0 ? distributionHosts[0] : hosts[0];
  const channelDirs = new Map(channels.map((c) => [c, join(inputDir, 'data', c)] as [string, PyValue]));
  const userArgs = toCmdArgs(user);
  const numCpus = BigInt(input.numCpus);
  const numGpus = BigInt(input.numGpus ?? 0);

  const trainingEnv = new Map<string, PyValue>([
    ['additional_framework_parameters', framework],
    ['channel_input_dirs', channelDirs],
    ['current_host', input.currentHost],
    ['current_instance_group', group],
    ['current_instance_group_hosts', groupHosts],
    ['current_instance_type', instanceType],
    ['distribution_hosts', distributionHosts],
    ['distribution_instance_groups', distributionGroups],
    ['framework_module', input.frameworkModule ?? null],
    ['hosts', hosts],
    ['hyperparameters', user],
    ['input_config_dir', join(inputDir, 'config')],
    ['input_data_config', dataConfig],
    ['input_dir', inputDir],
    ['instance_groups', [group]],
    ['instance_groups_dict', new Map([[group, new Map<string, PyValue>([['instance_group_name', group], ['instance_type', instanceType], ['hosts', hosts]])]])],
    ['is_hetero', false],
    ['is_master', input.currentHost === masterHostname],
    ['is_modelparallel_enabled', null],
    ['job_name', input.jobName ?? null],
    ['log_level', logLevel],
    ['master_hostname', masterHostname],
    ['model_dir', modelDir],
    ['module_dir', moduleDir],
    ['module_name', moduleName],
    ['network_interface_name', 'eth0'],
    ['num_cpus', numCpus],
    ['num_gpus', numGpus],
    ['num_neurons', 0n],
    ['output_data_dir', join(outputDir, 'data')],
    ['output_dir', outputDir],
    ['output_intermediate_dir', join(outputDir, 'intermediate')],
    ['resource_config', resource],
    ['user_entry_point', userEntryPoint],
  ]);

  const env = new Map<string, PyValue>([
    ['hosts', hosts],
    ['network_interface_name', 'eth0'],
    ['hps', user],
    ['user_entry_point', userEntryPoint],
    ['framework_params', framework],
    ['resource_config', resource],
    ['input_data_config', dataConfig],
    ['output_data_dir', join(outputDir, 'data')],
    ['channels', channels],
    ['current_host', input.currentHost],
    ['current_instance_type', instanceType],
    ['current_instance_group', group],
    ['current_instance_group_hosts', groupHosts],
    ['instance_groups', [group]],
    ['instance_groups_dict', trainingEnv.get('instance_groups_dict') as PyValue],
    ['distribution_instance_groups', distributionGroups],
    ['is_hetero', false],
    ['module_name', moduleName],
    ['log_level', logLevel],
    ['framework_module', input.frameworkModule ?? null],
    ['input_dir', inputDir],
    ['input_config_dir', join(inputDir, 'config')],
    ['output_dir', outputDir],
    ['num_cpus', numCpus],
    ['num_gpus', numGpus],
    ['num_neurons', 0n],
    ['model_dir', modelDir],
    ['module_dir', moduleDir],
    ['training_env', trainingEnv],
    ['user_args', userArgs],
    ['output_intermediate_dir', join(outputDir, 'intermediate')],
  ]);
  for (const [name, dir] of channelDirs) env.set(`channel_${name}`, dir);
  for (const [key, value] of user) env.set(`hp_${key}`, value);

  const variables: Record<string, string> = {};
  for (const [key, value] of env) variables[`SM_${key.toUpperCase()}`] = envValue(value);
  const jobNameHp = sagemaker.get('sagemaker_job_name');
  variables.SAGEMAKER_JOB_NAME = jobNameHp === undefined ? '' : pyStr(jobNameHp);
  variables.CURRENT_HOST = input.currentHost;
  const region = sagemaker.get('sagemaker_region');
  variables.SAGEMAKER_REGION = region !== undefined ? pyStr(region) : (input.environment?.AWS_REGION ?? input.environment?.AWS_DEFAULT_REGION ?? '');
  return {
    variables,
    userArgs,
    ...(userEntryPoint === null ? {} : { program: pyStr(userEntryPoint) }),
    ...(submit === undefined ? {} : { submitDirectory: pyStr(submit) }),
  };
}

function truthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0n) return false;
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** mapping.to_env_vars' value rule: None → "", strings verbatim, everything else compact sorted JSON. */
function envValue(v: PyValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return pyJsonDumps(v);
}

/**
 * mapping.to_cmd_args: keys sorted, `--key value` (`-k` for a one-character key), dict values as `k1=v1,k2=v2`,
 * everything else as Python's `str()` (None → empty).
 */
export function toCmdArgs(hyperparameters: ReadonlyMap<string, PyValue>): string[] {
  const keys = [...hyperparameters.keys()].sort();
  const out: string[] = [];
  for (const key of keys) {
    out.push(key === '' ? '' : [...key].length > 1 ? `--${key}` : `-${key}`);
    const value = hyperparameters.get(key) as PyValue;
    if (value instanceof Map) {
      out.push(
        [...value]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => `${k}=${pyStr(v)}`)
          .join(','),
      );
    } else {
      out.push(value === null ? '' : pyStr(value));
    }
  }
  return out;
}

/** How the toolkit runs a user entry point (`_entry_point_type.get`). */
export function entryPointType(program: string, codeDirFiles: readonly string[]): 'command' | 'python-package' | 'python-program' | 'python-module' {
  if (program.endsWith('.sh')) return 'command';
  if (codeDirFiles.includes('setup.py')) return 'python-package';
  if (program.endsWith('.py')) return 'python-program';
  if (program.startsWith('-m ')) return 'python-module';
  return 'command';
}
