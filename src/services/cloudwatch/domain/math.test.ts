/**
 * Metric math, pure: the parser and the evaluator over series on a one-minute grid, with a fake context for the
 * request's other queries, METRICS() and SEARCH().
 */
import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../core/errors.js';
import { evaluate, parseExpression, referencedIds, type MathContext, type Series, type Value } from './math.js';

const M = 60_000;
const grid = [0, M, 2 * M, 3 * M, 4 * M];
const series = (label: string, pairs: Array<[number, number]>): Series => ({ label, points: new Map(pairs.map(([i, v]) => [i * M, v])) });
const points = (v: Value): Array<[number, number]> => {
  if (typeof v === 'number' || Array.isArray(v)) throw new Error('not one series');
  return [...v.points.entries()].sort((a, b) => a[0] - b[0]).map(([t, x]) => [t / M, x]);
};

const queries: Record<string, Value> = {
  a: series('a', [[0, 1], [1, 2], [2, 3], [3, 4]]),
  b: series('b', [[0, 10], [1, 20], [3, 40], [4, 50]]),
  z: series('z', [[0, 0], [1, 5]]),
  gaps: series('gaps', [[0, 10], [3, 40]]),
  counter: series('counter', [[0, 100], [1, 160], [2, 160], [4, 400]]),
};
const searches: Array<{ expression: string; stat: string; period: number }> = [];
const ctx: MathContext = {
  query: (id) => {
    const v = queries[id];
    if (v === undefined) throw new Error(`no query ${id}`);
    return v;
  },
  metricIds: () => ['a', 'b', 'gaps'],
  search: (expression, stat, period) => {
    searches.push({ expression, stat, period });
    return [series('s1', [[0, 1], [1, 1]]), series('s2', [[0, 2], [2, 2]])];
  },
  grid,
  period: 60,
};
const run = (src: string) => evaluate(parseExpression(src), ctx, 'e');

