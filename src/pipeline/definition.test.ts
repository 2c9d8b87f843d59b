import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PipelineDefinitionError, parseDefinition } from './index.js';

const churnText = readFileSync(new URL('./fixtures/churn-pipeline.json', import.meta.url), 'utf8');

/** A minimal valid definition with `steps` and `parameters`, as the SDK writes it. */
function definition(steps: unknown[], parameters: unknown[] = [], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2020-12-01', Metadata: {}, Parameters: parameters, PipelineExperimentConfig: null, Steps: steps, ...extra });
}

function processing(name: string, extra: Record<string, unknown> = {}, args: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    Type: 'Processing',
    Arguments: {
      AppSpecification: { ImageUri: 'img' },
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'metrics', S3Output: { S3Uri: 's3://b/m', LocalPath: '/opt/ml/processing/metrics', S3UploadMode: 'EndOfJob' } }] },
      ...args,
    },
    ...extra,
  };
}

function errorOf(text: string): string {
  try {
    parseDefinition(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineDefinitionError);
    return (e as Error).message;
  }
  throw new Error('the definition was accepted');
}

describe('parseDefinition: the complete example of reference §1.12', () => {
  const def = parseDefinition(churnText);

  it('reads the version, the parameters and the experiment config', () => {
    expect(def.version).toBe('2020-12-01');
    expect(def.parameters.map((p) => [p.Name, p.Type, p.DefaultValue])).toEqual([
      ['InputDataUrl', 'String', 's3://acme-ml-data/raw/churn.csv'],
      ['ProcessingInstanceType', 'String', 'ml.m5.xlarge'],
      ['TrainingInstanceType', 'String', 'ml.m5.xlarge'],
      ['MaxRmse', 'Float', 0.35],
      ['ApprovalStatus', 'String', 'PendingManualApproval'],
      ['ModelGroup', 'String', 'churn-models'],
    ]);
    expect(def.parameters[2]!.EnumValues).toEqual(['ml.m5.xlarge', 'ml.m5.2xlarge']);
    expect(def.experimentConfig).toEqual({ ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: { Get: 'Execution.PipelineExecutionId' } });
  });

  it('lists every step depth-first, branch steps after their condition', () => {
    expect([...def.steps.keys()]).toEqual(['Prep', 'Train', 'Eval', 'RmseGate', 'Register', 'RmseTooHigh']);
    expect([...def.steps.values()].map((s) => s.type)).toEqual(['Processing', 'Training', 'Processing', 'Condition', 'RegisterModel', 'Fail']);
  });

  it('derives the dependencies, implicit ones included', () => {
    const deps = (n: string) => [...def.steps.get(n)!.dependsOn].sort();
    expect(deps('Prep')).toEqual([]);
    expect(deps('Train')).toEqual(['Prep']);
    expect(deps('Eval')).toEqual(['Prep', 'Train']);
    // The condition reads Eval's property file; the steps of its branches do not make it wait.
    expect(deps('RmseGate')).toEqual(['Eval']);
    expect(deps('Register')).toEqual(['Eval', 'RmseGate', 'Train']);
    expect(deps('RmseTooHigh')).toEqual(['RmseGate']);
  });

  it('records branch membership', () => {
    expect(def.steps.get('Register')!.branchOf).toEqual({ condition: 'RmseGate', branch: 'If' });
    expect(def.steps.get('RmseTooHigh')!.branchOf).toEqual({ condition: 'RmseGate', branch: 'Else' });
    for (const n of ['Prep', 'Train', 'Eval', 'RmseGate']) expect(def.steps.get(n)!.branchOf).toBeUndefined();
  });

  it('keeps the envelope: property files, cache config, retry policies, raw arguments', () => {
    expect(def.steps.get('Eval')!.propertyFiles).toEqual([{ PropertyFileName: 'EvalReport', OutputName: 'metrics', FilePath: 'evaluation.json' }]);
    expect(def.steps.get('Prep')!.cacheConfig).toEqual({ Enabled: true, ExpireAfter: 'P7D' });
    expect(def.steps.get('Train')!.cacheConfig).toBeUndefined();
    expect(def.steps.get('Train')!.retryPolicies).toEqual([{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], IntervalSeconds: 30, BackoffRate: 2.0, MaxAttempts: 3 }]);
    const doc = JSON.parse(churnText) as { Steps: Array<{ Name: string; Arguments: unknown }> };
    // Arguments stay exactly as written (expressions unresolved); for the Condition step: Conditions, IfSteps, ElseSteps.
    expect(JSON.stringify(def.steps.get('RmseGate')!.arguments)).toBe(JSON.stringify(doc.Steps[3]!.Arguments));
    expect(def.steps.get('RmseGate')!.arguments).toEqual(doc.Steps[3]!.Arguments);
    expect(Object.keys(def.steps.get('RmseGate')!.arguments as object)).toEqual(['Conditions', 'IfSteps', 'ElseSteps']);
    expect(def.steps.get('Train')!.raw.Name).toBe('Train');
  });
});

