/**
 * Turns one finished call (the gateway's `CallRecord`) into CloudTrail events, one per recipient account,
 * shaped like the records AWS CloudTrail writes:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 *
 *   call ─► userIdentity (by principal type) ─► requestParameters / responseElements (members camelCased,
 *        secrets hidden, binary bodies dropped) ─► resources ─► one event per recipient account
 *        (the caller's, then each distinct resource owner; they share `sharedEventID`)
 *
 * Pure: ids come from the caller, nothing here does I/O. Building is synchronous and cheap because the
 * audit sink runs it on the request path.
 */
import { parseArn } from '../../../core/arn.js';
import type { RequestContext } from '../../../core/context.js';
import type { Principal } from '../../../core/principal.js';
import type { CallRecord } from '../../../gateway/audit-port.js';

export const EVENT_VERSION = '1.08';
/** What AWS writes in place of a secret it will not log. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export type EventCategory = 'Management' | 'Data';

/** `userIdentity` as CloudTrail records it; which members appear depends on `type`. */
export interface UserIdentity {
  readonly type: string;
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: SessionContext;
  readonly invokedBy?: string;
}

export interface SessionContext {
  readonly sessionIssuer?: {
    readonly type: string;
    readonly principalId: string;
    readonly arn: string;
    readonly accountId: string;
    readonly userName: string;
  };
  readonly webIdFederationData?: Record<string, never>;
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
  readonly sourceIdentity?: string;
}

/** One resource of an event: `ResourceType`/`ResourceName` for LookupEvents, `ARN` for the record's `resources`. */
export interface EventResource {
  readonly type: string;
  readonly name: string;
  readonly arn?: string;
  readonly accountId?: string;
}

/** The CloudTrail record, members in the order AWS writes them. */
export interface CloudTrailEvent {
  readonly eventVersion: string;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: ReadonlyArray<{ readonly accountId?: string; readonly type: string; readonly ARN: string }>;
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly sharedEventID?: string;
  readonly eventCategory: EventCategory;
}

/** One stored copy of an event plus the values LookupEvents filters on. */
export interface AuditEntry {
  readonly eventId: string;
  readonly recipientAccountId: string;
  /** Epoch milliseconds (the record's `eventTime` is rounded to the second, as AWS writes it). */
  readonly eventTime: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly category: EventCategory;
  readonly resources: readonly EventResource[];
  readonly event: CloudTrailEvent;
}

/** Routing keys whose CloudTrail `eventSource` is not `<key>.amazonaws.com`. */
const SOURCE_OVERRIDES: Readonly<Record<string, string>> = {
  'sagemaker-runtime': 'sagemaker.amazonaws.com',
  'sagemaker-featurestore-runtime': 'sagemaker.amazonaws.com',
  'featurestore-runtime': 'sagemaker.amazonaws.com',
  'sagemaker-a2i-runtime': 'sagemaker.amazonaws.com',
  'runtime.sagemaker': 'sagemaker.amazonaws.com',
  cloudwatch: 'monitoring.amazonaws.com',
  eventbridge: 'events.amazonaws.com',
};

/** `iam` → `iam.amazonaws.com`. */
export function eventSourceOf(service: string): string {
  return SOURCE_OVERRIDES[service] ?? `${service}.amazonaws.com`;
}

// A verb prefix followed by the next word (or nothing): `GetRole`, `ListRoles`, `HeadBucket`, `Query`.
const READ_ONLY = /^(Get|List|Describe|Lookup|Simulate|Head|Search|BatchGet|BatchDescribe|Select|Query|Scan|Decode|Validate)(?=[A-Z]|$)/;

/** Whether CloudTrail marks the operation `readOnly` (it reads, it does not change anything). */
export function isReadOnly(operation: string): boolean {
  return READ_ONLY.test(operation);
}

/** Operations AWS logs as data events (not shown by LookupEvents, which returns management events). */
const DATA_EVENTS: Readonly<Record<string, ReadonlySet<string>>> = {
  s3: new Set([
    'GetObject', 'PutObject', 'DeleteObject', 'DeleteObjects', 'HeadObject', 'CopyObject', 'GetObjectAcl', 'PutObjectAcl',
    'GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging', 'GetObjectAttributes', 'RestoreObject', 'SelectObjectContent',
    'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts',
    'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'GetObjectRetention', 'PutObjectRetention', 'GetObjectLegalHold', 'PutObjectLegalHold',
  ]),
  lambda: new Set(['Invoke', 'InvokeAsync', 'InvokeWithResponseStream']),
  'sagemaker-runtime': new Set(['InvokeEndpoint', 'InvokeEndpointAsync', 'InvokeEndpointWithResponseStream']),
  'sagemaker-featurestore-runtime': new Set(['GetRecord', 'PutRecord', 'DeleteRecord', 'BatchGetRecord']),
  'featurestore-runtime': new Set(['GetRecord', 'PutRecord', 'DeleteRecord', 'BatchGetRecord']),
};

