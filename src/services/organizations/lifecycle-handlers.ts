/**
 * The account-lifecycle operations a platform team runs every week: CreateAccount and its status,
 * CloseAccount, RemoveAccountFromOrganization, and UpdateOrganizationalUnit. Management account only.
 */
import type { Handlers } from '../../core/service.js';
import type { OrganizationsOperations } from './api.gen.js';
import type { AccountRequests } from './account-requests.js';
import { createAccountStatusShape } from './account-requests.js';
import { errors } from './domain/errors.js';
import { paginate } from './domain/pagination.js';
import { ouShape } from './domain/shapes.js';
import type { LiveOrg } from './domain/shapes.js';
import type { Organizations } from './organizations.js';

/** The role AWS creates in a new account when CreateAccount names none. */
export const DEFAULT_ACCESS_ROLE = 'OrganizationAccountAccessRole';

type LifecycleOps =
  | 'CreateAccount'
  | 'DescribeCreateAccountStatus'
  | 'ListCreateAccountStatus'
  | 'CloseAccount'
  | 'RemoveAccountFromOrganization'
  | 'UpdateOrganizationalUnit';

export function createLifecycleHandlers(orgs: Organizations, requests: AccountRequests): Pick<Handlers<OrganizationsOperations>, LifecycleOps> {
  return {
    CreateAccount: async (input, ctx) => {
      await orgs.forManagement(ctx);
      const r = await requests.request({
        accountName: input.AccountName,
        email: input.Email,
        roleName: input.RoleName ?? DEFAULT_ACCESS_ROLE,
        tags: (input.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value })),
      });
      return { CreateAccountStatus: createAccountStatusShape(r) };
    },

    DescribeCreateAccountStatus: async (input, ctx) => {
      await orgs.forManagement(ctx);
      const r = await requests.get(input.CreateAccountRequestId);
      if (!r) throw errors.createAccountStatusNotFound();
      return { CreateAccountStatus: createAccountStatusShape(r) };
    },

    ListCreateAccountStatus: async (input, ctx) => {
      await orgs.forManagement(ctx);
      const all = await requests.list(input.States);
      // Keyed by time then id so a page boundary holds while new requests arrive.
      const key = (r: { requestedAt: number; id: string }): string => `${String(r.requestedAt).padStart(16, '0')}/${r.id}`;
      const page = paginate(all, key, `ListCreateAccountStatus/${(input.States ?? []).join(',')}`, input);
      return { CreateAccountStatuses: page.items.map(createAccountStatusShape), NextToken: page.nextToken };
    },

    CloseAccount: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.closeAccount(input.AccountId);
      return {};
    },

    RemoveAccountFromOrganization: async (input, ctx) => {
      await orgs.forManagement(ctx);
      await orgs.removeAccount(input.AccountId);
      return {};
    },

    UpdateOrganizationalUnit: async (input, ctx) => {
      await orgs.forManagement(ctx);
      if (input.Name !== undefined) await orgs.renameOu(input.OrganizationalUnitId, input.Name);
      const s = (await orgs.state()) as LiveOrg;
      const ou = s.ous.get(input.OrganizationalUnitId);
      if (!ou) throw errors.ouNotFound();
      return { OrganizationalUnit: ouShape(s, ou) };
    },
  };
}
