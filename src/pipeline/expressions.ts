/**
 * Resolution of pipeline expressions at run time (reference §1.4, §1.7).
 *
 * `resolve` copies a value, replacing every expression by its value:
 * - `Get Parameters.X` → the typed parameter value; `Get Execution.V` → the execution variable (a function is called at
 *   each resolution, for `CurrentDateTime`); `Get PipelineExperimentConfig.M` → the resolved experiment config;
 * - `Get Steps.S.<path>` → a member of S's properties root (the Describe answer of its job, model or package), walked
 *   along the path; `Steps.S.Outcome` (Condition) and `Steps.S.OutputParameters['x']` (Callback, Lambda) are special;
 * - `Std:Join` → its values stringified and joined with `On`;
 * - `Std:JsonGet` → a value read from a JSON file in S3: a Processing step's property file, or any S3 URI.
 * Anything unresolvable throws `PipelineExpressionError`, whose message is meant for the step's FailureReason.
 *
 * Path walking: `.Member` reads an object member; `[n]` an array element; `['k']` a map key, or, on a list of
 * structures, the element whose `…Name` member equals k (`Outputs['train']` → OutputName, `InputDataConfig['train']`
 * → ChannelName, `FinalMetricDataList['validation:rmse']` → MetricName). A leading `Properties.` is tolerated.
 */
import { PROPERTY_FILE, type ParameterValue, type ParsedDefinition, type PropertyFileDef, type PropertyFileTarget } from './definition.js';
import { PipelineExpressionError } from './errors.js';
import {
  formatPath,
  isGet,
  isJoin,
  isJsonGet,
  isPlainObject,
  parsePath,
  parseReference,
  referencedStepName,
  type PathSegment,
} from './syntax.js';

export interface StepView {
  readonly type: string;
  /** The step's properties root (table in reference §1.4): the Describe answer of its job/model/package. */
  readonly properties?: unknown;
  /** Condition steps: the outcome. */
  readonly outcome?: boolean;
  /** Callback/Lambda outputs. */
  readonly outputParameters?: Readonly<Record<string, unknown>>;
  /** The step's PropertyFiles (optional: the definition, in the scope or behind a parsed `Std:JsonGet`, also has them). */
  readonly propertyFiles?: ReadonlyArray<PropertyFileDef>;
}

export interface Scope {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Execution.* variables; `CurrentDateTime` is read at each resolution (pass a function). */
  readonly execution: Readonly<Record<string, string | (() => string)>>;
  readonly experiment?: Readonly<{ ExperimentName?: string; TrialName?: string }>;
  /** A finished upstream step, or undefined (then a reference to it is an error). */
  step(name: string): StepView | undefined;
  /** Std:JsonGet: the JSON text of an S3 object (the runner reads it as the pipeline's role). */
  readText(s3Uri: string): Promise<string>;
  /**
   * Optional: the parsed definition, where `Std:JsonGet` finds a property file's OutputName and FilePath. Without it,
   * expressions taken from `parseDefinition`'s output still resolve (the parser marks them); others need
   * `StepView.propertyFiles`.
   */
  readonly definition?: ParsedDefinition;
}

/** Deep-resolves every expression ({Get}, {Std:Join}, {Std:JsonGet}) inside a value; other values are copied. */
export async function resolve(value: unknown, scope: Scope): Promise<unknown> {
  if (isGet(value)) return resolveGet(value.Get, scope);
  if (isJoin(value)) return resolveJoin(value['Std:Join'], scope);
  if (isJsonGet(value)) return resolveJsonGet(value['Std:JsonGet'], scope);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await resolve(v, scope));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolve(v, scope);
    return out;
  }
  return plain(value);
}

