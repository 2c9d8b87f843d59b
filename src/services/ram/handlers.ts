import { AwsError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import { keysetPage } from '../../core/pagination.js';
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import type { RamOperations, ResourceShare, ResourceShareAssociation, ResourceShareInvitation } from './api.gen.js';
import { MANAGED_PERMISSIONS, attachedPermissions, glueResourceType, permissionArn, type ManagedPermission, type StoredInvitation, type StoredShare } from './model.js';
import type { RamOrg, ShareLogic } from './shares.js';
import type { RamStore } from './store.js';

const err = {
  unknownResource: (m: string) => new AwsError('UnknownResourceException', m),
  malformedArn: (arn: string) => new AwsError('MalformedArnException', `The ARN ${arn} is malformed.`),
  // AWS's wording for a share ARN that does not parse (seen from GetResourceShareAssociations); invitations alike.
  malformedShareArn: () => new AwsError('MalformedArnException', 'The specified resource share ARN is not valid. Verify the ARN and try again.'),
  malformedInvitationArn: () => new AwsError('MalformedArnException', 'The specified resource share invitation ARN is not valid. Verify the ARN and try again.'),
  malformedPrincipal: (p: string) => new AwsError('InvalidParameterException', `Principal ID ${p} is malformed. Verify the ID and try again.`),
  unknownShare: (arn: string) => new AwsError('UnknownResourceException', `ResourceShare ${arn} could not be found.`),
  unknownOrganization: (id: string) => new AwsError('UnknownResourceException', `Organization ${id} could not be found.`),
  // AWS's wording for an outside principal on a share that allows none, and for an organization or OU while sharing
  // with the organization is not enabled.
  onlyWithinOrganization: () =>
    new AwsError(
      'OperationNotPermittedException',
      'The resource you are attempting to share can only be shared within your AWS Organization. This error may also occur if you have not enabled sharing with your AWS organization, or that onboarding process is still in progress.',
    ),
  deleted: (arn: string) => new AwsError('InvalidStateTransitionException', `ResourceShare ${arn} is in DELETED state and cannot be modified.`),
  invalidParameter: (m: string) => new AwsError('InvalidParameterException', m),
  invitationNotFound: (arn: string) => new AwsError('ResourceShareInvitationArnNotFoundException', `ResourceShareInvitation ${arn} could not be found.`),
  alreadyAccepted: (arn: string) => new AwsError('ResourceShareInvitationAlreadyAcceptedException', `ResourceShareInvitation ${arn} has already been accepted.`),
  alreadyRejected: (arn: string) => new AwsError('ResourceShareInvitationAlreadyRejectedException', `ResourceShareInvitation ${arn} has already been rejected.`),
  notManagement: () => new AwsError('OperationNotPermittedException', 'Only the management account of an organization can enable sharing with AWS Organizations.'),
  badToken: () => new AwsError('InvalidNextTokenException', 'The specified value for NextToken is not valid.'),
};

const SHARE_ARN = /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share\/[0-9a-f-]+$/;
const INVITATION_ARN = /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share-invitation\/[0-9a-f-]+$/;
const ACCOUNT = /^\d{12}$/;
const ORG_OR_OU = /^arn:aws:organizations::\d{12}:(organization\/(o-[a-z0-9]{10,32})|ou\/(o-[a-z0-9]{10,32})\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

function permissionView(p: ManagedPermission, status: string) {
  return {
    arn: permissionArn(p.name),
    version: p.version,
    defaultVersion: true,
    name: p.name,
    resourceType: p.resourceType,
    status,
    isResourceTypeDefault: p.isResourceTypeDefault,
    permissionType: 'AWS_MANAGED' as const,
    featureSet: 'STANDARD' as const,
    creationTime: new Date(p.created),
    lastUpdatedTime: new Date(p.created),
  };
}

function shareView(s: StoredShare): ResourceShare {
  return {
    resourceShareArn: s.arn,
    name: s.name,
    owningAccountId: s.owner,
    allowExternalPrincipals: s.allowExternalPrincipals,
    status: s.status,
    creationTime: new Date(s.created),
    lastUpdatedTime: new Date(s.updated),
    featureSet: 'STANDARD',
    tags: s.tags ?? [],
  };
}

function invitationView(i: StoredInvitation): ResourceShareInvitation {
  return {
    resourceShareInvitationArn: i.arn,
    resourceShareName: i.shareName,
    resourceShareArn: i.shareArn,
    senderAccountId: i.sender,
    receiverAccountId: i.receiver,
    invitationTimestamp: new Date(i.created),
    status: i.status,
  };
}

export interface RamHandlerDeps {
  readonly store: RamStore;
  readonly logic: ShareLogic;
  readonly org: RamOrg;
  /** Whether a resource exists (Glue's catalog); without it any well-formed ARN of the caller's is accepted. */
  readonly resourceExists?: (arn: string) => Promise<boolean>;
}

export function ramHandlers(deps: RamHandlerDeps): Handlers<RamOperations> {
  const { store, logic } = deps;

  /** Shares the caller owns (SELF) or that reach the caller's account (OTHER-ACCOUNTS). */
  async function visibleShares(ctx: RequestContext, owner: string): Promise<StoredShare[]> {
    if (owner === 'SELF') return store.shares(ctx.accountId);
    const out: StoredShare[] = [];
    for (const s of await store.shares()) {
      if (s.owner === ctx.accountId) continue;
      // A share reaches another account once its association is ASSOCIATED (an invitation accepted, or the organization).
      for (const p of s.principals) if (p.status === 'ASSOCIATED' && (await logic.reaches(p.id, ctx.accountId))) { out.push(s); break; }
    }
    return out;
  }

  async function acceptOrReject(ctx: RequestContext, arn: string, accept: boolean) {
    if (!INVITATION_ARN.test(arn)) throw err.malformedInvitationArn();
    const inv = (await store.invitations(ctx.accountId)).find((i) => i.arn === arn);
    if (!inv) throw err.invitationNotFound(arn);
    if (inv.status === 'ACCEPTED') throw err.alreadyAccepted(arn);
    if (inv.status === 'REJECTED') throw err.alreadyRejected(arn);
    inv.status = accept ? 'ACCEPTED' : 'REJECTED';
    const share = await store.share(inv.sender, inv.shareArn);
    if (share) {
      for (const p of share.principals) if (p.id === ctx.accountId) { p.status = accept ? 'ASSOCIATED' : 'DISASSOCIATED'; p.updated = ctx.now; }
      share.updated = ctx.now;
      await store.putShare(share);
    }
    await store.putInvitation(inv);
    return { resourceShareInvitation: invitationView(inv) };
  }

  /** A share the caller owns, for changes: unknown (or another account's) and deleted shares are refused. */
  async function ownedShare(ctx: RequestContext, arn: string): Promise<StoredShare> {
    if (!SHARE_ARN.test(arn)) throw err.malformedShareArn();
    const share = await store.share(ctx.accountId, arn);
    if (!share) throw err.unknownShare(arn);
    if (share.status === 'DELETED') throw err.deleted(arn);
    return share;
  }

  async function addResources(ctx: RequestContext, share: StoredShare, arns: readonly string[]): Promise<void> {
    for (const arn of arns) {
      const type = glueResourceType(arn);
      if (!type) throw err.malformedArn(arn);
      // Another account's resource is, to the caller, one that does not exist.
      if (!arn.includes(`:${ctx.accountId}:`) || (deps.resourceExists && !(await deps.resourceExists(arn)))) throw err.unknownResource(`Resource ${arn} could not be found.`);
    }
    for (const arn of arns) if (!share.resources.some((r) => r.arn === arn)) share.resources.push({ arn, type: glueResourceType(arn)!, created: ctx.now });
  }

  async function addPrincipals(ctx: RequestContext, share: StoredShare, principals: readonly string[]): Promise<void> {
    for (const p of principals) {
      const org = ORG_OR_OU.exec(p);
      if (!ACCOUNT.test(p) && !org) throw err.malformedPrincipal(p);
      if (org) {
        const mine = await deps.org.organization();
        const id = org[2] ?? org[3]!;
        if (!mine || mine.id !== id || (await deps.org.orgPath(ctx.accountId)) === undefined) throw err.unknownOrganization(id);
        if (!(await logic.sharingEnabled())) throw err.onlyWithinOrganization();
      } else if (!share.allowExternalPrincipals && (await deps.org.orgPath(p)) === undefined) {
        throw err.onlyWithinOrganization();
      }
    }
    for (const p of principals) await logic.addPrincipal(share, p, ctx.now);
  }

  const association = (s: StoredShare, entity: string, type: 'PRINCIPAL' | 'RESOURCE', status: string, created: number, updated: number, external: boolean): ResourceShareAssociation => ({
    resourceShareArn: s.arn,
    resourceShareName: s.name,
    associatedEntity: entity,
    associationType: type,
    status,
    creationTime: new Date(created),
    lastUpdatedTime: new Date(updated),
    external,
  });

  const page = <T>(items: T[], key: (t: T) => string, scope: string, input: { maxResults?: number; nextToken?: string }) =>
    keysetPage(items, key, scope, input.maxResults ?? 500, input.nextToken, err.badToken);

  return {
    CreateResourceShare: async (input, ctx) => {
      const share: StoredShare = {
        arn: `arn:aws:ram:${ctx.region}:${ctx.accountId}:resource-share/${ids.uuid()}`,
        name: input.name,
        owner: ctx.accountId,
        region: ctx.region,
        allowExternalPrincipals: input.allowExternalPrincipals ?? true,
        status: 'ACTIVE',
        createdBy: 'ram',
        principals: [],
        resources: [],
        created: ctx.now,
        updated: ctx.now,
      };
      if (input.tags?.length) share.tags = input.tags;
      await addResources(ctx, share, input.resourceArns ?? []);
      await addPrincipals(ctx, share, input.principals ?? []);
      await store.putShare(share);
      return { resourceShare: shareView(share) };
    },
    AssociateResourceShare: async (input, ctx) => {
      const share = await ownedShare(ctx, input.resourceShareArn);
      await addResources(ctx, share, input.resourceArns ?? []);
      await addPrincipals(ctx, share, input.principals ?? []);
      share.updated = ctx.now;
      await store.putShare(share);
      // As AWS answers: the new associations, still ASSOCIATING.
      const out = [
        ...(input.resourceArns ?? []).map((a) => association(share, a, 'RESOURCE', 'ASSOCIATING', ctx.now, ctx.now, false)),
        ...(input.principals ?? []).map((p) => association(share, p, 'PRINCIPAL', 'ASSOCIATING', ctx.now, ctx.now, share.principals.find((x) => x.id === p)?.external ?? false)),
      ];
      return { resourceShareAssociations: out, ...(input.clientToken ? { clientToken: input.clientToken } : {}) };
    },
    DisassociateResourceShare: async (input, ctx) => {
      const share = await ownedShare(ctx, input.resourceShareArn);
      for (const arn of input.resourceArns ?? []) {
        if (!glueResourceType(arn)) throw err.malformedArn(arn);
        if (!share.resources.some((r) => r.arn === arn)) throw err.unknownResource(`Resource ${arn} is not associated with ${share.arn}.`);
      }
      for (const p of input.principals ?? []) {
        if (!ACCOUNT.test(p) && !ORG_OR_OU.test(p)) throw err.malformedPrincipal(p);
        if (!share.principals.some((x) => x.id === p && x.status !== 'DISASSOCIATED')) throw err.unknownResource(`Principal ${p} is not associated with ${share.arn}.`);
      }
      share.resources = share.resources.filter((r) => !(input.resourceArns ?? []).includes(r.arn));
      for (const p of share.principals) if ((input.principals ?? []).includes(p.id)) { p.status = 'DISASSOCIATED'; p.updated = ctx.now; }
      share.updated = ctx.now;
      await store.putShare(share);
      const out = [
        ...(input.resourceArns ?? []).map((a) => association(share, a, 'RESOURCE', 'DISASSOCIATING', ctx.now, ctx.now, false)),
        ...(input.principals ?? []).map((p) => association(share, p, 'PRINCIPAL', 'DISASSOCIATING', ctx.now, ctx.now, share.principals.find((x) => x.id === p)?.external ?? false)),
      ];
      return { resourceShareAssociations: out, ...(input.clientToken ? { clientToken: input.clientToken } : {}) };
    },
    DeleteResourceShare: async (input, ctx) => {
      const share = await ownedShare(ctx, input.resourceShareArn);
      share.status = 'DELETED';
      for (const p of share.principals) if (p.status !== 'DISASSOCIATED') { p.status = 'DISASSOCIATED'; p.updated = ctx.now; }
      share.updated = ctx.now;
      await store.putShare(share);
      return { returnValue: true, ...(input.clientToken ? { clientToken: input.clientToken } : {}) };
    },
    ListResourceSharePermissions: async (input, ctx) => {
      if (!SHARE_ARN.test(input.resourceShareArn)) throw err.malformedShareArn();
      const share = (await store.share(ctx.accountId, input.resourceShareArn)) ?? (await visibleShares(ctx, 'OTHER-ACCOUNTS')).find((s) => s.arn === input.resourceShareArn);
      if (!share) throw err.unknownShare(input.resourceShareArn);
      const types = [...new Set(share.resources.map((r) => r.type))].sort();
      const all = types.flatMap((t) => attachedPermissions(t, share.createdBy)).map((p) => permissionView(p, 'ASSOCIATED'));
      const p = page(all, (x) => x.arn, `ListResourceSharePermissions:${share.arn}`, input);
      return { permissions: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    GetResourceShares: async (input, ctx) => {
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw err.malformedShareArn();
      let shares = await visibleShares(ctx, input.resourceOwner);
      if (input.resourceShareArns) shares = shares.filter((s) => input.resourceShareArns!.includes(s.arn));
      if (input.name) shares = shares.filter((s) => s.name === input.name);
      if (input.resourceShareStatus) shares = shares.filter((s) => s.status === input.resourceShareStatus);
      const p = page(shares, (s) => s.arn, `GetResourceShares:${input.resourceOwner}`, input);
      return { resourceShares: p.items.map(shareView), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    GetResourceShareAssociations: async (input, ctx) => {
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw err.malformedShareArn();
      const out: ResourceShareAssociation[] = [];
      for (const s of await store.shares(ctx.accountId)) {
        if (input.resourceShareArns && !input.resourceShareArns.includes(s.arn)) continue;
        if (input.associationType === 'PRINCIPAL') {
          for (const p of s.principals) {
            if (input.principal && input.principal !== p.id) continue;
            out.push({ resourceShareArn: s.arn, resourceShareName: s.name, associatedEntity: p.id, associationType: 'PRINCIPAL', status: p.status, creationTime: new Date(p.created), lastUpdatedTime: new Date(p.updated), external: p.external });
          }
        } else {
          for (const r of s.resources) {
            if (input.resourceArn && input.resourceArn !== r.arn) continue;
            out.push({ resourceShareArn: s.arn, resourceShareName: s.name, associatedEntity: r.arn, associationType: 'RESOURCE', status: 'ASSOCIATED', creationTime: new Date(r.created), lastUpdatedTime: new Date(r.created), external: false });
          }
        }
      }
      const filtered = input.associationStatus ? out.filter((a) => a.status === input.associationStatus) : out;
      const p = page(filtered, (a) => `${a.resourceShareArn} ${a.associatedEntity}`, `GetResourceShareAssociations:${input.associationType}`, input);
      return { resourceShareAssociations: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    GetResourceShareInvitations: async (input, ctx) => {
      let list = await store.invitations(ctx.accountId);
      if (input.resourceShareInvitationArns) list = list.filter((i) => input.resourceShareInvitationArns!.includes(i.arn));
      if (input.resourceShareArns) list = list.filter((i) => input.resourceShareArns!.includes(i.shareArn));
      const p = page(list, (i) => i.arn, 'GetResourceShareInvitations', input);
      return { resourceShareInvitations: p.items.map(invitationView), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    AcceptResourceShareInvitation: (input, ctx) => acceptOrReject(ctx, input.resourceShareInvitationArn, true),
    RejectResourceShareInvitation: (input, ctx) => acceptOrReject(ctx, input.resourceShareInvitationArn, false),
    ListResources: async (input, ctx) => {
      const out: { arn: string; type: string; resourceShareArn: string; status: 'AVAILABLE'; creationTime: Date; lastUpdatedTime: Date }[] = [];
      for (const s of await visibleShares(ctx, input.resourceOwner)) {
        if (s.status !== 'ACTIVE') continue;
        if (input.resourceShareArns && !input.resourceShareArns.includes(s.arn)) continue;
        // A consumer sees the resources only once its association is accepted.
        if (input.resourceOwner === 'OTHER-ACCOUNTS') {
          let accepted = false;
          for (const p of s.principals) if (p.status === 'ASSOCIATED' && (await logic.reaches(p.id, ctx.accountId))) accepted = true;
          if (!accepted) continue;
        }
        if (input.principal && !s.principals.some((p) => p.id === input.principal)) continue;
        for (const r of s.resources) {
          if (input.resourceType && input.resourceType.toLowerCase() !== r.type.toLowerCase()) continue;
          if (input.resourceArns && !input.resourceArns.includes(r.arn)) continue;
          out.push({ arn: r.arn, type: r.type, resourceShareArn: s.arn, status: 'AVAILABLE', creationTime: new Date(r.created), lastUpdatedTime: new Date(r.created) });
        }
      }
      const p = page(out, (r) => `${r.resourceShareArn} ${r.arn}`, `ListResources:${input.resourceOwner}`, input);
      return { resources: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    ListPermissions: async (input) => {
      const all = MANAGED_PERMISSIONS.filter((x) => !input.resourceType || input.resourceType.toLowerCase() === x.resourceType.toLowerCase())
        .filter(() => input.permissionType !== 'CUSTOMER_MANAGED')
        .map((x) => permissionView(x, 'ATTACHABLE'))
        .sort((a, b) => (a.arn < b.arn ? -1 : 1));
      const p = page(all, (x) => x.arn, `ListPermissions:${input.resourceType ?? ''}:${input.permissionType ?? ''}`, input);
      return { permissions: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    EnableSharingWithAwsOrganization: async (_input, ctx) => {
      const o = await deps.org.organization();
      if (!o || o.managementAccountId !== ctx.accountId) throw err.notManagement();
      await store.enableOrgSharing(ctx.accountId);
      return { returnValue: true };
    },
  };
}
