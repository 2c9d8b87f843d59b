/**
 * Parameters of a pipeline execution (reference §1.3, §1.8 step 1).
 *
 * `StartPipelineExecution` carries every value as a string: the SageMaker Python SDK's `Pipeline.start()` sends
 * `str(value)` (`format_start_parameters` in sagemaker/workflow/pipeline.py), so an Integer arrives as "10", a Float
 * as "0.5" and a Boolean as "True". `resolveParameters` types them by the definition's declarations and fills the
 * defaults; `parameterStrings` renders the resolved values back for `ListPipelineParametersForExecution`.
 */
import type { ParameterDef, ParameterValue } from './definition.js';
import { PipelineDefinitionError } from './errors.js';

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail(message: string): never {
  throw new PipelineDefinitionError(message);
}

/**
 * Parameters of a start: defaults, type coercion of the SDK's strings ("10" → 10, "0.5" → 0.5, "True"/"true" → true),
 * EnumValues, unknown names, missing required. Throws PipelineDefinitionError with AWS's wording where it is known.
 * The result lists the definition's parameters in their declared order.
 */
export function resolveParameters(defs: readonly ParameterDef[], given: ReadonlyArray<{ Name: string; Value: string }>): Record<string, ParameterValue> {
  const byName = new Map(defs.map((d) => [d.Name, d]));
  const supplied = new Map<string, ParameterValue>();
  for (const { Name, Value } of given) {
    const def = byName.get(Name);
    // wording: guess.
    if (!def) fail(`Parameter '${Name}' is not defined in the pipeline definition; its parameters are [${defs.map((d) => d.Name).join(', ')}].`);
    // wording: guess.
    if (supplied.has(Name)) fail(`Parameter '${Name}' is given more than once.`);
    // wording: AWS, observed for an empty ParameterString (aws/sagemaker-python-sdk#4016).
    if (Value === '') fail('[string "" is too short (length: 0, required minimum: 1)]');
    supplied.set(Name, coerce(def, Value));
  }
  const out: Record<string, ParameterValue> = {};
  for (const def of defs) {
    const v = supplied.get(def.Name) ?? def.DefaultValue;
    // wording: guess.
    if (v === undefined) fail(`Parameter '${def.Name}' has no default value, so StartPipelineExecution must give it a value.`);
    out[def.Name] = v;
  }
  return out;
}

function coerce(def: ParameterDef, value: string): ParameterValue {
  const text = value.trim();
  // wording: guess for the messages below.
  const invalid = (): never => fail(`Value '${value}' of parameter '${def.Name}' is not a valid ${def.Type}.`);
  switch (def.Type) {
    case 'String':
      if (def.EnumValues && !def.EnumValues.includes(value)) {
        fail(`Value '${value}' of parameter '${def.Name}' is not one of its EnumValues [${def.EnumValues.join(', ')}].`);
      }
      return value;
    case 'Integer': {
      if (!INTEGER.test(text)) invalid();
      const n = Number(text);
      if (!Number.isSafeInteger(n)) invalid();
      return n;
    }
    case 'Float': {
      if (!FLOAT.test(text)) invalid();
      const n = Number(text);
      if (!Number.isFinite(n)) invalid();
      return n;
    }
    case 'Boolean': {
      const t = text.toLowerCase();
      if (t !== 'true' && t !== 'false') invalid();
      return t === 'true';
    }
  }
}

/**
 * The resolved values as ListPipelineParametersForExecution returns them: `[{Name, Value: string}]` in the
 * definition's order. Strings as they are; Integers in decimal; Floats always with a fraction (`1.0`, `0.35`), as
 * both Python's `str(float)` (what the SDK sends) and the service's Java rendering write them; Booleans as
 * `true`/`false`. Why lower case and not Python's `True`: the values are the service's own rendering, and where the
 * service renders a Boolean parameter into a string (a function step's arguments) the SDK's runtime reads it back
 * with `value == "true"` (sagemaker/remote_function/core/pipeline_variables.py `_ParameterResolver`), so the
 * service writes lower case; `Std:Join` here does the same.
 */
export function parameterStrings(values: Readonly<Record<string, ParameterValue>>, defs: readonly ParameterDef[]): Array<{ Name: string; Value: string }> {
  const out: Array<{ Name: string; Value: string }> = [];
  for (const def of defs) {
    if (!Object.prototype.hasOwnProperty.call(values, def.Name)) continue;
    out.push({ Name: def.Name, Value: parameterString(values[def.Name]!, def) });
  }
  return out;
}

/** One value rendered as `parameterStrings` does. */
export function parameterString(v: ParameterValue, def: Pick<ParameterDef, 'Type'>): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (def.Type === 'Float' && Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(1);
    return String(v);
  }
  return v;
}
