/**
 * Invitations to join the organization (handshakes of action INVITE) as plain data: the record the store keeps,
 * the state it is in at a given moment, who may answer it, and its API shape.
 *
 * An invitation starts OPEN (as AWS's own examples show it; REQUESTED is the state of handshakes with several
 * recipients, which INVITE never has), and ends ACCEPTED or DECLINED by the recipient, CANCELED by the sender, or
 * EXPIRED once 15 days have passed on the service clock. Ended handshakes stay visible for 30 days, then are gone
 * (HandshakeNotFoundException), as on AWS.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_Handshake.html
 */
import type { Handshake, HandshakeResource } from '../api.gen.js';
import { errors } from './errors.js';
import type { Tag } from './model.js';

export type HandshakeState = 'OPEN' | 'ACCEPTED' | 'DECLINED' | 'CANCELED' | 'EXPIRED';
export type HandshakeTargetType = 'ACCOUNT' | 'EMAIL';

/** How long an invitation waits for an answer. */
export const HANDSHAKE_LIFETIME_MS = 15 * 24 * 3600 * 1000;
/** How long an ended handshake stays in the lists and answers DescribeHandshake. */
export const ENDED_HANDSHAKE_KEPT_MS = 30 * 24 * 3600 * 1000;

export const HANDSHAKE_ID = /^h-[0-9a-z]{8,32}$/;

export interface HandshakeRecord {
  readonly id: string;
  readonly action: 'INVITE';
  readonly organizationId: string;
  readonly targetType: HandshakeTargetType;
  /** An account id, or an email address (compared case-insensitively). */
  readonly targetId: string;
  readonly notes?: string;
  /** Tags the account gets when it joins. */
  readonly tags: readonly Tag[];
  /** The state last written (OPEN until someone answers; expiry is computed, see `stateAt`). */
  readonly state: HandshakeState;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly stateChangedAt: number;
  /** The account that accepted or declined. */
  readonly responderAccountId?: string;
}

/** The state at `now`, and since when: an OPEN handshake past its expiry is EXPIRED from that moment. */
export function stateAt(h: HandshakeRecord, now: number): { state: HandshakeState; since: number } {
  if (h.state === 'OPEN' && now >= h.expiresAt) return { state: 'EXPIRED', since: h.expiresAt };
  return { state: h.state, since: h.stateChangedAt };
}

/** Still visible: open, or ended less than 30 days ago. */
export function isVisible(h: HandshakeRecord, now: number): boolean {
  const { state, since } = stateAt(h, now);
  return state === 'OPEN' || now - since < ENDED_HANDSHAKE_KEPT_MS;
}

/**
 * Checks that a handshake at `now` can move to `wanted`: HandshakeAlreadyInStateException when it is already
 * there, InvalidHandshakeTransitionException from any other ended state.
 */
export function checkTransition(h: HandshakeRecord, now: number, wanted: 'ACCEPTED' | 'DECLINED' | 'CANCELED'): void {
  const { state } = stateAt(h, now);
  if (state === wanted) throw errors.handshakeAlreadyInState();
  if (state !== 'OPEN') throw errors.invalidHandshakeTransition();
}

/** Whether an account (with the email the organization knows for it, if any) is this invitation's recipient. */
export function isRecipient(h: HandshakeRecord, accountId: string, email: string | undefined): boolean {
  if (h.targetType === 'ACCOUNT') return h.targetId === accountId;
  return email !== undefined && h.targetId.toLowerCase() === email.toLowerCase();
}

export function handshakeArn(managementAccountId: string, h: HandshakeRecord): string {
  return `arn:aws:organizations::${managementAccountId}:handshake/${h.organizationId}/${h.action.toLowerCase()}/${h.id}`;
}

export interface Sender {
  readonly managementAccountId: string;
  readonly managementEmail: string;
  readonly managementName: string;
}

export function handshakeShape(h: HandshakeRecord, sender: Sender, now: number): Handshake {
  const resources: HandshakeResource[] = [
    {
      Type: 'ORGANIZATION',
      Value: h.organizationId,
      Resources: [
        { Type: 'MASTER_EMAIL', Value: sender.managementEmail },
        { Type: 'MASTER_NAME', Value: sender.managementName },
        { Type: 'ORGANIZATION_FEATURE_SET', Value: 'ALL' },
      ],
    },
    { Type: h.targetType, Value: h.targetId },
  ];
  if (h.notes !== undefined) resources.push({ Type: 'NOTES', Value: h.notes });
  return {
    Id: h.id,
    Arn: handshakeArn(sender.managementAccountId, h),
    Parties: [
      { Id: h.organizationId, Type: 'ORGANIZATION' },
      { Id: h.targetId, Type: h.targetType },
    ],
    State: stateAt(h, now).state,
    RequestedTimestamp: new Date(h.requestedAt),
    ExpirationTimestamp: new Date(h.expiresAt),
    Action: h.action,
    Resources: resources,
  };
}
