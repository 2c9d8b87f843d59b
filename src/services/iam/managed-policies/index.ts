/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`): readable from every account (GetPolicy,
 * GetPolicyVersion, ListPolicies with Scope=AWS|All) and attachable, never writable.
 *
 * `aws-managed-policies.json` holds the default version of each policy as AWS returns it from
 * GetPolicy/ListPolicies (PolicyId, Path, dates, DefaultVersionId) and GetPolicyVersion (Document):
 * metadata and versions from the public MAMIP snapshot of 2026-03-07 (versions dated up to 2026-02-12);
 * documents in AWS's own key order from the public `camp` snapshot where it has the same version
 * (content checked equal), otherwise with statement keys put back in AWS's usual order (Sid, Effect,
 * Principal, Action, Resource, Condition); descriptions from the AWS Managed Policy reference. Only the
 * default version of each policy is kept.
 */
import data from './aws-managed-policies.json' with { type: 'json' };

export interface AwsManagedPolicy {
  readonly policyName: string;
  readonly policyId: string;
  readonly arn: string;
  readonly path: string;
  readonly defaultVersionId: string;
  readonly description: string;
  /** Epoch ms. */
  readonly createDate: number;
  readonly updateDate: number;
  /** The default version's document, formatted as AWS returns it (4-space indentation). */
  readonly document: string;
}

interface RawPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Description: string;
  CreateDate: string;
  UpdateDate: string;
  Document: unknown;
}

const list: readonly AwsManagedPolicy[] = (data as RawPolicy[]).map((p) =>
  Object.freeze({
    policyName: p.PolicyName,
    policyId: p.PolicyId,
    arn: p.Arn,
    path: p.Path,
    defaultVersionId: p.DefaultVersionId,
    description: p.Description,
    createDate: Date.parse(p.CreateDate),
    updateDate: Date.parse(p.UpdateDate),
    document: JSON.stringify(p.Document, null, 4),
  }),
);

const byArn: ReadonlyMap<string, AwsManagedPolicy> = new Map(list.map((p) => [p.arn, p]));

/** Every AWS managed policy mlzone knows, in no particular order. Immutable, shared by all services. */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return list;
}

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return byArn.get(arn);
}
