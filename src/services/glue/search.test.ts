import { describe, expect, it } from 'vitest';
import type { Table } from './api.gen.js';
import { checkFilters, matchesFilters, matchesText, sortTables } from './search.js';

const t = (name: string, extra: Partial<Table> = {}): Table => ({ Name: name, DatabaseName: 'db', CatalogId: '1', ...extra });
const orders = t('customer-orders', { Description: 'All Orders', Parameters: { classification: 'csv' }, CreateTime: new Date('2024-01-01T00:00:00Z'), StorageDescriptor: { Columns: [{ Name: 'ssn', Comment: 'social security' }] } });
const link = t('xxlinkyy', { CreateTime: new Date('2024-06-01T00:00:00Z') });
const invalid = (m: string) => new Error(m);

describe('SearchTables matching', () => {
  it('matches text case-insensitively anywhere, or exactly when quoted', () => {
    expect(matchesText(orders, 'ORDERS')).toBe(true);
    expect(matchesText(orders, 'security')).toBe(true);
    expect(matchesText(orders, '"all orders"')).toBe(true);
    expect(matchesText(orders, '"orders"')).toBe(false);
    expect(matchesText(orders, undefined)).toBe(true);
    expect(matchesText(link, 'orders')).toBe(false);
  });

  it('matches string filters by token, parameters by name, and times with a comparator', () => {
    expect(matchesFilters(orders, [{ Key: 'Name', Value: 'orders' }])).toBe(true);
    expect(matchesFilters(link, [{ Key: 'Name', Value: 'link' }])).toBe(false);
    expect(matchesFilters(orders, [{ Key: 'classification', Value: 'CSV' }])).toBe(true);
    expect(matchesFilters(orders, [{ Key: 'classification', Value: 'parquet' }])).toBe(false);
    expect(matchesFilters(orders, [{ Key: 'CreateTime', Value: '2024-03-01T00:00:00Z', Comparator: 'LESS_THAN' }])).toBe(true);
    expect(matchesFilters(link, [{ Key: 'CreateTime', Value: '2024-03-01T00:00:00Z', Comparator: 'LESS_THAN' }])).toBe(false);
    // Epoch seconds work as well as ISO text.
    expect(matchesFilters(link, [{ Key: 'CreateTime', Value: String(Date.parse('2024-03-01T00:00:00Z') / 1000), Comparator: 'GREATER_THAN_EQUALS' }])).toBe(true);
  });

  it('refuses a predicate without a key or with a time that is not one', () => {
    expect(() => checkFilters([{ Value: 'x' }], invalid)).toThrow(/Key/);
    expect(() => checkFilters([{ Key: 'UpdateTime', Value: 'yesterday' }], invalid)).toThrow(/UpdateTime/);
    expect(() => checkFilters([{ Key: 'Name', Value: 'x' }], invalid)).not.toThrow();
  });

  it('sorts by the criterion, ties and no criterion by database and name', () => {
    expect(sortTables([link, orders], undefined).map((x) => x.Name)).toEqual(['customer-orders', 'xxlinkyy']);
    expect(sortTables([orders, link], [{ FieldName: 'CreateTime', Sort: 'DESC' }]).map((x) => x.Name)).toEqual(['xxlinkyy', 'customer-orders']);
    expect(sortTables([link, orders], [{ FieldName: 'Name', Sort: 'ASC' }]).map((x) => x.Name)).toEqual(['customer-orders', 'xxlinkyy']);
  });
});
