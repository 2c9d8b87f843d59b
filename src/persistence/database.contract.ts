import { isAbortedTransactionError, sql } from 'kysely';
import type { Expression, Kysely, SqlBool } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database, Migration } from './db.js';
import { isForeignKeyViolation, isUniqueViolation } from './errors.js';
import { MIGRATIONS_TABLE, runMigrations } from './migrate.js';
import { binaryText, contains, dialectOf, startsWith } from './portable-sql.js';
import { createDocumentTable, documentMigration } from './documents.js';

/**
 * The behaviour every `Database` backend must share, run by each adapter's test file (Hono's
 * `runTest({ newRouter })` habit, Kysely's "same test against every dialect").
 *
 * @param name    shown in the test names
 * @param open    returns a handle on fresh, empty storage
 * @param close   closes a handle and discards its storage
 * @param reopen  closes a handle and returns a new one on the same storage; omit when the storage
 *                cannot outlive its handle (`:memory:`): the reopen checks are then skipped
 */
export function runDatabaseContract(
  name: string,
  open: () => Promise<Database>,
  close: (db: Database) => Promise<void>,
  reopen?: (db: Database) => Promise<Database>,
): void {
  /** Runs `body` on a fresh database; `body` returns the handle to close (a reopened one, if it reopened). */
  async function withDb(body: (db: Database) => Promise<Database | void>): Promise<void> {
    let db = await open();
    try {
      db = (await body(db)) ?? db;
    } finally {
      await close(db);
    }
  }

  describe(`Database contract: ${name}`, () => {
    describe('migrations', () => {
      it('applies pending migrations once, in name order, each with its bookkeeping row', () =>
        withDb(async (db) => {
          const calls: string[] = [];
          const migrations = [track('m-002', calls), track('m-001', calls)];
          const before = Date.now();
          expect(await runMigrations(db, migrations)).toEqual(['m-001', 'm-002']);
          expect(await runMigrations(db, migrations)).toEqual([]);
          expect(calls).toEqual(['m-001', 'm-002']);
          const rows = await db.kysely.selectFrom(MIGRATIONS_TABLE).selectAll().orderBy('name').execute();
          expect(rows.map((r) => r.name)).toEqual(['m-001', 'm-002']);
          for (const r of rows) {
            expect(typeof r.applied_at).toBe('number');
            expect(r.applied_at).toBeGreaterThanOrEqual(before);
            expect(r.applied_at).toBeLessThanOrEqual(Date.now());
          }
        }));

      it.skipIf(!reopen)('stays applied across a reopen, with the data written under it', () =>
        withDb(async (db) => {
          const calls: string[] = [];
          await runMigrations(db, [itemsMigration, track('m-001', calls)]);
          await db.kysely.insertInto('items').values(item('kept')).execute();
          const again = await reopen!(db);
          expect(await runMigrations(again, [itemsMigration, track('m-001', calls)])).toEqual([]);
          expect(calls).toEqual(['m-001']);
          expect(await names(again)).toEqual(['kept']);
          return again;
        }));

      it('applies a new migration that sorts before applied ones', () =>
        withDb(async (db) => {
          const calls: string[] = [];
          await runMigrations(db, [track('s3-001', calls)]);
          expect(await runMigrations(db, [track('s3-001', calls), track('iam-001', calls)])).toEqual(['iam-001']);
          expect(calls).toEqual(['s3-001', 'iam-001']);
        }));

      it('refuses a database that has a migration this build does not know, before applying anything', () =>
        withDb(async (db) => {
          const calls: string[] = [];
          await runMigrations(db, [track('a-001', calls), track('b-001', calls)]);
          await expect(runMigrations(db, [track('a-001', calls), track('c-001', calls)])).rejects.toThrow(
            /refusing to start.*does not know \(b-001\)/,
          );
          expect(calls).toEqual(['a-001', 'b-001']);
          expect(await appliedNames(db)).toEqual(['a-001', 'b-001']);
        }));

      it('rolls back a failing migration with its bookkeeping row and keeps the earlier ones', () =>
        withDb(async (db) => {
          const failing: Migration = {
            name: 'x-002',
            up: async (k) => {
              await k.schema.createTable('half_done').addColumn('id', 'integer').execute();
              throw new Error('boom');
            },
          };
          await expect(runMigrations(db, [itemsMigration, failing])).rejects.toThrow(/migration x-002 failed: boom/);
          expect(await appliedNames(db)).toEqual([itemsMigration.name]);
          await expect(db.kysely.selectFrom('half_done').selectAll().execute()).rejects.toThrow();

          const fixed: Migration = { name: 'x-002', up: (k) => k.schema.createTable('half_done').addColumn('id', 'integer').execute() };
          expect(await runMigrations(db, [itemsMigration, fixed])).toEqual(['x-002']);
          expect(await db.kysely.selectFrom('half_done').selectAll().execute()).toEqual([]);
        }));

      it('stops at a failing migration among several pending: the ones before it stay, the ones after it wait', () =>
        withDb(async (db) => {
          const after: Migration = { name: 'x-003', up: (k) => k.schema.createTable('after_failure').addColumn('id', 'integer').execute() };
          const failing: Migration = {
            name: 'x-002',
            up: async (k) => {
              await k.schema.createTable('half_done').addColumn('id', 'integer').execute();
              throw new Error('boom');
            },
          };
          await expect(runMigrations(db, [itemsMigration, failing, after])).rejects.toThrow(/migration x-002 failed: boom/);
          expect(await appliedNames(db)).toEqual([itemsMigration.name]);
          await db.kysely.insertInto('items').values(item('usable')).execute();
          await expect(db.kysely.selectFrom('half_done').selectAll().execute()).rejects.toThrow();
          await expect(db.kysely.selectFrom('after_failure').selectAll().execute()).rejects.toThrow();
        }));

      it('rejects duplicate or empty migration names', () =>
        withDb(async (db) => {
          await expect(runMigrations(db, [track('a-001', []), track('a-001', [])])).rejects.toThrow(/two migrations are named a-001/);
          await expect(runMigrations(db, [track('', [])])).rejects.toThrow(/empty name/);
        }));

      it('tells migrations which dialect they run on', () =>
        withDb(async (db) => {
          let seen: string | undefined;
          await runMigrations(db, [{ name: 'd-001', up: async (k) => void (seen = dialectOf(k)) }]);
          expect(seen).toBe(db.dialect);
          expect(dialectOf(db.kysely)).toBe(db.dialect);
        }));
    });

    describe('values', () => {
      it('round-trips text, integer, epoch-ms bigint (as number), null and JSON text; updates and deletes', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          const doc = { arn: 'arn:aws:iam::123456789012:role/a"b\\c', tags: [{ Key: 'ü€😀', Value: 'line\nbreak' }], n: 1.5, nil: null };
          const big = 'x'.repeat(200_000);
          const rows = [
            { name: 'zero', count: 0, created_at: 0, note: null, doc: JSON.stringify(doc), arn: null },
            { name: 'now', count: -7, created_at: Date.now(), note: '', doc: JSON.stringify({ big }), arn: null },
            { name: 'far', count: 2_147_483_647, created_at: 8_640_000_000_000_000, note: 'n', doc: '[]', arn: null },
            { name: 'max', count: 1, created_at: Number.MAX_SAFE_INTEGER, note: 'é', doc: '{}', arn: null },
            { name: 'neg', count: 1, created_at: -1, note: null, doc: 'null', arn: null },
          ];
          const inserted = await db.kysely.insertInto('items').values(rows).execute();
          expect(inserted[0].numInsertedOrUpdatedRows).toBe(BigInt(rows.length));

          const back = await db.kysely.selectFrom('items').selectAll().orderBy('name').execute();
          expect(back).toEqual([...rows].sort((a, b) => (a.name < b.name ? -1 : 1)));
          for (const r of back) {
            expect(typeof r.count).toBe('number');
            expect(typeof r.created_at).toBe('number');
          }
          expect(JSON.parse(back.find((r) => r.name === 'zero')!.doc)).toEqual(doc);
          expect(JSON.parse(back.find((r) => r.name === 'now')!.doc).big).toHaveLength(200_000);
          // Empty string and NULL stay distinct.
          expect(back.find((r) => r.name === 'now')!.note).toBe('');

          const agg = await db.kysely
            .selectFrom('items')
            .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('latest')])
            .executeTakeFirstOrThrow();
          expect(agg).toEqual({ n: 5, latest: Number.MAX_SAFE_INTEGER });

          const updated = await db.kysely.updateTable('items').set({ note: 'changed', count: sql`count + 1` }).where('name', '=', 'zero').executeTakeFirst();
          expect(updated.numUpdatedRows).toBe(1n);
          const returned = await db.kysely.updateTable('items').set({ note: null }).where('name', '=', 'far').returning(['name', 'created_at']).execute();
          expect(returned).toEqual([{ name: 'far', created_at: 8_640_000_000_000_000 }]);
          expect(await db.kysely.selectFrom('items').select(['count', 'note']).where('name', '=', 'zero').executeTakeFirst()).toEqual({ count: 1, note: 'changed' });

          const deleted = await db.kysely.deleteFrom('items').where('name', 'in', ['zero', 'now']).executeTakeFirst();
          expect(deleted.numDeletedRows).toBe(2n);
          expect(await names(db)).toEqual(['far', 'max', 'neg']);
          expect(await db.kysely.selectFrom('items').selectAll().where('name', '=', 'zero').executeTakeFirst()).toBeUndefined();
        }));

      it('reports unique and primary-key violations through isUniqueViolation', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values(item('a', { arn: 'arn:1' })).execute();

          const pk = await failure(db.kysely.insertInto('items').values(item('a', { arn: 'arn:2' })).execute());
          expect(isUniqueViolation(pk)).toBe(true);
          expect(isForeignKeyViolation(pk)).toBe(false);

          const unique = await failure(db.kysely.insertInto('items').values(item('b', { arn: 'arn:1' })).execute());
          expect(isUniqueViolation(unique)).toBe(true);
          // A wrapped error is recognised through its cause.
          expect(isUniqueViolation(new Error('wrapped', { cause: unique }))).toBe(true);

          const other = await failure(db.kysely.selectFrom('no_such_table').selectAll().execute());
          expect(isUniqueViolation(other)).toBe(false);
          expect(isUniqueViolation('SQLITE_CONSTRAINT_UNIQUE')).toBe(false);
          expect(await names(db)).toEqual(['a']);
        }));

      it('enforces foreign keys and reports them through isForeignKeyViolation', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration, tagsMigration]);
          await db.kysely.insertInto('items').values(item('a')).execute();
          await db.kysely.insertInto('tags').values({ item_name: 'a', tag: 't' }).execute();

          const orphan = await failure(db.kysely.insertInto('tags').values({ item_name: 'missing', tag: 't' }).execute());
          expect(isForeignKeyViolation(orphan)).toBe(true);
          expect(isUniqueViolation(orphan)).toBe(false);
          const parent = await failure(db.kysely.deleteFrom('items').where('name', '=', 'a').execute());
          expect(isForeignKeyViolation(parent)).toBe(true);
        }));

      it('supports insert … on conflict do nothing as the portable "create if absent"', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          const insert = (note: string) =>
            db.kysely
              .insertInto('items')
              .values(item('a', { note }))
              .onConflict((oc) => oc.column('name').doNothing())
              .executeTakeFirst();
          expect((await insert('first')).numInsertedOrUpdatedRows).toBe(1n);
          expect((await insert('second')).numInsertedOrUpdatedRows).toBe(0n);
          expect((await db.kysely.selectFrom('items').select('note').executeTakeFirstOrThrow()).note).toBe('first');
        }));
    });

    describe('transactions', () => {
      it('commits everything fn wrote and returns its value', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          const result = await db.transaction(async (trx) => {
            await trx.insertInto('items').values([item('a'), item('b')]).execute();
            // Reads inside see the transaction's own writes.
            return (await trx.selectFrom('items').select('name').execute()).length;
          });
          expect(result).toBe(2);
          expect(await names(db)).toEqual(['a', 'b']);
        }));

      it('makes nothing visible when fn throws, and rethrows the same error', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values(item('kept', { count: 1 })).execute();
          const boom = new Error('boom');
          const err = await failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('a')).execute();
              await trx.updateTable('items').set({ count: 99 }).where('name', '=', 'kept').execute();
              await trx.schema.createTable('made_in_tx').addColumn('id', 'integer').execute();
              throw boom;
            }),
          );
          expect(err).toBe(boom);
          expect(await db.kysely.selectFrom('items').select(['name', 'count']).execute()).toEqual([{ name: 'kept', count: 1 }]);
          await expect(db.kysely.selectFrom('made_in_tx').selectAll().execute()).rejects.toThrow();
        }));

      it('rolls back a transaction that hit a unique violation; the error stays recognisable', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values(item('a')).execute();
          const err = await failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('b')).execute();
              await trx.insertInto('items').values(item('a')).execute();
            }),
          );
          expect(isUniqueViolation(err)).toBe(true);
          expect(await names(db)).toEqual(['a']);
        }));

      it('aborts the whole transaction at a failed statement, even when fn catches the error (PostgreSQL semantics)', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values(item('a')).execute();
          let caught: unknown;
          let after: unknown;
          const err = await failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('b')).execute();
              try {
                await trx.insertInto('items').values(item('a')).execute();
              } catch (e) {
                caught = e;
              }
              after = await failure(trx.selectFrom('items').selectAll().execute());
            }),
          );
          expect(isUniqueViolation(caught)).toBe(true);
          expect((after as { code?: string }).code).toBe('25P02');
          expect(isAbortedTransactionError(err)).toBe(true);
          expect(await names(db)).toEqual(['a']);

          // Swallowing the error without a further statement still does not commit.
          const silent = await failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('c')).execute();
              await trx.insertInto('items').values(item('a')).execute().catch(() => undefined);
            }),
          );
          expect(isAbortedTransactionError(silent)).toBe(true);
          expect(await names(db)).toEqual(['a']);

          // The portable way to tolerate a duplicate inside a transaction.
          await db.transaction(async (trx) => {
            await trx.insertInto('items').values(item('a')).onConflict((oc) => oc.doNothing()).execute();
            await trx.insertInto('items').values(item('d')).execute();
          });
          expect(await names(db)).toEqual(['a', 'd']);
        }));

      it('runs 50 concurrent read-modify-write transactions without losing an update', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values(item('counter', { count: 0 })).execute();
          await Promise.all(
            Array.from({ length: 50 }, () =>
              db.transaction(async (trx) => {
                const { count } = await trx.selectFrom('items').select('count').where('name', '=', 'counter').executeTakeFirstOrThrow();
                await new Promise((r) => setImmediate(r));
                await trx.updateTable('items').set({ count: count + 1 }).where('name', '=', 'counter').execute();
              }),
            ),
          );
          expect((await db.kysely.selectFrom('items').select('count').executeTakeFirstOrThrow()).count).toBe(50);
        }));

      it('never shows a reader half of a concurrent transaction', () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          await db.kysely.insertInto('items').values([item('left', { count: 100 }), item('right', { count: 100 })]).execute();
          const transfer = (amount: number) =>
            db.transaction(async (trx) => {
              await trx.updateTable('items').set({ count: sql`count - ${amount}` }).where('name', '=', 'left').execute();
              await new Promise((r) => setImmediate(r));
              await trx.updateTable('items').set({ count: sql`count + ${amount}` }).where('name', '=', 'right').execute();
            });
          const sums: number[] = [];
          const read = async () => {
            for (let i = 0; i < 20; i++) {
              const rows = await db.kysely.selectFrom('items').select('count').execute();
              sums.push(rows.reduce((s, r) => s + r.count, 0));
            }
          };
          await Promise.all([...Array.from({ length: 20 }, (_, i) => transfer(i + 1)), read(), read()]);
          expect(new Set(sums)).toEqual(new Set([200]));
          expect(await db.kysely.selectFrom('items').select(['name', 'count']).orderBy('name').execute()).toEqual([
            { name: 'left', count: 100 - 210 },
            { name: 'right', count: 100 + 210 },
          ]);
        }));

      it('rejects db.kysely or db.transaction used inside a transaction instead of hanging, and stays usable', { timeout: 10_000 }, () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          const outer = await failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('a')).execute();
              await db.kysely.selectFrom('items').selectAll().execute();
            }),
          );
          expect(String(outer)).toMatch(/use the `trx` argument/);
          const nested = await failure(db.transaction(async () => db.transaction(async () => 1)));
          expect(String(nested)).toMatch(/use the `trx` argument/);
          expect(await names(db)).toEqual([]);
          // Work that outlives its transaction may use the database again.
          let later: Promise<unknown> | undefined;
          await db.transaction(async () => {
            later = new Promise((r) => setTimeout(r, 20)).then(() => db.kysely.selectFrom('items').selectAll().execute());
          });
          await expect(later).resolves.toEqual([]);
          expect(await db.transaction(async (trx) => (await trx.selectFrom('items').selectAll().execute()).length)).toBe(0);
        }));

      it('still rejects db.kysely inside a transaction after another transaction ended while it was open', { timeout: 10_000 }, () =>
        withDb(async (db) => {
          await runMigrations(db, [itemsMigration]);
          let release!: () => void;
          const held = new Promise<void>((r) => (release = r));
          const long = failure(
            db.transaction(async (trx) => {
              await trx.insertInto('items').values(item('a')).execute();
              await held;
              await db.kysely.selectFrom('items').selectAll().execute();
            }),
          );
          // PostgreSQL runs this one beside the open one and ends it first; SQLite queues it behind.
          const short = db.transaction(async (trx) => (await trx.selectFrom('items').selectAll().execute()).length);
          await new Promise((r) => setTimeout(r, 30));
          release();
          expect(String(await long)).toMatch(/use the `trx` argument/);
          expect(await short).toBe(0);
          expect(await names(db)).toEqual([]);
        }));
    });

    describe('text comparison and pagination', () => {
      // ASCII case and punctuation variants that linguistic collations order differently, plus non-ASCII.
      const NAMES = ['b', 'B', 'a', 'A', '_x', 'Z9', 'a-b', 'ab', 'aB', 'a b', 'a_b', 'a%b', 'a\\b', '~', '0', 'é', 'ü', 'Ā', 'ab.c'];
      const BYTE_ORDER = [...NAMES].sort(); // code-unit order = UTF-8 byte order for these (no surrogates)

      async function seeded(db: Database): Promise<void> {
        await runMigrations(db, [itemsMigration]);
        const shuffled = [...NAMES].sort(() => Math.random() - 0.5);
        for (const name of shuffled) await db.kysely.insertInto('items').values(item(name)).execute();
      }

      it('orders in byte order and pages with where name > cursor order by name limit n', () =>
        withDb(async (db) => {
          await seeded(db);
          expect(await names(db)).toEqual(BYTE_ORDER);
          for (const pageSize of [1, 3, 7, 100]) {
            const walked: string[] = [];
            let cursor: string | undefined;
            for (;;) {
              let q = db.kysely.selectFrom('items').select('name').orderBy('name').limit(pageSize);
              if (cursor !== undefined) q = q.where('name', '>', cursor);
              const page = (await q.execute()).map((r) => r.name as string);
              walked.push(...page);
              if (page.length < pageSize) break;
              cursor = page[page.length - 1];
            }
            expect(walked).toEqual(BYTE_ORDER);
          }
          const desc = await db.kysely.selectFrom('items').select('name').where('name', '<', 'a').orderBy('name', 'desc').execute();
          expect(desc.map((r) => r.name)).toEqual(BYTE_ORDER.filter((n) => n < 'a').reverse());
        }));

      it('compares = and ranges case-sensitively', () =>
        withDb(async (db) => {
          await seeded(db);
          const eq = async (name: string) => (await db.kysely.selectFrom('items').select('name').where('name', '=', name).execute()).map((r) => r.name);
          expect(await eq('ab')).toEqual(['ab']);
          expect(await eq('aB')).toEqual(['aB']);
          expect(await eq('AB')).toEqual([]);
          expect(await eq('é')).toEqual(['é']);
          const range = await db.kysely.selectFrom('items').select('name').where('name', '>=', 'a').where('name', '<', 'b').orderBy('name').execute();
          expect(range.map((r) => r.name)).toEqual(BYTE_ORDER.filter((n) => n >= 'a' && n < 'b'));
        }));

      it('matches LIKE case-sensitively; startsWith/contains escape % _ and \\', () =>
        withDb(async (db) => {
          await seeded(db);
          const where = async (cond: Expression<SqlBool>) =>
            (await db.kysely.selectFrom('items').select('name').where(cond).orderBy('name').execute()).map((r) => r.name);
          expect(await where(sql`name like ${'a%'}`)).toEqual(BYTE_ORDER.filter((n) => n.startsWith('a')));
          expect(await where(sql`name like ${'A%'}`)).toEqual(['A']);
          expect(await where(startsWith('name', 'a_'))).toEqual(['a_b']);
          expect(await where(startsWith('name', 'a%'))).toEqual(['a%b']);
          expect(await where(startsWith('name', 'a\\'))).toEqual(['a\\b']);
          expect(await where(startsWith('name', 'ab'))).toEqual(['ab', 'ab.c']);
          expect(await where(contains('name', 'B'))).toEqual(['B', 'aB']);
          expect(await where(contains('name', '.'))).toEqual(['ab.c']);
          expect(await where(contains('name', '_'))).toEqual(['_x', 'a_b']);
        }));
    });

    describe('document tables (Glue catalog, Lake Formation grants, RAM shares)', () => {
      it('puts, replaces, lists by scope and key prefix in byte order, inserts only once and deletes', () =>
        withDb(async (db) => {
          await runMigrations(db, [documentMigration('docs-001', 'contract_docs')]);
          const docs = createDocumentTable(db, 'contract_docs');
          await docs.put('111111111111', 'table', 'sales/b', { n: 1 });
          await docs.put('111111111111', 'table', 'sales/B', { n: 2 });
          await docs.put('111111111111', 'table', 'hr/x', { n: 3 });
          await docs.put('222222222222', 'table', 'sales/a', { n: 4 });
          await docs.put('111111111111', 'grant', 'sales/a', { n: 5 });
          await docs.put('111111111111', 'table', 'sales/b', { n: 6, nested: { ok: true } });
          expect(await docs.get('111111111111', 'table', 'sales/b')).toEqual({ n: 6, nested: { ok: true } });
          expect(await docs.get('111111111111', 'table', 'sales/c')).toBeUndefined();
          const keys = async (scope: string | undefined, prefix?: string) => (await docs.list(scope, 'table', prefix)).map((r) => `${r.scope}:${r.key}`);
          expect(await keys('111111111111')).toEqual(['111111111111:hr/x', '111111111111:sales/B', '111111111111:sales/b']);
          expect(await keys('111111111111', 'sales/')).toEqual(['111111111111:sales/B', '111111111111:sales/b']);
          expect(await keys(undefined, 'sales/')).toEqual(['111111111111:sales/B', '222222222222:sales/a', '111111111111:sales/b']);
          expect(await docs.insert('111111111111', 'table', 'hr/x', { n: 7 })).toBe(false);
          expect(await docs.get('111111111111', 'table', 'hr/x')).toEqual({ n: 3 });
          expect(await docs.insert('111111111111', 'table', 'hr/y', { n: 8 })).toBe(true);
          expect(await docs.delete('111111111111', 'table', 'hr/x')).toBe(true);
          expect(await docs.delete('111111111111', 'table', 'hr/x')).toBe(false);
          expect(await keys('111111111111', 'hr/')).toEqual(['111111111111:hr/y']);
        }));
    });

    it('lets timers and I/O run during a long run of awaited queries', () =>
      withDb(async (db) => {
        await runMigrations(db, [itemsMigration]);
        let timerFiredAt = -1;
        let queries = 0;
        setTimeout(() => (timerFiredAt = queries), 0);
        // Without yields the loop would run its full 2 s with the timer still pending.
        const started = Date.now();
        while (timerFiredAt < 0 && Date.now() - started < 2000) {
          await db.kysely.selectFrom('items').select('name').where('name', '=', 'x').execute();
          queries++;
        }
        expect(timerFiredAt).toBeGreaterThanOrEqual(0);
        expect(Date.now() - started).toBeLessThan(2000);
      }));

    it('rejects queries and transactions after close, whether or not it was used, and closes twice', async () => {
      for (const used of [false, true]) {
        const db = await open();
        if (used) await runMigrations(db, [itemsMigration]);
        await close(db);
        await expect(db.kysely.selectFrom('items').selectAll().execute()).rejects.toThrow(/database is closed|driver has already been destroyed/);
        await expect(db.transaction(async () => 1)).rejects.toThrow(/database is closed|driver has already been destroyed/);
        await db.close();
      }
    });
  });
}

