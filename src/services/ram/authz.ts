import type { AuthzFn } from '../../core/service.js';

/** RAM's actions; share-scoped ones on the share ARN, the rest on `*` as the service authorization reference lists them. */
const star = (action: string): AuthzFn => () => [{ action: `ram:${action}`, resource: '*' }];
const onShare = (action: string): AuthzFn => (input: { resourceShareArn: string }) => [{ action: `ram:${action}`, resource: input.resourceShareArn }];

/** `aws:RequestTag/*` and `aws:TagKeys` for a share created with tags. */
function tagContext(tags: { key?: string; value?: string }[] | undefined): Record<string, string | string[]> | undefined {
  if (!tags?.length) return undefined;
  return { 'aws:TagKeys': tags.map((t) => t.key ?? ''), ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.key ?? ''}`, t.value ?? ''])) };
}

export const ramAuthz: Record<string, AuthzFn> = {
  // The reference lists no resource type for CreateResourceShare: the share does not exist yet.
  CreateResourceShare: (input: { tags?: { key?: string; value?: string }[] }) => {
    const context = tagContext(input.tags);
    return [{ action: 'ram:CreateResourceShare', resource: '*', ...(context ? { context } : {}) }];
  },
  AssociateResourceShare: onShare('AssociateResourceShare'),
  DisassociateResourceShare: onShare('DisassociateResourceShare'),
  DeleteResourceShare: onShare('DeleteResourceShare'),
  // A consumer reads the permissions of a share that reached it; the handler answers only for such shares.
  ListResourceSharePermissions: (input: { resourceShareArn: string }, ctx) => [{ action: 'ram:ListResourceSharePermissions', resource: input.resourceShareArn, resourceAccount: ctx.accountId }],
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