/** The step names `Get Steps.X…` references inside a value (in order of appearance, each once). */
export function referencedSteps(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (isGet(v)) {
      const s = referencedStepName(v.Get);
      if (s !== undefined && !out.includes(s)) out.push(s);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isPlainObject(v)) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/**
 * How `Std:Join` turns a value into text: strings as they are, numbers in their shortest decimal form, booleans as
 * `true`/`false` (lower case: the SDK's function-step runtime reads a Boolean parameter that the service rendered
 * into a string with `value == "true"`, sagemaker/remote_function/core/pipeline_variables.py), null as `null`,
 * objects and arrays as JSON.
 */
export function joinString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Get

async function resolveGet(text: string, scope: Scope): Promise<unknown> {
  const r = parseReference(text);
  // wording: guess for every PipelineExpressionError message of this module.
  if (typeof r === 'string') throw new PipelineExpressionError(`Invalid reference {"Get": "${text}"}: ${r}.`);
  switch (r.kind) {
    case 'parameter': {
      if (!Object.prototype.hasOwnProperty.call(scope.parameters, r.name)) {
        throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: the pipeline has no parameter '${r.name}'.`);
      }
      return scope.parameters[r.name];
    }
    case 'execution': {
      const v = Object.prototype.hasOwnProperty.call(scope.execution, r.variable) ? scope.execution[r.variable] : undefined;
      if (v === undefined) throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: the execution variable ${r.variable} has no value here.`);
      return typeof v === 'function' ? v() : v;
    }
    case 'experiment': {
      const v = scope.experiment?.[r.member as 'ExperimentName' | 'TrialName'];
      if (v === undefined) throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: the execution has no PipelineExperimentConfig.${r.member}.`);
      return v;
    }
    case 'step':
      return resolveStepProperty(text, r.step, r.path, scope);
  }
}

function resolveStepProperty(text: string, stepName: string, path: readonly PathSegment[], scope: Scope): unknown {
  const view = scope.step(stepName);
  if (!view) throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: step '${stepName}' has not succeeded in this execution.`);
  const first = path[0];
  if (first?.kind === 'member' && first.name === 'PropertyFiles') {
    throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: a property file can only be read through Std:JsonGet.`);
  }
  if (first?.kind === 'member' && first.name === 'Outcome' && path.length === 1 && view.outcome !== undefined) return view.outcome;
  if (first?.kind === 'member' && first.name === 'OutputParameters' && view.outputParameters !== undefined) {
    return walk(view.outputParameters, path.slice(1), text, 'OutputParameters');
  }
  let root = view.properties;
  let rest = path;
  // The SDK never writes `Steps.S.Properties.…`, but older examples did; accept it unless the root has such a member.
  if (first?.kind === 'member' && first.name === 'Properties' && !(isPlainObject(root) && 'Properties' in root)) rest = path.slice(1);
  if (root === undefined) throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: step '${stepName}' has no properties.`);
  if (first?.kind === 'member' && first.name === 'OutputParameters' && isPlainObject(root) && Array.isArray(root.OutputParameters)) {
    // A Callback/Lambda step whose properties keep the wire form [{Name, Value}].
    root = { ...root, OutputParameters: Object.fromEntries((root.OutputParameters as Array<{ Name: string; Value: unknown }>).map((o) => [o.Name, o.Value])) };
  }
  return walk(root, rest, text, '');
}

/** Walks `segments` from `root`; `text` is the whole reference, `prefix` the path already walked (for messages). */
function walk(root: unknown, segments: readonly PathSegment[], text: string, prefix: string): unknown {
  let cur = root;
  const done: PathSegment[] = [];
  const where = () => {
    const p = formatPath(done);
    const full = prefix === '' ? p : p === '' ? prefix : p.startsWith('[') ? prefix + p : `${prefix}.${p}`;
    return full === '' ? 'the properties root' : full;
  };
  const missing = (what: string): never => {
    throw new PipelineExpressionError(`Cannot resolve {"Get": "${text}"}: ${where()} ${what}.`);
  };
  for (const seg of segments) {
    if (seg.kind === 'member') {
      if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, seg.name) || cur[seg.name] === undefined) missing(`has no member '${seg.name}'`);
      cur = (cur as Record<string, unknown>)[seg.name];
    } else if (seg.kind === 'index') {
      if (!Array.isArray(cur)) missing(`is not a list (index [${seg.index}])`);
      if (seg.index >= (cur as unknown[]).length) missing(`has no element [${seg.index}] (it has ${(cur as unknown[]).length})`);
      cur = (cur as unknown[])[seg.index];
    } else if (Array.isArray(cur)) {
      const found = cur.find((e) => isPlainObject(e) && Object.entries(e).some(([k, v]) => k.endsWith('Name') && v === seg.key));
      if (found === undefined) missing(`has no element named '${seg.key}'`);
      cur = found;
    } else {
      if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, seg.key) || cur[seg.key] === undefined) missing(`has no key '${seg.key}'`);
      cur = (cur as Record<string, unknown>)[seg.key];
    }
    done.push(seg);
  }
  return plain(cur);
}

/** A copy with Dates as ISO-8601 strings (Describe answers may hold Dates; expressions see JSON values). */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Std:Join

