import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PipelineExpressionError,
  evaluateConditions,
  evaluateJsonPath,
  parseDefinition,
  referencedSteps,
  resolve,
  resolveParameters,
  type Scope,
  type StepView,
} from './index.js';

const churn = parseDefinition(readFileSync(new URL('./fixtures/churn-pipeline.json', import.meta.url), 'utf8'));
const EXECUTION_ID = 'p4jn9xou8a8s';
const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn';

/** DescribeProcessingJob of the Prep step, as SageMaker answers it (outputs resolved, names generated). */
const prepDescribe = {
  ProcessingJobName: `pipelines-${EXECUTION_ID}-prep-tmgxry49ug`,
  ProcessingJobArn: `arn:aws:sagemaker:us-east-1:111111111111:processing-job/pipelines-${EXECUTION_ID}-prep-tmgxry49ug`,
  ProcessingJobStatus: 'Completed',
  ProcessingInputs: [
    { InputName: 'raw', AppManaged: false, S3Input: { S3Uri: 's3://acme-ml-data/raw/churn.csv', LocalPath: '/opt/ml/processing/input/raw', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
    { InputName: 'code', AppManaged: false, S3Input: { S3Uri: 's3://acme-ml-artifacts/churn/code/prep.py', LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
  ],
  ProcessingOutputConfig: {
    Outputs: [
      { OutputName: 'train', AppManaged: false, S3Output: { S3Uri: `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/train`, LocalPath: '/opt/ml/processing/train', S3UploadMode: 'EndOfJob' } },
      { OutputName: 'test', AppManaged: false, S3Output: { S3Uri: `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`, LocalPath: '/opt/ml/processing/test', S3UploadMode: 'EndOfJob' } },
    ],
  },
  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  AppSpecification: { ImageUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/sklearn-proc:1.2' },
  RoleArn: 'arn:aws:iam::111111111111:role/ml-pipeline-exec',
  ProcessingEndTime: new Date('2024-05-01T10:05:00.000Z'),
};

/** DescribeTrainingJob of the Train step. */
const trainDescribe = {
  TrainingJobName: `pipelines-${EXECUTION_ID}-train-8c1k2m3n4p`,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:111111111111:training-job/pipelines-${EXECUTION_ID}-train-8c1k2m3n4p`,
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  HyperParameters: { objective: 'reg:squarederror', num_round: '80', max_depth: '5', 'batch-size': '64' },
  AlgorithmSpecification: { TrainingImage: '111111111111.dkr.ecr.us-east-1.amazonaws.com/xgboost-train:1.7', TrainingInputMode: 'File' },
  InputDataConfig: [
    { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/train`, S3DataDistributionType: 'FullyReplicated' } }, ContentType: 'text/csv' },
    { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`, S3DataDistributionType: 'FullyReplicated' } }, ContentType: 'text/csv' },
  ],
  OutputDataConfig: { S3OutputPath: 's3://acme-ml-artifacts/churn/models' },
  ModelArtifacts: { S3ModelArtifacts: `s3://acme-ml-artifacts/churn/models/pipelines-${EXECUTION_ID}-train-8c1k2m3n4p/output/model.tar.gz` },
  FinalMetricDataList: [
    { MetricName: 'train:rmse', Value: 0.21, Timestamp: new Date('2024-05-01T10:20:00.000Z') },
    { MetricName: 'validation:rmse', Value: 0.27, Timestamp: new Date('2024-05-01T10:20:00.000Z') },
  ],
  TrainingStartTime: new Date('2024-05-01T10:06:00.000Z'),
};

/** DescribeProcessingJob of the Eval step (only what the tests read). */
const evalDescribe = {
  ProcessingJobName: `pipelines-${EXECUTION_ID}-eval-q1w2e3r4t5`,
  ProcessingJobStatus: 'Completed',
  ProcessingOutputConfig: {
    Outputs: [{ OutputName: 'metrics', AppManaged: false, S3Output: { S3Uri: `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/metrics`, LocalPath: '/opt/ml/processing/metrics', S3UploadMode: 'EndOfJob' } }],
  },
};

interface Fake {
  scope: Scope;
  reads: string[];
  files: Map<string, string>;
  clock: { calls: number };
}

function fakeScope(overrides: Partial<Scope> = {}, steps: Record<string, StepView> = {}): Fake {
  const reads: string[] = [];
  const files = new Map<string, string>();
  const clock = { calls: 0 };
  const views: Record<string, StepView> = {
    Prep: { type: 'Processing', properties: prepDescribe },
    Train: { type: 'Training', properties: trainDescribe },
    Eval: { type: 'Processing', properties: evalDescribe },
    ...steps,
  };
  const scope: Scope = {
    parameters: resolveParameters(churn.parameters, []),
    execution: {
      PipelineName: 'churn',
      PipelineArn: PIPELINE_ARN,
      PipelineExecutionId: EXECUTION_ID,
      PipelineExecutionArn: `${PIPELINE_ARN}/execution/${EXECUTION_ID}`,
      StartDateTime: '2024-05-01T10:00:00.000Z',
      CurrentDateTime: () => `2024-05-01T10:00:0${++clock.calls}.000Z`,
    },
    experiment: { ExperimentName: 'churn', TrialName: EXECUTION_ID },
    step: (name) => views[name],
    readText: async (uri) => {
      reads.push(uri);
      const text = files.get(uri);
      if (text === undefined) throw new Error(`NoSuchKey: The specified key does not exist. (${uri})`);
      return text;
    },
    ...overrides,
  };
  return { scope, reads, files, clock };
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineExpressionError);
    return (e as Error).message;
  }
  throw new Error('the expression resolved');
}

const get = (Get: string) => ({ Get });

describe('resolve: step arguments of the §1.12 example', () => {
  it('resolves the Train step against the Prep job', async () => {
    const { scope } = fakeScope();
    const args = (await resolve(churn.steps.get('Train')!.arguments, scope)) as Record<string, any>;
    expect(args.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toBe(`s3://acme-ml-artifacts/churn/${EXECUTION_ID}/train`);
    expect(args.ResourceConfig).toEqual({ InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    // Everything else is copied as written.
    expect(args.HyperParameters).toEqual({ objective: 'reg:squarederror', num_round: '80', max_depth: '5' });
    expect(args.AlgorithmSpecification.MetricDefinitions).toEqual([{ Name: 'validation:rmse', Regex: 'validation-rmse:([0-9\\.]+)' }]);
  });

  it('resolves the Prep step’s Std:Join output locations and the Eval step’s inputs', async () => {
    const { scope } = fakeScope();
    const prep = (await resolve(churn.steps.get('Prep')!.arguments, scope)) as Record<string, any>;
    expect(prep.ProcessingOutputConfig.Outputs.map((o: any) => o.S3Output.S3Uri)).toEqual([
      `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/train`,
      `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`,
    ]);
    expect(prep.ProcessingInputs[0].S3Input.S3Uri).toBe('s3://acme-ml-data/raw/churn.csv');
    const evalArgs = (await resolve(churn.steps.get('Eval')!.arguments, scope)) as Record<string, any>;
    expect(evalArgs.ProcessingInputs.map((i: any) => i.S3Input.S3Uri)).toEqual([
      trainDescribe.ModelArtifacts.S3ModelArtifacts,
      `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`,
      's3://acme-ml-artifacts/churn/code/evaluate.py',
    ]);
  });

  it('resolves the Register and Fail branch steps', async () => {
    const { scope } = fakeScope();
    const reg = (await resolve(churn.steps.get('Register')!.arguments, scope)) as Record<string, any>;
    expect(reg.ModelPackageGroupName).toBe('churn-models');
    expect(reg.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(reg.InferenceSpecification.Containers[0].ModelDataUrl).toBe(trainDescribe.ModelArtifacts.S3ModelArtifacts);
    expect(reg.ModelMetrics.ModelQuality.Statistics.S3Uri).toBe(`s3://acme-ml-artifacts/churn/${EXECUTION_ID}/metrics/evaluation.json`);
    const fail = (await resolve(churn.steps.get('RmseTooHigh')!.arguments, scope)) as Record<string, any>;
    expect(fail.ErrorMessage).toBe('RMSE above threshold 0.35');
  });

  it('does not change the definition it resolves', async () => {
    const before = JSON.stringify(churn.steps.get('Train')!.arguments);
    await resolve(churn.steps.get('Train')!.arguments, fakeScope().scope);
    expect(JSON.stringify(churn.steps.get('Train')!.arguments)).toBe(before);
  });
});

describe('resolve: property paths', () => {
  const { scope } = fakeScope();
  const at = (path: string) => resolve(get(path), scope);

  it('walks members, indices and named list elements', async () => {
    expect(await at('Steps.Prep.ProcessingJobName')).toBe(prepDescribe.ProcessingJobName);
    expect(await at("Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri")).toBe(`s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`);
    expect(await at('Steps.Prep.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri')).toBe(`s3://acme-ml-artifacts/churn/${EXECUTION_ID}/train`);
    expect(await at(`Steps.Prep.ProcessingOutputConfig.Outputs["train"].OutputName`)).toBe('train');
    expect(await at("Steps.Prep.ProcessingInputs['code'].S3Input.S3Uri")).toBe('s3://acme-ml-artifacts/churn/code/prep.py');
    expect(await at("Steps.Train.InputDataConfig['validation'].DataSource.S3DataSource.S3Uri")).toBe(`s3://acme-ml-artifacts/churn/${EXECUTION_ID}/test`);
    expect(await at('Steps.Train.ModelArtifacts.S3ModelArtifacts')).toBe(trainDescribe.ModelArtifacts.S3ModelArtifacts);
    expect(await at("Steps.Train.FinalMetricDataList['validation:rmse'].Value")).toBe(0.27);
    expect(await at("Steps.Train.HyperParameters['batch-size']")).toBe('64');
    expect(await at('Steps.Prep.ProcessingResources.ClusterConfig.InstanceCount')).toBe(1);
  });

  it('tolerates a Properties. prefix', async () => {
    expect(await at('Steps.Train.Properties.ModelArtifacts.S3ModelArtifacts')).toBe(trainDescribe.ModelArtifacts.S3ModelArtifacts);
  });

  it('gives timestamps as ISO-8601 strings and copies structures', async () => {
    expect(await at('Steps.Train.TrainingStartTime')).toBe('2024-05-01T10:06:00.000Z');
    const metric = (await at("Steps.Train.FinalMetricDataList['train:rmse']")) as Record<string, unknown>;
    expect(metric).toEqual({ MetricName: 'train:rmse', Value: 0.21, Timestamp: '2024-05-01T10:20:00.000Z' });
    metric.Value = 99;
    expect(trainDescribe.FinalMetricDataList[0]!.Value).toBe(0.21);
  });

  it('explains what is missing', async () => {
    expect(await errorOf(at("Steps.Prep.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri"))).toBe(
      `Cannot resolve {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri"}: ProcessingOutputConfig.Outputs has no element named 'validation'.`,
    );
    expect(await errorOf(at('Steps.Prep.ProcessingOutputConfig.Outputs[5].S3Output'))).toBe(
      `Cannot resolve {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs[5].S3Output"}: ProcessingOutputConfig.Outputs has no element [5] (it has 2).`,
    );
    expect(await errorOf(at('Steps.Train.ModelArtifacts.S3Uri'))).toBe(`Cannot resolve {"Get": "Steps.Train.ModelArtifacts.S3Uri"}: ModelArtifacts has no member 'S3Uri'.`);
    expect(await errorOf(at('Steps.Train.FailureReason'))).toBe(`Cannot resolve {"Get": "Steps.Train.FailureReason"}: the properties root has no member 'FailureReason'.`);
    expect(await errorOf(at("Steps.Train.HyperParameters['eta']"))).toBe(`Cannot resolve {"Get": "Steps.Train.HyperParameters['eta']"}: HyperParameters has no key 'eta'.`);
    expect(await errorOf(at('Steps.Train.ModelArtifacts[0]'))).toBe(`Cannot resolve {"Get": "Steps.Train.ModelArtifacts[0]"}: ModelArtifacts is not a list (index [0]).`);
    expect(await errorOf(at('Steps.RmseGate.Outcome'))).toBe(`Cannot resolve {"Get": "Steps.RmseGate.Outcome"}: step 'RmseGate' has not succeeded in this execution.`);
    expect(await errorOf(at('Steps.Eval.PropertyFiles.EvalReport'))).toBe(
      `Cannot resolve {"Get": "Steps.Eval.PropertyFiles.EvalReport"}: a property file can only be read through Std:JsonGet.`,
    );
    // The whole properties root.
    expect(await at('Steps.Eval')).toEqual(evalDescribe);
  });

  it('reads a Condition step’s Outcome and Callback/Lambda OutputParameters', async () => {
    const { scope: s } = fakeScope({}, {
      Gate: { type: 'Condition', outcome: false, properties: { Outcome: 'False' } },
      Approve: { type: 'Callback', outputParameters: { approved: 'yes', threshold: 0.4 } },
      Lookup: { type: 'Lambda', properties: { OutputParameters: [{ Name: 'image', Value: 'img:1' }] } },
    });
    expect(await resolve(get('Steps.Gate.Outcome'), s)).toBe(false);
    expect(await resolve(get("Steps.Approve.OutputParameters['threshold']"), s)).toBe(0.4);
    expect(await resolve(get("Steps.Lookup.OutputParameters['image']"), s)).toBe('img:1');
    expect(await errorOf(resolve(get("Steps.Approve.OutputParameters['nope']"), s))).toBe(
      `Cannot resolve {"Get": "Steps.Approve.OutputParameters['nope']"}: OutputParameters has no key 'nope'.`,
    );
  });
});

describe('resolve: parameters, execution variables, experiment config, Std:Join', () => {
  it('reads parameters typed, and execution variables (CurrentDateTime at each resolution)', async () => {
    const { scope, clock } = fakeScope();
    expect(await resolve(get('Parameters.MaxRmse'), scope)).toBe(0.35);
    expect(await resolve(get('Execution.PipelineExecutionId'), scope)).toBe(EXECUTION_ID);
    expect(await resolve(get('Execution.CurrentDateTime'), scope)).toBe('2024-05-01T10:00:01.000Z');
    expect(await resolve({ a: get('Execution.CurrentDateTime'), b: [get('Execution.CurrentDateTime')] }, scope)).toEqual({
      a: '2024-05-01T10:00:02.000Z',
      b: ['2024-05-01T10:00:03.000Z'],
    });
    expect(clock.calls).toBe(3);
    expect(await resolve(get('PipelineExperimentConfig.TrialName'), scope)).toBe(EXECUTION_ID);
    expect(await resolve(churn.experimentConfig, scope)).toEqual({ ExperimentName: 'churn', TrialName: EXECUTION_ID });
  });

  it('refuses variables the scope does not have', async () => {
    const { scope } = fakeScope({ experiment: undefined });
    expect(await errorOf(resolve(get('Execution.TrainingJobName'), scope))).toBe(`Cannot resolve {"Get": "Execution.TrainingJobName"}: the execution variable TrainingJobName has no value here.`);
    expect(await errorOf(resolve(get('Parameters.Nope'), scope))).toBe(`Cannot resolve {"Get": "Parameters.Nope"}: the pipeline has no parameter 'Nope'.`);
    expect(await errorOf(resolve(get('PipelineExperimentConfig.ExperimentName'), scope))).toBe(
      `Cannot resolve {"Get": "PipelineExperimentConfig.ExperimentName"}: the execution has no PipelineExperimentConfig.ExperimentName.`,
    );
  });

  it('joins with natural numbers, lower-case booleans and nested expressions', async () => {
    const { scope } = fakeScope({ parameters: { N: 3, F: 0.5, B: true, S: 'x' } });
    const join = (On: string | undefined, Values: unknown[]) => resolve({ 'Std:Join': On === undefined ? { Values } : { On, Values } }, scope);
    expect(await join('-', [get('Parameters.N'), get('Parameters.F'), get('Parameters.B'), get('Parameters.S'), 7, false, 1.25])).toBe('3-0.5-true-x-7-false-1.25');
    expect(await join(undefined, ['a', 'b'])).toBe('ab');
    // The SDK's .to_string(): a Join of one value.
    expect(await join('', [get('Parameters.N')])).toBe('3');
    expect(await join('/', ['s3:/', 'bucket', { 'Std:Join': { On: '_', Values: [get('Execution.PipelineName'), 'x'] } }])).toBe('s3://bucket/churn_x');
    expect(await join(',', [null, { a: 1 }, [1, 2]])).toBe('null,{"a":1},[1,2]');
  });

  it('leaves plain values and objects that only look like expressions alone', async () => {
    const { scope } = fakeScope();
    const v = { Get: 'Parameters.MaxRmse', Other: 1 };
    expect(await resolve(v, scope)).toEqual(v);
    expect(await resolve([1, 'a', true, null], scope)).toEqual([1, 'a', true, null]);
  });
});

describe('Std:JsonGet', () => {
  const reportUri = `s3://acme-ml-artifacts/churn/${EXECUTION_ID}/metrics/evaluation.json`;
  const report = (rmse: number) => JSON.stringify({ regression_metrics: { rmse: { value: rmse, standard_deviation: 0.01 } }, per_class: [{ label: 'churn', 'f1-score': 0.8 }] });
  const conditions = (churn.steps.get('RmseGate')!.arguments as { Conditions: unknown[] }).Conditions;

  it('reads the Eval step’s property file and decides the §1.12 condition', async () => {
    const f = fakeScope();
    f.files.set(reportUri, report(0.3));
    expect(await evaluateConditions(conditions, f.scope)).toBe(true);
    expect(f.reads).toEqual([reportUri]);
    f.files.set(reportUri, report(0.4));
    expect(await evaluateConditions(conditions, f.scope)).toBe(false);
  });

  it('finds the property file through the scope’s definition or the step view as well', async () => {
    const handWritten = { 'Std:JsonGet': { PropertyFile: get('Steps.Eval.PropertyFiles.EvalReport'), Path: 'regression_metrics.rmse.value' } };
    const f = fakeScope({ definition: churn });
    f.files.set(reportUri, report(0.25));
    expect(await resolve(handWritten, f.scope)).toBe(0.25);
    const g = fakeScope({}, { Eval: { type: 'Processing', properties: evalDescribe, propertyFiles: churn.steps.get('Eval')!.propertyFiles } });
    g.files.set(reportUri, report(0.26));
    expect(await resolve(handWritten, g.scope)).toBe(0.26);
    const h = fakeScope();
    expect(await errorOf(resolve(handWritten, h.scope))).toBe(`Cannot read the property file 'EvalReport': step 'Eval' declares no such property file.`);
  });

  it('reads any S3 URI, built with Std:Join', async () => {
    const f = fakeScope();
    f.files.set(`s3://bucket/churn/${EXECUTION_ID}/results.json`, JSON.stringify({ Result: [{ score: 0.9 }] }));
    const v = { 'Std:JsonGet': { S3Uri: { 'Std:Join': { On: '/', Values: ['s3://bucket', get('Execution.PipelineName'), get('Execution.PipelineExecutionId'), 'results.json'] } }, Path: 'Result[0].score' } };
    expect(await resolve(v, f.scope)).toBe(0.9);
  });

  it('reports unreadable files, bad JSON and missing paths', async () => {
    const f = fakeScope();
    expect(await errorOf(evaluateConditions(conditions, f.scope))).toBe(
      `Std:JsonGet could not read the property file 'EvalReport' of step 'Eval' (${reportUri}): NoSuchKey: The specified key does not exist. (${reportUri})`,
    );
    f.files.set(reportUri, '{not json');
    expect(await errorOf(evaluateConditions(conditions, f.scope))).toBe(`Std:JsonGet: the property file 'EvalReport' of step 'Eval' (${reportUri}) is not valid JSON.`);
    f.files.set(reportUri, JSON.stringify({ regression_metrics: { mse: { value: 1 } } }));
    expect(await errorOf(evaluateConditions(conditions, f.scope))).toBe(
      `Std:JsonGet: the Path 'regression_metrics.rmse.value' does not exist in the property file 'EvalReport' of step 'Eval' (${reportUri}).`,
    );
    const noOutputs = fakeScope({}, { Eval: { type: 'Processing', properties: { ProcessingJobStatus: 'Completed' } } });
    expect(await errorOf(evaluateConditions(conditions, noOutputs.scope))).toBe(
      `Cannot read the property file 'EvalReport': step 'Eval' has no processing output 'metrics' with an S3Uri.`,
    );
    const notRun = fakeScope({ step: () => undefined });
    expect(await errorOf(evaluateConditions(conditions, notRun.scope))).toBe(`Cannot read the property file 'EvalReport': step 'Eval' has not succeeded in this execution.`);
  });

  it('evaluates the SDK’s path forms', () => {
    const doc = JSON.parse(report(0.3));
    expect(evaluateJsonPath(doc, 'regression_metrics.rmse.value')).toBe(0.3);
    expect(evaluateJsonPath(doc, '$.regression_metrics.rmse.value')).toBe(0.3);
    expect(evaluateJsonPath(doc, "per_class[0]['f1-score']")).toBe(0.8);
    expect(evaluateJsonPath(doc, 'per_class[0].label')).toBe('churn');
    expect(evaluateJsonPath([[1, 2]], '[0][1]')).toBe(2);
    expect(evaluateJsonPath(doc, 'regression_metrics')).toEqual({ rmse: { value: 0.3, standard_deviation: 0.01 } });
    expect(() => evaluateJsonPath(doc, 'per_class[1].label')).toThrow(PipelineExpressionError);
    expect(() => evaluateJsonPath(doc, 'per_class[x]')).toThrow("Std:JsonGet: invalid Path 'per_class[x]' (expected an index or a quoted key at position 10).");
  });
});

describe('evaluateConditions', () => {
  const { scope } = fakeScope({ parameters: { Threshold: 0.5, Count: 3, Mode: 'fast', Enabled: true, Day: '2024-05-01' } });
  const one = (c: unknown) => evaluateConditions([c], scope);
  const bin = (Type: string, LeftValue: unknown, RightValue: unknown) => one({ Type, LeftValue, RightValue });

  it('compares numbers numerically, Integer with Float', async () => {
    expect(await bin('LessThanOrEqualTo', get("Steps.Train.FinalMetricDataList['validation:rmse'].Value"), get('Parameters.Threshold'))).toBe(true);
    expect(await bin('GreaterThan', get('Parameters.Count'), 2.5)).toBe(true);
    expect(await bin('GreaterThanOrEqualTo', 3, get('Parameters.Count'))).toBe(true);
    expect(await bin('LessThan', 10, 9)).toBe(false);
    expect(await bin('Equals', 3, 3.0)).toBe(true);
    expect(await bin('Equals', get('Parameters.Count'), 4)).toBe(false);
  });

  it('compares strings and ISO-8601 timestamps lexicographically', async () => {
    expect(await bin('Equals', get('Parameters.Mode'), 'fast')).toBe(true);
    expect(await bin('GreaterThan', get('Execution.StartDateTime'), '2024-04-30T23:59:59Z')).toBe(true);
    expect(await bin('LessThan', get('Parameters.Day'), '2024-05-02')).toBe(true);
    expect(await bin('LessThan', 'B', 'a')).toBe(true);
    expect(await bin('Equals', get('Steps.Prep.ProcessingJobStatus'), 'Completed')).toBe(true);
  });

  it('compares booleans for equality, a boolean with its spelling too', async () => {
    expect(await bin('Equals', get('Parameters.Enabled'), true)).toBe(true);
    expect(await bin('Equals', get('Parameters.Enabled'), 'True')).toBe(true);
    expect(await bin('Equals', 'false', get('Parameters.Enabled'))).toBe(false);
    expect(await bin('NotEquals', get('Parameters.Enabled'), false)).toBe(true);
  });

  it('evaluates In, Not, Or and the implicit AND', async () => {
    expect(await one({ Type: 'In', QueryValue: get('Parameters.Mode'), Values: ['slow', 'fast'] })).toBe(true);
    expect(await one({ Type: 'In', QueryValue: get('Parameters.Count'), Values: ['3', 4] })).toBe(false);
    expect(await one({ Type: 'NotIn', Value: 'x', In: ['y'] })).toBe(true);
    expect(await one({ Type: 'Not', Condition: { Type: 'Equals', LeftValue: 1, RightValue: 1 } })).toBe(false);
    expect(await one({ Type: 'Or', Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 2 }, { Type: 'LessThan', LeftValue: 1, RightValue: 2 }] })).toBe(true);
    expect(await one({ Type: 'Or', Conditions: [] })).toBe(false);
    expect(await evaluateConditions([], scope)).toBe(true);
    expect(await evaluateConditions([{ Type: 'Equals', LeftValue: 1, RightValue: 1 }, { Type: 'Equals', LeftValue: 1, RightValue: 2 }], scope)).toBe(false);
  });

  it('refuses comparisons across types', async () => {
    expect(await errorOf(bin('GreaterThan', get('Parameters.Mode'), 1))).toBe('Condition GreaterThan cannot compare LeftValue "fast" (String) with RightValue 1 (Integer).');
    expect(await errorOf(bin('Equals', '0.5', get('Parameters.Threshold')))).toBe('Condition Equals cannot compare LeftValue "0.5" (String) with RightValue 0.5 (Float).');
    expect(await errorOf(bin('LessThan', true, false))).toBe('Condition LessThan cannot compare LeftValue true (Boolean) with RightValue false (Boolean).');
    expect(await errorOf(bin('Equals', { a: 1 }, { a: 1 }))).toBe('Condition Equals cannot compare LeftValue {"a":1} (Object) with RightValue {"a":1} (Object).');
    expect(await errorOf(one({ Type: 'Between' }))).toBe("Unknown condition type 'Between'.");
  });
});

describe('referencedSteps', () => {
  it('lists the steps a value reads, once each, in order', () => {
    const conditions = (churn.steps.get('RmseGate')!.arguments as { Conditions: unknown[] }).Conditions;
    expect(referencedSteps(conditions)).toEqual(['Eval']);
    expect(referencedSteps(churn.steps.get('Register')!.arguments)).toEqual(['Train', 'Eval']);
    expect(referencedSteps(churn.steps.get('RmseGate')!.arguments)).toEqual(['Eval', 'Train']);
    expect(referencedSteps({ a: [get('Steps.X.Y'), get("Steps.Z['k']"), get('Parameters.X'), get('Steps.X.W')] })).toEqual(['X', 'Z']);
    expect(referencedSteps('Steps.X')).toEqual([]);
  });
});
