import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../core/context.js';
import { AwsError } from '../../../core/errors.js';
import type { Principal } from '../../../core/principal.js';
import type { CallRecord } from '../../../gateway/audit-port.js';
import {
  buildEvents,
  camelMember,
  categoryOf,
  eventSourceOf,
  HIDDEN,
  isReadOnly,
  recipientsOf,
  toCloudTrailMembers,
  usernameOf,
  userIdentityOf,
} from './event.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

const user: Principal = {
  type: 'IAMUser',
  accountId: '444444444444',
  arn: 'arn:aws:iam::444444444444:user/ds1-scientist',
  userId: 'AIDAEXAMPLEEXAMPLE123',
  accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
  name: 'ds1-scientist',
};

const session: Principal = {
  type: 'AssumedRole',
  accountId: '444444444444',
  arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/alice',
  userId: 'AROAEXAMPLEEXAMPLE123:alice',
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  name: 'DataScientist',
  roleArn: 'arn:aws:iam::444444444444:role/DataScientist',
  roleId: 'AROAEXAMPLEEXAMPLE123',
  sessionName: 'alice',
  sessionIssuer: {
    type: 'Role',
    arn: 'arn:aws:iam::444444444444:role/DataScientist',
    accountId: '444444444444',
    userName: 'DataScientist',
    principalId: 'AROAEXAMPLEEXAMPLE123',
  },
  sourceIdentity: 'alice@example.com',
  sessionIssuedAt: Date.UTC(2026, 0, 2, 3, 0, 0),
};

const root: Principal = { type: 'Root', accountId: '111111111111', arn: 'arn:aws:iam::111111111111:root', userId: '111111111111', accessKeyId: 'AKIAROOTROOTROOTROOT' };
const service: Principal = { type: 'AWSService', accountId: '', arn: 'sagemaker.amazonaws.com', userId: 'sagemaker.amazonaws.com', service: 'sagemaker.amazonaws.com' };

function ctx(principal: Principal, service = 'iam', operation = 'CreateRole', extra: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: 'req-1',
    service,
    operation,
    region: 'us-east-1',
    principal,
    accountId: principal.accountId,
    sourceIp: '10.1.2.3',
    userAgent: 'aws-sdk-js/3',
    now: T0,
    secureTransport: false,
    ...extra,
  };
}

function call(c: RequestContext, input: unknown, rest: Partial<CallRecord> = {}): CallRecord {
  return { ctx: c, input, resourceAccounts: [], ...rest };
}

let n = 0;
const newId = () => `id-${++n}`;

describe('event source, read-only and category', () => {
  it('names the event source after the service', () => {
    expect(eventSourceOf('iam')).toBe('iam.amazonaws.com');
    expect(eventSourceOf('sts')).toBe('sts.amazonaws.com');
    expect(eventSourceOf('organizations')).toBe('organizations.amazonaws.com');
    expect(eventSourceOf('s3')).toBe('s3.amazonaws.com');
    expect(eventSourceOf('sagemaker-runtime')).toBe('sagemaker.amazonaws.com');
  });

  it('marks reads read-only by their verb', () => {
    for (const op of ['GetRole', 'ListRoles', 'DescribeOrganization', 'LookupEvents', 'SimulatePrincipalPolicy', 'HeadBucket', 'GetCallerIdentity', 'BatchGetImage']) {
      expect(isReadOnly(op), op).toBe(true);
    }
    for (const op of ['CreateRole', 'AssumeRole', 'PutRolePolicy', 'DeleteUser', 'TagResource', 'Getaway', 'Listen', 'UpdateAssumeRolePolicy']) {
      expect(isReadOnly(op), op).toBe(false);
    }
  });

  it('tells data events from management events', () => {
    expect(categoryOf('s3', 'PutObject')).toBe('Data');
    expect(categoryOf('s3', 'CreateBucket')).toBe('Management');
    expect(categoryOf('iam', 'GetRole')).toBe('Management');
  });
});

