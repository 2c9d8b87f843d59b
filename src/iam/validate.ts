/**
 * Write-time validation of a policy document, in the order AWS reports problems (reference/iam.md §6; texts
 * recorded by moto against IAM):
 *
 *   1. JSON / grammar ("Syntax errors in policy.")  — Principal in a principal-less kind is reported here
 *   2. Version (identity and boundary policies need 2012-10-17)
 *   3. "legacy parsing": Effect case, Date values, obviously broken ARNs
 *   4. duplicate Sid
 *   5. actions present
 *   6. the specific Resource format error (the last one met, as AWS reports it)
 *   7. action vendor prefixes
 *   8. resources present (or prohibited in trust policies), principal present
 *   9. kind-specific rules (customer RCPs)
 *
 * Returns the parsed statements so `compile.ts` does not parse twice.
 */
import { parseOperator } from './conditions/index.js';
import { parseDate } from './conditions/date.js';
import { PolicyError, PolicyMessages } from './policy-error.js';
import { isWildcardPrincipal } from './principal-match.js';
import { failsLegacyParsing, resourceFormatError } from './resource-format.js';
import type { PolicyKind } from './types.js';

export interface CompileOptions {
  /**
   * Accept a missing Version or `2008-10-17` for identity and boundary policies. AWS refuses both for managed
   * policies; whether inline policies are refused too is unverified (reference/iam.md §6 [?]).
   */
  readonly allowLegacyVersion?: boolean;
  /** AWS-managed documents (RCPFullAWSAccess) skip the customer-RCP restrictions. */
  readonly awsManaged?: boolean;
}

export type RawStatement = Record<string, unknown>;

export interface ParsedDocument {
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly RawStatement[];
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const NO_PRINCIPAL_KINDS = new Set<PolicyKind>(['identity', 'boundary', 'session', 'scp']);
const PRINCIPAL_KINDS = new Set<PolicyKind>(['resource', 'trust', 'rcp']);
const RESOURCE_REQUIRED_KINDS = new Set<PolicyKind>(['identity', 'boundary', 'session', 'scp', 'rcp']);
const VENDOR = /^[a-zA-Z0-9.-]+$/;

function syntax(): never {
  throw new PolicyError(PolicyMessages.syntax);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringOrStringList(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

function isConditionScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Condition values as strings; JSON booleans and numbers are accepted and stringified. */
export function conditionValues(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

export function asList(v: unknown): string[] {
  return typeof v === 'string' ? [v] : (v as string[]);
}

function checkStatementSyntax(s: unknown, kind: PolicyKind): RawStatement {
  if (!isObject(s)) syntax();
  if (NO_PRINCIPAL_KINDS.has(kind) && ('Principal' in s || 'NotPrincipal' in s)) {
    throw new PolicyError(PolicyMessages.noPrincipalAllowed);
  }
  for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) syntax();
  if ('Action' in s && 'NotAction' in s) syntax();
  if ('Resource' in s && 'NotResource' in s) syntax();
  if ('Principal' in s && 'NotPrincipal' in s) syntax();
  const effect = s.Effect;
  if (typeof effect !== 'string' || (effect.toLowerCase() !== 'allow' && effect.toLowerCase() !== 'deny')) syntax();
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (key in s && !isStringOrStringList(s[key])) syntax();
  }
  if ('Sid' in s && typeof s.Sid !== 'string') syntax();
  if ('Condition' in s) {
    const cond = s.Condition;
    if (!isObject(cond)) syntax();
    for (const [op, body] of Object.entries(cond)) {
      if (!isObject(body)) syntax();
      for (const value of Object.values(body)) {
        if (!(isConditionScalar(value) || (Array.isArray(value) && value.every(isConditionScalar)))) syntax();
      }
      // An unknown operator is tolerated only with an empty body (AWS accepts `{"x": {}}`).
      if (parseOperator(op) === undefined && Object.keys(body).length > 0) syntax();
    }
  }
  return s;
}

function parseSyntax(document: string, kind: PolicyKind): ParsedDocument {
  let json: unknown;
  try {
    json = JSON.parse(document);
  } catch {
    throw new PolicyError(kind === 'trust' ? PolicyMessages.invalidJsonTrust : PolicyMessages.syntax);
  }
  if (!isObject(json)) syntax();
  for (const key of Object.keys(json)) if (!TOP_LEVEL.has(key)) syntax();
  const version = json.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) syntax();
  if (json.Id !== undefined && typeof json.Id !== 'string') syntax();
  const raw = json.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : syntax();
  if (list.length === 0) syntax();
  const statements = list.map((s) => checkStatementSyntax(s, kind));
  return { version: version as string | undefined, id: json.Id as string | undefined, statements };
}

function hasLegacyFailure(statements: readonly RawStatement[]): { legacy: boolean; resourceError?: string } {
  for (const s of statements) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return { legacy: true };
    if (isObject(s.Condition)) {
      for (const [op, body] of Object.entries(s.Condition)) {
        const parsed = parseOperator(op);
        if (!parsed || !parsed.base.startsWith('Date')) continue;
        for (const value of Object.values(body as Record<string, unknown>)) {
          for (const v of conditionValues(value)) if (parseDate(v) === undefined) return { legacy: true };
        }
      }
    }
  }
  // AWS keeps the last specific resource error it meets and skips the legacy check of a statement once one is
  // recorded (observable in the recorded texts: the reported partition error is the lexically smaller ARN).
  let resourceError: string | undefined;
  for (const key of ['Resource', 'NotResource']) {
    for (const s of statements) {
      if (!(key in s)) continue;
      const resources = asList(s[key]);
      const ordered = typeof s[key] === 'string' ? resources : [...resources].sort().reverse();
      for (const r of ordered) {
        const err = resourceFormatError(r);
        if (err !== undefined) resourceError = err;
      }
      if (resourceError === undefined && resources.some(failsLegacyParsing)) return { legacy: true };
    }
  }
  return { legacy: false, resourceError };
}

