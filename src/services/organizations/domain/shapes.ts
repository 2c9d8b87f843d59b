/** Domain records → the API's output shapes, with AWS member names. */
import type {
  Account,
  Child,
  Organization,
  OrganizationalUnit,
  Parent,
  Policy,
  PolicySummary,
  PolicyTargetSummary,
  PolicyTypeSummary,
  Root,
  Tag as ApiTag,
} from '../api.gen.js';
import { accountArn, awsManagedPolicyArn, organizationArn, ouArn, policyArn, rootArn } from './arns.js';
import type { AccountRecord, OrgState, OuRecord, PolicyRecord, RootRecord, Tag } from './model.js';
import { accountPathOf, ouPathOf } from './model.js';

/** The snapshot of an organization that exists. */
export type LiveOrg = OrgState & { readonly org: NonNullable<OrgState['org']>; readonly root: NonNullable<OrgState['root']> };

export function policyArnOf(s: LiveOrg, p: PolicyRecord): string {
  return p.awsManaged ? awsManagedPolicyArn(p.type, p.id) : policyArn(s.org.managementAccountId, s.org.id, p.type, p.id);
}

/** The ARN of a root, OU or account of this organization, from its id. */
export function targetArnOf(s: LiveOrg, id: string): string {
  const m = s.org.managementAccountId;
  if (s.root.id === id) return rootArn(m, s.org.id, id);
  if (s.ous.has(id)) return ouArn(m, s.org.id, id);
  return accountArn(m, s.org.id, id);
}

export function enabledTypesShape(s: LiveOrg): PolicyTypeSummary[] {
  return [...s.enabledTypes].sort().map((Type) => ({ Type: Type as PolicyTypeSummary['Type'], Status: 'ENABLED' }));
}

export function organizationShape(s: LiveOrg): Organization {
  const mgmt = s.accounts.get(s.org.managementAccountId);
  return {
    Id: s.org.id,
    Arn: organizationArn(s.org.managementAccountId, s.org.id),
    FeatureSet: s.org.featureSet,
    MasterAccountArn: accountArn(s.org.managementAccountId, s.org.id, s.org.managementAccountId),
    MasterAccountId: s.org.managementAccountId,
    MasterAccountEmail: mgmt?.email,
    AvailablePolicyTypes: enabledTypesShape(s),
  };
}

export function rootShape(s: LiveOrg, r: RootRecord): Root {
  return { Id: r.id, Arn: rootArn(s.org.managementAccountId, s.org.id, r.id), Name: r.name, PolicyTypes: enabledTypesShape(s) };
}

export function accountShape(s: LiveOrg, a: AccountRecord): Account {
  return {
    Id: a.id,
    Arn: accountArn(s.org.managementAccountId, s.org.id, a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    Paths: [accountPathOf(s, a.id)],
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

export function ouShape(s: LiveOrg, ou: OuRecord): OrganizationalUnit {
  return { Id: ou.id, Arn: ouArn(s.org.managementAccountId, s.org.id, ou.id), Name: ou.name, Path: ouPathOf(s, ou.id) };
}

export function policySummaryShape(s: LiveOrg, p: PolicyRecord): PolicySummary {
  return {
    Id: p.id,
    Arn: policyArnOf(s, p),
    Name: p.name,
    Description: p.description,
    Type: p.type as PolicySummary['Type'],
    AwsManaged: p.awsManaged,
  };
}

export function policyShape(s: LiveOrg, p: PolicyRecord): Policy {
  return { PolicySummary: policySummaryShape(s, p), Content: p.content };
}

export function targetSummaryShape(s: LiveOrg, id: string): PolicyTargetSummary {
  const arn = targetArnOf(s, id);
  if (s.root.id === id) return { TargetId: id, Arn: arn, Name: s.root.name, Type: 'ROOT' };
  const ou = s.ous.get(id);
  if (ou) return { TargetId: id, Arn: arn, Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
  return { TargetId: id, Arn: arn, Name: s.accounts.get(id)?.name, Type: 'ACCOUNT' };
}

export function childShape(s: OrgState, id: string): Child {
  return { Id: id, Type: s.ous.has(id) ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT' };
}

export function parentShape(s: OrgState, id: string): Parent {
  return { Id: id, Type: s.ous.has(id) ? 'ORGANIZATIONAL_UNIT' : 'ROOT' };
}

export function tagsShape(tags: readonly Tag[]): ApiTag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}
