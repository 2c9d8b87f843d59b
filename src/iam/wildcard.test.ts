import { describe, expect, it } from 'vitest';
import { arnLikeRegexSource, compileGlob, resourceRegexSource, splitArnPrefix } from './wildcard.js';
import { parseTemplate, renderText } from './variables.js';

const resource = (pattern: string, value: string) => new RegExp(`^${resourceRegexSource(pattern)}$`).test(value);
const arnLike = (pattern: string, value: string) => new RegExp(`^${arnLikeRegexSource(pattern)}$`).test(value);

describe('wildcards', () => {
  it.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/a/b/c', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
    ['arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/x', true],
    ['arn:aws:sagemaker:us-*1:model/m', 'arn:aws:sagemaker:us-east-1:1:model/m', false],
    ['arn:aws:sagemaker:us-*', 'arn:aws:sagemaker:us-east-1:1:model/m', true],
    ['arn:aws:ec2:*:*:instance/i-?', 'arn:aws:ec2:r:1:instance/i-1', true],
    ['arn:aws:ec2:*:*:instance/i-?', 'arn:aws:ec2:r:1:instance/i-12', false],
    ['arn:aws:logs:*:*:log-group:/a/*', 'arn:aws:logs:r:1:log-group:/a/b:log-stream:c', true],
    ['arn:aws:s3:::a+b', 'arn:aws:s3:::aab', false],
    ['arn:aws:s3:::a+b', 'arn:aws:s3:::a+b', true],
  ])('Resource %s vs %s → %s', (p, v, want) => expect(resource(p, v)).toBe(want));

  it.each([
    ['arn:aws:s:*:111:f/*', 'arn:aws:s:us-east-2:999:x/abc:111:f/d', false],
    ['arn:aws:s:*:111:f/*', 'arn:aws:s:us-east-2:111:f/d', true],
    ['arn:aws:*:*:*:*', 'arn:aws:s3:::b', true],
  ])('ArnLike %s vs %s → %s', (p, v, want) => expect(arnLike(p, v)).toBe(want));

  it('splits ARN prefixes without breaking ${…} variables', () => {
    expect(splitArnPrefix('arn:aws:s3:::b/${aws:username}/x', 5)).toEqual({ segments: ['arn', 'aws', 's3', '', ''], rest: 'b/${aws:username}/x' });
    expect(splitArnPrefix('arn:aws:*', 5)).toEqual({ segments: ['arn', 'aws', '*'], rest: undefined });
  });

  it('globs case-sensitively unless told otherwise', () => {
    expect(compileGlob('s3:get*')('s3:GetObject')).toBe(false);
    expect(compileGlob('s3:get*', true)('s3:GetObject')).toBe(true);
  });
});

describe('policy variables', () => {
  const ctx = new Map<string, string | readonly string[]>([
    ['aws:username', 'alice'],
    ['aws:tagkeys', ['a', 'b']],
  ]);
  it.each([
    ['home/${aws:username}', 'home/alice'],
    ['home/${AWS:UserName}', 'home/alice'],
    ["${aws:PrincipalTag/team, 'shared'}", 'shared'],
    ["${aws:PrincipalTag/team,'x y'}", 'x y'],
    ['${*}${?}${$}', '*?$'],
    ['${aws:TagKeys}', undefined],
    ['${aws:PrincipalTag/team}', undefined],
    ['no variables', 'no variables'],
    ['unterminated ${aws:username', 'unterminated ${aws:username'],
  ])('%s → %s', (text, want) => expect(renderText(parseTemplate(text, true), ctx)).toBe(want));

  it('is literal text when variables are off (2008-10-17)', () => {
    expect(renderText(parseTemplate('home/${aws:username}', false), ctx)).toBe('home/${aws:username}');
  });
});
