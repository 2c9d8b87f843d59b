/**
 * `CrossAccountFilterOption: CrossAccount`: "the search results will only include resources made discoverable to
 * you from other accounts" (API reference, Search; `SameAccount` or none: only the caller's own). For the model
 * registry, an owner makes a model package group discoverable by attaching a resource policy that names the
 * consumer account (Developer Guide, "Cross-account discoverability"; AWS RAM then turns the policy into a share).
 * A group's versions are discoverable with it. Feature groups, the other shareable catalog, are not kept here.
 *
 * mlzone decides discoverability from the policy's principals alone: an Allow statement whose Principal is `*`,
 * the account id, its root or any IAM/STS principal of that account. A full evaluation would run the IAM engine
 * on the policy (actions, conditions, Deny statements); discovery grants no access anyway, every later call on the
 * group or its versions is authorized by the gateway with that policy.
 */
import { parseSageMakerArn } from './arns.js';

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

function principalNamesAccount(p: unknown, accountId: string): boolean {
  if (typeof p !== 'string') return false;
  if (p === '*' || p === accountId) return true;
  return PRINCIPAL_ARN.exec(p)?.[1] === accountId;
}

/** Whether a model package group policy (JSON text) makes the group discoverable to `accountId`. */
export function policyNamesAccount(policy: string | undefined, accountId: string): boolean {
  if (policy === undefined) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  return statements.some((s: unknown) => {
    if (typeof s !== 'object' || s === null) return false;
    const st = s as { Effect?: unknown; Principal?: unknown };
    if (st.Effect !== 'Allow') return false;
    if (st.Principal === '*') return true;
    const aws = (st.Principal as { AWS?: unknown } | undefined)?.AWS;
    return (Array.isArray(aws) ? aws : [aws]).some((p) => principalNamesAccount(p, accountId));
  });
}

/** The group that holds a versioned model package (`…:model-package/<group>/<n>`); undefined for unversioned ones. */
export function groupArnOfPackage(packageArn: string): string | undefined {
  const p = parseSageMakerArn(packageArn);
  if (!p || p.kind !== 'model-package') return undefined;
  const slash = p.name.indexOf('/');
  if (slash <= 0) return undefined;
  return `arn:aws:sagemaker:${p.region}:${p.accountId}:model-package-group/${p.name.slice(0, slash).toLowerCase()}`;
}
