/**
 * Parsing and validation of a SageMaker pipeline definition (reference §1.2–§1.7).
 *
 * Flow of `parseDefinition`:
 * 1. JSON text → object; the top level, `Parameters` and `Steps` are checked for shape.
 * 2. Parameters: name, type, default of the declared type, `EnumValues`, no duplicates.
 * 3. Steps are collected depth-first (a Condition step, then its `IfSteps`, then its `ElseSteps`, recursively): name
 *    pattern, known type, unique names across the whole definition, envelope members.
 * 4. Every expression is checked against the collected steps and parameters (a `Get` on a missing step or parameter,
 *    an unknown execution variable, `PropertyFiles` outside `Std:JsonGet`, a `Std:JsonGet` on a file its step does not
 *    declare …) and the implicit dependencies are gathered: each `Get Steps.X…` in a step (for a Condition step, in
 *    its `Conditions` only; its branch steps carry their own) makes it wait for X, and a branch step waits for its
 *    Condition step.
 * 5. The dependency graph must be acyclic.
 *
 * Messages: AWS's wording where it is known (see the comments at `PARSE`, `expectObject`, `expectArray`); every other
 * message is ours, written to be clear, and marked "wording: guess".
 */
import { parseRetryPolicies, type RetryPolicy } from './retry.js';
import { PipelineDefinitionError } from './errors.js';
import {
  EXECUTION_VARIABLES,
  isGet,
  isJoin,
  isJsonGet,
  isPlainObject,
  parseReference,
} from './syntax.js';

export type ParameterType = 'String' | 'Integer' | 'Boolean' | 'Float';

export interface ParameterDef {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue?: string | number | boolean;
  readonly EnumValues?: readonly string[];
}

export type ParameterValue = string | number | boolean;

