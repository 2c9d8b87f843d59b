/**
 * Driver-neutral classification of database errors, so services can map them to AWS errors
 * (`EntityAlreadyExists`, `DeleteConflict`, …) without knowing which backend `app/` chose.
 *
 * better-sqlite3 throws `SqliteError` with an extended result code in `code`
 * (`SQLITE_CONSTRAINT_UNIQUE`); `pg` throws `DatabaseError` with the SQLSTATE in `code` (`23505`).
 * Kysely rethrows both unchanged. A wrapped error is recognised through its `cause` chain.
 */

const SQLITE_UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE = '23505';
const SQLITE_FOREIGN_KEY = 'SQLITE_CONSTRAINT_FOREIGNKEY';
const PG_FOREIGN_KEY = '23503';
/** serialization_failure, deadlock_detected: the transaction may succeed if run again. */
const PG_RETRYABLE = new Set(['40001', '40P01']);

/** True when `err` (or an error in its `cause` chain) is a unique or primary-key violation, on either backend. */
export function isUniqueViolation(err: unknown): boolean {
  return someCode(err, (code) => SQLITE_UNIQUE.has(code) || code === PG_UNIQUE);
}

/** True when `err` (or an error in its `cause` chain) is a foreign-key violation, on either backend. */
export function isForeignKeyViolation(err: unknown): boolean {
  return someCode(err, (code) => code === SQLITE_FOREIGN_KEY || code === PG_FOREIGN_KEY);
}

/**
 * True when a PostgreSQL transaction failed only because it raced another one (serialization
 * failure or deadlock). `Database.transaction` already retries these; seeing one means the retries
 * ran out, which a service should report as a throttling-style, retryable error.
 */
export function isSerializationFailure(err: unknown): boolean {
  return someCode(err, (code) => PG_RETRYABLE.has(code));
}

function someCode(err: unknown, test: (code: string) => boolean): boolean {
  // The depth limit guards against cyclic `cause` chains.
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
