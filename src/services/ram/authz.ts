import type { AuthzFn } from '../../core/service.js';

/** RAM's actions; share-scoped ones on the share ARN, the rest on `*` as the service authorization reference lists them. */
const star = (action: string): AuthzFn => () => [{ action: `ram:${action}`, resource: '*' }];

export const ramAuthz: Record<string, AuthzFn> = {
  CreateResourceShare: (_input, ctx) => [
    { action: 'ram:CreateResourceShare', resource: `arn:aws:ram:${ctx.region}:${ctx.accountId}:resource-share/*` },
  ],
  GetResourceShares: star('GetResourceShares'),
  GetResourceShareAssociations: star('GetResourceShareAssociations'),
  GetResourceShareInvitations: star('GetResourceShareInvitations'),
  // The invitation's ARN carries the sender's account, but the receiver acts on its own invitation.
  AcceptResourceShareInvitation: (input: { resourceShareInvitationArn: string }, ctx) => [{ action: 'ram:AcceptResourceShareInvitation', resource: input.resourceShareInvitationArn, resourceAccount: ctx.accountId }],
  RejectResourceShareInvitation: (input: { resourceShareInvitationArn: string }, ctx) => [{ action: 'ram:RejectResourceShareInvitation', resource: input.resourceShareInvitationArn, resourceAccount: ctx.accountId }],
  ListResources: star('ListResources'),
  ListPermissions: star('ListPermissions'),
  EnableSharingWithAwsOrganization: star('EnableSharingWithAwsOrganization'),
};