/** A Processing step's `PropertyFiles` entry: the JSON file `<output S3Uri>/<FilePath>` that `Std:JsonGet` reads. */
export interface PropertyFileDef {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

export interface StepNode {
  readonly name: string;
  /** 'Processing' | 'Training' | 'Transform' | 'Model' | 'RegisterModel' | 'Condition' | 'Fail' | 'Callback' | 'Lambda' | … as in the definition. */
  readonly type: string;
  readonly displayName?: string;
  readonly description?: string;
  /** The raw Arguments (expressions unresolved); for Condition steps the raw {Conditions, IfSteps, ElseSteps}. */
  readonly arguments: unknown;
  /** Every step this one waits for: DependsOn, implicit `Get Steps.X…` references anywhere in the step (arguments, PropertyFiles …), and the enclosing Condition step for branch steps. */
  readonly dependsOn: readonly string[];
  /** For a step inside a Condition's IfSteps/ElseSteps: which condition and branch. */
  readonly branchOf?: { readonly condition: string; readonly branch: 'If' | 'Else' };
  readonly propertyFiles: ReadonlyArray<PropertyFileDef>;
  readonly cacheConfig?: { readonly Enabled: boolean; readonly ExpireAfter?: string };
  readonly retryPolicies: readonly RetryPolicy[];
  /** The step object as written (FunctionArn, OutputParameters, …). */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ParsedDefinition {
  readonly version: string;
  readonly parameters: readonly ParameterDef[];
  /** Every step, nested branch steps included, in definition order (depth-first). */
  readonly steps: ReadonlyMap<string, StepNode>;
  readonly experimentConfig?: { readonly ExperimentName?: unknown; readonly TrialName?: unknown } | null;
}

/** The only definition version SageMaker knows. */
export const DEFINITION_VERSION = '2020-12-01';

/** Step `Type` values the SageMaker Python SDK emits (v2 `StepTypeEnum` and v3 additions). */
export const STEP_TYPES: readonly string[] = [
  'Processing',
  'Training',
  'Tuning',
  'Transform',
  'Model',
  'RegisterModel',
  'Condition',
  'Fail',
  'Callback',
  'Lambda',
  'EMR',
  'EMRServerless',
  'QualityCheck',
  'ClarifyCheck',
  'AutoML',
  'EndpointConfig',
  'Endpoint',
  'InferenceComponent',
  'Lineage',
  'BedrockCustomModel',
  'BedrockCustomModelDeployment',
  'BedrockModelImport',
  'BedrockProvisionedModelThroughput',
];

/**
 * Condition `Type` values. The SDK emits the first eight; `NotEquals` and `NotIn` appear in AWS's published definition
 * JSON schema (aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema) and are accepted too.
 */
export const CONDITION_TYPES: readonly string[] = [
  'Equals',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'In',
  'Not',
  'Or',
  'NotEquals',
  'NotIn',
];

export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'Integer', 'Boolean', 'Float'];

/** Step names: the definition schema's `StepName` and the API model's `StepName` (max 64). */
export const STEP_NAME_PATTERN = /^[A-Za-z0-9\-_]{1,64}$/;
/** Parameter names: the API model's `PipelineParameterName` (1–256; the published definition schema says 64). */
export const PARAMETER_NAME_PATTERN = /^[A-Za-z0-9\-_]{1,256}$/;

/**
 * Marks the `{"Get": "Steps.S.PropertyFiles.P"}` object of a validated `Std:JsonGet` with the property file it names
 * (non-enumerable, so JSON and equality ignore it), so that the resolver can find the file's `OutputName` and
 * `FilePath` even when its scope carries no definition.
 */
export const PROPERTY_FILE: unique symbol = Symbol('mlzone.pipeline.propertyFile');

export interface PropertyFileTarget extends PropertyFileDef {
  readonly step: string;
}

/**
 * AWS prefixes structural definition errors with this sentence; observed in CreatePipeline ValidationExceptions:
 * "Unable to parse pipeline definition. Expecting start of Json Object." (aws/sagemaker-python-sdk#3908),
 * "… Expecting start of Json Array." (#2345), "… Unknown Argument member 'ModelPackageName'." (PR #3472),
 * "… Model Validation failed: Value 'FastFile' for 'ProcessingS3InputMode' failed to satisfy enum value set: [Pipe, File]".
 */
const PARSE = 'Unable to parse pipeline definition.';

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fail(message: string): never {
  throw new PipelineDefinitionError(message);
}

// wording: AWS (see PARSE).
function expectObject(v: unknown): asserts v is Record<string, unknown> {
  if (!isPlainObject(v)) fail(`${PARSE} Expecting start of Json Object.`);
}

// wording: AWS (see PARSE).
function expectArray(v: unknown): asserts v is unknown[] {
  if (!Array.isArray(v)) fail(`${PARSE} Expecting start of Json Array.`);
}

// wording: guess.
function expectString(v: unknown, member: string): asserts v is string {
  if (typeof v !== 'string') fail(`${PARSE} Expecting a Json String for '${member}'.`);
}

// wording: guess, shaped like the "Model Validation failed" message AWS gives for enums.
function enumFailure(value: unknown, shape: string, allowed: readonly string[]): never {
  fail(`${PARSE} Model Validation failed: Value '${String(value)}' for '${shape}' failed to satisfy enum value set: [${allowed.join(', ')}]`);
}

// wording: guess, shaped like the "Model Validation failed" message above.
function patternFailure(value: unknown, shape: string, pattern: string): never {
  fail(`${PARSE} Model Validation failed: Value '${String(value)}' for '${shape}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`);
}

/** Parses and validates a definition JSON string (or throws PipelineDefinitionError). */
export function parseDefinition(text: string): ParsedDefinition {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // wording: guess (AWS's JSON parser words syntax errors its own way).
    fail(`${PARSE} Invalid JSON: ${(e as Error).message}.`);
  }
  expectObject(doc);

  let version = DEFINITION_VERSION;
  if (doc.Version !== undefined) {
    // wording: guess.
    if (doc.Version !== DEFINITION_VERSION) fail(`${PARSE} Unsupported Version '${String(doc.Version)}': the only definition version is ${DEFINITION_VERSION}.`);
    version = doc.Version;
  }
  if (doc.Metadata !== undefined && doc.Metadata !== null) expectObject(doc.Metadata);

  const parameters = parseParameters(doc.Parameters);
  const parameterNames = new Set(parameters.map((p) => p.Name));

  // wording: guess.
  if (doc.Steps === undefined) fail(`${PARSE} Missing required member 'Steps'.`);
  const collected: Collected[] = [];
  collectSteps(doc.Steps, undefined, collected, new Map());
  const byName = new Map(collected.map((c) => [c.name, c]));

