/**
 * The pipeline definitions of examples/pipelines.ts, as the SageMaker Python SDK writes them (JSON 2020-12-01), so
 * the example and the end-to-end tests run the same documents:
 * - `trainingPipeline`: prepare (processing) → train (built-in linear learner) → evaluate (processing, a property
 *   file) → a condition on the evaluation's MSE → register a model version, or fail with the Fail step's message;
 * - `batchInferencePipeline`: a model from a registered version (possibly another account's) → a batch transform.
 */

export const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
export const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/** Splits `data.csv` (label first) into train (80 rows) and test. */
export const PREP_SCRIPT = `
import os
rows = open('/opt/ml/processing/input/raw/data.csv').read().strip().split('\\n')
for name, part in (('train', rows[:80]), ('test', rows[80:])):
    os.makedirs('/opt/ml/processing/' + name, exist_ok=True)
    open('/opt/ml/processing/%s/%s.csv' % (name, name), 'w').write('\\n'.join(part) + '\\n')
`;

/** Scores the linear learner's model on the test split and writes `evaluation.json` (the property file). */
export const EVALUATE_SCRIPT = `
import json, os, tarfile
tarfile.open('/opt/ml/processing/model/model.tar.gz').extractall('/tmp/model-' + str(os.getpid()))
m = json.load(open('/tmp/model-%d/mlzone-linear-learner.json' % os.getpid()))
rows = [list(map(float, r.split(','))) for r in open('/opt/ml/processing/test/test.csv').read().strip().split('\\n')]
mse = sum((r[0] - (sum(w * x for w, x in zip(m['weights'], r[1:])) + m['bias'])) ** 2 for r in rows) / len(rows)
os.makedirs('/opt/ml/processing/metrics', exist_ok=True)
json.dump({'regression_metrics': {'mse': {'value': mse}}}, open('/opt/ml/processing/metrics/evaluation.json', 'w'))
print('mse', mse)
`;

/** 100 rows of `y = 2a − b + 1` (label first), which the linear learner fits almost exactly. */
export function trainingRows(): string {
  const rows = Array.from({ length: 100 }, (_, i) => {
    const [a, b] = [(i % 10) / 2, ((i * 3) % 7) / 3];
    return `${2 * a - b + 1},${a},${b}`;
  });
  return `${rows.join('\n')}\n`;
}

export interface TrainingPipelineOptions {
  /** The bucket holding `<prefix>/raw/data.csv` and `<prefix>/code/{prep,evaluate}.py`; outputs go under `<prefix>/`. */
  readonly bucket: string;
  readonly prefix: string;
  /** The role every job runs as. */
  readonly role: string;
  readonly registerStatus?: 'Approved' | 'PendingManualApproval';
}

export function trainingPipeline(o: TrainingPipelineOptions): string {
  const input = (name: string, uri: unknown, local: string) => ({ InputName: name, AppManaged: false, S3Input: { S3Uri: uri, LocalPath: local, S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' } });
  const output = (name: string, local: string) => ({ OutputName: name, AppManaged: false, S3Output: { S3Uri: { 'Std:Join': { On: '/', Values: [`s3://${o.bucket}/${o.prefix}`, { Get: 'Execution.PipelineExecutionId' }, name] } }, LocalPath: local, S3UploadMode: 'EndOfJob' } });
  const cluster = { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 } };
  return JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'InputData', Type: 'String', DefaultValue: `s3://${o.bucket}/${o.prefix}/raw/` },
      { Name: 'MaxMse', Type: 'Float', DefaultValue: 1.0 },
      { Name: 'Epochs', Type: 'Integer', DefaultValue: 10 },
      { Name: 'ModelGroup', Type: 'String' },
    ],
    PipelineExperimentConfig: { ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: { Get: 'Execution.PipelineExecutionId' } },
    Steps: [
      {
        Name: 'Prep',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: cluster,
          AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/prep.py'] },
          RoleArn: o.role,
          ProcessingInputs: [input('raw', { Get: 'Parameters.InputData' }, '/opt/ml/processing/input/raw'), input('code', `s3://${o.bucket}/${o.prefix}/code/prep.py`, '/opt/ml/processing/input/code')],
          ProcessingOutputConfig: { Outputs: [output('train', '/opt/ml/processing/train'), output('test', '/opt/ml/processing/test')] },
        },
        CacheConfig: { Enabled: true, ExpireAfter: 'PT1H' },
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: LINEAR_LEARNER, TrainingInputMode: 'File' },
          HyperParameters: { predictor_type: 'regressor', feature_dim: '2', epochs: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } } },
          RoleArn: o.role,
          InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }, S3DataDistributionType: 'FullyReplicated' } } }],
          OutputDataConfig: { S3OutputPath: `s3://${o.bucket}/${o.prefix}/models` },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
        },
        RetryPolicies: [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 3 }],
      },
      {
        Name: 'Eval',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: cluster,
          AppSpecification: { ImageUri: SKLEARN, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/evaluate.py'] },
          RoleArn: o.role,
          ProcessingInputs: [
            input('model', { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/model'),
            input('test', { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }, '/opt/ml/processing/test'),
            input('code', `s3://${o.bucket}/${o.prefix}/code/evaluate.py`, '/opt/ml/processing/input/code'),
          ],
          ProcessingOutputConfig: { Outputs: [output('metrics', '/opt/ml/processing/metrics')] },
        },
        PropertyFiles: [{ PropertyFileName: 'EvalReport', OutputName: 'metrics', FilePath: 'evaluation.json' }],
      },
      {
        Name: 'MseGate',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'LessThanOrEqualTo', LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Eval.PropertyFiles.EvalReport' }, Path: 'regression_metrics.mse.value' } }, RightValue: { Get: 'Parameters.MaxMse' } }],
          IfSteps: [
            {
              Name: 'Register-RegisterModel',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: { Get: 'Parameters.ModelGroup' },
                ModelApprovalStatus: o.registerStatus ?? 'PendingManualApproval',
                InferenceSpecification: { Containers: [{ Image: LINEAR_LEARNER, ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['application/json'] },
              },
            },
          ],
          ElseSteps: [{ Name: 'TooInaccurate', Type: 'Fail', Arguments: { ErrorMessage: { 'Std:Join': { On: ' ', Values: ['MSE above', { Get: 'Parameters.MaxMse' }] } } } }],
        },
      },
    ],
  });
}

/**
 * Batch inference in a workload account: a model made from a registered version (`ModelPackageArn`, which may be
 * another account's when its group policy allows), then a batch transform of `InputUri` into `OutputUri`.
 */
export function batchInferencePipeline(role: string): string {
  return JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'ModelPackageArn', Type: 'String' },
      { Name: 'InputUri', Type: 'String' },
      { Name: 'OutputUri', Type: 'String' },
    ],
    Steps: [
      { Name: 'ApprovedModel', Type: 'Model', Arguments: { ExecutionRoleArn: role, PrimaryContainer: { ModelPackageName: { Get: 'Parameters.ModelPackageArn' } } } },
      {
        Name: 'Score',
        Type: 'Transform',
        Arguments: {
          ModelName: { Get: 'Steps.ApprovedModel.ModelName' },
          TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { Get: 'Parameters.InputUri' } } }, ContentType: 'text/csv', SplitType: 'Line' },
          TransformOutput: { S3OutputPath: { Get: 'Parameters.OutputUri' }, AssembleWith: 'Line' },
          TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
        },
      },
    ],
  });
}
