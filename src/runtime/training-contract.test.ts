// The training contract's files and variables, and the Python formatting rules they depend on. Expected values are
// what CPython prints (repr, json.dumps) and what sagemaker-training-toolkit derives (reference §2.5's example).
import { describe, expect, it } from 'vitest';
import { PyFloat, decodeHyperParameters, entryPointType, inputDataConfig, pyFloatRepr, pyJsonDumps, pyJsonLoads, pyStr, resourceConfig, toCmdArgs, trainingEnvironment } from './training-contract.js';
import type { TrainingContractInput } from './training-contract.js';

describe('Python formatting', () => {
  it('repr(float)', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1.5, '1.5'],
      [10, '10.0'],
      [-0, '-0.0'],
      [0, '0.0'],
      [1e-5, '1e-05'],
      [1.5e-5, '1.5e-05'],
      [0.0001, '0.0001'],
      [0.00012, '0.00012'],
      [1e15, '1000000000000000.0'],
      [9999999999999998, '9999999999999998.0'],
      [1e16, '1e+16'],
      [1.2345678901234568e20, '1.2345678901234568e+20'],
      [1e22, '1e+22'],
      [5e-324, '5e-324'],
      [-2.5e-7, '-2.5e-07'],
      [1234.5, '1234.5'],
      [NaN, 'nan'],
      [-Infinity, '-inf'],
    ];
    for (const [x, repr] of cases) expect(pyFloatRepr(x), String(x)).toBe(repr);
  });

  it('json.loads keeps ints, floats and key order; raw strings where Python raises', () => {
    expect(pyJsonLoads('"adam"')).toBe('adam');
    expect(pyJsonLoads('10')).toBe(10n);
    expect(pyJsonLoads(' 5 ')).toBe(5n);
    expect(pyJsonLoads('12345678901234567890')).toBe(12345678901234567890n);
    expect(pyJsonLoads('1e5')).toEqual(new PyFloat(100000));
    expect(pyJsonLoads('adam')).toBeUndefined();
    expect(pyJsonLoads('01')).toBeUndefined();
    expect(pyJsonLoads('reg:linear')).toBeUndefined();
    expect(pyJsonLoads('True')).toBeUndefined();
    const map = pyJsonLoads('{"b": 1, "a": [true, null, 2.0]}') as Map<string, unknown>;
    expect([...map.keys()]).toEqual(['b', 'a']);
    expect(pyStr(map as never)).toBe("{'b': 1, 'a': [True, None, 2.0]}");
    expect(pyJsonDumps(map as never)).toBe('{"a":[true,null,2.0],"b":1}');
  });

  it('json.dumps escapes as ensure_ascii does', () => {
    expect(pyJsonDumps('é"\\\n\u0001😀')).toBe('"\\u00e9\\"\\\\\\n\\u0001\\ud83d\\ude00"');
  });
});

const input = (hyperParameters: Record<string, string>, extra: Partial<TrainingContractInput> = {}): TrainingContractInput => ({
  basePath: '/opt/ml',
  hyperParameters,
  channels: ['train', 'test'],
  hosts: ['algo-1', 'algo-2'],
  currentHost: 'algo-2',
  numCpus: 4,
  ...extra,
});

describe('script arguments (mapping.to_cmd_args)', () => {
  it("reference §2.5's example", () => {
    const env = trainingEnvironment(input({ epochs: '10', optimizer: '"adam"', sagemaker_program: '"train.py"', sagemaker_submit_directory: '"s3://b/p/sourcedir.tar.gz"', sagemaker_container_log_level: '20', sagemaker_job_name: '"job"', sagemaker_region: '"us-east-1"' }));
    expect(env.userArgs).toEqual(['--epochs', '10', '--optimizer', 'adam']);
    expect(env.program).toBe('train.py');
    expect(env.submitDirectory).toBe('s3://b/p/sourcedir.tar.gz');
    expect(env.variables).toMatchObject({
      SM_HPS: '{"epochs":10,"optimizer":"adam"}',
      SM_HP_EPOCHS: '10',
      SM_HP_OPTIMIZER: 'adam',
      SM_USER_ARGS: '["--epochs","10","--optimizer","adam"]',
      SM_MODULE_NAME: 'train',
      SM_USER_ENTRY_POINT: 'train.py',
      SM_MODULE_DIR: 's3://b/p/sourcedir.tar.gz',
      SM_LOG_LEVEL: '20',
      SAGEMAKER_JOB_NAME: 'job',
      SAGEMAKER_REGION: 'us-east-1',
    });
  });

  it('sorted keys, -k for one letter, Python str() of values, k=v lists for dicts', () => {
    const hps = decodeHyperParameters({ z: '1', a: 'true', lr: '1e-5', n: 'null', layers: '[64, "relu"]', opts: '{"b": 2, "a": 0.5}', name: 'plain text', big: '3.0' });
    expect(toCmdArgs(hps)).toEqual(['-a', 'True', '--big', '3.0', '--layers', "[64, 'relu']", '--lr', '1e-05', '-n', '', '--name', 'plain text', '--opts', 'a=0.5,b=2', '-z', '1']);
  });
});

