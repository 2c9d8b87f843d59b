/**
 * The ordered request chain (ARCHITECTURE §2):
 *
 *   admin endpoints (/_mlzone/…) → route to a service → resolve the operation → authenticate (SigV4 →
 *   principal) → parse + validate input → authorize (IAM) → handler → serialize → audit
 *
 * Every failure on the way becomes an `AwsError` serialized by the service's own codec; before a service
 * is known, the error takes the shape the request itself implies (JSON target, query form, or XML).
 */
import { gunzipSync } from 'node:zlib';
import type { RequestContext } from '../core/context.js';
import { AwsError, CommonErrors, toAwsError } from '../core/errors.js';
import { ids } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import { resourceOwnerOf, type AuthzRequest } from '../core/service.js';
import type { WireRequest, WireResponse } from '../core/wire.js';
import { peekCredentialScope } from '../auth/sigv4.js';
import { codecForRequest } from '../protocol/codec.js';
import { validateInput } from '../protocol/validate.js';
import type { OperationModel } from '../spec/model.js';
import type { Authenticator } from './authenticate.js';
import type { AuditSink } from './audit-port.js';
import type { AuthorizationRecord, Authorizer } from './authorizer.js';
import { MAX_BUFFERED_BODY } from './body-limits.js';
import { route } from './route.js';
import type { RequestMeta } from './server.js';
import type { RegisteredService, ServiceRegistry } from './service-registry.js';

export interface PipelineDeps {
  readonly services: ServiceRegistry;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly audit: AuditSink;
  readonly region: string;
  readonly now: () => number;
  /** `/_mlzone/*` endpoints; return undefined to fall through to a 404. */
  readonly admin: (req: WireRequest, path: string) => Promise<WireResponse | undefined>;
  readonly onDecision?: (requestId: string, ctx: RequestContext, record: AuthorizationRecord) => void;
  readonly log?: (msg: string, err?: unknown) => void;
}

export function createPipeline(deps: PipelineDeps) {
  return async function handle(sent: WireRequest, meta: RequestMeta): Promise<WireResponse> {
    let req = sent;
    const requestId = ids.requestId();
    if (req.rawPath.startsWith('/_mlzone/')) {
      const r = await deps.admin(req, req.rawPath).catch((e: unknown) => errorWithoutService(req, toAwsError(e), requestId));
      return r ?? errorWithoutService(req, new AwsError('NotFound', `no mlzone endpoint ${req.rawPath}`, { status: 404 }), requestId);
    }
    const r = route(req, deps.services.routing);
    const registered = r.kind === 'service' ? deps.services.get(r.service) : undefined;
    const svc = registered && speaking(registered, req);
    if (!svc) {
      return errorWithoutService(req, new AwsError('UnknownService', r.kind === 'unknown' ? r.reason : 'unknown service', { status: 400 }), requestId);
    }
    const virtualBucket = r.kind === 'service' ? r.virtualBucket : undefined;
    let op: OperationModel | undefined;
    // The body as the client wrote it before compressing (an awsQuery body names its operation, so this comes first).
    let decoded = req;
    try {
      decoded = decompressed(req, svc.model.operations);
      op = svc.codec.resolveOperation(pathStyle(decoded, virtualBucket), svc.model);
      // The server streams every S3 PUT body; only operations with a streaming payload keep it streamed.
      if (op && req.bodyStream && !hasStreamingPayload(op)) decoded = req = { ...req, body: await readAll(req.bodyStream), bodyStream: undefined };
    } catch (e) {
      return svc.codec.serializeError(svc.model, undefined, toAwsError(e), requestId);
    }
    if (!op) return svc.codec.serializeError(svc.model, undefined, unknownOperation(svc), requestId);
    if (decoded !== req && !op.requestCompression?.includes('gzip')) {
      return svc.codec.serializeError(svc.model, op, new AwsError('InvalidParameterValue', `${op.name} does not accept a gzip-encoded body.`, { status: 400 }), requestId);
    }
    return runOperation(deps, svc, op, req, meta, requestId, virtualBucket, decoded);
  };
}

