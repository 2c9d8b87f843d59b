/**
 * Checks a policy document before CreatePolicy/UpdatePolicy store it: the size quota first
 * (ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED), then the grammar
 * (MalformedPolicyDocumentException with the IAM validator's text). SCPs and RCPs get the IAM grammar of
 * their kind (customer RCPs: Deny only, `Principal: "*"`, …); other policy types, which mlzone stores
 * without giving them meaning, only need to be JSON objects.
 */
import { validatePolicyDocument } from '../../../iam/compile.js';
import { errors } from './errors.js';
import type { PolicyType } from './model.js';
import { RCP, SCP } from './model.js';
import { maxPolicyContent } from './rules.js';

export function checkPolicyContent(type: PolicyType, content: string): void {
  if (content.length > maxPolicyContent(type)) throw errors.constraint('POLICY_CONTENT_LIMIT_EXCEEDED');
  if (type === SCP || type === RCP) {
    const problem = validatePolicyDocument(content, type === SCP ? 'scp' : 'rcp');
    if (problem !== undefined) throw errors.malformedPolicy(problem);
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw errors.malformedPolicy();
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw errors.malformedPolicy();
}
