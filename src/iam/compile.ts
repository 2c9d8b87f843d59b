/**
 * Policy compilation: validate a document (validate.ts), then turn every statement into closures that the
 * authorizer calls on the hot path — action sets/regexes (case-insensitive), resource regexes (case-sensitive,
 * ARN-segment aware), principal matchers and condition tests. Nothing here runs per request except the
 * returned closures.
 */
import { compileCondition, parseOperator } from './conditions/index.js';
import type { CompiledCondition } from './conditions/index.js';
import { PolicyError } from './policy-error.js';
import { compilePrincipal } from './principal-match.js';
import type { CompiledPolicy, CompiledStatement, NormalizedContext, PolicyKind } from './types.js';
import { asList, conditionValues, validateDocument } from './validate.js';
import type { CompileOptions, RawStatement } from './validate.js';
import { parseTemplate, renderSource } from './variables.js';
import { globSource, hasWildcard, resourceRegexSource, segmentSource, splitArnPrefix } from './wildcard.js';

export { PolicyError, PolicyMessages } from './policy-error.js';
export type { CompileOptions } from './validate.js';

/** Combines anchored glob sources into one RegExp (alternation), or undefined for none. */
function unionRegex(sources: readonly string[]): RegExp | undefined {
  if (sources.length === 0) return undefined;
  return new RegExp(sources.length === 1 ? `^${sources[0]}$` : `^(?:${sources.join('|')})$`);
}

/**
 * Action/NotAction list → test on the lower-cased request action. Patterns are grouped by their literal service
 * prefix (the text before the first colon, when it has no wildcard): a glob such as `iam:get*` can only match
 * actions starting with `iam:`, so a request tries exact names (one Set) and then only its own service's globs,
 * combined into one RegExp; `svc:*` becomes a plain prefix test. Globs with a wildcard in the service part (or no
 * colon) stay in one shared RegExp tried for every action. Same matches as testing every glob in turn.
 */
function compileActions(patterns: readonly string[]): (actionLower: string) => boolean {
  const exact = new Set<string>();
  const byService = new Map<string, string[]>();
  const anyService = new Set<string>(); // services with a `svc:*` pattern
  const shared: string[] = [];
  for (const p of patterns) {
    const lower = p.toLowerCase();
    if (lower === '*') return () => true;
    if (!hasWildcard(lower)) {
      exact.add(lower);
      continue;
    }
    const colon = lower.indexOf(':');
    const service = colon > 0 ? lower.slice(0, colon) : undefined;
    if (service === undefined || hasWildcard(service)) {
      shared.push(globSource(lower));
      continue;
    }
    if (lower.length === colon + 2 && lower.endsWith('*')) {
      anyService.add(service);
      continue;
    }
    let list = byService.get(service);
    if (!list) byService.set(service, (list = []));
    list.push(globSource(lower));
  }
  const sharedRe = unionRegex(shared);
  const serviceRe = new Map<string, RegExp>();
  for (const [service, sources] of byService) if (!anyService.has(service)) serviceRe.set(service, unionRegex(sources)!);
  if (serviceRe.size === 0 && anyService.size === 0 && !sharedRe) return (a) => exact.has(a);
  return (a) => {
    if (exact.has(a)) return true;
    const colon = a.indexOf(':');
    if (colon > 0) {
      const service = a.slice(0, colon);
      if (anyService.has(service)) return true;
      const re = serviceRe.get(service);
      if (re !== undefined && re.test(a)) return true;
    }
    return sharedRe !== undefined && sharedRe.test(a);
  };
}

/** One Resource entry → true/false, or undefined when a policy variable in it cannot be resolved. */
type ResourceEntry = (resource: string, ctx: NormalizedContext) => boolean | undefined;

function compileResourceEntry(pattern: string, variables: boolean): ResourceEntry {
  if (pattern === '*') return () => true;
  const { segments, rest } = splitArnPrefix(pattern, 5);
  // Variables are substituted only in the resource part, after the fifth colon [doc].
  const template = rest !== undefined ? parseTemplate(rest, variables) : undefined;
  if (!template?.hasVariables) {
    if (!hasWildcard(pattern)) return (r) => r === pattern;
    const re = new RegExp(`^${resourceRegexSource(pattern)}$`);
    return (r) => re.test(r);
  }
  const head = segments.map((s) => segmentSource(s, true)).join(':');
  const cache = new Map<string, RegExp>();
  return (r, ctx) => {
    const tail = renderSource(template, ctx, globSource);
    if (tail === undefined) return undefined;
    let re = cache.get(tail);
    if (re === undefined) {
      if (cache.size >= 256) cache.clear();
      re = new RegExp(`^${head}:${tail}$`);
      cache.set(tail, re);
    }
    return re.test(r);
  };
}