/** The service as this request speaks to it: models listing several protocols (CloudWatch) answer in the request's. */
export function speaking(svc: RegisteredService, req: WireRequest): RegisteredService {
  const codec = codecForRequest(svc.model, req, svc.codec);
  if (codec === svc.codec) return svc;
  return { definition: svc.definition, model: svc.model, codec, style: codec.protocol === 'query' ? 'query' : svc.style };
}

/** A virtual-hosted S3 request (`bucket.localhost/key`) in the path-style form the codec routes (`/bucket/key`). */
export function pathStyle(req: WireRequest, bucket: string | undefined): WireRequest {
  if (bucket === undefined) return req;
  return { ...req, rawPath: req.rawPath === '/' || req.rawPath === '' ? `/${bucket}` : `/${bucket}${req.rawPath}` };
}

export function hasStreamingPayload(op: OperationModel): boolean {
  const input = op.input;
  const payload = input?.payload ? input.members[input.payload] : undefined;
  return payload !== undefined && payload.shape.type === 'blob' && Boolean(payload.streaming || payload.shape.streaming);
}

/**
 * The body of a request to a service with `requestcompression` operations (CloudWatch PutMetricData) as the client
 * wrote it before compressing: the SDKs gzip such bodies above 10 KiB and say so in Content-Encoding. The signature
 * covers the compressed bytes, so authentication keeps the request as sent. Services without the trait keep their
 * Content-Encoding as data (an S3 object stored gzip-encoded stays so); a buffered body only (never a stream).
 */
function decompressed(req: WireRequest, operations: Readonly<Record<string, OperationModel>>): WireRequest {
  if (req.bodyStream || req.body.length === 0) return req;
  const encodings = (req.headers['content-encoding'] ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (!encodings.includes('gzip')) return req;
  if (!compresses(operations)) return req;
  if (encodings.some((e) => e !== 'gzip')) throw new AwsError('InvalidParameterValue', `The Content-Encoding ${req.headers['content-encoding']} is not supported.`, { status: 400 });
  try {
    return { ...req, body: gunzipSync(req.body, { maxOutputLength: MAX_BUFFERED_BODY }) };
  } catch {
    throw new AwsError('InvalidParameterValue', 'The request body could not be decompressed as gzip.', { status: 400 });
  }
}

const compresses = (operations: Readonly<Record<string, OperationModel>>): boolean => Object.values(operations).some((o) => o.requestCompression?.includes('gzip'));

/** Whether `decompressed` may look at this request's body once read (a gzip-encoded body to a service that takes one). */
export function mayBeDecompressed(head: WireRequest, svc: RegisteredService): boolean {
  return /gzip/i.test(head.headers['content-encoding'] ?? '') && compresses(svc.model.operations);
}

/** Request bodies buffered here are capped like the server's own buffering. */

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of stream) {
    size += c.length;
    if (size > MAX_BUFFERED_BODY) throw new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', { status: 400 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Operations callable without credentials: those the model marks unsigned (STS AssumeRoleWithWebIdentity/SAML) and the service lists (S3's public access). */
export function isAnonymousOperation(svc: RegisteredService, op: OperationModel): boolean {
  return (svc.definition.anonymous?.includes(op.name) ?? false) || op.authtype === 'none';
}

