import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from './filter-pattern.js';

const m = (pattern: string, message: string) => compileFilterPattern(pattern).match(message);

describe('filter patterns', () => {
  it('terms must all occur, case-sensitively; quoted phrases keep their spaces', () => {
    expect(m('ERROR timeout', 'ERROR: upstream timeout')).toBe(true);
    expect(m('ERROR timeout', 'ERROR: upstream')).toBe(false);
    expect(m('error', 'ERROR')).toBe(false);
    expect(m('"request failed"', 'the request failed')).toBe(true);
    expect(m('"request failed"', 'request has failed')).toBe(false);
    expect(m('', 'anything')).toBe(true);
  });

  it('-term excludes and ?term alternatives need one', () => {
    expect(m('ERROR -Retrying', 'ERROR Retrying')).toBe(false);
    expect(m('ERROR -Retrying', 'ERROR fatal')).toBe(true);
    expect(m('?WARN ?ERROR', 'WARN x')).toBe(true);
    expect(m('?WARN ?ERROR', 'INFO x')).toBe(false);
  });

  it('JSON patterns compare strings, numbers, wildcards and presence, with && || and parentheses', () => {
    const doc = JSON.stringify({ level: 'ERROR', latency: 120, user: { id: 'u-17' }, ok: false, gone: null, tags: ['a', 'b'] });
    expect(m('{ $.level = "ERROR" }', doc)).toBe(true);
    expect(m('{ $.level = ERROR }', doc)).toBe(true);
    expect(m('{ $.level != "ERROR" }', doc)).toBe(false);
    expect(m('{ $.latency > 100 }', doc)).toBe(true);
    expect(m('{ $.latency >= 121 }', doc)).toBe(false);
    expect(m('{ $.user.id = "u-*" }', doc)).toBe(true);
    expect(m('{ $.tags[1] = "b" }', doc)).toBe(true);
    expect(m('{ ($.level = "INFO") || ($.latency < 200 && $.ok IS FALSE) }', doc)).toBe(true);
    expect(m('{ $.gone IS NULL }', doc)).toBe(true);
    expect(m('{ $.missing NOT EXISTS }', doc)).toBe(true);
    expect(m('{ $.latency EXISTS }', doc)).toBe(true);
    expect(m('{ $.level = "ERROR" }', 'ERROR not json')).toBe(false);
  });

  it('space-delimited patterns name fields and test them, with ... for the rest', () => {
    const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326';
    expect(m('[ip, id, user, timestamp, request, status_code = 4*, bytes > 1000]', line)).toBe(true);
    expect(m('[ip, id, user, timestamp, request, status_code = 2*, bytes]', line)).toBe(false);
    expect(m('[ip = 127.*, ...]', line)).toBe(true);
    expect(m('[..., status = 404 || status = 500, bytes]', line)).toBe(true);
  });

  it('refuses malformed patterns with AWS wording', () => {
    expect(() => compileFilterPattern('{ $.x = ')).toThrow('Invalid filter pattern');
    expect(() => compileFilterPattern('"unterminated')).toThrow('Invalid filter pattern');
    expect(() => compileFilterPattern('{ $.x > "a" }')).not.toThrow();
  });

  it('lists the terms every match contains (for block skipping)', () => {
    expect(compileFilterPattern('ERROR -x ?y "a b"').required).toEqual(['ERROR', 'a b']);
    expect(compileFilterPattern('{ $.a = 1 }').required).toEqual([]);
  });
});
