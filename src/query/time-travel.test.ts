import { describe, expect, it } from 'vitest';
import { stripTimeTravel } from './time-travel.js';

describe('stripTimeTravel', () => {
  it('blanks each clause, keeping offsets, and returns its expression', () => {
    const sql = "SELECT * FROM t FOR TIMESTAMP AS OF TIMESTAMP '2026-01-01 00:00:00 UTC' AS x\nJOIN u FOR VERSION AS OF 123 y ON x.a = y.a";
    const out = stripTimeTravel(sql);
    expect(out.sql).toHaveLength(sql.length);
    expect(out.sql).toBe("SELECT * FROM t" + ' '.repeat(sql.indexOf(' AS x') - 15) + " AS x\nJOIN u" + ' '.repeat(' FOR VERSION AS OF 123'.length) + ' y ON x.a = y.a');
    expect(out.clauses.map((c) => [c.kind, c.expression])).toEqual([
      ['TIMESTAMP', "TIMESTAMP '2026-01-01 00:00:00 UTC'"],
      ['VERSION', '123'],
    ]);
  });

  it('ends an expression at an alias, a keyword or a parenthesis, and reads operators, calls and intervals', () => {
    const cases: [string, string][] = [
      ['SELECT 1 FROM t FOR TIMESTAMP AS OF current_timestamp - interval \'1\' day WHERE a = 1', "current_timestamp - interval '1' day"],
      ['SELECT 1 FROM t FOR SYSTEM_TIME AS OF CAST(\'2026-01-01\' AS timestamp) tt', "CAST('2026-01-01' AS timestamp)"],
      ['SELECT 1 FROM (SELECT * FROM t FOR VERSION AS OF 5)', '5'],
      ['SELECT 1 FROM t FOR SYSTEM_VERSION AS OF 5, u', '5'],
    ];
    for (const [sql, expr] of cases) expect(stripTimeTravel(sql).clauses.map((c) => c.expression)).toEqual([expr]);
  });

  it('leaves strings, comments and other FORs alone', () => {
    for (const sql of ["SELECT 'FOR VERSION AS OF 1' FROM t", 'SELECT 1 FROM t -- FOR VERSION AS OF 1\n', 'SELECT "for" FROM t']) expect(stripTimeTravel(sql)).toEqual({ sql, clauses: [] });
  });
});