describe('parseDefinition: more shapes', () => {
  it('accepts a definition without Version, Parameters or PipelineExperimentConfig', () => {
    const def = parseDefinition(JSON.stringify({ Steps: [{ Name: 'F', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }] }));
    expect(def.version).toBe('2020-12-01');
    expect(def.parameters).toEqual([]);
    expect(def.experimentConfig).toBeUndefined();
    expect(parseDefinition(definition([])).experimentConfig).toBeNull();
  });

  it('merges DependsOn with implicit references, each once, DependsOn first', () => {
    const def = parseDefinition(
      definition([
        processing('A'),
        processing('B'),
        processing('C', { DependsOn: ['B'] }, { Environment: { X: { Get: 'Steps.A.ProcessingJobName' }, Y: { 'Std:Join': { On: '/', Values: [{ Get: 'Steps.B.ProcessingJobArn' }, { Get: 'Steps.A.ProcessingJobArn' }] } } } }),
      ]),
    );
    expect(def.steps.get('C')!.dependsOn).toEqual(['B', 'A']);
  });

  it('finds references outside Arguments (a Lambda step’s FunctionArn, a Callback’s SqsQueueUrl)', () => {
    const def = parseDefinition(
      definition([
        processing('A'),
        { Name: 'L', Type: 'Lambda', FunctionArn: { 'Std:Join': { On: '', Values: ['arn:aws:lambda:us-east-1:1:function:', { Get: 'Steps.A.ProcessingJobName' }] } }, Arguments: {}, OutputParameters: [{ OutputName: 'o', OutputType: 'String' }] },
        { Name: 'C', Type: 'Callback', SqsQueueUrl: 'https://sqs', Arguments: { x: { Get: "Steps.L.OutputParameters['o']" } }, OutputParameters: [] },
      ]),
    );
    expect(def.steps.get('L')!.dependsOn).toEqual(['A']);
    expect(def.steps.get('C')!.dependsOn).toEqual(['L']);
    expect(def.steps.get('L')!.raw.FunctionArn).toBeDefined();
  });

  it('handles a Condition nested in a branch', () => {
    const def = parseDefinition(
      definition([
        processing('A'),
        {
          Name: 'Outer',
          Type: 'Condition',
          Arguments: {
            Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Steps.A.ProcessingJobStatus' }, RightValue: 'Completed' }],
            IfSteps: [
              {
                Name: 'Inner',
                Type: 'Condition',
                Arguments: {
                  Conditions: [{ Type: 'Not', Condition: { Type: 'In', QueryValue: { Get: 'Execution.PipelineName' }, Values: ['a', 'b'] } }],
                  IfSteps: [{ Name: 'Deep', Type: 'Fail', Arguments: { ErrorMessage: 'deep' } }],
                },
              },
            ],
            ElseSteps: [{ Name: 'Shallow', Type: 'Fail', Arguments: {} }],
          },
        },
      ]),
    );
    expect([...def.steps.keys()]).toEqual(['A', 'Outer', 'Inner', 'Deep', 'Shallow']);
    expect(def.steps.get('Outer')!.dependsOn).toEqual(['A']);
    expect(def.steps.get('Inner')!.dependsOn).toEqual(['Outer']);
    expect(def.steps.get('Inner')!.branchOf).toEqual({ condition: 'Outer', branch: 'If' });
    expect(def.steps.get('Deep')!.dependsOn).toEqual(['Inner']);
    expect(def.steps.get('Deep')!.branchOf).toEqual({ condition: 'Inner', branch: 'If' });
    expect(def.steps.get('Shallow')!.branchOf).toEqual({ condition: 'Outer', branch: 'Else' });
  });

  it('lets a top-level step wait for a branch step', () => {
    const def = parseDefinition(
      definition([
        { Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }], IfSteps: [processing('P')], ElseSteps: [] } },
        { Name: 'After', Type: 'Fail', DependsOn: ['P'], Arguments: {} },
      ]),
    );
    expect(def.steps.get('After')!.dependsOn).toEqual(['P']);
  });

  it('accepts the tolerated forms: Properties. prefix, NotEquals/NotIn, Std:JsonGet with S3Uri', () => {
    expect(() =>
      parseDefinition(
        definition([
          processing('A'),
          {
            Name: 'C',
            Type: 'Condition',
            Arguments: {
              Conditions: [
                { Type: 'NotEquals', LeftValue: { Get: 'Steps.A.Properties.ProcessingJobStatus' }, RightValue: 'Failed' },
                { Type: 'NotIn', Value: 'x', In: ['y'] },
                { Type: 'Or', Conditions: [{ Type: 'GreaterThan', LeftValue: { 'Std:JsonGet': { S3Uri: { 'Std:Join': { On: '/', Values: ['s3://b', { Get: 'Execution.PipelineExecutionId' }, 'r.json'] } }, Path: 'a' } }, RightValue: 1 }] },
              ],
            },
          },
        ]),
      ),
    ).not.toThrow();
  });
});