  const checker = new ExpressionChecker(parameterNames, byName);
  const steps = new Map<string, StepNode>();
  for (const c of collected) steps.set(c.name, buildNode(c, checker, byName));

  let experimentConfig: ParsedDefinition['experimentConfig'];
  if ('PipelineExperimentConfig' in doc) {
    const pec = doc.PipelineExperimentConfig;
    if (pec === null) experimentConfig = null;
    else {
      expectObject(pec);
      checker.check(pec, { owner: 'PipelineExperimentConfig', refs: [], allowSteps: false });
      experimentConfig = pec as { ExperimentName?: unknown; TrialName?: unknown };
    }
  }

  assertAcyclic(steps);
  return { version, parameters, steps, ...(experimentConfig !== undefined ? { experimentConfig } : {}) };
}

function parseParameters(value: unknown): ParameterDef[] {
  if (value === undefined || value === null) return [];
  expectArray(value);
  const out: ParameterDef[] = [];
  const seen = new Set<string>();
  for (const p of value) {
    expectObject(p);
    expectString(p.Name, 'Name');
    if (!PARAMETER_NAME_PATTERN.test(p.Name)) patternFailure(p.Name, 'PipelineParameterName', '[A-Za-z0-9\\-_]{1,256}');
    // wording: guess.
    if (seen.has(p.Name)) fail(`${PARSE} Parameter names must be unique; '${p.Name}' is defined more than once.`);
    seen.add(p.Name);
    // The definition schema lets a String parameter omit Type.
    const type = p.Type ?? 'String';
    if (!PARAMETER_TYPES.includes(type as ParameterType)) enumFailure(type, 'ParameterType', PARAMETER_TYPES);
    const def: { Name: string; Type: ParameterType; DefaultValue?: ParameterValue; EnumValues?: string[] } = { Name: p.Name, Type: type as ParameterType };
    if (p.EnumValues !== undefined && p.EnumValues !== null) {
      expectArray(p.EnumValues);
      // wording: guess.
      if (type !== 'String') fail(`${PARSE} EnumValues are only allowed on String parameters; parameter '${p.Name}' is ${type}.`);
      for (const e of p.EnumValues) expectString(e, 'EnumValues');
      def.EnumValues = p.EnumValues as string[];
    }
    if (p.DefaultValue !== undefined && p.DefaultValue !== null) {
      const d = p.DefaultValue;
      const ok =
        (type === 'String' && typeof d === 'string') ||
        (type === 'Integer' && typeof d === 'number' && Number.isSafeInteger(d)) ||
        (type === 'Float' && typeof d === 'number' && Number.isFinite(d)) ||
        (type === 'Boolean' && typeof d === 'boolean');
      // wording: guess.
      if (!ok) fail(`${PARSE} The DefaultValue ${JSON.stringify(d)} of parameter '${p.Name}' is not a valid ${type}.`);
      if (def.EnumValues && !def.EnumValues.includes(d as string)) {
        // wording: guess.
        fail(`${PARSE} The DefaultValue '${String(d)}' of parameter '${p.Name}' is not one of its EnumValues [${def.EnumValues.join(', ')}].`);
      }
      def.DefaultValue = d as ParameterValue;
    }
    out.push(def);
  }
  return out;
}

interface Collected {
  readonly name: string;
  readonly type: string;
  readonly raw: Record<string, unknown>;
  readonly branchOf?: { readonly condition: string; readonly branch: 'If' | 'Else' };
  readonly propertyFiles: PropertyFileDef[];
}

