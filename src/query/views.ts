/**
 * What a principal may read of one table, as a view over its relation (reference §3.2). One grant: its columns,
 * its rows. Several grants: a column is kept if any grant has it, a row if any grant admits it, and a cell is
 * NULL unless a grant covering that column admits the row (`CASE WHEN p1 OR p2 THEN col END`). The filter runs
 * before the projection, so a row filter may name columns the principal cannot see.
 */
import type { CatalogTable, CellGrant } from '../core/data-catalog.js';
import { quoteIdent } from './types.js';

/** `(expr\n)`: the newline keeps a trailing `--` comment in a filter from swallowing the closing parenthesis. */
export const wrapFilter = (expr: string) => `(${expr}\n)`;

export function viewSql(table: CatalogTable, relation: string, grants: readonly CellGrant[] | undefined): string {
  const all = [...table.columns, ...table.partitionKeys].map((c) => c.name);
  if (grants === undefined) return `SELECT ${all.map(quoteIdent).join(', ')} FROM (${relation}) AS __src`;
  const lower = (s: string) => s.toLowerCase();
  const visible = all.filter((c) => grants.some((g) => g.columns.some((gc) => lower(gc) === lower(c))));
  const rowsOf = (g: CellGrant) => (g.rowFilter === undefined || g.rowFilter.trim() === '' ? undefined : wrapFilter(g.rowFilter));
  const anyRow = (gs: readonly CellGrant[]) => (gs.some((g) => rowsOf(g) === undefined) ? undefined : gs.map((g) => rowsOf(g)!).join(' OR '));
  const where = anyRow(grants);
  const select = visible.map((c) => {
    const covering = grants.filter((g) => g.columns.some((gc) => lower(gc) === lower(c)));
    const cond = anyRow(covering);
    // When the cell's condition equals the view's row condition, every kept row already satisfies it.
    return cond === undefined || cond === where ? quoteIdent(c) : `CASE WHEN ${cond} THEN ${quoteIdent(c)} END AS ${quoteIdent(c)}`;
  });
  if (select.length === 0) throw new Error(`no permitted column in ${table.databaseName}.${table.name}`);
  return `SELECT ${select.join(', ')} FROM (${relation}) AS __src${where === undefined ? '' : ` WHERE ${where}`}`;
}
