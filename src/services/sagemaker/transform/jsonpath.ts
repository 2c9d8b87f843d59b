/**
 * SageMaker's JSONPath subset for `DataProcessing.InputFilter` / `OutputFilter`, as the Developer Guide's table lists
 * it (https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html#data-processing-operators):
 * `$`, `.name`, `*`, `['a','b']`, `[i]`, `[i,j]` (negative indices count from the end), `[start:end]`.
 *
 * Where SageMaker departs from common JSONPath (and from jsonpath-plus, which evaluates the name and wildcard steps):
 * - **Slices include their end.** "`$[1:4]` specifies the second through fifth columns"; `[:5]` is "the first column
 *   (index 0) through the sixth column". AWS's AutoGluon batch notebooks depend on it (`$[:13]` feeds the 14 feature
 *   columns to a script that rejects any other count).
 * - `[0,5:]` mixes indices with one slice (an OutputFilter example in the API reference), but a second slice fails the
 *   job with "only single range filters of format (eg: [1:5]) are supported" (aws/sagemaker-python-sdk#1112).
 * - `['a','b']` yields an object with those members (the Jayway JsonPath behaviour the guide links to), so
 *   `$['id','SageMakerOutput']` keeps two members of the joined record; a name inside brackets may not contain `.`.
 * - A path made only of single names and single indices yields the value itself; any other path yields an array.
 * - An index outside the array is an error ("If you specify indexes that aren't within the dimension size of the
 *   joined dataset, you get an error", API_DataProcessing), as is a missing member on a single-valued path.
 * - `$.field1.['child1','child2']` (a dot before a bracket) is accepted, as in the guide's example.
 */
import { JSONPath } from 'jsonpath-plus';
import { TransformDataError } from './errors.js';

export type IndexItem = { readonly kind: 'index'; readonly index: number } | { readonly kind: 'slice'; readonly start?: number; readonly end?: number };

export type PathStep =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'indices'; readonly items: readonly IndexItem[] };

export interface CompiledJsonPath {
  readonly expression: string;
  readonly steps: readonly PathStep[];
  /** Only single names and single indices: the result is one value, not an array. */
  readonly definite: boolean;
  /** `$` (or an empty filter, which the API documents as the default `$`): selects the whole record. */
  readonly identity: boolean;
  /** Every step is positional (`[...]` with indices, or `*`): the only kind that applies to a CSV row. */
  readonly indexOnly: boolean;
}

/** The characters SageMaker accepts besides letters and digits, in the order its validation message lists them. */
export const SUPPORTED_OPERATORS = ['$', '[', ']', '*', '.', ' ', ',', ':', '-', "'"] as const;

// Names are kept to letters, digits, `_`, `-` and spaces: that is all SageMaker accepts (it rejects even `_` at
// CreateTransformJob, see `unsupportedCharacter`), and it keeps names clear of jsonpath-plus's own operators.
const NAME = /^[\p{L}\p{N}_\- ]+$/u;

function invalid(expression: string, reason: string): TransformDataError {
  return new TransformDataError('InvalidJsonPath', `Invalid JsonPath: ${expression}: ${reason}`);
}

/**
 * Parses a filter into steps, or throws `InvalidJsonPath` with the reason.
 *
 * @example parseJsonPath("$['id','SageMakerOutput']").steps // [{ kind: 'names', names: ['id', 'SageMakerOutput'] }]
 */
export function parseJsonPath(expression: string | undefined): CompiledJsonPath {
  const expr = (expression ?? '').trim();
  if (expr === '' || expr === '$') return { expression: expr || '$', steps: [], definite: true, identity: true, indexOnly: true };
  if (expr[0] !== '$') throw invalid(expr, 'the root element `$` is required at the beginning of the path');
  const steps: PathStep[] = [];
  let i = 1;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '.') {
      const next = expr[i + 1];
      if (next === '.') throw invalid(expr, 'deep scan `..` is not supported');
      if (next === '*') {
        steps.push({ kind: 'wildcard' });
        i += 2;
      } else if (next === '[') {
        i += 1; // `$.a.['b','c']`: read the bracket on the next turn
      } else {
        let j = i + 1;
        while (j < expr.length && !'.[]'.includes(expr[j]!)) j++;
        const name = expr.slice(i + 1, j);
        if (name === '') throw invalid(expr, `a name is expected after \`.\` at position ${i}`);
        if (!NAME.test(name) || name.trim() !== name) throw invalid(expr, `unsupported name \`${name}\``);
        steps.push({ kind: 'name', name });
        i = j;
      }
    } else if (c === '[') {
      const close = closingBracket(expr, i);
      steps.push(parseBracket(expr, expr.slice(i + 1, close)));
      i = close + 1;
    } else {
      throw invalid(expr, `unexpected \`${c}\` at position ${i}`);
    }
  }
  const definite = steps.every((s) => s.kind === 'name' || (s.kind === 'indices' && s.items.length === 1 && s.items[0]!.kind === 'index'));
  const indexOnly = steps.every((s) => s.kind === 'indices' || s.kind === 'wildcard');
  return { expression: expr, steps, definite, identity: false, indexOnly };
}

function closingBracket(expr: string, open: number): number {
  let quoted = false;
  for (let j = open + 1; j < expr.length; j++) {
    const ch = expr[j];
    if (ch === "'") quoted = !quoted;
    else if (ch === ']' && !quoted) return j;
  }
  throw invalid(expr, `\`[\` at position ${open} is not closed`);
}

