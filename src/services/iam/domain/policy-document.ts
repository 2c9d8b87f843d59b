/**
 * Grammar checks of a policy document when it is written, delegated to the IAM engine
 * (`iam/compile.ts`), which answers with AWS's MalformedPolicyDocument wording.
 */
import { validatePolicyDocument } from '../../../iam/compile.js';
import { IamError } from '../errors.js';

/**
 * `managed`: CreatePolicy/CreatePolicyVersion (Version 2012-10-17 required); `inline`: Put*Policy (a missing
 * or 2008-10-17 Version is accepted, as AWS does for inline policies); `trust`: a role's trust policy.
 */
export type DocumentKind = 'managed' | 'inline' | 'trust';

/** Throws MalformedPolicyDocument when `document` is not a valid policy of that kind. */
export function checkPolicyDocument(document: string, kind: DocumentKind): void {
  const message =
    kind === 'trust'
      ? validatePolicyDocument(document, 'trust')
      : validatePolicyDocument(document, 'identity', { allowLegacyVersion: kind === 'inline' });
  if (message !== undefined) throw IamError.malformedPolicy(message);
}
