/**
 * Write-time validation. The malformed cases and their texts are AWS responses recorded by moto's
 * tests/test_iam/test_iam_policies.py (restated here as data), plus the principal/trust/RCP rules of
 * reference/iam.md §6.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy, compileStoredPolicy, validatePolicyDocument } from './compile.js';
import type { PolicyKind } from './types.js';

const V = '2012-10-17';
const stmt = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example_bucket', ...extra });
const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: V, Statement: statement, ...extra });

const malformed: Array<[string, string, string, PolicyKind?]> = [
  ['not JSON', 'This is not a json document', 'Syntax errors in policy.'],
  ['trust policy not JSON', '{"Version": "2012-10-17",', 'This policy contains invalid Json', 'trust'],
  ['no Version (managed identity policy)', JSON.stringify({ Statement: stmt() }), 'Policy document must be version 2012-10-17 or greater.'],
  ['Version 2008-10-17 (identity)', JSON.stringify({ Version: '2008-10-17', Statement: stmt() }), 'Policy document must be version 2012-10-17 or greater.'],
  ['unknown Version', JSON.stringify({ Version: '2013-10-17', Statement: stmt() }), 'Syntax errors in policy.'],
  ['no Statement', JSON.stringify({ Version: V }), 'Syntax errors in policy.'],
  ['statement not an object', doc(['afd']), 'Syntax errors in policy.'],
  ['unknown top-level field', doc(stmt(), { 'Extra field': 'value' }), 'Syntax errors in policy.'],
  ['unknown statement field', doc(stmt({ 'Extra field': 'value' })), 'Syntax errors in policy.'],
  ['Id is a list', doc(stmt(), { Id: ['x'] }), 'Syntax errors in policy.'],
  ['Effect invalid', doc(stmt({ Effect: 'invalid' })), 'Syntax errors in policy.'],
  ['Effect missing', doc({ Action: 's3:ListBucket', Resource: '*' }), 'Syntax errors in policy.'],
  ['action without vendor', doc(stmt({ Action: 'invalid' })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['empty NotAction string', JSON.stringify({ Version: V, Statement: { Effect: 'Allow', NotAction: '', Resource: 'arn:aws:s3:::b' } }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['vendor with a space', doc(stmt({ Action: 'a a:ListBucket' })), 'Vendor a a is not valid'],
  ['wildcard in the vendor', doc(stmt({ Action: 's*:ListBucket' })), 'Vendor s* is not valid'],
  ['two colons', doc(stmt({ Action: 's3:List:Bucket' })), 'Actions/Condition can contain only one colon.'],
  ['resource not an ARN', doc(stmt({ Resource: 'invalid resource' })), 'Resource invalid resource must be in ARN format or "*".'],
  ['empty resource string', doc(stmt({ Resource: '' })), 'Resource  must be in ARN format or "*".'],
  ['bad partition (short)', doc(stmt({ Action: undefined, NotAction: 's3s:ListBucket', Resource: 'a:bsdfdsafsad' })), 'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'],
  ['bad partition (three parts)', doc(stmt({ Resource: 'a:b:cadfsdf' })), 'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".'],
  ['bad partition (long)', doc(stmt({ Resource: 'a:b:c:d:e:f:g:h' })), 'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'],
  ['missing arn prefix', doc(stmt({ Resource: 'aws:s3:::example_bucket' })), 'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'],
  ['two bad partitions: the last one in sort order is reported', doc(stmt({ Resource: ['arn:error:s3:::example_bucket', 'arn:error:s3::example_bucket'] })), 'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'],
  ['empty Statement list', doc([]), 'Syntax errors in policy.'],
  ['identity statement without Resource', doc({ Effect: 'Allow', Action: 's3:ListBucket' }), 'Policy statement must contain resources.'],
  ['identity statement with empty Resource list', doc(stmt({ Resource: [] })), 'Policy statement must contain resources.'],
  ['vendor error is reported before missing resources', doc({ Effect: 'Allow', Action: 'invalid' }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['no Action', doc({ Effect: 'Allow', Resource: 'arn:aws:s3:::example_bucket' }), 'Policy statement must contain actions.'],
  ['empty Action list', doc(stmt({ Action: [] })), 'Policy statement must contain actions.'],
  ['second statement without Action', doc([{ Effect: 'Deny' }, stmt()]), 'Policy statement must contain actions.'],
  ['IAM resource path', doc(stmt({ Resource: 'arn:aws:iam:::example_bucket' })), 'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.'],
  ['five-part S3 ARN', doc(stmt({ Resource: 'arn:aws:s3::example_bucket' })), 'The policy failed legacy parsing'],
  ['five-part ARN without Action', doc({ Effect: 'Allow', Resource: 'arn:aws:s3::example_bucket' }), 'The policy failed legacy parsing'],
  ['ARN without vendor', doc(stmt({ Resource: 'arn:aws' })), 'Resource vendor must be fully qualified and cannot contain regexes.'],
  ['Resource an object', doc(stmt({ Resource: { a: 'arn:aws:s3:::example_bucket' } })), 'Syntax errors in policy.'],
  ['Resource list with an object', doc(stmt({ Effect: 'Deny', Resource: ['adfdf', {}] })), 'Syntax errors in policy.'],
  ['Resource and NotResource', doc(stmt({ NotResource: [] })), 'Syntax errors in policy.'],
  ['Action a nested list', doc(stmt({ Action: [[]] })), 'Syntax errors in policy.'],
  ['Action and NotAction', doc(stmt({ NotAction: 's3s:ListBucket', Action: [] })), 'Syntax errors in policy.'],
  ['Action an object', doc(stmt({ Action: {} })), 'Syntax errors in policy.'],
  ['Condition a list', doc(stmt({ Condition: [] })), 'Syntax errors in policy.'],
  ['Condition a string', doc(stmt({ Condition: 'a' })), 'Syntax errors in policy.'],
  ['Condition operator body a string', doc(stmt({ Condition: { a: 'b' } })), 'Syntax errors in policy.'],
  ['Condition operator body a string (known operator)', doc(stmt({ Condition: { DateGreaterThan: 'b' } })), 'Syntax errors in policy.'],
  ['Condition operator body a list', doc(stmt({ Condition: { DateGreaterThan: [] } })), 'Syntax errors in policy.'],
  ['Condition value an object', doc(stmt({ Condition: { DateGreaterThan: { a: {} } } })), 'Syntax errors in policy.'],
  ['unknown operator with values', doc(stmt({ Condition: { x: { a: '1' } } })), 'Syntax errors in policy.'],
  ['double colon after set operator', doc(stmt({ Condition: { 'ForAnyValue::StringEqualsIfExists': { a: 'asf' } } })), 'Syntax errors in policy.'],
  ['IAM resource with region', doc(stmt({ Resource: 'arn:aws:iam:us-east-1::example_bucket' })), 'IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.'],
  ['S3 resource with region', doc(stmt({ Resource: 'arn:aws:s3:us-east-1::example_bucket' })), 'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.'],
  ['Sid an object', doc(stmt({ Sid: {} })), 'Syntax errors in policy.'],
  ['duplicate Sid', doc([stmt({ Sid: 'sdf' }), { Sid: 'sdf', Effect: 'Allow' }]), 'Statement IDs (SID) in a single policy must be unique.'],
  ['version error wins over duplicate Sid', JSON.stringify({ Statement: [stmt({ Sid: 'sdf' }), { Sid: 'sdf', Effect: 'Allow' }] }), 'Policy document must be version 2012-10-17 or greater.'],
  ['Effect in the wrong case', doc(stmt({ Effect: 'denY' })), 'The policy failed legacy parsing'],
  ['Effect case wins over duplicate Sid', doc([stmt({ Sid: 'sdf', Effect: 'aLLow' }), { Sid: 'sdf', Effect: 'Allow' }]), 'The policy failed legacy parsing'],
  ['unparsable date', doc(stmt({ Condition: { DateGreaterThan: { a: 'sdfdsf' } } })), 'The policy failed legacy parsing'],
  ['date with a one-digit zone', doc(stmt({ Condition: { DateLessThanEquals: { a: '2016-12-13t2:00:00.593194+1' } } })), 'The policy failed legacy parsing'],
  ['epoch overflow', doc(stmt({ Condition: { DateLessThan: { a: '9223372036854775808' } } })), 'The policy failed legacy parsing'],
  ['empty service segment', doc(stmt({ Action: undefined, NotAction: 's3:ListBucket', Resource: 'arn:aws::::example_bucket' })), 'The policy failed legacy parsing'],
  ['four-part ARN with ::', doc(stmt({ Resource: 'arn:aws::fdsasf' })), 'The policy failed legacy parsing'],
  ['Principal in an identity policy', doc(stmt({ Principal: '*' })), 'Policy document should not specify a principal.'],
  ['NotPrincipal in a boundary', doc(stmt({ NotPrincipal: { AWS: '111122223333' } })), 'Policy document should not specify a principal.', 'boundary'],
  ['Principal in a session policy', doc(stmt({ Principal: '*' })), 'Policy document should not specify a principal.', 'session'],
  ['Principal in an SCP', doc(stmt({ Principal: '*' })), 'Policy document should not specify a principal.', 'scp'],
  ['resource policy without Principal', doc(stmt()), 'Missing required field Principal', 'resource'],
  ['trust policy without Principal', doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'Missing required field Principal', 'trust'],
  ['trust policy with Resource', doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }), 'Has prohibited field Resource', 'trust'],
  ['invalid AWS principal', doc({ Effect: 'Allow', Principal: { AWS: 'xyz' }, Action: 'sts:AssumeRole' }), 'Invalid principal in policy: "AWS":"xyz"', 'trust'],
  ['partial wildcard in a role principal', doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ml-*' }, Action: 'sts:AssumeRole' }), 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/ml-*"', 'trust'],
  ['wildcard in a session principal', doc(stmt({ Principal: { AWS: 'arn:aws:sts::111122223333:assumed-role/r/*' } })), 'Invalid principal in policy: "AWS":"arn:aws:sts::111122223333:assumed-role/r/*"', 'resource'],
  ['unknown principal type', doc(stmt({ Principal: { Group: 'x' } })), 'Syntax errors in policy.', 'resource'],
  ['Principal and NotPrincipal', doc(stmt({ Principal: '*', NotPrincipal: '*' })), 'Syntax errors in policy.', 'resource'],
  ['customer RCP with Allow', doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }), 'Resource control policies may only contain Deny statements.', 'rcp'],
  ['customer RCP with a specific principal', doc({ Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: '*' }), 'Resource control policies must use "Principal": "*".', 'rcp'],
  ['customer RCP with bare "*" action', doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }), 'Resource control policies may not use "*" as the only Action.', 'rcp'],
  ['customer RCP with NotAction', doc({ Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject', Resource: '*' }), 'Resource control policies do not support NotAction.', 'rcp'],
];

const valid: Array<[string, string, PolicyKind?]> = [
  ['Resource list', doc(stmt({ Resource: ['arn:aws:s3:::example_bucket'] }))],
  ['odd but legal action name', doc(stmt({ Action: 'iam: asdf safdsf af ' }))],
  ['"*" among resources', doc(stmt({ Resource: ['arn:aws:s3:::example_bucket', '*'] }))],
  ['Action "*"', doc(stmt({ Action: '*' }))],
  ['unknown service in the ARN', doc(stmt({ Resource: 'arn:aws:invalid-service:us-east-1::example_bucket' }))],
  ['three-part ARN', doc(stmt({ Resource: 'arn:aws:fdsasf' }))],
  ['empty Condition', doc(stmt({ Condition: {} }))],
  ['unknown operator with an empty body', doc(stmt({ Condition: { x: {}, y: {} } }))],
  ['empty value list', doc(stmt({ Condition: { DateGreaterThan: { a: [] } } }))],
  ['set operator with IfExists', doc(stmt({ Condition: { 'ForAnyValue:StringEqualsIfExists': { a: 'asf' } } }))],
  ['fractional seconds and offset', doc(stmt({ Condition: { DateLessThanEquals: { a: '2016-12-13T21:20:37.593194+00:00' } } }))],
  ['negative epoch-like year', doc(stmt({ Condition: { DateLessThan: { a: '-292275054' } } }))],
  ['NotAction + NotResource "*"', doc({ Effect: 'Allow', NotAction: 's3:ListBucket', NotResource: '*' })],
  ['vendors with dashes and dots', doc(stmt({ Action: ['s3-s:ListBucket', 's3.s:ListBucket'] }))],
  ['policy variables', doc(stmt({ Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/${aws:username}' }))],
  ['JSON booleans and numbers in conditions', doc(stmt({ Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': 10 } } }))],
  ['inline identity policy without Version when allowed', JSON.stringify({ Statement: stmt() })],
  ['bucket policy with Version 2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: stmt({ Principal: '*' }) }), 'resource'],
  ['trust policy for a service', doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }), 'trust'],
  ['trust policy naming a role with a path, a session, a user, an account and a unique id', doc({
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam::111122223333:role/team/trainer', 'arn:aws:sts::111122223333:assumed-role/r/s', 'arn:aws:iam::111122223333:user/alice', '111122223333', 'AROAEXAMPLEROLEID0001'] },
    Action: 'sts:AssumeRole',
  }), 'trust'],
  ['customer RCP perimeter', doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } } }), 'rcp'],
  ['SCP with NotAction and conditions', doc({ Effect: 'Deny', NotAction: ['iam:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }), 'scp'],
];

describe('compilePolicy: malformed documents', () => {
  for (const [name, document, message, kind] of malformed) {
    it(`${kind ?? 'identity'}: ${name}`, () => {
      expect(validatePolicyDocument(document, kind ?? 'identity')).toBe(message);
    });
  }
});

describe('compilePolicy: valid documents', () => {
  for (const [name, document, kind] of valid) {
    it(`${kind ?? 'identity'}: ${name}`, () => {
      expect(validatePolicyDocument(document, kind ?? 'identity', { allowLegacyVersion: true })).toBeUndefined();
    });
  }

  it('keeps Sids, indexes, version and AWS principals', () => {
    const p = compilePolicy(
      doc([stmt({ Sid: 'One', Principal: '*' }), stmt({ Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:role/r'] } })]),
      'resource',
    );
    expect(p.version).toBe(V);
    expect(p.statements.map((s) => [s.index, s.sid])).toEqual([
      [0, 'One'],
      [1, undefined],
    ]);
    expect(p.awsPrincipals).toEqual(['111122223333', 'arn:aws:iam::111122223333:role/r']);
  });

  it('RCPFullAWSAccess compiles as an AWS-managed RCP only', () => {
    const full = doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
    expect(validatePolicyDocument(full, 'rcp', { awsManaged: true })).toBeUndefined();
    expect(validatePolicyDocument(full, 'rcp')).toBeDefined();
  });

  it('compileStoredPolicy accepts what a writer accepted: AWS-managed RCPs, inline policies without Version', () => {
    expect(compileStoredPolicy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp').statements).toHaveLength(1);
    expect(compileStoredPolicy(JSON.stringify({ Statement: stmt() }), 'identity').version).toBeUndefined();
    expect(() => compileStoredPolicy('nope', 'identity')).toThrow();
  });

  it('throws PolicyError with the message', () => {
    expect(() => compilePolicy('nope', 'identity')).toThrow(expect.objectContaining({ message: 'Syntax errors in policy.' }));
  });
});
