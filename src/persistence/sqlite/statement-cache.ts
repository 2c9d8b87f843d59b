import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite connection calls `prepare(sql)` for every query; preparing costs more than
 * running a simple indexed select. Kysely compiles the same query shape to the same SQL text, so a
 * small LRU of prepared statements keyed by SQL removes that cost. better-sqlite3 re-prepares a
 * cached statement by itself after a schema change, so the cache never serves a stale plan.
 */
export function withStatementCache(db: BetterSqlite3.Database, capacity: number): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sql: string): SqliteStatement => {
      if (capacity <= 0) return db.prepare(sql);
      const cached = cache.get(sql);
      if (cached !== undefined) {
        // A statement still being iterated (a streamed select) cannot run again; use a fresh one.
        if (cached.busy) return db.prepare(sql);
        // Re-insert to mark as most recently used (Map keeps insertion order).
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const stmt = db.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}
