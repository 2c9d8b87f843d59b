/**
 * Inviting accounts into the organization: InviteAccountToOrganization and the handshake operations.
 *
 * Which accounts can be invited? mlzone runs one organization, so an account is either its member or standalone.
 * Standalone accounts are (1) those the blueprint keeps outside the organization (`outsideOrganization: true`, a
 * partner's or a vendor's), (2) members removed with RemoveAccountFromOrganization (remembered with their name and
 * email), and (3) any other 12-digit account id — which can answer only where it can authenticate (with `--auth
 * accounts` any 12-digit access key acts as that account's root). An invitation names its target by account id or by
 * email; the email form reaches only an account whose email mlzone knows (kinds 1 and 2). An account that accepts
 * joins the root with JoinedMethod INVITED, the invitation's tags, and the root's policies (FullAWSAccess and every
 * SCP/RCP above it apply at once). As on AWS, no OrganizationAccountAccessRole is created in an invited account.
 *
 * Who may call: the management account invites, cancels and lists the organization's handshakes (a delegated
 * administrator may list them too); only the recipient accepts or declines; a handshake is described by either side.
 */
import type { RequestContext } from '../../core/context.js';
import type { Handlers } from '../../core/service.js';
import type { Handshake, HandshakeFilter, OrganizationsOperations } from './api.gen.js';
import { errors } from './domain/errors.js';
import type { HandshakeRecord, HandshakeTargetType, Sender } from './domain/handshakes.js';
import { checkTransition, HANDSHAKE_LIFETIME_MS, handshakeShape, isRecipient, isVisible, stateAt } from './domain/handshakes.js';
import type { RandomChars } from './domain/ids.js';
import { ACCOUNT_ID } from './domain/ids.js';
import { isGone } from './domain/model.js';
import { paginate } from './domain/pagination.js';
import { mergeTags } from './domain/rules.js';
import type { LiveOrg } from './domain/shapes.js';
import { delegationStore } from './delegation-store.js';
import { handshakeStore } from './handshake-store.js';
import type { Organizations } from './organizations.js';
import { isLive } from './organizations.js';

/** An account outside the organization that mlzone knows by name and email (the blueprint's outsiders). */
export type KnownAccount = (accountId: string) => { readonly name: string; readonly email: string } | undefined;

type HandshakeOps =
  | 'InviteAccountToOrganization'
  | 'AcceptHandshake'
  | 'DeclineHandshake'
  | 'CancelHandshake'
  | 'DescribeHandshake'
  | 'ListHandshakesForAccount'
  | 'ListHandshakesForOrganization';

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const key = (h: HandshakeRecord): string => `${String(h.requestedAt).padStart(16, '0')}/${h.id}`;

function senderOf(s: LiveOrg): Sender {
  const m = s.accounts.get(s.org.managementAccountId);
  return { managementAccountId: s.org.managementAccountId, managementEmail: m?.email ?? '', managementName: m?.name ?? '' };
}

function isMember(s: LiveOrg, accountId: string, now: number): boolean {
  const a = s.accounts.get(accountId);
  return a !== undefined && !isGone(a, now);
}

function checkFilter(filter: HandshakeFilter | undefined): void {
  if (filter?.ActionType !== undefined && filter.ParentHandshakeId !== undefined) {
    throw errors.invalidInput('MAX_LIMIT_EXCEEDED_FILTER', 'You can specify only one filter parameter for the operation.');
  }
}

/** INVITE handshakes have no parent: a ParentHandshakeId filter matches none of them. */
function matches(h: HandshakeRecord, filter: HandshakeFilter | undefined): boolean {
  if (filter?.ParentHandshakeId !== undefined) return false;
  return filter?.ActionType === undefined || filter.ActionType === h.action;
}