interface ItemRow {
  name: string;
  count: number;
  created_at: number;
  note: string | null;
  doc: string;
  arn: string | null;
}

function item(name: string, over: Partial<ItemRow> = {}): ItemRow {
  return { name, count: 0, created_at: 1_700_000_000_000, note: null, doc: '{}', arn: null, ...over };
}

const itemsMigration: Migration = {
  name: 'contract-001-items',
  async up(db) {
    await db.schema
      .createTable('items')
      .addColumn('name', binaryText(db), (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.unique())
      .execute();
    await db.schema.createIndex('items_created_at').on('items').columns(['created_at', 'name']).execute();
  },
};

const tagsMigration: Migration = {
  name: 'contract-002-tags',
  up: (db) =>
    db.schema
      .createTable('tags')
      .addColumn('item_name', binaryText(db), (c) => c.notNull().references('items.name'))
      .addColumn('tag', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('tags_pk', ['item_name', 'tag'])
      .execute(),
};

function track(name: string, calls: string[]): Migration {
  return {
    name,
    async up(db: Kysely<any>) {
      calls.push(name);
      await db.schema.createTable(`t_${name.replace(/\W/g, '_')}`).addColumn('id', 'integer').execute();
    },
  };
}

async function names(db: Database): Promise<string[]> {
  return (await db.kysely.selectFrom('items').select('name').orderBy('name').execute()).map((r) => r.name as string);
}

async function appliedNames(db: Database): Promise<string[]> {
  return (await db.kysely.selectFrom(MIGRATIONS_TABLE).select('name').orderBy('name').execute()).map((r) => r.name as string);
}

/** The rejection reason of `p`; fails the test if `p` resolves. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
