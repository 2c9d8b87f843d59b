/**
 * The expression syntax of a pipeline definition, shared by the definition validator and the resolver.
 *
 * An expression is a JSON object with exactly one of these keys (reference §1.4):
 * - `{"Get": "<reference>"}` where the reference is `Parameters.<Name>`, `Execution.<Variable>`,
 *   `PipelineExperimentConfig.<ExperimentName|TrialName>` or `Steps.<StepName><path>`;
 * - `{"Std:Join": {"On": "<separator>", "Values": [...]}}`;
 * - `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<S>.PropertyFiles.<P>"} | "S3Uri": <value>, "Path": "<path>"}}`.
 *
 * A path is what the SDK's `Properties` objects print: `.Member`, `[0]`, `['quoted key']` (or `["…"]`), chained, e.g.
 * `ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri` or `FinalMetricDataList['validation:rmse'].Value`.
 */

/** One step of a path: `.Name`, `[3]` or `['key']`. */
export type PathSegment =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string };

export type Reference =
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'execution'; readonly variable: string }
  | { readonly kind: 'experiment'; readonly member: string }
  | { readonly kind: 'step'; readonly step: string; readonly path: readonly PathSegment[] };

/** The execution variables of `{"Get": "Execution.<Variable>"}` (SDK `ExecutionVariables`). */
export const EXECUTION_VARIABLES: readonly string[] = [
  'StartDateTime',
  'CurrentDateTime',
  'PipelineName',
  'PipelineArn',
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'TrainingJobName',
  'ProcessingJobName',
];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function soleKey(v: unknown, key: string): boolean {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === key;
}

export function isGet(v: unknown): v is { Get: string } {
  return soleKey(v, 'Get') && typeof (v as { Get: unknown }).Get === 'string';
}

export function isJoin(v: unknown): v is { 'Std:Join': unknown } {
  return soleKey(v, 'Std:Join');
}

export function isJsonGet(v: unknown): v is { 'Std:JsonGet': unknown } {
  return soleKey(v, 'Std:JsonGet');
}

/** True for any of the three expression forms. */
export function isExpression(v: unknown): boolean {
  return isGet(v) || isJoin(v) || isJsonGet(v);
}

/**
 * Parses a path (`A.B[0]['k'].C`, optionally starting with `[…]`); a string when it is malformed. Quoted keys may hold
 * any character but their own quote (`'validation:rmse'`, `'batch-size'`, `'a.b'`).
 */
export function parsePath(text: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let i = 0;
  const readName = (): string | undefined => {
    const start = i;
    while (i < text.length && text[i] !== '.' && text[i] !== '[' && text[i] !== ']') i++;
    return i > start ? text.slice(start, i) : undefined;
  };
  if (text.length > 0 && text[0] !== '[') {
    const name = readName();
    if (name === undefined) return `expected a member name at position ${i}`;
    segments.push({ kind: 'member', name });
  }
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      const name = readName();
      if (name === undefined) return `expected a member name at position ${i}`;
      segments.push({ kind: 'member', name });
    } else if (c === '[') {
      i++;
      const quote = text[i];
      if (quote === "'" || quote === '"') {
        const end = text.indexOf(quote, i + 1);
        if (end < 0 || text[end + 1] !== ']') return `unterminated quoted key at position ${i}`;
        segments.push({ kind: 'key', key: text.slice(i + 1, end) });
        i = end + 2;
      } else {
        const end = text.indexOf(']', i);
        const digits = end < 0 ? '' : text.slice(i, end);
        if (!/^\d+$/.test(digits)) return `expected an index or a quoted key at position ${i}`;
        segments.push({ kind: 'index', index: Number(digits) });
        i = end + 1;
      }
    } else {
      return `unexpected '${c}' at position ${i}`;
    }
  }
  return segments;
}

/** Renders a path back in the SDK's notation (for messages). */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (s.kind === 'member') out += out === '' ? s.name : `.${s.name}`;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else out += `['${s.key}']`;
  }
  return out;
}

/** `Steps.<step><path>` printed back in the SDK's notation (for messages). */
export function formatStepReference(step: string, path: readonly PathSegment[]): string {
  const p = formatPath(path);
  return p === '' ? `Steps.${step}` : p.startsWith('[') ? `Steps.${step}${p}` : `Steps.${step}.${p}`;
}

/** Parses the string of a `{"Get": …}`; a string describing the problem when it is malformed. */
export function parseReference(text: string): Reference | string {
  const dot = text.indexOf('.');
  const root = dot < 0 ? text : text.slice(0, dot);
  const rest = dot < 0 ? '' : text.slice(dot + 1);
  switch (root) {
    case 'Parameters':
      return rest === '' ? 'a parameter reference needs a name (Parameters.<Name>)' : { kind: 'parameter', name: rest };
    case 'Execution':
      return rest === '' ? 'an execution variable reference needs a name (Execution.<Variable>)' : { kind: 'execution', variable: rest };
    case 'PipelineExperimentConfig':
      return rest === 'ExperimentName' || rest === 'TrialName'
        ? { kind: 'experiment', member: rest }
        : 'PipelineExperimentConfig has only ExperimentName and TrialName';
    case 'Steps': {
      let end = 0;
      while (end < rest.length && rest[end] !== '.' && rest[end] !== '[') end++;
      const step = rest.slice(0, end);
      if (step === '') return 'a step reference needs a step name (Steps.<StepName>…)';
      let tail = rest.slice(end);
      if (tail.startsWith('.')) tail = tail.slice(1);
      else if (tail !== '' && !tail.startsWith('[')) return `unexpected text after the step name`;
      const path = parsePath(tail);
      if (typeof path === 'string') return path;
      return { kind: 'step', step, path };
    }
    default:
      return `'${root}' is not one of Parameters, Execution, PipelineExperimentConfig and Steps`;
  }
}

/** The step a `{"Get": "Steps.X…"}` string names (even when the rest of its path is malformed), or undefined. */
export function referencedStepName(text: string): string | undefined {
  if (!text.startsWith('Steps.')) return undefined;
  let end = 6;
  while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
  return end > 6 ? text.slice(6, end) : undefined;
}
