/**
 * The CloudTrail service below the protocol layer: calls recorded through the sink, LookupEvents called
 * directly with a fake RequestContext. Runs on SQLite, and on PostgreSQL too when MLZONE_TEST_PG is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { isAwsError, type AwsError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { CallRecord } from '../../gateway/audit-port.js';
import type { Database } from '../../persistence/db.js';
import { runMigrations } from '../../persistence/migrate.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { openSqlite } from '../../persistence/sqlite/index.js';
// eslint-disable-next-line no-restricted-imports -- tests need a concrete database; only app/ wires one in production
import { dropTestSchema, openTestPostgres, testSchemaOf } from '../../persistence/postgres/testing.js';
import type { Event, LookupEventsRequest, LookupEventsResponse } from './api.gen.js';
import { buildEvents } from './domain/event.js';
import { HISTORY_MS } from './domain/lookup.js';
import { createCloudTrailService, type CloudTrailService } from './index.js';
import { createAuditSink } from './sink.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const DS1 = '444444444444';
const DS2 = '555555555555';
const LAKE = '333333333333';

function userPrincipal(accountId: string, name: string, key: string): Principal {
  return { type: 'IAMUser', accountId, arn: `arn:aws:iam::${accountId}:user/${name}`, userId: `AIDA${name.toUpperCase()}`, accessKeyId: key, name };
}
const alice = userPrincipal(DS1, 'alice', 'AKIAALICE');
const bob = userPrincipal(DS1, 'bob', 'AKIABOB');
const carol = userPrincipal(DS2, 'carol', 'AKIACAROL');

let requests = 0;
function ctx(principal: Principal, service: string, operation: string, now: number): RequestContext {
  return {
    requestId: `req-${++requests}`,
    service,
    operation,
    region: 'us-east-1',
    principal,
    accountId: principal.accountId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    now,
    secureTransport: false,
  };
}

interface Backend {
  readonly name: string;
  open(): Promise<Database>;
  /** Closes and opens the same database again (a restart). */
  reopen(db: Database): Promise<Database>;
  dispose(db: Database): Promise<void>;
}

const pgUrl = process.env.MLZONE_TEST_PG;
const backends: Backend[] = [
  (() => {
    const files = new WeakMap<Database, string>();
    return {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'mlzone-cloudtrail-'));
        const db = openSqlite({ file: join(dir, 'db.sqlite') });
        files.set(db, dir);
        return db;
      },
      async reopen(db) {
        const dir = files.get(db)!;
        await db.close();
        const again = openSqlite({ file: join(dir, 'db.sqlite') });
        files.set(again, dir);
        return again;
      },
      async dispose(db) {
        await db.close();
        rmSync(files.get(db)!, { recursive: true, force: true });
      },
    };
  })(),
];
if (pgUrl) {
  backends.push({
    name: 'postgres',
    open: async () => openTestPostgres(pgUrl),
    async reopen(db) {
      await db.close();
      return openTestPostgres(pgUrl, testSchemaOf(db));
    },
    async dispose(db) {
      await db.close();
      await dropTestSchema(pgUrl, testSchemaOf(db));
    },
  });
}

async function rejection(p: Promise<unknown>): Promise<AwsError> {
  try {
    await p;
  } catch (e) {
    if (isAwsError(e)) return e;
    throw e;
  }
  throw new Error('expected an AwsError');
}

