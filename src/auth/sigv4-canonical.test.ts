import { describe, expect, it } from 'vitest';
import { awsUriEncode, canonicalHeaderValue, canonicalQuery, canonicalUri, headersFromRaw, rawCanonicalQuery } from './sigv4-canonical.js';

describe('awsUriEncode', () => {
  it.each([
    ['AZaz09-_.~', 'AZaz09-_.~'],
    [' +=&/', '%20%2B%3D%26%2F'],
    ["'()*!", '%27%28%29%2A%21'],
    ['ü', '%C3%BC'],
    ['😀', '%F0%9F%98%80'],
    ['%', '%25'],
  ])('%j → %j', (input, out) => expect(awsUriEncode(input)).toBe(out));
});

describe('canonicalUri', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/b/k%201%2Bx%3Dy%26z', '/b/k%201%2Bx%3Dy%26z'],
    ['/b/dir/../x', '/b/dir/../x'],
    ['/b/a//b', '/b/a//b'],
    ['/b/%C3%BC/%C3%9F', '/b/%C3%BC/%C3%9F'],
    ["/b/'()*!~", '/b/%27%28%29%2A%21~'],
    ['/b/%7E%2f', '/b/~%2F'],
    ['/b/bad%ZZ', '/b/bad%25ZZ'],
  ])('S3 %j → %j', (raw, out) => expect(canonicalUri(raw, true)).toBe(out));

  it.each([
    ['', '/'],
    ['/', '/'],
    ['/a//b/./c/../d', '/a/b/d'],
    ['/a/b/', '/a/b/'],
    ['/..', '/'],
    ['/functions/my%3Afn', '/functions/my%253Afn'],
    ['/k%201', '/k%25201'],
  ])('other services %j → %j', (raw, out) => expect(canonicalUri(raw, false)).toBe(out));
});

describe('canonicalQuery', () => {
  it.each([
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=x+y', 'a=x%2By'],
    ['a=hello%20world', 'a=hello%20world'],
    ['c=2&c=10&c=1', 'c=1&c=10&c=2'],
    ['flag&e=', 'e=&flag='],
    ['&&a=1&', 'a=1'],
    ['a=%2b%7e', 'a=%2B~'],
    ["k='()*!", 'k=%27%28%29%2A%21'],
    ['a=b=c', 'a=b%3Dc'],
    ['B=1&a=1&_=1', 'B=1&_=1&a=1'],
  ])('%j → %j', (raw, out) => expect(canonicalQuery(raw)).toBe(out));

  it('excludes a parameter by decoded name and keeps raw pairs when asked', () => {
    expect(canonicalQuery('X-Amz-Signature=ab&X-Amz-Date=1', 'X-Amz-Signature')).toBe('X-Amz-Date=1');
    expect(rawCanonicalQuery("b=x+y&a='", undefined)).toBe("a='&b=x+y");
  });
});

describe('header values', () => {
  it('trims and folds whitespace runs', () => {
    expect(canonicalHeaderValue('  a   b \t c  ')).toBe('a b c');
    expect(canonicalHeaderValue('"a   b"')).toBe('"a b"');
    expect(canonicalHeaderValue('plain')).toBe('plain');
  });

  it('headersFromRaw lower-cases names and joins repeated lines with ","', () => {
    expect(headersFromRaw(['Host', 'h:1', 'X-Amz-Meta-A', ' one  two ', 'x-amz-meta-a', 'three', 'Content-Type', 'text/plain'])).toEqual({
      host: 'h:1',
      'x-amz-meta-a': 'one two,three',
      'content-type': 'text/plain',
    });
  });
});
