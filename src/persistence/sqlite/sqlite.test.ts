import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../db.js';
import { runDatabaseContract } from '../database.contract.js';
import { openSqlite } from './index.js';
import { withStatementCache } from './statement-cache.js';

const root = mkdtempSync(join(tmpdir(), 'mlzone-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

runDatabaseContract(
  'sqlite :memory:',
  async () => openSqlite({ file: ':memory:' }),
  (db) => db.close(),
);

const files = new WeakMap<Database, string>();
let counter = 0;
runDatabaseContract(
  'sqlite file',
  async () => {
    // A nested, not yet existing directory: openSqlite creates it.
    const file = join(root, `db${++counter}`, 'data', 'mlzone.db');
    const db = openSqlite({ file });
    files.set(db, file);
    return db;
  },
  async (db) => {
    await db.close();
    rmSync(join(files.get(db)!, '..', '..'), { recursive: true, force: true });
  },
  async (db) => {
    await db.close();
    const again = openSqlite({ file: files.get(db)! });
    files.set(again, files.get(db)!);
    return again;
  },
);

describe('openSqlite', () => {
  const pragma = async (db: Database, name: string) =>
    Object.values((await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(db.kysely)).rows[0] ?? {})[0];

  it('sets WAL, synchronous=NORMAL, foreign keys, busy timeout and case-sensitive LIKE on a file', async () => {
    const db = openSqlite({ file: join(root, 'pragmas', 'a.db') });
    try {
      expect(await pragma(db, 'journal_mode')).toBe('wal');
      expect(await pragma(db, 'synchronous')).toBe(1); // NORMAL
      expect(await pragma(db, 'foreign_keys')).toBe(1);
      expect(await pragma(db, 'busy_timeout')).toBe(5000);
      expect((await sql<{ v: number }>`select 'A' like 'a' as v`.execute(db.kysely)).rows[0].v).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("offers synchronous: 'full' for commits that must survive power loss", async () => {
    const db = openSqlite({ file: join(root, 'pragmas', 'full.db'), synchronous: 'full', busyTimeoutMs: 250 });
    try {
      expect(await pragma(db, 'synchronous')).toBe(2); // FULL
      expect(await pragma(db, 'busy_timeout')).toBe(250);
    } finally {
      await db.close();
    }
  });

  it('waits for another process-level writer up to busy_timeout, then fails with SQLITE_BUSY', async () => {
    const file = join(root, 'busy', 'b.db');
    const a = openSqlite({ file });
    const b = openSqlite({ file, busyTimeoutMs: 100 });
    try {
      await a.kysely.schema.createTable('t').addColumn('id', 'integer').execute();
      let release!: () => void;
      const holding = a.transaction(async (trx) => {
        await trx.insertInto('t').values({ id: 1 }).execute();
        await new Promise<void>((r) => (release = r));
      });
      await new Promise((r) => setTimeout(r, 20));
      const started = Date.now();
      await expect(b.transaction((trx) => trx.insertInto('t').values({ id: 2 }).execute())).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      release();
      await holding;
      await b.transaction((trx) => trx.insertInto('t').values({ id: 2 }).execute());
      expect((await a.kysely.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([1, 2]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('prepares a fresh statement when the cached one is still iterating', () => {
    const raw = new BetterSqlite3(':memory:');
    const cached = withStatementCache(raw, 2);
    try {
      raw.exec('create table t(id integer); insert into t values (1), (2)');
      const first = cached.prepare('select id from t order by id');
      const iterator = first.iterate([]);
      expect(iterator.next().value).toEqual({ id: 1 });
      const second = cached.prepare('select id from t order by id');
      expect(second).not.toBe(first);
      expect(second.all([])).toEqual([{ id: 1 }, { id: 2 }]);
      iterator.return?.();
      expect(cached.prepare('select id from t order by id')).toBe(first);
      // Least recently used statements are evicted beyond the capacity.
      cached.prepare('select 1');
      cached.prepare('select 2');
      expect(cached.prepare('select id from t order by id')).not.toBe(first);
    } finally {
      cached.close();
    }
  });

  it('fails clearly when the data directory cannot be created', () => {
    const notADir = join(root, 'plain-file');
    writeFileSync(notADir, '');
    expect(() => openSqlite({ file: join(notADir, 'data', 'mlzone.db') })).toThrow(/ENOTDIR/);
  });
});
