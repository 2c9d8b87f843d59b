import { describe } from 'vitest';
import { runTable } from './test-table.js';

describe('ARN operators', () => {
  runTable([
    { op: 'ArnLike', values: 'arn:aws:s:*:111:f/*', value: 'arn:aws:s:us-east-2:999:x/abc:111:f/d', expected: false, note: 'C20' },
    { op: 'StringLike', values: 'arn:aws:s:*:111:f/*', value: 'arn:aws:s:us-east-2:999:x/abc:111:f/d', expected: true, note: 'C20' },
    { op: 'ArnLike', values: 'arn:aws:sagemaker:*:111122223333:training-job/*', value: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j', expected: true },
    { op: 'ArnLike', values: 'arn:aws:iam::*:role/ml-?', value: 'arn:aws:iam::111122223333:role/ml-a', expected: true },
    { op: 'ArnEquals', values: 'arn:aws:iam::111122223333:role/*', value: 'arn:aws:iam::111122223333:role/x', expected: true, note: 'same as ArnLike' },
    { op: 'ArnEquals', values: 'arn:aws:iam::111122223333:role/X', value: 'arn:aws:iam::111122223333:role/x', expected: false, note: 'case-sensitive' },
    { op: 'ArnLike', values: 'arn:aws:logs:*:*:log-group:/ml/*', value: 'arn:aws:logs:us-east-1:1:log-group:/ml/a:*', expected: true, note: 'resource part keeps colons' },
    { op: 'ArnLike', values: 'arn:aws:*', value: 'arn:aws:s3:::b', expected: false, note: 'a star stays in its component' },
    { op: 'ArnLike', values: 'arn:aws:s3:::b', value: 'not-an-arn', expected: false },
    { op: 'ArnNotEquals', values: 'arn:aws:sns:us-east-1:1:t', value: undefined, expected: true, note: 'C21' },
    { op: 'ArnNotLike', values: 'arn:aws:iam::*:role/admin-*', value: 'arn:aws:iam::1:role/admin-x', expected: false },
    { op: 'ArnNotLike', values: 'arn:aws:iam::*:role/admin-*', value: 'arn:aws:iam::1:role/dev', expected: true },
    { op: 'ArnLike', values: 'arn:aws:iam::${aws:PrincipalAccount}:role/*', value: 'arn:aws:iam::1:role/r', ctx: { 'aws:PrincipalAccount': '1' }, expected: true },
    { op: 'ArnLike', values: 'arn:aws:iam::${aws:PrincipalAccount}:role/*', value: 'arn:aws:iam::2:role/r', ctx: { 'aws:PrincipalAccount': '1' }, expected: false },
    { op: 'ArnEquals', values: '${aws:PrincipalArn}', value: 'arn:aws:iam::1:role/r', ctx: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/r' }, expected: true, note: 'a variable holding a whole ARN' },
    { op: 'ArnLike', values: 'arn:aws:iam::1:role/${aws:PrincipalTag/r}', value: 'arn:aws:iam::1:role/abc', ctx: { 'aws:PrincipalTag/r': 'a*' }, expected: false, note: 'substituted * is literal' },
    { op: 'ArnLike', values: 'arn:aws:iam::1:role/${aws:PrincipalTag/r}', value: 'arn:aws:iam::1:role/a*', ctx: { 'aws:PrincipalTag/r': 'a*' }, expected: true },
    { op: 'ArnLike', values: 'arn:aws:iam::1:role/x${*}', value: 'arn:aws:iam::1:role/x*', expected: true, note: 'escaped star' },
    { op: 'ArnLike', values: 'arn:aws:iam::1:role/x${*}', value: 'arn:aws:iam::1:role/xy', expected: false },
    { op: 'ArnLikeIfExists', values: 'arn:aws:iam::1:role/r', value: undefined, expected: true },
  ]);
});
