/**
 * Pure pieces of the IAM policy simulator (SimulatePrincipalPolicy / SimulateCustomPolicy): where each
 * statement sits in a policy's text, which context keys a policy reads, and the validation of the inputs
 * that are not policies (ContextEntries, ActionNames, ResourceArns, PolicySourceArn, CallerArn,
 * ResourceOwner, ResourceHandlingOption).
 *
 * Positions follow what AWS prints (aws-cli's simulate-custom-policy example: a one-line policy whose
 * Statement object opens at offset 36 and closes at offset 165 is reported as Column 38 and Column 167):
 * `Line` is 1-based and `Column` is the 1-based column of the brace plus one.
 */
import { isIP } from 'node:net';
import type { AwsError } from '../../../core/errors.js';
import type { ContextEntry } from '../api.gen.js';
import { IamError } from '../errors.js';

export interface TextPosition {
  readonly Line: number;
  readonly Column: number;
}

export interface StatementSpan {
  readonly start: TextPosition;
  readonly end: TextPosition;
}

// ---- statement positions ------------------------------------------------------------------------------

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s[i]!)) i++;
  return i;
}

/** `s[i]` is `"`; returns the offset just past the closing quote. */
function endOfString(s: string, i: number): number {
  i++;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new Error('unterminated string');
}

/** Offset just past the JSON value starting at (or after whitespace from) `i`. */
function endOfValue(s: string, i: number): number {
  i = skipWs(s, i);
  const first = s[i];
  if (first === '"') return endOfString(s, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === '"') {
        i = endOfString(s, i);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error('unterminated value');
  }
  while (i < s.length && !WS.has(s[i]!) && s[i] !== ',' && s[i] !== '}' && s[i] !== ']') i++;
  return i;
}

function positionOf(lineStarts: readonly number[], offset: number): TextPosition {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { Line: lo + 1, Column: offset - lineStarts[lo]! + 2 };
}

/**
 * Start and end of every statement object of `source`, in statement order (a single `Statement` object
 * counts as statement 0). Undefined when the text cannot be scanned (the caller falls back to line 1).
 */
export function statementSpans(source: string): StatementSpan[] | undefined {
  try {
    const lineStarts = [0];
    for (let k = 0; k < source.length; k++) if (source[k] === '\n') lineStarts.push(k + 1);
    const span = (open: number, close: number): StatementSpan => ({ start: positionOf(lineStarts, open), end: positionOf(lineStarts, close) });

    let i = skipWs(source, source.charCodeAt(0) === 0xfeff ? 1 : 0);
    if (source[i] !== '{') return undefined;
    i++;
    let spans: StatementSpan[] | undefined;
    for (;;) {
      i = skipWs(source, i);
      if (source[i] === '}') break;
      if (source[i] !== '"') return undefined;
      const keyEnd = endOfString(source, i);
      const key = JSON.parse(source.slice(i, keyEnd)) as string;
      i = skipWs(source, keyEnd);
      if (source[i] !== ':') return undefined;
      const valueStart = skipWs(source, i + 1);
      const valueEnd = endOfValue(source, valueStart);
      if (key === 'Statement') {
        // A repeated key: JSON.parse (and so the engine) keeps the last one.
        spans = [];
        if (source[valueStart] === '{') spans.push(span(valueStart, valueEnd - 1));
        else if (source[valueStart] === '[') {
          let j = valueStart + 1;
          for (;;) {
            j = skipWs(source, j);
            if (source[j] === ']' || j >= valueEnd) break;
            const elementEnd = endOfValue(source, j);
            if (source[j] === '{') spans.push(span(j, elementEnd - 1));
            j = skipWs(source, elementEnd);
            if (source[j] === ',') j++;
          }
        }
      }
      i = skipWs(source, valueEnd);
      if (source[i] === ',') i++;
      else if (source[i] !== '}') return undefined;
    }
    return spans;
  } catch {
    return undefined;
  }
}

// ---- context keys a policy reads ----------------------------------------------------------------------

const VARIABLE = /\$\{([^}]*)\}/g;

function variablesIn(text: string, into: string[]): void {
  for (const m of text.matchAll(VARIABLE)) {
    const body = m[1]!.trim();
    if (body === '*' || body === '?' || body === '$') continue;
    const name = body.split(',')[0]!.trim();
    if (name !== '') into.push(name);
  }
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Condition keys (and, in `2012-10-17` documents, policy variables of Resource/NotResource and condition
 * values) that `source` reads, as written, in document order. AWS's simulator reports them for the whole
 * policy, whichever statement the simulated action hits (boto/boto3#3111).
 */
export function policyContextKeys(source: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch {
    return [];
  }
  if (!isObject(doc)) return [];
  const variables = doc.Version === '2012-10-17';
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const out: string[] = [];
  for (const st of statements) {
    if (!isObject(st)) continue;
    if (isObject(st.Condition)) {
      for (const body of Object.values(st.Condition)) {
        if (!isObject(body)) continue;
        for (const [key, values] of Object.entries(body)) {
          out.push(key);
          if (variables) for (const v of strings(values)) variablesIn(v, out);
        }
      }
    }
    if (variables) for (const r of [...strings(st.Resource), ...strings(st.NotResource)]) variablesIn(r, out);
  }
  return out;
}

// ---- ContextEntries -------------------------------------------------------------------------------------

const SCALAR_TYPES = new Set(['string', 'numeric', 'boolean', 'ip', 'binary', 'date']);

function validValue(type: string, value: string): boolean {
  switch (type) {
    case 'numeric':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value.trim());
    case 'boolean':
      return /^(true|false)$/i.test(value);
    case 'ip': {
      const [addr, bits, ...rest] = value.split('/');
      if (rest.length > 0 || isIP(addr ?? '') === 0) return false;
      return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr!) === 4 ? 32 : 128));
    }
    case 'date':
      return /^\d+$/.test(value) || !Number.isNaN(Date.parse(value));
    case 'binary':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
    default:
      return true;
  }
}

