import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import { ramHandlers } from './handlers.js';
import { createShareLogic, type RamOrg } from './shares.js';
import { createRamStore, ramMigrations } from './store.js';

const OWNER = '333333333333';
const ctx: RequestContext = {
  requestId: 'req-1',
  service: 'ram',
  operation: 'CreateResourceShare',
  region: 'us-east-1',
  principal: { type: 'Root', accountId: OWNER, arn: `arn:aws:iam::${OWNER}:root`, userId: OWNER },
  accountId: OWNER,
  sourceIp: '127.0.0.1',
  userAgent: 'vitest',
  now: 1_700_000_000_000,
  secureTransport: false,
};
const org: RamOrg = { organization: async () => undefined, orgPath: async () => undefined };
const existing = new Set([`arn:aws:glue:us-east-1:${OWNER}:table/sales/customers`]);

let db: Database;
beforeEach(async () => {
  db = openSqlite({ file: ':memory:' });
  await runMigrations(db, ramMigrations);
});
afterEach(async () => {
  await db.close();
});

const handlers = (resourceExists?: (arn: string) => Promise<boolean>) => {
  const store = createRamStore(db);
  return ramHandlers({ store, logic: createShareLogic(store, org), org, ...(resourceExists ? { resourceExists } : {}) });
};

describe('RAM resources that must exist', () => {
  it('refuses to share a Glue resource the catalog does not have, and shares one it has', async () => {
    const h = handlers(async (arn) => existing.has(arn));
    const missing = `arn:aws:glue:us-east-1:${OWNER}:table/sales/nope`;
    await expect(h.CreateResourceShare!({ name: 's', resourceArns: [missing] }, ctx)).rejects.toMatchObject({ code: 'UnknownResourceException', message: `Resource ${missing} could not be found.` });
    const out = await h.CreateResourceShare!({ name: 's', resourceArns: [...existing] }, ctx);
    expect(out.resourceShare?.status).toBe('ACTIVE');
    await expect(h.AssociateResourceShare!({ resourceShareArn: out.resourceShare!.resourceShareArn!, resourceArns: [missing] }, ctx)).rejects.toMatchObject({ code: 'UnknownResourceException' });
  });

  it('refuses another account’s resource even when it exists', async () => {
    const other = 'arn:aws:glue:us-east-1:444444444444:table/sales/customers';
    const h = handlers(async () => true);
    await expect(h.CreateResourceShare!({ name: 's', resourceArns: [other] }, ctx)).rejects.toMatchObject({ code: 'UnknownResourceException', message: `Resource ${other} could not be found.` });
  });
});
