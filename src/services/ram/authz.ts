import type { AuthzFn } from '../../core/service.js';

/** RAM's actions; share-scoped ones on the share ARN, the rest on `*` as the service authorization reference lists them. */
const star = (action: string): AuthzFn => () => [{ action: `ram:${action}`, resource: '*' }];

export const ramAuthz: Record<string, AuthzFn> = {
  // The reference lists no resource type for CreateResourceShare: the share does not exist yet.
  CreateResourceShare: star('CreateResourceShare'),
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
