import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `mlzone up` writes into a data dir; nothing else in the folder is touched. */
const STATE_ENTRIES = ['mlzone.db', 'mlzone.db-wal', 'mlzone.db-shm', 'blobs', 'runtime'] as const;

export interface ResetOptions {
  dataDir: string;
  yes?: boolean;
}

/**
 * `mlzone reset`: deletes the state of a data dir (the database, object blobs, extracted models) so that the next
 * `mlzone up` starts from its blueprint again. Refuses without `--yes`, and refuses a folder that holds no mlzone
 * database, so that a mistyped path deletes nothing. Returns the message to print.
 */
export function reset(opts: ResetOptions): string {
  const dir = resolve(opts.dataDir);
  if (!existsSync(join(dir, 'mlzone.db'))) {
    throw new Error(`${dir} holds no mlzone state (no mlzone.db); nothing was deleted`);
  }
  const present = STATE_ENTRIES.filter((e) => existsSync(join(dir, e)));
  if (!opts.yes) {
    throw new Error(`this deletes ${present.map((e) => join(dir, e)).join(', ')} (everything mlzone keeps there); run again with --yes to do it (stop the mlzone using it first)`);
  }
  for (const e of present) rmSync(join(dir, e), { recursive: true, force: true });
  // The folder itself goes when it held only mlzone's state.
  if (statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  return `deleted the mlzone state in ${dir}; the next \`mlzone up --data-dir ${opts.dataDir}\` starts from its blueprint`;
}