describe('userIdentity', () => {
  it('IAM user', () => {
    expect(userIdentityOf(user)).toEqual({
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEEXAMPLE123',
      arn: 'arn:aws:iam::444444444444:user/ds1-scientist',
      accountId: '444444444444',
      accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
      userName: 'ds1-scientist',
    });
    expect(usernameOf(user)).toBe('ds1-scientist');
  });

  it('IAM user with GetSessionToken credentials carries session attributes', () => {
    const id = userIdentityOf({ ...user, sessionIssuedAt: T0 });
    expect(id.sessionContext).toEqual({ attributes: { creationDate: '2026-01-02T03:04:05Z', mfaAuthenticated: 'false' } });
  });

  it('assumed role with its session issuer, creation date and source identity', () => {
    expect(userIdentityOf(session)).toEqual({
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEEXAMPLE123:alice',
      arn: 'arn:aws:sts::444444444444:assumed-role/DataScientist/alice',
      accountId: '444444444444',
      accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEEXAMPLE123',
          arn: 'arn:aws:iam::444444444444:role/DataScientist',
          accountId: '444444444444',
          userName: 'DataScientist',
        },
        webIdFederationData: {},
        attributes: { creationDate: '2026-01-02T03:00:00Z', mfaAuthenticated: 'false' },
        sourceIdentity: 'alice@example.com',
      },
    });
    expect(usernameOf(session)).toBe('alice');
  });

  it('root', () => {
    expect(userIdentityOf(root)).toEqual({
      type: 'Root',
      principalId: '111111111111',
      arn: 'arn:aws:iam::111111111111:root',
      accountId: '111111111111',
      accessKeyId: 'AKIAROOTROOTROOTROOT',
    });
    expect(usernameOf(root)).toBe('root');
  });

  it('AWS service', () => {
    expect(userIdentityOf(service)).toEqual({ type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' });
    expect(usernameOf(service)).toBe('sagemaker.amazonaws.com');
  });

  it('a role acting through a service names the service as invokedBy', () => {
    const id = userIdentityOf(session, { via: { calledVia: ['sagemaker.amazonaws.com'] } });
    expect(id.invokedBy).toBe('sagemaker.amazonaws.com');
  });

  it('anonymous', () => {
    expect(userIdentityOf({ type: 'Anonymous', accountId: '', arn: '*', userId: 'anonymous' })).toEqual({
      type: 'AWSAccount',
      principalId: '',
      accountId: 'ANONYMOUS_PRINCIPAL',
    });
  });
});

describe('request parameters and response elements', () => {
  it('camelCases member names at every level and leaves user map keys alone', () => {
    expect(camelMember('RoleArn')).toBe('roleArn');
    expect(camelMember('SAMLProviderArn')).toBe('sAMLProviderArn');
    expect(camelMember('MY_VAR')).toBe('MY_VAR');
    expect(camelMember('team')).toBe('team');
    expect(
      toCloudTrailMembers(
        { RoleName: 'r', Tags: [{ Key: 'team', Value: 'ds1' }], Nested: { InnerList: [{ DeepMember: 1 }] }, Environment: { MY_VAR: 'x' } },
        'request',
      ),
    ).toEqual({ roleName: 'r', tags: [{ key: 'team', value: 'ds1' }], nested: { innerList: [{ deepMember: 1 }] }, environment: { MY_VAR: 'x' } });
  });

  it('writes dates as ISO and drops binary bodies and undefined members', () => {
    expect(
      toCloudTrailMembers({ Expiration: new Date(T0), Body: new Uint8Array([1, 2]), Missing: undefined, Count: 3, Flag: false }, 'request'),
    ).toEqual({ expiration: '2026-01-02T03:04:05Z', count: 3, flag: false });
  });

  it('hides secrets in requests, wherever they are', () => {
    expect(
      toCloudTrailMembers(
        { UserName: 'u', Password: 'p', NewPassword: 'n', OldPassword: 'o', Outer: { SecretAccessKey: 's', SessionToken: 't', PrivateKey: 'k' }, SecretArn: 'keep' },
        'request',
      ),
    ).toEqual({
      userName: 'u',
      password: HIDDEN,
      newPassword: HIDDEN,
      oldPassword: HIDDEN,
      outer: { secretAccessKey: HIDDEN, sessionToken: HIDDEN, privateKey: HIDDEN },
      secretArn: 'keep',
    });
  });

  it('leaves secret keys out of responses and hides session tokens', () => {
    expect(
      toCloudTrailMembers({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(T0) } }, 'response'),
    ).toEqual({ credentials: { accessKeyId: 'ASIA1', sessionToken: HIDDEN, expiration: '2026-01-02T03:04:05Z' } });
  });
});

