import { describe, expect, it } from 'vitest';
import { QueryFailure } from './errors.js';
import { SqlGate } from './gate.js';

const gate = new SqlGate();

async function refusal(sql: string): Promise<QueryFailure> {
  try {
    await gate.check(sql);
  } catch (e) {
    if (e instanceof QueryFailure) return e;
    throw e;
  }
  throw new Error(`the gate let through: ${sql}`);
}

describe('SQL gate', () => {
  it('collects tables, columns and CTE names', async () => {
    const g = await gate.check('WITH x AS (SELECT a FROM db.t) SELECT x.a, b FROM x JOIN "AwsDataCatalog".db2.u ON true');
    expect(g.tables.map((t) => [t.catalog, t.schema, t.table])).toEqual([
      ['', 'db', 't'],
      ['AwsDataCatalog', 'db2', 'u'],
    ]);
    expect(g.columns.map((c) => c.parts.join('.'))).toContain('x.a');
  });

  it('accepts UNNEST, lambdas, windows', async () => {
    await gate.check('SELECT u, row_number() OVER (ORDER BY u), list_transform([1], x -> x + 1) FROM t CROSS JOIN UNNEST(arr) AS z(u)');
  });

  const escapes: [string, RegExp][] = [
    ["SELECT * FROM read_csv('/etc/passwd')", /Table function 'read_csv' not registered/],
    ["SELECT * FROM read_parquet('/blob/x.parquet')", /Table function/],
    ["SELECT * FROM glob('/*')", /Table function/],
    ["SELECT * FROM query('SELECT 1')", /Table function/],
    ['SELECT * FROM duckdb_settings()', /Table function/],
    ['SELECT * FROM system.main.duckdb_settings()', /Table function/],
    ["SELECT read_text('/etc/passwd')", /FUNCTION_NOT_FOUND/],
    ["SELECT current_setting('allowed_paths')", /FUNCTION_NOT_FOUND: line 1:8: Function 'current_setting' not registered/],
    ["SELECT main.current_setting('x')", /FUNCTION_NOT_FOUND/],
    ["SELECT system.main.lower('x')", /FUNCTION_NOT_FOUND/],
    ["SELECT getvariable('x')", /FUNCTION_NOT_FOUND/],
    ["SELECT json_execute_serialized_sql('x')", /FUNCTION_NOT_FOUND/],
    ["SELECT error('boom')", /FUNCTION_NOT_FOUND/],
    ["SELECT getenv('HOME')", /FUNCTION_NOT_FOUND/],
    ["COPY t TO '/tmp/x.csv'", /mismatched input 'COPY'/],
    ["ATTACH '/tmp/x.db' AS x", /mismatched input 'ATTACH'/],
    ['INSTALL httpfs', /mismatched input 'INSTALL'/],
    ['LOAD httpfs', /mismatched input 'LOAD'/],
    ["PRAGMA version", /mismatched input/],
    ["SET enable_external_access=true", /mismatched input/],
    ['CALL duckdb_settings()', /mismatched input/],
    ['CREATE TABLE x AS SELECT 1', /mismatched input/],
    ['SELECT 1; SELECT 2', /Only one sql statement is allowed/],
    ["SELECT 1; COPY t TO '/tmp/x'", /mismatched input/],
    ["SELECT 1 /* hidden */; ATTACH '/tmp/x.db'", /mismatched input/],
    ["-- comment\nSELECT 1;\n-- more\nDROP TABLE t", /mismatched input|Only one/],
    ['DESCRIBE t', /NOT_SUPPORTED/],
    ['SHOW TABLES', /NOT_SUPPORTED|mismatched/],
    ['SUMMARIZE t', /NOT_SUPPORTED|mismatched/],
    ['SELECT * FROM t AT (VERSION => 1)', /NOT_SUPPORTED/],
    ['SELECT ?', /INVALID_PARAMETER_USAGE/],
    ['SELECT 1 +', /line 1:11: syntax error/],
    ['', /mismatched input '<EOF>'/],
  ];
  for (const [sql, expected] of escapes) {
    it(`refuses ${JSON.stringify(sql)}`, async () => {
      expect((await refusal(sql)).reason).toMatch(expected);
    });
  }

  it('marks parse-level refusals as malformed (StartQueryExecution fails) and analysis-level ones as FAILED queries', async () => {
    expect((await refusal('SELECT 1; SELECT 2')).malformed).toBe(true);
    expect((await refusal("COPY t TO 'x'")).malformed).toBe(true);
    expect((await refusal("SELECT * FROM read_csv('x')")).malformed).toBe(false);
  });
});

describe('row filter check', () => {
  const cols = ['region', 'id', 'name'];
  it('accepts the PartiQL subset', async () => {
    for (const f of ["region = 'EU'", "region IN ('EU', 'US') AND id > 3", 'id BETWEEN 1 AND 3 OR name IS NULL', "name LIKE 'A%'", "NOT (region <> 'EU')", 'CAST(id AS VARCHAR) = \'1\'']) {
      await gate.checkRowFilter(f, cols);
    }
  });
  it('keeps text that only looks like a break-out inside one expression (it is parsed as the view embeds it)', async () => {
    await gate.checkRowFilter("region = 'EU' -- trailing comment", cols);
    await gate.checkRowFilter("region = 'EU') OR (id = 1", cols);
  });
  it('refuses functions, subqueries, unknown columns and break-outs', async () => {
    for (const f of [
      "lower(region) = 'eu'",
      'id IN (SELECT id FROM t)',
      'secret = 1',
      "region = 'EU') UNION SELECT ssn FROM t WHERE (1 = 1",
      "region = 'EU'; DROP TABLE t",
      "current_setting('x') = 'y'",
      'x'.repeat(2048),
    ]) {
      await expect(gate.checkRowFilter(f, cols), f).rejects.toBeInstanceOf(QueryFailure);
    }
  });
});