/** Step collection with structural checks, depth-first: a step, then its IfSteps, then its ElseSteps. */
function collectSteps(list: unknown, branchOf: Collected['branchOf'], out: Collected[], seen: Map<string, Collected>): void {
  expectArray(list);
  for (const raw of list) {
    expectObject(raw);
    expectString(raw.Name, 'Name');
    const name = raw.Name;
    if (!STEP_NAME_PATTERN.test(name)) patternFailure(name, 'StepName', '[A-Za-z0-9\\-_]{1,64}');
    expectString(raw.Type, 'Type');
    if (!STEP_TYPES.includes(raw.Type)) enumFailure(raw.Type, 'StepType', STEP_TYPES);
    // wording: guess (the SDK's own check says "Pipeline steps cannot have duplicate names.").
    if (seen.has(name)) fail(`${PARSE} Step names must be unique within a pipeline, its Condition steps' IfSteps and ElseSteps included; '${name}' is used more than once.`);
    if (raw.DependsOn !== undefined) {
      expectArray(raw.DependsOn);
      for (const d of raw.DependsOn) expectString(d, 'DependsOn');
    }
    if (raw.DisplayName !== undefined) expectString(raw.DisplayName, 'DisplayName');
    if (raw.Description !== undefined) expectString(raw.Description, 'Description');
    if (raw.Arguments !== undefined) expectObject(raw.Arguments);
    if (raw.RetryPolicies !== undefined) {
      expectArray(raw.RetryPolicies);
      for (const r of raw.RetryPolicies) expectObject(r);
    }
    if (raw.CacheConfig !== undefined) {
      expectObject(raw.CacheConfig);
      // wording: guess.
      if (raw.CacheConfig.Enabled !== undefined && typeof raw.CacheConfig.Enabled !== 'boolean') fail(`${PARSE} Expecting a Json Boolean for 'Enabled'.`);
      if (raw.CacheConfig.ExpireAfter !== undefined) expectString(raw.CacheConfig.ExpireAfter, 'ExpireAfter');
    }
    const propertyFiles: PropertyFileDef[] = [];
    if (raw.PropertyFiles !== undefined) {
      expectArray(raw.PropertyFiles);
      for (const f of raw.PropertyFiles) {
        expectObject(f);
        expectString(f.PropertyFileName, 'PropertyFileName');
        expectString(f.OutputName, 'OutputName');
        expectString(f.FilePath, 'FilePath');
        // wording: guess.
        if (propertyFiles.some((x) => x.PropertyFileName === f.PropertyFileName)) fail(`${PARSE} Step '${name}' declares the property file '${f.PropertyFileName}' more than once.`);
        propertyFiles.push({ PropertyFileName: f.PropertyFileName, OutputName: f.OutputName, FilePath: f.FilePath });
      }
    }
    const c: Collected = { name, type: raw.Type, raw, propertyFiles, ...(branchOf ? { branchOf } : {}) };
    seen.set(name, c);
    out.push(c);
    if (raw.Type === 'Condition') {
      // wording: guess.
      if (raw.Arguments === undefined) fail(`${PARSE} Condition step '${name}' needs Arguments with Conditions.`);
      const args = raw.Arguments as Record<string, unknown>;
      if (args.Conditions === undefined) fail(`${PARSE} Condition step '${name}' needs Arguments with Conditions.`);
      expectArray(args.Conditions);
      if (args.IfSteps !== undefined) collectSteps(args.IfSteps, { condition: name, branch: 'If' }, out, seen);
      if (args.ElseSteps !== undefined) collectSteps(args.ElseSteps, { condition: name, branch: 'Else' }, out, seen);
    }
  }
}

function buildNode(c: Collected, checker: ExpressionChecker, byName: ReadonlyMap<string, Collected>): StepNode {
  const raw = c.raw;
  const deps: string[] = [];
  const add = (d: string) => {
    if (!deps.includes(d)) deps.push(d);
  };
  for (const d of (raw.DependsOn as string[] | undefined) ?? []) {
    // wording: guess (the SDK documents "If a listed Step name does not exist, an error is returned").
    if (!byName.has(d)) fail(`Step '${c.name}' depends on step '${d}', which is not defined in the pipeline.`);
    add(d);
  }
  const ctx: CheckContext = { owner: `step '${c.name}'`, refs: [], allowSteps: true };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'Name' || key === 'Type' || key === 'DependsOn') continue;
    if (key === 'Arguments' && c.type === 'Condition') {
      // A Condition step waits for what its Conditions read; its branch steps carry their own references.
      const args = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(args)) {
        if (k === 'IfSteps' || k === 'ElseSteps') continue;
        if (k === 'Conditions') for (const cond of v as unknown[]) checker.checkCondition(cond, ctx);
        else checker.check(v, ctx);
      }
      continue;
    }
    checker.check(value, ctx);
  }
  for (const r of ctx.refs) add(r);
  if (c.branchOf) add(c.branchOf.condition);

  const cacheConfig = raw.CacheConfig as { Enabled?: boolean; ExpireAfter?: string } | undefined;
  return {
    name: c.name,
    type: c.type,
    ...(raw.DisplayName !== undefined ? { displayName: raw.DisplayName as string } : {}),
    ...(raw.Description !== undefined ? { description: raw.Description as string } : {}),
    arguments: raw.Arguments,
    dependsOn: deps,
    ...(c.branchOf ? { branchOf: c.branchOf } : {}),
    propertyFiles: c.propertyFiles,
    ...(cacheConfig
      ? { cacheConfig: { Enabled: cacheConfig.Enabled === true, ...(cacheConfig.ExpireAfter !== undefined ? { ExpireAfter: cacheConfig.ExpireAfter } : {}) } }
      : {}),
    retryPolicies: parseRetryPolicies(c.name, c.type, (raw.RetryPolicies as unknown[] | undefined) ?? []),
    raw,
  };
}

