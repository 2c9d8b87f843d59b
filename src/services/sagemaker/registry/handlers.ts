/**
 * The model registry: model package groups (with their resource policy, which the IAM enforcement reads through
 * `index.ts policies.resourcePolicy`) and model packages, versioned inside a group or unversioned.
 *
 * - A name means the caller's account and the request's region; an ARN may name another account's group or package
 *   (a cross-account call, which IAM allowed only because the group's policy grants it). A version registered
 *   cross-account belongs to the group owner: its ARN is in the owner's account and it lists with the group.
 * - Versions are numbered 1, 2, 3 … per group in the transaction that inserts them; deleted numbers are not reused
 *   (a group deleted and created again starts a new count: `refs.ts versionCounterKey`).
 * - ListModelPackageGroups with `CrossAccount` shows the other accounts' groups whose policy names the caller's account.
 * - `ClientToken` makes CreateModelPackage idempotent: the same token with the same input answers the package it
 *   created; with another input it is refused.
 * - Documents are the Describe answers (`registry/domain/documents.ts`); listings order and page with
 *   `registry/domain/listing.ts`.
 */
import { modelPackageStateEvent } from '../domain/state-events.js';
import type { Kysely } from 'kysely';
import { keysetPage } from '../../../core/pagination.js';
import type { RequestContext } from '../../../core/context.js';
import type { BatchDescribeModelPackageError, CreateModelPackageInput, Tag } from '../api.gen.js';
import type { AreaContext, SageMakerHandlers } from '../context.js';
import { modelPackageVersionArn, sagemakerArn } from '../domain/arns.js';
import { errors } from '../domain/errors.js';
import type { ResourceRecord } from '../store.js';
import { store } from '../store.js';
import { policyNamesAccount } from '../domain/sharing.js';
import { checkTagKeys } from '../tags/handlers.js';
import type { GroupDocument, PackageDocument } from './domain/documents.js';
import { batchSummary, describedPackage, groupDocument, groupSummary, inputDigest, packageDocument, packageSummary, updatedPackage } from './domain/documents.js';
import type { Listed, SortBy, SortOrder } from './domain/listing.js';
import { matchesApproval, matchesCommon, matchesType, ordered } from './domain/listing.js';
import { registryErrors } from './domain/messages.js';
import type { Caller, GroupRef, PackageRef } from './domain/refs.js';
import { groupRef, packageRef, versionCounterKey } from './domain/refs.js';

type Ex = Kysely<any>;
type GroupRecord = ResourceRecord<GroupDocument>;
type PackageRecord = ResourceRecord<PackageDocument>;

/** AWS documents no default page size for these listings; 10 is SageMaker's usual one (best guess). */
const DEFAULT_PAGE = 10;
const MAX_TAGS = 50;

const callerOf = (rc: RequestContext): Caller => ({ accountId: rc.accountId, region: rc.region });
const time = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

/** A package as listings see it: a version by its group's name (and its number), an unversioned package by its name. */
const listed = (r: PackageRecord): Listed => ({ arn: r.arn, name: r.doc.ModelPackageGroupName ?? r.name, createdAt: r.createdAt, ...(r.version !== undefined ? { version: r.version } : {}) });

async function findGroup(ex: Ex, ref: GroupRef): Promise<GroupRecord | undefined> {
  const r = await store.get<GroupDocument>(ex, ref.arn);
  return r?.kind === 'model-package-group' ? r : undefined;
}

async function findPackage(ex: Ex, ref: PackageRef): Promise<PackageRecord | undefined> {
  const r = await store.get<PackageDocument>(ex, ref.arn);
  return r?.kind === 'model-package' ? r : undefined;
}

