/** SQLite adapter of the metadata database port (`../db.ts`). Only `app/` imports this. */
export { openSqlite } from './sqlite-database.js';
export type { SqliteOptions } from './sqlite-database.js';