interface CheckContext {
  /** For messages: "step 'Train'" or "PipelineExperimentConfig". */
  readonly owner: string;
  /** Steps referenced so far, in order of appearance. */
  readonly refs: string[];
  readonly allowSteps: boolean;
}

/** Validates expressions and gathers the steps they reference. */
class ExpressionChecker {
  constructor(
    private readonly parameters: ReadonlySet<string>,
    private readonly steps: ReadonlyMap<string, Collected>,
  ) {}

  check(v: unknown, ctx: CheckContext): void {
    if (isGet(v)) return this.checkGet(v.Get, ctx);
    if (isJoin(v)) {
      const body = v['Std:Join'];
      expectObject(body);
      if (body.On !== undefined) expectString(body.On, 'On');
      expectArray(body.Values);
      for (const x of body.Values) this.check(x, ctx);
      return;
    }
    if (isJsonGet(v)) return this.checkJsonGet(v['Std:JsonGet'], ctx);
    if (Array.isArray(v)) {
      for (const x of v) this.check(x, ctx);
      return;
    }
    if (isPlainObject(v)) for (const x of Object.values(v)) this.check(x, ctx);
  }

  checkCondition(c: unknown, ctx: CheckContext): void {
    expectObject(c);
    if (!CONDITION_TYPES.includes(c.Type as string)) enumFailure(c.Type, 'ConditionType', CONDITION_TYPES);
    const type = c.Type as string;
    // wording: guess for the three messages below.
    const missing = (member: string) => fail(`${PARSE} A condition of type ${type} in ${ctx.owner} needs ${member}.`);
    switch (type) {
      case 'Not':
        if (c.Condition === undefined) missing('Condition');
        this.checkCondition(c.Condition, ctx);
        return;
      case 'Or':
        if (c.Conditions === undefined) missing('Conditions');
        expectArray(c.Conditions);
        for (const x of c.Conditions) this.checkCondition(x, ctx);
        return;
      case 'In':
      case 'NotIn': {
        const query = c.QueryValue ?? c.Value;
        const values = c.Values ?? c.In;
        if (query === undefined) missing('QueryValue');
        if (values === undefined) missing('Values');
        expectArray(values);
        this.check(query, ctx);
        for (const x of values) this.check(x, ctx);
        return;
      }
      default:
        if (c.LeftValue === undefined) missing('LeftValue');
        if (c.RightValue === undefined) missing('RightValue');
        this.check(c.LeftValue, ctx);
        this.check(c.RightValue, ctx);
    }
  }