describe('parseDefinition: validation errors', () => {
  it('refuses text that is not a JSON object', () => {
    expect(errorOf('{"Steps": [')).toMatch(/^Unable to parse pipeline definition\. Invalid JSON: /);
    expect(errorOf('[]')).toBe('Unable to parse pipeline definition. Expecting start of Json Object.');
    expect(errorOf('"x"')).toBe('Unable to parse pipeline definition. Expecting start of Json Object.');
  });

  it('refuses Steps and Parameters that are not arrays, and a missing Steps', () => {
    expect(errorOf(JSON.stringify({ Version: '2020-12-01', Steps: {} }))).toBe('Unable to parse pipeline definition. Expecting start of Json Array.');
    expect(errorOf(JSON.stringify({ Steps: [], Parameters: { a: 1 } }))).toBe('Unable to parse pipeline definition. Expecting start of Json Array.');
    expect(errorOf(JSON.stringify({ Version: '2020-12-01' }))).toBe("Unable to parse pipeline definition. Missing required member 'Steps'.");
    expect(errorOf(definition(['Prep']))).toBe('Unable to parse pipeline definition. Expecting start of Json Object.');
  });

  it('refuses a Version other than 2020-12-01', () => {
    expect(errorOf(JSON.stringify({ Version: '2021-01-01', Steps: [] }))).toBe(
      "Unable to parse pipeline definition. Unsupported Version '2021-01-01': the only definition version is 2020-12-01.",
    );
  });

  it('refuses an unknown step type', () => {
    expect(errorOf(definition([{ Name: 'X', Type: 'CreateModel', Arguments: {} }]))).toMatch(
      /^Unable to parse pipeline definition\. Model Validation failed: Value 'CreateModel' for 'StepType' failed to satisfy enum value set: \[Processing, Training, /,
    );
    expect(errorOf(definition([{ Name: 'X', Arguments: {} }]))).toBe("Unable to parse pipeline definition. Expecting a Json String for 'Type'.");
  });

  it('refuses step names outside [A-Za-z0-9\\-_]{1,64}', () => {
    for (const bad of ['has space', 'dot.ted', '', 'x'.repeat(65)]) {
      expect(errorOf(definition([{ Name: bad, Type: 'Fail', Arguments: {} }]))).toBe(
        `Unable to parse pipeline definition. Model Validation failed: Value '${bad}' for 'StepName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\-_]{1,64}`,
      );
    }
    expect(() => parseDefinition(definition([{ Name: `A-b_9${'x'.repeat(59)}`, Type: 'Fail', Arguments: {} }]))).not.toThrow();
  });

  it('refuses duplicate step names, at the top level or inside a branch', () => {
    const dup = "Unable to parse pipeline definition. Step names must be unique within a pipeline, its Condition steps' IfSteps and ElseSteps included; 'A' is used more than once.";
    expect(errorOf(definition([processing('A'), processing('A')]))).toBe(dup);
    expect(
      errorOf(definition([processing('A'), { Name: 'C', Type: 'Condition', Arguments: { Conditions: [], ElseSteps: [{ Name: 'A', Type: 'Fail', Arguments: {} }] } }])),
    ).toBe(dup);
  });

  it('refuses DependsOn naming a missing step', () => {
    expect(errorOf(definition([processing('A', { DependsOn: ['Nope'] })]))).toBe("Step 'A' depends on step 'Nope', which is not defined in the pipeline.");
    expect(errorOf(definition([processing('A', { DependsOn: 'B' })]))).toBe('Unable to parse pipeline definition. Expecting start of Json Array.');
  });

  it('refuses a Get on a missing step, parameter or execution variable', () => {
    expect(errorOf(definition([processing('A', {}, { RoleArn: { Get: 'Steps.Ghost.RoleArn' } })]))).toBe(
      "Step 'A' references the step 'Ghost', which is not defined in the pipeline.",
    );
    expect(errorOf(definition([processing('A', {}, { RoleArn: { Get: 'Parameters.Role' } })]))).toBe(
      "Step 'A' references the parameter 'Role', which is not defined in the pipeline's Parameters.",
    );
    expect(errorOf(definition([processing('A', {}, { RoleArn: { Get: 'Execution.Today' } })]))).toMatch(
      /^Invalid reference \{"Get": "Execution\.Today"\} in step 'A': 'Today' is not an execution variable/,
    );
    expect(errorOf(definition([processing('A', {}, { RoleArn: { Get: 'Pipeline.Name' } })]))).toBe(
      `Invalid reference {"Get": "Pipeline.Name"} in step 'A': 'Pipeline' is not one of Parameters, Execution, PipelineExperimentConfig and Steps.`,
    );
    expect(errorOf(definition([processing('A'), processing('B', {}, { RoleArn: { Get: 'Steps.A.Outputs[x]' } })]))).toMatch(
      /^Invalid reference \{"Get": "Steps\.A\.Outputs\[x\]"\} in step 'B': expected an index or a quoted key/,
    );
  });

  it('refuses a property file read other than through Std:JsonGet, and a JsonGet on a file that is not declared', () => {
    const withFile = processing('A', { PropertyFiles: [{ PropertyFileName: 'R', OutputName: 'metrics', FilePath: 'r.json' }] });
    expect(errorOf(definition([withFile, processing('B', {}, { X: { Get: 'Steps.A.PropertyFiles.R' } })]))).toBe(
      `Invalid reference {"Get": "Steps.A.PropertyFiles.R"} in step 'B': a property file can only be read through Std:JsonGet.`,
    );
    const jsonGet = (ref: string) => ({ 'Std:JsonGet': { PropertyFile: { Get: ref }, Path: 'a.b' } });
    expect(errorOf(definition([withFile, processing('B', {}, { X: jsonGet('Steps.A.PropertyFiles.Other') })]))).toBe(
      "Invalid Std:JsonGet in step 'B': step 'A' declares no property file 'Other'.",
    );
    expect(errorOf(definition([withFile, { Name: 'T', Type: 'Training', Arguments: {} }, processing('B', {}, { X: jsonGet('Steps.T.PropertyFiles.R') })]))).toBe(
      "Invalid Std:JsonGet in step 'B': a property file can only be read from a Processing step's outputs, and 'T' is a Training step.",
    );
    expect(errorOf(definition([withFile, processing('B', {}, { X: jsonGet('Steps.A.ProcessingJobName') })]))).toBe(
      `Invalid Std:JsonGet in step 'B': its PropertyFile must be {"Get": "Steps.<StepName>.PropertyFiles.<PropertyFileName>"}, not "Steps.A.ProcessingJobName".`,
    );
    const wrongOutput = processing('A', { PropertyFiles: [{ PropertyFileName: 'R', OutputName: 'report', FilePath: 'r.json' }] });
    expect(errorOf(definition([wrongOutput, processing('B', {}, { X: jsonGet('Steps.A.PropertyFiles.R') })]))).toBe(
      "The property file 'R' of step 'A' names the output 'report', which is not one of the step's ProcessingOutputConfig.Outputs.",
    );
  });

  it('refuses a cycle, a step waiting for itself, and a condition waiting for its own branch', () => {
    expect(errorOf(definition([processing('A', { DependsOn: ['B'] }), processing('B', {}, { X: { Get: 'Steps.A.ProcessingJobName' } })]))).toBe(
      "Cycle detected in the pipeline's step graph: A -> B -> A.",
    );
    expect(errorOf(definition([processing('A', { DependsOn: ['C'] }), processing('B', { DependsOn: ['A'] }), processing('C', { DependsOn: ['B'] })]))).toBe(
      "Cycle detected in the pipeline's step graph: A -> B -> C -> A.",
    );
    expect(errorOf(definition([processing('A', {}, { X: { Get: 'Steps.A.ProcessingJobName' } })]))).toBe("Cycle detected in the pipeline's step graph: A -> A.");
    expect(
      errorOf(
        definition([
          { Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Steps.P.ProcessingJobStatus' }, RightValue: 'Completed' }], IfSteps: [processing('P')] } },
        ]),
      ),
    ).toBe("Cycle detected in the pipeline's step graph: C -> P -> C.");
  });

  it('refuses bad parameters', () => {
    const one = (p: unknown) => errorOf(definition([], [p]));
    expect(one({ Name: 'N', Type: 'Double' })).toBe(
      "Unable to parse pipeline definition. Model Validation failed: Value 'Double' for 'ParameterType' failed to satisfy enum value set: [String, Integer, Boolean, Float]",
    );
    expect(one({ Name: 'N', Type: 'Integer', DefaultValue: 1.5 })).toBe("Unable to parse pipeline definition. The DefaultValue 1.5 of parameter 'N' is not a valid Integer.");
    expect(one({ Name: 'N', Type: 'Integer', DefaultValue: '10' })).toBe(`Unable to parse pipeline definition. The DefaultValue "10" of parameter 'N' is not a valid Integer.`);
    expect(one({ Name: 'N', Type: 'Float', DefaultValue: 'x' })).toBe(`Unable to parse pipeline definition. The DefaultValue "x" of parameter 'N' is not a valid Float.`);
    expect(one({ Name: 'N', Type: 'Boolean', DefaultValue: 'true' })).toBe(`Unable to parse pipeline definition. The DefaultValue "true" of parameter 'N' is not a valid Boolean.`);
    expect(one({ Name: 'N', Type: 'String', DefaultValue: 3 })).toBe("Unable to parse pipeline definition. The DefaultValue 3 of parameter 'N' is not a valid String.");
    expect(one({ Name: 'N', Type: 'String', DefaultValue: 'c', EnumValues: ['a', 'b'] })).toBe(
      "Unable to parse pipeline definition. The DefaultValue 'c' of parameter 'N' is not one of its EnumValues [a, b].",
    );
    expect(one({ Name: 'N', Type: 'Integer', EnumValues: ['1'] })).toBe("Unable to parse pipeline definition. EnumValues are only allowed on String parameters; parameter 'N' is Integer.");
    expect(one({ Name: 'bad name', Type: 'String' })).toBe(
      "Unable to parse pipeline definition. Model Validation failed: Value 'bad name' for 'PipelineParameterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\-_]{1,256}",
    );
    expect(errorOf(definition([], [{ Name: 'N', Type: 'String' }, { Name: 'N', Type: 'Integer' }]))).toBe(
      "Unable to parse pipeline definition. Parameter names must be unique; 'N' is defined more than once.",
    );
    // Typed defaults as the SDK writes them are fine; a Float default may be integral (JSON 1.0 reads as 1).
    const ok = parseDefinition(
      definition([], [
        { Name: 'I', Type: 'Integer', DefaultValue: 3 },
        { Name: 'F', Type: 'Float', DefaultValue: 1.0 },
        { Name: 'B', Type: 'Boolean', DefaultValue: false },
        { Name: 'S', Type: 'String' },
      ]),
    );
    expect(ok.parameters.map((p) => p.DefaultValue)).toEqual([3, 1, false, undefined]);
  });

  it('refuses a Condition step without Conditions, and malformed conditions', () => {
    expect(errorOf(definition([{ Name: 'C', Type: 'Condition', Arguments: { IfSteps: [] } }]))).toBe(
      "Unable to parse pipeline definition. Condition step 'C' needs Arguments with Conditions.",
    );
    expect(errorOf(definition([{ Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Between', LeftValue: 1, RightValue: 2 }] } }]))).toMatch(
      /^Unable to parse pipeline definition\. Model Validation failed: Value 'Between' for 'ConditionType' failed to satisfy enum value set: \[Equals, /,
    );
    expect(errorOf(definition([{ Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'LessThan', LeftValue: 1 }] } }]))).toBe(
      "Unable to parse pipeline definition. A condition of type LessThan in step 'C' needs RightValue.",
    );
    expect(errorOf(definition([{ Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Or', Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Parameters.Nope' }, RightValue: 1 }] }] } }]))).toBe(
      "Step 'C' references the parameter 'Nope', which is not defined in the pipeline's Parameters.",
    );
  });

  it('refuses step references in PipelineExperimentConfig', () => {
    expect(errorOf(definition([processing('A')], [], { PipelineExperimentConfig: { ExperimentName: { Get: 'Steps.A.ProcessingJobName' } } }))).toBe(
      `Invalid reference {"Get": "Steps.A.ProcessingJobName"} in PipelineExperimentConfig: it may not reference steps.`,
    );
    expect(errorOf(definition([], [], { PipelineExperimentConfig: 'x' }))).toBe('Unable to parse pipeline definition. Expecting start of Json Object.');
  });

  it('refuses a malformed envelope', () => {
    expect(errorOf(definition([processing('A', { CacheConfig: { Enabled: 'yes' } })]))).toBe("Unable to parse pipeline definition. Expecting a Json Boolean for 'Enabled'.");
    expect(errorOf(definition([processing('A', { PropertyFiles: [{ PropertyFileName: 'R', OutputName: 'metrics' }] })]))).toBe(
      "Unable to parse pipeline definition. Expecting a Json String for 'FilePath'.",
    );
    expect(errorOf(definition([processing('A', { Arguments: [] })]))).toBe('Unable to parse pipeline definition. Expecting start of Json Object.');
    expect(errorOf(definition([processing('A', {}, { X: { 'Std:Join': { On: '/', Values: 'a' } } })]))).toBe('Unable to parse pipeline definition. Expecting start of Json Array.');
  });
});