function parseBracket(expr: string, inner: string): PathStep {
  const body = inner.trim();
  if (body === '*') return { kind: 'wildcard' };
  if (body.startsWith("'")) {
    const names: string[] = [];
    let rest = body;
    for (;;) {
      const m = /^'([^']*)'\s*(,\s*)?/.exec(rest);
      if (!m) throw invalid(expr, `malformed name list [${inner}]`);
      const name = m[1]!;
      if (name.includes('.')) throw invalid(expr, `nested children inside brackets are not supported: '${name}'`);
      if (!NAME.test(name)) throw invalid(expr, `unsupported name '${name}'`);
      names.push(name);
      rest = rest.slice(m[0].length);
      if (!m[2]) break;
    }
    if (rest !== '') throw invalid(expr, `malformed name list [${inner}]`);
    return names.length === 1 ? { kind: 'name', name: names[0]! } : { kind: 'names', names };
  }
  const parts = body.split(',').map((p) => p.trim());
  const items: IndexItem[] = [];
  for (const part of parts) {
    if (/^-?\d+$/.test(part)) {
      items.push({ kind: 'index', index: Number(part) });
      continue;
    }
    const m = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(part);
    if (!m) throw invalid(expr, `unsupported selector [${inner}]`);
    items.push({ kind: 'slice', ...(m[1] !== undefined ? { start: Number(m[1]) } : {}), ...(m[2] !== undefined ? { end: Number(m[2]) } : {}) });
  }
  // AWS's wording, from a failed job's log (aws/sagemaker-python-sdk#1112).
  if (items.filter((x) => x.kind === 'slice').length > 1) {
    throw invalid(expr, `only single range filters of format (eg: [1:5]) are supported. Format [${inner}] is not supported`);
  }
  return { kind: 'indices', items };
}

/**
 * Applies a compiled path to a parsed record. A single-valued path returns the value; `['a','b']` as the last step
 * returns `{a, b}` (an array of such objects if the path before it is multi-valued); any other path returns an array.
 *
 * @example evaluateJsonPath(parseJsonPath('$[1:3]'), ['a', 'b', 'c', 'd', 'e']) // ['b', 'c', 'd']
 */
export function evaluateJsonPath(path: CompiledJsonPath, value: unknown): unknown {
  if (path.identity) return value;
  let nodes: unknown[] = [value];
  path.steps.forEach((step, n) => {
    const last = n === path.steps.length - 1;
    nodes = nodes.flatMap((node) => applyStep(path, step, node, last));
  });
  const lastStep = path.steps[path.steps.length - 1]!;
  const prefixDefinite = path.steps.slice(0, -1).every((s) => s.kind === 'name' || (s.kind === 'indices' && s.items.length === 1 && s.items[0]!.kind === 'index'));
  if (path.definite || (lastStep.kind === 'names' && prefixDefinite)) {
    if (nodes.length === 0) throw new TransformDataError('FilterFailed', `JsonPath ${path.expression} selects nothing in the record`);
    return nodes[0];
  }
  return nodes;
}

function applyStep(path: CompiledJsonPath, step: PathStep, node: unknown, last: boolean): unknown[] {
  switch (step.kind) {
    case 'name': {
      if (!isPlainObject(node) || !Object.hasOwn(node, step.name)) {
        if (path.definite) throw new TransformDataError('FilterFailed', `JsonPath ${path.expression}: the record has no member \`${step.name}\``);
        return [];
      }
      return select(node, `$['${step.name}']`);
    }
    case 'wildcard':
      return node !== null && typeof node === 'object' ? select(node, '$.*') : [];
    case 'names': {
      if (!isPlainObject(node)) return [];
      if (!last) return step.names.flatMap((name) => (Object.hasOwn(node, name) ? select(node, `$['${name}']`) : []));
      const picked: Record<string, unknown> = {};
      for (const name of step.names) if (Object.hasOwn(node, name)) picked[name] = select(node, `$['${name}']`)[0];
      return [picked];
    }
    case 'indices': {
      if (!Array.isArray(node)) {
        if (path.definite) throw new TransformDataError('FilterFailed', `JsonPath ${path.expression}: an index applies to an array, the record has ${describe(node)}`);
        return [];
      }
      return resolveIndices(path, step.items, node.length).map((k) => node[k]);
    }
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/** Name and wildcard selection on an object or array, by jsonpath-plus (script evaluation off: we never pass filters). */
function select(node: object, path: string): unknown[] {
  return JSONPath({ path, json: node, wrap: true, eval: false, resultType: 'value' }) as unknown[];
}

/** Positions an index list selects in an array of `length`, with SageMaker's inclusive slice end. */
export function resolveIndices(path: CompiledJsonPath, items: readonly IndexItem[], length: number): number[] {
  const at = (i: number): number => {
    const k = i < 0 ? i + length : i;
    if (k < 0 || k >= length) {
      throw new TransformDataError('FilterFailed', `JsonPath ${path.expression}: index ${i} is outside the record's ${length} element${length === 1 ? '' : 's'}`);
    }
    return k;
  };
  const out: number[] = [];
  for (const item of items) {
    if (item.kind === 'index') {
      out.push(at(item.index));
      continue;
    }
    const start = item.start === undefined ? 0 : at(item.start);
    const end = item.end === undefined ? length - 1 : at(item.end);
    for (let k = start; k <= end; k++) out.push(k);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * The character CreateTransformJob would reject in a filter, or undefined. SageMaker accepts letters, digits and
 * {@link SUPPORTED_OPERATORS} only — even `_` is refused, and AWS said it has no plan to allow it (aws/aws-sdk#184).
 */
export function unsupportedCharacter(expression: string): string | undefined {
  for (const ch of expression) {
    if (/[\p{L}\p{N}]/u.test(ch)) continue;
    if ((SUPPORTED_OPERATORS as readonly string[]).includes(ch)) continue;
    return ch;
  }
  return undefined;
}