export function categoryOf(service: string, operation: string): EventCategory {
  return DATA_EVENTS[service]?.has(operation) ? 'Data' : 'Management';
}

/** ISO 8601 to the second, the way CloudTrail writes times (`2026-01-01T00:00:00Z`). */
export function isoSeconds(ms: number): string {
  // `2026-01-01T00:00:00.000Z` → drop the milliseconds (slicing is much cheaper than a regex here).
  const iso = new Date(ms).toISOString();
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso;
}

// Member names whose values are never logged (checked on the camelCased name, case-insensitively).
const SECRET_MEMBER = /(secret|secretaccesskey|secretstring|secretbinary|password|sessiontoken|privatekey|samlassertion|webidentitytoken|authorizationtoken)$/i;
// AWS leaves the secret key out of credentials it reports; other secrets show as HIDDEN.
const OMITTED_IN_RESPONSE = /^secretaccesskey$/i;
// Structure member names as the models spell them (PascalCase with at least one lower-case letter).
// Map keys chosen by users (`MY_VAR`, `team`) mostly do not match and stay as they are.
const MEMBER_NAME = /^[A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]*$/;
const MAX_DEPTH = 32;

/** `RoleArn` → `roleArn`, `SAMLProviderArn` → `sAMLProviderArn` (CloudTrail lower-cases the first letter only). */
export function camelMember(name: string): string {
  return MEMBER_NAME.test(name) ? name[0]!.toLowerCase() + name.slice(1) : name;
}

/**
 * A request or response value as CloudTrail logs it: member names camelCased at every level, dates as
 * ISO strings, secrets replaced by {@link HIDDEN} (or left out of responses, for secret keys), binary
 * payloads and streams dropped. Returns a fresh object, so later changes to the call do not leak in.
 */
export function toCloudTrailMembers(value: unknown, direction: 'request' | 'response'): unknown {
  return convert(value, direction, 0);
}

function convert(v: unknown, direction: 'request' | 'response', depth: number): unknown {
  if (v === null || v === undefined) return undefined;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (depth >= MAX_DEPTH) return undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : isoSeconds(v.getTime());
  if (Array.isArray(v)) return v.map((x) => convert(x, direction, depth + 1)).filter((x) => x !== undefined);
  // Bodies (Uint8Array, Buffer, streams) and other class instances are not request parameters.
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined || x === null) continue;
    const name = camelMember(k);
    if (SECRET_MEMBER.test(name)) {
      if (direction === 'response' && OMITTED_IN_RESPONSE.test(name)) continue;
      out[name] = HIDDEN;
      continue;
    }
    const c = convert(x, direction, depth + 1);
    if (c !== undefined) out[name] = c;
  }
  return out;
}

function sessionAttributes(p: Principal): SessionContext['attributes'] {
  return { creationDate: isoSeconds(p.sessionIssuedAt ?? 0), mfaAuthenticated: 'false' };
}

// A caller's identity is the same in every event it causes (events are never mutated), and a session's or a user's
// principal is the same object from one request to the next.
const identities = new WeakMap<Principal, UserIdentity>();

/** `userIdentity` for the caller; `invokedBy` when a service made the call on the principal's behalf. */
export function userIdentityOf(p: Principal, ctx?: Pick<RequestContext, 'via'>): UserIdentity {
  if (ctx?.via?.calledVia?.length) return buildUserIdentity(p, ctx.via.calledVia[0]);
  let identity = identities.get(p);
  if (identity === undefined) identities.set(p, (identity = buildUserIdentity(p, undefined)));
  return identity;
}

