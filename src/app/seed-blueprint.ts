/**
 * Applies a blueprint to a fresh database in one transaction: the organization (root, OUs, accounts,
 * SCPs/RCPs), then every account's IAM users, access keys, roles and policies, buckets and repositories, and the
 * CloudWatch cross-account observability sinks and the links to them.
 * Either all of it is there afterwards or none of it.
 *
 * Each service takes the blueprint as a batch: it reads what the new entities could collide with once,
 * validates every entity as its API would (in blueprint order, so the first problem is the one reported)
 * and writes them with a few multi-row inserts. One entity at a time, a start spent ~80 ms here on
 * hundreds of small statements and reloads.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../persistence/db.js';
import type { Blueprint, BlueprintOu } from '../org/blueprint-types.js';
import type { OrgSeeder } from '../services/organizations/index.js';
import type { IamSeeder } from '../services/iam/index.js';

/** What the S3 service offers the loader (structural, so this file needs no S3 import). */
export interface BucketSeeder {
  begin(trx: Kysely<any>): {
    createBucket(input: { accountId: string; region: string; bucket: string; policy?: string; tags: Readonly<Record<string, string>> }): void;
    save(): Promise<void>;
  };
  invalidate?(): void;
}

/** What the ECR service offers the loader. */
export interface RepositorySeeder {
  begin(
    trx: Kysely<any>,
    accountIds: readonly string[],
  ): Promise<{
    createRepository(input: {
      accountId: string;
      region: string;
      repositoryName: string;
      policy?: string;
      imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
      tags: Readonly<Record<string, string>>;
    }): void;
    save(): Promise<void>;
  }>;
  invalidate?(): void;
}

/** What the OAM service offers the loader: sinks first, then links to them, written at once in `trx`. */
export interface ObservabilitySeeder {
  begin(trx: Kysely<any>): {
    createSink(input: { accountId: string; region: string; name: string; policy?: string; tags: Readonly<Record<string, string>> }): Promise<string>;
    createLink(input: {
      accountId: string;
      region: string;
      sinkArn: string;
      resourceTypes: readonly string[];
      labelTemplate: string;
      account: { name: string; email: string };
      tags: Readonly<Record<string, string>>;
    }): Promise<string>;
  };
}

export interface Seeders {
  readonly iam: IamSeeder;
  readonly org: OrgSeeder;
  readonly s3?: BucketSeeder;
  readonly ecr?: RepositorySeeder;
  readonly oam?: ObservabilitySeeder;
}

export async function seedBlueprint(db: Database, bp: Blueprint, seeders: Seeders): Promise<void> {
  const { iam, org, s3, ecr, oam } = seeders;
  const region = bp.organization.region;
  const byName = new Map(bp.accounts.map((a) => [a.name, a]));
  const management = byName.get(bp.organization.managementAccount)!;
  await db.transaction(async (trx) => {
    const orgs = await org.begin(trx);
    const { rootId } = orgs.createOrganization({
      id: bp.organization.id,
      rootId: bp.organization.rootId,
      managementAccount: { id: management.id, name: management.name, email: management.email },
    });
    for (const type of bp.organization.policyTypes) orgs.enablePolicyType(type);
    const targets = new Map<string, string>([['Root', rootId], ...bp.accounts.map((a) => [a.name, a.id] as [string, string])]);
    const placed = new Set<string>([management.name]);
    const addOus = (ous: readonly BlueprintOu[], parentId: string): void => {
      for (const ou of ous) {
        const ouId = orgs.createOu({ name: ou.name, parentId });
        targets.set(ou.name, ouId);
        for (const name of ou.accounts) {
          const a = byName.get(name)!;
          orgs.createAccount({ id: a.id, name: a.name, email: a.email, parentOuId: ouId, tags: a.tags });
          placed.add(name);
        }
        addOus(ou.ous, ouId);
      }
    };
    addOus(bp.ous, rootId);
    for (const a of bp.accounts) {
      if (!placed.has(a.name) && !a.outsideOrganization) orgs.createAccount({ id: a.id, name: a.name, email: a.email, tags: a.tags });
    }
    for (const [type, list] of [
      ['SERVICE_CONTROL_POLICY', bp.serviceControlPolicies],
      ['RESOURCE_CONTROL_POLICY', bp.resourceControlPolicies],
    ] as const) {
      for (const p of list) {
        const policyId = orgs.createPolicy({ name: p.name, description: p.description, type, document: p.document });
        for (const t of p.targets) orgs.attachPolicy(policyId, targets.get(t)!);
      }
    }
    await orgs.save();

    const accountIds = bp.accounts.map((a) => a.id);
    const people = await iam.begin(trx, { accountIds, accessKeyIds: bp.accounts.flatMap((a) => a.users.flatMap((u) => u.accessKeys.map((k) => k.id))) });
    const buckets = s3?.begin(trx);
    const repositories = await ecr?.begin(trx, accountIds);
    for (const a of bp.accounts) {
      for (const u of a.users) {
        people.createUser({
          accountId: a.id,
          userName: u.name,
          accessKeys: u.accessKeys.map((k) => ({ accessKeyId: k.id, secretAccessKey: k.secret })),
          managedPolicies: u.managedPolicies,
          inlinePolicies: u.inlinePolicies,
        });
      }
      for (const r of a.roles) {
        people.createRole({
          accountId: a.id,
          roleName: r.name,
          assumeRolePolicyDocument: r.trustPolicy,
          description: r.description,
          maxSessionDuration: r.maxSessionDuration,
          permissionsBoundaryArn: r.permissionsBoundary,
          managedPolicies: r.managedPolicies,
          inlinePolicies: r.inlinePolicies,
        });
      }
      for (const b of a.buckets) buckets?.createBucket({ accountId: a.id, region, bucket: b.name, policy: b.policy, tags: b.tags });
      for (const r of a.repositories) {
        repositories?.createRepository({ accountId: a.id, region, repositoryName: r.name, policy: r.policy, imageTagMutability: r.imageTagMutability, tags: r.tags });
      }
    }
    await people.save();
    await buckets?.save();
    await repositories?.save();

    const observability = oam?.begin(trx);
    if (observability) {
      const sinks = new Map<string, string>();
      for (const a of bp.accounts) {
        if (a.sink) sinks.set(a.name, await observability.createSink({ accountId: a.id, region, name: a.sink.name, policy: a.sink.policy, tags: a.sink.tags }));
      }
      for (const a of bp.accounts) {
        for (const l of a.links) {
          // The loader checked that the monitoring account has a sink.
          const sinkArn = sinks.get(l.monitoringAccount)!;
          await observability.createLink({ accountId: a.id, region, sinkArn, resourceTypes: l.resourceTypes, labelTemplate: l.labelTemplate, account: { name: a.name, email: a.email }, tags: l.tags });
        }
      }
    }
  });
  s3?.invalidate?.();
  ecr?.invalidate?.();
  org.invalidate();
  iam.invalidateCache();
}
