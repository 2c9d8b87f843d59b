/**
 * Input validation against the model's constraints (required, min/max length or value, pattern, enum),
 * worded the way AWS (Coral) words it:
 *
 *   1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member must …
 *   2 validation errors detected: Value … ; Value …           (joined with '; ')
 *
 * Paths camel-case the member names (`roleName`); structures in lists read `tags.1.member.key`; lists and
 * maps of scalars report one aggregated line (`Member must satisfy constraint: [..]`,
 * `Map keys must satisfy constraint: [..]`). Sensitive values are not echoed (`Value at 'password'`).
 * A failed length check suppresses the pattern check of the same value, as AWS reports it.
 */
import { AwsError } from '../core/errors.js';
import { compileModelPattern } from '../spec/pattern.js';
import type { OperationModel, ServiceModel, Shape, StructureShape } from '../spec/model.js';
import { protocolOf } from './codec.js';

function camel(name: string): string {
  return name.length === 0 ? name : name[0].toLowerCase() + name.slice(1);
}

/** How Java's `toString()` would print a value, which is what AWS echoes. */
function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${show(x)}`).join(', ')}}`;
  }
  return String(v);
}

function sizeOf(v: unknown): number | undefined {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return undefined;
}

function regexOf(model: ServiceModel, shape: Shape): RegExp | undefined {
  const p = shape.pattern;
  if (p === undefined) return undefined;
  return model.cache.get(shape, 'pattern', () => compileModelPattern(p));
}

/** The violated constraints of one value (not counting its children). */
function violations(model: ServiceModel, shape: Shape, v: unknown): string[] {
  const out: string[] = [];
  const isNumber = shape.type === 'integer' || shape.type === 'long' || shape.type === 'float' || shape.type === 'double';
  if (isNumber && typeof v === 'number') {
    if (shape.min !== undefined && v < shape.min) out.push(`Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && v > shape.max) out.push(`Member must have value less than or equal to ${shape.max}`);
    return out;
  }
  const size = sizeOf(v);
  let lengthFailed = false;
  if (size !== undefined && !isNumber) {
    if (shape.min !== undefined && size < shape.min) {
      out.push(`Member must have length greater than or equal to ${shape.min}`);
      lengthFailed = true;
    }
    if (shape.max !== undefined && size > shape.max) {
      out.push(`Member must have length less than or equal to ${shape.max}`);
      lengthFailed = true;
    }
  }
  if (shape.type === 'string' && typeof v === 'string') {
    if (shape.enum && shape.enum.length > 0 && !shape.enum.includes(v)) {
      out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    } else if (!lengthFailed && shape.pattern !== undefined) {
      const re = regexOf(model, shape);
      if (re && !re.test(v)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
  }
  return out;
}

function prefix(shape: Shape, v: unknown, path: string): string {
  return shape.sensitive ? `Value at '${path}'` : `Value '${show(v)}' at '${path}'`;
}

function isScalar(shape: Shape): boolean {
  return shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
}

function checkValue(model: ServiceModel, shape: Shape, v: unknown, path: string, errors: string[]): void {
  for (const msg of violations(model, shape, v)) errors.push(`${prefix(shape, v, path)} failed to satisfy constraint: ${msg}`);
  switch (shape.type) {
    case 'structure':
      if (v && typeof v === 'object' && !shape.document) checkStructure(model, shape, v as Record<string, unknown>, path, errors);
      return;
    case 'list': {
      if (!Array.isArray(v)) return;
      const item = shape.member.shape;
      if (isScalar(item)) {
        const msgs = new Set<string>();
        for (const x of v) if (x !== null && x !== undefined) for (const m of violations(model, item, x)) msgs.add(m);
        if (msgs.size > 0) {
          errors.push(`${prefix(shape, v, path)} failed to satisfy constraint: Member must satisfy constraint: [${[...msgs].join(', ')}]`);
        }
        return;
      }
      v.forEach((x, i) => {
        if (x !== null && x !== undefined) checkValue(model, item, x, `${path}.${i + 1}.member`, errors);
      });
      return;
    }
    case 'map': {
      if (!v || typeof v !== 'object') return;
      const entries = Object.entries(v as Record<string, unknown>);
      const keyMsgs = new Set<string>();
      for (const [k] of entries) for (const m of violations(model, shape.key.shape, k)) keyMsgs.add(m);
      if (keyMsgs.size > 0) {
        errors.push(`${prefix(shape, v, path)} failed to satisfy constraint: Map keys must satisfy constraint: [${[...keyMsgs].join(', ')}]`);
      }
      const val = shape.value.shape;
      if (isScalar(val)) {
        const valMsgs = new Set<string>();
        for (const [, x] of entries) if (x !== null && x !== undefined) for (const m of violations(model, val, x)) valMsgs.add(m);
        if (valMsgs.size > 0) {
          errors.push(`${prefix(shape, v, path)} failed to satisfy constraint: Map value must satisfy constraint: [${[...valMsgs].join(', ')}]`);
        }
      } else {
        for (const [k, x] of entries) if (x !== null && x !== undefined) checkValue(model, val, x, `${path}.${k}.member`, errors);
      }
      return;
    }
    default:
      return;
  }
}

function checkStructure(model: ServiceModel, shape: StructureShape, obj: Readonly<Record<string, unknown>>, path: string, errors: string[]): void {
  for (const mn of shape.memberNames) {
    const v = obj[mn];
    if ((v === undefined || v === null) && !shape.requiredSet.has(mn)) continue;
    const m = shape.members[mn];
    const p = path === '' ? camel(mn) : `${path}.${camel(mn)}`;
    if (v === undefined || v === null) {
      // Streaming payloads may legitimately be empty; the SDKs fill idempotency tokens themselves.
      if (shape.requiredSet.has(mn) && !m.streaming && !m.idempotencyToken) {
        errors.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
      }
      continue;
    }
    checkValue(model, m.shape, v, p, errors);
  }
}

/** The error a service raises for invalid input: `ValidationError` (awsQuery) or `ValidationException`. */
export function validationError(model: ServiceModel, message: string): AwsError {
  const protocol = protocolOf(model);
  if (protocol === 'query') return new AwsError('ValidationError', message, { status: 400, fault: 'Sender' });
  if (protocol === 'rest-xml') return new AwsError('InvalidArgument', message, { status: 400, fault: 'Sender' });
  const shape = model.errorsByCode.get('ValidationException');
  return new AwsError('ValidationException', message, { status: shape?.error?.httpStatusCode ?? 400, fault: 'Sender' });
}

/** Checks parsed input against the operation's input shape; undefined when it is valid. */
export function validateInput(model: ServiceModel, op: OperationModel, input: Readonly<Record<string, unknown>>): AwsError | undefined {
  if (!op.input) return undefined;
  const errors: string[] = [];
  checkStructure(model, op.input, input, '', errors);
  if (errors.length === 0) return undefined;
  const n = errors.length;
  return validationError(model, `${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`);
}
