/** PostgreSQL adapter of the metadata database port (`../db.ts`). Only `app/` imports this. */
export { openPostgres } from './postgres-database.js';
export type { PostgresOptions } from './postgres-database.js';