for (const backend of backends) {
  describe(`CloudTrail on ${backend.name}`, () => {
    let db: Database;
    let svc: CloudTrailService;
    let transactions = 0;
    const clock = fixedClock(T0);

    /** Counts transactions, to see that a flush writes its batch in one. */
    function counting(inner: Database): Database {
      return {
        dialect: inner.dialect,
        kysely: inner.kysely,
        transaction: (fn) => {
          transactions++;
          return inner.transaction(fn);
        },
        close: () => inner.close(),
      };
    }

    function start(inner: Database, flushDelayMs = 60_000, batchSize = 10_000) {
      db = inner;
      svc = createCloudTrailService({ db: counting(inner), clock, sink: { flushDelayMs, batchSize } });
    }

    beforeEach(async () => {
      transactions = 0;
      const inner = await backend.open();
      await runMigrations(inner, createCloudTrailService({ db: inner, clock }).migrations);
      start(inner);
    });
    afterEach(async () => {
      await svc.sink.flush();
      await backend.dispose(db);
    });

    function record(principal: Principal, service: string, operation: string, at: number, input: unknown = {}, rest: Partial<CallRecord> = {}): RequestContext {
      const c = ctx(principal, service, operation, at);
      svc.sink.record({ ctx: c, input, resourceAccounts: [], ...rest });
      return c;
    }

    async function lookup(caller: Principal, input: LookupEventsRequest = {}): Promise<LookupEventsResponse> {
      return (await svc.definition.handlers['LookupEvents']!(input, ctx(caller, 'cloudtrail', 'LookupEvents', clock.now()))) as LookupEventsResponse;
    }

    const names = (events: Event[] | undefined) => (events ?? []).map((e) => e.EventName);

    it('finds a call by each lookup attribute, with the record as JSON', async () => {
      record(alice, 'iam', 'CreateRole', T0 - 5000, { RoleName: 'Trainer', AssumeRolePolicyDocument: '{}' }, { output: { Role: { RoleName: 'Trainer' } } });
      record(bob, 'iam', 'GetRole', T0 - 4000, { RoleName: 'Trainer' });
      record(alice, 'sts', 'GetCallerIdentity', T0 - 3000);
      record(alice, 'sts', 'AssumeRole', T0 - 2000, { RoleArn: `arn:aws:iam::${DS1}:role/DataScientist`, RoleSessionName: 's1' });

      const byName = await lookup(alice, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRole' }] });
      expect(byName.Events).toHaveLength(1);
      const e = byName.Events![0]!;
      expect(e).toMatchObject({
        EventName: 'CreateRole',
        ReadOnly: 'false',
        AccessKeyId: 'AKIAALICE',
        EventTime: new Date(T0 - 5000),
        EventSource: 'iam.amazonaws.com',
        Username: 'alice',
        Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'Trainer' }],
      });
      const record1 = JSON.parse(e.CloudTrailEvent!);
      expect(record1).toMatchObject({
        eventID: e.EventId,
        eventName: 'CreateRole',
        userIdentity: { type: 'IAMUser', userName: 'alice', accountId: DS1 },
        requestParameters: { roleName: 'Trainer', assumeRolePolicyDocument: '{}' },
        responseElements: { role: { roleName: 'Trainer' } },
        recipientAccountId: DS1,
      });

      const only = async (AttributeKey: string, AttributeValue: string) =>
        names((await lookup(alice, { LookupAttributes: [{ AttributeKey, AttributeValue }] })).Events);
      expect(await only('Username', 'bob')).toEqual(['GetRole']);
      expect(await only('Username', 'alice')).toEqual(['AssumeRole', 'GetCallerIdentity', 'CreateRole']);
      expect(await only('AccessKeyId', 'AKIABOB')).toEqual(['GetRole']);
      expect(await only('EventSource', 'sts.amazonaws.com')).toEqual(['AssumeRole', 'GetCallerIdentity']);
      expect(await only('ReadOnly', 'true')).toEqual(['GetCallerIdentity', 'GetRole']);
      expect(await only('ReadOnly', 'false')).toEqual(['AssumeRole', 'CreateRole']);
      expect(await only('EventId', e.EventId!)).toEqual(['CreateRole']);
      expect(await only('ResourceType', 'AWS::IAM::Role')).toEqual(['AssumeRole', 'GetRole', 'CreateRole']);
      expect(await only('ResourceName', 'Trainer')).toEqual(['GetRole', 'CreateRole']);
      expect(await only('ResourceName', `arn:aws:iam::${DS1}:role/DataScientist`)).toEqual(['AssumeRole']);
      expect(await only('EventName', 'DeleteRole')).toEqual([]);
    });

    it('lists newest first, ties in the order the calls were recorded', async () => {
      record(alice, 'iam', 'A1', T0 - 3000);
      record(alice, 'iam', 'B1', T0 - 1000);
      record(alice, 'iam', 'B2', T0 - 1000);
      record(alice, 'iam', 'C1', T0 - 2000);
      expect(names((await lookup(alice)).Events)).toEqual(['B2', 'B1', 'C1', 'A1']);
    });

    it('filters by an inclusive time range and rejects an inverted one', async () => {
      for (let i = 0; i < 5; i++) record(alice, 'iam', `Op${i}`, T0 - 10_000 + i * 1000);
      const r = await lookup(alice, { StartTime: new Date(T0 - 9000), EndTime: new Date(T0 - 7000) });
      expect(names(r.Events)).toEqual(['Op3', 'Op2', 'Op1']);
      const err = await rejection(lookup(alice, { StartTime: new Date(T0), EndTime: new Date(T0 - 1) }));
      expect(err.code).toBe('InvalidTimeRangeException');
    });

    it('covers the last 90 days only', async () => {
      record(alice, 'iam', 'Old', T0 - HISTORY_MS - 1);
      record(alice, 'iam', 'Recent', T0 - HISTORY_MS + 1000);
      expect(names((await lookup(alice)).Events)).toEqual(['Recent']);
      expect(names((await lookup(alice, { StartTime: new Date(0) })).Events)).toEqual(['Recent']);
    });

    it('pages through three pages with NextToken, without gaps or repeats', async () => {
      const all: string[] = [];
      for (let i = 0; i < 7; i++) {
        record(alice, 'iam', `Op${i}`, T0 - 7000 + i * 1000);
        all.unshift(`Op${i}`);
      }
      record(bob, 'iam', 'NotAlice', T0 - 500);
      const filter = { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }], MaxResults: 3 };
      const p1 = await lookup(alice, filter);
      const p2 = await lookup(alice, { ...filter, NextToken: p1.NextToken });
      const p3 = await lookup(alice, { ...filter, NextToken: p2.NextToken });
      expect([p1, p2, p3].map((p) => p.Events!.length)).toEqual([3, 3, 1]);
      expect(p1.NextToken).toBeDefined();
      expect(p2.NextToken).toBeDefined();
      expect(p3.NextToken).toBeUndefined();
      expect([...names(p1.Events), ...names(p2.Events), ...names(p3.Events)]).toEqual(all);

      // A later call does not shift the pages a caller is walking.
      record(alice, 'iam', 'Newer', T0);
      const again = await lookup(alice, { ...filter, NextToken: p1.NextToken });
      expect(names(again.Events)).toEqual(names(p2.Events));
    });

    it('defaults to 50 events a page', async () => {
      for (let i = 0; i < 55; i++) record(alice, 'iam', 'Op', T0 - 60_000 + i);
      const r = await lookup(alice);
      expect(r.Events).toHaveLength(50);
      expect(r.NextToken).toBeDefined();
    });

    it('rejects a token that is not ours or was issued for other parameters', async () => {
      for (let i = 0; i < 3; i++) record(alice, 'iam', 'Op', T0 - 1000 + i);
      const p1 = await lookup(alice, { MaxResults: 1, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Op' }] });
      expect((await rejection(lookup(alice, { NextToken: 'garbage' }))).code).toBe('InvalidNextTokenException');
      expect((await rejection(lookup(alice, { MaxResults: 1, NextToken: p1.NextToken }))).code).toBe('InvalidNextTokenException');
    });

    it('accepts one lookup attribute only, and ReadOnly true or false', async () => {
      const two = await rejection(
        lookup(alice, {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'A' },
            { AttributeKey: 'Username', AttributeValue: 'alice' },
          ],
        }),
      );
      expect(two.code).toBe('InvalidLookupAttributesException');
      expect((await rejection(lookup(alice, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'yes' }] }))).code).toBe(
        'InvalidLookupAttributesException',
      );
      expect((await rejection(lookup(alice, { MaxResults: 51 }))).code).toBe('InvalidMaxResultsException');
      expect((await rejection(lookup(alice, { MaxResults: 0 }))).code).toBe('InvalidMaxResultsException');
    });

    it('answers no insight events', async () => {
      record(alice, 'iam', 'CreateRole', T0 - 1000);
      expect(await lookup(alice, { EventCategory: 'insight' })).toEqual({ Events: [] });
    });

    it('shows each account its own events; a cross-account call appears in both', async () => {
      record(alice, 'iam', 'CreateRole', T0 - 3000, { RoleName: 'Mine' });
      record(carol, 'iam', 'CreateRole', T0 - 2000, { RoleName: 'Theirs' });
      record(alice, 'sts', 'AssumeRole', T0 - 1000, { RoleArn: `arn:aws:iam::${LAKE}:role/DataConsumer`, RoleSessionName: 'lake' });
      record(alice, 's3', 'PutObject', T0 - 500, { Bucket: 'b', Key: 'k' }, { resourceAccounts: [DS2] });

      expect(names((await lookup(alice)).Events)).toEqual(['AssumeRole', 'CreateRole']);
      expect(names((await lookup(carol)).Events)).toEqual(['CreateRole']);
      const lakeAdmin = userPrincipal(LAKE, 'lake-admin', 'AKIALAKE');
      const lake = await lookup(lakeAdmin);
      expect(names(lake.Events)).toEqual(['AssumeRole']);
      const inLake = JSON.parse(lake.Events![0]!.CloudTrailEvent!);
      expect(inLake).toMatchObject({ recipientAccountId: LAKE, userIdentity: { arn: alice.arn, accountId: DS1 } });
      const inDs1 = JSON.parse((await lookup(alice, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] })).Events![0]!.CloudTrailEvent!);
      expect(inDs1.sharedEventID).toBe(inLake.sharedEventID);
      expect(inDs1.eventID).not.toBe(inLake.eventID);
      // Data events are recorded but, as in AWS event history, not listed.
      expect(await svc.sink.flush().then(() => countRows(db))).toBe(6);
    });

    it('writes nothing until a flush, then the whole batch in one transaction', async () => {
      for (let i = 0; i < 20; i++) record(alice, 'iam', 'Op', T0 - 100 + i);
      expect(await countRows(db)).toBe(0);
      expect(svc.sink.stats().queued).toBe(20);
      await svc.sink.flush();
      expect(transactions).toBe(1);
      expect(await countRows(db)).toBe(20);
      expect(svc.sink.stats().queued).toBe(0);
      await svc.sink.flush();
      expect(transactions).toBe(1);
    });

    it('LookupEvents sees the calls still queued (read-your-writes)', async () => {
      record(alice, 'iam', 'CreateRole', T0 - 1);
      expect(names((await lookup(alice)).Events)).toEqual(['CreateRole']);
    });

    it('flushes on its own after the delay, and when the queue reaches the batch size', async () => {
      start(db, 20, 5);
      record(alice, 'iam', 'Timed', T0 - 1);
      await new Promise((r) => setTimeout(r, 120));
      expect(await countRows(db)).toBe(1);
      start(db, 60_000, 5);
      for (let i = 0; i < 5; i++) record(alice, 'iam', 'Batched', T0 + i);
      // Well before the 60 s timer: the batch size started the flush (a flush is a few statements; the machine may be busy).
      await expect.poll(() => countRows(db), { timeout: 2000 }).toBe(6);
    });

    it('keeps events across a restart', async () => {
      record(alice, 'iam', 'CreateRole', T0 - 1000, { RoleName: 'Durable' });
      await svc.sink.flush();
      start(await backend.reopen(db));
      const r = await lookup(alice, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'Durable' }] });
      expect(names(r.Events)).toEqual(['CreateRole']);
    });
  });
}

