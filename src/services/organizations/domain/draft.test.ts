import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import { isAwsError } from '../../../core/errors.js';
import { OrgDraft } from './draft.js';
import type { OrgAdditions } from './draft.js';
import type { OrgRows } from './model.js';
import { buildState } from './model.js';

const EMPTY: OrgRows = { ous: [], accounts: [], policies: [], attachments: [], enabledTypes: [], tags: [] };
const SCP = 'SERVICE_CONTROL_POLICY';
const RCP = 'RESOURCE_CONTROL_POLICY';
const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] });

/** Deterministic ids: a counter in base 36. */
function counter(start = 0): (n: number) => string {
  let i = start;
  return (n) => (i++).toString(36).padStart(n, '0');
}

/** The rows a store would hold after writing `added` on top of `rows`. */
function written(rows: OrgRows, added: OrgAdditions): OrgRows {
  const replaced = new Set(added.tagSets.keys());
  return {
    org: added.organization ?? rows.org,
    root: added.root ?? rows.root,
    ous: [...rows.ous, ...added.ous],
    accounts: [...rows.accounts, ...added.accounts],
    policies: [...rows.policies, ...added.policies.map((p) => p.policy)],
    attachments: [...rows.attachments, ...added.attachments.map(({ policyId, targetId }) => ({ policyId, targetId }))],
    enabledTypes: [...rows.enabledTypes, ...added.enabledTypes.map((e) => e.type)],
    tags: [
      ...rows.tags.filter((t) => !replaced.has(t.resourceId)),
      ...[...added.tagSets].flatMap(([resourceId, tags]) => tags.map((t) => ({ resourceId, key: t.key, value: t.value }))),
    ],
  };
}

/** Builds a small organization on a draft: nested OUs, accounts, tags, policies, both policy types. */
function build(d: OrgDraft): void {
  const { rootId } = d.createOrganization({ id: 'o-aaaaaaaaaa', rootId: 'r-abcd', managementAccount: { id: '111111111111', name: 'm', email: 'm@example.com' } });
  d.enablePolicyType(undefined, SCP);
  const work = d.createOu(rootId, 'Workloads', [{ key: 'k', value: 'v' }]);
  const prod = d.createOu(work, 'Prod');
  const dev = d.createOu(d.resolveOuPath('Workloads'), 'Dev');
  d.createAccount({ id: '333333333333', name: 'b', email: 'b@example.com', parentId: prod, tags: [{ key: 'team', value: 'b' }] });
  d.createAccount({ id: '222222222222', name: 'a', email: 'a@example.com', parentId: prod });
  d.createAccount({ id: '444444444444', name: 'c', email: 'c@example.com' });
  const p = d.createPolicy({ name: 'Guard', description: 'd', type: SCP, content: deny, tags: [{ key: 'x', value: 'y' }] });
  d.attachPolicy(p, work);
  d.attachPolicy(p, '444444444444');
  d.enablePolicyType('r-abcd', RCP);
  d.createAccount({ id: '555555555555', name: 'late', email: 'late@example.com', parentId: dev });
}

describe('OrgDraft', () => {
  it('keeps the same indexes as buildState over the rows it would write', () => {
    const d = new OrgDraft(EMPTY, fixedClock(1000), counter());
    build(d);
    const state = d.state;
    expect(state).toEqual(buildState(written(EMPTY, d.takeAdded())));
    expect(d.takeAdded().accounts).toEqual([]);
  });

  it('continues from rows read from the store', () => {
    const first = new OrgDraft(EMPTY, fixedClock(1000), counter());
    build(first);
    const rows = written(EMPTY, first.takeAdded());
    const d = new OrgDraft(rows, fixedClock(2000), counter(1000));
    const ou = d.createOu(d.resolveOuPath('Workloads/Prod'), 'Deeper');
    d.createAccount({ id: '666666666666', name: 'new', email: 'new@example.com', parentId: ou, tags: [{ key: 'a', value: '1' }] });
    expect(d.state).toEqual(buildState(written(rows, d.takeAdded())));
  });

  it('refuses what the API refuses, seeing what it added before', () => {
    const d = new OrgDraft(EMPTY, fixedClock(1000), counter());
    build(d);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isAwsError(e) ? e.code : String(e);
      }
      return 'no error';
    };
    expect(code(() => d.createAccount({ id: '777777777777', name: 'dup', email: 'a@example.com' }))).toBe('DuplicateAccountException');
    expect(code(() => d.createOu(d.resolveOuPath('Workloads'), 'Prod'))).toBe('DuplicateOrganizationalUnitException');
    expect(code(() => d.createPolicy({ name: 'Guard', description: '', type: SCP, content: deny }))).toBe('DuplicatePolicyException');
    expect(code(() => d.enablePolicyType(undefined, SCP))).toBe('PolicyTypeAlreadyEnabledException');
    expect(code(() => d.resolveOuPath('Workloads/Nope'))).toBe('ParentNotFoundException');
    expect(code(() => d.createOrganization({ managementAccount: { id: '888888888888', name: 'x', email: 'x@example.com' } }))).toBe('AlreadyInOrganizationException');
    const p = [...d.state.policies.values()].find((x) => x.name === 'Guard')!.id;
    expect(code(() => d.attachPolicy(p, '444444444444'))).toBe('DuplicatePolicyAttachmentException');
  });
});