export function createHandshakeHandlers(orgs: Organizations, rand: RandomChars, known: KnownAccount): Pick<Handlers<OrganizationsOperations>, HandshakeOps> {
  const db = () => orgs.database();

  async function liveOrg(): Promise<LiveOrg> {
    const s = await orgs.state();
    if (!isLive(s)) throw errors.notInUse();
    return s;
  }

  /** The email mlzone knows for an account: a member's, a former member's, or the blueprint's for an outsider. */
  async function emailOf(s: LiveOrg, accountId: string): Promise<string | undefined> {
    return s.accounts.get(accountId)?.email ?? (await handshakeStore.former(db(), accountId))?.email ?? known(accountId)?.email;
  }

  /** A visible handshake of this organization, or HandshakeNotFoundException. */
  async function find(s: LiveOrg, id: string): Promise<HandshakeRecord> {
    const h = await handshakeStore.get(db(), id);
    if (!h || h.organizationId !== s.org.id || !isVisible(h, orgs.now())) throw errors.handshakeNotFound();
    return h;
  }

  /** The handshake, when the caller is its recipient; AccessDeniedException for anyone else. */
  async function forRecipient(ctx: RequestContext, id: string): Promise<{ s: LiveOrg; h: HandshakeRecord }> {
    const s = await liveOrg();
    const h = await find(s, id);
    if (!isRecipient(h, ctx.accountId, await emailOf(s, ctx.accountId))) throw errors.accessDenied();
    return { s, h };
  }

  async function shape(h: HandshakeRecord): Promise<Handshake> {
    return handshakeShape(h, senderOf(await liveOrg()), orgs.now());
  }

  return {
    InviteAccountToOrganization: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const now = orgs.now();
      const type = input.Target.Type;
      if (type !== 'ACCOUNT' && type !== 'EMAIL') {
        throw errors.invalidInput('INVALID_PARTY_TYPE_TARGET', 'You specified the wrong type of entity (account, organization, or email) as a party.');
      }
      const target = input.Target.Id;
      if (type === 'ACCOUNT' ? !ACCOUNT_ID.test(target) : !EMAIL.test(target)) {
        throw errors.invalidInput('INVALID_PATTERN', "You provided a value that doesn't match the required pattern.");
      }
      const member =
        type === 'ACCOUNT' ? isMember(s, target, now) : [...s.accounts.values()].some((a) => !isGone(a, now) && a.email.toLowerCase() === target.toLowerCase());
      if (member) throw errors.handshakeConstraint('ALREADY_IN_AN_ORGANIZATION');
      const tags = mergeTags(s, target, (input.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value })));
      const h: HandshakeRecord = {
        id: `h-${rand(10)}`,
        action: 'INVITE',
        organizationId: s.org.id,
        targetType: type as HandshakeTargetType,
        targetId: target,
        ...(input.Notes !== undefined ? { notes: input.Notes } : {}),
        tags,
        state: 'OPEN',
        requestedAt: now,
        expiresAt: now + HANDSHAKE_LIFETIME_MS,
        stateChangedAt: now,
      };
      await orgs.inTransaction(async (ex) => {
        const open = (await handshakeStore.list(ex)).some(
          (o) => o.organizationId === s.org.id && o.targetType === h.targetType && o.targetId.toLowerCase() === target.toLowerCase() && stateAt(o, now).state === 'OPEN',
        );
        if (open) throw errors.duplicateHandshake();
        await handshakeStore.insert(ex, h);
      });
      return { Handshake: handshakeShape(h, senderOf(s), now) };
    },

    AcceptHandshake: async (input, ctx) => {
      const { s, h } = await forRecipient(ctx, input.HandshakeId);
      const now = orgs.now();
      checkTransition(h, now, 'ACCEPTED');
      if (isMember(s, ctx.accountId, now)) throw errors.handshakeConstraint('ALREADY_IN_AN_ORGANIZATION');
      await orgs.inTransaction(async (ex) => {
        const former = await handshakeStore.former(ex, ctx.accountId);
        const outsider = known(ctx.accountId);
        // An account mlzone knows nothing about joins under its id, with the invitation's email when it named one.
        const name = former?.name ?? outsider?.name ?? ctx.accountId;
        const email = former?.email ?? outsider?.email ?? (h.targetType === 'EMAIL' ? h.targetId : `${ctx.accountId}@invited.mlzone.example`);
        await orgs.createAccount({ id: ctx.accountId, name, email, joinedMethod: 'INVITED', tags: h.tags }, ex);
        await handshakeStore.deleteFormer(ex, ctx.accountId);
        await handshakeStore.setState(ex, h.id, 'ACCEPTED', now, ctx.accountId);
      });
      return { Handshake: await shape((await handshakeStore.get(db(), h.id))!) };
    },

    DeclineHandshake: async (input, ctx) => {
      const { h } = await forRecipient(ctx, input.HandshakeId);
      const now = orgs.now();
      checkTransition(h, now, 'DECLINED');
      await orgs.inTransaction((ex) => handshakeStore.setState(ex, h.id, 'DECLINED', now, ctx.accountId));
      return { Handshake: await shape((await handshakeStore.get(db(), h.id))!) };
    },

    CancelHandshake: async (input, ctx) => {
      const s = await liveOrg();
      const h = await find(s, input.HandshakeId);
      // Only the sender cancels: the organization's management account.
      if (ctx.accountId !== s.org.managementAccountId) throw errors.accessDenied();
      const now = orgs.now();
      checkTransition(h, now, 'CANCELED');
      await orgs.inTransaction((ex) => handshakeStore.setState(ex, h.id, 'CANCELED', now));
      return { Handshake: await shape((await handshakeStore.get(db(), h.id))!) };
    },

    DescribeHandshake: async (input, ctx) => {
      const s = await liveOrg();
      const h = await find(s, input.HandshakeId);
      const sender = ctx.accountId === s.org.managementAccountId || (await delegationStore.isDelegatedAdmin(db(), ctx.accountId));
      if (!sender && !isRecipient(h, ctx.accountId, await emailOf(s, ctx.accountId))) throw errors.accessDenied();
      return { Handshake: handshakeShape(h, senderOf(s), orgs.now()) };
    },

    // Any account may list what it received, members and standalone accounts alike (that is how an invitee finds it).
    ListHandshakesForAccount: async (input, ctx) => {
      checkFilter(input.Filter);
      const s = await orgs.state();
      if (!isLive(s)) return { Handshakes: [] };
      const now = orgs.now();
      const email = await emailOf(s, ctx.accountId);
      const mine = (await handshakeStore.list(db())).filter(
        (h) => h.organizationId === s.org.id && isVisible(h, now) && isRecipient(h, ctx.accountId, email) && matches(h, input.Filter),
      );
      const page = paginate(mine, key, `ListHandshakesForAccount/${JSON.stringify(input.Filter ?? {})}`, input);
      return { Handshakes: page.items.map((h) => handshakeShape(h, senderOf(s), now)), NextToken: page.nextToken };
    },

    ListHandshakesForOrganization: async (input, ctx) => {
      const s = await orgs.forManagementOrDelegate(ctx);
      checkFilter(input.Filter);
      const now = orgs.now();
      const sent = (await handshakeStore.list(db())).filter((h) => h.organizationId === s.org.id && isVisible(h, now) && matches(h, input.Filter));
      const page = paginate(sent, key, `ListHandshakesForOrganization/${JSON.stringify(input.Filter ?? {})}`, input);
      return { Handshakes: page.items.map((h) => handshakeShape(h, senderOf(s), now)), NextToken: page.nextToken };
    },
  };
}