function compileResources(s: RawStatement, variables: boolean): (resource: string, ctx: NormalizedContext) => boolean {
  const negated = 'NotResource' in s;
  if (!negated && !('Resource' in s)) return () => true;
  const entries = asList(negated ? s.NotResource : s.Resource).map((p) => compileResourceEntry(p, variables));
  if (!negated) {
    return (r, ctx) => {
      for (const e of entries) if (e(r, ctx) === true) return true;
      return false;
    };
  }
  // NotResource: the resource must match none; an unresolvable entry makes the statement not apply at all.
  return (r, ctx) => {
    for (const e of entries) {
      const m = e(r, ctx);
      if (m !== false) return false;
    }
    return true;
  };
}

function compileConditions(s: RawStatement, variables: boolean): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  const cond = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!cond) return out;
  for (const [opName, body] of Object.entries(cond)) {
    const op = parseOperator(opName);
    if (!op) continue; // unknown operator with an empty body: accepted by AWS, constrains nothing
    for (const [key, raw] of Object.entries(body)) out.push(compileCondition(op, key, conditionValues(raw), variables));
  }
  return out;
}

function compileStatement(s: RawStatement, index: number, variables: boolean, awsPrincipals: string[]): CompiledStatement {
  const actionTest = compileActions(asList(s.Action ?? s.NotAction));
  const matchAction = 'NotAction' in s ? (a: string) => !actionTest(a) : actionTest;
  const conditions = compileConditions(s, variables);
  const principal = 'Principal' in s || 'NotPrincipal' in s ? compilePrincipal(s.Principal ?? s.NotPrincipal, 'NotPrincipal' in s, awsPrincipals) : undefined;
  const effect = (s.Effect as string) === 'Deny' ? 'Deny' : 'Allow';
  const statement: CompiledStatement = {
    index,
    effect,
    matchAction,
    matchResource: compileResources(s, variables),
    matchConditions:
      conditions.length === 0
        ? () => true
        : (ctx) => {
            for (const c of conditions) if (!c.test(ctx)) return false;
            return true;
          },
    hasConditions: conditions.length > 0,
    ...(typeof s.Sid === 'string' && s.Sid !== '' ? { sid: s.Sid } : {}),
    ...(principal ? { matchPrincipal: principal } : {}),
  };
  return statement;
}

/**
 * Validates and compiles a policy document. Throws `PolicyError` with AWS's MalformedPolicyDocument text.
 * @example compilePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}', 'identity')
 */
export function compilePolicy(document: string, kind: PolicyKind, options: CompileOptions = {}): CompiledPolicy {
  const doc = validateDocument(document, kind, options);
  // Version 2008-10-17 (or none) predates policy variables: `${…}` is literal text there [doc].
  const variables = doc.version === '2012-10-17';
  const awsPrincipals: string[] = [];
  const statements = doc.statements.map((s, i) => compileStatement(s, i, variables, awsPrincipals));
  return {
    kind,
    statements,
    awsPrincipals,
    source: document,
    ...(doc.version !== undefined ? { version: doc.version } : {}),
    ...(doc.id !== undefined ? { id: doc.id } : {}),
  };
}

/**
 * Compiles a document that was already accepted when it was written (for evaluation). Skips the rules that
 * depend on the writer rather than the document — the Version requirement of managed identity policies and the
 * customer-RCP restrictions — so AWS-managed documents (RCPFullAWSAccess) and inline policies without a Version
 * compile. Everything else is checked as in `compilePolicy`.
 */
export function compileStoredPolicy(document: string, kind: PolicyKind): CompiledPolicy {
  return compilePolicy(document, kind, { allowLegacyVersion: true, awsManaged: true });
}

/** AWS's MalformedPolicyDocument message for `document`, or undefined when it is acceptable. */
export function validatePolicyDocument(document: string, kind: PolicyKind, options: CompileOptions = {}): string | undefined {
  try {
    compilePolicy(document, kind, options);
    return undefined;
  } catch (e) {
    if (e instanceof PolicyError) return e.message;
    throw e;
  }
}