describe('recipients', () => {
  it('is the caller account alone for a call on its own resources', () => {
    expect(recipientsOf(call(ctx(user), {}))).toEqual(['444444444444']);
  });

  it('adds each distinct resource owner once', () => {
    expect(recipientsOf(call(ctx(user), {}, { resourceAccounts: ['333333333333', '444444444444', '333333333333', '222222222222'] }))).toEqual([
      '444444444444',
      '333333333333',
      '222222222222',
    ]);
  });

  it('reads the role owner of an AssumeRole from RoleArn', () => {
    expect(recipientsOf(call(ctx(session, 'sts', 'AssumeRole'), { RoleArn: 'arn:aws:iam::333333333333:role/DataConsumer', RoleSessionName: 's' }))).toEqual([
      '444444444444',
      '333333333333',
    ]);
  });

  it('skips what is not an account (anonymous callers, service principals)', () => {
    expect(recipientsOf(call(ctx(service), {}))).toEqual([]);
    expect(recipientsOf(call(ctx(service), {}, { resourceAccounts: ['777777777777'] }))).toEqual(['777777777777']);
  });
});

describe('buildEvents', () => {
  it('builds the CloudTrail record of a successful write', () => {
    const [e, ...more] = buildEvents(
      call(ctx(user, 'iam', 'CreateRole'), { RoleName: 'Trainer', AssumeRolePolicyDocument: '{}' }, { output: { Role: { RoleName: 'Trainer', CreateDate: new Date(T0) } } }),
      newId,
    );
    expect(more).toEqual([]);
    expect(e!.event).toEqual({
      eventVersion: '1.08',
      userIdentity: userIdentityOf(user),
      eventTime: '2026-01-02T03:04:05Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      awsRegion: 'us-east-1',
      sourceIPAddress: '10.1.2.3',
      userAgent: 'aws-sdk-js/3',
      requestParameters: { roleName: 'Trainer', assumeRolePolicyDocument: '{}' },
      responseElements: { role: { roleName: 'Trainer', createDate: '2026-01-02T03:04:05Z' } },
      requestID: 'req-1',
      eventID: e!.eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '444444444444',
      eventCategory: 'Management',
    });
    expect(Object.keys(e!.event).slice(0, 8)).toEqual(['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent']);
    expect(e).toMatchObject({
      recipientAccountId: '444444444444',
      eventTime: T0,
      eventName: 'CreateRole',
      eventSource: 'iam.amazonaws.com',
      readOnly: false,
      username: 'ds1-scientist',
      accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
      category: 'Management',
      resources: [{ type: 'AWS::IAM::Role', name: 'Trainer' }],
    });
  });

  it('has no response elements for reads, and null parameters for an empty input', () => {
    const [e] = buildEvents(call(ctx(user, 'sts', 'GetCallerIdentity'), {}, { output: { Account: '444444444444' } }), newId);
    expect(e!.event.readOnly).toBe(true);
    expect(e!.event.requestParameters).toBeNull();
    expect(e!.event.responseElements).toBeNull();
  });

  it('records failures with errorCode and errorMessage and no response elements', () => {
    const err = new AwsError('AccessDenied', 'User: x is not authorized to perform: sts:AssumeRole on resource: y', { status: 403 });
    const [e] = buildEvents(call(ctx(user, 'sts', 'AssumeRole'), { RoleArn: 'arn:aws:iam::444444444444:role/X', RoleSessionName: 's' }, { error: err }), newId);
    expect(e!.event.errorCode).toBe('AccessDenied');
    expect(e!.event.errorMessage).toBe('User: x is not authorized to perform: sts:AssumeRole on resource: y');
    expect(e!.event.responseElements).toBeNull();
    expect(Object.keys(e!.event).indexOf('errorCode')).toBe(Object.keys(e!.event).indexOf('userAgent') + 1);
  });

  it('records a cross-account AssumeRole in both accounts, with shared and distinct ids', () => {
    const events = buildEvents(
      call(
        ctx(session, 'sts', 'AssumeRole'),
        { RoleArn: 'arn:aws:iam::333333333333:role/DataConsumer', RoleSessionName: 'lake' },
        {
          output: {
            Credentials: { AccessKeyId: 'ASIANEW', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(T0 + 3_600_000) },
            AssumedRoleUser: { AssumedRoleId: 'AROALAKE:lake', Arn: 'arn:aws:sts::333333333333:assumed-role/DataConsumer/lake' },
          },
        },
      ),
      newId,
    );
    expect(events.map((e) => e.recipientAccountId)).toEqual(['444444444444', '333333333333']);
    const [a, b] = events;
    expect(a!.eventId).not.toBe(b!.eventId);
    expect(a!.event.sharedEventID).toBeDefined();
    expect(a!.event.sharedEventID).toBe(b!.event.sharedEventID);
    expect(b!.event.recipientAccountId).toBe('333333333333');
    expect(b!.event.userIdentity).toEqual(a!.event.userIdentity);
    expect(a!.event.responseElements).toEqual({
      credentials: { accessKeyId: 'ASIANEW', sessionToken: HIDDEN, expiration: '2026-01-02T04:04:05Z' },
      assumedRoleUser: { assumedRoleId: 'AROALAKE:lake', arn: 'arn:aws:sts::333333333333:assumed-role/DataConsumer/lake' },
    });
    expect(JSON.stringify(a!.event)).not.toContain('secret');
    expect(a!.resources).toEqual([
      { type: 'AWS::IAM::Role', name: 'arn:aws:iam::333333333333:role/DataConsumer', arn: 'arn:aws:iam::333333333333:role/DataConsumer', accountId: '333333333333' },
      { type: 'AWS::STS::AssumedRole', name: 'lake' },
      { type: 'AWS::IAM::AccessKey', name: 'ASIANEW' },
    ]);
    expect(a!.event.resources).toEqual([{ accountId: '333333333333', type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::333333333333:role/DataConsumer' }]);
    expect(a!.username).toBe('alice');
  });

  it('uses the service as source address and user agent for service principals', () => {
    const [e] = buildEvents(call(ctx(service, 's3', 'CreateBucket'), { Bucket: 'b' }, { resourceAccounts: ['777777777777'] }), newId);
    expect(e!.event.sourceIPAddress).toBe('sagemaker.amazonaws.com');
    expect(e!.event.userAgent).toBe('sagemaker.amazonaws.com');
    expect(e!.event.resources).toEqual([{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' }]);
  });

  it('copies the input, so later mutations do not change the event', () => {
    const input = { RoleName: 'A', Tags: [{ Key: 'k', Value: 'v' }] };
    const [e] = buildEvents(call(ctx(user), input), newId);
    input.Tags[0]!.Value = 'changed';
    expect(e!.event.requestParameters).toEqual({ roleName: 'A', tags: [{ key: 'k', value: 'v' }] });
  });
});
