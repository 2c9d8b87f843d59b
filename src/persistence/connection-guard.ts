import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortedTransactionError } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';

/** Options of {@link ConnectionGuard.wrapDialect}. */
export interface GuardedDialectOptions {
  /** Replaces the driver's BEGIN (SQLite: `begin immediate`). */
  readonly begin?: (connection: DatabaseConnection, settings: TransactionSettings) => Promise<void>;
  /**
   * Give the backend PostgreSQL's rule that a failed statement aborts its transaction: later
   * statements fail with SQLSTATE 25P02 and the commit rolls back with Kysely's
   * `AbortedTransactionError`. SQLite would otherwise undo only the failed statement and go on, so
   * code that catches a unique violation inside `fn` and continues would pass its tests on SQLite
   * and fail on PostgreSQL.
   */
  readonly abortTransactionOnError?: boolean;
  /**
   * With a synchronous driver (better-sqlite3) every query promise is already settled, so a loop
   * of awaited queries runs entirely in microtasks and starves timers and I/O (HTTP requests,
   * stdout) until it ends. With this set, a connection request first yields to the event loop
   * (`setImmediate`) when the last yield is at least this many milliseconds ago: at most one yield
   * per interval, so a request's few queries normally pay nothing.
   */
  readonly yieldEveryMs?: number;
}

/**
 * Refuses, with a clear error, the connections that would otherwise hang the server or leak:
 *
 * 1. Inside `db.transaction(fn)`: using `db.kysely` (or starting another `db.transaction`) instead
 *    of the `trx` argument. SQLite has one connection, held by the open transaction, so the outer
 *    query would wait for it forever; on PostgreSQL the same code "works" but writes outside the
 *    transaction. Both backends now reject it the same way. How: `run` marks the async context of
 *    `fn`, and the wrapped driver refuses to hand out a connection from a marked context while that
 *    transaction is open (queries through `trx` reuse the transaction's connection and never ask).
 *    One guard per `Database`, so using another database inside a transaction stays allowed.
 * 2. After `close()`: Kysely's `destroy()` does nothing on a database that never ran a query, and
 *    the next query would quietly open a new pool (PostgreSQL) or a closed handle (SQLite).
 */
export class ConnectionGuard {
  readonly #storage = new AsyncLocalStorage<{ open: boolean }>();
  #closed = false;

  /** From now on every new connection is refused. */
  close(): void {
    this.#closed = true;
  }

  /** Throws after `close()`. */
  assertOpen(): void {
    if (this.#closed) throw new Error('database is closed');
  }

  /** Throws after `close()` and inside an open transaction of this database. */
  assertOutside(): void {
    this.assertOpen();
    if (this.#storage.getStore()?.open) {
      throw new Error(
        'database used through `db.kysely` or `db.transaction` inside `db.transaction(fn)`: ' +
          'use the `trx` argument of fn (on SQLite this would wait for its own transaction forever)',
      );
    }
  }

  /** Runs `fn` marked as "inside a transaction" until it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const marker = { open: true };
    try {
      return await this.#storage.run(marker, fn);
    } finally {
      // Work that fn started but did not await may outlive it; it is no longer inside the transaction.
      marker.open = false;
    }
  }

  /** Wraps a dialect so its driver checks this guard (and applies `options`). */
  wrapDialect(dialect: Dialect, options: GuardedDialectOptions = {}): Dialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => new GuardedDriver(dialect.createDriver(), this, options),
    };
  }
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  readonly #guard: ConnectionGuard;
  readonly #options: GuardedDialectOptions;
  readonly #tracked = new WeakMap<DatabaseConnection, TrackedConnection>();
  #lastYield = performance.now();

  constructor(inner: Driver, guard: ConnectionGuard, options: GuardedDialectOptions) {
    this.#inner = inner;
    this.#guard = guard;
    this.#options = options;
  }

  async init(): Promise<void> {
    // Kysely initialises lazily, also after a destroy() that found nothing to destroy.
    this.#guard.assertOpen();
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#guard.assertOutside();
    const every = this.#options.yieldEveryMs;
    if (every !== undefined && performance.now() - this.#lastYield >= every) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#lastYield = performance.now();
    }
    const connection = await this.#inner.acquireConnection();
    if (!this.#options.abortTransactionOnError) return connection;
    let tracked = this.#tracked.get(connection);
    if (!tracked) this.#tracked.set(connection, (tracked = new TrackedConnection(connection)));
    return tracked;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const inner = unwrap(connection);
    await (this.#options.begin ? this.#options.begin(inner, settings) : this.#inner.beginTransaction(inner, settings));
    if (connection instanceof TrackedConnection) connection.state = 'ok';
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof TrackedConnection && connection.state === 'aborted') {
      connection.state = 'idle';
      await this.#inner.rollbackTransaction(connection.inner);
      // Kysely does not roll back after this error: the rollback above already happened.
      throw new AbortedTransactionError();
    }
    await this.#inner.commitTransaction(unwrap(connection));
    if (connection instanceof TrackedConnection) connection.state = 'idle';
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof TrackedConnection) connection.state = 'idle';
    await this.#inner.rollbackTransaction(unwrap(connection));
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.savepoint) throw new Error('savepoints are not supported by this driver');
    if (connection instanceof TrackedConnection) connection.assertUsable();
    return this.#inner.savepoint(unwrap(connection), name, compileQuery);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.rollbackToSavepoint) throw new Error('savepoints are not supported by this driver');
    await this.#inner.rollbackToSavepoint(unwrap(connection), name, compileQuery);
    // As on PostgreSQL, rolling back to a savepoint makes an aborted transaction usable again.
    if (connection instanceof TrackedConnection) connection.state = 'ok';
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.releaseSavepoint) throw new Error('savepoints are not supported by this driver');
    if (connection instanceof TrackedConnection) connection.assertUsable();
    return this.#inner.releaseSavepoint(unwrap(connection), name, compileQuery);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** A connection that remembers whether its open transaction saw a failed statement. */
class TrackedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  state: 'idle' | 'ok' | 'aborted' = 'idle';

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.assertUsable();
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      if (this.state === 'ok') this.state = 'aborted';
      throw err;
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.assertUsable();
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (err) {
      if (this.state === 'ok') this.state = 'aborted';
      throw err;
    }
  }

  assertUsable(): void {
    if (this.state === 'aborted') {
      // PostgreSQL's wording and SQLSTATE, so callers see one behaviour.
      throw Object.assign(new Error('current transaction is aborted, commands ignored until end of transaction block'), { code: '25P02' });
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TrackedConnection ? connection.inner : connection;
}
