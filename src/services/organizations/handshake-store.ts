/**
 * Rows of invitations (`orgs_handshake`) and of accounts that left the organization (`orgs_former_account`). Every
 * function takes the executor to use, so an acceptance and the account it adds share one transaction.
 */
import type { Kysely } from 'kysely';
import type { HandshakeRecord, HandshakeState, HandshakeTargetType } from './domain/handshakes.js';
import type { Tag } from './domain/model.js';

type HandshakeRow = {
  id: string;
  action: string;
  organization_id: string;
  target_type: string;
  target_id: string;
  notes: string | null;
  tags: string;
  state: string;
  requested_at: number | string | bigint;
  expires_at: number | string | bigint;
  state_changed_at: number | string | bigint;
  responder_account_id: string | null;
};
type FormerRow = { id: string; name: string; email: string; left_at: number | string | bigint };
type Tables = { orgs_handshake: HandshakeRow; orgs_former_account: FormerRow };
type Ex = Kysely<any>;
const t = (ex: Ex) => ex.withTables<Tables>();

/** An account that was a member and was removed: standalone now, and invitable back under its name and email. */
export interface FormerAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

function record(r: HandshakeRow): HandshakeRecord {
  return {
    id: r.id,
    action: 'INVITE',
    organizationId: r.organization_id,
    targetType: r.target_type as HandshakeTargetType,
    targetId: r.target_id,
    ...(r.notes !== null ? { notes: r.notes } : {}),
    tags: JSON.parse(r.tags) as Tag[],
    state: r.state as HandshakeState,
    requestedAt: Number(r.requested_at),
    expiresAt: Number(r.expires_at),
    stateChangedAt: Number(r.state_changed_at),
    ...(r.responder_account_id !== null ? { responderAccountId: r.responder_account_id } : {}),
  };
}

export const handshakeStore = {
  async insert(ex: Ex, h: HandshakeRecord): Promise<void> {
    await t(ex)
      .insertInto('orgs_handshake')
      .values({
        id: h.id,
        action: h.action,
        organization_id: h.organizationId,
        target_type: h.targetType,
        target_id: h.targetId,
        notes: h.notes ?? null,
        tags: JSON.stringify(h.tags),
        state: h.state,
        requested_at: h.requestedAt,
        expires_at: h.expiresAt,
        state_changed_at: h.stateChangedAt,
        responder_account_id: h.responderAccountId ?? null,
      })
      .execute();
  },

  async get(ex: Ex, id: string): Promise<HandshakeRecord | undefined> {
    const row = await t(ex).selectFrom('orgs_handshake').selectAll().where('id', '=', id).executeTakeFirst();
    return row && record(row as HandshakeRow);
  },

  /** Every handshake, oldest first (ties by id). */
  async list(ex: Ex): Promise<HandshakeRecord[]> {
    const rows = await t(ex).selectFrom('orgs_handshake').selectAll().orderBy('requested_at').orderBy('id').execute();
    return rows.map((r) => record(r as HandshakeRow));
  },

  async setState(ex: Ex, id: string, state: HandshakeState, at: number, responderAccountId?: string): Promise<void> {
    await t(ex)
      .updateTable('orgs_handshake')
      .set({ state, state_changed_at: at, responder_account_id: responderAccountId ?? null })
      .where('id', '=', id)
      .execute();
  },

  async former(ex: Ex, accountId: string): Promise<FormerAccount | undefined> {
    const row = await t(ex).selectFrom('orgs_former_account').select(['id', 'name', 'email']).where('id', '=', accountId).executeTakeFirst();
    return row ? { id: row.id, name: row.name, email: row.email } : undefined;
  },

  async formerByEmail(ex: Ex, email: string): Promise<FormerAccount | undefined> {
    const rows = await t(ex).selectFrom('orgs_former_account').select(['id', 'name', 'email']).execute();
    const row = rows.find((r) => r.email.toLowerCase() === email.toLowerCase());
    return row ? { id: row.id, name: row.name, email: row.email } : undefined;
  },

  async formerIds(ex: Ex): Promise<string[]> {
    return (await t(ex).selectFrom('orgs_former_account').select('id').execute()).map((r) => r.id);
  },

  /** Remembers an account that leaves (replacing an older record of the same account). */
  async putFormer(ex: Ex, a: FormerAccount, leftAt: number): Promise<void> {
    await t(ex).deleteFrom('orgs_former_account').where('id', '=', a.id).execute();
    await t(ex).insertInto('orgs_former_account').values({ id: a.id, name: a.name, email: a.email, left_at: leftAt }).execute();
  },

  async deleteFormer(ex: Ex, accountId: string): Promise<void> {
    await t(ex).deleteFrom('orgs_former_account').where('id', '=', accountId).execute();
  },
};
