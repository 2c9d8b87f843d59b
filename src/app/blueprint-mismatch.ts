import type { AppConfig } from './config.js';

/**
 * A data dir (or PostgreSQL schema) holds the state of the blueprint it was created from. Starting it with another
 * blueprint is refused rather than served: the accounts listed would be the new blueprint's while the IAM, the
 * organization and the resources answering would be the old one's.
 */
export class BlueprintMismatchError extends Error {
  constructor(config: Pick<AppConfig, 'dataDir' | 'databaseUrl'>, blueprintPath: string) {
    const where = config.databaseUrl ? 'the PostgreSQL database given with --database-url' : `the data dir ${config.dataDir}`;
    const fixes = config.databaseUrl
      ? 'use another database (or schema) for the new blueprint, or empty this one'
      : `start with a new state (--data-dir <new folder>, or --ephemeral), or delete this one with \`mlzone reset --data-dir ${config.dataDir} --yes\``;
    super(`${where} was created from another blueprint than ${blueprintPath}; nothing was started. To run ${blueprintPath}, ${fixes}. To keep this state, start with the blueprint it was created from.`);
    this.name = 'BlueprintMismatchError';
  }
}