function refusal(src: string): { code: string; message: string } {
  try {
    run(src);
  } catch (e) {
    if (isAwsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${src} did not fail`);
}

describe('arithmetic', () => {
  it('follows precedence: ^ binds tighter than * and /, which bind tighter than + and -; ^ is right-associative', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('2 ^ 3 ^ 2')).toBe(512);
    expect(run('-2 ^ 2')).toBe(4); // unary minus applies to its operand first, as CloudWatch parses it
    expect(run('10 / 4 - 1.5e0')).toBe(1);
    expect(run('.5 * 4')).toBe(2);
  });

  it('applies a scalar to every point of a series, keeping its timestamps', () => {
    expect(points(run('a * 100'))).toEqual([[0, 100], [1, 200], [2, 300], [3, 400]]);
    expect(points(run('100 - a'))).toEqual([[0, 99], [1, 98], [2, 97], [3, 96]]);
    expect(points(run('-a'))).toEqual([[0, -1], [1, -2], [2, -3], [3, -4]]);
  });

  it('combines two series where both have a point, and drops points that are not finite (division by zero)', () => {
    expect(points(run('a + b'))).toEqual([[0, 11], [1, 22], [3, 44]]);
    expect(points(run('b / z'))).toEqual([[1, 4]]); // 10/0 is dropped
    expect(points(run('a / (a - a)'))).toEqual([]);
  });

  it('names the ids an expression reads', () => {
    expect(referencedIds(parseExpression('SUM([a, b]) / FILL(gaps, 0) + METRICS()'))).toEqual(['a', 'b', 'gaps']);
    expect(referencedIds(parseExpression('(a + b) * -c'))).toEqual(['a', 'b', 'c']);
  });
});

describe('functions', () => {
  it('SUM, AVG, MIN, MAX of one series are scalars; of several, a series point by point', () => {
    expect(run('SUM(a)')).toBe(10);
    expect(run('AVG(a)')).toBe(2.5);
    expect(run('MIN(b)')).toBe(10);
    expect(run('MAX(b)')).toBe(50);
    expect(points(run('SUM(METRICS())'))).toEqual([[0, 21], [1, 22], [2, 3], [3, 84], [4, 50]]);
    expect(points(run('AVG(METRICS())'))).toEqual([[0, 7], [1, 11], [2, 3], [3, 28], [4, 50]]);
    expect(points(run('MIN(METRICS())'))).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 50]]);
    expect(points(run('MAX(METRICS())'))).toEqual([[0, 10], [1, 20], [2, 3], [3, 40], [4, 50]]);
    expect(Number.isNaN(run('SUM(FILL(a, 0) * 0 / 0)') as number)).toBe(true); // nothing left to sum
  });

  it('function names are case-insensitive', () => {
    expect(run('sum(a)')).toBe(10);
    expect(run('Max(b)')).toBe(50);
  });

  it('RATE is the change per second between consecutive points', () => {
    expect(points(run('RATE(counter)'))).toEqual([[1, 1], [2, 0], [4, 2]]);
    expect(points(run('RATE(a)'))).toEqual([[1, 1 / 60], [2, 1 / 60], [3, 1 / 60]]);
  });

  it('FILL fills the grid with a value, the last value (REPEAT) or a line between neighbours (LINEAR)', () => {
    expect(points(run('FILL(gaps, 0)'))).toEqual([[0, 10], [1, 0], [2, 0], [3, 40], [4, 0]]);
    expect(points(run('FILL(gaps, REPEAT)'))).toEqual([[0, 10], [1, 10], [2, 10], [3, 40], [4, 40]]);
    expect(points(run('FILL(gaps, linear)'))).toEqual([[0, 10], [1, 20], [2, 30], [3, 40]]); // nothing after the last point
    expect(points(run('FILL(gaps, 2 * 3)'))).toEqual([[0, 10], [1, 6], [2, 6], [3, 40], [4, 6]]);
    expect((run('FILL(METRICS(), 0)') as Series[]).map((s) => s.points.size)).toEqual([5, 5, 5]);
  });

  it("METRICS() is the request's MetricStat queries; METRICS('x') those whose id contains x", () => {
    expect((run('METRICS()') as Series[]).map((s) => s.label)).toEqual(['a', 'b', 'gaps']);
    expect((run("METRICS('ga')") as Series[]).map((s) => s.label)).toEqual(['gaps']);
    expect(run("METRICS('nothing')")).toEqual([]);
    expect(points(run('SUM(METRICS() * 2)'))).toEqual([[0, 42], [1, 44], [2, 6], [3, 168], [4, 100]]);
  });

  it('SEARCH passes its expression, statistic and period (the query period by default) to the caller', () => {
    searches.length = 0;
    expect((run("SEARCH('{App,Host} Latency', 'Average', 300)") as Series[]).map((s) => s.label)).toEqual(['s1', 's2']);
    expect(points(run("SUM(SEARCH('{App} Latency', 'Sum'))"))).toEqual([[0, 3], [1, 1], [2, 2]]);
    expect(searches).toEqual([
      { expression: '{App,Host} Latency', stat: 'Average', period: 300 },
      { expression: '{App} Latency', stat: 'Sum', period: 60 },
    ]);
  });

  it('[a, b] is an array of series, flattened with METRICS() inside it', () => {
    expect(points(run('SUM([a, b])'))).toEqual([[0, 11], [1, 22], [2, 3], [3, 44], [4, 50]]);
    expect((run("[gaps, METRICS('b')]") as Series[]).map((s) => s.label)).toEqual(['gaps', 'b']);
    expect(points(run('MAX([a, b * 0])'))).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]]);
  });

  it("FILL's REPEAT and LINEAR are keywords, not query ids", () => {
    expect(referencedIds(parseExpression('FILL(m1, REPEAT)'))).toEqual(['m1']);
    expect(referencedIds(parseExpression('FILL(m1, linear) + FILL(m2, m3)'))).toEqual(['m1', 'm2', 'm3']);
  });

  it('ABS', () => {
    expect(points(run('ABS(a - 3)'))).toEqual([[0, 2], [1, 1], [2, 0], [3, 1]]);
  });
});

describe('errors (InvalidParameterValue, saying what is wrong)', () => {
  it('refuses malformed expressions', () => {
    expect(refusal('a +')).toEqual({ code: 'InvalidParameterValue', message: 'Unexpected end of expression: a +' });
    expect(refusal('(a + b')).toEqual({ code: 'InvalidParameterValue', message: 'Expected ) in expression: (a + b' });
    expect(refusal('a $ b')).toEqual({ code: 'InvalidParameterValue', message: 'Unexpected character $ in expression: a $ b' });
    expect(refusal("SEARCH('x, 'Sum')")).toMatchObject({ code: 'InvalidParameterValue' });
    expect(refusal("SEARCH('unterminated")).toEqual({ code: 'InvalidParameterValue', message: "Unterminated string in expression: SEARCH('unterminated" });
    expect(refusal('a b')).toEqual({ code: 'InvalidParameterValue', message: 'Unexpected b in expression: a b' });
  });

  it('refuses unknown functions, missing arguments and arguments of the wrong kind', () => {
    expect(refusal('PERCENTILE(a)')).toEqual({ code: 'InvalidParameterValue', message: 'Unknown function PERCENTILE.' });
    expect(refusal('RATE()')).toEqual({ code: 'InvalidParameterValue', message: 'RATE is missing an argument.' });
    expect(refusal('RATE(5)')).toEqual({ code: 'InvalidParameterValue', message: 'RATE expects a time series.' });
    expect(refusal('SUM([a, 2])')).toEqual({ code: 'InvalidParameterValue', message: 'An array in an expression may hold only time series.' });
    expect(refusal("FILL(a, 'x')")).toEqual({ code: 'InvalidParameterValue', message: "Unexpected string 'x'." });
    expect(refusal('SEARCH(a, 1)')).toEqual({ code: 'InvalidParameterValue', message: 'SEARCH expects a search expression and a statistic.' });
    expect(refusal("SEARCH('{App}', 'Sum', a)")).toEqual({ code: 'InvalidParameterValue', message: 'The period of SEARCH must be a number.' });
  });
});
