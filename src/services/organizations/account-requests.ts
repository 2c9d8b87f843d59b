/**
 * CreateAccount, asynchronous as on AWS: the call records a request (IN_PROGRESS) and returns; a worker then
 * allocates the account id, has the provisioner create the access role in the new account, and adds the
 * account to the root, marking the request SUCCEEDED — or FAILED with one of AWS's FailureReason values
 * (EMAIL_ALREADY_EXISTS, INTERNAL_FAILURE). Requests left IN_PROGRESS by a stop are taken up again by
 * `resume()` at the next start, so none stays in progress forever.
 *
 * Account ids are derived from the organization id and the email (SHA-256, probing on): the same blueprint and
 * the same calls give the same ids, and an id already used by an account of the organization, by another
 * request or by the blueprint (`reserved`) is never handed out again.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { isAwsError } from '../../core/errors.js';
import type { CreateAccountStatus } from './api.gen.js';
import type { RandomChars } from './domain/ids.js';
import { randomChars } from './domain/ids.js';
import type { LiveOrg } from './domain/shapes.js';
import type { Tag } from './domain/model.js';
import { buildState } from './domain/model.js';
import type { Organizations } from './organizations.js';
import { isLive } from './organizations.js';
import { handshakeStore } from './handshake-store.js';
import { store } from './store.js';

/** Creates what a new account needs before it is handed over: the role the management account administers it by. */
export interface AccountProvisioner {
  /**
   * Creates `roleName` in `accountId`, trusting `managementAccountId`, with AdministratorAccess attached. Called
   * again for the same account after a restart: a role that already exists is kept.
   */
  provision(input: { readonly accountId: string; readonly roleName: string; readonly managementAccountId: string }): Promise<void>;
}

export type CreateAccountState = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface CreateAccountRequestRecord {
  readonly id: string;
  readonly accountName: string;
  readonly email: string;
  readonly roleName: string;
  readonly tags: readonly Tag[];
  readonly state: CreateAccountState;
  readonly requestedAt: number;
  readonly completedAt?: number;
  readonly accountId?: string;
  readonly failureReason?: string;
}

type Row = {
  id: string;
  account_name: string;
  email: string;
  role_name: string;
  tags: string;
  state: string;
  requested_at: number | string | bigint;
  completed_at: number | string | bigint | null;
  account_id: string | null;
  failure_reason: string | null;
};
type Tables = { orgs_create_account_request: Row };
type Ex = Kysely<any>;
const table = (ex: Ex) => ex.withTables<Tables>();

function record(r: Row): CreateAccountRequestRecord {
  return {
    id: r.id,
    accountName: r.account_name,
    email: r.email,
    roleName: r.role_name,
    tags: JSON.parse(r.tags) as Tag[],
    state: r.state as CreateAccountState,
    requestedAt: Number(r.requested_at),
    ...(r.completed_at !== null ? { completedAt: Number(r.completed_at) } : {}),
    ...(r.account_id !== null ? { accountId: r.account_id } : {}),
    ...(r.failure_reason !== null ? { failureReason: r.failure_reason } : {}),
  };
}

export function createAccountStatusShape(r: CreateAccountRequestRecord): CreateAccountStatus {
  return {
    Id: r.id,
    AccountName: r.accountName,
    State: r.state,
    RequestedTimestamp: new Date(r.requestedAt),
    ...(r.completedAt !== undefined ? { CompletedTimestamp: new Date(r.completedAt) } : {}),
    ...(r.accountId !== undefined && r.state === 'SUCCEEDED' ? { AccountId: r.accountId } : {}),
    ...(r.failureReason !== undefined ? { FailureReason: r.failureReason } : {}),
  };
}

/** The id for the `attempt`-th try of an email in an organization: 12 decimal digits, never starting with 0. */
export function candidateAccountId(orgId: string, email: string, attempt: number): string {
  const digest = createHash('sha256').update(`${orgId}\n${email.toLowerCase()}\n${attempt}`).digest();
  const n = digest.readBigUInt64BE(0) % 900_000_000_000n;
  return String(100_000_000_000n + n);
}

