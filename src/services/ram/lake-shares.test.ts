import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import { createLakeShares } from './lake-shares.js';
import { createShareLogic, type RamOrg } from './shares.js';
import { createRamStore, ramMigrations, type RamStore } from './store.js';

const OWNER = '333333333333';
const DS1 = '444444444444';
const DS2 = '555555555555';
const table = (t: string) => `arn:aws:glue:us-east-1:${OWNER}:table/sales/${t}`;
const org: RamOrg = { organization: async () => undefined, orgPath: async () => undefined };

let db: Database;
let store: RamStore;
beforeEach(async () => {
  db = openSqlite({ file: ':memory:' });
  await runMigrations(db, ramMigrations);
  store = createRamStore(db);
});
afterEach(async () => {
  await db.close();
});

describe('Lake Formation shares follow the grants', () => {
  it('one share per principal carries exactly what is wanted; what is no longer wanted leaves; an emptied share is deleted', async () => {
    const lake = createLakeShares(store, createShareLogic(store, org));
    const first = await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a'), table('b')]], [DS2, [table('a')]]]), 1);
    expect([...first.keys()].sort()).toEqual([DS1, DS2]);
    const resources = async (arn: string) => (await store.share(OWNER, arn))!.resources.map((r) => r.arn).sort();
    expect(await resources(first.get(DS1)!)).toEqual([table('a'), table('b')]);
    // Outside an organization each principal gets an invitation; accepting it makes the resources visible.
    const invitation = (await store.invitations(DS1))[0]!;
    const share = (await store.share(OWNER, first.get(DS1)!))!;
    share.principals[0]!.status = 'ASSOCIATED';
    await store.putShare(share);
    expect(invitation.shareArn).toBe(first.get(DS1));
    expect(await lake.accepted(DS1, table('b'))).toBe(true);

    const second = await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a')]]]), 2);
    expect(second.get(DS1)).toBe(first.get(DS1));
    expect(await resources(first.get(DS1)!)).toEqual([table('a')]);
    expect(await lake.accepted(DS1, table('b'))).toBe(false);
    const gone = (await store.share(OWNER, first.get(DS2)!))!;
    expect(gone.status).toBe('DELETED');
    expect(gone.principals.map((p) => p.status)).toEqual(['DISASSOCIATED']);

    // A later grant to the principal whose share was deleted starts a new share.
    const third = await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a')]], [DS2, [table('b')]]]), 3);
    expect(third.get(DS2)).not.toBe(first.get(DS2));
    expect((await store.shares(OWNER)).filter((s) => s.status === 'ACTIVE').length).toBe(2);
  });

  it('leaves the shares RAM users made alone', async () => {
    await store.putShare({ arn: `arn:aws:ram:us-east-1:${OWNER}:resource-share/x`, name: 'mine', owner: OWNER, region: 'us-east-1', allowExternalPrincipals: true, status: 'ACTIVE', createdBy: 'ram', principals: [{ id: DS1, status: 'ASSOCIATED', external: false, created: 0, updated: 0 }], resources: [{ arn: table('a'), type: 'glue:Table', created: 0 }], created: 0, updated: 0 });
    await createLakeShares(store, createShareLogic(store, org)).reconcile(OWNER, 'us-east-1', new Map(), 1);
    expect((await store.share(OWNER, `arn:aws:ram:us-east-1:${OWNER}:resource-share/x`))!.resources.length).toBe(1);
  });
});

describe('a declined Lake Formation share', () => {
  it('is not re-sent on every change; a new grant to the principal (invite) replaces it with a new share and invitation', async () => {
    const lake = createLakeShares(store, createShareLogic(store, org));
    const first = (await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a')]]]), 1, DS1)).get(DS1)!;
    const declined = (await store.share(OWNER, first))!;
    declined.principals[0]!.status = 'DISASSOCIATED';
    await store.putShare(declined);
    // A retag or a new table elsewhere: the same share, no new invitation.
    expect((await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a'), table('b')]]]), 2)).get(DS1)).toBe(first);
    expect((await store.invitations(DS1)).length).toBe(1);
    // A new grant to DS1: a new share and a new invitation; the declined one is gone.
    const next = (await lake.reconcile(OWNER, 'us-east-1', new Map([[DS1, [table('a'), table('b')]]]), 3, DS1)).get(DS1)!;
    expect(next).not.toBe(first);
    expect((await store.invitations(DS1)).length).toBe(2);
    expect((await store.share(OWNER, first))!.status).toBe('DELETED');
    expect((await store.share(OWNER, next))!.resources.map((r) => r.arn).sort()).toEqual([table('a'), table('b')]);
  });
});
