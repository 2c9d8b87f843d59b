import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
import type { CloudTrailEvent } from './domain/event.js';
import { cloudTrailMigrations, createEventStore, type QueuedEntry } from './store.js';

const A = '444444444444';

function entry(seq: number, account: string, time: number): QueuedEntry {
  return {
    seq,
    eventId: `e-${seq}`,
    recipientAccountId: account,
    eventTime: time,
    eventName: 'GetRole',
    eventSource: 'iam.amazonaws.com',
    readOnly: true,
    username: 'alice',
    category: 'Management',
    resources: [{ type: 'AWS::IAM::Role', name: `r${seq}` }],
    event: { eventID: `e-${seq}` } as unknown as CloudTrailEvent,
  };
}

async function open() {
  const db = openSqlite({ file: ':memory:' });
  await runMigrations(db, cloudTrailMigrations);
  return db;
}

describe('event store', () => {
  it('writes batches of any size (split into fixed-size statements) and reads them back newest first', async () => {
    const db = await open();
    const store = createEventStore(db);
    for (const n of [1, 2, 3, 63, 64, 65, 200, 127]) {
      const base = (await store.count()) + 1;
      await store.insert(Array.from({ length: n }, (_, i) => entry(base + i, A, 1000 + base + i)));
    }
    expect(await store.count()).toBe(525);
    const page = await store.lookup({ accountId: A, insight: false, fingerprint: '', startTime: 0, endTime: 1e9, limit: 3 });
    expect(page.events.map((e) => [e.eventId, e.resources])).toEqual([
      ['e-525', [{ type: 'AWS::IAM::Role', name: 'r525' }]],
      ['e-524', [{ type: 'AWS::IAM::Role', name: 'r524' }]],
      ['e-523', [{ type: 'AWS::IAM::Role', name: 'r523' }]],
    ]);
    const byResource = await store.lookup({ accountId: A, insight: false, fingerprint: '', startTime: 0, endTime: 1e9, limit: 5, attribute: { key: 'ResourceName', value: 'r64' } });
    expect(byResource.events.map((e) => e.eventId)).toEqual(['e-64']);
    await db.close();
  });
});
