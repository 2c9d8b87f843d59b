/**
 * Repository policies. ECR takes a resource-based policy whose statements apply to the repository they are
 * set on, so a statement may not name `Resource`/`NotResource` (observed: ECR refuses such a policy with
 * "Invalid repository policy provided"). The rest of the grammar is IAM's resource-policy grammar, checked
 * by the validator the service is given. Every refusal carries ECR's one text, not IAM's detailed ones.
 */
import { errors } from './errors.js';

function statementsOf(doc: unknown): unknown[] | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const s = (doc as { Statement?: unknown }).Statement;
  if (s === undefined) return undefined;
  return Array.isArray(s) ? s : [s];
}

/**
 * Throws InvalidParameterException unless `text` is an acceptable repository policy. `validate` returns
 * IAM's refusal text for a resource policy, or undefined.
 */
export function checkRepositoryPolicy(text: string, validate: (document: string) => string | undefined): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw errors.invalidPolicy();
  }
  const statements = statementsOf(doc);
  if (!statements) throw errors.invalidPolicy();
  for (const s of statements) {
    if (typeof s === 'object' && s !== null && ('Resource' in s || 'NotResource' in s)) throw errors.invalidPolicy();
  }
  if (validate(text) !== undefined) throw errors.invalidPolicy();
}

/** The IAM user and role ARNs a policy names as `AWS` principals (account ids, `*` and other forms left out). */
export function principalEntityArns(text: string): string[] {
  const out = new Set<string>();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  for (const s of statementsOf(doc) ?? []) {
    if (typeof s !== 'object' || s === null) continue;
    for (const key of ['Principal', 'NotPrincipal']) {
      const p = (s as Record<string, unknown>)[key];
      if (typeof p !== 'object' || p === null) continue;
      const aws = (p as Record<string, unknown>).AWS;
      for (const a of Array.isArray(aws) ? aws : [aws]) {
        if (typeof a === 'string' && /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\//.test(a)) out.add(a);
      }
    }
  }
  return [...out];
}