function nonEmpty(s: RawStatement, key: string): boolean {
  const v = s[key];
  return v !== undefined && (typeof v === 'string' || (v as unknown[]).length > 0);
}

function checkActionPrefix(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1) throw new PolicyError(PolicyMessages.vendorMissing);
  if (parts.length > 2) throw new PolicyError(PolicyMessages.oneColon);
  if (!VENDOR.test(parts[0]!)) throw new PolicyError(PolicyMessages.vendorInvalid(parts[0]!));
}

/** Throws `PolicyError` for a document AWS would refuse; returns the parsed document otherwise. */
export function validateDocument(document: string, kind: PolicyKind, options: CompileOptions = {}): ParsedDocument {
  const doc = parseSyntax(document, kind);
  const needsModernVersion = kind === 'rcp' || ((kind === 'identity' || kind === 'boundary') && !options.allowLegacyVersion);
  if (needsModernVersion && doc.version !== '2012-10-17') throw new PolicyError(PolicyMessages.version);

  const { legacy, resourceError } = hasLegacyFailure(doc.statements);
  if (legacy) throw new PolicyError(PolicyMessages.legacy);

  const sids = new Set<string>();
  for (const s of doc.statements) {
    const sid = s.Sid as string | undefined;
    if (!sid) continue;
    if (sids.has(sid)) throw new PolicyError(PolicyMessages.duplicateSid);
    sids.add(sid);
  }

  for (const s of doc.statements) {
    if (!nonEmpty(s, 'Action') && !nonEmpty(s, 'NotAction')) throw new PolicyError(PolicyMessages.noActions);
  }
  // Observed order: a specific Resource format error, then action vendor errors, then missing resources.
  if (resourceError !== undefined) throw new PolicyError(resourceError);
  for (const key of ['Action', 'NotAction']) {
    for (const s of doc.statements) if (key in s) for (const a of asList(s[key])) checkActionPrefix(a);
  }
  for (const s of doc.statements) {
    const hasResource = 'Resource' in s || 'NotResource' in s;
    if (kind === 'trust' && hasResource) throw new PolicyError(PolicyMessages.prohibitedResource);
    if (RESOURCE_REQUIRED_KINDS.has(kind) && !nonEmpty(s, 'Resource') && !nonEmpty(s, 'NotResource')) {
      throw new PolicyError(PolicyMessages.noResources);
    }
    if (PRINCIPAL_KINDS.has(kind) && !('Principal' in s) && !('NotPrincipal' in s)) {
      throw new PolicyError(PolicyMessages.missingPrincipal);
    }
  }

  if (kind === 'rcp' && !options.awsManaged) {
    // Customer-written RCPs are deny-only perimeters (Organizations "RCP syntax"); texts are ours [?].
    for (const s of doc.statements) {
      if (s.Effect !== 'Deny') throw new PolicyError(PolicyMessages.rcpEffect);
      if ('NotPrincipal' in s) throw new PolicyError(PolicyMessages.rcpNotAllowed('NotPrincipal'));
      if ('NotAction' in s) throw new PolicyError(PolicyMessages.rcpNotAllowed('NotAction'));
      if (!isWildcardPrincipal(s.Principal)) throw new PolicyError(PolicyMessages.rcpPrincipal);
      if (asList(s.Action).includes('*')) throw new PolicyError(PolicyMessages.rcpBareStar);
    }
  }
  return doc;
}
