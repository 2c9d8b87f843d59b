/**
 * The bounded event history: the 90-day window by the injected clock, the per-account caps by events and by bytes
 * (oldest first, in batches), the early sweep when a cap is passed, and the usage the migration computes for rows
 * written before it. On SQLite, and on PostgreSQL too when MLZONE_TEST_PG is set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
import { testBackends } from '../../persistence/test-backends.js';
import type { CloudTrailEvent } from './domain/event.js';
import { HISTORY_MS } from './domain/lookup.js';
import { createRetentionSweeper } from './retention.js';
import { cloudTrailMigrations, createEventStore, ROW_OVERHEAD, type QueuedEntry } from './store.js';

const A = '444444444444';
const B = '555555555555';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function entry(seq: number, account: string, time: number, pad = 0): QueuedEntry {
  return {
    seq,
    eventId: `${account}-e-${seq}`,
    recipientAccountId: account,
    eventTime: time,
    eventName: 'GetRole',
    eventSource: 'iam.amazonaws.com',
    readOnly: true,
    username: 'alice',
    category: 'Management',
    resources: [{ type: 'AWS::IAM::Role', name: `r${seq}` }],
    event: { eventID: `${account}-e-${seq}`, pad: 'x'.repeat(pad) } as unknown as CloudTrailEvent,
  };
}

const backends = testBackends();

for (const backend of backends) {
  describe(`event history retention (${backend.name})`, () => {
    let db: Database;
    beforeEach(async () => {
      db = backend.open();
      await runMigrations(db, cloudTrailMigrations);
    });
    afterEach(async () => backend.dispose(db));

    const ids = async (store: ReturnType<typeof createEventStore>, account: string) =>
      (await store.lookup({ accountId: account, insight: false, fingerprint: '', startTime: 0, endTime: 8.64e15, limit: 1000 })).events.map((e) => e.eventId);
    const resourceRows = async () => Number((await db.kysely.selectFrom('cloudtrail_event_resources').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n);

    it('drops what is older than 90 days by the clock, with its resources, and keeps the rest', async () => {
      const clock = fixedClock(T0);
      const store = createEventStore(db);
      // Ten events a day apart, ending now; one account has only recent events.
      await store.insert(Array.from({ length: 10 }, (_, i) => entry(i + 1, A, T0 - (95 - i) * DAY)));
      await store.insert([entry(11, B, T0 - DAY)]);
      const sweeper = createRetentionSweeper(store, () => clock.now(), { maxAgeMs: HISTORY_MS }, { batchSize: 3 });
      // 95..86 days old: 95, 94, 93, 92, 91 go (older than 90 days), 90 (exactly) and younger stay.
      expect(await sweeper.sweep()).toBe(5);
      expect(await ids(store, A)).toEqual([10, 9, 8, 7, 6].map((n) => `${A}-e-${n}`));
      expect(await ids(store, B)).toEqual([`${B}-e-11`]);
      expect(await resourceRows()).toBe(6);
      expect((await store.usage()).map((u) => [u.account, u.events])).toEqual([[A, 5], [B, 1]]);
      // A day later the next one is past the window; nothing else moves.
      clock.advance(DAY);
      expect(await sweeper.sweep()).toBe(1);
      expect(await ids(store, A)).toEqual([10, 9, 8, 7].map((n) => `${A}-e-${n}`));
      expect(await sweeper.sweep()).toBe(0);
    });

    it('caps each account by events, oldest first, in batches', async () => {
      const store = createEventStore(db);
      let seq = 0;
      for (let batch = 0; batch < 5; batch++) await store.insert(Array.from({ length: 20 }, () => (seq++, entry(seq, A, T0 - 1000 + seq))));
      await store.insert([entry(++seq, B, T0)]);
      const sweeper = createRetentionSweeper(store, () => T0, { maxAgeMs: HISTORY_MS, maxEvents: 30 }, { batchSize: 7 });
      expect(await sweeper.sweep()).toBe(70);
      expect(await ids(store, A)).toEqual(Array.from({ length: 30 }, (_, i) => `${A}-e-${100 - i}`));
      expect(await ids(store, B)).toEqual([`${B}-e-101`]);
      expect(await resourceRows()).toBe(31);
      expect(await store.usage()).toEqual([
        { account: A, events: 30, bytes: expect.any(Number) },
        { account: B, events: 1, bytes: expect.any(Number) },
      ]);
    });

    it('caps each account by bytes, counting each event as its texts plus the row overhead', async () => {
      const store = createEventStore(db);
      await store.insert(Array.from({ length: 50 }, (_, i) => entry(i + 1, A, T0 - 100 + i, 1000)));
      const [u] = await store.usage();
      const each = u!.bytes / 50;
      expect(each).toBeGreaterThan(1000 + ROW_OVERHEAD);
      expect(each).toBeLessThan(1200 + ROW_OVERHEAD);
      const maxBytes = Math.floor(each * 12.5);
      const sweeper = createRetentionSweeper(store, () => T0, { maxAgeMs: HISTORY_MS, maxBytes }, { batchSize: 500 });
      await sweeper.sweep();
      // 12.5 events' worth: 12 stay, the newest.
      expect(await ids(store, A)).toEqual(Array.from({ length: 12 }, (_, i) => `${A}-e-${50 - i}`));
      const [after] = await store.usage();
      expect(after!.events).toBe(12);
      expect(after!.bytes).toBeLessThanOrEqual(maxBytes);
      expect(after!.bytes).toBeGreaterThan(maxBytes - each);
    });

    it('sweeps soon after writes take an account a tenth past its event cap, without waiting for the timer', async () => {
      const store = createEventStore(db);
      const sweeper = createRetentionSweeper(store, () => T0, { maxAgeMs: HISTORY_MS, maxEvents: 20 }, { intervalMs: 3_600_000 });
      const batch = Array.from({ length: 21 }, (_, i) => entry(i + 1, A, T0 - 100 + i));
      await store.insert(batch);
      sweeper.written(batch);
      expect((await store.usage())[0]!.events).toBe(21);
      const more = [entry(22, A, T0 - 50), entry(23, A, T0 - 49)];
      await store.insert(more);
      sweeper.written(more);
      await expect.poll(async () => (await store.usage())[0]!.events).toBe(20);
      expect((await ids(store, A))[0]).toBe(`${A}-e-23`);
      await sweeper.close();
    });

    it('start() sweeps what a previous run left, and close() waits for a sweep in progress', async () => {
      const store = createEventStore(db);
      await store.insert(Array.from({ length: 30 }, (_, i) => entry(i + 1, A, T0 - 100 + i)));
      const sweeper = createRetentionSweeper(store, () => T0, { maxAgeMs: HISTORY_MS, maxEvents: 10 }, { intervalMs: 3_600_000 });
      sweeper.start();
      await expect.poll(async () => (await store.usage())[0]!.events).toBe(10);
      await sweeper.close();
      await store.insert([entry(31, A, T0)]);
      expect((await store.usage())[0]!.events).toBe(11);
    });

    it('stores each caller identity once and gives every record back whole, members in order', async () => {
      const store = createEventStore(db);
      const identity = { type: 'AssumedRole', principalId: 'AROA1:s', arn: `arn:aws:sts::${A}:assumed-role/R/s`, accountId: A, accessKeyId: 'ASIA1', sessionContext: { attributes: { creationDate: '2026-06-01T00:00:00Z', mfaAuthenticated: 'false' } } };
      const other = { type: 'IAMUser', principalId: 'AIDA1', arn: `arn:aws:iam::${A}:user/u`, accountId: A, userName: 'u, with a comma' };
      const record = (seq: number, who: object) => ({ eventVersion: '1.08', userIdentity: who, eventTime: '2026-06-01T00:00:00Z', eventName: 'GetRole', requestParameters: { roleName: `r${seq}` }, eventID: `${A}-e-${seq}`, recipientAccountId: A });
      const entries = Array.from({ length: 20 }, (_, i) => ({ ...entry(i + 1, A, T0 - 100 + i), event: record(i + 1, i % 5 === 0 ? other : identity) as unknown as CloudTrailEvent }));
      await store.insert(entries);
      const page = await store.lookup({ accountId: A, insight: false, fingerprint: '', startTime: 0, endTime: 8.64e15, limit: 50 });
      expect(page.events.map((e) => e.eventJson)).toEqual([...entries].reverse().map((e) => JSON.stringify(e.event)));
      const stored = await db.kysely.selectFrom('cloudtrail_events').select(['event_json', 'identity_id']).execute();
      expect(stored.every((r) => !r.event_json.includes('userIdentity') && r.identity_id !== null)).toBe(true);
      expect(Number((await db.kysely.selectFrom('cloudtrail_identities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n)).toBe(2);
      // A record without an identity, or whose members are in another order, is stored whole.
      await store.insert([{ ...entry(21, A, T0), event: { eventVersion: '1.08', eventID: 'x' } as unknown as CloudTrailEvent }]);
      expect((await store.lookup({ accountId: A, insight: false, fingerprint: '', startTime: 0, endTime: 8.64e15, limit: 1 })).events[0]!.eventJson).toBe('{"eventVersion":"1.08","eventID":"x"}');
      // Once no event names an identity and an hour has passed, the sweep deletes it; the one still named stays.
      const sweeper = createRetentionSweeper(store, () => T0 + 2 * 3_600_000, { maxAgeMs: HISTORY_MS, maxEvents: 16 });
      await sweeper.sweep(); // events 1-5 go: #1 and #6, #11, #16 were `other`; #6.. remain, so both identities stay
      expect(Number((await db.kysely.selectFrom('cloudtrail_identities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n)).toBe(2);
      await createRetentionSweeper(store, () => T0 + 2 * 3_600_000, { maxAgeMs: HISTORY_MS, maxEvents: 4 }).sweep(); // 18, 19, 20, 21 stay: no `other`
      const left = await db.kysely.selectFrom('cloudtrail_identities').select('identity_json').execute();
      expect(left.map((r) => JSON.parse(r.identity_json))).toEqual([identity]);
      expect((await store.lookup({ accountId: A, insight: false, fingerprint: '', startTime: 0, endTime: 8.64e15, limit: 50 })).events.map((e) => e.eventJson).slice(1)).toEqual(
        entries.slice(17).reverse().map((e) => JSON.stringify(e.event)),
      );
    });

    it('the migration counts the events and bytes of rows written before it', async () => {
      const fresh = backend.open();
      try {
        await runMigrations(fresh, cloudTrailMigrations.slice(0, 1));
        const row = (id: string, account: string) => ({
          event_id: id,
          recipient_account: account,
          event_time: T0,
          seq: 1,
          event_name: 'GetRole',
          event_source: 'iam.amazonaws.com',
          read_only: 'true',
          username: null,
          access_key_id: null,
          category: 'Management',
          resources_json: '[]',
          event_json: '{"eventID":"x"}',
        });
        await fresh.kysely.insertInto('cloudtrail_events').values([row('a1', A), row('a2', A), row('b1', B)]).execute();
        await runMigrations(fresh, cloudTrailMigrations);
        const store = createEventStore(fresh);
        const each = '[]'.length + '{"eventID":"x"}'.length + ROW_OVERHEAD;
        expect(await store.usage()).toEqual([
          { account: A, events: 2, bytes: 2 * each },
          { account: B, events: 1, bytes: each },
        ]);
        // And the sweep works on those rows.
        await createRetentionSweeper(store, () => T0, { maxAgeMs: HISTORY_MS, maxEvents: 1 }).sweep();
        expect((await store.usage()).map((u) => u.events)).toEqual([1, 1]);
      } finally {
        await backend.dispose(fresh);
      }
    });
  });
}
