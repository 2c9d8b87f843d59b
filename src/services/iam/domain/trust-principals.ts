/**
 * The `Principal.AWS` entries of a role trust policy. IAM resolves user and role ARNs when the policy is
 * saved and rejects ones that do not exist with MalformedPolicyDocument `Invalid principal in policy`.
 */
import { IamError } from '../errors.js';
import { parseEntityArn } from './arns.js';

/** Every `AWS` principal string named in a Principal or NotPrincipal element. */
export function awsPrincipals(document: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return [];
  }
  const out: string[] = [];
  const stmts = (parsed as { Statement?: unknown }).Statement;
  for (const s of Array.isArray(stmts) ? stmts : [stmts]) {
    if (typeof s !== 'object' || s === null) continue;
    for (const el of ['Principal', 'NotPrincipal']) {
      const p = (s as Record<string, unknown>)[el];
      if (typeof p !== 'object' || p === null) continue;
      const aws = (p as Record<string, unknown>)['AWS'];
      for (const v of Array.isArray(aws) ? aws : aws === undefined ? [] : [aws]) if (typeof v === 'string') out.push(v);
    }
  }
  return out;
}

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws:iam::\d{12}:root$/;
const STS = /^arn:aws:sts::\d{12}:(assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/;

export type PrincipalRef =
  | { readonly kind: 'fixed' }
  | { readonly kind: 'entity'; readonly accountId: string; readonly entity: 'user' | 'role'; readonly path: string; readonly name: string }
  | { readonly kind: 'invalid' };

/** Classifies one `AWS` principal value. Entity references still need an existence check. */
export function classifyPrincipal(value: string): PrincipalRef {
  if (value === '*' || ACCOUNT.test(value) || ROOT.test(value) || STS.test(value)) return { kind: 'fixed' };
  const e = parseEntityArn(value);
  if (e) return { kind: 'entity', accountId: e.accountId, entity: e.kind, path: e.path, name: e.name };
  return { kind: 'invalid' };
}

export function invalidPrincipal(value: string): Error {
  return IamError.malformedPolicy(`Invalid principal in policy: "AWS":"${value}"`);
}