describe('SM_* variables (Environment.to_env_vars)', () => {
  it('paths, channels, hosts, framework parameters and the training environment', () => {
    const { variables: v } = trainingEnvironment(
      input(
        { 'learning-rate': '0.01', sagemaker_program: '"train.py"', sagemaker_mpi_enabled: 'true', _tuning_objective_metric: '"validation:rmse"' },
        { channelConfig: { validation: { ContentType: 'text/csv' } }, frameworkModule: 'sagemaker_sklearn_container.training:main', jobName: 'j', instanceType: 'ml.c5.xlarge', numGpus: 0 },
      ),
    );
    expect(v).toMatchObject({
      SM_MODEL_DIR: '/opt/ml/model',
      SM_CHANNELS: '["test","train","validation"]',
      SM_CHANNEL_TRAIN: '/opt/ml/input/data/train',
      SM_CHANNEL_VALIDATION: '/opt/ml/input/data/validation',
      SM_HPS: '{"learning-rate":0.01}',
      'SM_HP_LEARNING-RATE': '0.01',
      SM_HOSTS: '["algo-1","algo-2"]',
      SM_CURRENT_HOST: 'algo-2',
      SM_CURRENT_INSTANCE_TYPE: 'ml.c5.xlarge',
      SM_CURRENT_INSTANCE_GROUP: 'homogeneousCluster',
      SM_CURRENT_INSTANCE_GROUP_HOSTS: '["algo-1","algo-2"]',
      SM_INSTANCE_GROUPS: '["homogeneousCluster"]',
      SM_INSTANCE_GROUPS_DICT: '{"homogeneousCluster":{"hosts":["algo-1","algo-2"],"instance_group_name":"homogeneousCluster","instance_type":"ml.c5.xlarge"}}',
      SM_DISTRIBUTION_INSTANCE_GROUPS: '["homogeneousCluster"]',
      SM_IS_HETERO: 'false',
      SM_NUM_CPUS: '4',
      SM_NUM_GPUS: '0',
      SM_NUM_NEURONS: '0',
      SM_FRAMEWORK_PARAMS: '{"sagemaker_mpi_enabled":true}',
      SM_FRAMEWORK_MODULE: 'sagemaker_sklearn_container.training:main',
      SM_NETWORK_INTERFACE_NAME: 'eth0',
      SM_INPUT_DIR: '/opt/ml/input',
      SM_INPUT_CONFIG_DIR: '/opt/ml/input/config',
      SM_OUTPUT_DIR: '/opt/ml/output',
      SM_OUTPUT_DATA_DIR: '/opt/ml/output/data',
      SM_OUTPUT_INTERMEDIATE_DIR: '/opt/ml/output/intermediate',
      SM_LOG_LEVEL: '20',
      SM_USER_ARGS: '["--learning-rate","0.01"]',
      CURRENT_HOST: 'algo-2',
    });
    expect(JSON.parse(v.SM_INPUT_DATA_CONFIG)).toEqual({
      test: { RecordWrapperType: 'None', S3DistributionType: 'FullyReplicated', TrainingInputMode: 'File' },
      train: { RecordWrapperType: 'None', S3DistributionType: 'FullyReplicated', TrainingInputMode: 'File' },
      validation: { ContentType: 'text/csv', RecordWrapperType: 'None', S3DistributionType: 'FullyReplicated', TrainingInputMode: 'File' },
    });
    const env = JSON.parse(v.SM_TRAINING_ENV);
    expect(Object.keys(env)).toEqual([...Object.keys(env)].sort());
    expect(env).toMatchObject({ current_host: 'algo-2', master_hostname: 'algo-1', is_master: false, job_name: 'j', distribution_hosts: ['algo-1', 'algo-2'], hyperparameters: { 'learning-rate': 0.01 } });
    // _tuning_objective_metric and sagemaker_* are the toolkit's, not the script's.
    expect(v.SM_HPS).not.toContain('tuning');
  });

  it('algorithm mode: no program, SM_MODULE_NAME is "None" as str(None) makes it', () => {
    const env = trainingEnvironment(input({ num_round: '10' }, { basePath: '/tmp/job' }));
    expect(env.program).toBeUndefined();
    expect(env.variables).toMatchObject({ SM_MODULE_NAME: 'None', SM_USER_ENTRY_POINT: '', SM_MODULE_DIR: '/tmp/job/code', SM_MODEL_DIR: '/tmp/job/model', SM_FRAMEWORK_MODULE: '', SM_DISTRIBUTION_INSTANCE_GROUPS: '[]' });
  });

  it('the config files', () => {
    expect(resourceConfig({ hosts: ['algo-1'], currentHost: 'algo-1' })).toEqual({
      current_host: 'algo-1',
      current_instance_type: 'local',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1'],
      instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: 'local', hosts: ['algo-1'] }],
      network_interface_name: 'eth0',
    });
    expect(inputDataConfig({ channels: ['train'], channelConfig: { train: { ContentType: 'text/csv', TrainingInputMode: 'Pipe' } } })).toEqual({
      train: { ContentType: 'text/csv', TrainingInputMode: 'Pipe', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
    });
  });

  it('entry point types', () => {
    expect(entryPointType('train.py', [])).toBe('python-program');
    expect(entryPointType('train.py', ['setup.py', 'train.py'])).toBe('python-package');
    expect(entryPointType('run.sh', [])).toBe('command');
    expect(entryPointType('-m trainer.task', [])).toBe('python-module');
  });
});