function checkedTags(tags: readonly Tag[] | undefined): Tag[] {
  const out = (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  checkTagKeys(out.map((t) => t.Key));
  if (new Set(out.map((t) => t.Key)).size > MAX_TAGS) throw errors.limitExceeded(`You can't add more than ${MAX_TAGS} tags to a resource.`);
  return out;
}

/**
 * The package an earlier CreateModelPackage with this token created among `candidates`: its ARN when the input is the
 * same, a refusal when the token was used for another input, undefined when the token is new.
 */
function replayed(candidates: readonly PackageRecord[], input: CreateModelPackageInput): string | undefined {
  if (input.ClientToken === undefined) return undefined;
  const earlier = candidates.find((r) => r.doc._idempotency?.token === input.ClientToken);
  if (!earlier) return undefined;
  if (earlier.doc._idempotency!.digest !== inputDigest(input)) throw registryErrors.tokenReused(input.ClientToken);
  return earlier.arn;
}

export function registryHandlers(ctx: AreaContext): SageMakerHandlers {
  const { db } = ctx;
  /** On the group owner's bus, whoever made the change (a cross-account approver included). */
  const packageChanged = (arn: string, before: PackageDocument | undefined, after: PackageDocument) => {
    const event = ctx.events && modelPackageStateEvent(arn, before, describedPackage(after), ctx.clock.now());
    if (event) ctx.events!.publish(event);
  };

  /** The group a policy operation names (a name only: the caller's own group). */
  async function policyGroup(ex: Ex, name: string, rc: RequestContext): Promise<GroupRecord> {
    const ref = groupRef(name, callerOf(rc));
    const g = await findGroup(ex, ref);
    if (!g) throw registryErrors.policyGroupNotFound(ref.arn);
    return g;
  }

  async function createVersion(input: CreateModelPackageInput, group: string, rc: RequestContext): Promise<string> {
    const ref = groupRef(group, callerOf(rc));
    const tags = checkedTags(input.Tags);
    return db.transaction(async (trx) => {
      const g = await findGroup(trx, ref);
      if (!g) throw registryErrors.createInMissingGroup();
      const again = replayed(await store.list<PackageDocument>(trx, { kind: 'model-package', accountId: g.accountId, region: g.region, parent: g.arn }), input);
      if (again) return again;
      const version = await store.next(trx, versionCounterKey(g.arn, g.createdAt));
      const arn = modelPackageVersionArn(g.region, g.accountId, g.name, version);
      const doc = packageDocument(input, { kind: 'versioned', arn, groupName: g.name, version }, rc.now, rc.principal);
      // The record's name is the ARN's `<group>/<n>` as the user wrote the group (unique, like every record name).
      await store.insert(trx, { arn, kind: 'model-package', accountId: g.accountId, region: g.region, name: `${g.name}/${version}`, parent: g.arn, version, status: 'Completed', createdAt: rc.now, modifiedAt: rc.now, doc });
      await store.putTags(trx, arn, tags);
      return { arn, doc };
    }).then((created) => {
      if (typeof created === 'string') return created;
      packageChanged(created.arn, undefined, created.doc);
      return created.arn;
    });
  }

  async function createUnversioned(input: CreateModelPackageInput, name: string, rc: RequestContext): Promise<string> {
    const arn = sagemakerArn(rc.region, rc.accountId, 'model-package', name);
    const tags = checkedTags(input.Tags);
    return db.transaction(async (trx) => {
      const unversioned = (await store.list<PackageDocument>(trx, { kind: 'model-package', accountId: rc.accountId, region: rc.region })).filter((r) => r.parent === undefined);
      const again = replayed(unversioned, input);
      if (again) return again;
      if (await store.get(trx, arn)) throw registryErrors.packageExists(arn);
      const doc = packageDocument(input, { kind: 'unversioned', arn, name }, rc.now, rc.principal);
      await store.insert(trx, { arn, kind: 'model-package', accountId: rc.accountId, region: rc.region, name, status: 'Completed', createdAt: rc.now, modifiedAt: rc.now, doc });
      await store.putTags(trx, arn, tags);
      return { arn, doc };
    }).then((created) => {
      if (typeof created === 'string') return created;
      packageChanged(created.arn, undefined, created.doc);
      return created.arn;
    });
  }

  return {
    CreateModelPackageGroup: async (i, rc) => {
      const arn = sagemakerArn(rc.region, rc.accountId, 'model-package-group', i.ModelPackageGroupName);
      const tags = checkedTags(i.Tags);
      const doc = groupDocument(i, arn, rc.now, rc.principal);
      await db.transaction(async (trx) => {
        if (await store.get(trx, arn)) throw registryErrors.groupExists(arn);
        await store.insert(trx, { arn, kind: 'model-package-group', accountId: rc.accountId, region: rc.region, name: i.ModelPackageGroupName, status: 'Completed', createdAt: rc.now, modifiedAt: rc.now, doc });
        await store.putTags(trx, arn, tags);
      });
      return { ModelPackageGroupArn: arn };
    },

    DescribeModelPackageGroup: async (i, rc) => {
      const ref = groupRef(i.ModelPackageGroupName, callerOf(rc));
      const g = await findGroup(db.kysely, ref);
      if (!g) throw registryErrors.groupNotFound(ref.arn);
      return g.doc as never;
    },

    ListModelPackageGroups: async (i, rc) => {
      // CrossAccount lists the groups other accounts made discoverable to the caller's account — by a group policy
      // that names it (Developer Guide, "Cross-account discoverability"); the same rule as Search's (`search/domain/sharing.ts`).
      const all =
        i.CrossAccountFilterOption === 'CrossAccount'
          ? (await store.allOf<GroupDocument>(db.kysely, 'model-package-group')).filter((g) => g.region === rc.region && g.accountId !== rc.accountId && policyNamesAccount(g.policy, rc.accountId))
          : await store.list<GroupDocument>(db.kysely, { kind: 'model-package-group', accountId: rc.accountId, region: rc.region });
      const filter = { nameContains: i.NameContains, creationTimeAfter: time(i.CreationTimeAfter), creationTimeBefore: time(i.CreationTimeBefore) };
      const by: SortBy = i.SortBy === 'Name' ? 'Name' : 'CreationTime';
      const order: SortOrder = i.SortOrder === 'Descending' ? 'Descending' : 'Ascending';
      const rows = ordered(all, (r) => r, (r) => matchesCommon(r, filter), by, order);
      const scope = `ListModelPackageGroups/${rc.accountId}/${rc.region}/${JSON.stringify([i.CrossAccountFilterOption ?? 'SameAccount', filter, by, order])}`;
      const page = keysetPage(rows, (x) => x.key, scope, i.MaxResults ?? DEFAULT_PAGE, i.NextToken, errors.invalidToken);
      return { ModelPackageGroupSummaryList: page.items.map((x) => groupSummary(x.item.doc)) as never, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    DeleteModelPackageGroup: async (i, rc) => {
      const ref = groupRef(i.ModelPackageGroupName, callerOf(rc));
      await db.transaction(async (trx) => {
        const g = await findGroup(trx, ref);
        if (!g) throw registryErrors.groupNotFound(ref.arn);
        if ((await store.countChildren(trx, g.arn, 'model-package')) > 0) throw registryErrors.groupNotEmpty(g.arn);
        await store.delete(trx, g.arn);
      });
      return {};
    },

    PutModelPackageGroupPolicy: async (i, rc) => {
      return db.transaction(async (trx) => {
        const g = await policyGroup(trx, i.ModelPackageGroupName, rc);
        const why = ctx.validatePolicy(i.ResourcePolicy);
        if (why !== undefined) throw registryErrors.invalidPolicy(why);
        await store.update(trx, g.arn, { policy: i.ResourcePolicy, modifiedAt: rc.now });
        return { ModelPackageGroupArn: g.arn };
      });
    },

    GetModelPackageGroupPolicy: async (i, rc) => {
      const g = await policyGroup(db.kysely, i.ModelPackageGroupName, rc);
      if (g.policy === undefined) throw registryErrors.policyNotFound(g.arn);
      return { ResourcePolicy: g.policy };
    },

    DeleteModelPackageGroupPolicy: async (i, rc) => {
      await db.transaction(async (trx) => {
        const g = await policyGroup(trx, i.ModelPackageGroupName, rc);
        if (g.policy === undefined) throw registryErrors.policyNotFound(g.arn);
        await store.update(trx, g.arn, { policy: null, modifiedAt: rc.now });
      });
      return {};
    },

    CreateModelPackage: async (i, rc) => {
      if (i.ModelPackageName !== undefined && i.ModelPackageGroupName !== undefined) throw registryErrors.bothNames();
      if (i.ModelPackageGroupName !== undefined) return { ModelPackageArn: await createVersion(i, i.ModelPackageGroupName, rc) };
      if (i.ModelPackageName !== undefined) return { ModelPackageArn: await createUnversioned(i, i.ModelPackageName, rc) };
      throw registryErrors.noName();
    },

    DescribeModelPackage: async (i, rc) => {
      const ref = packageRef(i.ModelPackageName, callerOf(rc));
      const p = await findPackage(db.kysely, ref);
      if (!p) throw registryErrors.packageNotFound(ref.arn);
      return describedPackage(p.doc) as never;
    },

    ListModelPackages: async (i, rc) => {
      const group = i.ModelPackageGroupName !== undefined ? groupRef(i.ModelPackageGroupName, callerOf(rc)) : undefined;
      const all = group
        ? await store.list<PackageDocument>(db.kysely, { kind: 'model-package', accountId: group.accountId, region: group.region, parent: group.arn })
        : await store.list<PackageDocument>(db.kysely, { kind: 'model-package', accountId: rc.accountId, region: rc.region });
      const filter = { nameContains: i.NameContains, creationTimeAfter: time(i.CreationTimeAfter), creationTimeBefore: time(i.CreationTimeBefore) };
      const by: SortBy = i.SortBy === 'Name' ? 'Name' : 'CreationTime';
      const order: SortOrder = i.SortOrder === 'Descending' ? 'Descending' : 'Ascending';
      const keep = (r: PackageRecord) => matchesType(r, i.ModelPackageType, group !== undefined) && matchesApproval(r.doc.ModelApprovalStatus, i.ModelApprovalStatus) && matchesCommon(listed(r), filter);
      const rows = ordered(all, listed, keep, by, order);
      const scope = `ListModelPackages/${rc.accountId}/${rc.region}/${JSON.stringify([group?.arn ?? null, i.ModelPackageType ?? null, i.ModelApprovalStatus ?? null, filter, by, order])}`;
      const page = keysetPage(rows, (x) => x.key, scope, i.MaxResults ?? DEFAULT_PAGE, i.NextToken, errors.invalidToken);
      return { ModelPackageSummaryList: page.items.map((x) => packageSummary(x.item.doc)) as never, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    UpdateModelPackage: async (i, rc) => {
      const ref = packageRef(i.ModelPackageArn, callerOf(rc));
      return db.transaction(async (trx) => {
        const p = await findPackage(trx, ref);
        if (!p) throw registryErrors.packageNotFound(ref.arn);
        const doc = updatedPackage(p.doc, i, rc.now, rc.principal);
        await store.update(trx, p.arn, { doc, modifiedAt: rc.now });
        return { before: p.doc, doc, arn: p.arn };
      }).then((u) => {
        packageChanged(u.arn, u.before, u.doc);
        return { ModelPackageArn: u.arn };
      });
    },

    DeleteModelPackage: async (i, rc) => {
      const ref = packageRef(i.ModelPackageName, callerOf(rc));
      await db.transaction(async (trx) => {
        const p = await findPackage(trx, ref);
        if (!p) throw registryErrors.packageNotFound(ref.arn);
        await store.delete(trx, p.arn);
      });
      return {};
    },

    BatchDescribeModelPackage: async (i, rc) => {
      const summaries: Record<string, unknown> = {};
      const failures: Record<string, BatchDescribeModelPackageError> = {};
      for (const arn of i.ModelPackageArnList) {
        const ref = packageRef(arn, callerOf(rc));
        const p = await findPackage(db.kysely, ref);
        // Best guess: AWS's per-ARN error code and wording are not documented; the Describe refusal is reused.
        if (p) summaries[arn] = batchSummary(p.doc);
        else failures[arn] = { ErrorCode: 'ValidationException', ErrorResponse: registryErrors.packageNotFound(ref.arn).message };
      }
      return {
        ...(Object.keys(summaries).length > 0 ? { ModelPackageSummaries: summaries as never } : {}),
        ...(Object.keys(failures).length > 0 ? { BatchDescribeModelPackageErrorMap: failures } : {}),
      };
    },
  };
}
