import { describe, expect, it } from 'vitest';
import { parsePartitionExpression, type PartitionKey } from './partition-expression.js';

const keys: PartitionKey[] = [
  { name: 'year', type: 'string' },
  { name: 'month', type: 'int' },
  { name: 'day', type: 'bigint' },
  { name: 'price', type: 'decimal(10,2)' },
  { name: 'dt', type: 'date' },
];
const rows = [
  { year: '2023', month: '9', day: '30', price: '9.5', dt: '2023-09-30' },
  { year: '2023', month: '12', day: '1', price: '10.25', dt: '2023-12-01' },
  { year: '2024', month: '1', day: '15', price: '100', dt: '2024-01-15' },
  { year: "it's", month: '2', day: '2', price: '0', dt: '2024-02-02' },
];
const match = (expr: string) => rows.filter(parsePartitionExpression(expr, keys)).map((r) => `${r.year}-${r.month}`);

describe('parsePartitionExpression', () => {
  it.each([
    ["year = '2023'", ['2023-9', '2023-12']],
    ['year = 2023', ['2023-9', '2023-12']],
    ['month > 9', ['2023-12']],
    // A numeric key compares as a number even when the literal is quoted; a string key as text.
    ["month >= '9'", ['2023-9', '2023-12']],
    ["year < '2024'", ['2023-9', '2023-12']],
    ['price > 9.75', ['2023-12', '2024-1']],
    ["dt BETWEEN '2023-12-01' AND '2024-01-31'", ['2023-12', '2024-1']],
    ['month <> 1 AND month != 2', ['2023-9', '2023-12']],
    ['month = 1 OR day = 1', ['2023-12', '2024-1']],
    ["year = '2023' AND (month = 9 OR month = 12)", ['2023-9', '2023-12']],
    ['month IN (1, 2)', ['2024-1', "it's-2"]],
    ['month NOT IN (1, 2)', ['2023-9', '2023-12']],
    ['day NOT BETWEEN 2 AND 29', ['2023-9', '2023-12']],
    ["year LIKE '20_3'", ['2023-9', '2023-12']],
    ["year NOT LIKE '2%'", ["it's-2"]],
    ["year = 'it''s'", ["it's-2"]],
    ['NOT month = 1', ['2023-9', '2023-12', "it's-2"]],
    ['YEAR = 2024 and Month = 1', ['2024-1']],
    ['`month` = 12', ['2023-12']],
  ])('%s', (expr, expected) => {
    expect(match(expr)).toEqual(expected);
  });

  it('compares keys given without a type as strings', () => {
    const p = parsePartitionExpression("m > '3'", ['m']);
    expect([{ m: '10' }, { m: '4' }].filter(p)).toEqual([{ m: '4' }]);
  });

  it.each([
    ["region = 'eu'", /region is not a partition key/],
    ["year = '2023", /unterminated string/],
    ["year = '2023' AND", /unexpected end/],
    ['(month = 1', /unexpected end|missing \)/],
    ['month 1', /expected an operator/],
    ["year = '1' ; DROP", /unexpected character ';'/],
    ['month IN 1', /expected \( after IN/],
    ['month BETWEEN 1 OR 2', /expected AND in BETWEEN/],
    ['month = year', /expected a value/],
    ['month NOT = 1', /NOT must precede IN, BETWEEN or LIKE/],
  ])('refuses %s with InvalidInputException', (expr, message) => {
    expect(() => parsePartitionExpression(expr, keys)).toThrow(expect.objectContaining({ code: 'InvalidInputException', message: expect.stringMatching(message) }));
  });
});