export class AccountRequests {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly orgs: Organizations,
    private readonly provisioner: AccountProvisioner | undefined,
    private readonly reserved: (accountId: string) => boolean = () => false,
    private readonly rand: RandomChars = randomChars,
    private readonly log: (msg: string, err?: unknown) => void = () => undefined,
  ) {}

  /** Records a CreateAccount request and starts its worker; the caller has checked the management account. */
  async request(input: { accountName: string; email: string; roleName: string; tags: readonly Tag[] }): Promise<CreateAccountRequestRecord> {
    const r: CreateAccountRequestRecord = { id: `car-${this.rand(32)}`, ...input, state: 'IN_PROGRESS', requestedAt: this.clock.now() };
    await table(this.db.kysely)
      .insertInto('orgs_create_account_request')
      .values({
        id: r.id,
        account_name: r.accountName,
        email: r.email,
        role_name: r.roleName,
        tags: JSON.stringify(r.tags),
        state: r.state,
        requested_at: r.requestedAt,
        completed_at: null,
        account_id: null,
        failure_reason: null,
      })
      .execute();
    this.start(r.id);
    return r;
  }

  async get(id: string): Promise<CreateAccountRequestRecord | undefined> {
    const row = await table(this.db.kysely).selectFrom('orgs_create_account_request').selectAll().where('id', '=', id).executeTakeFirst();
    return row && record(row as Row);
  }

  /** Every request, oldest first (ties by id), optionally only those in `states`. */
  async list(states?: readonly string[]): Promise<CreateAccountRequestRecord[]> {
    let q = table(this.db.kysely).selectFrom('orgs_create_account_request').selectAll();
    if (states && states.length > 0) q = q.where('state', 'in', [...states]);
    const rows = await q.orderBy('requested_at').orderBy('id').execute();
    return rows.map((r) => record(r as Row));
  }

  /** Starts the workers of requests a previous run left IN_PROGRESS. */
  async resume(): Promise<void> {
    for (const r of await this.list(['IN_PROGRESS'])) this.start(r.id);
  }

  /** Waits for the workers in flight (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private start(id: string): void {
    if (this.inFlight.has(id)) return;
    const p = this.complete(id)
      .catch((e) => this.log(`organizations: CreateAccount ${id} failed`, e))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
  }

  private async complete(id: string): Promise<void> {
    const allocated = await this.allocate(id);
    if (!allocated) return;
    const { request: r, managementAccountId } = allocated;
    try {
      await this.provisioner?.provision({ accountId: r.accountId!, roleName: r.roleName, managementAccountId });
    } catch (e) {
      this.log(`organizations: the role of new account ${r.accountId} could not be created`, e);
      await this.finish(this.db.kysely, id, 'FAILED', 'INTERNAL_FAILURE');
      return;
    }
    try {
      await this.db.transaction(async (trx) => {
        await this.orgs.createAccount({ id: r.accountId!, name: r.accountName, email: r.email, joinedMethod: 'CREATED', tags: r.tags }, trx);
        await this.finish(trx, id, 'SUCCEEDED');
      });
    } catch (e) {
      // Another request with the same email won the race to the unique key.
      if (isAwsError(e) && e.code === 'DuplicateAccountException') await this.finish(this.db.kysely, id, 'FAILED', 'EMAIL_ALREADY_EXISTS');
      else throw e;
    } finally {
      this.orgs.invalidate();
    }
  }

  /**
   * Gives an IN_PROGRESS request its account id (kept on the row, so a restart provisions the same account), or
   * fails it when the email is taken. Undefined when there is nothing left to do.
   */
  private async allocate(id: string): Promise<{ request: CreateAccountRequestRecord; managementAccountId: string } | undefined> {
    return this.db.transaction(async (trx) => {
      const row = await table(trx).selectFrom('orgs_create_account_request').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || row.state !== 'IN_PROGRESS') return undefined;
      const r = record(row as Row);
      const s = buildState(await store.load(trx));
      if (!isLive(s)) {
        await this.finish(trx, id, 'FAILED', 'INTERNAL_FAILURE');
        return undefined;
      }
      if (r.accountId) return { request: r, managementAccountId: s.org.managementAccountId };
      const others = await table(trx)
        .selectFrom('orgs_create_account_request')
        .select(['id', 'email', 'account_id'])
        .where('account_id', 'is not', null)
        .where('state', '!=', 'FAILED')
        .execute();
      const email = r.email.toLowerCase();
      const emailTaken = [...s.accounts.values()].some((a) => a.email.toLowerCase() === email) || others.some((o) => o.id !== id && o.email.toLowerCase() === email);
      if (emailTaken) {
        await this.finish(trx, id, 'FAILED', 'EMAIL_ALREADY_EXISTS');
        return undefined;
      }
      // Accounts that left the organization still exist: their ids are taken too.
      const taken = new Set([...others.map((o) => o.account_id!), ...(await handshakeStore.formerIds(trx))]);
      const accountId = this.freeId(s, r.email, taken);
      await table(trx).updateTable('orgs_create_account_request').set({ account_id: accountId }).where('id', '=', id).execute();
      return { request: { ...r, accountId }, managementAccountId: s.org.managementAccountId };
    });
  }

  private freeId(s: LiveOrg, email: string, requested: ReadonlySet<string>): string {
    for (let attempt = 0; ; attempt++) {
      const candidate = candidateAccountId(s.org.id, email, attempt);
      if (!s.accounts.has(candidate) && !requested.has(candidate) && !this.reserved(candidate)) return candidate;
    }
  }

  private async finish(ex: Ex, id: string, state: CreateAccountState, failureReason?: string): Promise<void> {
    await table(ex)
      .updateTable('orgs_create_account_request')
      .set({ state, completed_at: this.clock.now(), failure_reason: failureReason ?? null })
      .where('id', '=', id)
      .execute();
  }
}
