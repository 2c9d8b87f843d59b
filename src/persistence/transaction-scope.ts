import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect, Driver, QueryCompiler, TransactionSettings } from 'kysely';

/**
 * Catches the one mistake that hangs a SQLite-backed server: using `db.kysely` (or starting another
 * `db.transaction`) inside `db.transaction(fn)` instead of the `trx` argument. SQLite has a single
 * connection, held by the open transaction, so the outer query would wait for it forever. On
 * PostgreSQL the same code "works" but writes outside the transaction. Both backends now reject it
 * with the same clear error.
 *
 * How: `run` marks the async context of `fn`; the wrapped driver refuses to hand out a connection
 * from a marked context while that transaction is still open (queries through `trx` never ask the
 * driver for a connection, they reuse the transaction's). One scope per `Database`, so using
 * another database inside a transaction stays allowed.
 */
export class TransactionScope {
  readonly #storage = new AsyncLocalStorage<{ open: boolean }>();

  /** Throws when called inside an open transaction of this database. */
  assertOutside(): void {
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

  /** Wraps a dialect so its driver checks this scope; `begin` optionally replaces the BEGIN statement. */
  wrapDialect(dialect: Dialect, begin?: (connection: DatabaseConnection, settings: TransactionSettings) => Promise<void>): Dialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => new ScopedDriver(dialect.createDriver(), this, begin),
    };
  }
}

class ScopedDriver implements Driver {
  readonly #inner: Driver;
  readonly #scope: TransactionScope;
  readonly #begin: ((connection: DatabaseConnection, settings: TransactionSettings) => Promise<void>) | undefined;

  constructor(inner: Driver, scope: TransactionScope, begin?: (connection: DatabaseConnection, settings: TransactionSettings) => Promise<void>) {
    this.#inner = inner;
    this.#scope = scope;
    this.#begin = begin;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#scope.assertOutside();
    return this.#inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#begin ? this.#begin(connection, settings) : this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.savepoint) throw new Error('savepoints are not supported by this driver');
    return this.#inner.savepoint(connection, name, compileQuery);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.rollbackToSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.#inner.rollbackToSavepoint(connection, name, compileQuery);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.#inner.releaseSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.#inner.releaseSavepoint(connection, name, compileQuery);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
