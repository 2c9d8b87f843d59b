/**
 * Trusted service access, delegated administrators and effective management policies.
 *
 * - EnableAWSServiceAccess / DisableAWSServiceAccess (management account; both idempotent, as on AWS) and
 *   ListAWSServiceAccessForOrganization (management account or a delegated administrator).
 * - Register/DeregisterDelegatedAdministrator (management account): a member account, ACTIVE, for a service that
 *   supports delegation and has trusted access enabled, within the service's quota of administrators.
 *   ListDelegatedAdministrators / ListDelegatedServicesForAccount: management account or a delegated administrator.
 *   A delegated administrator cannot be removed from the organization until it is deregistered.
 * - DescribeEffectivePolicy (any member, for itself; the management account for any account): the merged management
 *   policy of one type (see domain/effective-policy.ts). SCPs and RCPs are not management policies: the model's
 *   EffectivePolicyType does not list them, so they are refused before this handler runs.
 */
import type { Handlers } from '../../core/service.js';
import type { OrganizationsOperations } from './api.gen.js';
import { accountArn } from './domain/arns.js';
import { mergeEffectivePolicy } from './domain/effective-policy.js';
import { errors } from './domain/errors.js';
import { targetKindOf } from './domain/ids.js';
import type { AccountRecord } from './domain/model.js';
import { ancestorsOf, attachedOfType, isGone } from './domain/model.js';
import { paginate } from './domain/pagination.js';
import { integratedService } from './domain/service-principals.js';
import type { LiveOrg } from './domain/shapes.js';
import { delegationStore } from './delegation-store.js';
import { store } from './store.js';
import type { Organizations } from './organizations.js';

type DelegationOps =
  | 'EnableAWSServiceAccess'
  | 'DisableAWSServiceAccess'
  | 'ListAWSServiceAccessForOrganization'
  | 'RegisterDelegatedAdministrator'
  | 'DeregisterDelegatedAdministrator'
  | 'ListDelegatedAdministrators'
  | 'ListDelegatedServicesForAccount'
  | 'DescribeEffectivePolicy';

const unrecognized = () => errors.invalidInput('UNRECOGNIZED_SERVICE_PRINCIPAL', "You specified a service principal that isn't recognized.");

function recognized(servicePrincipal: string, delegation = false): void {
  const service = integratedService(servicePrincipal);
  if (!service || (delegation && service.delegatedAdmins === undefined)) throw unrecognized();
}

/** A member account (closed ones included until they leave the lists), or AccountNotFoundException. */
function accountIn(s: LiveOrg, accountId: string, now: number): AccountRecord {
  const a = s.accounts.get(accountId);
  if (!a || isGone(a, now)) throw errors.accountNotFound();
  return a;
}