async function countRows(db: Database): Promise<number> {
  const r = await db.kysely.selectFrom('cloudtrail_events').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

describe('audit sink', () => {
  const c: RequestContext = ctx(alice, 'iam', 'CreateRole', T0);
  const call: CallRecord = { ctx: c, input: {}, resourceAccounts: [] };
  let n = 0;
  const build = (x: CallRecord) => buildEvents(x, () => `id-${++n}`);

  it('bounds the queue and counts what it drops', async () => {
    const inserted: number[] = [];
    const sink = createAuditSink({ insert: async (b) => void inserted.push(b.length) }, build, { maxQueued: 3, flushDelayMs: 60_000 });
    for (let i = 0; i < 5; i++) sink.record(call);
    expect(sink.stats()).toEqual({ queued: 3, dropped: 2 });
    await sink.flush();
    expect(inserted).toEqual([3]);
    expect(sink.stats()).toEqual({ queued: 0, dropped: 2 });
  });

  it('keeps a failed batch queued, rejects that flush, and writes it on the next', async () => {
    let fail = true;
    const inserted: string[] = [];
    const sink = createAuditSink(
      {
        insert: async (b) => {
          if (fail) throw new Error('database down');
          inserted.push(...b.map((e) => e.eventId));
        },
      },
      build,
      { flushDelayMs: 60_000 },
    );
    sink.record(call);
    sink.record(call);
    await expect(sink.flush()).rejects.toThrow('database down');
    expect(sink.stats().queued).toBe(2);
    fail = false;
    await sink.flush();
    expect(inserted).toHaveLength(2);
  });

  it('never throws into the request, even when an event cannot be built', () => {
    const logged: string[] = [];
    const sink = createAuditSink({ insert: async () => undefined }, () => {
      throw new Error('boom');
    }, { log: (m) => void logged.push(m) });
    expect(() => sink.record(call)).not.toThrow();
    expect(logged[0]).toContain(c.requestId);
  });

  it('runs flushes one after another', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sink = createAuditSink(
      {
        insert: async (b) => {
          order.push(`start ${b.length}`);
          if (order.length === 1) await gate;
          order.push(`end ${b.length}`);
        },
      },
      build,
      { flushDelayMs: 60_000 },
    );
    sink.record(call);
    const first = sink.flush();
    await new Promise((r) => setTimeout(r, 10));
    sink.record(call);
    sink.record(call);
    const second = sink.flush();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