  private checkGet(text: string, ctx: CheckContext): void {
    const r = parseReference(text);
    // wording: guess for every message of this method.
    if (typeof r === 'string') fail(`Invalid reference {"Get": "${text}"} in ${ctx.owner}: ${r}.`);
    switch (r.kind) {
      case 'parameter':
        if (!this.parameters.has(r.name)) fail(`${capitalized(ctx.owner)} references the parameter '${r.name}', which is not defined in the pipeline's Parameters.`);
        return;
      case 'execution':
        if (!EXECUTION_VARIABLES.includes(r.variable)) fail(`Invalid reference {"Get": "${text}"} in ${ctx.owner}: '${r.variable}' is not an execution variable (${EXECUTION_VARIABLES.join(', ')}).`);
        return;
      case 'experiment':
        return;
      case 'step': {
        if (!ctx.allowSteps) fail(`Invalid reference {"Get": "${text}"} in ${ctx.owner}: it may not reference steps.`);
        if (!this.steps.has(r.step)) fail(`${capitalized(ctx.owner)} references the step '${r.step}', which is not defined in the pipeline.`);
        const first = r.path[0];
        if (first?.kind === 'member' && first.name === 'PropertyFiles') {
          fail(`Invalid reference {"Get": "${text}"} in ${ctx.owner}: a property file can only be read through Std:JsonGet.`);
        }
        if (!ctx.refs.includes(r.step)) ctx.refs.push(r.step);
        return;
      }
    }
  }

  private checkJsonGet(body: unknown, ctx: CheckContext): void {
    expectObject(body);
    expectString(body.Path, 'Path');
    if (body.PropertyFile !== undefined) {
      const pf = body.PropertyFile;
      const shape = 'its PropertyFile must be {"Get": "Steps.<StepName>.PropertyFiles.<PropertyFileName>"}';
      // wording: guess for every message of this branch.
      if (!isGet(pf)) fail(`Invalid Std:JsonGet in ${ctx.owner}: ${shape}.`);
      const r = parseReference(pf.Get);
      if (typeof r === 'string' || r.kind !== 'step' || r.path.length !== 2 || r.path[0]!.kind !== 'member' || r.path[0]!.name !== 'PropertyFiles' || r.path[1]!.kind !== 'member') {
        fail(`Invalid Std:JsonGet in ${ctx.owner}: ${shape}, not "${pf.Get}".`);
      }
      if (!ctx.allowSteps) fail(`Invalid Std:JsonGet in ${ctx.owner}: it may not reference steps.`);
      const target = this.steps.get(r.step);
      if (!target) fail(`${capitalized(ctx.owner)} references the step '${r.step}', which is not defined in the pipeline.`);
      if (target.type !== 'Processing') {
        fail(`Invalid Std:JsonGet in ${ctx.owner}: a property file can only be read from a Processing step's outputs, and '${r.step}' is a ${target.type} step.`);
      }
      const fileName = (r.path[1] as { name: string }).name;
      const file = target.propertyFiles.find((f) => f.PropertyFileName === fileName);
      if (!file) fail(`Invalid Std:JsonGet in ${ctx.owner}: step '${r.step}' declares no property file '${fileName}'.`);
      const outputs = (target.raw.Arguments as { ProcessingOutputConfig?: { Outputs?: unknown } } | undefined)?.ProcessingOutputConfig?.Outputs;
      if (Array.isArray(outputs) && outputs.every((o) => isPlainObject(o) && typeof o.OutputName === 'string')) {
        if (!outputs.some((o) => (o as { OutputName: string }).OutputName === file.OutputName)) {
          fail(`The property file '${fileName}' of step '${r.step}' names the output '${file.OutputName}', which is not one of the step's ProcessingOutputConfig.Outputs.`);
        }
      }
      Object.defineProperty(pf, PROPERTY_FILE, { value: { step: r.step, ...file } satisfies PropertyFileTarget, enumerable: false, configurable: true });
      if (!ctx.refs.includes(r.step)) ctx.refs.push(r.step);
      return;
    }
    // wording: guess.
    if (body.S3Uri === undefined) fail(`Invalid Std:JsonGet in ${ctx.owner}: it needs a PropertyFile or an S3Uri.`);
    this.check(body.S3Uri, ctx);
  }
}

/** Throws when DependsOn and references form a cycle (a step waiting, directly or not, for itself). */
function assertAcyclic(steps: ReadonlyMap<string, StepNode>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of steps.get(name)!.dependsOn) {
      const s = state.get(d);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(d)), d];
        // The stack runs from dependant to dependency; show it in execution order (A -> B means B waits for A).
        // wording: guess (the SDK's own check says "Cycle detected in pipeline step graph.").
        fail(`Cycle detected in the pipeline's step graph: ${cycle.reverse().join(' -> ')}.`);
      }
      if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of steps.keys()) if (!state.has(name)) visit(name);
}