async function resolveJoin(body: unknown, scope: Scope): Promise<string> {
  if (!isPlainObject(body) || !Array.isArray(body.Values)) throw new PipelineExpressionError('Invalid Std:Join: it needs {"On": <separator>, "Values": [...]}.');
  const on = body.On === undefined ? '' : joinString(await resolve(body.On, scope));
  const parts: string[] = [];
  for (const v of body.Values) parts.push(joinString(await resolve(v, scope)));
  return parts.join(on);
}

// ---------------------------------------------------------------------------------------------------------------
// Std:JsonGet

async function resolveJsonGet(body: unknown, scope: Scope): Promise<unknown> {
  if (!isPlainObject(body) || typeof body.Path !== 'string') throw new PipelineExpressionError('Invalid Std:JsonGet: it needs a Path and a PropertyFile or an S3Uri.');
  const path = body.Path;
  let uri: string;
  let what: string;
  if (body.PropertyFile !== undefined) {
    const target = propertyFileTarget(body.PropertyFile, scope);
    const view = scope.step(target.step);
    if (!view) throw new PipelineExpressionError(`Cannot read the property file '${target.PropertyFileName}': step '${target.step}' has not succeeded in this execution.`);
    const outputs = (view.properties as { ProcessingOutputConfig?: { Outputs?: unknown } } | undefined)?.ProcessingOutputConfig?.Outputs;
    const output = Array.isArray(outputs) ? outputs.find((o) => isPlainObject(o) && o.OutputName === target.OutputName) : undefined;
    const base = (output as { S3Output?: { S3Uri?: unknown } } | undefined)?.S3Output?.S3Uri;
    if (typeof base !== 'string') {
      throw new PipelineExpressionError(`Cannot read the property file '${target.PropertyFileName}': step '${target.step}' has no processing output '${target.OutputName}' with an S3Uri.`);
    }
    uri = `${base.replace(/\/+$/, '')}/${target.FilePath.replace(/^\/+/, '')}`;
    what = `the property file '${target.PropertyFileName}' of step '${target.step}' (${uri})`;
  } else if (body.S3Uri !== undefined) {
    const resolved = await resolve(body.S3Uri, scope);
    if (typeof resolved !== 'string') throw new PipelineExpressionError(`Invalid Std:JsonGet: its S3Uri resolved to ${JSON.stringify(resolved)}, not a string.`);
    uri = resolved;
    what = uri;
  } else {
    throw new PipelineExpressionError('Invalid Std:JsonGet: it needs a PropertyFile or an S3Uri.');
  }
  let text: string;
  try {
    text = await scope.readText(uri);
  } catch (e) {
    if (e instanceof PipelineExpressionError) throw e;
    throw new PipelineExpressionError(`Std:JsonGet could not read ${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PipelineExpressionError(`Std:JsonGet: ${what} is not valid JSON.`);
  }
  return evaluateJsonPath(doc, path, what);
}

function propertyFileTarget(ref: unknown, scope: Scope): PropertyFileTarget {
  if (!isGet(ref)) throw new PipelineExpressionError('Invalid Std:JsonGet: its PropertyFile must be {"Get": "Steps.<StepName>.PropertyFiles.<PropertyFileName>"}.');
  const r = parseReference(ref.Get);
  if (typeof r === 'string' || r.kind !== 'step' || r.path.length !== 2 || r.path[0]!.kind !== 'member' || r.path[0]!.name !== 'PropertyFiles' || r.path[1]!.kind !== 'member') {
    throw new PipelineExpressionError(`Invalid Std:JsonGet: its PropertyFile must be {"Get": "Steps.<StepName>.PropertyFiles.<PropertyFileName>"}, not "${ref.Get}".`);
  }
  const name = (r.path[1] as { name: string }).name;
  const marked = (ref as unknown as { [PROPERTY_FILE]?: PropertyFileTarget })[PROPERTY_FILE];
  const declared = scope.definition?.steps.get(r.step)?.propertyFiles ?? scope.step(r.step)?.propertyFiles ?? (marked?.step === r.step ? [marked] : undefined);
  const file = declared?.find((f) => f.PropertyFileName === name);
  if (!file) throw new PipelineExpressionError(`Cannot read the property file '${name}': step '${r.step}' declares no such property file.`);
  return { step: r.step, PropertyFileName: file.PropertyFileName, OutputName: file.OutputName, FilePath: file.FilePath };
}

/**
 * Evaluates a `Std:JsonGet` Path on a JSON document: the SDK's dotted form (`regression_metrics.mse.value`), with
 * `[n]` indices and `['key']` keys (`a[0].b`, `metrics['f1-score']`); a leading `$` / `$.` (JSONPath style) is accepted.
 * `what` names the document in messages.
 */
export function evaluateJsonPath(doc: unknown, path: string, what = 'the JSON document'): unknown {
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1);
  if (p.startsWith('.')) p = p.slice(1);
  const segments = parsePath(p);
  if (typeof segments === 'string') throw new PipelineExpressionError(`Std:JsonGet: invalid Path '${path}' (${segments}).`);
  let cur = doc;
  for (const seg of segments) {
    let next: unknown;
    if (seg.kind === 'index') next = Array.isArray(cur) ? cur[seg.index] : undefined;
    else {
      const key = seg.kind === 'member' ? seg.name : seg.key;
      next = isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    }
    if (next === undefined) throw new PipelineExpressionError(`Std:JsonGet: the Path '${path}' does not exist in ${what}.`);
    cur = next;
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions

/** A Condition step's Conditions (implicit AND). */
export async function evaluateConditions(conditions: readonly unknown[], scope: Scope): Promise<boolean> {
  for (const c of conditions) if (!(await evaluateCondition(c, scope))) return false;
  return true;
}

async function evaluateCondition(c: unknown, scope: Scope): Promise<boolean> {
  if (!isPlainObject(c) || typeof c.Type !== 'string') throw new PipelineExpressionError('Invalid condition: it needs a Type.');
  const type = c.Type;
  switch (type) {
    case 'Not':
      return !(await evaluateCondition(c.Condition, scope));
    case 'Or': {
      if (!Array.isArray(c.Conditions)) throw new PipelineExpressionError('Invalid Or condition: it needs Conditions.');
      for (const x of c.Conditions) if (await evaluateCondition(x, scope)) return true;
      return false;
    }
    case 'In':
    case 'NotIn': {
      const values = c.Values ?? c.In;
      if (!Array.isArray(values)) throw new PipelineExpressionError(`Invalid ${type} condition: it needs Values.`);
      const query = await resolve(c.QueryValue ?? c.Value, scope);
      let found = false;
      for (const v of values) if (sameValue(query, await resolve(v, scope))) found = true;
      return type === 'In' ? found : !found;
    }
    case 'Equals':
    case 'NotEquals':
    case 'GreaterThan':
    case 'GreaterThanOrEqualTo':
    case 'LessThan':
    case 'LessThanOrEqualTo': {
      const left = await resolve(c.LeftValue, scope);
      const right = await resolve(c.RightValue, scope);
      return compareCondition(type, left, right);
    }
    default:
      throw new PipelineExpressionError(`Unknown condition type '${type}'.`);
  }
}

function typeName(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (v === null || v === undefined) return 'null';
  return Array.isArray(v) ? 'List' : 'Object';
}

function show(v: unknown): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

/** A boolean and its spelling as a string ("true", "True", "FALSE") are the same value; nothing else crosses types. */
function asComparable(v: unknown, other: unknown): unknown {
  if (typeof v === 'string' && typeof other === 'boolean' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return v;
}

function sameValue(a: unknown, b: unknown): boolean {
  const x = asComparable(a, b);
  const y = asComparable(b, a);
  return typeof x === typeof y && x === y;
}

/**
 * Binary comparisons: numbers compare numerically (an Integer and a Float are both numbers), strings (ISO-8601
 * timestamps included) by code units, booleans only for equality; any other pairing is an error naming both types.
 */
export function compareCondition(type: string, left: unknown, right: unknown): boolean {
  const l = asComparable(left, right);
  const r = asComparable(right, left);
  const mismatch = (): never => {
    throw new PipelineExpressionError(
      `Condition ${type} cannot compare LeftValue ${show(left)} (${typeName(left)}) with RightValue ${show(right)} (${typeName(right)}).`,
    );
  };
  if (type === 'Equals' || type === 'NotEquals') {
    const comparable = (typeof l === 'number' || typeof l === 'string' || typeof l === 'boolean') && typeof l === typeof r;
    if (!comparable) mismatch();
    return type === 'Equals' ? l === r : l !== r;
  }
  const ordered = (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
  if (!ordered) mismatch();
  const a = l as number | string;
  const b = r as number | string;
  switch (type) {
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanOrEqualTo':
      return a >= b;
    case 'LessThan':
      return a < b;
    case 'LessThanOrEqualTo':
      return a <= b;
    default:
      throw new PipelineExpressionError(`Unknown condition type '${type}'.`);
  }
}