async function runOperation(
  deps: PipelineDeps,
  svc: RegisteredService,
  op: OperationModel,
  req: WireRequest,
  meta: RequestMeta,
  requestId: string,
  virtualBucket?: string,
  /** The body to parse when it differs from the one signed (a gzip-encoded request, decompressed). */
  decoded: WireRequest = req,
): Promise<WireResponse> {
  const now = deps.now();
  try {
    const anonymous = isAnonymousOperation(svc, op);
    const authenticating = deps.authenticator.authenticate(req, { service: svc.definition.name, style: svc.style, now, anonymous, virtualBucket });
    const auth = authenticating instanceof Promise ? await authenticating : authenticating;
    const principal: Principal = auth.principal;
    const parsed = pathStyle(auth.bodyStream ? { ...req, bodyStream: auth.bodyStream } : decoded, virtualBucket);
    const input = svc.codec.parse(parsed, svc.model, op);
    const ctx: RequestContext = {
      requestId,
      service: svc.definition.name,
      operation: op.name,
      region: peekCredentialScope(req)?.region ?? deps.region,
      principal,
      accountId: principal.accountId,
      sourceIp: meta.sourceIp,
      userAgent: req.headers['user-agent'] ?? '',
      now,
      secureTransport: meta.secure,
    };
    const output = await executeOperation(deps, svc, op, input, ctx);
    return svc.codec.serialize(svc.model, op, output ?? {}, requestId);
  } catch (e) {
    const err = toAwsError(e);
    if (err.status >= 500 && err.code === 'InternalFailure') deps.log?.(`request ${requestId} ${svc.definition.name}:${op.name} failed`, err.cause ?? err);
    return svc.codec.serializeError(svc.model, op, err, requestId);
  }
}

/**
 * Everything after the caller is known and the input parsed: validation, authorization, the handler and
 * the audit record. The HTTP chain and the internal client (calls mlzone makes on a principal's behalf)
 * both come through here, so IAM applies to both alike.
 */
export async function executeOperation(
  deps: Pick<PipelineDeps, 'authorizer' | 'audit' | 'onDecision'>,
  svc: RegisteredService,
  op: OperationModel,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const resourceAccounts: string[] = [];
  try {
    const invalid = validateInput(svc.model, op, input);
    if (invalid) throw invalid;
    const handler = svc.definition.handlers[op.name];
    if (!handler) throw CommonErrors.notImplemented(svc.definition.name, op.name);
    const authz = svc.definition.authz?.[op.name];
    if (!authz) throw new AwsError('InternalFailure', `operation ${op.name} declares no authorization`, { status: 500 });
    const requests: AuthzRequest[] = await authz(input, ctx);
    for (const r of requests) {
      // The owner of each resource also receives the audit event (CloudTrail's cross-account delivery).
      const owner = resourceOwnerOf(r);
      if (owner && owner !== ctx.accountId && !resourceAccounts.includes(owner)) resourceAccounts.push(owner);
    }
    const pending = deps.authorizer.authorize(ctx, requests, svc.style);
    const decision = pending instanceof Promise ? await pending : pending;
    if (decision) deps.onDecision?.(ctx.requestId, ctx, decision);
    if (decision?.error) throw decision.error;
    const output = await handler(input, ctx);
    deps.audit.record({ ctx, input, output, resourceAccounts });
    return output;
  } catch (e) {
    deps.audit.record({ ctx, input, error: toAwsError(e), resourceAccounts });
    throw e;
  }
}

export function unknownOperation(svc: RegisteredService): AwsError {
  if (svc.style === 'query') return new AwsError('InvalidAction', 'Could not find operation for this request', { status: 400 });
  if (svc.style === 'rest-xml') return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { status: 405 });
  return new AwsError('UnknownOperationException', 'The action or operation requested is invalid. Verify that the action is typed correctly.', { status: 400 });
}

/** An error for a request no service claimed, in the wire shape the request implies. */
export function errorWithoutService(req: WireRequest, err: AwsError, requestId: string): WireResponse {
  if (req.headers['x-amz-target'] || (req.headers['content-type'] ?? '').includes('json')) {
    return {
      status: err.status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
      body: JSON.stringify({ __type: err.code, message: err.message }),
    };
  }
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return {
      status: err.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<ErrorResponse><Error><Type>${err.fault}</Type><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}