function buildUserIdentity(p: Principal, invokedBy: string | undefined): UserIdentity {
  const withKey = p.accessKeyId ? { accessKeyId: p.accessKeyId } : {};
  switch (p.type) {
    case 'IAMUser':
      return {
        type: 'IAMUser',
        principalId: p.userId,
        arn: p.arn,
        accountId: p.accountId,
        ...withKey,
        userName: p.name ?? p.arn.slice(p.arn.lastIndexOf('/') + 1),
        ...(p.sessionIssuedAt !== undefined ? { sessionContext: { attributes: sessionAttributes(p) } } : {}),
        ...(invokedBy ? { invokedBy } : {}),
      };
    case 'AssumedRole': {
      const issuer = p.sessionIssuer;
      const sessionContext: SessionContext = {
        sessionIssuer: {
          type: issuer?.type ?? 'Role',
          principalId: issuer?.principalId ?? p.roleId ?? p.userId.split(':')[0]!,
          arn: issuer?.arn ?? p.roleArn ?? '',
          accountId: issuer?.accountId ?? p.accountId,
          userName: issuer?.userName ?? p.name ?? '',
        },
        webIdFederationData: {},
        attributes: sessionAttributes(p),
        ...(p.sourceIdentity !== undefined ? { sourceIdentity: p.sourceIdentity } : {}),
      };
      return {
        type: 'AssumedRole',
        principalId: p.userId,
        arn: p.arn,
        accountId: p.accountId,
        ...withKey,
        sessionContext,
        ...(invokedBy ? { invokedBy } : {}),
      };
    }
    case 'FederatedUser': {
      const issuer = p.sessionIssuer;
      return {
        type: 'FederatedUser',
        principalId: p.userId,
        arn: p.arn,
        accountId: p.accountId,
        ...withKey,
        sessionContext: {
          ...(issuer
            ? { sessionIssuer: { type: issuer.type === 'User' ? 'IAMUser' : issuer.type, principalId: issuer.principalId, arn: issuer.arn, accountId: issuer.accountId, userName: issuer.userName } }
            : {}),
          attributes: sessionAttributes(p),
        },
      };
    }
    case 'Root':
      return {
        type: 'Root',
        principalId: p.accountId,
        arn: p.arn,
        accountId: p.accountId,
        ...withKey,
        ...(p.sessionIssuedAt !== undefined ? { sessionContext: { attributes: sessionAttributes(p) } } : {}),
        ...(invokedBy ? { invokedBy } : {}),
      };
    case 'AWSService':
      return { type: 'AWSService', invokedBy: p.service ?? invokedBy ?? 'AWS Internal' };
    case 'Anonymous':
      return { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' };
    default: {
      const never: never = p.type;
      throw new Error(`unknown principal type ${String(never)}`);
    }
  }
}

/** The `Username` LookupEvents reports and filters on. */
export function usernameOf(p: Principal): string | undefined {
  switch (p.type) {
    case 'IAMUser':
      return p.name ?? p.arn.slice(p.arn.lastIndexOf('/') + 1);
    case 'AssumedRole':
      return p.sessionName ?? p.arn.slice(p.arn.lastIndexOf('/') + 1);
    case 'FederatedUser':
      return p.name ?? p.arn.slice(p.arn.lastIndexOf('/') + 1);
    case 'Root':
      return 'root';
    case 'AWSService':
      return p.service;
    case 'Anonymous':
      return undefined;
    default: {
      const never: never = p.type;
      throw new Error(`unknown principal type ${String(never)}`);
    }
  }
}

/** How a top-level request member names a resource, per event source. */
interface ResourceRule {
  readonly type: string;
  /** `name`: the value is a name; `arn`: the value is the resource's ARN (also used as its name). */
  readonly value: 'name' | 'arn';
  readonly arn?: (name: string, accountId: string) => string;
}

const RESOURCE_RULES: Readonly<Record<string, Readonly<Record<string, ResourceRule>>>> = {
  'iam.amazonaws.com': {
    userName: { type: 'AWS::IAM::User', value: 'name' },
    roleName: { type: 'AWS::IAM::Role', value: 'name' },
    groupName: { type: 'AWS::IAM::Group', value: 'name' },
    instanceProfileName: { type: 'AWS::IAM::InstanceProfile', value: 'name' },
    policyArn: { type: 'AWS::IAM::Policy', value: 'arn' },
    accessKeyId: { type: 'AWS::IAM::AccessKey', value: 'name' },
  },
  'sts.amazonaws.com': {
    roleArn: { type: 'AWS::IAM::Role', value: 'arn' },
    roleSessionName: { type: 'AWS::STS::AssumedRole', value: 'name' },
  },
  'organizations.amazonaws.com': {
    accountId: { type: 'AWS::Organizations::Account', value: 'name' },
    policyId: { type: 'AWS::Organizations::Policy', value: 'name' },
    organizationalUnitId: { type: 'AWS::Organizations::OrganizationalUnit', value: 'name' },
  },
  's3.amazonaws.com': {
    bucket: { type: 'AWS::S3::Bucket', value: 'name', arn: (n) => `arn:aws:s3:::${n}` },
  },
  'ecr.amazonaws.com': {
    repositoryName: { type: 'AWS::ECR::Repository', value: 'name' },
  },
  'sagemaker.amazonaws.com': {
    modelPackageGroupName: { type: 'AWS::SageMaker::ModelPackageGroup', value: 'name' },
    endpointName: { type: 'AWS::SageMaker::Endpoint', value: 'name' },
    trainingJobName: { type: 'AWS::SageMaker::TrainingJob', value: 'name' },
    pipelineName: { type: 'AWS::SageMaker::Pipeline', value: 'name' },
    featureGroupName: { type: 'AWS::SageMaker::FeatureGroup', value: 'name' },
  },
};

/** Resources an event is about, derived from its request parameters (and, for keys AWS issues, its response). */
export function resourcesOf(
  eventSource: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
  callerAccountId: string,
): EventResource[] {
  const out: EventResource[] = [];
  const seen = new Set<string>();
  const add = (r: EventResource) => {
    const key = `${r.type}\u0000${r.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  const rules = RESOURCE_RULES[eventSource] ?? {};
  for (const [member, rule] of Object.entries(rules)) {
    const v = requestParameters?.[member];
    if (typeof v !== 'string' || v === '') continue;
    if (rule.value === 'arn') {
      const owner = parseArn(v)?.accountId;
      add({ type: rule.type, name: v, arn: v, ...(owner && /^\d{12}$/.test(owner) ? { accountId: owner } : {}) });
    } else {
      const arn = rule.arn?.(v, callerAccountId);
      add({ type: rule.type, name: v, ...(arn ? { arn } : {}) });
    }
  }
  // Keys AWS hands out (CreateAccessKey, AssumeRole, GetSessionToken) are resources of the event too.
  const issued = (responseElements?.['credentials'] ?? responseElements?.['accessKey']) as Record<string, unknown> | undefined;
  if (issued && typeof issued['accessKeyId'] === 'string') add({ type: 'AWS::IAM::AccessKey', name: issued['accessKeyId'] });
  return out;
}

const ACCOUNT_ID = /^\d{12}$/;
const ASSUME_OPERATIONS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

/**
 * The accounts that receive the event: the caller's, then each distinct resource owner. Owners come from
 * the call's `resourceAccounts`; for STS role assumption the role's account is read from `RoleArn`
 * (the pipeline only reports owners that authorization requests name explicitly).
 */
export function recipientsOf(call: CallRecord): string[] {
  const out: string[] = [];
  const add = (a: string | undefined) => {
    if (a && ACCOUNT_ID.test(a) && !out.includes(a)) out.push(a);
  };
  add(call.ctx.accountId);
  for (const a of call.resourceAccounts) add(a);
  if (call.ctx.service === 'sts' && ASSUME_OPERATIONS.has(call.ctx.operation)) {
    const roleArn = (call.input as { RoleArn?: unknown } | undefined)?.RoleArn;
    if (typeof roleArn === 'string') add(parseArn(roleArn)?.accountId);
  }
  return out;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 ? (v as Record<string, unknown>) : null;
}

/**
 * The events of one call, one per recipient account (empty when no account can receive it, e.g. an
 * anonymous call on nothing). `newId` supplies event ids (random UUIDs in production).
 */
export function buildEvents(call: CallRecord, newId: () => string): AuditEntry[] {
  const { ctx } = call;
  const recipients = recipientsOf(call);
  if (recipients.length === 0) return [];
  const p = ctx.principal;
  const eventSource = eventSourceOf(ctx.service);
  const readOnly = isReadOnly(ctx.operation);
  const category = categoryOf(ctx.service, ctx.operation);
  const requestParameters = asObject(toCloudTrailMembers(call.input, 'request'));
  const responseElements = !call.error && !readOnly ? asObject(toCloudTrailMembers(call.output, 'response')) : null;
  const resources = resourcesOf(eventSource, requestParameters, responseElements, ctx.accountId);
  const arnResources = resources.filter((r) => r.arn).map((r) => ({ ...(r.accountId ? { accountId: r.accountId } : {}), type: r.type, ARN: r.arn! }));
  const service = p.type === 'AWSService' ? p.service : undefined;
  const viaService = ctx.via?.calledVia?.[0];
  const shared = recipients.length > 1 ? newId() : undefined;
  const username = usernameOf(p);
  // Shared by the copies: events are never mutated after they are built.
  const userIdentity = userIdentityOf(p, ctx);
  const eventTime = isoSeconds(ctx.now);
  return recipients.map((recipientAccountId): AuditEntry => {
    const eventId = newId();
    const event: CloudTrailEvent = {
      eventVersion: EVENT_VERSION,
      userIdentity,
      eventTime,
      eventSource,
      eventName: ctx.operation,
      awsRegion: ctx.region,
      sourceIPAddress: service ?? viaService ?? ctx.sourceIp,
      userAgent: service ?? viaService ?? ctx.userAgent,
      ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
      requestParameters,
      responseElements,
      requestID: ctx.requestId,
      eventID: eventId,
      readOnly,
      ...(arnResources.length ? { resources: arnResources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: category === 'Management',
      recipientAccountId,
      ...(shared ? { sharedEventID: shared } : {}),
      eventCategory: category,
    };
    return {
      eventId,
      recipientAccountId,
      eventTime: ctx.now,
      eventName: ctx.operation,
      eventSource,
      readOnly,
      ...(username !== undefined ? { username } : {}),
      ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}),
      category,
      resources,
      event,
    };
  });
}
