import { describe, expect, it } from 'vitest';
import { runQuery, type InputEvent } from './evaluate.js';
import { parseQuery } from './parse.js';
import { messagePrefilter } from './prefilter.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const events: InputEvent[] = [
  { timestamp: T0, message: '10.0.0.1 [GET] /a 200 12', ingestionTime: T0, logStream: 's1', log: '1:g' },
  { timestamp: T0 + 60_000, message: '10.0.0.2 [POST] /b 500 340', ingestionTime: T0, logStream: 's1', log: '1:g' },
  { timestamp: T0 + 6 * 60_000, message: '10.0.0.1 [GET] /c 200 90', ingestionTime: T0, logStream: 's2', log: '1:g' },
  { timestamp: T0 + 7 * 60_000, message: JSON.stringify({ level: 'ERROR', latency: 250, req: { path: '/d' } }), ingestionTime: T0, logStream: 's2', log: '1:g' },
  { timestamp: T0 + 8 * 60_000, message: JSON.stringify({ level: 'INFO', latency: 50, req: { path: '/e' } }), ingestionTime: T0, logStream: 's2', log: '1:g' },
];
const q = (query: string) => runQuery(parseQuery(query), events).rows.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value])));

describe('Logs Insights engine', () => {
  it('defaults to @timestamp and @message, newest first', () => {
    const rows = q('limit 2');
    expect(rows).toEqual([
      { '@timestamp': '2026-01-01 12:08:00.000', '@message': events[4]!.message },
      { '@timestamp': '2026-01-01 12:07:00.000', '@message': events[3]!.message },
    ]);
  });

  it('parses globs and computes stats by field', () => {
    const rows = q('parse @message "* [*] * * *" as ip, method, path, status, ms | filter ispresent(ip) | stats count(*) as n, avg(ms) as avgMs, max(ms) by method | sort method asc');
    expect(rows).toEqual([{ method: 'GET', n: '2', avgMs: '51', 'max(ms)': '90' }, { method: 'POST', n: '1', avgMs: '340', 'max(ms)': '340' }]);
  });

  it('parses with a regex of named groups and filters with in, like and not', () => {
    const rows = q('parse @message /(?<ip>\\S+) \\[(?<verb>\\w+)\\]/ | filter verb in ["GET", "PUT"] and not path like /c/ and @message like "/a" | fields ip, verb');
    expect(rows).toEqual([{ ip: '10.0.0.1', verb: 'GET' }]);
  });

  it('discovers JSON fields, compares numbers and takes percentiles', () => {
    expect(q('filter latency > 100 | fields level, req.path')).toEqual([{ level: 'ERROR', 'req.path': '/d' }]);
    expect(q('stats pct(latency, 99) as p99, sum(latency) as total, min(latency)')).toEqual([{ p99: '250', total: '300', 'min(latency)': '50' }]);
  });

  it('bins by time and sorts descending', () => {
    expect(q('stats count(*) as c by bin(5m) | sort c desc')).toEqual([
      { 'bin(5m)': '2026-01-01 12:05:00.000', c: '3' },
      { 'bin(5m)': '2026-01-01 12:00:00.000', c: '2' },
    ]);
  });

  it('evaluates arithmetic, functions and display', () => {
    expect(q('filter ispresent(latency) | fields latency * 2 as double, toupper(level) as lv | sort double asc | display lv, double')).toEqual([
      { lv: 'INFO', double: '100' },
      { lv: 'ERROR', double: '500' },
    ]);
  });

  it('refuses malformed queries as MalformedQueryException', () => {
    for (const bad of ['', 'stats count(*) by', 'fields', 'limit 0', 'sort', 'parse @message "x" as a', 'frobnicate x', 'filter (a = 1']) {
      expect(() => parseQuery(bad), bad).toThrow(expect.objectContaining({ code: 'MalformedQueryException' }));
    }
    expect(() => runQuery(parseQuery('stats nosuch(x)'), events)).toThrow(expect.objectContaining({ code: 'MalformedQueryException' }));
  });
});

describe('the @message prefilter', () => {
  const terms = (query: string) => messagePrefilter(parseQuery(query))?.required;
  it('takes the substrings that leading filters on @message require, and nothing it cannot be sure of', () => {
    expect(terms('filter @message like "ERROR" | stats count(*)')).toEqual(['ERROR']);
    expect(terms('filter @message like /timeout/ and @message =~ /GET/ | filter @message like "x"')).toEqual(['timeout', 'GET', 'x']);
    expect(terms('filter @message like /time.ut/')).toBeUndefined();
    expect(terms('filter @message like /error/i')).toBeUndefined();
    expect(terms('filter @message not like "ERROR"')).toBeUndefined();
    expect(terms('filter @message like "a" or @message like "b"')).toBeUndefined();
    expect(terms('fields @message | filter @message like "ERROR"')).toBeUndefined();
    expect(terms('filter level like "ERROR"')).toBeUndefined();
  });

  it('never changes an answer: every query gives the same rows over the prefiltered events', () => {
    for (const query of [
      'filter @message like "GET" | stats count(*) as n',
      'filter @message like /ERROR/ | fields @message',
      'filter @message like "200" and @message like "/a" | fields @message',
      'filter @message like "nothing-has-this" | stats count(*) as n',
    ]) {
      const commands = parseQuery(query);
      const pre = messagePrefilter(commands)!;
      expect(runQuery(commands, events.filter((e) => pre.match(e.message))).rows, query).toEqual(runQuery(commands, events).rows);
    }
  });
});
