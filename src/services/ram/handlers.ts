import { AwsError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import { keysetPage } from '../../core/pagination.js';
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import type { RamOperations, ResourceShare, ResourceShareAssociation, ResourceShareInvitation } from './api.gen.js';
import { MANAGED_PERMISSIONS, glueResourceType, type StoredInvitation, type StoredShare } from './model.js';
import type { RamOrg, ShareLogic } from './shares.js';
import type { RamStore } from './store.js';

const err = {
  unknownResource: (m: string) => new AwsError('UnknownResourceException', m),
  malformedArn: (arn: string) => new AwsError('MalformedArnException', `The ARN ${arn} is malformed.`),
  invalidParameter: (m: string) => new AwsError('InvalidParameterException', m),
  invitationNotFound: (arn: string) => new AwsError('ResourceShareInvitationArnNotFoundException', `ResourceShareInvitation ${arn} could not be found.`),
  alreadyAccepted: (arn: string) => new AwsError('ResourceShareInvitationAlreadyAcceptedException', `ResourceShareInvitation ${arn} has already been accepted.`),
  alreadyRejected: (arn: string) => new AwsError('ResourceShareInvitationAlreadyRejectedException', `ResourceShareInvitation ${arn} has already been rejected.`),
  notManagement: () => new AwsError('OperationNotPermittedException', 'Only the management account of an organization can enable sharing with AWS Organizations.'),
  badToken: () => new AwsError('InvalidNextTokenException', 'The specified value for NextToken is not valid.'),
};

const permissionArn = (type: string) => `arn:aws:ram::aws:permission/${MANAGED_PERMISSIONS[type]}`;

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
    tags: [],
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

export function ramHandlers(deps: { store: RamStore; logic: ShareLogic; org: RamOrg }): Handlers<RamOperations> {
  const { store, logic } = deps;

  /** Shares the caller owns (SELF) or that reach the caller's account (OTHER-ACCOUNTS). */
  async function visibleShares(ctx: RequestContext, owner: string): Promise<StoredShare[]> {
    if (owner === 'SELF') return store.shares(ctx.accountId);
    const out: StoredShare[] = [];
    for (const s of await store.shares()) {
      if (s.owner === ctx.accountId) continue;
      for (const p of s.principals) if (p.status !== 'DISASSOCIATED' && (await logic.reaches(p.id, ctx.accountId))) { out.push(s); break; }
    }
    return out;
  }

  async function acceptOrReject(ctx: RequestContext, arn: string, accept: boolean) {
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
      for (const arn of input.resourceArns ?? []) {
        const type = glueResourceType(arn);
        if (!type) throw err.malformedArn(arn);
        if (!arn.includes(`:${ctx.accountId}:`)) throw err.unknownResource(`Resource ${arn} is not owned by ${ctx.accountId}.`);
        share.resources.push({ arn, type, created: ctx.now });
      }
      for (const p of input.principals ?? []) {
        if (!/^\d{12}$/.test(p) && !/^arn:aws:organizations::/.test(p)) throw err.malformedArn(p);
        if (/^\d{12}$/.test(p) && !share.allowExternalPrincipals && (await deps.org.orgPath(p)) === undefined) throw err.invalidParameter(`Principal ${p} is not in your organization.`);
        await logic.addPrincipal(share, p, ctx.now);
      }
      await store.putShare(share);
      return { resourceShare: shareView(share) };
    },
    GetResourceShares: async (input, ctx) => {
      let shares = await visibleShares(ctx, input.resourceOwner);
      if (input.resourceShareArns) shares = shares.filter((s) => input.resourceShareArns!.includes(s.arn));
      if (input.name) shares = shares.filter((s) => s.name === input.name);
      if (input.resourceShareStatus) shares = shares.filter((s) => s.status === input.resourceShareStatus);
      const p = page(shares, (s) => s.arn, `GetResourceShares:${input.resourceOwner}`, input);
      return { resourceShares: p.items.map(shareView), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    GetResourceShareAssociations: async (input, ctx) => {
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
      const all = Object.entries(MANAGED_PERMISSIONS)
        .filter(([type]) => !input.resourceType || input.resourceType.toLowerCase() === type.toLowerCase())
        .filter(() => input.permissionType !== 'CUSTOMER_MANAGED')
        .map(([type, name]) => ({ arn: permissionArn(type), version: '1', defaultVersion: true, name, resourceType: type, status: 'ATTACHABLE', isResourceTypeDefault: true, permissionType: 'AWS_MANAGED' as const, featureSet: 'STANDARD' as const, creationTime: new Date(0), lastUpdatedTime: new Date(0) }));
      const p = page(all, (x) => x.arn, 'ListPermissions', input);
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