export interface SimulationContext {
  /** Condition keys as the engine reads them: list types and several values as arrays. */
  readonly values: Record<string, string | string[]>;
  /** Lower-cased names of the keys supplied. */
  readonly supplied: ReadonlySet<string>;
}

/** ContextEntries → the request context of every simulated call; InvalidInput for a malformed entry. */
export function parseContextEntries(entries: readonly ContextEntry[] | undefined): SimulationContext {
  const values: Record<string, string | string[]> = {};
  const supplied = new Set<string>();
  for (const e of entries ?? []) {
    const name = e.ContextKeyName;
    if (name === undefined || name === '') throw IamError.invalidInput('ContextKeyName is required for each entry of ContextEntries.');
    const type = e.ContextKeyType ?? 'string';
    const scalar = type.endsWith('List') ? type.slice(0, -'List'.length) : type;
    if (!SCALAR_TYPES.has(scalar)) throw IamError.invalidInput(`Invalid ContextKeyType ${type} for context key ${name}.`);
    const list = e.ContextKeyValues ?? [];
    for (const v of list) {
      if (!validValue(scalar, v)) throw IamError.invalidInput(`Invalid value ${v} for context key ${name} of type ${type}.`);
    }
    values[name] = type.endsWith('List') || list.length !== 1 ? [...list] : list[0]!;
    supplied.add(name.toLowerCase());
  }
  return { values, supplied };
}

/** Keys of `keys` not supplied (case-insensitive), first spelling kept, no duplicates. */
export function missingContextValues(keys: readonly string[], supplied: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keys) {
    const lower = k.toLowerCase();
    if (supplied.has(lower) || seen.has(lower)) continue;
    seen.add(lower);
    out.push(k);
  }
  return out;
}

// ---- other inputs ---------------------------------------------------------------------------------------

/** Each action needs a service prefix; the simulator takes no wildcards in action names. */
export function checkActionNames(actions: readonly string[]): void {
  for (const a of actions) {
    if (!/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(a)) {
      throw IamError.invalidInput(`Invalid action name ${a}: an action is <service>:<operation>, without wildcards.`);
    }
  }
}

/** AWS's wording (seen on SimulatePrincipalPolicy): `ResourceNames are not in a valid ARN format: <name>.` */
export function checkResourceArns(resources: readonly string[]): void {
  const bad = resources.filter((r) => r !== '*' && !/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/.test(r));
  if (bad.length > 0) throw IamError.invalidInput(`ResourceNames are not in a valid ARN format: ${bad.join(', ')}.`);
}

export interface EntityArnParts {
  readonly accountId: string;
  readonly kind: 'user' | 'group' | 'role';
  readonly path: string;
  readonly name: string;
}

const ENTITY = /^arn:aws:iam::(\d{12}):(user|group|role)((?:\/[^/]+)*\/)([\w+=,.@-]+)$/;

/** AWS's wording for a PolicySourceArn (or CallerArn) that is no user/group/role ARN, e.g. a session ARN. */
export function invalidEntityArn(arn: string): AwsError {
  return IamError.invalidInput(`Invalid Entity Arn: ${arn} does not clearly define entity type and name.`);
}

export function parseSimulationEntityArn(arn: string): EntityArnParts | undefined {
  const m = ENTITY.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1]!, kind: m[2] as EntityArnParts['kind'], path: m[3]!, name: m[4]! };
}

/** CallerArn must name an IAM user (not a role, session, federated user or service). */
export function parseCallerArn(arn: string): EntityArnParts {
  const parts = parseSimulationEntityArn(arn);
  if (!parts || parts.kind !== 'user') throw invalidEntityArn(arn);
  return parts;
}

/** `arn:aws:iam::<account>:root` → the account. AWS refuses a bare account id with this very text. */
export function parseResourceOwner(owner: string): string {
  const m = /^arn:aws:iam::(\d{12}):root$/.exec(owner);
  if (!m) throw IamError.invalidInput(`'${owner}' is not a valid as a Resource Owner.`);
  return m[1]!;
}

/** The EC2 scenarios AWS documents for ResourceHandlingOption. */
export const RESOURCE_HANDLING_OPTIONS: readonly string[] = [
  'EC2-VPC-InstanceStore',
  'EC2-VPC-InstanceStore-Subnet',
  'EC2-VPC-EBS',
  'EC2-VPC-EBS-Subnet',
  'EC2-Classic-InstanceStore',
  'EC2-Classic-EBS',
];

export function checkResourceHandlingOption(option: string | undefined): void {
  if (option === undefined || RESOURCE_HANDLING_OPTIONS.includes(option)) return;
  throw IamError.invalidInput(`Invalid ResourceHandlingOption ${option}: must be one of ${RESOURCE_HANDLING_OPTIONS.join(', ')}.`);
}

/** The account field of an ARN when it is a 12-digit account. */
export function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