export function createDelegationHandlers(orgs: Organizations): Pick<Handlers<OrganizationsOperations>, DelegationOps> {
  const db = () => orgs.database();
  return {
    EnableAWSServiceAccess: async (input, ctx) => {
      await orgs.forManagement(ctx);
      recognized(input.ServicePrincipal);
      await orgs.inTransaction((ex, now) => delegationStore.enable(ex, input.ServicePrincipal, now));
      return {};
    },

    DisableAWSServiceAccess: async (input, ctx) => {
      await orgs.forManagement(ctx);
      recognized(input.ServicePrincipal);
      await orgs.inTransaction((ex) => delegationStore.disable(ex, input.ServicePrincipal));
      return {};
    },

    ListAWSServiceAccessForOrganization: async (input, ctx) => {
      await orgs.forManagementOrDelegate(ctx);
      const enabled = await delegationStore.services(db());
      const page = paginate(enabled, (e) => e.servicePrincipal, 'ListAWSServiceAccessForOrganization', input);
      return {
        EnabledServicePrincipals: page.items.map((e) => ({ ServicePrincipal: e.servicePrincipal, DateEnabled: new Date(e.enabledAt) })),
        NextToken: page.nextToken,
      };
    },

    RegisterDelegatedAdministrator: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      const sp = input.ServicePrincipal;
      recognized(sp, true);
      const a = accountIn(s, input.AccountId, orgs.now());
      if (a.id === s.org.managementAccountId) throw errors.constraint('CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
      if (a.status !== 'ACTIVE') throw errors.constraint('CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR');
      const max = integratedService(sp)!.delegatedAdmins!;
      await orgs.inTransaction(async (ex, now) => {
        if (!(await delegationStore.services(ex)).some((e) => e.servicePrincipal === sp)) throw errors.constraint('SERVICE_ACCESS_NOT_ENABLED');
        const forService = (await delegationStore.delegations(ex)).filter((d) => d.servicePrincipal === sp);
        if (forService.some((d) => d.accountId === a.id)) throw errors.accountAlreadyRegistered();
        if (forService.length >= max) {
          throw errors.constraint(max === 1 ? 'DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE' : 'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED');
        }
        await delegationStore.register(ex, { accountId: a.id, servicePrincipal: sp, registeredAt: now });
      });
      return {};
    },

    DeregisterDelegatedAdministrator: async (input, ctx) => {
      const s = await orgs.forManagement(ctx);
      recognized(input.ServicePrincipal, true);
      accountIn(s, input.AccountId, orgs.now());
      await orgs.inTransaction(async (ex) => {
        const found = (await delegationStore.delegations(ex)).some((d) => d.accountId === input.AccountId && d.servicePrincipal === input.ServicePrincipal);
        if (!found) throw errors.accountNotRegistered();
        await delegationStore.deregister(ex, input.AccountId, input.ServicePrincipal);
      });
      return {};
    },

    ListDelegatedAdministrators: async (input, ctx) => {
      const s = await orgs.forManagementOrDelegate(ctx);
      if (input.ServicePrincipal !== undefined) recognized(input.ServicePrincipal, true);
      const since = new Map<string, number>();
      for (const d of await delegationStore.delegations(db())) {
        if (input.ServicePrincipal !== undefined && d.servicePrincipal !== input.ServicePrincipal) continue;
        since.set(d.accountId, Math.min(since.get(d.accountId) ?? Infinity, d.registeredAt));
      }
      const ids = [...since.keys()].filter((id) => s.accounts.has(id)).sort();
      const page = paginate(ids, (id) => id, `ListDelegatedAdministrators/${input.ServicePrincipal ?? ''}`, input);
      return {
        DelegatedAdministrators: page.items.map((id) => {
          const a = s.accounts.get(id)!;
          return {
            Id: a.id,
            Arn: accountArn(s.org.managementAccountId, s.org.id, a.id),
            Email: a.email,
            Name: a.name,
            Status: a.status,
            State: a.status,
            JoinedMethod: a.joinedMethod,
            JoinedTimestamp: new Date(a.joinedAt),
            DelegationEnabledDate: new Date(since.get(id)!),
          };
        }),
        NextToken: page.nextToken,
      };
    },

    ListDelegatedServicesForAccount: async (input, ctx) => {
      const s = await orgs.forManagementOrDelegate(ctx);
      accountIn(s, input.AccountId, orgs.now());
      const services = (await delegationStore.delegations(db())).filter((d) => d.accountId === input.AccountId);
      if (services.length === 0) throw errors.accountNotRegistered();
      const page = paginate(services, (d) => d.servicePrincipal, `ListDelegatedServicesForAccount/${input.AccountId}`, input);
      return {
        DelegatedServices: page.items.map((d) => ({ ServicePrincipal: d.servicePrincipal, DelegationEnabledDate: new Date(d.registeredAt) })),
        NextToken: page.nextToken,
      };
    },

    DescribeEffectivePolicy: async (input, ctx) => {
      const s = await orgs.forMember(ctx);
      const target = input.TargetId ?? ctx.accountId;
      const kind = targetKindOf(target);
      if (kind === 'ROOT' || kind === 'ORGANIZATIONAL_UNIT') throw errors.invalidInput('TARGET_NOT_SUPPORTED', "You can't perform the specified operation on that target entity.");
      const a = s.accounts.get(target);
      if (kind !== 'ACCOUNT' || !a || isGone(a, orgs.now())) throw errors.targetNotFound();
      // A member sees its own effective policy; only the management account looks at others'.
      if (target !== ctx.accountId && ctx.accountId !== s.org.managementAccountId) throw errors.accessDenied();
      if (!s.enabledTypes.has(input.PolicyType)) throw errors.effectivePolicyNotFound();
      // Management policies apply to the management account too (unlike SCPs and RCPs).
      const levels = [...ancestorsOf(s, target), target].map((t) => ({ target: t, policies: attachedOfType(s, t, input.PolicyType) }));
      const merged = mergeEffectivePolicy(levels.map((l) => l.policies.map((p) => p.content)));
      if (!merged) throw errors.effectivePolicyNotFound();
      const contributing = levels.flatMap((l) => l.policies.map((p) => ({ policyId: p.id, target: l.target })));
      const times = await store.policyTimes(db(), contributing.map((c) => c.policyId));
      const updated = Math.max(
        ...contributing.map((c) => Math.max(times.changed.get(c.policyId) ?? 0, times.attached.get(`${c.policyId}/${c.target}`) ?? 0)),
      );
      return {
        EffectivePolicy: { PolicyContent: JSON.stringify(merged), LastUpdatedTimestamp: new Date(updated), TargetId: target, PolicyType: input.PolicyType },
      };
    },
  };
}
